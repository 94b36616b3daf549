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
# # 03 — From mismatches to descriptors: the mapping, where it is uncertain, and the derived schemas
#
# **Learning goals.** After this lesson you can
# 1. explain what it means to *map* a mismatch subcategory to a descriptor attribute, and read one
#    row of the mapping: the attribute, its status, the rules that read it, its evidence and rationale;
# 2. say where the mapping is uncertain (it is a curated judgement, not a measurement) and which
#    evidence speaks for or against a link;
# 3. judge a link yourself, using the codebook, the attribute's own description and the text evidence;
# 4. read a gap analysis and the comparison of the derived descriptors with SEI's published ones.
#
# **Time needed:** about 50 minutes (25 to read and run, 25 for the exercises, most of it for
# judging a link).
#
# **You need:** the study's coding workbook and SEI's descriptor schemas (`MLMISMATCH_DATA_DIR` or
# `mlmismatch fetch`); the survey is optional. Notebook 01 first.
#
# ## What the mapping is
#
# The paper's Phase 2 (Section V, Fig. 6) planned to turn the coded mismatches into something a tool
# can check. The idea: a mismatch happened because some information about a system element was not
# passed on. If each element had a machine-readable **descriptor** (a JSON document describing the
# trained model, the training data, the production environment, ...), the missing information would
# be an **attribute** of one of these descriptors. So for every subcategory we ask:
#
# > *Which descriptor attribute, had it been filled in and read, would have carried the information
# > that was not communicated in the mismatches coded with this subcategory?*
#
# The answer is one row of the mapping per (subcategory, attribute). Some information can also be
# **checked** across descriptors, for example "the model needs a GPU, the production environment has
# none": such a check is a **predicate** over attributes (a rule in `data/rules/rules.yaml`), and the
# row names the rules that read the attribute.
#
# The authors never published their matrix; SEI later published descriptor schemas (1.0, 1.1, 1.2).
# The mapping used here (`data/mapping/subcategory_attributes.csv`) was curated for this toolkit by
# reading, for every subcategory, the coded mismatches' "information not communicated" and the
# schemas' attribute descriptions. **It is a judgement**: this notebook shows the evidence for it, and
# where it is weak.
#
# Only ids, codes and numbers are shown: the mismatch texts are read (for the text evidence below)
# but never printed.

# %%
import pandas as pd

from mlmismatch.study import coding
from mlmismatch.mapping import derive as descriptors
from mlmismatch.mapping import matrix as mapping
from mlmismatch.mapping import figures as mapping_figures
from mlmismatch.mapping import practices
from mlmismatch.mapping.practices import gaps as practice_gaps
from mlmismatch.descriptors import schemas

pd.set_option("display.width", 160)
data = coding.load_coding()
attrs = schemas.attributes()  # the published schemas, all versions, through the sources registry
md = mapping.load_mapping(codebook=data.codebook, mismatch_ids=data.mismatches["mismatch_id"], attributes=attrs)
m = md.attributes
pc = practices.load_default(data)  # the rated practice matrix (data/practices): corpus, two ratings, adjudication
print(f"{len(m)} mapping rows for {m[['category', 'subcategory']].drop_duplicates().shape[0]} subcategories; "
      f"{len(pc.practices)} practices, {len(pc.accepted)} accepted practice links")

# %% [markdown]
# ## The published attributes
# `mlmismatch.descriptors.schemas.attributes()` lists every attribute of the eight descriptors in each version
# (top level and one level into objects and arrays of objects). Schemas are chosen by (descriptor,
# version), never by `$id`: 1.1 and 1.2 share their `$id`s.

# %%
attrs.groupby(["descriptor", "version"]).size().unstack()

# %% [markdown]
# ## Reading one row of the mapping
# Each row names
# - the subcategory (category code and name) and the **descriptor** and attribute **path** in the 1.2
#   schema (with the 1.0 path where it differs, `-` where 1.0 has none);
# - a **status**: `published` (the attribute exists in a published schema), `proposed` (the study
#   found this information missing and *no* published version records it: the path is our proposal),
#   or `none` (no attribute can carry it);
# - the **rules** (`rule_id`) whose predicates read the attribute to detect the subcategory's mismatches;
# - the **evidence**: ids of coded mismatches whose "information not communicated" supports the row;
# - a one-sentence **rationale**, in our words.
#
# Here is one row in full: the Trained Model's version.

# %%
one = m[(m.category_code == "TM") & (m.subcategory == "Versioning")].iloc[0]
one[["category_code", "subcategory", "descriptor", "path", "path_1_0", "status", "rule_id", "evidence", "rationale"]]

# %% [markdown]
# And the published schema's own description of that attribute (SEI's words, version 1.2): does it
# say what the mismatches missed?

# %%
attrs[(attrs.descriptor == one.descriptor) & (attrs.version == "1.2") & (attrs.path == one.path)][["path", "type", "description"]]

# %% [markdown]
# The first rows, and how many rows have each status:

# %%
m[["category_code", "subcategory", "descriptor", "path", "path_1_0", "status", "rule_id", "evidence"]].head(12)

# %%
m.groupby("status").size()

# %% [markdown]
# ## The matrix (Fig. 6 in spirit)
# Subcategories grouped by category against attributes grouped by descriptor; the right-hand column
# is the formalization: the rule ids whose predicates detect the subcategory's mismatches.

# %%
mapping_figures.fig_mapping_matrix(m, data.codebook)

# %% [markdown]
# ## Where the mapping is uncertain
# A mapping row is a claim: *"this attribute would have carried that information"*. Four things make
# a claim weaker, and you should look at them before you rely on a row:
#
# 1. **Little evidence.** A row supported by one coded mismatch rests on one interviewee's story.
# 2. **Many attributes for one subcategory.** When a subcategory maps to many attributes, the
#    information it names is broad (e.g. *Data Statistics*), and any one attribute covers part of it.
# 3. **The text disagrees.** Below, a TF-IDF ranking compares the mismatches' wording with the
#    attributes' descriptions. A curated attribute the text ranks low, or a high-ranked attribute the
#    curator left out, is worth a second look. The ranking is weak evidence (short texts, different
#    vocabularies), so it validates the mapping without replacing it.
# 4. **Versions differ.** A row can hold for 1.2 and not for 1.0 (`path_1_0 == "-"`), and *proposed*
#    attributes exist in no published version at all.
#
# Evidence per row, and attributes per subcategory:

# %%
m["n_evidence"] = m["evidence"].map(lambda e: len([x for x in str(e).split(";") if x.strip()]))
print(m.groupby("n_evidence").size().rename("rows").to_frame().T)
per_sub = m.groupby(["category_code", "subcategory"]).size().sort_values(ascending=False, kind="stable")
per_sub.head(5).rename("attributes").to_frame()

# %% [markdown]
# ## Gap analysis
# 1. Subcategories no published attribute covers (per version);
# 2. attributes no subcategory needs (per version);
# 3. subcategories no practice from the literature addresses (in the accepted practice matrix: both
#    raters linked, or the adjudication did), with their coded instances.

# %%
mapping.gap_uncovered_subcategories(m, data.codebook, data.instances, attrs)

# %%
unneeded = mapping.gap_unneeded_attributes(m, attrs)
unneeded.groupby(["version", "descriptor"]).size().unstack(0)

# %%
instances_by_sub, importance = practice_gaps.load_weights()
practice_gaps.unaddressed_subcategories(practice_gaps.subcategory_gaps(pc, instances_by_sub, importance))

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
# ## Text evidence: does the wording of the mismatches point at the curated attributes?
# For every subcategory, the "information not communicated" texts of its coded mismatches form one
# document; every attribute's path and description form another. TF-IDF and cosine similarity rank
# the attributes for each subcategory, and the ranking is scored against the curated mapping
# (precision and recall among the top 5, mean average precision), beside what a random ranking would
# score. The texts stay inside the computation: only ids, paths and scores come out.

# %%
res = mapping.text_evidence(data.mismatches, data.instances, data.codebook, attrs, m, k=5)
print(mapping.random_baseline(m, attrs, data.codebook, k=5))
res["summary"].round(3)

# %% [markdown]
# Per subcategory, how well the text ranking finds the curated attributes (`average_precision`: 1
# means the curated attributes are ranked first; near 0, the text points elsewhere):

# %%
res["scores"].sort_values("average_precision", kind="stable")[
    ["category", "subcategory", "n_curated", "hits_at_k", "average_precision"]].head(8).round(3)

# %% [markdown]
# And the disagreements: attributes in the text's top 5 that the curator did not map, and curated
# attributes outside the top 5.

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

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your code. The solution follows in a **collapsed cell**: in Jupyter,
# click the bar under your cell to open it; on the documentation site, click "Solution". Try first.
#
# ### Exercise 1 — thin evidence
# How many mapping rows (status `published` or `proposed`) rest on **exactly one** coded mismatch?
# Store the number in `n_single_evidence`, and list the subcategory labels (`"(TM) Versioning"`
# form) of those rows in `single_evidence_subcategories` (each label once, sorted). Would you drop
# these rows, or look for more evidence? Where would you look?

# %% tags=["exercise"]
n_single_evidence, single_evidence_subcategories = None, []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
ids = m["evidence"].fillna("").map(lambda e: [x for x in e.split(";") if x.strip()])
thin = m[(m["status"] != "none") & (ids.map(len) == 1)]
n_single_evidence = len(thin)
single_evidence_subcategories = sorted({f"({c}) {s}" for c, s in zip(thin.category_code, thin.subcategory)})
print(n_single_evidence, "rows;", single_evidence_subcategories)
# One story is enough to show that the information *can* go missing, not that it often does. More
# evidence: other coded mismatches of the same subcategory whose texts mention the attribute, the
# practices accepted for the subcategory (pc.accepted), or a new coding round (notebook 05).

# %% [markdown]
# ### Exercise 2 — judge a link yourself
# Take the subcategory whose curated attributes the text ranks **worst** (lowest `average_precision`
# in `res["scores"]`; the first one if several tie). Store its label (`"(XX) Name"`) in
# `weakest_subcategory`. Then judge its links:
# 1. read the subcategory's description in the codebook (`data.codebook`);
# 2. look at its curated rows in `m` (path, status, evidence, rationale) and at each attribute's
#    description in `attrs` (version 1.2);
# 3. look at the attributes the text ranked first for it (`res["ranking"]`);
# 4. decide for each curated path whether you would **keep** it, **drop** it, or **replace** it with
#    one of the text's attributes, and write your verdict in `my_verdicts` (path -> verdict).
#
# There is no single right verdict; the solution shows one reasoning. Compare yours with a
# colleague's: where you disagree is exactly where the mapping is uncertain.

# %% tags=["exercise"]
weakest_subcategory = None  # your code here
my_verdicts = {}  # e.g. {"schema[].field_name": "keep"}

# %% tags=["solution"] jupyter={"source_hidden": true}
scores = res["scores"]
worst = scores.sort_values("average_precision", kind="stable").iloc[0]
code = data.codebook.loc[(data.codebook.category == worst.category) & (data.codebook.subcategory == worst.subcategory),
                         "category_code"].iloc[0]
weakest_subcategory = f"({code}) {worst.subcategory}"
print(weakest_subcategory, "- average precision", round(float(worst.average_precision), 3))
print("codebook:", data.codebook.loc[(data.codebook.category_code == code)
                                     & (data.codebook.subcategory == worst.subcategory), "description"].iloc[0])
rows = m[(m.category_code == code) & (m.subcategory == worst.subcategory)]
v12 = attrs[attrs.version == "1.2"].set_index(["descriptor", "path"])["description"]
for r in rows.itertuples():
    print(f"- curated {r.descriptor}.{r.path} [{r.status}; {r.n_evidence} evidence; rules {r.rule_id or '-'}]: "
          f"{v12.get((r.descriptor, r.path), '(proposed: no published description)')}")
top = res["ranking"][(res["ranking"].category == worst.category) & (res["ranking"].subcategory == worst.subcategory)]
print("text's top 3:", [f"{d}.{p}" for d, p in zip(top.descriptor[:3], top.path[:3])])
my_verdicts = {r.path: "keep" for r in rows.itertuples()}
# One reasoning: the curated attributes say what the codebook's description asks for, while the text's
# top attributes share words with the mismatch texts (data, model, ...) but not their meaning. A low
# text score here says more about the vocabulary of short texts than about the link, so keep the rows,
# unless an attribute's own description contradicts the codebook.

# %% [markdown]
# ### Exercise 3 — what 1.0 lacks
# Which subcategories does SEI's **1.0** schema not cover completely, i.e. some attribute the mapping
# names for them (status `published`) has no 1.0 path (`path_1_0 == "-"`)? Store their labels
# (`"(XX) Name"`, sorted, each once) in `incomplete_in_1_0`.

# %% tags=["exercise"]
incomplete_in_1_0 = []  # your code here

# %% tags=["solution"] jupyter={"source_hidden": true}
lacking = m[(m["status"] == "published") & (m["path_1_0"] == "-")]
incomplete_in_1_0 = sorted({f"({c}) {s}" for c, s in zip(lacking.category_code, lacking.subcategory)})
print(len(incomplete_in_1_0), "subcategories:", incomplete_in_1_0)
