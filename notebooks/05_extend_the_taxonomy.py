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
# # 05 — Extend the taxonomy: code mismatches, compare with an answer key, try new codes
#
# Lewis, Bellomo and Ozkaya (WAIN 2021) had two researchers code every mismatch with a category and
# a subcategory and a third consolidate the codes. In this notebook **you** are a coder:
#
# 1. read eight short mismatch descriptions and code them with the study's scheme;
# 2. measure your agreement with an answer key (Cohen's kappa, Fleiss' kappa, Krippendorff's alpha);
# 3. look at what a text classifier trained on the study's 140 mismatches would suggest;
# 4. see how two *new* codes (an extension codebook) would change the categorization.
#
# **The eight mismatches are teaching examples written for this project** (`data/teaching/`), not
# quotes or descriptions from the study's interviews.

# %%
import tempfile
from pathlib import Path

import pandas as pd

from mlmismatch.study import coding
from mlmismatch.core import resources

TEACHING = resources.path("data", "teaching")
study = coding.load_coding()
examples = pd.read_csv(TEACHING / "mismatches.csv")
assert examples["source"].str.startswith("teaching example").all()
pd.set_option("display.max_colwidth", 200)
examples[["mismatch_id", "description", "info_not_communicated"]]

# %% [markdown]
# ## The codebook
# A code is a **pair** (category, subcategory): `Versioning` exists under Trained Model *and* under
# Training Data. Here are the 34 subcategories; read the descriptions before you code.

# %%
study.codebook[["category_code", "category", "subcategory", "description"]]

# %% [markdown]
# ## 1. Your codes
# Give each mismatch one to three `(category code, subcategory)` pairs. The cell below holds one
# student's answers so that the notebook runs; replace them with yours. (In a real round you would
# use `mlmismatch code template` to get a workbook with drop-down lists instead.)

# %%
my_codes = {
    "T01-01": [("TP", "Success Criteria")],
    "T01-02": [("OD", "Data Syntax and Semantics"), ("TM", "API/Specifications")],
    "T01-03": [("OE", "Computing Resources"), ("OE", "Required Model Inference Time")],
    "T01-04": [("TM", "Versioning")],
    "T01-05": [("RD", "Anonymization")],
    "T01-06": [("TM", "Model Output Interpretation")],
    "T01-07": [("TD", "Data Statistics"), ("OD", "Data Statistics")],
    "T01-08": [("OE", "Runtime Metrics and Data")],
}

# %% [markdown]
# The codes become a tidy table (`mismatch_id, coder, category, subcategory`), the same format that
# `mlmismatch code agreement` reads from a CSV. Reading it checks every code against the codebook:
# a typo or a subcategory of the wrong category is an error naming the row.

# %%
from mlmismatch.extend import rounds

mine = pd.DataFrame([{"mismatch_id": m, "coder": "me", "category": c, "subcategory": s}
                     for m, pairs in my_codes.items() for c, s in pairs])
mine_path = Path(tempfile.mkdtemp()) / "my_codes.csv"  # a scratch copy; keep your own wherever you like
mine.to_csv(mine_path, index=False)
both = rounds.read_round([mine_path, TEACHING / "answer_key.csv"], study.codebook, extension=TEACHING / "extension.csv")
both.codings.groupby("coder").size().rename("codes").to_frame()

# %% [markdown]
# ## 2. Agreement with the answer key
# Each coder gives each mismatch a *set* of codes, so agreement is computed **per code as
# present/absent** and pooled over codes for the overall figure. The intervals come from a bootstrap
# over mismatches (fixed seed). With 8 mismatches they are wide: that is the honest answer.

# %%
from mlmismatch.extend.agreement import agreement

res = agreement(both.codings, both.codebook, n_boot=500, seed=0)
for note in res.notes:
    print("note:", note)
overall = res.summary[res.summary.scope == "overall"]
overall[["level", "statistic", "estimate", "ci_low", "ci_high", "n_mismatches"]].round(3)

# %% [markdown]
# Per category (Cohen's kappa; a category that neither coder used has no kappa):

# %%
per_cat = res.summary[(res.summary.level == "category") & (res.summary.scope == "code")
                      & (res.summary.statistic == "cohen_kappa")]
per_cat[["code", "estimate", "n_present", "note"]].round(3)

# %% [markdown]
# ### The disagreements, ready for adjudication
# In the study, a third researcher consolidated the codes. Discuss each row: which code fits the
# *information that was not communicated*? Write the outcome in the `decision` column.

# %%
res.disagreements

# %% [markdown]
# ## 3. What would the classifier suggest?
# A TF-IDF + logistic-regression classifier trained (now, at run time) on the study's 140 coded
# mismatches. Its cross-validated scores (folds grouped by interview) are in the README: far better
# than always guessing the most frequent category, far from perfect. **Suggestions help coders; they
# never replace them.**

# %%
from mlmismatch.extend.suggest import NOTICE, mismatch_texts, train_on_study

model = train_on_study(study, seed=0)
suggested = model.suggest(mismatch_texts(examples), top=3)
top = suggested[(suggested.level == "subcategory") & (suggested["rank"] == 1)].copy()
top["mismatch_id"] = examples["mismatch_id"].values[top["text_index"]]
key = both.codings[both.codings.coder == "answer key"]
key_codes = key.groupby("mismatch_id").apply(lambda g: set(f"({c}) {s}" for c, s in zip(g.category_code, g.subcategory)),
                                             include_groups=False)
top["in answer key"] = [code in key_codes[m] for m, code in zip(top.mismatch_id, top.code)]
print(NOTICE)
top[["mismatch_id", "code", "probability", "in answer key"]].round(2)

# %% [markdown]
# ## 4. New codes: how would they change the categorization?
# The answer key uses two codes the study's codebook does not have, declared in an *extension
# codebook*: `(TM) Explanation Requirements` and a new category `Human Oversight (HO)`.

# %%
both.extension[["category_code", "category", "subcategory", "description"]]

# %% [markdown]
# Merging the answer key (as a round called `teaching`) with the study's 232 coded instances
# recomputes the categorization (paper Fig. 2) and tests whether the new round's category
# distribution differs from the study's. The permutation test shuffles whole mismatches between the
# rounds; with 8 mismatches, the chi-square's asymptotic p-value is not to be trusted (see
# `min_expected`).

# %%
from mlmismatch.extend.merge import merge

merged = merge(study, both, coder="answer key", round_name="teaching", n_perm=999, seed=0)
merged.by_round.round(1)

# %%
merged.test[["chi2", "dof", "p_asymptotic", "p_permutation", "min_expected", "cramers_v"]].round(4)

# %% [markdown]
# The new subcategories enter the mapping's gap analysis as **unmapped**: no descriptor element
# covers them until someone maps one.

# %%
merged.gaps[merged.gaps.origin == "extension"]

# %% [markdown]
# ## Exercises
# 1. Replace `my_codes` with your own coding. Which categories do you disagree on most?
# 2. Code T01-06 and T01-08 with the extension codes. How do kappa and alpha change?
# 3. Is "Human Oversight" really a new *category* (a new system element), or information about an
#    existing one (Operational Environment)? What would the study's coders have done?
# 4. Export the codebook for your QDA tool: `mlmismatch code export-qdc codebook.qdc --extension data/teaching/extension.csv`.
