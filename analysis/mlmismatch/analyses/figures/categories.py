"""Figures for the categorization, in the spirit of the paper's Figs. 2-3 (matplotlib only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.style import CATEGORY_COLOURS, paper_style, subplots

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure


def fig_categories(cats: "pd.DataFrame") -> "Figure":
    """Horizontal bars: coded instances per category with count and share (Fig. 2)."""
    with paper_style():
        fig, ax = subplots(figsize=(3.5, 2.2))
        df = cats.iloc[::-1]
        colours = [CATEGORY_COLOURS.get(c, "#999999") for c in df["category"]]
        ax.barh(df["category"], df["n_instances"], color=colours, edgecolor="black", linewidth=0.4)
        for y, (n, pct) in enumerate(zip(df["n_instances"], df["share_pct"])):
            ax.text(n + 0.8, y, f"{n} ({pct:.0f}%)", va="center", fontsize=7)
        ax.set_xlabel("Coded instances")
        ax.set_xlim(0, df["n_instances"].max() * 1.3)
        ax.set_title(f"Mismatch categories (n = {int(cats['n_instances'].sum())} instances)")
        fig.tight_layout()
    return fig


def fig_subcategories(subs: "pd.DataFrame") -> "Figure":
    """One panel per category: subcategories with their share within the category (Fig. 3)."""
    import math

    with paper_style():
        cats = list(dict.fromkeys(subs["category"]))
        ncols = 2
        nrows = math.ceil(len(cats) / ncols)
        heights = [max(len(subs[subs.category == c]) for c in cats[i * ncols:(i + 1) * ncols]) for i in range(nrows)]
        fig, axes = subplots(nrows, ncols, figsize=(7.16, 0.32 * sum(heights) + 0.6 * nrows),
                                 gridspec_kw={"height_ratios": heights}, squeeze=False)
        for ax, cat in zip(axes.flat, cats):
            df = subs[subs.category == cat].iloc[::-1]
            ax.barh([_wrap(s) for s in df["subcategory"]], df["share_in_category_pct"],
                    color=CATEGORY_COLOURS.get(cat, "#999999"), edgecolor="black", linewidth=0.4)
            for y, (n, pct) in enumerate(zip(df["n_instances"], df["share_in_category_pct"])):
                ax.text(pct + 1, y, f"{pct:.0f}% ({n})", va="center", fontsize=6)
            ax.set_xlim(0, 100)
            ax.set_title(f"{cat} (n = {int(df['n_instances'].sum())})", fontsize=8)
            ax.tick_params(axis="y", labelsize=6)
        for ax in list(axes.flat)[len(cats):]:
            ax.axis("off")
        fig.supxlabel("Share of the category's coded instances (%)", fontsize=7)
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
