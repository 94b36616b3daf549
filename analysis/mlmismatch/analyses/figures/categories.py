"""Figures for the categorization in the paper's style: Figs. 2-3 as 100 % stacked bars with labelled
segments, as the paper draws them (matplotlib only); the shares are the recomputed ones, rounded half up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.style import CATEGORY_COLOURS, paper_style, subplots

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure


def _tint(colour: str, k: int) -> str:
    """Alternate a category colour with a lighter tint so that neighbouring segments stay apart."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    f = 0.45 if k % 2 else 0.0
    return "#%02x%02x%02x" % tuple(int(255 * (c + (1 - c) * f)) for c in (r, g, b))


def _stacked_row(ax, y: float, parts: list[tuple[str, int]], colour: str, *, wrap: int = 24, below: bool = True) -> None:
    """One 100 % stacked bar at height ``y`` with a label per segment ("17% Test Cases and Data") on a
    leader line, in two staggered tiers (below the bar, or above and below alternately)."""
    from mlmismatch.core.numbers import round_half_up

    import textwrap

    total = sum(n for _, n in parts) or 1
    tiers = 3 if len(parts) > 6 else 2
    left = 0.0
    for k, (name, n) in enumerate(parts):
        width = 100 * n / total
        ax.barh(y, width, left=left, height=0.32, color=_tint(colour, k), edgecolor="white", linewidth=0.6)
        if n:
            x = left + width / 2
            tier = k % tiers
            sign = -1 if (below or tier) else 1
            ty = y + sign * (0.3 + 0.3 * (tier if below else 0))
            ax.plot([x, x], [y + sign * 0.16, ty - sign * 0.04], color="#333333", linewidth=0.5)
            label = "\n".join(textwrap.wrap(f"{round_half_up(width):.0f}% " + name.replace("/", "/ "), wrap,
                                             break_long_words=False))
            ax.text(x, ty, label, fontsize=5.5, va="top" if sign < 0 else "bottom", ha="center")
        left += width


def fig_categories(cats: "pd.DataFrame") -> "Figure":
    """Fig. 2 in the paper's style: one 100 % stacked bar of the categories (smallest first, as the
    paper draws it), each segment labelled with its share (half up) and name on a leader line."""
    from mlmismatch.core.numbers import round_half_up

    with paper_style():
        fig, ax = subplots(figsize=(3.5, 1.5))
        df = cats.sort_values("n_instances", kind="stable")
        colours = iter(CATEGORY_COLOURS.get(c, "#999999") for c in df["category"])
        total = int(df["n_instances"].sum()) or 1
        left = 0.0
        for k, (cat, n) in enumerate(zip(df["category"], df["n_instances"])):
            width = 100 * n / total
            ax.barh(0, width, left=left, height=0.5, color=next(colours), edgecolor="white", linewidth=0.6)
            x, up = left + width / 2, k % 2 == 0
            ty = 0.55 + 0.3 * (k % 4 >= 2) if up else -0.55 - 0.3 * (k % 4 >= 2)
            ax.plot([x, x], [0.25 if up else -0.25, ty], color="#333333", linewidth=0.5)
            ax.text(x, ty, f"{round_half_up(100 * n / total):.0f}% {_wrap(cat, 16)}", fontsize=5.5, ha="center",
                    va="bottom" if up else "top")
            left += width
        ax.set_xlim(0, 100)
        ax.set_ylim(-1.6, 1.6)
        ax.axis("off")
        ax.set_title(f"Mismatch categories ({total} coded instances)", fontsize=8)
        fig.tight_layout()
    return fig


def fig_subcategories(subs: "pd.DataFrame") -> "Figure":
    """Fig. 3 in the paper's style: per category (largest first) one 100 % stacked bar of its
    subcategories in the order of ``subs``, each segment labelled with its share of the category (half up)
    and name; the row title gives the category's share of all instances."""
    from mlmismatch.core.numbers import round_half_up

    with paper_style():
        totals = subs.groupby("category", sort=False)["n_instances"].sum().sort_values(ascending=False, kind="stable")
        grand = int(totals.sum()) or 1
        fig, ax = subplots(figsize=(7.16, 1.15 * len(totals) + 0.3))
        for i, (cat, n_cat) in enumerate(totals.items()):
            y = -i * 1.9
            parts = [(str(r.subcategory), int(r.n_instances)) for r in subs[subs["category"] == cat].itertuples(index=False)]
            _stacked_row(ax, y, parts, CATEGORY_COLOURS.get(cat, "#999999"), wrap=22)
            ax.text(0, y + 0.3, f"{cat} {round_half_up(100 * n_cat / grand):.0f}% (n = {int(n_cat)})", fontsize=7, fontweight="bold",
                    va="bottom", ha="left")
        ax.set_xlim(-1, 101)
        ax.set_ylim(-(len(totals) - 1) * 1.9 - 1.5, 0.8)
        ax.axis("off")
        fig.tight_layout()
    return fig


def fig_cooccurrence(mat: "pd.DataFrame") -> "Figure":
    """Heatmap of category co-occurrence within mismatches."""
    import numpy as np

    with paper_style():
        fig, ax = subplots(figsize=(4.2, 3.6))
        values = mat.to_numpy()
        im = ax.imshow(values, cmap="Blues")
        labels = list(mat.index)
        ax.set_xticks(range(len(labels)), labels=[_wrap(l, 12) for l in labels], rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels=labels)
        vmax = values.max() if values.size else 1
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, str(values[i, j]), ha="center", va="center", fontsize=6,
                        color="white" if values[i, j] > 0.6 * vmax else "black")
        ax.set_title("Mismatches coded with both categories\n(diagonal: with the category at all)", fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.7)
        ax.spines[:].set_visible(False)
        fig.tight_layout()
        del np
    return fig


def fig_per_interview(per: "pd.DataFrame") -> "Figure":
    with paper_style():
        fig, ax = subplots(figsize=(3.5, 2.0))
        ax.bar(per["interview"].astype(str), per["n_mismatches"], color="#0072B2", label="mismatches")
        if "n_instances" in per:
            ax.plot(per["interview"].astype(str), per["n_instances"], "o", color="#D55E00", markersize=3,
                    label="coded instances")
        ax.set_xlabel("Interview")
        ax.set_ylabel("Count")
        ax.legend(frameon=False)
        ax.set_title("Mismatches per interview")
        fig.tight_layout()
    return fig


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
