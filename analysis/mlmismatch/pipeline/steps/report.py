"""``reproduce`` step: the replication report (claims.csv, replication_report.md and .html)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from mlmismatch.pipeline.context import BASE_LIBRARIES, FIGURE_LIBRARIES, STATS_LIBRARIES, Context, Step
from mlmismatch.replication.report import SECTION_FIGURES, build_report, fig_percent_scatter, fig_status, summary_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _survey_or_none(ctx):
    from mlmismatch.core.errors import MlmismatchError

    try:
        return ctx.survey, None
    except MlmismatchError as exc:
        return None, str(exc)


def _replication_inputs(ctx: Context) -> dict:
    """What :func:`~mlmismatch.replication.replicate.replicate` reads, resolved in this process."""
    from mlmismatch.replication import claims
    from mlmismatch.replication.replicate import CHARTS_DROPPED

    survey, survey_error = _survey_or_none(ctx)
    tables = claims.Tables(coding=ctx.coding, survey=survey, survey_error=survey_error)
    computed = ctx.results.get("survey")  # the survey steps' tables: the same functions on the same data
    if survey is not None and isinstance(computed, dict):
        tables.reuse(computed)
    resolved = ctx.store.resolved
    coding_path = resolved["coding"].path if "coding" in resolved else None
    survey_path = resolved["survey"].path if survey is not None and "survey" in resolved else None
    note = ""
    if survey_path is not None and not resolved["survey"].matches_pin:
        src = resolved["survey"].source
        note = CHARTS_DROPPED.format(url=src.url, sha=src.sha256)
    return {"tables": tables, "coding_path": coding_path, "survey_path": survey_path, "charts_note": note,
            "survey_error": survey_error}


def _replicate(ctx: Context):
    from mlmismatch.replication.replicate import replicate

    inputs = _replication_inputs(ctx)
    return replicate(inputs["tables"], coding_path=inputs["coding_path"], survey_path=inputs["survey_path"],
                     charts_note=inputs["charts_note"])


def step_claims(ctx: Context) -> None:
    """Recompute every claim with its cause: claims.csv, causes.csv, workbook_crosscheck.csv, the search tables and
    the two claim figures; the replication is the result the report step reads."""
    from mlmismatch.replication import claims

    rep = _replicate(ctx)
    results = rep.results
    ctx.write_csv("claims.csv", results[claims.RESULT_COLUMNS])
    ctx.write_csv("causes.csv", rep.causes)
    ctx.write_csv("workbook_crosscheck.csv", rep.crosscheck)
    ctx.write_csv("tables/unexplained_claims.csv", rep.unexplained)
    ctx.write_csv("tables/hypothesis_search.csv", rep.search)
    ctx.write_csv("tables/measure_sensitivity.csv", rep.measures)
    ctx.results["replication"] = rep
    ctx.write_bytes("figures/claims_status.png", fig_status(summary_table(results)))
    scatter = fig_percent_scatter(results)
    if scatter is not None:
        ctx.write_bytes("figures/claims_percent_scatter.png", scatter)


def step_report(ctx: Context) -> None:
    """Write the report (.md, .html) from the replication and the tables and figures of the other steps."""
    from mlmismatch.replication import claims

    rep = ctx.results["replication"]
    results = rep.results
    survey, survey_error = _survey_or_none(ctx)
    figures = {name: ctx.path(f"figures/claims_{name}.png").read_bytes() for name in ("status", "percent_scatter")
               if ctx.path(f"figures/claims_{name}.png").is_file() and f"figures/claims_{name}.png" in ctx.written}
    section_figures: dict[str, list[tuple[str, bytes]]] = {}
    for prefix, starts in SECTION_FIGURES.items():
        for rel in sorted(ctx.written):
            if rel.endswith(".png") and rel.startswith(starts):
                section_figures.setdefault(prefix, []).append((rel, ctx.path(rel).read_bytes()))

    quality = [("Coding workbook", ctx.coding.quality)]
    if survey is not None and getattr(survey, "quality", None) is not None:
        quality.append(("Survey workbook", survey.quality))
    notices = sorted({r.notice for r in ctx.store.resolved.values() if r.notice})
    if survey_error:
        notices.append(f"survey not loaded: {survey_error}")
    input_notes = [f"{r.path.name}: SHA-256 {r.sha256[:12]}… instead of the pinned {r.source.sha256[:12]}…"
                   + (f" ({note})" if (note := next((n for sha, n in r.source.variants if sha == r.sha256), "")) else "")
                   + "; results that depend on what it lacks are marked."
                   for r in sorted(ctx.store.resolved.values(), key=lambda r: r.source.id)
                   if not r.matches_pin and not r.source.id.startswith("sei-")]
    claims_path = claims.claims_path()
    md, ht = build_report(results, quality=quality, provenance=ctx.store.provenance(),
                          notices=notices, claims_sha256=hashlib.sha256(claims_path.read_bytes()).hexdigest(),
                          figures=figures, section_figures=section_figures, extras=_extras(ctx), causes=rep.causes,
                          unexplained=rep.unexplained, crosscheck=rep.crosscheck, measures=rep.measures,
                          search=rep.search, hypotheses=rep.hypotheses, input_notes=input_notes)
    ctx.write_text("replication_report.md", md)
    ctx.write_text("replication_report.html", ht)


#: Results beyond the paper, read back from the tables earlier steps wrote in this run:
#: (file, title, explanation, columns to show or None for all).
EXTRAS = [
    ("tables/descriptor_comparison.csv", "Derived descriptors beside the published SEI descriptors 1.0, 1.1 and 1.2",
     "The descriptor attributes that the study's mismatches call for (data/mapping, derived by `mlmismatch descriptors "
     "derive`) set beside each published version: attributes in both, only derived (information the study found "
     "missing that the version does not record), only published (attributes that came from elsewhere than the "
     "interviews; bookkeeping such as ids and links counted apart).",
     ["descriptor", "version", "n_published", "n_derived", "n_both", "n_only_derived", "n_only_published",
      "n_published_bookkeeping"]),
    ("tables/suggest_evaluation.csv", "Code suggestions: grouped cross-validation",
     "A TF-IDF + logistic-regression classifier trained on the 140 coded mismatches, evaluated with 5 folds grouped "
     "by interview (no interview in both training and test folds), beside a majority-class baseline. Suggestions "
     "help coders; they never replace them.",
     ["level", "model", "n_codes", "macro_f1", "micro_f1", "top1_hit_rate", "macro_f1_mean_5_seeds",
      "macro_f1_min_5_seeds", "macro_f1_max_5_seeds"]),
    ("tables/survey_role_rank_correlation.csv", "Survey: do the roles rank the 34 items alike?",
     "Spearman rank correlation between the roles' mean ratings of the 34 items, with a percentile bootstrap "
     "interval that resamples each role's respondents. Operations + Other has 5 respondents: read its rows with care.",
     ["role_a", "role_b", "n_a", "n_b", "spearman_rho", "rho_ci_low", "rho_ci_high", "caveat"]),
    ("tables/interviews_vs_survey_summary.csv", "Interviews against survey",
     "Per subcategory, how often the interviews coded it against how important the survey respondents rated it.",
     ["n_subcategories", "spearman_rho", "rho_ci_low", "rho_ci_high", "most_disagreeing"]),
]


def _extras(ctx: Context) -> list[tuple[str, str, "pd.DataFrame"]]:
    import pandas as pd

    out = []
    for rel, title, text, cols in EXTRAS:
        if rel not in ctx.written or not rel.endswith(".csv"):
            continue
        df = pd.read_csv(ctx.path(rel))
        out.append((title, text, df[[c for c in cols if c in df.columns]] if cols else df))
    out.extend(ctx.results.get("practices", {}).get("beyond", []))  # composed by the practice-matrix step
    return out


#: The steps whose figures the report shows in its sections (:data:`SECTION_FIGURES`) or whose tables it reads (:data:`EXTRAS`).
REPORT_NEEDS = ("claims", "categories", "survey-demographics", "survey-distribution", "survey-table2", "survey-roles",
                "survey-interviews", "descriptors", "practices", "suggest-evaluation")
LIBRARIES = BASE_LIBRARIES + STATS_LIBRARIES + FIGURE_LIBRARIES

STEPS = [
    Step("claims", step_claims, "every published claim recomputed, with its cause and the workbooks' evidence "
                                "(claims.csv, causes.csv, workbook_crosscheck.csv, the hypothesis search)",
         sources=("coding", "survey"), data=("data/sources.toml", "published/claims.csv"),
         outputs=("claims.csv", "causes.csv", "workbook_crosscheck.csv", "tables/unexplained_claims.csv",
                  "tables/hypothesis_search.csv", "tables/measure_sensitivity.csv", "figures/claims_status.png",
                  "figures/claims_percent_scatter.png"),
         result="replication", libraries=LIBRARIES, cost=10.0),
    Step("report", step_report, "replication report: published vs recomputed values, causes, the workbooks' evidence, "
                                "the figures and results beyond the paper (.md, .html)",
         sources=("coding", "survey"), data=("data/sources.toml", "published/claims.csv"), needs=REPORT_NEEDS,
         outputs=("replication_report.md", "replication_report.html"), libraries=LIBRARIES),
]
