"""``reproduce`` step for the practice matrix (issue 13): agreement, accepted matrix, text check, gaps.

Files written (under ``ctx.out``; ids, codes, scores and our own rationales only, never mismatch texts):

* ``tables/practice_matrix.csv`` (accepted matrix, practices x 34 subcategories, 0/1) and
  ``tables/practice_links.csv`` (one row per accepted link: locator, basis, relation, rationales,
  mismatch ids); ``tables/practice_ratings.csv`` (both ratings and the decision, one row per cell);
  ``tables/practice_matrix_by_source.{csv,md,tex}`` (accepted links per source and category);
* ``tables/practice_agreement.csv`` (long: statistic, estimate, interval, counts) and
  ``tables/practice_agreement.{md,tex}`` (one row per scope), ``tables/practice_relation_agreement.csv``,
  ``tables/practice_adjudication_summary.{csv,md,tex}``;
* ``tables/practice_text_scores.csv``, ``tables/practice_text_separation.{csv,md,tex}``,
  ``tables/practice_text_doubts.{csv,md,tex}``, ``tables/practice_text_suggestions.{csv,md,tex}``;
* ``tables/practice_chain.csv`` (practice -> subcategory -> descriptor attribute),
  ``tables/practice_attribute_practices.csv``;
* ``tables/practice_gap_subcategories.csv``, ``tables/practice_gap_unaddressed.{csv,md,tex}``,
  ``tables/practice_gap_practices_without_link.{csv,md,tex}``, ``tables/practice_gap_summary.{csv,md,tex}``,
  ``tables/practice_gap_sensitivity.{csv,md,tex}``;
* ``figures/practice_matrix`` and ``figures/practice_source_matrix`` (PDF + PNG).

The replication report's "Beyond the paper" gets a section on the practice matrix (protocol,
agreement, adjudication, gaps) through ``ctx.results["beyond"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.tables import round_floats
from mlmismatch.pipeline.context import (BASE_LIBRARIES, FIGURE_LIBRARIES, ML_LIBRARIES, STATS_LIBRARIES, Context,
                                         Step, figures)
from mlmismatch.pipeline.steps import mapping as mapping_steps

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.mapping.practices.corpus import PracticeCorpus

N_BOOT = 2000
SEED = 0
K_DOUBT = 10
K_SUGGEST = 1
Q_SUGGEST = 0.75


def formatted(df: "pd.DataFrame", digits: int) -> "pd.DataFrame":
    """``df`` with float columns as text with ``digits`` decimals and NaN as an empty cell (Markdown, LaTeX)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            whole = all(v != v or float(v).is_integer() for v in out[col])  # counts with a gap (NaN) stay counts
            out[col] = [("" if v != v else f"{int(v)}" if whole else f"{v:.{digits}f}") for v in out[col]]
    return out


def write_table(ctx: Context, stem: str, df: "pd.DataFrame", caption: str, digits: int = 1,
                shown: "pd.DataFrame | None" = None) -> None:
    """``stem.csv`` (floats rounded to ``digits + 2``) and ``stem.md`` / ``stem.tex`` of ``shown``
    (default ``df``) with floats printed to ``digits`` decimals."""
    from mlmismatch.core.tables import to_latex

    ctx.write_csv(f"{stem}.csv", round_floats(df, digits + 2))
    view = formatted(df if shown is None else shown, digits)
    md = view.to_markdown(index=False, disable_numparse=True) + "\n"  # the cells are already formatted
    ctx.write_text(f"{stem}.md", f"{caption}\n\n" + md)
    ctx.write_text(f"{stem}.tex", to_latex(view, caption=caption, label="tab:" + stem.rsplit("/", 1)[-1].replace("_", "-")))


def shorten(labels: str, keep: int = 6) -> str:
    """The first ``keep`` of a ``; ``-separated list, and how many more."""
    items = [x for x in str(labels).split("; ") if x]
    return "; ".join(items[:keep]) + (f"; ... (+{len(items) - keep})" if len(items) > keep else "")


def by_source(corpus: "PracticeCorpus") -> "pd.DataFrame":
    """Per admitted source: practices, practices with a link, accepted links per category and in all."""
    import pandas as pd

    acc = corpus.accepted
    codes = list(dict.fromkeys(corpus.codebook["category_code"]))
    rows = []
    for sid in [*corpus.admitted_sources, "all"]:
        pr = corpus.practices if sid == "all" else corpus.practices[corpus.practices["source_id"] == sid]
        a = acc if sid == "all" else acc[acc["source_id"] == sid]
        row = {"source_id": sid, "practices": len(pr), "with a link": int(a["practice_id"].nunique())}
        row.update({code: int((a["category_code"] == code).sum()) for code in codes})
        row["links"] = len(a)
        row["adjudicated"] = int((a["basis"] == "adjudicated").sum())
        rows.append(row)
    return pd.DataFrame(rows)


def _statement(corpus: "PracticeCorpus", agreement: "pd.DataFrame", adj: "pd.DataFrame", gap: "pd.DataFrame") -> str:
    """The report's paragraph on the practice matrix, every number read from the tables."""
    overall = agreement[agreement["scope"] == "overall"].set_index("statistic")

    def fmt(stat: str) -> str:
        r = overall.loc[stat]
        if r["estimate"] != r["estimate"]:
            return "undefined"
        ci = "" if r["ci_low"] != r["ci_low"] else f" (95% interval {r['ci_low']:.2f} to {r['ci_high']:.2f})"
        return f"{r['estimate']:.2f}{ci}"

    first = overall.iloc[0]
    srcs = corpus.sources
    n_adm = int((srcs["admitted"] == "yes").sum())
    excluded = ", ".join(srcs.loc[srcs["admitted"] == "no", "source_id"]) or "none"
    not_verified = ", ".join(srcs.loc[(srcs["admitted"] == "yes") & (srcs["verified_offline"] != "yes"), "source_id"])
    per_source = agreement[(agreement["scope"] == "source") & (agreement["statistic"] == "cohen_kappa")]
    ks = per_source["estimate"].dropna()
    all_adj = adj[adj["source_id"] == "all"].iloc[0]
    g = gap.iloc[0]
    text = (
        f"Protocol (data/practices/PROTOCOL.md): {len(srcs)} sources considered, {n_adm} admitted "
        f"(excluded: {excluded}); {len(corpus.practices)} practices, each with a locator into its source; "
        f"sources not fully verified against an offline copy: {not_verified or 'none'}. Two raters "
        "(data/practices/ratings/RATERS*.md) rated every practice against all "
        f"{len(corpus.codebook)} subcategories independently under data/practices/LINK_CODEBOOK.md: "
        f"{int(first['n_cells'])} cells, rater a linked {int(first['n_links_a'])}, rater b {int(first['n_links_b'])}, "
        f"both {int(first['n_both'])}; they disagree on {int(first['n_disagreements'])} cells. "
        f"Agreement over all cells (95% bootstrap intervals over practices, {N_BOOT} resamples, seed {SEED}): "
        f"percent agreement {fmt('percent_agreement')}, Cohen's kappa {fmt('cohen_kappa')}, Krippendorff's alpha "
        f"{fmt('krippendorff_alpha')}, Gwet's AC1 {fmt('gwet_ac1')}, PABAK {fmt('pabak')}. "
    )
    either = (int(first["n_links_a"]) + int(first["n_links_b"]) - int(first["n_both"])) / int(first["n_cells"])
    if either < 0.25:
        text += (f"The matrix is sparse ({100 * either:.1f}% of the cells linked by either rater): chance agreement on "
                 "the empty cells is high, which pulls kappa and alpha down and lifts percent agreement, AC1 and "
                 "PABAK; kappa and alpha are the figures that measure agreement on the links themselves. ")
    if len(ks):
        lo = per_source.loc[ks.idxmin()]
        hi = per_source.loc[ks.idxmax()]
        text += (f"Per source, Cohen's kappa ranges from {lo['estimate']:.2f} ({lo['source_id']}) to "
                 f"{hi['estimate']:.2f} ({hi['source_id']}). ")
    text += (f"Every disagreement was adjudicated with a reason (data/practices/adjudication.csv): "
             f"{int(all_adj['n_accepted'])} accepted, {int(all_adj['n_rejected'])} rejected. ")
    if corpus.relation_adjudication is not None:
        text += (f"Both raters linked {len(corpus.relation_adjudication)} cells with different relations; "
                 "data/practices/relation_adjudication.csv decides their relation. ")
    text += ("The accepted matrix "
             f"(both raters or the adjudication) has {len(corpus.accepted)} links; {int(g['n_addressed'])} of "
             f"{int(g['n_subcategories'])} subcategories are addressed by at least one practice "
             f"({g['pct_instances_addressed']:.1f}% of the coded instances).")
    notes = sorted((corpus.directory / "ratings").glob("RATERS*.md"))  # RATERS.md, or one part per rater
    if notes and all("language model" in p.read_text(encoding="utf-8").lower() for p in notes):
        text += (" The raters are AI agents (language models), not the study's authors (data/practices/ratings/"
                 f"{notes[0].name if len(notes) == 1 else 'RATERS*.md'}): read the agreement as how reproducibly the "
                 "link codebook is applied, not as expert consensus.")
    return text


def _gap_statement(summary: "pd.DataFrame", unaddressed: "pd.DataFrame", without: "pd.DataFrame",
                   sens: "pd.DataFrame", sep: "pd.DataFrame", n_doubts: int, n_suggestions: int) -> str:
    """The report's paragraph on the gaps and the text check, every number read from the tables."""
    g = summary.iloc[0]
    roles = [c for c in summary.columns if c.startswith("pct_importance_addressed_")]
    imp = ", ".join(f"{c.removeprefix('pct_importance_addressed_')} {g[c]:.1f}%" for c in roles)
    text = (f"No practice of the accepted matrix addresses {int(g['n_unaddressed'])} of {int(g['n_subcategories'])} "
            f"subcategories" + (f" ({g['unaddressed']})" if g["unaddressed"] else "") + "; the addressed ones carry "
            f"{g['pct_instances_addressed']:.1f}% of the coded instances" + (f" and, of each role's Important/Very "
                                                                            f"Important ratings, {imp}" if imp else "")
            + f". {len(without)} practices address no subcategory (tables/practice_gap_practices_without_link.md). ")
    if len(unaddressed):
        top = unaddressed.iloc[0]
        text += f"The largest gap by coded instances is {top['subcategory_label']} ({int(top['n_instances'])}). "
    only = sens[sens["selection"] == "only"]
    wo = sens[sens["selection"] == "without"]
    if len(only):
        best = only.loc[only["n_addressed"].idxmax()]
        text += (f"Dependence on the selection: the widest single source, {best['source_id']}, addresses "
                 f"{int(best['n_addressed'])} subcategories alone; ")
        crucial = wo[wo["n_only_this_source"] > 0]
        text += ("leaving out any one source loses no addressed subcategory. " if crucial.empty else
                 "leaving out " + ", ".join(f"{r.source_id} loses {int(r.n_only_this_source)}" for r in crucial.itertuples())
                 + " addressed subcategor(ies) (tables/practice_gap_sensitivity.csv). ")
    a = sep[sep["source_id"] == "all"].iloc[0]
    text += (f"Text check (TF-IDF): the scores separate accepted from other cells with ROC AUC {a['roc_auc']:.2f} "
             f"(0.5 = chance); it doubts {n_doubts} accepted links and suggests {n_suggestions} that both raters left "
             "out (tables/practice_text_doubts.md, tables/practice_text_suggestions.md), prompts to reread rather "
             "than corrections.")
    return text


def practices_step(ctx: Context) -> None:
    """Agreement, accepted matrix, text check, chain and gaps of the practice matrix; figures."""
    from mlmismatch.core.labels import subcategory_label
    from mlmismatch.mapping import practice_figures
    from mlmismatch.mapping.practices import agreement as ag
    from mlmismatch.mapping.practices import gaps, incidence, textcheck

    corpus = mapping_steps.practice_corpus(ctx)
    coding = ctx.coding
    m = incidence(corpus)
    m.insert(0, "source_id", list(corpus.practices["source_id"]))
    ctx.write_csv("tables/practice_matrix.csv", m.reset_index())
    ctx.write_csv("tables/practice_links.csv", corpus.accepted)
    ctx.write_csv("tables/practice_ratings.csv", corpus.cells)
    write_table(ctx, "tables/practice_matrix_by_source", by_source(corpus),
                caption="Accepted practice-subcategory links per source and category (both raters, or "
                        "adjudicated); 'with a link': practices addressing at least one subcategory")

    agreement = ag.agreement_table(corpus, n_boot=N_BOOT, seed=SEED)
    ctx.write_csv("tables/practice_agreement.csv", round_floats(agreement, 4))
    wide = ag.wide(agreement)
    ctx.write_table("tables/practice_agreement", wide, csv=False,
                    caption=f"Agreement of the two ratings per source and overall (cells: practice x subcategory; "
                            f"95% percentile bootstrap intervals over practices, {N_BOOT} resamples, seed {SEED})")
    ctx.write_csv("tables/practice_relation_agreement.csv", ag.relation_agreement(corpus))
    adj = ag.adjudication_summary(corpus)
    write_table(ctx, "tables/practice_adjudication_summary", adj,
                caption="Adjudicated disagreements per source: accepted (decision 1) or rejected; a_only: "
                        "rater a linked and rater b did not")

    scores = textcheck.similarity(corpus, coding.mismatches, coding.instances)
    ctx.write_csv("tables/practice_text_scores.csv", round_floats(scores, 4))
    sep = textcheck.separation(scores)
    write_table(ctx, "tables/practice_text_separation", sep, digits=3,
                caption="TF-IDF similarity (practice statement vs codebook definition and coded mismatches) "
                        "against the accepted matrix: ROC AUC (0.5 = chance), average precision beside the "
                        "accepted share (its chance level)")
    keep = ["practice_id", "source_id", "subcategory_label", "score", "rank", "rater_a", "rater_b"]
    doubts = textcheck.labelled(textcheck.doubts(scores, K_DOUBT))[keep]
    write_table(ctx, "tables/practice_text_doubts", doubts, digits=3,
                caption=f"Accepted links the text check doubts: the subcategory ranks below {K_DOUBT} of "
                        f"{len(corpus.codebook)} for the practice (a prompt to reread, not a correction)")
    sugg = textcheck.labelled(textcheck.suggestions(scores, K_SUGGEST, quantile=Q_SUGGEST))[keep]
    write_table(ctx, "tables/practice_text_suggestions", sugg, digits=3,
                caption=f"Links the text check suggests that both raters left out: the subcategory ranks "
                        f"within {K_SUGGEST} for the practice and scores at least the {Q_SUGGEST:.0%} quantile of "
                        "the accepted links' scores (a prompt to rate again, not a correction)")

    attrs = mapping_steps._data(ctx)["mapping"].attributes
    ch = gaps.chain(corpus, attrs)
    ctx.write_csv("tables/practice_chain.csv", ch)
    ctx.write_csv("tables/practice_attribute_practices.csv", gaps.attribute_practices(ch))
    inst, imp = gaps.load_weights()
    sub = gaps.subcategory_gaps(corpus, inst, imp)
    ctx.write_csv("tables/practice_gap_subcategories.csv", round_floats(sub, 2))
    un = gaps.unaddressed_subcategories(sub)
    un.insert(0, "subcategory_label", [subcategory_label(c, s) for c, s in zip(un["category_code"], un["subcategory"])])
    write_table(ctx, "tables/practice_gap_unaddressed", un.drop(columns=["category_code", "subcategory"]),
                caption="Subcategories no practice of the accepted matrix addresses, with their coded instances "
                        "and each survey role's share rating them Important or Very Important (%)")
    without = gaps.practices_without_link(corpus)
    write_table(ctx, "tables/practice_gap_practices_without_link", without,
                caption="Practices that address no subcategory in the accepted matrix")
    summary = gaps.gap_summary(sub)
    write_table(ctx, "tables/practice_gap_summary", summary,
                caption="Subcategories addressed by at least one practice, and the share of coded instances "
                        "and of each role's importance they carry (%)")
    sens = gaps.sensitivity(corpus, inst, imp)
    write_table(ctx, "tables/practice_gap_sensitivity", sens, shown=sens.assign(unaddressed=sens["unaddressed"].map(shorten)),
                caption="Sensitivity of the gap analysis to the selection: each source alone ('only') and all "
                        "but one ('without'); n_only_this_source: subcategories only that source addresses")

    ctx.figure(lambda: practice_figures.fig_practice_matrix(corpus), "figures/practice_matrix")
    ctx.figure(lambda: practice_figures.fig_source_matrix(corpus), "figures/practice_source_matrix")

    overall = agreement[agreement["scope"] == "overall"][["statistic", "estimate", "ci_low", "ci_high"]]
    beyond = [
        ("The practice-to-mismatch matrix: protocol and agreement", _statement(corpus, agreement, adj, summary),
         wide),
        ("The practice matrix: gaps and their dependence on the selection",
         _gap_statement(summary, un, without, sens, sep, len(doubts), len(sugg)),
         formatted(sens[["selection", "source_id", "n_practices", "n_addressed", "n_unaddressed",
                         "pct_instances_addressed", "n_only_this_source"]].assign(
             unaddressed=sens["unaddressed"].map(shorten)), 1)),
    ]
    # the report reads these (it needs this step); handed on as the step's result, cached with its outputs
    ctx.results["practices"] = {"agreement": overall, "summary": summary, "beyond": beyond}


def _tables(*stems: str, formats: tuple[str, ...] = ("csv", "md", "tex")) -> tuple[str, ...]:
    return tuple(f"tables/{stem}.{fmt}" for stem in stems for fmt in formats)


OUTPUTS = (_tables("practice_matrix", "practice_links", "practice_ratings", "practice_agreement",
                   "practice_relation_agreement", "practice_text_scores", "practice_chain",
                   "practice_attribute_practices", "practice_gap_subcategories", formats=("csv",))
           + _tables("practice_agreement", formats=("md", "tex"))
           + _tables("practice_matrix_by_source", "practice_adjudication_summary", "practice_text_separation",
                     "practice_text_doubts", "practice_text_suggestions", "practice_gap_unaddressed",
                     "practice_gap_practices_without_link", "practice_gap_summary", "practice_gap_sensitivity")
           + figures("practice_matrix", "practice_source_matrix"))

STEPS = [Step("practices", practices_step,
              "practice matrix: agreement of the two ratings, accepted links, text check, chain, gaps (issue 13)",
              sources=("coding", "sei-1.*"),
              data=mapping_steps.MAPPING_DATA + ("data/practices", "data/aggregates"),
              outputs=OUTPUTS, result="practices",
              libraries=BASE_LIBRARIES + STATS_LIBRARIES + FIGURE_LIBRARIES + ML_LIBRARIES + mapping_steps.SCHEMA_LIBRARIES,
              cost=8.0)]
