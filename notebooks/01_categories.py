# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,jupyter,-all
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — The coding scheme and the categorization of ML mismatches
#
# **Learning goals.** After this lesson you can
# 1. explain how Lewis, Bellomo and Ozkaya (WAIN 2021) turned practitioner interviews into coded data:
#    what a *mismatch*, a *category*, a *subcategory* and a *coded instance* are;
# 2. recompute the paper's Figs. 2 and 3 from the authors' coding workbook, and trace every number to
#    the workbook cell it came from;
# 3. tell a share of coded instances from a share of mismatches, and say when each is the right one.
#
# **Time needed:** about 30 minutes (15 to read and run, 15 for the exercises).
#
# **You need:** the study's data. Set `MLMISMATCH_DATA_DIR` to a local copy, or run `mlmismatch fetch`
# once (it downloads the pinned workbooks and checks their SHA-256).
#
# ## How the study coded its interviews
#
# The authors interviewed 20 practitioners about ML-enabled systems that went wrong because the
# people building them did not share some piece of information: a **mismatch**. For every mismatch
# the coders asked one question: *"What element of an ML system does the information that was not
# communicated refer to?"* The answer is a **category** (the system element: trained model, raw data,
# operational environment, ...) and a **subcategory** (which information about that element). One
# mismatch could get up to three category/subcategory pairs; each pair is a **coded instance**.
#
# We read the workbook through `mlmismatch`, which returns tidy tables. It shows ids and codes, never
# the interview quotes.

# %%
from mlmismatch.analyses import categories
from mlmismatch.study import coding

data = coding.load_coding()
print(f"{len(data.mismatches)} mismatches from {data.n_interviews} interviews, "
      f"{len(data.instances)} coded category/subcategory pairs")

# %% [markdown]
# ## The codebook
# Seven categories, each with a two-letter code, and 34 subcategories. Some subcategory names
# (Versioning, Computing Resources, Data Statistics, Programming Language/...) appear in two
# categories, so a subcategory is identified by its **pair** (category, subcategory), never by its
# name alone. Count the subcategories per category:

# %%
data.codebook.groupby("category", sort=False).size().rename("subcategories").to_frame()

# %% [markdown]
# The first rows of the codebook, with the authors' description of each code (read them: you will
# code mismatches yourself in notebook 05):

# %%
data.codebook.head(8)

# %% [markdown]
# ## Three tidy tables
# - `mismatches`: one row per mismatch; its id is `M<interview>-<sequence>`;
# - `instances`: one row per coded pair, with the cell it came from (sheet, row, column), so that
#   every number below can be traced back to the workbook;
# - `quality`: what the loader checked and normalized (at the end of this notebook).

# %%
data.instances[["mismatch_id", "position", "category_code", "subcategory", "sheet", "row", "column"]].head()

# %% [markdown]
# How many pairs did a mismatch get? Most got one. Multiple codes are why there are more instances
# (232) than mismatches (140), and why the shares below do not add up to mismatches.

# %%
categories.pairs_per_mismatch(data.mismatches)

# %% [markdown]
# ## Fig. 2: instances per category
# The paper's Fig. 2 counts **coded instances** per category and gives each as a share of all 232
# instances (not of the 140 mismatches).

# %%
cats = categories.category_counts(data.instances)
cats.round(1)

# %% [markdown]
# The same numbers as the paper's bar chart (the function returns the figure; Jupyter shows it once):

# %%
from mlmismatch.analyses.figures.categories import fig_categories, fig_subcategories

fig_categories(cats)

# %% [markdown]
# ## Fig. 3: subcategories, as a share of their category
# Within each category, the paper gives each subcategory's share of that category's instances. Here
# are the Trained Model rows:

# %%
subs = categories.subcategory_counts(data.instances, data.codebook)
subs[subs.category == "Trained Model"].round(1)

# %% [markdown]
# And all seven categories as panels, as in the paper:

# %%
fig_subcategories(subs)

# %% [markdown]
# ## Which categories come together?
# A mismatch with two codes links two categories. The diagonal counts the mismatches coded with the
# category at all; an off-diagonal cell counts the mismatches coded with both.

# %%
categories.cooccurrence(data.instances)

# %% [markdown]
# ## Data quality
# The loader cross-checks the workbook's own summary sheets against the per-interview sheets and
# lists every label it had to normalize. Nothing is fixed silently: a disagreement is reported here.

# %%
data.quality[["check", "status", "detail"]]

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar (or the three dots) under your cell to open it; on the documentation site, click
# "Solution". Try first.
#
# ### Exercise 1 — instances or mismatches?
# Trained Model dominates Fig. 2. Compute the share (in %, 0-100) of **mismatches** that were coded
# with the Trained Model category at least once, and store it in `tm_share_of_mismatches`. Compare it
# with Trained Model's share of **instances** above. Why do the two differ, and which would you quote
# to say "how often Trained Model information goes missing"?

# %% tags=["exercise"]
tm_share_of_mismatches = None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
touches_tm = data.instances.loc[data.instances.category == "Trained Model", "mismatch_id"].nunique()
tm_share_of_mismatches = 100 * touches_tm / len(data.mismatches)
tm_share_of_instances = float(cats.loc[cats.category == "Trained Model", "share_pct"].iloc[0])
print(f"{touches_tm} of {len(data.mismatches)} mismatches ({tm_share_of_mismatches:.1f} %) touch Trained Model; "
      f"it has {tm_share_of_instances:.1f} % of the instances")
# The denominators differ (140 mismatches vs 232 instances), and a mismatch coded twice with Trained
# Model subcategories counts twice among the instances but once among the mismatches. To say how often
# Trained Model information goes missing, quote the share of mismatches.

# %% [markdown]
# ### Exercise 2 — the most frequent subcategories
# Which three subcategories have the most coded instances over all categories? Store their labels
# in the form `"(TM) Versioning"` (category code in brackets, then the name), most frequent first,
# in the list `top_three` (if two have the same count, alphabetical order of the label decides).
# Hint: why must the label carry the category code?

# %% tags=["exercise"]
top_three = []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
counts = data.instances.groupby(["category_code", "subcategory"]).size()
counts.index = [f"({code}) {name}" for code, name in counts.index]
ranked = counts.reset_index().set_axis(["label", "n"], axis=1).sort_values(["n", "label"], ascending=[False, True])
top_three = list(ranked.label[:3])
ranked.head(4)
# The code is needed because names such as "Versioning" or "Computing Resources" exist in two
# categories: counting by name alone would merge two different codes.

# %% [markdown]
# ### Exercise 3 — mismatches with more than one code
# How many mismatches got two or more category/subcategory pairs? Store the number in
# `n_multi_coded`, using the `instances` table (not `pairs_per_mismatch`). Then check your answer
# against the `pairs_per_mismatch` table above.

# %% tags=["exercise"]
n_multi_coded = None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
pairs = data.instances.groupby("mismatch_id").size()
n_multi_coded = int((pairs >= 2).sum())
print(f"{n_multi_coded} of {len(data.mismatches)} mismatches have two or more coded pairs")
