"""``reproduce`` steps for the validation survey: Figs. 4-5, Table II and the role analyses.

Every file goes through ``ctx.write_csv`` / ``ctx.write_text`` / ``ctx.save_figure`` into
``ctx.out``. Only aggregates are written: no respondent-level table, no free text (the survey's
``comments`` and the "Other" texts are never passed to a writer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.pipeline.context import (BASE_LIBRARIES, FIGURE_LIBRARIES, STATS_LIBRARIES, Context, Step,
                                         figures)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABLE2 = "tables/table2_important_by_role"


def tables(ctx: Context) -> dict[str, "pd.DataFrame"]:
    """The survey tables, computed once per run (the result of the ``survey-tables`` step, ``ctx.results["survey"]``)."""
    from mlmismatch.analyses import survey_stats

    cached = ctx.results.get("survey")
    if cached is None:
        data = ctx.survey
        cached = survey_stats.analyze(data.respondents, data.items, data.responses, instances=None)
        ctx.results["survey"] = cached
    return cached


def tables_step(ctx: Context) -> None:
    """Compute the survey tables for the steps that need them (no file written)."""
    tables(ctx)


def demographics_step(ctx: Context) -> None:
    from mlmismatch.analyses.figures import survey as survey_figures

    t = tables(ctx)
    ctx.write_csv("tables/survey_demographics.csv", t["demographics"])
    ctx.figure(lambda: survey_figures.fig4_demographics(t["demographics"]), "figures/fig4_demographics")


def distribution_step(ctx: Context) -> None:
    from mlmismatch.analyses.figures import survey as survey_figures

    t = tables(ctx)
    ctx.write_csv("tables/survey_distribution.csv", t["distribution"])
    ctx.write_csv("tables/survey_distribution_by_role.csv", t["distribution_by_role"])
    ctx.figure(lambda: survey_figures.fig5_distribution(t["distribution"]), "figures/fig5_distribution")


def table2_step(ctx: Context) -> None:
    from mlmismatch.analyses.figures import survey as survey_figures
    from mlmismatch.analyses import survey_stats

    t = tables(ctx)
    ctx.write_csv(f"{TABLE2}.csv", t["table2"][survey_stats.TABLE2_COLUMNS])
    ctx.write_text(f"{TABLE2}.md", f"<!-- {ctx.header('').strip()} -->\n\n" + survey_stats.table2_markdown(t["table2"]))
    ctx.write_text(f"{TABLE2}.tex", ctx.header("%") + "\n" + survey_stats.table2_latex(t["table2"]))
    ctx.write_csv("tables/table2_important_by_role_ci.csv", t["important_ci"])
    ctx.figure(lambda: survey_figures.important_by_role_ci(t["important_ci"]), "figures/survey_important_by_role_ci")


def roles_step(ctx: Context) -> None:
    t = tables(ctx)
    ctx.write_csv("tables/survey_role_differences.csv", t["role_differences"])
    ctx.write_csv("tables/survey_role_pairwise.csv", t["role_pairwise"])
    ctx.write_csv("tables/survey_role_rank_correlation.csv", t["role_rank_correlation"])


def interviews_step(ctx: Context) -> None:
    from mlmismatch.analyses.figures import survey as survey_figures
    from mlmismatch.analyses import survey_stats

    data = ctx.survey
    per, summary = survey_stats.interviews_vs_survey(ctx.coding.instances, data.responses, data.items)
    ctx.results["interviews_vs_survey"] = (per, summary)
    ctx.write_csv("tables/interviews_vs_survey.csv", per)
    ctx.write_csv("tables/interviews_vs_survey_summary.csv", summary)
    ctx.figure(lambda: survey_figures.interviews_vs_survey(per, summary), "figures/interviews_vs_survey")


def summary_step(ctx: Context) -> None:
    data = ctx.survey
    t = dict(tables(ctx))
    t["interviews_vs_survey"], t["interviews_vs_survey_summary"] = ctx.results["interviews_vs_survey"]
    ctx.write_csv("tables/survey_quality.csv", data.quality)
    ctx.write_text("reports/survey_summary.md", summary_markdown(t, data.quality, header=ctx.header("")))


def summary_markdown(t: dict, quality: "pd.DataFrame", header: str = "") -> str:
    """A short Markdown summary of the survey results (numbers and labels only)."""
    from mlmismatch.analyses import survey_stats as ss

    demo = t["demographics"]
    roles = demo[demo["variable"] == "role"]
    n = int(demo["n_total"].iloc[0])
    lines = []
    if header:
        lines += [f"<!-- {header.strip()} -->", ""]
    lines += ["# Validation survey", "",
              f"{n} respondents; role groups: " + ", ".join(f"{r.value} n={r.n}" for r in roles.itertuples()) + ".", ""]
    small = [f"{r.value} (n={r.n})" for r in roles.itertuples() if r.n < ss.SMALL_N]
    if small:
        lines += [f"**Caveat:** small group(s) {', '.join(small)}: every share moves by 100/n points per respondent; "
                  "tests have little power and intervals are wide.", ""]
    kw = t["role_differences"]
    lines += ["## Do the roles rate an item differently?", "",
              f"Kruskal-Wallis per item, Holm across {len(kw)} items: {int(kw['significant'].sum())} item(s) significant "
              f"at 0.05 after correction; smallest raw p = {kw['p'].min():.3f} ({kw.loc[kw['p'].idxmin(), 'paper_label']}), "
              f"largest epsilon^2 = {kw['epsilon_sq'].max():.3f}.", ""]
    pw = t["role_pairwise"]
    big = pw[pw["magnitude"] == "large"]
    if len(big):
        lines += ["Large Cliff's delta (|d| >= 0.474), none significant after Holm unless marked:", ""]
        for r in big.itertuples():
            lines.append(f"- {r.paper_label}: {r.role_a} (n={r.n_a}, mean {r.mean_a:.2f}) vs {r.role_b} (n={r.n_b}, "
                         f"mean {r.mean_b:.2f}), d = {r.cliffs_delta:+.2f}, p = {r.p:.3f}, Holm p = {r.p_holm:.3f}"
                         + (" (significant)" if r.significant else ""))
        lines.append("")
    rc = t["role_rank_correlation"]
    lines += ["## Do the roles rank the items alike?", "",
              "| roles | n | Spearman rho [95% CI] | Kendall tau |", "|---|---|---|---|"]
    for r in rc.itertuples():
        lines.append(f"| {r.role_a} vs {r.role_b} | {r.n_a} / {r.n_b} | {r.spearman_rho:.2f} [{r.rho_ci_low:.2f}, "
                     f"{r.rho_ci_high:.2f}] | {r.kendall_tau:.2f} |")
    lines.append("")
    if "interviews_vs_survey_summary" in t:
        s = t["interviews_vs_survey_summary"].iloc[0]
        lines += ["## Do interviews and survey agree?", "",
                  f"Spearman rho between coded instances and mean rated importance over {int(s['n_subcategories'])} "
                  f"subcategories: {s['spearman_rho']:.2f} [{s['rho_ci_low']:.2f}, {s['rho_ci_high']:.2f}] "
                  f"(p = {s['spearman_p']:.3f}). Largest rank disagreements (instance rank - survey rank): "
                  f"{s['most_disagreeing']}.", ""]
    issues = quality[quality["status"].isin(["warning", "disagrees"])]
    lines += ["## Data quality", "", f"{len(quality)} check(s)/normalization(s) recorded in tables/survey_quality.csv; "
              f"{len(issues)} warning(s)."]
    return "\n".join(lines) + "\n"


SOURCES = ("coding", "survey")
LIBRARIES = BASE_LIBRARIES + STATS_LIBRARIES
FIGURES = LIBRARIES + FIGURE_LIBRARIES

STEPS: list[Step] = [
    Step("survey-tables", tables_step, "the survey tables the survey, mapping and descriptor steps share (no file)",
         sources=SOURCES, result="survey", libraries=LIBRARIES),
    Step("survey-demographics", demographics_step, "Fig. 4: survey respondent demographics", sources=SOURCES,
         needs=("survey-tables",), outputs=("tables/survey_demographics.csv", *figures("fig4_demographics")),
         libraries=FIGURES),
    Step("survey-distribution", distribution_step, "Fig. 5: distribution of answers per subcategory", sources=SOURCES,
         needs=("survey-tables",),
         outputs=("tables/survey_distribution.csv", "tables/survey_distribution_by_role.csv",
                  *figures("fig5_distribution")), libraries=FIGURES),
    Step("survey-table2", table2_step, "Table II: Important or Very Important per role (+ bootstrap intervals)",
         sources=SOURCES, needs=("survey-tables",),
         outputs=(f"{TABLE2}.csv", f"{TABLE2}.md", f"{TABLE2}.tex", "tables/table2_important_by_role_ci.csv",
                  *figures("survey_important_by_role_ci")), libraries=FIGURES),
    Step("survey-roles", roles_step, "Role differences per item and rank agreement between roles", sources=SOURCES,
         needs=("survey-tables",),
         outputs=("tables/survey_role_differences.csv", "tables/survey_role_pairwise.csv",
                  "tables/survey_role_rank_correlation.csv"), libraries=LIBRARIES),
    Step("survey-interviews", interviews_step, "Interviews vs survey: coded instances against rated importance",
         sources=SOURCES, outputs=("tables/interviews_vs_survey.csv", "tables/interviews_vs_survey_summary.csv",
                                   *figures("interviews_vs_survey")),
         result="interviews_vs_survey", libraries=FIGURES),
    Step("survey-summary", summary_step, "Survey summary and data-quality report", sources=SOURCES,
         needs=("survey-tables", "survey-interviews"),
         outputs=("reports/survey_summary.md", "tables/survey_quality.csv"), libraries=LIBRARIES),
]
