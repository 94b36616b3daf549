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
# # 05 — Extend the taxonomy: code mismatches, compare with an answer key, try new codes
#
# **Learning goals.** After this lesson you can
# 1. code a mismatch description with the study's scheme (category and subcategory pairs);
# 2. measure agreement with an answer key per code as present/absent (Cohen's kappa, Fleiss' kappa,
#    Krippendorff's alpha) and say why eight mismatches give wide intervals;
# 3. use a text classifier's suggestions critically (they help coders; they never replace them);
# 4. add codes in an extension codebook and see how they change the categorization;
# 5. run the same comparison for a whole class (teachers: see "In class" below).
#
# **Time needed:** about 60 minutes (20 to code the eight examples, 20 to read and run, 20 for the
# exercises and the discussion).
#
# **You need:** the study's coding workbook (`MLMISMATCH_DATA_DIR` or `mlmismatch fetch`), and
# notebook 01 for the coding scheme.
#
# ## What you will do
# Lewis, Bellomo and Ozkaya (WAIN 2021) had two researchers code every mismatch with a category and
# a subcategory and a third consolidate the codes. In this notebook **you** are a coder:
#
# 1. read eight short mismatch descriptions and code them with the study's scheme;
# 2. measure your agreement with an answer key;
# 3. look at what a text classifier trained on the study's 140 mismatches would suggest;
# 4. see how two *new* codes (an extension codebook) would change the categorization.
#
# **The eight mismatches are teaching examples written for this project** (`data/teaching/`), not
# quotes or descriptions from the study's interviews, so they can be shown here.

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
# ## In class: every student against the answer key
# A teacher runs the same comparison for a whole class from the command line. Each student gets a
# workbook with the eight examples and drop-down lists for the codes:
#
# ```
# mlmismatch code template class/ann.xlsx --teaching --coder ann      # one per student
# ```
#
# and after the students have coded them, one command compares every student with the answer key:
#
# ```
# mlmismatch code agreement class/*.xlsx --teaching --out report/
# ```
#
# It prints each student's summary (mismatches coded exactly as the key, codes matched, missed and
# extra, Cohen's kappa against the key), the codes the class found hardest and the agreement among the
# students, and writes `class_students.csv`, `class_codes.csv`, `class_mismatches.csv` and
# `disagreements.csv`. The same tables in Python, for a made-up class of three (you, a student who
# forgot every second code, and the key itself as a sanity check):

# %%
from mlmismatch.extend.classroom import class_summary

forgetful = key.groupby("mismatch_id").head(1).assign(coder="forgetful")
perfect = key.assign(coder="perfect")
class_codings = pd.concat([both.codings, forgetful, perfect], ignore_index=True)
summary = class_summary(class_codings, both.codebook, key="answer key")
summary.students[summary.students.level == "subcategory"].round(2)

# %% [markdown]
# The codes this class found hardest (lowest F1 against the key; `n_students_missed`: how many
# students left the code out where the key has it):

# %%
summary.hardest("subcategory", 5)[["code", "n_key", "n_found", "n_missed", "n_extra", "f1", "n_students_missed"]].round(2)

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar under your cell to open it; on the documentation site, click "Solution". Try first.
#
# ### Exercise 1 — exact matches
# On how many of the eight mismatches do `my_codes` and the answer key give exactly the same set of
# codes? Store the number in `n_exact_matches`. (Replace `my_codes` with your own coding first, and
# rerun the notebook: which categories do you disagree on most?)

# %% tags=["exercise"]
n_exact_matches = None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
codes_of = both.codings.groupby(["coder", "mismatch_id"]).apply(
    lambda g: frozenset(zip(g.category_code, g.subcategory)), include_groups=False)
n_exact_matches = sum(codes_of.get(("me", m)) == codes_of.get(("answer key", m)) for m in examples.mismatch_id)
print(f"{n_exact_matches} of {len(examples)} mismatches coded exactly as the key")

# %% [markdown]
# ### Exercise 2 — add the new codes
# Give T01-06 the extension code `(TM) Explanation Requirements` and T01-08 the code
# `(HO) Escalation Procedures`, **in addition** to the codes `my_codes` gives them. Recompute the
# pooled Cohen's kappa at the **subcategory** level against the key, before (`kappa_before`) and
# after (`kappa_after`). Why can adding a code raise kappa even though it is a new code?

# %% tags=["exercise"]
kappa_before, kappa_after = None, None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
def pooled_kappa(codes: dict) -> float:
    table = pd.DataFrame([{"mismatch_id": m, "coder": "me", "category": c, "subcategory": s}
                          for m, pairs in codes.items() for c, s in pairs])
    path = Path(tempfile.mkdtemp()) / "codes.csv"
    table.to_csv(path, index=False)
    rnd = rounds.read_round([path, TEACHING / "answer_key.csv"], study.codebook, extension=TEACHING / "extension.csv")
    s = agreement(rnd.codings, rnd.codebook, levels=("subcategory",), n_boot=50, seed=0).summary
    return float(s[(s.scope == "overall") & (s.statistic == "cohen_kappa")].estimate.iloc[0])


extended = {m: list(pairs) for m, pairs in my_codes.items()}
extended["T01-06"] = extended["T01-06"] + [("TM", "Explanation Requirements")]
extended["T01-08"] = extended["T01-08"] + [("HO", "Escalation Procedures")]
kappa_before, kappa_after = pooled_kappa(my_codes), pooled_kappa(extended)
print(f"Cohen's kappa (subcategories, pooled): {kappa_before:.3f} -> {kappa_after:.3f}")
# The key uses the two new codes. Without them, each is a code the key has and you do not: a
# disagreement. With them, both coders mark the code present: the agreement on "present" rises.

# %% [markdown]
# ### Exercise 3 — a new category?
# Is "Human Oversight" really a new *category* (a new system element), or information about an
# existing one (for example the Operational Environment)? Decide, and store `"new category"` or
# `"existing category"` in `human_oversight_verdict`. What would the study's coders have done, given
# their question "what element of an ML system does the information refer to"?

# %% tags=["exercise"]
human_oversight_verdict = None  # "new category" or "existing category"

# %% tags=["solution"] jupyter={"source_hidden": true}
human_oversight_verdict = "existing category"
print(human_oversight_verdict)
# One reasoning: who reviews the model's decisions and how to fall back to a manual process is
# information about the operational environment the model runs in (its people and procedures), so
# the study's question points at Operational Environment; a new subcategory there would do. The other
# view: the study's categories are technical elements, and the people around the system are none of
# them. Either way, write the argument into the code's description: that is what coders will read.
