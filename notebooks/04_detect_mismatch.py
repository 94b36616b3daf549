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
# # 04 — Detecting mismatch in a system's descriptors
#
# **Learning goals.** After this lesson you can
# 1. describe the three checks that find mismatches before integration: schema validation,
#    cross-descriptor rules (predicates over attributes) and information gaps;
# 2. read a finding: which rule, which descriptors and paths, which mismatch subcategories it guards
#    against, and why a gap ranks high (how often the study saw it, how important respondents rated it);
# 3. fix a planted mismatch and show with a re-run that it is gone;
# 4. explain what the run-time drift test (paper Fig. 7) can and cannot tell, and how its verdict
#    depends on the number of observations.
#
# **Time needed:** about 40 minutes (20 to read and run, 20 for the exercises).
#
# **You need:** SEI's published descriptor schemas (`MLMISMATCH_DATA_DIR` or `mlmismatch fetch`); the
# study's workbooks for the ranking. Notebook 03 explains where the rules and the gaps come from.
#
# ## Detection in brief
# The study's end goal is *detection*: every team describes its system element (raw data, trained
# model, production environment, ...) in a machine-readable **descriptor**, and a tool points out what
# is missing and what contradicts, before the mismatch costs weeks of integration work.
#
# This notebook walks through one example system, a subscriber **churn** predictor whose eight
# descriptors (`descriptors/examples/customer-churn/`) were written for this project with planted
# mismatches. The same checks run from the command line:
#
# ```
# mlmismatch check descriptors/examples/customer-churn            # grouped, coloured
# mlmismatch check descriptors/examples/customer-churn -f sarif   # for code-scanning views
# ```
#
# The published SEI descriptor schemas are read through `mlmismatch`'s pinned sources
# (`MLMISMATCH_DATA_DIR` or `mlmismatch fetch`). First, the documents of the system:

# %%
import pandas as pd

from mlmismatch.study import coding
from mlmismatch import detection as detect
from mlmismatch.detection import drift
from mlmismatch.mapping import predicates
from mlmismatch.descriptors import schemas
from mlmismatch.study import survey
from mlmismatch.analyses import survey_stats
from mlmismatch.core import resources

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.width", 160)
SYSTEM = resources.path("examples", "customer-churn")
docs = detect.load_system(SYSTEM)
pd.DataFrame([{"file": d.name, "descriptor": d.kind, "version": d.version} for d in docs])

# %% [markdown]
# Each document names its kind by its file name and its schema version in `version`; documents of
# older versions (1.0, 1.1) are validated against their own schema and migrated in memory to 1.2
# for the other steps (`mlmismatch descriptors migrate` writes the upgrade).
#
# ## Step 1 — validation
# Every schema error of every document, with file and JSON path (format checking on: dates, URIs).

# %%
invalid = detect.validate_documents(docs)
pd.DataFrame([{"file": f.files[0], "path": f.paths[0], "error": f.message.split(": ", 1)[1]} for f in invalid])

# %% [markdown]
# ## Step 2 — cross-descriptor rules
# The rules are data (`data/rules/rules.yaml`): a predicate over attribute paths of one or more
# descriptors, a message, a rationale, the study's mismatch subcategories, and the number of the
# corresponding rule in SEI's TEC tool.

# %%
table = predicates.rules_table()
table[["rule_id", "sei_rule", "descriptors", "predicate"]].head(8)

# %%
found = detect.rule_findings(docs)
pd.DataFrame([{"rule": f.rule_id, "SEI": f.sei_rule, "message": f.message} for f in found])

# %% [markdown]
# R23 deserves a look: the training data's mean of `monthly_charges` (65.0) differs from the
# production mean (72.0). SEI's rule 15 pairs statistics by their *property* only, takes the first
# production "mean" (which is on `tenure_months`), sees a different field and moves on: it never
# compares this one. R23 pairs on (property, mapped field).
#
# ## Step 3 — information gaps, ranked by the study
# Attributes left empty leave the system open to the mismatch subcategories mapped to them
# (`data/mapping/subcategory_attributes.csv`). The ranking uses how often the study's interviews
# saw each subcategory and how important the survey respondents rated it. Those two small tables ship
# with the package (`detect.packaged_weights()`, so `check` needs no study data); here we recompute
# them from the workbooks to see that they are the same.

# %%
cod = coding.load_coding()
sur = survey.load_survey()
importance = survey_stats.important_by_role(sur.responses, sur.items)
weights = detect.weights_from_study(cod.instances, importance)
assert weights.frequency == detect.packaged_weights().frequency
mapping = detect.load_mapping()
gaps = detect.rank_gaps(detect.information_gaps(docs, mapping), weights)
pd.DataFrame([{"path": g.paths[0], "subcategories": "; ".join(g.subcategories), "instances": g.frequency,
               "important %": g.importance} for g in gaps])

# %% [markdown]
# `--role` re-ranks by what one role rated important, e.g. what a data scientist would most miss:

# %%
for role in weights.roles():
    top = detect.rank_gaps(gaps, weights, role=role)[0]
    print(f"{role:>22}: {top.paths[0]}  ({'; '.join(top.subcategories)}, {top.importance:.0f} % important)")

# %% [markdown]
# ## Everything at once, in the JSON contract
# `check` runs the three steps; `--format json` gives each finding's `kind`, `rule_id`, `sei_rule`,
# `descriptors`, `paths`, `message` and `subcategories`. Exit code: 0 clean, 1 findings, 2 bad input.

# %%
report = detect.check(SYSTEM, mapping=mapping, instances=cod.instances, importance=importance)
print(report.counts(), "exit code", report.exit_code())
pd.DataFrame([f.to_dict() for f in report.findings])[["kind", "rule_id", "sei_rule", "descriptors", "paths"]].head(10)

# %% [markdown]
# ## At run time — the drift test (Fig. 7)
# Descriptors agreeing is not the end: once in production, the label distribution can move away
# from the training data. `mlmismatch drift` runs a chi-square test between the distribution in the
# Training Data descriptor and production data. Here the production descriptor says 26 % churn
# against 20 % in training; how surprising that is depends on how many subscribers it is based on.

# %%
td = next(d for d in docs if d.kind == "training_data").migrated
pdd = next(d for d in docs if d.kind == "production_data").migrated
for n in (50, 500):
    result = drift.chi_square_drift(drift.training_distribution(td), drift.counts_from_descriptor(pdd, n))
    print(f"n = {n:>4}: chi2 = {result.statistic:.2f}, p = {result.p_value:.3g} -> {result.verdict}")
result.movers()

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar under your cell to open it; on the documentation site, click "Solution". Try first.
#
# ### Exercise 1 — fix a planted mismatch
# Copy the churn system into a scratch folder (`shutil.copytree`), change the production data's mean
# of `monthly_charges` so that it agrees with the training data (R23 above), and run `detect.check`
# on the copy. Store the sorted rule ids that still fire (findings of kind `rule`, each id once) in
# `rules_after_fix`. Did anything else change? Is agreeing on a mean enough to say the data agree?

# %% tags=["exercise"]
rules_after_fix = []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
import shutil
import tempfile
from pathlib import Path

import yaml

fixed = Path(tempfile.mkdtemp()) / "customer-churn"
shutil.copytree(SYSTEM, fixed)
production = yaml.safe_load((fixed / "production_data.yaml").read_text(encoding="utf-8"))
for stat in production["statistics"]:
    if stat["property"] == "mean" and stat["field"] == "monthly_charges":
        stat["value"] = "65.0"  # the training data's mean
(fixed / "production_data.yaml").write_text(yaml.safe_dump(production, sort_keys=False), encoding="utf-8")
after = detect.check(fixed, mapping=mapping, instances=cod.instances, importance=importance)
rules_after_fix = sorted({f.rule_id for f in after.findings if f.kind.value == "rule"})
print("still firing:", rules_after_fix)
# Only R23 is gone. Equal means say little: two distributions with the same mean can differ in spread
# or shape, which is why the descriptors also record other statistics and the label distribution.

# %% [markdown]
# ### Exercise 2 — how many observations make a drift?
# The production descriptor says 26 % churn against 20 % in training. Find the **smallest** number of
# production observations `n` for which the drift test rejects at the 5 % level (p < 0.05), and
# store it in `smallest_significant_n`. What does that tell you about reading a drift verdict without
# knowing `n`?

# %% tags=["exercise"]
smallest_significant_n = None  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
training = drift.training_distribution(td)
smallest_significant_n = next(n for n in range(10, 5001)
                              if drift.chi_square_drift(training, drift.counts_from_descriptor(pdd, n)).p_value < 0.05)
print("smallest n with p < 0.05:", smallest_significant_n)
# The same shift of 6 points is "no drift" for a small sample and "drift" for a large one: a verdict
# without n (and without the size of the shift) says little.
