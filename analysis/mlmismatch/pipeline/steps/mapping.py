"""``reproduce`` steps for the mapping (issue 5): matrix, gap analysis, split, text evidence, descriptors.

Files written (under ``ctx.out``):

* contract: ``tables/mapping_matrix.csv`` (``category,subcategory,descriptor,attribute,rule_id``) and
  ``tables/descriptor_coverage.csv`` (``descriptor,version,n_published,n_derived,n_both``);
* ``tables/descriptor_comparison.csv``/``.md`` (per descriptor and version, with ``All`` rows) and
  ``tables/descriptor_comparison_attributes.csv`` (attribute level, with the meaning of each difference);
* ``tables/mapping_subcategory_coverage.csv``, ``tables/mapping_coverage_by_category.csv``/``.md``,
  ``tables/mapping_sharing_vs_predicate.csv``/``.md``, ``tables/mapping_gap_uncovered_subcategories.csv``,
  ``tables/mapping_gap_unneeded_attributes.csv``, ``tables/mapping_rule_consistency.csv`` (the practice
  matrix and its gaps: :mod:`mlmismatch.pipeline.steps.practices`);
* ``tables/text_evidence_scores.csv``, ``tables/text_evidence_summary.csv``/``.md``,
  ``tables/text_evidence_disagreements.csv`` (ids and paths only, never mismatch texts);
* ``figures/mapping_matrix``, ``figures/mapping_sharing_vs_predicate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.pipeline.context import (BASE_LIBRARIES, FIGURE_LIBRARIES, ML_LIBRARIES, STATS_LIBRARIES, Context,
                                         Step, figures)
from mlmismatch.core.tables import round_floats

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def table2(ctx: Context) -> "pd.DataFrame":
    """Table II (``category,subcategory,role,n_important,n_respondents,pct``), computed once per run by the
    survey steps."""
    from mlmismatch.pipeline.steps import survey as survey_report

    return survey_report.tables(ctx)["table2"]


def _data(ctx: Context) -> dict:
    cached = ctx.results.get("mapping")
    if cached is None:
        from mlmismatch.mapping import matrix as mapping
        from mlmismatch.descriptors import schemas

        coding = ctx.coding
        attrs = schemas.attributes(store=ctx.store)
        md = mapping.load_mapping(codebook=coding.codebook, mismatch_ids=coding.mismatches["mismatch_id"],
                                  attributes=attrs)
        cached = {"coding": coding, "attributes": attrs, "mapping": md}
        ctx.results["mapping"] = cached
    return cached  # type: ignore[return-value]


def practice_corpus(ctx: Context):
    """The practice matrix (data/practices), checked against the coding data once per store (the packaged
    files are part of the code's version; the coding workbook's SHA-256 is in the key)."""
    from mlmismatch.mapping.practices import load_default

    coding = ctx.coding
    sha = ctx.store.resolved["coding"].sha256 if "coding" in ctx.store.resolved else None
    return ctx.store.memo(("practice-corpus", sha), lambda: load_default(coding))


def _md(ctx: Context, rel: str, df: "pd.DataFrame", caption: str, floatfmt: str = ".1f") -> None:
    from mlmismatch.core.tables import to_markdown

    ctx.write_text(rel, f"<!-- {ctx.header('').strip()} -->\n\n{caption}\n\n" + to_markdown(df, floatfmt=floatfmt))


def mapping_step(ctx: Context) -> None:
    """The matrix, the gap analysis and the information-sharing / predicate split."""
    from mlmismatch.mapping import matrix as mapping
    from mlmismatch.mapping import figures as mapping_figures

    d = _data(ctx)
    m, coding, attrs = d["mapping"], d["coding"], d["attributes"]
    a = m.attributes
    ctx.write_csv("tables/mapping_matrix.csv", mapping.mapping_matrix(a))
    cov = mapping.subcategory_coverage(a, coding.codebook, coding.instances)
    ctx.write_csv("tables/mapping_subcategory_coverage.csv", cov)
    by_cat = pd_concat([mapping.coverage_by_category(a, coding.codebook, coding.instances, table2(ctx), attrs, v)
                        for v in ("1.0", "1.1", "1.2")])
    ctx.write_csv("tables/mapping_coverage_by_category.csv", round_floats(by_cat, 3))
    keep = ["category", "version", "n_subcategories", "n_covered", "n_complete", "n_instances",
            "pct_instances_covered", "pct_instances_complete"] + [c for c in by_cat.columns if c.startswith("pct_important_")]
    _md(ctx, "tables/mapping_coverage_by_category.md", round_floats(by_cat[keep], 1),
        "Coverage per category by the published attributes of each version. Covered: at least one attribute the "
        "mapping names exists; complete: all of them exist (no proposed attribute, none added later). Weighted by "
        "coded instances and by each survey role's Important/Very Important shares")
    split = mapping.sharing_vs_predicate(a, coding.codebook, coding.instances)
    ctx.write_csv("tables/mapping_sharing_vs_predicate.csv", round_floats(split, 3))
    _md(ctx, "tables/mapping_sharing_vs_predicate.md", round_floats(split[split["n_instances"] > 0], 1),
        "Coded instances whose subcategory is covered only by recording attributes (information sharing) "
        "or also by a rule comparing attribute values (predicate)")
    ctx.write_csv("tables/mapping_gap_uncovered_subcategories.csv",
                  mapping.gap_uncovered_subcategories(a, coding.codebook, coding.instances, attrs))
    ctx.write_csv("tables/mapping_gap_unneeded_attributes.csv", mapping.gap_unneeded_attributes(a, attrs))
    ctx.write_csv("tables/mapping_rule_consistency.csv", mapping.rule_consistency(a))
    ctx.figure(lambda: mapping_figures.fig_mapping_matrix(a, coding.codebook), "figures/mapping_matrix")
    ctx.figure(lambda: mapping_figures.fig_sharing_vs_predicate(split), "figures/mapping_sharing_vs_predicate")


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def text_evidence_step(ctx: Context) -> None:
    """TF-IDF ranking of attributes per subcategory against the curated mapping."""
    from mlmismatch.mapping import matrix as mapping

    d = _data(ctx)
    coding, attrs, a = d["coding"], d["attributes"], d["mapping"].attributes
    res = mapping.text_evidence(coding.mismatches, coding.instances, coding.codebook, attrs, a)
    res_cb = mapping.text_evidence(coding.mismatches, coding.instances, coding.codebook, attrs, a,
                                   include_codebook=True)
    base = mapping.random_baseline(a, attrs, coding.codebook)
    summary = pd_concat([res["summary"], res_cb["summary"]])
    summary["random_baseline"] = [base["precision_at_k"], base["recall_at_k"], float("nan"), float("nan")] * 2
    ctx.write_csv("tables/text_evidence_scores.csv", round_floats(res["scores"], 3))
    ctx.write_csv("tables/text_evidence_summary.csv", round_floats(summary, 3))
    _md(ctx, "tables/text_evidence_summary.md", round_floats(summary, 3),
        "Text evidence: TF-IDF ranking of the 1.2 attributes per subcategory, scored against the curated mapping "
        "(macro = mean over subcategories, micro = pooled)", floatfmt=".3f")
    ctx.write_csv("tables/text_evidence_disagreements.csv", round_floats(res["disagreements"], 3))


def descriptors_step(ctx: Context) -> None:
    """Derived schemas beside the published 1.0, 1.1 and 1.2 (the committed files are checked, not rewritten)."""
    from mlmismatch.mapping import derive as descriptors
    from mlmismatch.descriptors import schemas
    from mlmismatch.mapping.practices import gaps

    d = _data(ctx)
    derived = descriptors.derive(d["mapping"].attributes, d["coding"].instances, d["attributes"],
                                 {k: schemas.load_schema(k, "1.2", store=ctx.store) for k in schemas.KINDS},
                                 table2(ctx), gaps.practices_by_subcategory(practice_corpus(ctx)))
    detail = descriptors.compare(derived, d["attributes"])
    summary = descriptors.comparison_summary(detail, derived)
    ctx.write_csv("tables/descriptor_coverage.csv",
                  summary[summary["descriptor"] != "All"][descriptors.COVERAGE_COLUMNS])
    ctx.write_csv("tables/descriptor_comparison.csv", round_floats(summary, 3))
    _md(ctx, "tables/descriptor_comparison.md", round_floats(summary, 1),
        "Derived descriptor attributes (from the mapping) beside the published SEI descriptors 1.0, 1.1, 1.2 "
        "(attributes in both, only derived = information the study found missing that the version does not "
        "record, only published = attributes from elsewhere than the interviews; `version` left out)")
    ctx.write_csv("tables/descriptor_comparison_attributes.csv", detail)
    stale = descriptors.stale(derived)
    ctx.write_text("tables/descriptor_derived_status.md",
                   f"<!-- {ctx.header('').strip()} -->\n\n"
                   + ("The committed derived schemas (descriptors/derived/) are up to date.\n" if not stale else
                      "STALE derived schemas (run `mlmismatch descriptors derive`): " + ", ".join(stale) + "\n"))


MAPPING_DATA = ("data/sources.toml", "data/mapping", "data/rules/rules.yaml")
SCHEMA_LIBRARIES = ("jsonschema", "fastjsonschema")

STEPS = [
    Step("mapping", mapping_step, "mapping matrix, gap analysis, information sharing vs predicate (Fig. 6)",
         sources=("coding", "survey", "sei-1.*"), data=MAPPING_DATA, needs=("survey-tables",),
         outputs=tuple(f"tables/{t}.csv" for t in (
             "mapping_matrix", "mapping_subcategory_coverage", "mapping_coverage_by_category",
             "mapping_sharing_vs_predicate", "mapping_gap_uncovered_subcategories", "mapping_gap_unneeded_attributes",
             "mapping_rule_consistency"))
         + ("tables/mapping_coverage_by_category.md", "tables/mapping_sharing_vs_predicate.md")
         + figures("mapping_matrix", "mapping_sharing_vs_predicate"),
         libraries=BASE_LIBRARIES + STATS_LIBRARIES + FIGURE_LIBRARIES + SCHEMA_LIBRARIES, cost=3.0),
    Step("text-evidence", text_evidence_step, "TF-IDF text evidence for the curated mapping",
         sources=("coding", "sei-1.*"), data=MAPPING_DATA,
         outputs=("tables/text_evidence_scores.csv", "tables/text_evidence_summary.csv",
                  "tables/text_evidence_summary.md", "tables/text_evidence_disagreements.csv"),
         libraries=BASE_LIBRARIES + ML_LIBRARIES + SCHEMA_LIBRARIES),
    Step("descriptors", descriptors_step, "derived descriptor schemas compared with SEI 1.0, 1.1, 1.2",
         sources=("coding", "survey", "sei-1.*"), data=MAPPING_DATA + ("derived", "data/practices"), needs=("survey-tables",),
         outputs=("tables/descriptor_coverage.csv", "tables/descriptor_comparison.csv", "tables/descriptor_comparison.md",
                  "tables/descriptor_comparison_attributes.csv", "tables/descriptor_derived_status.md"),
         libraries=BASE_LIBRARIES + STATS_LIBRARIES + SCHEMA_LIBRARIES),
]
