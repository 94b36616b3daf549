"""The curated mapping: loading and checking (bad input -> one-line errors), gap analysis, split, text evidence.

Small inputs built here: a 5-subcategory codebook, a handful of mismatches, two tiny schemas' attributes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from mlmismatch.mapping import matrix as mp
from mlmismatch.core.errors import InputError

CODEBOOK = pd.DataFrame([
    ("TM", "Trained Model", "Versioning", "Version information for trained model"),
    ("TM", "Trained Model", "System Configuration Requirements", "Resources the model needs"),
    ("TD", "Training Data", "Versioning", "Version information for training data"),
    ("OE", "Operational Environment", "Computing Resources", "Resources available in production"),
    ("OD", "Operational Data", "Data Rates", "Rates of operational data"),
], columns=["category_code", "category", "subcategory", "description"])

MISMATCHES = pd.DataFrame([
    ("M01-01", "model version deployed in production"),
    ("M01-02", "number of CPUs and GPUs required by the model"),
    ("M02-01", "computing resources available in production, memory and GPUs"),
    ("M02-02", "training data version used for the model"),
    ("M03-01", "rate at which data arrives"),
], columns=["mismatch_id", "info_not_communicated"])

INSTANCES = pd.DataFrame([
    ("M01-01", "Trained Model", "Versioning"),
    ("M01-02", "Trained Model", "System Configuration Requirements"),
    ("M02-01", "Operational Environment", "Computing Resources"),
    ("M02-01", "Trained Model", "System Configuration Requirements"),
    ("M02-02", "Training Data", "Versioning"),
    ("M02-02", "Trained Model", "Versioning"),
    ("M03-01", "Operational Data", "Data Rates"),
], columns=["mismatch_id", "category", "subcategory"])


def _attrs(version: str) -> list[tuple]:
    tm = [("model_version", "string", "Trained model version"),
          ("computing_resource_reqs", "object", "Computing resources required"),
          ("computing_resource_reqs.cpu", "integer", "Number of CPUs required"),
          ("computing_resource_reqs.gpu", "integer", "Number of GPUs required"),
          ("model_name", "string", "Trained model name")]
    if version == "1.0":
        tm.append(("old_field", "string", "Only in 1.0"))
    pe = [("computing_resources", "object", "Computing resources available in production"),
          ("computing_resources.cpu", "integer", "Number of CPUs available"),
          ("computing_resources.gpu", "integer", "Number of GPUs available"),
          ("documentation", "array[object]", "Links")]
    td = [("dataset_version", "string", "Dataset version")]
    rows = [("trained_model", version, p, t, True, "", d) for p, t, d in tm]
    rows += [("production_environment", version, p, t, True, "", d) for p, t, d in pe]
    rows += [("training_data", version, p, t, True, "", d) for p, t, d in td]
    rows += [(k, version, "version", "string", True, version, "") for k in ("trained_model", "production_environment",
                                                                          "training_data")]
    return rows


ATTRIBUTES = pd.DataFrame([r for v in ("1.0", "1.1", "1.2") for r in _attrs(v)],
                          columns=["descriptor", "version", "path", "type", "required", "enum", "description"])

HEADER = mp.ATTRIBUTE_COLUMNS
ROWS = [
    ["TM", "Trained Model", "Versioning", "trained_model", "model_version", "", "published", "", "", "M01-01;M02-02",
     "Identifies the model version."],
    ["TM", "Trained Model", "System Configuration Requirements", "trained_model", "computing_resource_reqs.cpu", "",
     "published", "", "R01", "M01-02", "CPUs needed."],
    ["TM", "Trained Model", "System Configuration Requirements", "trained_model", "computing_resource_reqs.gpu", "",
     "published", "", "R01", "M01-02;M02-01", "GPUs needed."],
    ["TD", "Training Data", "Versioning", "training_data", "dataset_version", "", "published", "", "", "M02-02",
     "Versions the training data."],
    ["OE", "Operational Environment", "Computing Resources", "production_environment", "computing_resources.cpu", "",
     "published", "", "R01", "M02-01", "CPUs available."],
    ["OE", "Operational Environment", "Computing Resources", "production_environment", "deployed_model_version", "-",
     "proposed", "string", "", "M02-01", "Proposed: deployed version."],
    ["OD", "Operational Data", "Data Rates", "", "", "", "none", "", "", "M03-01", "No descriptor in this test records rates."],
]
def write_mapping(directory: Path, rows=ROWS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / mp.ATTRIBUTES_FILE, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    return directory


def load(directory: Path) -> mp.MappingData:
    return mp.load_mapping(directory, codebook=CODEBOOK, mismatch_ids=MISMATCHES["mismatch_id"],
                           attributes=ATTRIBUTES, rule_ids={"R01"})


@pytest.fixture
def mapping(tmp_path) -> mp.MappingData:
    return load(write_mapping(tmp_path / "mapping"))


# ------------------------------------------------------------------------------------------ loading

def test_load_valid_mapping(mapping):
    a = mapping.attributes
    assert len(a) == len(ROWS)
    assert list(a["row"]) == list(range(2, 2 + len(ROWS)))
    assert set(a["status"]) == {"published", "proposed", "none"}
    assert not hasattr(mapping, "practices")  # the practice matrix is mlmismatch.mapping.practices (data/practices)


def _bad(tmp_path, row_index: int, column: str, value: str) -> str:
    rows = [list(r) for r in ROWS]
    rows[row_index][HEADER.index(column)] = value
    with pytest.raises(InputError) as exc:
        load(write_mapping(tmp_path / "bad", rows))
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("column,value,expected", [
    ("subcategory", "Versionning", "unknown subcategory 'Versionning'"),
    ("descriptor", "trained_modle", "unknown descriptor 'trained_modle'"),
    ("path", "model_versoin", "unknown attribute path 'trained_model.model_versoin'"),
    ("evidence", "M01-01;M09-09", "unknown mismatch id 'M09-09'"),
    ("rule_id", "R99", "unknown rule id 'R99'"),
    ("status", "maybe", "unknown status 'maybe'"),
    ("path_1_0", "model_ver", "unknown attribute path 'trained_model.model_ver' in the 1.0 schema"),
    ("rationale", "", "empty rationale"),
])
def test_bad_row_names_file_row_and_column(tmp_path, column, value, expected):
    msg = _bad(tmp_path, 0, column, value)
    letter = chr(ord("A") + HEADER.index(column))
    assert msg.startswith(f"{mp.ATTRIBUTES_FILE}, row 2, column {letter} ({column}):"), msg
    assert expected in msg


def test_proposed_attribute_that_is_published_is_refused(tmp_path):
    msg = _bad(tmp_path, 5, "path", "computing_resources.gpu")
    assert "already published" in msg and "row 7" in msg


def test_every_subcategory_needs_a_row(tmp_path):
    with pytest.raises(InputError, match=r"1 subcategories without a row: \(OD\) Data Rates"):
        load(write_mapping(tmp_path / "m", ROWS[:-1]))


def test_missing_column(tmp_path):
    d = write_mapping(tmp_path / "m")
    text = (d / mp.ATTRIBUTES_FILE).read_text().replace("evidence", "proof", 1)
    (d / mp.ATTRIBUTES_FILE).write_text(text)
    with pytest.raises(InputError, match="row 1: missing column 'evidence'"):
        load(d)


# ------------------------------------------------------------------------------------------ analyses

def test_version_paths(mapping):
    a = mapping.attributes
    rec = a.iloc[0]
    assert mp.version_path(rec, "1.2") == "model_version"
    assert mp.version_path(rec, "1.0") == "model_version"
    assert mp.version_path(a.iloc[5], "1.2") is None  # proposed


def test_subcategory_coverage_and_split(mapping):
    cov = mp.subcategory_coverage(mapping.attributes, CODEBOOK, INSTANCES)
    got = dict(zip(cov["subcategory"] + "/" + cov["category_code"], cov["coverage"]))
    assert got == {"Versioning/TM": "information sharing", "System Configuration Requirements/TM": "predicate",
                   "Versioning/TD": "information sharing", "Computing Resources/OE": "predicate",
                   "Data Rates/OD": "none"}
    split = mp.sharing_vs_predicate(mapping.attributes, CODEBOOK, INSTANCES)
    total = split[split["category"] == "All"].set_index("coverage")
    # instances: TM Versioning 2 + TD Versioning 1 sharing; TM SysConf 2 + OE 1 predicate; OD 1 none
    assert total.loc["information sharing", "n_instances"] == 3
    assert total.loc["predicate", "n_instances"] == 3
    assert total.loc["none", "n_instances"] == 1
    assert total["pct"].sum() == pytest.approx(100.0)


def test_gap_analysis(mapping):
    a = mapping.attributes
    unc = mp.gap_uncovered_subcategories(a, CODEBOOK, INSTANCES, ATTRIBUTES, versions=["1.2"])
    assert list(unc["subcategory"]) == ["Data Rates"]
    assert unc["reason"].iloc[0] == "No descriptor in this test records rates."
    un = mp.gap_unneeded_attributes(a, ATTRIBUTES, versions=["1.0", "1.2"])
    assert set(un[un["version"] == "1.2"]["path"]) == {"model_name", "computing_resources.gpu", "documentation"}
    assert "old_field" in set(un[un["version"] == "1.0"]["path"])
    assert "version" not in set(un["path"])  # bookkeeping left out
    assert "computing_resource_reqs" not in set(un["path"])  # parent of needed children


def test_coverage_weighted_by_instances_and_survey(mapping):
    table2 = pd.DataFrame([
        ("Trained Model", "Versioning", "Data Science", 9, 10, 90.0),
        ("Trained Model", "System Configuration Requirements", "Data Science", 3, 10, 30.0),
        ("Operational Data", "Data Rates", "Data Science", 6, 10, 60.0),
        ("Operational Environment", "Computing Resources", "Data Science", 5, 10, 50.0),
        ("Training Data", "Versioning", "Data Science", 5, 10, 50.0),
    ], columns=["category", "subcategory", "role", "n_important", "n_respondents", "pct"])
    cov = mp.coverage_by_category(mapping.attributes, CODEBOOK, INSTANCES, table2).set_index("category")
    assert cov.loc["Operational Data", "pct_instances_covered"] == 0.0
    assert cov.loc["Trained Model", "pct_instances_covered"] == 100.0
    allrow = cov.loc["All"]
    assert allrow["n_instances"] == 7 and allrow["n_instances_covered"] == 6
    # covered importance: (90 + 30 + 50 + 50) / (90 + 30 + 60 + 50 + 50)
    assert allrow["pct_important_Data Science"] == pytest.approx(100 * 220 / 280)
    # complete: every named attribute published -> not OE (proposed attribute) and not OD (none)
    assert allrow["n_complete"] == 3 and allrow["n_instances_complete"] == 5
    assert allrow["pct_important_complete_Data Science"] == pytest.approx(100 * 170 / 280)


def test_mapping_matrix_contract(mapping):
    m = mp.mapping_matrix(mapping.attributes)
    assert list(m.columns) == ["category", "subcategory", "descriptor", "attribute", "rule_id"]
    assert m.loc[1, "attribute"] == "trained_model.computing_resource_reqs.cpu" and m.loc[1, "rule_id"] == "R01"
    assert m.iloc[-1]["attribute"] == "" and m.iloc[-1]["subcategory"] == "Data Rates"


def test_text_evidence_ranks_the_curated_attribute(mapping):
    res = mp.text_evidence(MISMATCHES, INSTANCES, CODEBOOK, ATTRIBUTES, mapping.attributes, k=3)
    r = res["ranking"]
    top = r[(r["subcategory"] == "Versioning") & (r["category"] == "Trained Model") & (r["rank"] == 1)]
    assert top["path"].iloc[0] == "model_version" and bool(top["curated"].iloc[0])
    scores = res["scores"].set_index(["category", "subcategory"])
    assert scores.loc[("Trained Model", "Versioning"), "recall_at_k"] == 1.0
    assert set(res["summary"]["measure"]) == {"precision@3", "recall@3", "R-precision", "MAP"}
    assert set(res["disagreements"]["kind"]) <= {"top-k but not curated", "curated but ranked below k"}
    # nothing of the mismatch texts leaks into the outputs
    for df in res.values():
        for col in df.columns:
            assert not df[col].astype(str).str.contains("arrives").any()
    base = mp.random_baseline(mapping.attributes, ATTRIBUTES, CODEBOOK, k=3)
    assert 0 < base["precision_at_k"] < 1


def test_attribute_of_and_rule_operands():
    from mlmismatch.detection.rules import Rule

    assert mp.attribute_of("a[].b[].c") == "a[].b"
    assert mp.attribute_of("a[]") == "a"
    assert mp.attribute_of("a.b") == "a.b"
    rule = Rule(id="R01", sei_rule="7", title="t", descriptors=("trained_model", "production_environment"),
                check={"type": "compare", "op": "le", "pairs": [
                    {"left": {"descriptor": "trained_model", "path": "computing_resource_reqs.cpu"},
                     "right": {"descriptor": "production_environment", "path": "computing_resources.cpu"}}]},
                message="m", rationale="r",
                subcategories=("(TM) System Configuration Requirements", "(OE) Computing Resources"), predicate="p")
    ops = mp.rule_operands([rule])
    assert set(zip(ops["descriptor"], ops["path"])) == {("trained_model", "computing_resource_reqs.cpu"),
                                                        ("production_environment", "computing_resources.cpu")}
    mapping_df = pd.DataFrame([r + [i + 2] for i, r in enumerate(ROWS)], columns=HEADER + ["row"])
    sugg = mp.suggested_rule_ids(mapping_df, [rule])
    assert list(sugg) == ["", "R01", "", "", "R01", "", ""]
    rc = mp.rule_consistency(mapping_df, [rule])
    # row 3 cites R01 for computing_resource_reqs.gpu, which the rule does not read
    assert list(zip(rc["row"], rc["issue"])) == [(4, "rule does not read attribute")]
