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
    """The paper's rc settings for the figures drawn inside the block (yields ``matplotlib.pyplot``)."""
    import matplotlib.pyplot as plt

    with plt.rc_context(PAPER_RC):
        yield plt


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """Like ``plt.subplots(...)``, for a figure that pyplot no longer manages: ``(fig, axes)``.

    The figure functions return their figure. A figure that pyplot manages is shown twice in
    Jupyter: once by the inline backend at the end of the cell and once as the cell's value. A
    figure closed in pyplot right away is shown once, where it is returned (or passed to
    ``display``), and it is freed when its caller drops it. It is created through pyplot, so that
    the backend (in Jupyter, the inline backend and its PNG display) is set up as usual, and it
    draws on an Agg canvas; saving is unchanged.
    """
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)  # pyplot forgets it: the inline backend does not show it again at the end of the cell
    FigureCanvasAgg(fig)  # a closed figure keeps a bare canvas; give it one that draws
    return fig, axes
