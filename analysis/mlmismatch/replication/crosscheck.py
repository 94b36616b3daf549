"""The workbooks' own evidence beside the data and the paper.

Each row of :func:`crosscheck` sets one of the authors' own aggregates (a summary sheet's pivot, a
chart's cached values and label setting, see :mod:`mlmismatch.study.summaries`) beside the value
recomputed from the raw sheets and the value the paper prints. Where a workbook aggregate explains
a printed number, it becomes evidence for a hypothesis of :mod:`mlmismatch.replication.hypotheses`
(:func:`evidence`).

Columns: ``source, location, what, workbook, recomputed, paper, workbook_equals_data,
workbook_equals_paper, claims, note``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.replication.claims import Tables, excel_pie_labels, largest_remainder

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

COLUMNS = ["source", "location", "what", "workbook", "recomputed", "paper", "workbook_equals_data",
           "workbook_equals_paper", "claims", "note"]
#: Fig. 3 panel of each coding chart (by its cell range), and the claim-id stem of the panel.
CHART_PANELS = {"$G$": ("Fig. 2", "fig2"), "$M$": ("Development Environment", "fig3.development_environment"),
                "$R$": ("Operational Data", "fig3.operational_data"),
                "$X$": ("Operational Environment", "fig3.operational_environment"),
                "$AD$": ("Raw Data", "fig3.raw_data"), "$AJ$": ("Task and Purpose", "fig3.task_and_purpose"),
                "$AR$": ("Trained Model", "fig3.trained_model"), "$AY$": ("Training Data", "fig3.training_data")}


def _fmt(values) -> str:
    return " / ".join(f"{float(v):g}" for v in values)


def _row(source, location, what, workbook, recomputed, paper, eq_data, eq_paper, claims="", note="") -> dict:
    return {"source": source, "location": location, "what": what, "workbook": workbook, "recomputed": recomputed,
            "paper": paper, "workbook_equals_data": eq_data, "workbook_equals_paper": eq_paper, "claims": claims,
            "note": note}


def _published(results: "pd.DataFrame", prefix: str) -> dict[str, str]:
    sel = results[results["claim_id"].str.startswith(prefix)]
    return dict(zip(sel["claim_id"], sel["published"]))


def crosscheck(tables: Tables, results: "pd.DataFrame", *, coding_path: str | Path | None = None,
               survey_path: str | Path | None = None, survey_has_charts_note: str = "",
               claims: list | None = None) -> "pd.DataFrame":
    """The cross-check table (see the module docstring). ``claims``: the claims ``results`` came from
    (default: the project's transcription)."""
    import pandas as pd

    from mlmismatch.replication.claims import load_claims

    claims = load_claims() if claims is None else claims
    rows: list[dict] = []
    if coding_path is not None and tables.coding is not None:
        rows += _coding_rows(tables, results, Path(coding_path), claims)
    if survey_path is not None and tables.survey is not None:
        rows += _survey_rows(tables, results, Path(survey_path), survey_has_charts_note, claims)
    return pd.DataFrame(rows, columns=COLUMNS)


def _coding_rows(tables: Tables, results, path: Path, claims: list) -> list[dict]:
    from mlmismatch.study.summaries import chart_caches

    rows = []
    q = tables.coding.quality
    for r in q[q["check"].str.startswith(("interview statistics", "mismatch sheet"))].itertuples(index=False):
        rows.append(_row("coding workbook", r.location, r.check, "", "", "", r.status == "agrees", "",
                         note=r.detail))
    subs = tables.subcategories()
    cats = tables.categories()
    printed_of = dict(zip(results["claim_id"], results["published"]))
    published_by_label = {}
    for c in claims:
        if c.claim_id.startswith("fig2.") and c.computation == "category_share":
            published_by_label[("fig2", c.args["category"])] = printed_of.get(c.claim_id, "?")
        elif c.claim_id.startswith("fig3.") and c.computation == "subcategory_share":
            published_by_label[(c.claim_id.rsplit(".", 2)[0], c.args["subcategory"])] = printed_of.get(c.claim_id, "?")
    for ch in chart_caches(path):
        col = next((k for k in CHART_PANELS if k in ch.source), None)
        if col is None:
            continue
        panel, stem = CHART_PANELS[col]
        if stem == "fig2":
            data = {str(r.category): int(r.n_instances) for r in cats.itertuples(index=False)}
        else:
            data = {str(r.subcategory): int(r.n_instances) for r in subs[subs["category"].astype(str) == panel].itertuples(index=False)}
        labels = [lbl.split(") ", 1)[-1].split(" (")[0].strip() for lbl in ch.labels]
        cached = dict(zip(labels, ch.values))
        recomputed = [data.get(lbl, 0) for lbl in labels]
        excel = excel_pie_labels(dict(zip(labels, [int(v) for v in ch.values])))
        lr = largest_remainder(dict(zip(labels, [int(v) for v in ch.values])))
        printed = [published_by_label.get((stem, lbl), "?") for lbl in labels]
        shown = " / ".join(f"{int(excel[lbl])}%" for lbl in labels)
        rows.append(_row(
            "coding workbook", f"{ch.part} ({ch.title or 'untitled'}; values {ch.source})",
            f"{ch.kind} of {panel}: cached counts; labels {ch.label_rule}"
            + (f" (format {ch.number_format})" if ch.number_format else " (default format 0%)"),
            _fmt(cached.values()), _fmt(recomputed), " / ".join(printed), list(cached.values()) == recomputed,
            shown == " / ".join(printed),
            note=(f"as the chart labels them: {shown}; largest remainder: "
                  + " / ".join(f"{int(lr[lbl])}%" for lbl in labels))))
    return rows


SURVEY_PIES = {
    "Pie Chart - Affiliation": ("affiliation", "fig4.affiliation"),
    "Pie Chart - Tot Yrs of Exp": ("years_total", "fig4.years_total"),
    "Pie Chart - Yrs Exp in Role": ("years_ml", "fig4.years_ml"),
}
_YEARS = {"1 to 3 years": "1-3", "4 to 7 years": "4-7", "8 to 11 years": "8-11", "12 or more years": "12 or more"}


def _survey_rows(tables: Tables, results, path: Path, charts_note: str, claims: list) -> list[dict]:
    from mlmismatch.study.summaries import chart_caches, survey_summaries
    from mlmismatch.study.survey import LEVELS

    rows = []
    sheets = survey_summaries(path)
    demo = tables.demographics()
    demo_claims = {c.claim_id: c.args.get("value") for c in claims if c.computation == "demographic_share"}
    for sheet, (variable, stem) in SURVEY_PIES.items():
        for block in sheets.get(sheet, []):
            body = [(lbl, v) for lbl, v in block.rows if lbl and lbl != "Grand Total"]
            d = demo[demo["variable"] == variable]
            counts = {str(r.value): int(r.n) for r in d.itertuples(index=False)}
            total = sum(counts.values())
            wb_vals, data_vals = [], []
            for lbl, v in body:
                key = _YEARS.get(lbl, lbl)
                n = counts.get(key, 0)
                data_vals.append(Fraction(n, total) if total else Fraction(0))
                wb_vals.append(float(v) if isinstance(v, (int, float)) else float("nan"))
            as_share = all(v <= 1 for v in wb_vals)
            eq = all(abs((v if as_share else v / total) - float(x)) < 1e-9 for v, x in zip(wb_vals, data_vals))
            printed = _published(results, stem + ".")
            by_value = {demo_claims.get(cid): v for cid, v in printed.items()}
            paper_in_order = [by_value.get(_YEARS.get(lbl, lbl), "?") for lbl, _ in body]
            rows.append(_row("survey workbook", f"sheet '{sheet}', pivot at {block.cell}",
                             f"{block.header}: {', '.join(lbl for lbl, _ in body)}",
                             _fmt([100 * v if as_share else v for v in wb_vals]) + (" %" if as_share else ""),
                             _fmt([100 * float(x) if as_share else float(x) * total for x in data_vals]) + (" %" if as_share else ""),
                             " / ".join(paper_in_order), eq, "", claims="; ".join(printed),
                             note="the pie's percentages are computed from this pivot"))
    for block in sheets.get("Pie Chart - Primary Role", []):
        if block.header in ("Count", "%") and block.rows and block.rows[0][0] == "Data Scientist":
            body = [(lbl, v) for lbl, v in block.rows if lbl and lbl != "Role with Operations + Other"]
            roles = tables.role_counts()
            recomputed = {"Data Scientist": roles.get("Data Science", 0), "Software Engineer": roles.get("Software Engineering", 0),
                          "Operations + Other": roles.get("Operations + Other", 0)}
            total = sum(recomputed.values())
            printed = _published(results, "fig4.role.")
            if block.header == "Count":
                wb = [int(v) for _, v in body]
                rec = [recomputed[lbl] for lbl, _ in body]
                paper = ""
                eq_paper = ""
            else:
                wb = [round(100 * float(v), 1) for _, v in body]
                rec = [round(100 * recomputed[lbl] / total, 1) for lbl, _ in body]
                order = {"Data Scientist": "fig4.role.data_science.share", "Operations + Other": "fig4.role.operations_plus_other.share",
                         "Software Engineer": "fig4.role.software_engineering.share"}
                paper = " / ".join(printed.get(order[lbl], "?") for lbl, _ in body)
                eq_paper = all(f"{round(w):.0f}%" == printed.get(order[lbl]) for w, (lbl, _) in zip(wb, body))
            rows.append(_row("survey workbook", f"sheet 'Pie Chart - Primary Role', table at {block.cell}",
                             f"'Role with Operations + Other' ({block.header}): " + ", ".join(lbl for lbl, _ in body),
                             _fmt(wb), _fmt(rec), paper, wb == rec, eq_paper, claims="; ".join(printed),
                             note="the sheet's Operations + Other counts only the 1 'Operations' respondent, not the 4 "
                                  "'Other' respondents the pivot above it lists; its total is 27, not 31"))
    dist = tables.distribution(False)
    for block in sheets.get("Chart - All Responses", []):
        ids = block.header.split(",")
        wb_counts = {lvl: dict(zip(ids, vals)) for lvl, vals in block.rows}
        same = total = 0
        for r in dist.to_dict("records"):
            for lvl in LEVELS:
                total += 1
                same += int(wb_counts.get(lvl, {}).get(r["item"], -1) == int(r[lvl]))
        fig5 = results[results["claim_id"].str.startswith("fig5.")]
        rows.append(_row("survey workbook", f"sheet 'Chart - All Responses', table at {block.cell}",
                         "answer counts per question and level (the sheet says it maps to Fig. 5)",
                         f"{total} counts", f"{same} of {total} equal", f"{int((fig5['status'] == 'reproduced').sum())} of "
                         f"{len(fig5)} bars read from the figure reproduced", same == total, "", claims="fig5.*"))
    t2 = tables.table2()
    for block in sheets.get("Table - Questions by Role", []):
        roles = block.header.split(",")
        same = total = 0
        by = {(str(r.paper_label), str(r.role)): (int(r.n_important), int(r.n_respondents)) for r in t2.itertuples(index=False)}
        for label, vals in block.rows:
            for k, role in enumerate(roles):
                n_imp, n = by.get((label, role), (None, None))
                if n is None:
                    continue
                total += 2
                same += int(vals[2 * k] == n_imp) + int(abs(float(vals[2 * k + 1]) - n_imp / n) < 1e-9)
        tab = results[results["claim_id"].str.startswith("table2.")]
        rows.append(_row("survey workbook", f"sheet 'Table - Questions by Role', table at {block.cell}",
                         "VI+I count and share per subcategory and role (Table II)", f"{total} cells",
                         f"{same} of {total} equal", f"{int((tab['status'] == 'reproduced').sum())} of {len(tab)} reproduced",
                         same == total, "", claims="table2.*"))
    charts = chart_caches(path)
    if not charts:
        rows.append(_row("survey workbook", "xl/charts/*.xml", "chart caches (plotted values and label settings)",
                         "not in this copy", "", "", "", "", claims="fig4.*; fig5.*",
                         note=charts_note or "this copy of the survey workbook has no charts"))
    for ch in charts:
        rows.append(_row("survey workbook", f"{ch.part} ({ch.title or 'untitled'}; values {ch.source})",
                         f"{ch.kind}: cached values; labels {ch.label_rule}"
                         + (f" (format {ch.number_format})" if ch.number_format else ""),
                         _fmt(ch.values), "", "", "", "", note="; ".join(ch.labels[:8])))
    return rows


def evidence(table: "pd.DataFrame") -> dict[str, list[str]]:
    """Sentences for the hypotheses the cross-check bears on, keyed by hypothesis id (prefix + ``*``)."""
    out: dict[str, list[str]] = {}
    for r in table.itertuples(index=False):
        if "Role with Operations + Other" in r.what and r.workbook_equals_data is False:
            out.setdefault("survey:without-primary_role=Other*", []).append(
                f"the workbook's own {r.location} gives {r.workbook} where the data gives {r.recomputed}: "
                "its Operations + Other leaves out the 4 'Other' respondents, as the hypothesis says")
        if r.source == "coding workbook" and r.location.startswith("xl/charts/") and r.workbook_equals_paper is False:
            out.setdefault("coding:without-interview-20*", []).append(
                f"the workbook's own chart {r.location.split(' ', 1)[0]} caches {r.workbook} (the data with every "
                "interview) and would label it " + r.note.split(";")[0].replace("as the chart labels them: ", "")
                + f", not the paper's {r.paper}: the paper's figure was not made from this chart")
    return out
