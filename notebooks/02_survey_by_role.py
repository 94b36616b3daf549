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
# # 02 — The validation survey: does each role prioritize differently?
#
# **Learning goals.** After this lesson you can
# 1. recompute the paper's survey results (Figs. 4-5, Table II) from the authors' survey workbook;
# 2. judge a headline finding ("each role prioritizes differently") with a test per item, a
#    correction for testing 34 items at once, and effect sizes;
# 3. explain why five respondents in a group make every share in that group uncertain, and show it
#    with bootstrap intervals;
# 4. compare two sources of evidence about the same codes (interviews and survey) by rank correlation.
#
# **Time needed:** about 45 minutes (25 to read and run, 20 for the exercises).
#
# **You need:** the study's data (`MLMISMATCH_DATA_DIR` or `mlmismatch fetch`), and notebook 01.
#
# ## The survey in brief
# After coding 140 mismatches from 20 interviews, Lewis, Bellomo and Ozkaya (WAIN 2021) asked
# practitioners how important it is to share the information behind each of the 34 mismatch
# subcategories, on a four-point scale (Not Important < Somewhat Important < Important < Very
# Important). 31 people answered. The paper reports who answered (Fig. 4), the answers per
# subcategory (Fig. 5) and, per role, how many rated each subcategory Important or Very Important
# (Table II), and concludes that **each role prioritizes the information to share differently**.
#
# This notebook recomputes Figs. 4-5 and Table II from the authors' survey workbook, then asks how
# far the data supports that headline finding: are the role differences larger than chance, do the
# roles rank the subcategories alike, and do the interviews and the survey agree?
#
# Only the workbook's `Raw Survey Data` and `Question Mapping` sheets are read, and only the
# question columns: timestamps and any identifying column are skipped by their header. Free-text
# answers are loaded into `data.comments` but never displayed or written here.

# %%
import pandas as pd
from IPython.display import Markdown, display
from mlmismatch.study import coding
from mlmismatch.study import survey
from mlmismatch.analyses.figures import survey as survey_figures
from mlmismatch.analyses import survey_stats

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)

data = survey.load_survey()
data

# %% [markdown]
# Each of the 34 questions is mapped to exactly one codebook subcategory. The mapping is validated
# against the codebook (short category label + the item's name), and every spelling difference is
# resolved by an explicit alias table and recorded in the quality report:

# %%
data.quality[["check", "status", "detail"]]

# %% [markdown]
# ## Who answered (paper Fig. 4)
#
# The paper groups respondents by primary role into Data Science, Software Engineering and
# "Operations + Other" (one operations person and four in management roles). `pct_int` are integer
# percentages summing to 100, the way the paper's pies label them.

# %%
demo = survey_stats.demographics(data.respondents)
demo[demo.variable.isin(["affiliation", "role", "years_total", "years_ml"])]

# %%
survey_figures.fig4_demographics(demo)

# %% [markdown]
# Note one disagreement with the paper: its Fig. 4b labels the role shares 59 %, 37 % and 4 %.
# Those are 16/27, 10/27 and 1/27 — the four "Other" respondents left out of the pie — while
# Table II (and the legend "Operations + Other") count 16, 10 and 5 of 31.

# %% [markdown]
# ## The answers per subcategory (paper Fig. 5)

# %%
dist = survey_stats.distribution(data.responses, data.items)
dist[["paper_label", *survey.LEVELS, "n", "pct_important", "mean_score"]]

# %%
survey_figures.fig5_distribution(dist)

# %% [markdown]
# ## Important or Very Important per role (paper Table II)
#
# Every cell below equals the paper's Table II (the integration tests check all 204 numbers), and it
# also equals the workbook's own `Table - Questions by Role` sheet.

# %%
table2 = survey_stats.important_by_role(data.responses, data.items)
display(Markdown(survey_stats.table2_markdown(table2)))

# %% [markdown]
# With five respondents in "Operations + Other", one answer moves that group's share by 20 points.
# Percentile bootstrap intervals (respondents resampled within the group, fixed seed) make the
# uncertainty visible: most intervals of the three groups overlap.

# %%
shares = survey_stats.important_share_ci(data.responses, data.items)
survey_figures.important_by_role_ci(shares)

# %% [markdown]
# ## Do the roles rate an item differently?
#
# Per item, a Kruskal-Wallis test across the three roles on the 1-4 scores, with epsilon-squared as
# the effect size and Holm's correction across the 34 items.

# %%
kw = survey_stats.role_differences(data.responses, data.items)
print(f"items significant at 0.05 after Holm: {int(kw.significant.sum())} of {len(kw)}")
kw.sort_values("p")[["paper_label", "n_data_science", "mean_data_science", "n_software_engineering",
                     "mean_software_engineering", "n_operations_other", "mean_operations_other",
                     "H", "p", "p_holm", "epsilon_sq"]].head(8)

# %% [markdown]
# Pairwise, Mann-Whitney U with Cliff's delta (positive: the first role rates higher). The largest
# effects involve the five-person "Operations + Other" group; none survives Holm's correction.

# %%
pw = survey_stats.pairwise_role_differences(data.responses, data.items)
pw.reindex(pw.cliffs_delta.abs().sort_values(ascending=False, kind="stable").index)[
    ["paper_label", "role_a", "role_b", "n_a", "n_b", "mean_a", "mean_b", "cliffs_delta", "magnitude", "p", "p_holm"]
].head(8)

# %% [markdown]
# So, item by item, the survey cannot tell the roles apart: with 16, 10 and 5 respondents and most
# answers at the top of the scale, the tests have little power. The paper's per-role observations
# (e.g. Evaluation Metrics tops Data Science's Trained Model list) are descriptive, not statistical.
#
# ## Do the roles rank the 34 items alike?
#
# Spearman's rho between two roles' mean scores per item, with a percentile bootstrap interval over
# the items. Noise in a small group's means pulls rho towards zero, so these are conservative.

# %%
survey_stats.role_rank_agreement(data.responses, data.items).drop(columns=["ci_method"])

# %% [markdown]
# Data Science and Software Engineering rank the items clearly alike; the agreement of either with
# "Operations + Other" is weaker and its interval includes zero — the one place where the data hints
# at a different priority, and the group where the evidence is thinnest.
#
# ## Do the interviews and the survey agree?
#
# Per subcategory, the number of coded mismatch instances in the interviews against the mean rated
# importance in the survey. `rank_gap` = instance rank − survey rank: negative when a subcategory
# came up often in the interviews but was rated comparatively low, positive the other way round.

# %%
instances = coding.load_coding().instances
per, summary = survey_stats.interviews_vs_survey(instances, data.responses, data.items)
display(summary.drop(columns=["ci_method"]))
per.sort_values("disagreement_rank")[["paper_label", "n_instances", "instance_rank", "mean_score", "survey_rank",
                                      "rank_gap"]].head(6)

# %%
survey_figures.interviews_vs_survey(per, summary)

# %% [markdown]
# The two sources hardly agree (rho is small and its interval reaches zero). The largest gaps
# include the two the paper discusses by hand: Runtime Metrics (the most frequent subcategory in
# the interviews, rated in the lower half) and Data Syntax & Semantics (three instances, among the
# highest rated).
#
# ## Another role grouping
#
# The grouping is a parameter. Separating Operations from Other shows why the paper merged them:
# a single operations respondent.

# %%
separate = data.with_roles(survey.SEPARATE_ROLES)
separate.role_counts()

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar under your cell to open it; on the documentation site, click "Solution". Try first.
#
# ### Exercise 1 — before the correction
# Holm's correction guards against finding "significant" items by chance when 34 items are tested.
# Which item has the smallest **unadjusted** Kruskal-Wallis p-value, and what is it? Store the item's
# `paper_label` in `lowest_p_item` and the p-value in `lowest_p`. Would it pass 0.05 without a
# correction? How many of 34 items would you expect below 0.05 if the roles did not differ at all?

# %% tags=["exercise"]
lowest_p_item, lowest_p = None, None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
row = kw.sort_values("p", kind="stable").iloc[0]
lowest_p_item, lowest_p = row.paper_label, float(row.p)
print(f"{lowest_p_item}: p = {lowest_p:.3f} (Holm-adjusted {row.p_holm:.3f})")
# Even without a correction no item is below 0.05. If the roles did not differ at all, p-values
# would be uniform and about 34 x 0.05 = 1.7 items would fall below 0.05 by chance alone.

# %% [markdown]
# ### Exercise 2 — what data scientists rate highest
# From `data.responses` alone (not from Table II), find the item or items that the largest share of
# **Data Science** respondents rated Important or Very Important (score 3 or 4). Store their
# `paper_label`s in the list `ds_top_items` (all of them if several tie). Compare with the paper's
# remark that Evaluation Metrics tops Data Science's Trained Model list.

# %% tags=["exercise"]
ds_top_items = []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
ds = data.responses[data.responses.role == "Data Science"]
share = (ds.score >= 3).groupby(ds.item).mean()
labels = data.items.set_index("item")["paper_label"]
ds_top_items = sorted(labels[share.index[share == share.max()]])
print(f"{100 * share.max():.0f} % of {ds.respondent.nunique()} data scientists:", ds_top_items)

# %% [markdown]
# ### Exercise 3 — what one answer is worth
# How many percentage points does **one** respondent's answer move a group's share in Table II?
# Store a dict `points_per_answer` from role group to points (for example `{"Data Science": ...}`),
# computed from `data.respondents`. Which group's shares would you trust least, and why do the
# bootstrap intervals above agree?

# %% tags=["exercise"]
points_per_answer = {}  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
n_per_role = data.respondents.groupby("role").size()
points_per_answer = {role: 100 / n for role, n in n_per_role.items()}
print({role: round(p, 1) for role, p in points_per_answer.items()})
# Operations + Other: one answer moves its share by 20 points, so its intervals are the widest.
