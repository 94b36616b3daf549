"""``reproduce`` step for the categorization of the coded interviews (paper Figs. 2-3)."""

from __future__ import annotations

from mlmismatch.pipeline.context import BASE_LIBRARIES, FIGURE_LIBRARIES, Context, Step, figures


def step_categories(ctx: Context) -> None:
    """Write the categorization tables (CSV + Markdown + LaTeX) and figures."""
    from mlmismatch.analyses.categories import (category_counts, cooccurrence, cooccurrence_long,
                                                mismatches_per_interview, pairs_per_mismatch, subcategory_counts)
    from mlmismatch.analyses.figures import categories as figs
    from mlmismatch.core.tables import round_floats

    data = ctx.coding
    cats = category_counts(data.instances)
    subs = subcategory_counts(data.instances, data.codebook)
    # Contract files (column names and order are fixed; see README)
    ctx.write_csv("tables/categories.csv", round_floats(cats[["category", "n_instances", "share_pct"]], 2))
    ctx.write_csv("tables/subcategories.csv",
                  round_floats(subs[["category", "subcategory", "n_instances", "share_in_category_pct"]], 2))
    ctx.write_table("tables/categories", round_floats(cats, 1), csv=False,
                caption="Coded instances per category (paper Fig. 2)")
    ctx.write_table("tables/subcategories", round_floats(subs, 1), csv=False,
                caption="Coded instances per subcategory and share within its category (paper Fig. 3)")
    ctx.write_table("tables/mismatches_per_interview", mismatches_per_interview(data.mismatches, data.instances),
                caption="Mismatches and coded instances per interview")
    ctx.write_table("tables/pairs_per_mismatch", round_floats(pairs_per_mismatch(data.mismatches), 1),
                caption="Category/subcategory pairs coded per mismatch")
    ctx.write_table("tables/category_cooccurrence", cooccurrence_long(data.instances),
                caption="Mismatches coded with both categories (diagonal: with the category at all)")
    ctx.write_table("tables/data_quality_coding", data.quality, caption="Data-quality report of the coding workbook")
    cooc = cooccurrence(data.instances)
    per_interview = mismatches_per_interview(data.mismatches, data.instances)
    # ctx.figure builds and saves each figure (in a child process during `reproduce`)
    ctx.figure(lambda: figs.fig_categories(cats), "figures/fig2_categories")
    ctx.figure(lambda: figs.fig_subcategories(subs), "figures/fig3_subcategories")
    ctx.figure(lambda: figs.fig_cooccurrence(cooc), "figures/category_cooccurrence")
    ctx.figure(lambda: figs.fig_per_interview(per_interview), "figures/mismatches_per_interview")


TABLES = ("categories", "subcategories", "mismatches_per_interview", "pairs_per_mismatch", "category_cooccurrence",
          "data_quality_coding")

STEPS = [Step("categories", step_categories, "categorization of the coded interview data (Figs. 2-3)",
              sources=("coding",),
              outputs=tuple(f"tables/{t}.{ext}" for t in TABLES for ext in ("csv", "md", "tex"))
              + figures("fig2_categories", "fig3_subcategories", "category_cooccurrence", "mismatches_per_interview"),
              libraries=BASE_LIBRARIES + FIGURE_LIBRARIES, cost=2.0)]
