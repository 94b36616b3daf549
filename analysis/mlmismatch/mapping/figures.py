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


def fig_mapping_matrix(mapping: "pd.DataFrame", codebook: "pd.DataFrame") -> "Figure":
    """Subcategories (grouped by category) x top-level attributes (grouped by descriptor).

    A filled mark: the mapping names the attribute (or one of its children) for the subcategory;
    dark when a cited rule reads it, light when recording it is all the descriptor does; a hollow
    mark: a proposed attribute no published version has. The right column lists the rule ids
    (the formalization column of the paper's Fig. 6).
    """
    import matplotlib.pyplot as plt

    m = mapping[mapping["status"] != "none"].copy()
    m["top"] = m["path"].map(_top)
    cols: list[tuple[str, str]] = []
    for kind in KINDS:
        sub = m[m["descriptor"] == kind]
        cols.extend((kind, t) for t in dict.fromkeys(sub["top"]))
    rows = [(str(c), str(s), str(code)) for code, c, s in
            zip(codebook["category_code"], codebook["category"], codebook["subcategory"])]
    col_ix = {c: i for i, c in enumerate(cols)}
    with paper_style():
        fig, ax = subplots(figsize=(max(8.0, 0.16 * len(cols) + 5.5), 0.2 * len(rows) + 2.6))
        for r, (cat, sub, _code) in enumerate(rows):
            g = m[(m["category"] == cat) & (m["subcategory"] == sub)]
            for key, gg in g.groupby(["descriptor", "top"]):
                x = col_ix[key]
                any_proposed = (gg["status"] == "proposed").any()
                ruled = (gg["rule_id"] != "").any()
                if (gg["status"] == "proposed").all():
                    ax.scatter(x, r, s=18, facecolors="none", edgecolors="black", linewidths=0.7)
                else:
                    ax.scatter(x, r, s=18, color="black" if ruled else "#9a9a9a", linewidths=0)
                    if any_proposed:  # a published attribute with a proposed child
                        ax.scatter(x, r, s=48, facecolors="none", edgecolors="black", linewidths=0.6)
            rules = sorted({rid for v in g["rule_id"] for rid in v.split(";") if rid})
            ax.text(len(cols) + 0.5, r, ", ".join(rules) if rules else "", va="center", fontsize=5.5)
        ax.set_xlim(-0.7, len(cols) + 9)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([subcategory_label(code, sub) for _c, sub, code in rows], fontsize=6)
        for lab, (cat, _s, _c) in zip(ax.get_yticklabels(), rows):
            lab.set_color(CATEGORY_COLOURS.get(cat, "black"))
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels([t for _k, t in cols], rotation=90, fontsize=5.5)
        start = 0
        for kind in KINDS:
            n = sum(1 for k, _t in cols if k == kind)
            if not n:
                continue
            ax.axvline(start - 0.5, color="#cccccc", linewidth=0.5)
            ax.text(start + (n - 1) / 2, -1.2, DESCRIPTOR_ABBREV[kind], ha="center", va="bottom", fontsize=6,
                    fontweight="bold", clip_on=False)
            start += n
        prev = None
        for r, (cat, _s, _c) in enumerate(rows):
            if prev is not None and cat != prev:
                ax.axhline(r - 0.5, color="#cccccc", linewidth=0.5)
            prev = cat
        ax.text(len(cols) + 0.5, -1.2, "Formalization\n(rule ids)", fontsize=6, fontweight="bold", va="bottom",
                clip_on=False)
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        legend = [plt.Line2D([], [], marker="o", linestyle="", color="black", markersize=3.5,
                             label="recorded, read by a rule"),
                  plt.Line2D([], [], marker="o", linestyle="", color="#9a9a9a", markersize=3.5,
                             label="recorded (information sharing)"),
                  plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor="black",
                             markersize=3.5, label="proposed (no published version)")]
        ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.45, -0.2), ncol=3, frameon=False)
        abbrev = "; ".join(f"{a} {TITLES[k]}" for k, a in DESCRIPTOR_ABBREV.items())
        ax.set_title("Mismatch subcategories x descriptor attributes (1.2 paths; ring: proposed child attribute)\n"
                     + abbrev, fontsize=7, pad=24)
        fig.tight_layout()
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
