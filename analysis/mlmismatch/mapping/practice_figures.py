"""Figures of the practice matrix (issue 13; the paper's Fig. 6 in spirit).

:func:`fig_practice_matrix`: the accepted matrix, subcategories as rows (grouped by category, in
codebook order, a colour bar per category) and practices as columns (grouped by source, in
``practices.csv`` order), cut into stacked panels at source boundaries so that a page holds it with
readable labels. A mark is an accepted link, coloured by its relation; filled when both raters gave
it, hollow when the adjudication accepted it. Drawn cheaply: one scatter collection per panel, one
tick label per row and column, one label per source.

:func:`fig_source_matrix`: sources x subcategories, the mark's area the number of the source's
practices accepted for the subcategory (one scatter collection).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.labels import subcategory_label
from mlmismatch.core.style import CATEGORY_COLOURS, paper_style, subplots

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from mlmismatch.mapping.practices.corpus import PracticeCorpus

RELATION_COLOURS = {"prevents": "#0072B2", "detects": "#D55E00", "informs": "#009E73"}
MIXED_COLOUR = "#555555"  # the two raters named different relations


def split_panels(sources: list[str], max_columns: int) -> list[list[int]]:
    """Column indices per panel: consecutive, cut only between sources (a source longer than
    ``max_columns`` gets panels of its own), as few panels as the width allows.

    >>> tuple(tuple(p) for p in split_panels(["a", "a", "b", "b", "b", "c"], 4))
    ((0, 1), (2, 3, 4, 5))
    >>> tuple(len(p) for p in split_panels(["a"] * 5, 2))
    (2, 2, 1)
    """
    groups: list[list[int]] = []
    for i, s in enumerate(sources):
        if groups and sources[groups[-1][0]] == s:
            groups[-1].append(i)
        else:
            groups.append([i])
    chunks = [g[j:j + max_columns] for g in groups for j in range(0, len(g), max_columns)]
    panels: list[list[int]] = []
    for c in chunks:
        if panels and len(panels[-1]) + len(c) <= max_columns:
            panels[-1].extend(c)
        else:
            panels.append(list(c))
    return panels


def fig_practice_matrix(corpus: "PracticeCorpus", *, max_columns: int = 80, practice_ids: list[str] | None = None,
                        title: str | None = None) -> "Figure":
    """The accepted practice x subcategory matrix in stacked panels (see the module docstring).

    ``practice_ids`` restricts the columns (default: every practice of the corpus, unlinked ones too,
    so that practices addressing no subcategory show as empty columns).
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.transforms import offset_copy

    pr = corpus.practices
    if practice_ids is not None:
        pr = pr[pr["practice_id"].isin(set(practice_ids))]
    pids = list(pr["practice_id"])
    srcs = list(pr["source_id"])
    book = corpus.codebook
    rows = [(str(code), str(cat), str(s)) for code, cat, s in
            zip(book["category_code"], book["category"], book["subcategory"])]
    row_ix = {(code, s): i for i, (code, _c, s) in enumerate(rows)}
    acc = corpus.accepted[corpus.accepted["practice_id"].isin(set(pids))]
    panels = split_panels(srcs, max_columns) if pids else [[]]
    col_w, row_h = 0.085, 0.085
    label_w, top_h, below_h, title_h, legend_h = 1.9, 0.62, 0.3, 0.35, 0.3
    n_max = max(max(len(p) for p in panels), 1)
    width = max(label_w + col_w * n_max + 0.2, 5.0)
    panel_h = row_h * len(rows)
    height = title_h + len(panels) * (top_h + panel_h + below_h) + legend_h
    with paper_style():
        fig, axes = subplots(len(panels), 1, figsize=(width, height), squeeze=False)
        for k, (ax, cols) in enumerate(zip(axes[:, 0], panels)):  # place the panels in inches, top down
            top = height - title_h - k * (top_h + panel_h + below_h) - top_h
            ax.set_position([label_w / width, (top - panel_h) / height, col_w * max(len(cols), 1) / width,
                             panel_h / height])
        for ax, cols in zip(axes[:, 0], panels):
            local = {pids[c]: j for j, c in enumerate(cols)}
            sub = acc[acc["practice_id"].isin(set(local))]
            x = np.array([local[p] for p in sub["practice_id"]], dtype=float)
            y = np.array([row_ix[(c, s)] for c, s in zip(sub["category_code"], sub["subcategory"])], dtype=float)
            colour = [RELATION_COLOURS.get(r, MIXED_COLOUR) for r in sub["relation"]]
            both = (sub["basis"] == "both raters").to_numpy()
            face = [c if b else "white" for c, b in zip(colour, both)]
            ax.scatter(x, y, s=9, c=face, edgecolors=colour, linewidths=0.7, marker="o", zorder=3)
            ax.set_xlim(-0.6, max(len(cols), 1) - 0.4)
            ax.set_ylim(len(rows) - 0.5, -0.5)
            # one text per row and per column, no tick machinery (about 300 labels: ticks cost twice the time)
            ax.set_xticks([])
            ax.set_yticks([])
            left = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-1.5, units="points")
            for r, (code, _c, s) in enumerate(rows):
                ax.text(0, r, subcategory_label(code, s), transform=left, ha="right", va="center", fontsize=5.5,
                        clip_on=False)
            above = offset_copy(ax.get_xaxis_transform(), fig=fig, y=1.5, units="points")
            for j, c in enumerate(cols):
                ax.text(j, 1, pids[c], transform=above, ha="center", va="bottom", rotation=90, fontsize=5,
                        clip_on=False)
            # category bands (left, coloured) and separators; source separators and names (below)
            cats = [c for _code, c, _s in rows]
            bounds = [i for i in range(1, len(rows)) if cats[i] != cats[i - 1]]
            ax.hlines([b - 0.5 for b in bounds], -0.6, len(cols) - 0.4, colors="#bbbbbb", linewidths=0.4)
            starts = [0, *bounds]
            ends = [*bounds, len(rows)]
            ax.vlines([-0.6] * len(starts), [s - 0.5 for s in starts], [e - 0.5 for e in ends],
                      colors=[CATEGORY_COLOURS.get(cats[s], "#999999") for s in starts], linewidths=4)
            src = [srcs[c] for c in cols]
            sb = [j for j in range(1, len(cols)) if src[j] != src[j - 1]]
            ax.vlines([b - 0.5 for b in sb], -0.5, len(rows) - 0.5, colors="#888888", linewidths=0.5)
            narrow = False  # labels of neighbouring narrow groups alternate between two lines
            for s0, s1 in zip([0, *sb], [*sb, len(cols)]):
                label = f"{src[s0]} ({s1 - s0})"
                low = narrow and (s1 - s0) < 0.75 * len(label)
                ax.text((s0 + s1 - 1) / 2, len(rows) - 0.2 + (1.4 if low else 0), label, ha="center", va="top",
                        fontsize=5.5)
                narrow = (s1 - s0) < 0.75 * len(label) and not low
            ax.grid(False)
            for side in ("top", "right", "bottom", "left"):
                ax.spines[side].set_visible(False)
        handles = [Line2D([], [], marker="o", linestyle="", markersize=3.5, markerfacecolor=c, markeredgecolor=c,
                          label=r) for r, c in RELATION_COLOURS.items()]
        if (~acc["relation"].isin(list(RELATION_COLOURS))).any():
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=3.5, markerfacecolor=MIXED_COLOUR,
                                  markeredgecolor=MIXED_COLOUR, label="raters named different relations"))
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=3.5, markerfacecolor="white",
                              markeredgecolor="black", label="hollow: accepted by adjudication"))
        fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=6, frameon=False,
                   bbox_to_anchor=(label_w / width, 0.0))
        n_links = len(acc)
        fig.suptitle(title or f"Practices x mismatch subcategories: {n_links} accepted links, {len(pids)} practices "
                     f"from {len(dict.fromkeys(srcs))} sources", fontsize=8, x=label_w / width, ha="left",
                     y=1 - 0.08 / height, va="top")
    return fig


def fig_source_matrix(corpus: "PracticeCorpus") -> "Figure":
    """Sources x subcategories: mark area = accepted practices of the source for the subcategory."""
    import numpy as np

    sources = corpus.admitted_sources
    book = corpus.codebook
    rows = [(str(code), str(cat), str(s)) for code, cat, s in
            zip(book["category_code"], book["category"], book["subcategory"])]
    counts = corpus.accepted.groupby(["source_id", "category_code", "subcategory"]).size()
    xs, ys, ns = [], [], []
    for i, sid in enumerate(sources):
        for j, (code, _c, s) in enumerate(rows):
            n = int(counts.get((sid, code, s), 0))
            if n:
                xs.append(i)
                ys.append(j)
                ns.append(n)
    n_prac = corpus.practices.groupby("source_id").size()
    with paper_style():
        fig, ax = subplots(figsize=(2.6 + 0.32 * len(sources), 0.14 * len(rows) + 1.6))
        ns_a = np.asarray(ns, dtype=float)
        colours = [CATEGORY_COLOURS.get(rows[j][1], "#999999") for j in ys]
        ax.scatter(xs, ys, s=12 * ns_a, c=colours, edgecolors="black", linewidths=0.3, zorder=3)
        ax.set_xticks(range(len(sources)), [f"{s} ({int(n_prac.get(s, 0))})" for s in sources], rotation=90, fontsize=6)
        ax.set_yticks(range(len(rows)), [subcategory_label(code, s) for code, _c, s in rows], fontsize=6)
        ax.set_xlim(-0.6, len(sources) - 0.4)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.grid(True, color="#eeeeee", linewidth=0.4, zorder=0)
        mx = int(ns_a.max()) if len(ns_a) else 1
        for n in sorted({1, max(1, mx // 2), mx}):
            ax.scatter([], [], s=12 * n, c="white", edgecolors="black", linewidths=0.3, label=f"{n} practice(s)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6, frameon=False)
        ax.set_title("Accepted practices per source and subcategory (source: number of practices)", fontsize=8)
    return fig
