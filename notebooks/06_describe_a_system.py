# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,jupyter,-all
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
# # 06 — Let the artefacts describe themselves
#
# **Learning goals.** After this lesson you can
# 1. write the descriptors of a small ML system from its data, its model and the machine it runs on,
#    in a few lines;
# 2. tell the information an artefact can give about itself from the information only a person can
#    give, and say why `describe` leaves the latter empty;
# 3. use `check` and the drift test to find a mismatch when the production data changes.
#
# **Time needed:** about 35 minutes (20 to read and run, 15 for the exercises).
#
# **You need:** SEI's published descriptor schemas (`MLMISMATCH_DATA_DIR` or `mlmismatch fetch`);
# nothing of the study's workbooks.
#
# The study found that mismatches come from information that was **not shared**. Most of it is not
# secret, just never written down: the fields of the training data and their types, the label shares,
# the classes a model outputs, the frameworks installed where it runs. `mlmismatch describe` reads
# that from the artefacts themselves and leaves every field it cannot know **empty**, so that
# `mlmismatch check` reports it as an information gap instead of accepting a made-up value.
#
# The same from the command line:
#
# ```
# mlmismatch describe training_data train.csv --label species --into system/
# mlmismatch describe trained_model model.onnx --into system/
# mlmismatch describe development_environment --into system/
# mlmismatch check system/
# ```

# %%
import json
import tempfile
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlmismatch import check
from mlmismatch.describe import describe
from mlmismatch.detection import drift

SYSTEM = Path(tempfile.mkdtemp(prefix="iris-system-"))

# %% [markdown]
# ## A small system
# The iris data that ships with scikit-learn, split into the data a model is trained on and the data
# it later sees in production, and a fitted pipeline.

# %%
bunch = load_iris(as_frame=True)
data = bunch.data.assign(species=bunch.target_names[bunch.target])
train, production = train_test_split(data, test_size=0.3, random_state=0, stratify=data["species"])
features = [c for c in data.columns if c != "species"]
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(train[features], train["species"])
len(train), len(production)

# %% [markdown]
# ## Describe what can be described
# Each call writes one valid 1.2 document into the system's folder.

# %%
described = {
    "training_data": describe("training_data", train, label="species", into=SYSTEM),
    "production_data": describe("production_data", production, label="species", into=SYSTEM),
    "trained_model": describe("trained_model", model, X=train[features], into=SYSTEM),
    "development_environment": describe("development_environment", into=SYSTEM),
    "production_environment": describe("production_environment", into=SYSTEM),
}
sorted(p.name for p in SYSTEM.iterdir())

# %% [markdown]
# What the training data said about itself: its fields with types and ranges, and the label shares.
# The descriptions, how missing values are treated, and which production field each field maps to
# are empty: only a person knows them.

# %%
td = described["training_data"].document
pd.DataFrame(td["schema"])[["field_name", "label_field", "field_type", "expected_values", "mapping_production_data"]]

# %%
pd.DataFrame(td["distribution"])

# %% [markdown]
# And the model: its algorithm, what it outputs, what it expects as input, what it depends on.

# %%
tm = described["trained_model"].document
{k: tm[k] for k in ("model_components", "ml_frameworks", "decisions_assumptions", "system_dependencies")}

# %% [markdown]
# ## What `check` says
# Three descriptors (the system context, the raw data, the pipeline) need a person altogether; the
# rest are gaps in fields only a person can fill, and three rules that fail because of such a field:
# the model's output is not yet mapped to the component that consumes it (R04), and the training
# fields are not yet mapped to the production fields (R21, R22).

# %%
report = check(SYSTEM)
summary = pd.DataFrame([{"kind": str(f.kind), "rule": f.code, "where": ", ".join(f.paths[:2])} for f in report.findings])
summary.groupby(["kind", "rule"]).size()

# %% [markdown]
# ## The person's part
# A data engineer maps the training fields to the production fields (here they have the same names)
# and the labels to the production labels. The mapping rules are satisfied.

# %%
doc = json.loads((SYSTEM / "training_data.json").read_text())
for field in doc["schema"]:
    field["mapping_production_data"] = field["field_name"]
for share in doc["distribution"]:
    share["mapping_production_data"] = share["label"]
(SYSTEM / "training_data.json").write_text(json.dumps(doc, indent=2))
sorted(set(check(SYSTEM).rule_ids("rule")))

# %% [markdown]
# R23 compares each statistic of the training data with the same statistic of the production data
# and, like SEI's TEC tool, asks for equality: two samples never have exactly the same mean, so it
# flags every one. Whether the difference matters is what the drift test answers (the paper's
# Fig. 7): a chi-square test of the production label counts against the training shares.

# %%
result = drift.chi_square_drift(drift.training_distribution(doc),
                                drift.counts_from_descriptor(described["production_data"].document, None))
result.verdict

# %% [markdown]
# ## Production changes
# Months later the production data comes from a new source that sees mostly one species. Describe it
# again: the document a person already completed is updated, never overwritten, and what disagrees
# with the new data is listed.

# %%
shifted = pd.concat([production[production.species == "setosa"]] * 4 + [production[production.species != "setosa"].head(6)])
again = describe("production_data", shifted, label="species", into=SYSTEM)
[f.message for f in again.findings][:4]

# %% [markdown]
# The descriptor still records the old shares (a person wrote them; `describe` reports the
# disagreement and keeps them). Describe into a fresh folder to see what the new data says, and run
# the drift test on it:

# %%
fresh = Path(tempfile.mkdtemp(prefix="iris-new-"))
new_doc = describe("production_data", shifted, label="species", into=fresh).document
result = drift.chi_square_drift(drift.training_distribution(doc), drift.counts_from_descriptor(new_doc, None))
result.verdict

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar under your cell to open it; on the documentation site, click "Solution". Try first.
#
# ### Exercise 1 — a framework the development environment lacks
# Copy the system folder (`shutil.copytree`) and, in the copy, add `"XGBoost"` to the Trained Model's
# `ml_frameworks`, as if the model had been rebuilt with it. Run `check` on the copy and store the
# sorted rule ids that fire there but not in the original folder in `new_rules`. Which mismatch
# subcategory of the study does the new rule guard against?

# %% tags=["exercise"]
new_rules = []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
import shutil

copy = Path(tempfile.mkdtemp(prefix="iris-copy-")) / "system"
shutil.copytree(SYSTEM, copy)
model_doc = json.loads((copy / "trained_model.json").read_text())
model_doc["ml_frameworks"].append("XGBoost")
(copy / "trained_model.json").write_text(json.dumps(model_doc, indent=2))
before, after = set(check(SYSTEM).rule_ids("rule")), set(check(copy).rule_ids("rule"))
new_rules = sorted(after - before)
print(new_rules, [f.subcategories for f in check(copy).findings if f.code in new_rules][:1])
# R14: the development environment does not have a framework the model needs, a mismatch of the
# (DE) and (TM) kind the study coded as "Programming Language/ML Framework/Tools/Libraries".

# %% [markdown]
# ### Exercise 2 — a model fitted on an array
# Fit the same pipeline on `train[features].to_numpy()` instead of the DataFrame and describe it
# (`describe("trained_model", array_model).document`). Store its `decisions_assumptions[0]` in
# `array_inputs`. What does the descriptor lose, and which mismatch could that hide?

# %% tags=["exercise"]
array_inputs = ""  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
array_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(train[features].to_numpy(),
                                                                                    train["species"])
array_inputs = describe("trained_model", array_model).document["decisions_assumptions"][0]
print(array_inputs)
# The feature names are gone: the model only knows it expects four columns, so a production system
# that sends them in another order would not be caught by anything the model says about itself.
