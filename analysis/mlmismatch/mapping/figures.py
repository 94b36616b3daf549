"""Figures of the mapping (paper Fig. 6 in spirit): subcategory x attribute matrix, split (the practice
matrix: :mod:`mlmismatch.mapping.practice_figures`).

Figures take the tables of :mod:`mlmismatch.mapping` and return matplotlib figures; writing happens
in the reproduce step (``ctx.save_figure``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlmismatch.core.labels import subcategory_label
from mlmismatch.descriptors.schemas import KINDS, TITLES
from mlmismatch.core.style import CATEGORY_COLOURS, paper_style, subplots

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

DESCRIPTOR_ABBREV = {"system_context": "SC", "raw_data": "RD", "data_pipeline": "DP", "training_data": "TD",
                     "trained_model": "TM", "development_environment": "DE", "production_environment": "PE",
                     "production_data": "PD"}


def _top(path: str) -> str:
    return re.split(r"\[\]\.|\.", path, maxsplit=1)[0]


def _matrix_axes(n_rows: int, n_cols: int, left: float, right: float, top: float, bottom: float, cell: tuple[float, float]):
    """A figure whose axes hold an ``n_rows`` x ``n_cols`` grid of cells of ``cell`` inches (width, height) with
    fixed margins (inches): no ticks and no layout pass, labels are placed by the caller."""
    width = left + n_cols * cell[0] + right
    height = top + n_rows * cell[1] + bottom
    fig, ax = subplots(figsize=(width, height))
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _row_labels(ax, labels, colours=None, fontsize=5.0) -> None:
    """One text per row, right-aligned left of the axes."""
    tr = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for r, text in enumerate(labels):
        ax.text(-0.006, r, text, transform=tr, ha="right", va="center", fontsize=fontsize,
                color=(colours[r] if colours else "black"), clip_on=False)


def _col_labels(ax, labels, fontsize=5.0) -> None:
    """One text per column, rotated, below the axes."""
    tr = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for c, text in enumerate(labels):
        ax.text(c, -0.008, text, transform=tr, ha="center", va="top", rotation=90, fontsize=fontsize, clip_on=False)


def fig_mapping_matrix(mapping: "pd.DataFrame", codebook: "pd.DataFrame") -> "Figure":
    """Subcategories (grouped by category) x top-level attributes (grouped by descriptor).

    A filled mark: the mapping names the attribute (or one of its children) for the subcategory;
    dark when a cited rule reads it, light when recording it is all the descriptor does; a hollow
    mark: a proposed attribute no published version has. The right column lists the rule ids
    (the formalization column of the paper's Fig. 6).

    Drawn for a landscape page (about 10 x 6 inches): one text per row and column, the marks as one
    collection per kind, no tick machinery and no layout pass.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    m = mapping[mapping["status"] != "none"].copy()
    m["top"] = m["path"].map(_top)
    cols: list[tuple[str, str]] = []
    for kind in KINDS:
        sub = m[m["descriptor"] == kind]
        cols.extend((kind, t) for t in dict.fromkeys(sub["top"]))
    rows = [(str(c), str(s), str(code)) for code, c, s in
            zip(codebook["category_code"], codebook["category"], codebook["subcategory"])]
    col_ix = {c: i for i, c in enumerate(cols)}
    row_ix = {(cat, sub): r for r, (cat, sub, _code) in enumerate(rows)}
    marks: dict[str, list[tuple[int, int]]] = {"ruled": [], "shared": [], "proposed": [], "ring": []}
    rules_of: dict[int, set[str]] = {}
    m = m[[k in row_ix for k in zip(m["category"], m["subcategory"])]]
    for (cat, sub, kind, top), gg in m.groupby(["category", "subcategory", "descriptor", "top"], sort=False):
        r, x = row_ix[(cat, sub)], col_ix[(kind, top)]
        proposed = gg["status"] == "proposed"
        if proposed.all():
            marks["proposed"].append((x, r))
        else:
            marks["ruled" if (gg["rule_id"] != "").any() else "shared"].append((x, r))
            if proposed.any():  # a published attribute with a proposed child
                marks["ring"].append((x, r))
    for (cat, sub), rid in zip(zip(m["category"], m["subcategory"]), m["rule_id"]):
        rules_of.setdefault(row_ix[(cat, sub)], set()).update(x for x in rid.split(";") if x)
    with paper_style():
        fig, ax = _matrix_axes(len(rows), len(cols), left=1.9, right=1.45, top=0.75, bottom=1.25, cell=(0.085, 0.13))
        styles = {"ruled": dict(s=9, color="black", linewidths=0), "shared": dict(s=9, color="#9a9a9a", linewidths=0),
                  "proposed": dict(s=9, facecolors="none", edgecolors="black", linewidths=0.6),
                  "ring": dict(s=26, facecolors="none", edgecolors="black", linewidths=0.5)}
        for kind, pts in marks.items():
            if pts:
                xs, ys = zip(*pts)
                ax.scatter(xs, ys, **styles[kind])
        _row_labels(ax, [subcategory_label(code, sub) for _c, sub, code in rows],
                    [CATEGORY_COLOURS.get(cat, "black") for cat, _s, _c in rows], fontsize=5.5)
        _col_labels(ax, [t for _k, t in cols], fontsize=4.8)
        tr = ax.get_yaxis_transform()
        for r in range(len(rows)):
            if rules_of.get(r):
                ids = sorted(rules_of[r])
                text = "\n".join(", ".join(ids[i:i + 6]) for i in range(0, len(ids), 6))  # at most 6 ids a line
                ax.text(1.01, r, text, transform=tr, va="center", fontsize=4.8, linespacing=1.0, clip_on=False)
        # separators: between descriptors (vertical) and categories (horizontal), one collection
        segments, start, xtr = [], 0, ax.get_xaxis_transform()
        for kind in KINDS:
            n = sum(1 for k, _t in cols if k == kind)
            if not n:
                continue
            if start:
                segments.append([(start - 0.5, -0.5), (start - 0.5, len(rows) - 0.5)])
            ax.text(start + (n - 1) / 2, 1.01, DESCRIPTOR_ABBREV[kind], transform=xtr, ha="center", va="bottom",
                    fontsize=6, fontweight="bold", clip_on=False)
            start += n
        for r in range(1, len(rows)):
            if rows[r][0] != rows[r - 1][0]:
                segments.append([(-0.5, r - 0.5), (len(cols) - 0.5, r - 0.5)])
        ax.add_collection(LineCollection(segments, colors="#cccccc", linewidths=0.5))
        ax.text(1.01, 1.01, "Formalization\n(rule ids)", transform=ax.transAxes, fontsize=6, fontweight="bold",
                va="bottom", clip_on=False)
        legend = [plt.Line2D([], [], marker="o", linestyle="", color="black", markersize=3,
                             label="recorded, read by a rule"),
                  plt.Line2D([], [], marker="o", linestyle="", color="#9a9a9a", markersize=3,
                             label="recorded (information sharing)"),
                  plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor="black",
                             markersize=3, label="proposed (no published version)")]
        fig.legend(handles=legend, loc="lower center", ncol=3, frameon=False, fontsize=6)
        abbrev = "; ".join(f"{a} {TITLES[k]}" for k, a in DESCRIPTOR_ABBREV.items())
        fig.suptitle("Mismatch subcategories x descriptor attributes (1.2 paths; ring: proposed child attribute)\n"
                     + abbrev, fontsize=7)
    return fig


def fig_sharing_vs_predicate(split: "pd.DataFrame") -> "Figure":
    """Stacked bars per category: coded instances whose subcategory is information sharing vs predicate."""
    classes = ["information sharing", "predicate", "proposed only", "none"]
    colours = {"information sharing": "#9a9a9a", "predicate": "#222222", "proposed only": "#ffffff", "none": "#ffffff"}
    cats = list(dict.fromkeys(split["category"]))
    with paper_style():
        fig, ax = subplots(figsize=(4.8, 0.32 * len(cats) + 1.2))
        left = [0.0] * len(cats)
        for cls in classes:
            vals = [float(split[(split["category"] == c) & (split["coverage"] == cls)]["pct"].sum()) for c in cats]
            if not any(vals):
                continue
            ax.barh(range(len(cats)), vals, left=left, color=colours[cls], edgecolor="black", linewidth=0.4, label=cls)
            for i, (l, v) in enumerate(zip(left, vals)):
                if v >= 8:
                    ax.text(l + v / 2, i, f"{v:.0f}%", ha="center", va="center", fontsize=6,
                            color="white" if cls == "predicate" else "black")
            left = [l + v for l, v in zip(left, vals)]
        ax.set_yticks(range(len(cats)))
        ax.set_yticklabels(cats)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of coded instances")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, frameon=False)
        ax.set_title("Detectable by a rule over attributes, or information sharing only", fontsize=8)
        fig.tight_layout()
    return fig
