"""Figures of the validation survey, drawn with matplotlib directly (no seaborn, no plot-likert).

Each function takes the tables of :mod:`mlmismatch.survey_stats` and returns a matplotlib
``Figure``; saving (deterministic bytes) is left to :func:`mlmismatch.writers.save_figure` /
``Context.save_figure``. Labels are item labels, roles and numbers only, never free text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.style import subplots
from mlmismatch.study.survey import LEVELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: One colour per answer level, lowest first (diverging: browns for the low end, blues for the high).
LEVEL_COLORS = {
    "Not Important": "#a6611a",
    "Somewhat Important": "#dfc27d",
    "Important": "#80cdc1",
    "Very Important": "#018571",
}
PIE_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
ROLE_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]

PANELS = [
    ("affiliation", "(a) Affiliation"),
    ("role", "(b) Primary Role"),
    ("years_total", "(c) Total Years of Experience"),
    ("years_ml", "(d) ML Years of Experience"),
]
YEAR_LABELS = {"12 or more": ">=12"}


def fig4_demographics(demographics: "pd.DataFrame") -> "Figure":
    """Fig. 4: four pies (affiliation in the paper's groups, primary role group, total and ML years),
    each wedge labelled with count and share; categories with no respondent are left out."""
    fig, axes = subplots(2, 2, figsize=(12, 9))
    total = int(demographics["n_total"].iloc[0]) if len(demographics) else 0
    for ax, (variable, title) in zip(axes.ravel(), PANELS):
        part = demographics[(demographics["variable"] == variable) & (demographics["n"] > 0)]
        labels = [f"{YEAR_LABELS.get(v, v)}\n{n} ({p}%)" for v, n, p in zip(part["value"], part["n"], part["pct_int"])]
        ax.pie(part["n"], labels=labels, colors=PIE_COLORS[: len(part)], startangle=90, counterclock=False,
               labeldistance=1.12, wedgeprops={"linewidth": 1, "edgecolor": "white"}, textprops={"fontsize": 9})
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
    fig.suptitle(f"Survey respondent demographics (n = {total})", fontsize=12)
    fig.tight_layout(w_pad=6, h_pad=3)
    return fig


def fig5_distribution(distribution: "pd.DataFrame") -> "Figure":
    """Fig. 5: diverging stacked bars, one per item in survey order (first on top): Not Important
    and Somewhat Important to the left of 0, Important and Very Important to the right."""
    import numpy as np

    d = distribution.reset_index(drop=True)
    y = np.arange(len(d))[::-1]
    fig, ax = subplots(figsize=(9, 0.28 * len(d) + 1.8))
    left_somewhat = -d["Somewhat Important"].to_numpy(dtype=float)
    left_not = left_somewhat - d["Not Important"].to_numpy(dtype=float)
    ax.barh(y, d["Somewhat Important"], left=left_somewhat, color=LEVEL_COLORS["Somewhat Important"], label="Somewhat Important")
    ax.barh(y, d["Not Important"], left=left_not, color=LEVEL_COLORS["Not Important"], label="Not Important")
    ax.barh(y, d["Important"], left=0, color=LEVEL_COLORS["Important"], label="Important")
    ax.barh(y, d["Very Important"], left=d["Important"], color=LEVEL_COLORS["Very Important"], label="Very Important")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(d["paper_label"], fontsize=8)
    ax.set_ylim(-0.7, len(d) - 0.3)
    n = int(d["n"].max()) if len(d) else 0
    ax.set_xlabel(f"respondents (n = {n}); left of 0: Not / Somewhat Important, right: Important / Very Important")
    ax.set_xlim(-(d["Not Important"] + d["Somewhat Important"]).max() - 2, n + 1)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(t):g}" for t in ticks])
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(level) for level in LEVELS]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center", ncol=4, fontsize=8,
              bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.set_title("Survey responses: importance of sharing each subcategory", fontsize=11, pad=22)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def important_by_role_ci(shares: "pd.DataFrame") -> "Figure":
    """Share answering Important or Very Important per item and role, with bootstrap intervals;
    the legend states n per role (small groups marked)."""
    import numpy as np

    from mlmismatch.analyses.survey_stats import SMALL_N

    roles = [r for r in dict.fromkeys(shares["role"]) if r != "All"]
    items = list(dict.fromkeys(shares["paper_label"]))
    y = np.arange(len(items))[::-1]
    fig, ax = subplots(figsize=(8, 0.3 * len(items) + 1.8))
    offsets = np.linspace(-0.25, 0.25, len(roles)) if len(roles) > 1 else [0.0]
    for k, role in enumerate(roles):
        part = shares[shares["role"] == role].set_index("paper_label").reindex(items)
        n = int(part["n_respondents"].max())
        lo = (part["pct"] - part["ci_low"]).to_numpy(dtype=float)
        hi = (part["ci_high"] - part["pct"]).to_numpy(dtype=float)
        label = f"{role} (n={n}{', small n' if n < SMALL_N else ''})"
        ax.errorbar(part["pct"], y - offsets[k], xerr=[lo, hi], fmt="o", markersize=3.5, linewidth=0.9, capsize=1.5,
                    color=ROLE_COLORS[k % len(ROLE_COLORS)], label=label)
    ax.set_yticks(y)
    ax.set_yticklabels(items, fontsize=8)
    ax.set_xlim(-2, 102)
    ax.set_xlabel("% answering Important or Very Important (95% percentile bootstrap interval)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(roles), fontsize=8, frameon=False)
    ax.grid(axis="x", linewidth=0.4, alpha=0.5)
    ax.set_ylim(-0.7, len(items) - 0.3)
    ax.set_title("Important or Very Important, per role", fontsize=11, pad=22)
    fig.tight_layout()
    return fig


def interviews_vs_survey(per_subcategory: "pd.DataFrame", summary: "pd.DataFrame", top: int = 5) -> "Figure":
    """Scatter: coded instances in the interviews (x) against mean rated importance (y), one labelled
    point per subcategory; the ``top`` largest rank disagreements are highlighted."""
    d = per_subcategory.reset_index(drop=True)
    worst = set(d.sort_values("disagreement_rank").head(top)["item"])
    fig, ax = subplots(figsize=(10, 7))
    ax.set_xlim(-1, d["n_instances"].max() * 1.3 + 1)
    pad = (d["mean_score"].max() - d["mean_score"].min()) * 0.06 or 0.1
    ax.set_ylim(d["mean_score"].min() - pad, d["mean_score"].max() + pad)
    for row in d.itertuples(index=False):
        highlight = row.item in worst
        ax.scatter(row.n_instances, row.mean_score, s=36 if highlight else 18,
                   color="#d95f02" if highlight else "#4d4d4d", zorder=3)
    from matplotlib.lines import Line2D

    ax.legend(handles=[
        Line2D([], [], marker="o", linestyle="", color="#d95f02", markersize=6,
               label=f"the {top} subcategories whose interview rank and survey rank differ most"),
        Line2D([], [], marker="o", linestyle="", color="#4d4d4d", markersize=4.5, label="other subcategories"),
        Line2D([], [], color="#999999", linewidth=0.6, label="line from a label to its point"),
    ], loc="lower right", frameon=True, framealpha=0.9, fontsize=7.5)
    # one label per position (tied points share it); highlighted labels placed first
    groups: dict[tuple, list] = {}
    for row in d.itertuples(index=False):
        groups.setdefault((row.n_instances, round(float(row.mean_score), 6)), []).append(row)
    ordered = sorted(groups.items(), key=lambda kv: (not any(r.item in worst for r in kv[1]), -kv[0][0], -kv[0][1]))
    _place_labels(fig, ax, [(xy, "; ".join(r.paper_label for r in rows), any(r.item in worst for r in rows))
                            for xy, rows in ordered])
    s = summary.iloc[0]
    ax.set_xlabel(f"coded mismatch instances in the interviews ({int(s['n_instances'])} in all)")
    ax.set_ylabel(f"mean rated importance (1 = Not ... 4 = Very Important; n = {int(s['n_respondents'])})")
    ax.set_title(f"Interviews vs survey: Spearman rho = {s['spearman_rho']:.2f} "
                 f"[{s['rho_ci_low']:.2f}, {s['rho_ci_high']:.2f}], {int(s['n_subcategories'])} subcategories", fontsize=10)
    ax.grid(linewidth=0.4, alpha=0.5)
    fig.tight_layout()
    return fig


#: Candidate label offsets in points (dx, dy, horizontal alignment), tried in order.
_OFFSETS = [(5, 2, "left"), (5, -9, "left"), (-5, 2, "right"), (-5, -9, "right"), (5, 9, "left"), (-5, 9, "right"),
            (5, -16, "left"), (-5, -16, "right"), (0, 12, "center"), (0, -18, "center"), (5, 16, "left"),
            (5, -23, "left"), (-5, 16, "right"), (-5, -23, "right")]


def _place_labels(fig, ax, labels) -> None:
    """Greedy, deterministic label placement: each label takes the first candidate offset whose box
    overlaps no label placed before it (else the first candidate)."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = []
    for (x, y), text, highlight in labels:
        style = {"fontsize": 7.5 if highlight else 6.5, "color": "#d95f02" if highlight else "#4d4d4d",
                 "fontweight": "bold" if highlight else "normal"}
        best = None  # (overlaps, index, offset)
        for k, (dx, dy, ha) in enumerate(_OFFSETS):
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va="center", **style)
            box = ann.get_window_extent(renderer).expanded(1.02, 1.1)
            ann.remove()
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            score = sum(box.overlaps(other) for other in placed) + (0 if inside else 100)
            if best is None or score < best[0]:
                best = (score, k, (dx, dy, ha), box)
            if score == 0:
                break
        dx, dy, ha = best[2]
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va="center",
                    arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 3},
                    **style)
        placed.append(best[3])
