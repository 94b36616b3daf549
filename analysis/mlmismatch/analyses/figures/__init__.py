"""Figures of the analyses (matplotlib only), in the paper's style."""
