"""Analyses of the study's data: pure functions from tidy tables to tidy tables.

- :mod:`.categories`: the categorization of the coded interviews (paper Figs. 2-3);
- :mod:`.survey_stats`: the survey (Figs. 4-5, Table II) and how the roles differ;
- :mod:`.figures`: matplotlib figures of both, in the paper's style.
"""
