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
# # 03 — From mismatches to descriptors: the mapping, its gaps, and the derived schemas
#
# The paper's Phase 2 (Section V, Fig. 6) planned to map every mismatch to the **attributes of
# system elements** that would have carried the missing information, to write detectable mismatches
# as **predicates over attributes**, to run a **gap analysis**, and to codify the attributes as JSON
# Schema descriptors. The authors never published that matrix; SEI later published descriptors
# (1.0, 1.1, 1.2). This notebook walks through the matrix curated in `data/mapping/`, what it covers,
# and how the descriptors it implies compare with the published ones.
#
# Only ids, codes and numbers are shown: the mismatch texts are read (for the text evidence) but
# never printed.

# %%
import pandas as pd

from mlmismatch.study import coding
from mlmismatch.mapping import derive as descriptors
from mlmismatch.mapping import matrix as mapping
from mlmismatch.mapping import figures as mapping_figures
from mlmismatch.descriptors import schemas

pd.set_option("display.width", 160)
data = coding.load_coding()
attrs = schemas.attributes()  # the published schemas, all versions, through the sources registry
md = mapping.load_mapping(codebook=data.codebook, mismatch_ids=data.mismatches["mismatch_id"], attributes=attrs)
m = md.attributes
print(f"{len(m)} mapping rows for {m[['category', 'subcategory']].drop_duplicates().shape[0]} subcategories; "
      f"{len(md.practices)} practices, {len(md.practice_subcategory)} practice links")

# %% [markdown]
# ## The published attributes
# `mlmismatch.descriptors.schemas.attributes()` lists every attribute of the eight descriptors in each version
# (top level and one level into objects and arrays of objects). Schemas are chosen by (descriptor,
# version), never by `$id`: 1.1 and 1.2 share their `$id`s.

# %%
attrs.groupby(["descriptor", "version"]).size().unstack()

# %% [markdown]
# ## The mapping: one row per (subcategory, attribute)
# Each row names a 1.2 path (and the 1.0 path where it differs), a status (`published`, `proposed`
# when no published version records the information, `none` when no attribute can), the rules of
# `data/rules/rules.yaml` that read the attribute to detect the subcategory's mismatches, the ids of
# the mismatches whose "information not communicated" supports the row, and a one-sentence rationale.

# %%
m[["category_code", "subcategory", "descriptor", "path", "path_1_0", "status", "rule_id", "evidence"]].head(12)

# %%
m.groupby("status").size()

# %% [markdown]
# ## The matrix (Fig. 6 in spirit)
# Subcategories grouped by category against attributes grouped by descriptor; the right-hand column
# is the formalization: the rule ids whose predicates detect the subcategory's mismatches.

# %%
fig = mapping_figures.fig_mapping_matrix(m, data.codebook)

# %% [markdown]
# ## Gap analysis
# 1. Subcategories no published attribute covers (per version);
# 2. attributes no subcategory needs (per version);
# 3. subcategories no practice from the literature addresses.

# %%
mapping.gap_uncovered_subcategories(m, data.codebook, data.instances, attrs)

# %%
unneeded = mapping.gap_unneeded_attributes(m, attrs)
unneeded.groupby(["version", "descriptor"]).size().unstack(0)

# %%
mapping.gap_unaddressed_subcategories(md.practice_subcategory, data.codebook, data.instances)

# %% [markdown]
# Every subcategory has at least one published attribute, even in 1.0. The finer gap is the
# information interviewees asked for that no published version records: the **proposed** attributes.

# %%
m[m["status"] == "proposed"][["subcategory", "descriptor", "path", "evidence"]]

# %% [markdown]
# ## Coverage per category, weighted by coded instances and by survey importance
# *Covered*: at least one attribute of the subcategory exists in that version; *complete*: all of them
# do. Weights: the coded instances, and each survey role's share rating the subcategory Important or
# Very Important (Table II).

# %%
try:
    from mlmismatch.study import survey
    from mlmismatch.analyses import survey_stats

    s = survey.load_survey()
    table2 = survey_stats.important_by_role(s.responses, s.items)
except Exception as exc:  # the survey is optional here
    print("survey not available:", exc)
    table2 = None
cov = pd.concat([mapping.coverage_by_category(m, data.codebook, data.instances, table2, attrs, v)
                 for v in ("1.0", "1.1", "1.2")])
cols = ["category", "version", "n_covered", "n_complete", "pct_instances_complete"] + \
       [c for c in cov.columns if c.startswith("pct_important_complete_")]
cov[cov["category"] == "All"][cols].round(1)

# %% [markdown]
# ## "Most mismatches are just information sharing"?
# The authors said informally that most mismatches only need information to be shared and the rest
# need rules. Share of coded instances whose subcategory is covered only by recording an attribute,
# versus also by a predicate over attributes:

# %%
split = mapping.sharing_vs_predicate(m, data.codebook, data.instances)
split[split["category"] == "All"].round(1)

# %% [markdown]
# Measured this way, most coded instances fall in subcategories that some rule can check. A rule
# usually checks only one aspect of a subcategory's information (e.g. that every goal has a metric),
# so this is an upper bound on what predicates detect; at the attribute level, most attributes are
# still information sharing:

# %%
(m.loc[m["status"] != "none", "rule_id"] != "").value_counts().rename({True: "read by a rule", False: "sharing only"})

# %% [markdown]
# ## Text evidence
# Does the wording of the mismatches point at the curated attributes? TF-IDF over each subcategory's
# "information not communicated" texts and each attribute's path and description, cosine similarity,
# scored against the curated mapping. This validates the mapping; it does not replace it.

# %%
res = mapping.text_evidence(data.mismatches, data.instances, data.codebook, attrs, m, k=5)
print(mapping.random_baseline(m, attrs, data.codebook, k=5))
res["summary"].round(3)

# %%
res["disagreements"].head(10)

# %% [markdown]
# ## Derived descriptors and the published ones
# `mlmismatch descriptors derive` writes `descriptors/derived/<kind>_schema.json` with exactly the
# attributes the mapping requires, each traced to subcategories, instance counts and survey importance.

# %%
derived = {k: schemas.read_schema_file(schemas.derived_path(k)) for k in schemas.KINDS}
tm = derived["trained_model"]["properties"]["model_version"]
{k: tm[k] for k in ("type", "description", "x-mlmismatch-trace")}

# %%
table = descriptors.comparison_table(derived, attrs)
table[table["descriptor"] == "All"].round(1)

# %%
detail = descriptors.compare(derived, attrs)
detail[(detail["version"] == "1.0") & (detail["side"] == "only derived")][["descriptor", "path", "meaning"]]
