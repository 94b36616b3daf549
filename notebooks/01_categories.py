# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — The coding scheme and the categorization of ML mismatches
#
# This notebook walks through how Lewis, Bellomo and Ozkaya (WAIN 2021) coded the mismatches they
# heard about in 20 practitioner interviews, and recomputes the paper's Figs. 2 and 3 from their
# own coding workbook.
#
# **The question the coders asked** of every mismatch: *"What element of an ML system does the
# information that was not communicated refer to?"* Each answer is a *category* (the system element:
# trained model, raw data, operational environment, …) and a *subcategory* (which information about
# it). A mismatch could get up to three category/subcategory pairs.
#
# The data is read through `mlmismatch`'s pinned sources: set `MLMISMATCH_DATA_DIR` to a local copy,
# or let `mlmismatch fetch` download it (checking its SHA-256).

# %%
from mlmismatch.analyses import categories
from mlmismatch.study import coding

data = coding.load_coding()
print(f"{len(data.mismatches)} mismatches from {data.n_interviews} interviews, "
      f"{len(data.instances)} coded category/subcategory pairs")

# %% [markdown]
# ## The codebook
# Seven categories, each with a two-letter code, and 34 subcategories. Some subcategory names
# (Versioning, Computing Resources, Data Statistics, Programming Language/…) appear in two
# categories: a subcategory is identified by its **pair** (category, subcategory).

# %%
data.codebook.groupby("category", sort=False).size().rename("subcategories").to_frame()

# %%
data.codebook.head(8)

# %% [markdown]
# ## Three tidy tables
# - `mismatches`: one row per mismatch (its id is `M<interview>-<sequence>`);
# - `instances`: one row per coded pair, with the cell it came from (sheet, row, column) so that every
#   number below can be traced back to the workbook.
#
# We show ids and codes only; the interview quotes are never loaded.

# %%
data.instances[["mismatch_id", "position", "category_code", "subcategory", "sheet", "row", "column"]].head()

# %% [markdown]
# How many pairs did a mismatch get? Most got one; multiple codes are why there are more instances
# (232) than mismatches (140).

# %%
categories.pairs_per_mismatch(data.mismatches)

# %% [markdown]
# ## Fig. 2: instances per category
# Shares are of all coded instances (not of mismatches).

# %%
cats = categories.category_counts(data.instances)
cats.round(1)

# %%
from mlmismatch.analyses.figures.categories import fig_categories, fig_subcategories

fig_categories(cats)

# %% [markdown]
# **Exercise.** Trained Model dominates. Compute the share of *mismatches* (not instances) that touch
# the Trained Model category at least once. Why is it different?

# %%
touches_tm = data.instances[data.instances.category == "Trained Model"].mismatch_id.nunique()
print(f"{touches_tm} of {len(data.mismatches)} mismatches ({100 * touches_tm / len(data.mismatches):.0f}%)")

# %% [markdown]
# ## Fig. 3: subcategories, as a share of their category

# %%
subs = categories.subcategory_counts(data.instances, data.codebook)
subs[subs.category == "Trained Model"].round(1)

# %%
fig_subcategories(subs)

# %% [markdown]
# ## Which categories come together?
# The diagonal counts mismatches coded with the category at all; off-diagonal cells count mismatches
# coded with both.

# %%
categories.cooccurrence(data.instances)

# %% [markdown]
# ## Data quality
# The loader cross-checks the workbook's own summary sheets against the per-interview sheets and
# lists every label it had to normalize. Nothing is fixed silently.

# %%
data.quality[["check", "status", "detail"]]
