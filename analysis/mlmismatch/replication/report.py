"""The replication report: every published value beside the recomputed one.

The ``report`` step of ``mlmismatch reproduce`` writes into ``paper/generated/``:

``claims.csv``
    contract: exactly the columns ``claim_id, location, description, published, reproduced, status,
    note`` (see :mod:`mlmismatch.claims`), one row per claim of ``paper/published/claims.csv``.
``replication_report.md`` and ``replication_report.html``
    the summary table first, then section by section (Figs. 1-5, Table II, text) each published
    value beside the recomputed one with differences highlighted, then the loaders' data-quality
    findings, then provenance (toolkit version, SHA-256 of every input). The HTML is self-contained
    (CSS inline, figures embedded as base64 PNG); the Markdown links the same figures, written as
    ``figures/claims_*.png``.

Both are deterministic: no timestamps, fixed figure metadata, stable ordering.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

from mlmismatch.core.version import version
from mlmismatch.core.tables import md_table
from mlmismatch.core.text import md_cell
from mlmismatch.core.writers import PNG_METADATA

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Section prefix of a claim_id -> title, in report order.
SECTIONS: list[tuple[str, str]] = [
    ("fig1", "Fig. 1 — Interviewee demographics"),
    ("fig2", "Fig. 2 — Mismatch categories"),
    ("fig3", "Fig. 3 — Mismatch subcategories"),
    ("fig4", "Fig. 4 — Survey respondent demographics"),
    ("fig5", "Fig. 5 — Survey responses (counts read from the bars)"),
    ("table2", "Table II — Rated Very Important or Important (VI+I) per role"),
    ("text", "Numbers and statements in the text"),
]
#: Figures written by other steps in the same run, shown in a section when present.
SECTION_FIGURES = {"fig2": ("figures/fig2_",), "fig3": ("figures/fig3_",), "fig4": ("figures/fig4_",),
                   "fig5": ("figures/fig5_",), "table2": ("figures/table2_",)}
STATUS_COLOURS = {"reproduced": "#1b7837", "differs": "#b2182b", "not_reproducible": "#7f7f7f"}
REPORT_TITLE = "Replication report — Lewis, Bellomo, Ozkaya, WAIN 2021"
PAPER = ("G. A. Lewis, S. Bellomo, I. Ozkaya. Characterizing and Detecting Mismatch in Machine-Learning-Enabled "
         "Systems. WAIN 2021. Replication package: github.com/GALewis/ML-Mismatch @ 22471c2d")

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1.2em 0;font-size:.82em;width:100%;table-layout:auto}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:normal}
th{background:#f0f0f0}
td.num{text-align:right;white-space:nowrap}
tr.differs td{background:#fde0dd}
tr.not_reproducible td{background:#eeeeee;color:#555}
span.status-reproduced{color:#1b7837;font-weight:600}
span.status-differs{color:#b2182b;font-weight:700}
span.status-not_reproducible{color:#555;font-style:italic}
code{font-size:.95em;overflow-wrap:anywhere}
img{max-width:100%;height:auto}
nav.toc{background:#f7f7f7;border:1px solid #ddd;padding:.5em 1.5em;margin:1em 0}
nav.toc ol{margin:.2em 0;padding-left:1.2em}
div.notice{background:#fff4ce;border:1px solid #e0b400;padding:.6em 1em;margin:1em 0}
details{margin:.3em 0 1em 0}summary{cursor:pointer;color:#1f5f99}
p.lead{font-size:1.05em}
"""


# --------------------------------------------------------------------------------------------
# Pure helpers: summaries and figures
# --------------------------------------------------------------------------------------------
def section_title(prefix: str) -> str:
    return dict(SECTIONS).get(prefix, prefix)


SUMMARY_COLUMNS = ["section", "claims", "quantities", "read_from_figure", "inferred", "reproduced", "differs",
                   "not_reproducible", "causes", "unexplained"]


def summary_table(results: "pd.DataFrame") -> "pd.DataFrame":
    """Per section and in all: rows (``claims``), distinct ``quantities``, how many were read from a
    figure or inferred (the rest are printed), the statuses, and the distinct ``causes`` of the
    differing claims with the number left ``unexplained``."""
    import pandas as pd

    from mlmismatch.replication.claims import STATUSES, section_of

    def counts(sub) -> dict:
        row = {"claims": len(sub)}
        row["quantities"] = int(sub["quantity"].nunique()) if "quantity" in sub else len(sub)
        for k in ("read_from_figure", "inferred"):
            row[k] = int((sub["kind"] == k).sum()) if "kind" in sub else 0
        row.update({st: int((sub["status"] == st).sum()) for st in STATUSES})
        d = sub[sub["status"] == "differs"]
        cause = d["cause"] if "cause" in d else pd.Series([], dtype=str)
        row["causes"] = int(cause[(cause != "unexplained") & (cause != "")].nunique())
        row["unexplained"] = int((cause == "unexplained").sum())
        return row

    sec = results["claim_id"].map(section_of)
    order = [p for p, _ in SECTIONS] + sorted(set(sec) - {p for p, _ in SECTIONS})
    rows = [{"section": section_title(p), **counts(results[sec == p])} for p in order if (sec == p).any()]
    rows.append({"section": "All claims", **counts(results)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata=PNG_METADATA, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def fig_status(summary: "pd.DataFrame") -> bytes:
    """Stacked bars: claims per section by status (PNG bytes)."""
    from mlmismatch.replication.claims import STATUSES
    from mlmismatch.core.style import paper_style

    data = summary[summary["section"] != "All claims"].iloc[::-1]
    with paper_style() as plt:
        fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(data) + 1.2))
        left = [0] * len(data)
        for s in STATUSES:
            vals = list(data[s])
            ax.barh(list(data["section"]), vals, left=left, color=STATUS_COLOURS[s], label=s.replace("_", " "))
            left = [a + b for a, b in zip(left, vals)]
        ax.set_xlabel("claims")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=len(STATUSES), frameon=False)
        ax.set_title("Published claims by section and status")
    return _png(fig)


def fig_percent_scatter(results: "pd.DataFrame") -> bytes | None:
    """Published vs recomputed percentages, one dot per claim, coloured by status (PNG bytes)."""
    from mlmismatch.core.style import paper_style

    pct = results[results["published"].str.endswith("%") & results["reproduced"].str.endswith("%")]
    if pct.empty:
        return None
    pub = pct["published"].str.rstrip("%").astype(float)
    rep = pct["reproduced"].str.rstrip("%").astype(float)
    with paper_style() as plt:
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        ax.plot([0, 100], [0, 100], color="#999999", lw=0.8, zorder=0)
        for status, colour in STATUS_COLOURS.items():
            m = pct["status"] == status
            if m.any():
                ax.scatter(pub[m], rep[m], s=14 if status == "reproduced" else 26, color=colour,
                           label=f"{status.replace('_', ' ')} ({int(m.sum())})", alpha=0.8, edgecolor="none")
        ax.set_xlabel("published (%)")
        ax.set_ylabel("recomputed (%)")
        ax.set_xlim(0, 102)
        ax.set_ylim(0, 102)
        ax.legend(loc="upper left", frameon=False)
        ax.set_title("Percentages: paper vs data")
    return _png(fig)


# --------------------------------------------------------------------------------------------
# Markdown and HTML
# --------------------------------------------------------------------------------------------
def _cell_text(v) -> str:
    """A cell as text: None and NaN empty, floats without noise."""
    if v is None:
        return ""
    if isinstance(v, float):
        import math

        return "" if math.isnan(v) else f"{v:g}"
    return str(v)


def _inline(text: str) -> str:
    """Escape ``text`` for HTML and turn the Markdown it may carry (`code`, **bold**) into HTML."""
    import re

    out = html.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def html_table(df: "pd.DataFrame", row_class: str | None = None) -> str:
    cols = list(df.columns)
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in cols)
           + "</tr></thead>", "<tbody>"]
    for row in df.itertuples(index=False):
        values = dict(zip(cols, row))
        cls = f' class="{html.escape(str(values[row_class]))}"' if row_class and row_class in values else ""
        cells = []
        for col, v in values.items():
            text = _cell_text(v)
            if col == "status":
                cells.append(f'<td><span class="status-{html.escape(text)}">{html.escape(text)}</span></td>')
            elif col == "cause" and text.startswith("C"):
                cells.append(f'<td><a href="#cause-{html.escape(text)}">{html.escape(text)}</a></td>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{html.escape(text)}</td>')
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out) + "\n"


def _md(df: "pd.DataFrame", **kw) -> str:
    return md_table(df.astype(object).where(df.notna(), ""), **kw)


def _img(data: bytes, alt: str) -> str:
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}"></p>\n'


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Doc:
    """Markdown and HTML written side by side, with a table of contents for the HTML."""

    def __init__(self):
        self.md: list[str] = []
        self.ht: list[str] = []
        self.toc: list[tuple[int, str, str]] = []

    def heading(self, level: int, title: str, anchor: str) -> None:
        self.md += [f"{'#' * level} {title}", ""]
        self.ht.append(f'<h{level} id="{anchor}">{html.escape(title)}</h{level}>')
        if level <= 2:
            self.toc.append((level, title, anchor))

    def para(self, text: str, cls: str = "") -> None:
        self.md += [text, ""]
        self.ht.append(f'<p{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{_inline(text)}</p>')

    def table(self, df: "pd.DataFrame", row_class: str | None = None, *, bold_status: bool = False) -> None:
        if df.empty:
            self.para("None.")
            return
        self.md += [_md(df, bold_status=bold_status)]
        self.ht.append(html_table(df, row_class))

    def folded(self, summary: str, df: "pd.DataFrame", row_class: str | None = None) -> None:
        """A table folded away in the HTML (``<details>``), in full in the Markdown."""
        if df.empty:
            return
        self.md += [f"{summary}:", "", _md(df, bold_status=True)]
        self.ht += [f"<details><summary>{html.escape(summary)}</summary>", html_table(df, row_class), "</details>"]

    def image(self, rel: str, data: bytes, caption: str = "") -> None:
        self.md += [f"![{caption or rel}]({rel})", ""]
        if caption:
            self.ht.append(f"<p>{_inline(caption)}</p>")
        self.ht.append(_img(data, caption or rel))


def build_report(results: "pd.DataFrame", *, quality: list[tuple[str, "pd.DataFrame"]], provenance: list[dict],
                 notices: list[str], claims_sha256: str, figures: dict[str, bytes],
                 section_figures: dict[str, list[tuple[str, bytes]]] | None = None,
                 extras: list[tuple[str, str, "pd.DataFrame"]] | None = None,
                 causes: "pd.DataFrame | None" = None, unexplained: "pd.DataFrame | None" = None,
                 crosscheck: "pd.DataFrame | None" = None, measures: "pd.DataFrame | None" = None,
                 search: "pd.DataFrame | None" = None, hypotheses: dict[str, int] | None = None,
                 input_notes: list[str] | None = None) -> tuple[str, str]:
    """Return (markdown, html) of the replication report. Pure: everything comes in as arguments.

    The differing claims and their causes come first; then the evidence (measures, the workbooks'
    cross-check, the hypothesis search), the results beyond the paper, every claim by section
    (reproduced rows folded), data quality and provenance. ``figures``: name -> PNG for the summary,
    linked from the Markdown as ``figures/claims_<name>.png``; ``section_figures``: section prefix ->
    [(file, PNG)]; ``extras``: (title, explanation, table); ``input_notes``: one line per input that
    differs from its pinned file (shown at the top).
    """
    import pandas as pd

    from mlmismatch.replication.claims import RESULT_COLUMNS, section_of, status_counts

    for col in RESULT_COLUMNS:
        if col not in results:
            results = results.assign(**{col: ""})
    section_figures = section_figures or {}
    causes = causes if causes is not None else pd.DataFrame()
    summary = summary_table(results)
    counts = status_counts(results)
    total = summary.iloc[-1]
    d = _Doc()
    view_cols = ["claim_id", "location", "published", "reproduced", "status", "cause", "note"]

    d.md += [f"# {REPORT_TITLE}", "", f"_{PAPER}_", "", f"Generated by mlmismatch {version()}.", ""]
    d.ht += ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(REPORT_TITLE)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
             f"<h1>{html.escape(REPORT_TITLE)}</h1>", f"<p><em>{html.escape(PAPER)}</em></p>",
             f"<p>Generated by mlmismatch {html.escape(version())}.</p>"]
    warn = list(input_notes or [])
    if warn:
        d.md += ["> **Inputs that differ from their pinned files.** " + " ".join(warn), ""]
        d.ht.append('<div class="notice" id="input-notice"><strong>Inputs that differ from their pinned files.</strong> '
                    + " ".join(html.escape(w) for w in warn) + "</div>")
    toc_at = len(d.ht)

    differs = results[results["status"] == "differs"]
    n_causes = int(total["causes"])
    intro = (f"{len(results)} claims transcribed from the paper (paper/published/claims.csv, SHA-256 "
             f"{claims_sha256[:16]}…) are {int(total['quantities'])} distinct quantities: "
             f"{len(results) - int(total['read_from_figure']) - int(total['inferred'])} printed, "
             f"{int(total['read_from_figure'])} read from a figure's drawing, {int(total['inferred'])} inferred. "
             f"Recomputed from the replication package: {counts['reproduced']} reproduced, {counts['differs']} differ "
             f"({differs['quantity'].nunique()} quantities), {counts['not_reproducible']} cannot be reproduced from the "
             f"package. The differing claims have {n_causes} tested cause(s); {int(total['unexplained'])} are unexplained.")
    rounding = ("A printed integer percentage matches a recomputed share that rounds half-up to it; a share lying "
                "exactly halfway (e.g. 87.5%) accepts both neighbours. Counts must be equal. Qualitative claims "
                "match when the recomputed labels, ties included, are the published ones. A cause is a hypothesis "
                "tested against the whole data set; it never changes a status.")
    d.para(intro, "lead")
    d.para(rounding)

    d.heading(2, "Summary", "summary")
    d.table(summary)
    for name, data in figures.items():
        d.image(f"figures/claims_{name}.png", data)

    d.heading(2, "Claims that differ, and their causes", "differences")
    d.para("Each differing claim has a cause (a hypothesis accepted in its scope: within the printed set the authors "
           "computed at one time, it explains the differing claims and breaks none of the reproduced ones) or is "
           "unexplained with what was tried. Where a hypothesis would break claims outside its scope, that is "
           "evidence about when each figure was made.")
    d.table(differs[["claim_id", "published", "reproduced", "cause", "scope"]].assign(status="differs"), "status")
    d.heading(3, "Causes", "causes")
    if not causes.empty:
        for r in causes.itertuples(index=False):
            d.md += [f"#### {r.cause_id}: {r.hypothesis}", ""]
            d.ht.append(f'<h4 id="cause-{html.escape(r.cause_id)}">{html.escape(r.cause_id)}: {html.escape(r.hypothesis)}</h4>')
            brk = str(r.claims_it_would_break).split("; ") if r.n_would_break else []
            shown = "; ".join(brk[:8]) + (f"; … ({len(brk) - 8} more)" if len(brk) > 8 else "")
            d.table(pd.DataFrame([
                {"field": "family", "value": r.family}, {"field": "strength", "value": r.strength},
                {"field": "scopes", "value": r.scopes}, {"field": "evidence", "value": r.evidence},
                {"field": f"claims explained ({r.n_claims})", "value": r.claims_explained},
                {"field": f"would break outside its scope ({r.n_would_break})", "value": shown or "none"},
                {"field": "other accepted hypotheses for these claims", "value": r.alternatives or "none"},
            ]))
    else:
        d.para("No cause was found.")
    d.heading(3, "Unexplained", "unexplained")
    d.table(unexplained if unexplained is not None else pd.DataFrame())

    d.heading(2, "Measure-sensitivity of the qualitative statements", "measures")
    d.para("Each qualitative survey statement under every reasonable measure of the same answers. The status uses "
           "the measure the paper's wording implies: the one the statement names, else the Important-or-Very-"
           "Important share, the only measure Table II prints (so the only one against which the paper's per-role "
           "statements can be checked in the paper itself).")
    if measures is not None and not measures.empty:
        wide = measures.pivot_table(index=["claim_id", "published"], columns="measure", values="holds",
                                    aggfunc="first", sort=False)
        wide = wide.map(lambda v: "" if pd.isna(v) else ("holds" if v else "does not hold")).reset_index()
        used = measures[measures["used_for_status"]].set_index("claim_id")["measure"]
        wide.insert(2, "status measure", wide["claim_id"].map(used).fillna(""))
        d.table(wide)
    else:
        d.para("No survey data was loaded.")

    d.heading(2, "The workbooks' own evidence", "crosscheck")
    d.para("The authors' own aggregates in the workbooks (summary sheets, pivot tables, the cached values and label "
           "settings of their charts) beside the value recomputed from the raw sheets and the value the paper prints.")
    d.table(crosscheck if crosscheck is not None else pd.DataFrame())

    d.heading(2, "Hypotheses searched", "search")
    if hypotheses:
        d.table(pd.DataFrame([{"family": k, "hypotheses": v} for k, v in hypotheses.items()]))
    if search is not None and not search.empty:
        d.folded(f"{len(search)} (hypothesis, scope) pairs that explained at least one differing claim "
                 f"({int(search['accepted'].sum())} accepted)", search)

    if extras:
        d.heading(2, "Beyond the paper", "beyond")
        for title, text, table in extras:
            d.heading(3, title, f"beyond-{_slug(title)}")
            d.para(text)
            d.table(table)

    d.heading(2, "Claims by section", "sections")
    sec = results["claim_id"].map(section_of)
    order = [p for p, _ in SECTIONS] + sorted(set(sec) - {p for p, _ in SECTIONS})
    for p in order:
        sub = results[sec == p]
        if sub.empty:
            continue
        c = status_counts(sub)
        d.heading(3, section_title(p), f"section-{_slug(p)}")
        d.para(f"{len(sub)} claims: {c['reproduced']} reproduced, {c['differs']} differ, {c['not_reproducible']} not reproducible.")
        for rel, data in section_figures.get(p, []):
            d.image(rel, data, f"Recomputed figure `{rel}`:")
        shown = sub[sub["status"] != "reproduced"][view_cols]
        if not shown.empty:
            d.table(shown, "status", bold_status=True)
        d.folded(f"{c['reproduced']} reproduced claims", sub[sub["status"] == "reproduced"][view_cols], "status")

    d.heading(2, "Data-quality findings", "data-quality")
    if not quality:
        d.para("No data-quality report was available.")
    for title, q in quality:
        d.heading(3, title, f"quality-{_slug(title)}")
        d.table(q)

    prov = pd.DataFrame(provenance, columns=["source", "file", "sha256", "pinned_sha256", "matches_pin"])
    prov = pd.concat([prov, pd.DataFrame([{"source": "claims", "file": "paper/published/claims.csv",
                                           "sha256": claims_sha256, "pinned_sha256": "", "matches_pin": ""}])],
                     ignore_index=True)
    d.heading(2, "Provenance", "provenance")
    d.para(f"Toolkit: mlmismatch {version()}. Inputs:")
    d.table(prov)
    if notices:
        d.md += ["Notices:", ""] + [f"- {md_cell(n)}" for n in notices] + [""]
        d.ht += ["<p>Notices:</p>", "<ul>"] + [f"<li>{html.escape(n)}</li>" for n in notices] + ["</ul>"]
    toc = ['<nav class="toc" id="contents"><strong>Contents</strong><ol>']
    for level, title, anchor in d.toc:
        toc.append(f'<li><a href="#{anchor}">{html.escape(title)}</a></li>')
    toc.append("</ol></nav>")
    d.ht[toc_at:toc_at] = toc
    d.ht += ["</body>", "</html>"]
    return "\n".join(d.md), "\n".join(d.ht) + "\n"
