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
import hashlib
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
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em 0;font-size:0.85em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right}
tr.differs td{background:#fde0dd}
tr.not_reproducible td{background:#eeeeee;color:#555}
span.status-reproduced{color:#1b7837;font-weight:600}
span.status-differs{color:#b2182b;font-weight:700}
span.status-not_reproducible{color:#555;font-style:italic}
code{font-size:0.95em}
img{max-width:100%}
"""


# --------------------------------------------------------------------------------------------
# Pure helpers: summaries and figures
# --------------------------------------------------------------------------------------------
def section_title(prefix: str) -> str:
    return dict(SECTIONS).get(prefix, prefix)


def summary_table(results: "pd.DataFrame") -> "pd.DataFrame":
    """Counts per section and status: ``section, claims, reproduced, differs, not_reproducible`` + total row."""
    import pandas as pd

    from mlmismatch.replication.claims import STATUSES, section_of

    sec = results["claim_id"].map(section_of)
    order = [p for p, _ in SECTIONS] + sorted(set(sec) - {p for p, _ in SECTIONS})
    rows = []
    for p in order:
        sub = results[sec == p]
        if sub.empty:
            continue
        row = {"section": section_title(p), "claims": len(sub)}
        row.update({s: int((sub["status"] == s).sum()) for s in STATUSES})
        rows.append(row)
    total = {"section": "All claims", "claims": len(results)}
    total.update({s: int((results["status"] == s).sum()) for s in STATUSES})
    rows.append(total)
    return pd.DataFrame(rows, columns=["section", "claims", *STATUSES])


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
def html_table(df: "pd.DataFrame", row_class: str | None = None) -> str:
    cols = list(df.columns)
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in cols) + "</tr></thead>", "<tbody>"]
    for row in df.itertuples(index=False):
        values = dict(zip(cols, row))
        cls = f' class="{html.escape(str(values[row_class]))}"' if row_class and row_class in values else ""
        cells = []
        for col, v in values.items():
            text = "" if v is None else str(v)
            if col == "status":
                cells.append(f'<td><span class="status-{html.escape(text)}">{html.escape(text)}</span></td>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{html.escape(text)}</td>')
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out) + "\n"


def _img(data: bytes, alt: str) -> str:
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}"></p>\n'


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_report(results: "pd.DataFrame", *, quality: list[tuple[str, "pd.DataFrame"]], provenance: list[dict],
                 notices: list[str], claims_sha256: str, figures: dict[str, bytes],
                 section_figures: dict[str, list[tuple[str, bytes]]] | None = None,
                 extras: list[tuple[str, str, "pd.DataFrame"]] | None = None) -> tuple[str, str]:
    """Return (markdown, html) of the replication report. Pure: everything comes in as arguments.

    ``figures``: name -> PNG bytes for the summary (``status``, ``percent_scatter``), linked from the
    Markdown as ``figures/claims_<name>.png``. ``section_figures``: section prefix -> [(file, PNG)].
    ``extras``: (title, one-paragraph explanation, table) for the results that go beyond the paper.
    """
    from mlmismatch.replication.claims import section_of, status_counts

    section_figures = section_figures or {}
    summary = summary_table(results)
    counts = status_counts(results)
    view_cols = ["claim_id", "location", "published", "reproduced", "status", "note"]
    md, ht = [], []

    intro = (f"{len(results)} claims transcribed from the paper (paper/published/claims.csv, SHA-256 "
             f"{claims_sha256[:16]}…) were recomputed from the replication package: "
             f"{counts['reproduced']} reproduced, {counts['differs']} differ, "
             f"{counts['not_reproducible']} cannot be reproduced from the package.")
    rounding = ("A printed integer percentage matches a recomputed share that rounds half-up to it; a share lying "
                "exactly halfway (e.g. 87.5%) accepts both neighbours. Counts must be equal. Qualitative claims "
                "match when the recomputed labels, ties included, are the published ones. Explanations of "
                "differences are the smallest change of numerator or denominator that yields the printed value, "
                "or one change that yields every printed share of a figure's group; they never change a status.")
    md += [f"# {REPORT_TITLE}", "", f"_{PAPER}_", "", f"Generated by mlmismatch {version()}.", "", intro, "", rounding, ""]
    ht += ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(REPORT_TITLE)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>{html.escape(REPORT_TITLE)}</h1>", f"<p><em>{html.escape(PAPER)}</em></p>",
           f"<p>Generated by mlmismatch {html.escape(version())}.</p>", f"<p>{html.escape(intro)}</p>",
           f"<p>{html.escape(rounding)}</p>"]

    # Summary
    md += ["## Summary", "", md_table(summary)]
    ht += ['<h2 id="summary">Summary</h2>', html_table(summary)]
    differs = results[results["status"] == "differs"][["claim_id", "published", "reproduced", "note"]]
    md += ["### Claims that differ", ""]
    ht += ['<h3 id="differences">Claims that differ</h3>']
    if differs.empty:
        md += ["None.", ""]
        ht += ["<p>None.</p>"]
    else:
        md += [md_table(differs)]
        ht += [html_table(differs.assign(status="differs")[["claim_id", "published", "reproduced", "status", "note"]], "status")]
    for name, data in figures.items():
        md += [f"![{name}](figures/claims_{name}.png)", ""]
        ht += [_img(data, name)]

    # Sections
    sec = results["claim_id"].map(section_of)
    order = [p for p, _ in SECTIONS] + sorted(set(sec) - {p for p, _ in SECTIONS})
    md += ["## Claims by section", ""]
    ht += ['<h2 id="sections">Claims by section</h2>']
    for p in order:
        sub = results[sec == p]
        if sub.empty:
            continue
        title = section_title(p)
        c = status_counts(sub)
        line = f"{len(sub)} claims: {c['reproduced']} reproduced, {c['differs']} differ, {c['not_reproducible']} not reproducible."
        md += [f"### {title}", "", line, ""]
        ht += [f'<h3 id="section-{_slug(p)}">{html.escape(title)}</h3>', f"<p>{html.escape(line)}</p>"]
        for rel, data in section_figures.get(p, []):
            md += [f"![{rel}]({rel})", ""]
            ht += [f"<p>Recomputed figure <code>{html.escape(rel)}</code>:</p>", _img(data, rel)]
        md += [md_table(sub[view_cols], bold_status=True)]
        ht += [html_table(sub[view_cols], "status")]

    # Beyond the paper: analyses the paper plans or does not make, from the same data
    if extras:
        md += ["## Beyond the paper", ""]
        ht += ['<h2 id="beyond">Beyond the paper</h2>']
        for title, text, table in extras:
            md += [f"### {title}", "", text, "", md_table(table)]
            ht += [f'<h3 id="beyond-{_slug(title)}">{html.escape(title)}</h3>', f"<p>{html.escape(text)}</p>",
                   html_table(table)]

    # Data quality
    md += ["## Data-quality findings", ""]
    ht += ['<h2 id="data-quality">Data-quality findings</h2>']
    if not quality:
        md += ["No data-quality report was available.", ""]
        ht += ["<p>No data-quality report was available.</p>"]
    for title, q in quality:
        md += [f"### {title}", "", md_table(q)]
        ht += [f'<h3 id="quality-{_slug(title)}">{html.escape(title)}</h3>', html_table(q)]

    # Provenance
    import pandas as pd

    prov = pd.DataFrame(provenance, columns=["source", "file", "sha256", "pinned_sha256", "matches_pin"])
    prov = pd.concat([prov, pd.DataFrame([{"source": "claims", "file": "paper/published/claims.csv",
                                           "sha256": claims_sha256, "pinned_sha256": "", "matches_pin": ""}])],
                     ignore_index=True)
    md += ["## Provenance", "", f"Toolkit: mlmismatch {version()}. Inputs:", "", md_table(prov)]
    ht += ['<h2 id="provenance">Provenance</h2>', f"<p>Toolkit: mlmismatch {html.escape(version())}. Inputs:</p>",
           html_table(prov)]
    if notices:
        md += ["Notices:", ""] + [f"- {md_cell(n)}" for n in notices] + [""]
        ht += ["<p>Notices:</p>", "<ul>"] + [f"<li>{html.escape(n)}</li>" for n in notices] + ["</ul>"]
    ht += ["</body>", "</html>"]
    return "\n".join(md), "\n".join(ht) + "\n"
