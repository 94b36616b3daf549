"""Paper-style matplotlib settings: small serif-free figures for a two-column IEEE paper."""

from __future__ import annotations

import contextlib

PAPER_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "pdf.fonttype": 42,
    "svg.hashsalt": "mlmismatch",
    "path.simplify": True,
}

#: One colour per category, colour-blind safe (Okabe-Ito), in codebook order.
CATEGORY_COLOURS = {
    "Task and Purpose": "#E69F00",
    "Raw Data": "#56B4E9",
    "Trained Model": "#009E73",
    "Training Data": "#F0E442",
    "Development Environment": "#0072B2",
    "Operational Data": "#D55E00",
    "Operational Environment": "#CC79A7",
}


@contextlib.contextmanager
def paper_style():
    import matplotlib.pyplot as plt

    with plt.rc_context(PAPER_RC):
        yield plt
