"""Every cross-descriptor rule has a positive test (a one-change variant of a consistent system makes it
fire) and a negative test (the consistent system, and a near miss, do not)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from mlmismatch.detection import rules as R
from mlmismatch.mapping import predicates
from mlmismatch.core.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CONSISTENT = REPO / "descriptors" / "examples" / "credit-card-fraud"


def base() -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted(CONSISTENT.glob("*.json"))}


def post_processed() -> dict:
    """The consistent system with post-processing: final outputs replace the raw output mapping."""
    s = base()
    tm = s["trained_model"]
    tm["post_processing"] = True
    tm["post_processing_process"] = ["Round the score to 3 decimals"]
    tm["final_output_spec"] = copy.deepcopy(tm["output_spec"])
    tm["output_spec"][0]["component_mapping"] = {"component": "", "data_item": ""}
    return s


def fired(system: dict) -> dict[str, list[R.Violation]]:
    """Violations by rule id; the compiled rules must agree exactly with the reference interpreter."""
    compiled = R.evaluate_all(system)
    interpreted = R.evaluate_all_interpreted(system)
    assert [(v.rule.id, v.condition, v.locations) for v in compiled] == \
        [(v.rule.id, v.condition, v.locations) for v in interpreted]
    out: dict[str, list[R.Violation]] = {}
    for v in compiled:
        out.setdefault(v.rule.id, []).append(v)
    return out


@pytest.mark.parametrize("system,expected", [
    ("traffic-signs", "R02 R06 R07 R08 R12 R13 R14 R18 R28 R29 R30 R31"),
    ("customer-churn", "R01 R03 R04 R05 R09 R10 R11 R15 R16 R17 R19 R20 R21 R22 R23 R24 R24 R25 R26 R27"),
])
def test_compiled_rules_match_the_interpreter_on_the_examples(system, expected):
    from mlmismatch import detection as detect

    docs = {d.kind: d.migrated for d in detect.load_system(REPO / "descriptors" / "examples" / system)}
    got = fired(docs)  # also checks compiled == interpreted
    # the planted rules of descriptors/examples/README.md, with multiplicity
    assert sorted(rid for rid, vs in got.items() for _ in vs) == expected.split()


def test_compiled_source_is_inspectable():
    rule = next(r for r in predicates.load_rules() if r.id == "R05")
    assert "for " in R.compiled(rule).source


def _set(path: str):
    def mutate(s: dict, value) -> None:
        kind, dotted = path.split(":", 1)
        cur = s[kind]
        parts = dotted.split(".")
        for p in parts[:-1]:
            cur = cur[int(p)] if p.isdigit() else cur[p]
        last = parts[-1]
        if last.isdigit():
            cur[int(last)] = value
        else:
            cur[last] = value
    return mutate


def m(path: str, value):
    return lambda s: _set(path)(s, value)


def seq(*fs):
    def run(s):
        for f in fs:
            f(s)
    return run


def add_goal(s):
    s["system_context"]["goals"].append({"id": "G9", "goal": "Unmeasured goal", "metric": "x", "baseline": "y"})


def add_downstream_input(s):
    s["development_environment"]["downstream_components"][0]["input_spec"].append(
        {"item_name": "reason", "item_description": "why", "item_type": "String", "expected_values": "text"})


def add_upstream_output(s):
    s["development_environment"]["upstream_components"][0]["output_spec"].append(
        {"item_name": "country", "item_description": "ISO country", "item_type": "String", "expected_values": "2 letters"})


def add_pd_field(s):
    s["production_data"]["schema"].append(
        {"field_name": "channel", "field_description": "web or pos", "field_type": "string", "expected_values": "2 values"})


def stat_on_second_field(s):
    """TEC's rule 15 defect: the first production 'mean' is on another field, so TEC never compares this one."""
    s["training_data"]["statistics"] = [{"property": "mean", "field": "merchant_category", "value": "12"}]
    s["production_data"]["statistics"] = [{"property": "mean", "field": "amount", "value": "61.4"},
                                          {"property": "mean", "field": "mcc", "value": "15"}]


# rule id -> (system builder, mutation that makes exactly this rule fire)
POSITIVE = {
    "R01": (base, add_goal),
    "R02": (base, m("trained_model:model_components.0.programming_languages", ["Python", "R"])),
    "R03": (base, m("trained_model:output_spec.0.item_type", "Integer")),
    "R04": (base, m("trained_model:output_spec.0.component_mapping", {"component": "case-manager", "data_item": ""})),
    "R05": (base, add_downstream_input),
    "R06": (post_processed, m("trained_model:final_output_spec.0.item_type", "String")),
    "R07": (post_processed, lambda s: s["trained_model"]["final_output_spec"].append(
        {"item_name": "band", "item_description": "", "item_type": "String", "item_specification": {},
         "component_mapping": {"component": "", "data_item": ""}})),
    "R08": (post_processed, add_downstream_input),
    "R09": (base, m("data_pipeline:input_spec.0.item_type", "String")),
    "R10": (base, lambda s: s["data_pipeline"]["input_spec"].append(
        {"item_name": "hour", "item_description": "", "item_type": "Integer", "item_specification": {},
         "error_handling": {}, "component_mapping": {"component": "payment-switch", "data_item": " "}})),
    "R11": (base, add_upstream_output),
    "R12": (base, m("development_environment:computing_resources.cpu", 1)),
    "R13": (base, m("trained_model:computing_resource_reqs.storage", 50)),
    "R14": (base, m("trained_model:ml_frameworks", ["XGBoost", "LightGBM"])),
    "R15": (base, m("production_environment:business_metrics.0.metric", "alerts per day")),
    "R16": (base, m("production_environment:algorithm_metrics.0.metric", "precision")),
    "R17": (base, m("production_environment:model_logs.0.log", "audit log")),
    "R18": (base, m("trained_model:inference_time", {"time": 1, "unit": "Seconds"})),
    "R19": (base, m("production_environment:user_system_feedback.0.feedback", "chargeback")),
    "R20": (base, m("production_data:schema.0.field_type", "integer")),
    "R21": (base, m("training_data:schema.1.mapping_production_data", "  ")),
    "R22": (base, add_pd_field),
    "R23": (base, stat_on_second_field),
    "R24": (base, seq(m("production_data:distribution.0.percentage", 12),
                      m("production_data:distribution.1.percentage", 88))),
    "R25": (base, m("trained_model:output_spec.0.component_mapping.component", "case-manager-v2")),
    "R26": (base, m("data_pipeline:input_spec.1.component_mapping.data_item", "merchant_code")),
    "R27": (base, seq(m("training_data:schema.1.mapping_production_data", "merchant"))),
    "R28": (base, m("trained_model:data_pipeline_identifier", "fraud-features-old")),
    "R29": (base, m("trained_model:training_data_identifier", "txn-train-2020")),
    "R30": (base, m("training_data:raw_data_identifier", "txn-raw-2020")),
    "R31": (post_processed, m("trained_model:final_output_spec.0.component_mapping.data_item", "risk")),
}

# Expected side effects of a mutation (other rules that legitimately fire with it).
ALSO = {
    "R04": {"R05"},  # the downstream input is no longer fed
    "R21": {"R22"},  # 'mcc' is no longer mapped from training data
    "R25": {"R05"},  # the downstream input is no longer fed
    "R26": {"R11"},  # the upstream output is no longer consumed
    "R27": {"R22"},  # 'mcc' is no longer mapped from training data
    "R31": {"R08"},
}

# Near misses: a change that looks like the positive case but must NOT fire the rule.
NEAR_MISS = {
    "R01": (base, lambda s: s["system_context"]["goals"].append({"id": "", "goal": "no id", "metric": "", "baseline": ""})),
    "R02": (base, m("trained_model:model_components.0.programming_languages", ["Java"])),
    "R03": (base, m("trained_model:output_spec.0.item_type", "")),  # blank: a gap, not a type mismatch
    "R04": (base, m("trained_model:output_spec.0.item_name", "")),  # unnamed rows are skipped
    "R05": (post_processed, lambda s: None),  # post-processing: R08 applies instead
    "R06": (base, m("trained_model:output_spec.0.item_type", "Float")),
    "R07": (post_processed, lambda s: s["trained_model"]["final_output_spec"].append(  # TEC 4B defect fires here
        {"item_name": "", "item_description": "", "item_type": "String", "item_specification": {},
         "component_mapping": {"component": "x", "data_item": ""}})),
    "R08": (base, add_downstream_input),  # no post-processing: R05 applies
    "R09": (base, m("data_pipeline:input_spec.0.item_type", "")),
    "R10": (base, m("data_pipeline:input_spec.0.item_name", " ")),
    "R11": (base, lambda s: s["development_environment"]["upstream_components"][0]["output_spec"].append(
        {"item_name": "", "item_description": "", "item_type": "", "expected_values": ""})),
    "R12": (base, m("trained_model:computing_resource_reqs.cpu", 8)),  # equal is enough
    "R13": (base, m("trained_model:computing_resource_reqs.memory", 8)),
    "R14": (base, m("trained_model:ml_frameworks", ["scikit-learn"])),
    "R15": (base, m("trained_model:business_metrics.0.metric", "")),
    "R16": (base, m("production_environment:algorithm_metrics.0.metric", " alert precision ")),  # whitespace only
    "R17": (base, m("trained_model:log_data.0.log", "")),
    "R18": (base, m("trained_model:inference_time", {"time": 0, "unit": "Minutes"})),
    "R19": (base, m("trained_model:user_system_feedback.0.short_name", "")),
    "R20": (base, m("training_data:schema.2.field_type", "integer")),  # a label field
    "R21": (base, m("training_data:schema.2.mapping_production_data", "")),  # label fields need no mapping
    "R22": (base, lambda s: s["production_data"]["schema"].append(
        {"field_name": "", "field_description": "", "field_type": "", "expected_values": ""})),
    "R23": (base, m("production_data:statistics.0.value", "61.40")),  # numerically equal
    "R24": (base, m("training_data:distribution.0.mapping_production_data", "")),  # unmapped: not compared
    "R25": (base, m("trained_model:output_spec.0.component_mapping", {"component": "", "data_item": ""})),
    "R26": (base, m("data_pipeline:input_spec.1.component_mapping", {"component": "", "data_item": ""})),
    "R27": (base, m("training_data:schema.1.mapping_production_data", "")),
    "R28": (base, m("trained_model:data_pipeline_identifier", "")),  # blank: a gap
    "R29": (base, m("trained_model:training_data_identifier", " txn-train-2021 ")),
    "R30": (base, m("training_data:raw_data_identifier", "")),
    "R31": (base, m("trained_model:output_spec.0.component_mapping.data_item", "risk")),  # R25 instead
}


def test_every_rule_has_tests():
    ids = [r.id for r in predicates.load_rules()]
    assert sorted(POSITIVE) == ids
    assert sorted(NEAR_MISS) == ids


def test_consistent_systems_fire_nothing():
    assert fired(base()) == {}
    assert fired(post_processed()) == {}


@pytest.mark.parametrize("rule_id", sorted(POSITIVE))
def test_rule_fires(rule_id):
    build, mutate = POSITIVE[rule_id]
    system = build()
    mutate(system)
    got = fired(system)
    assert rule_id in got, f"{rule_id} did not fire"
    assert set(got) == {rule_id} | ALSO.get(rule_id, set())
    v = got[rule_id][0]
    assert v.condition and "{" not in v.condition
    assert v.locations and all(p.startswith("$") for _, p in v.locations)


@pytest.mark.parametrize("rule_id", sorted(NEAR_MISS))
def test_rule_does_not_fire(rule_id):
    build, mutate = NEAR_MISS[rule_id]
    system = build()
    mutate(system)
    assert rule_id not in fired(system)


def test_rule_skipped_when_a_descriptor_is_absent():
    s = base()
    s["trained_model"]["ml_frameworks"] = ["LightGBM"]
    del s["development_environment"]
    assert "R14" not in fired(s)


def test_rule_table_lists_sei_correspondence():
    table = predicates.rules_table()
    sei = set(table.loc[table.sei_rule != "", "sei_rule"])
    expected = {"1", "2", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6", "7", "8", "9", "10", "11", "12",
                "13", "14A", "14B", "14C", "15", "16"}
    assert sei == expected  # every numbered TEC rule has a counterpart
    assert table.rule_id.is_unique


def test_readme_table_is_current():
    readme = (REPO / "data" / "rules" / "README.md").read_text()
    assert predicates.rules_markdown() in readme


def test_lookup_key_and_parent_key():
    s = base()
    item = next(R.iterate(s["development_environment"], "downstream_components[].input_spec[]"))
    assert R.key_value(item, "../component_name") == "case-manager"
    stat = next(R.iterate(s["training_data"], "statistics[]"))
    lookup = {"lookup": "field", "in": "schema[]", "match": "field_name", "take": "mapping_production_data"}
    assert R.key_value(stat, lookup) == "amount"


def _write_rules(tmp_path, text):
    p = tmp_path / "rules.yaml"
    p.write_text(text)
    return p


def test_bad_rule_files(tmp_path):
    with pytest.raises(InputError, match="line"):
        predicates.load_rules(_write_rules(tmp_path, "rules: [\n  - id: R01\n   bad"))
    bad_sub = """rules:
  - id: R01
    title: t
    descriptors: [trained_model]
    predicate: p
    message: m
    rationale: r
    subcategories: [Versioning]
    check: {type: nonempty, items: {descriptor: trained_model, path: "output_spec[]"}, fields: [item_name], condition: c}
"""
    with pytest.raises(InputError, match="subcategory"):
        predicates.load_rules(_write_rules(tmp_path, bad_sub))
    with pytest.raises(InputError, match="not in its descriptors"):
        predicates.load_rules(_write_rules(tmp_path, bad_sub.replace("[Versioning]", '["(TM) Versioning"]')
                                  .replace("descriptors: [trained_model]", "descriptors: [raw_data]")))


# -- issue 14: the two bugs the differential test against TEC found, and the decided differences --------

def test_an_empty_mapping_is_not_joined_to_a_blank_entry():
    """Regression: an output/input with an empty mapping was joined to a blank downstream/upstream entry
    and reported as a type mismatch beside the 'not mapped' finding."""
    s = base()
    out = copy.deepcopy(s["trained_model"]["output_spec"][0])
    out.update(item_name="extra", item_type="Integer", component_mapping={"component": "", "data_item": " "})
    s["trained_model"]["output_spec"].append(out)
    inp = copy.deepcopy(s["data_pipeline"]["input_spec"][0])
    inp.update(item_name="extra", item_type="Integer", component_mapping={"component": " ", "data_item": ""})
    s["data_pipeline"]["input_spec"].append(inp)
    de = s["development_environment"]
    de["downstream_components"].append({"component_name": "", "ml_component": False, "input_spec": [
        {"item_name": " ", "item_description": "", "item_type": "Float", "expected_values": ""}]})
    de["upstream_components"].append({"component_name": " ", "ml_component": False, "output_spec": [
        {"item_name": "", "item_description": "", "item_type": "Float", "expected_values": ""}]})
    got = fired(s)
    assert sorted(got) == ["R04", "R10"]
    post = post_processed()
    fin = copy.deepcopy(post["trained_model"]["final_output_spec"][0])
    fin.update(item_name="extra", item_type="Integer", component_mapping={"component": "", "data_item": ""})
    post["trained_model"]["final_output_spec"].append(fin)
    post["development_environment"]["downstream_components"].append(
        {"component_name": "", "ml_component": False,
         "input_spec": [{"item_name": "", "item_description": "", "item_type": "Float", "expected_values": ""}]})
    assert sorted(fired(post)) == ["R07"]


@pytest.mark.parametrize("word", ["int", "tensor", "float", ""])
def test_older_documents_that_agree_on_a_free_text_type_agree(word):
    """Regression: after migrating a 1.1 Trained Model its item types became the 1.2 enumeration
    ('int' -> 'Integer', 'tensor' -> 'Other') while the Development Environment kept 'int', so
    documents that agree got R03."""
    from mlmismatch.descriptors.migrate import migrate
    from mlmismatch.detection.documents import make_document

    s = base()
    tm = migrate("trained_model", s["trained_model"], "1.1")
    tm["output_spec"][0]["item_type"] = word
    s["development_environment"]["downstream_components"][0]["input_spec"][0]["item_type"] = word
    docs = {k: make_document(k, v, f"{k}.json").migrated for k, v in {**s, "trained_model": tm}.items()}
    assert docs["trained_model"]["version"] == "1.2"
    assert docs["trained_model"]["output_spec"][0]["item_type"] == word  # as written, for the rules
    assert "R03" not in fired(docs)
    # a real disagreement of older documents is still found
    s["development_environment"]["downstream_components"][0]["input_spec"][0]["item_type"] = word + "x"
    docs["development_environment"] = s["development_environment"]
    assert ("R03" in fired(docs)) == bool(word)
    # the migration command still writes the enumeration (a valid 1.2 document)
    assert migrate("trained_model", tm, "1.2")["output_spec"][0]["item_type"] in ("Integer", "Other", "Float")


def test_placeholders_are_values_to_the_rules():
    s = base()
    s["trained_model"]["output_spec"][0]["component_mapping"]["data_item"] = "https://example.invalid/"
    s["trained_model"]["algorithm_metrics"][0]["metric"] = "1970-01-01"
    got = fired(s)
    assert "R04" not in got  # a placeholder is not an empty mapping
    assert {"R05", "R25", "R16"} <= set(got)  # it names nothing that exists


@pytest.mark.parametrize("left,right,agree", [
    ("61.4", "61.40", True), ("50%", "50.0%", True), ("50%", "50", False), ("0.5", " 0.5 ", True),
    ("high", "High", False), ("61.4", "61.5", False),
])
def test_statistic_values_compare_as_numbers_with_a_percent_only_on_both_sides(left, right, agree):
    s = base()
    s["training_data"]["statistics"][0]["value"] = left
    s["production_data"]["statistics"][0]["value"] = right
    assert ("R23" not in fired(s)) == agree


def test_mapped_items_are_found_in_any_component_of_that_name():
    """TEC searches only the first component of a name; ours every one (two entries are legal)."""
    s = base()
    de = s["development_environment"]
    de["downstream_components"].insert(0, {"component_name": "case-manager", "ml_component": False, "input_spec": [
        {"item_name": "other", "item_description": "", "item_type": "String", "expected_values": ""}]})
    de["downstream_components"][1]["input_spec"][0]["item_type"] = "Integer"
    got = fired(s)
    assert "R03" in got and "R25" not in got
