"""Property-based tests of the cross-descriptor rules (Hypothesis), on the example systems and on
systems of the seeded mutation generator (tests/support/tec_systems.py; no TEC needed here):

- renaming a name consistently on both sides of a rule (a component, an item, a production field, a
  goal id, a framework, a metric) changes no finding (same rules, same paths);
- every path a finding reports exists in its document;
- the compiled rules give exactly the reference interpreter's violations.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tec_systems

from mlmismatch.detection import rules as R
from mlmismatch.detection.documents import make_document
from mlmismatch.detection.locate import parse_json_path
from mlmismatch.mapping.predicates import load_rules

RULES = load_rules()
MISSING = object()


def _bases():
    return tec_systems.base_systems()


BASES = _bases()


def _migrated(docs: dict) -> dict:
    return {k: make_document(k, v, f"{k}.json").migrated for k, v in docs.items()}


def _keyed(docs: dict) -> list:
    return sorted((v.rule.id, tuple(v.locations)) for v in R.evaluate_all(_migrated(docs), RULES))


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12).map(lambda s: "n" + s)


def _rename_component(s, old, new):
    for c in tec_systems.components(s):
        if c.get("component_name") == old:
            c["component_name"] = new
    for it in tec_systems.mapped_items(s):
        m = it.get("component_mapping") or {}
        if m.get("component") == old:
            m["component"] = new


def _rename_item(s, comp, old, new):
    for c in tec_systems.components(s):
        if c.get("component_name") == comp:
            for it in c.get("input_spec", []) + c.get("output_spec", []):
                if it.get("item_name") == old:
                    it["item_name"] = new
    for it in tec_systems.mapped_items(s):
        m = it.get("component_mapping") or {}
        if m.get("component") == comp and m.get("data_item") == old:
            m["data_item"] = new


def _rename_field(s, old, new):
    pd, td = s.get("production_data") or {}, s.get("training_data") or {}
    for f in pd.get("schema", []):
        if f.get("field_name") == old:
            f["field_name"] = new
    for st_ in pd.get("statistics", []):
        if st_.get("field") == old:
            st_["field"] = new
    for f in td.get("schema", []):
        if f.get("mapping_production_data") == old:
            f["mapping_production_data"] = new


def _rename_goal(s, old, new):
    for g in (s.get("system_context") or {}).get("goals", []):
        if g.get("id") == old:
            g["id"] = new
    tm = s.get("trained_model") or {}
    for m in tm.get("algorithm_metrics", []) + tm.get("business_metrics", []):
        if m.get("goal_mapping") == old:
            m["goal_mapping"] = new


def _rename_in_lists(s, pairs, old, new):
    for kind, key in pairs:
        lst = (s.get(kind) or {}).get(key)
        if isinstance(lst, list):
            lst[:] = [new if x == old else x for x in lst]


def _rename_metric(s, key, old, new):
    for kind in ("trained_model", "production_environment"):
        for m in (s.get(kind) or {}).get(key, []):
            if m.get("metric") == old:
                m["metric"] = new


def _targets(s):
    """(what, old name) pairs that can be renamed in system ``s``."""
    out = []
    for c in tec_systems.components(s):
        out.append(("component", c["component_name"]))
        out += [("item", (c["component_name"], it["item_name"])) for it in c.get("input_spec", []) + c.get("output_spec", [])]
    out += [("field", f["field_name"]) for f in (s.get("production_data") or {}).get("schema", [])]
    out += [("goal", g["id"]) for g in (s.get("system_context") or {}).get("goals", [])]
    out += [("framework", x) for x in (s.get("trained_model") or {}).get("ml_frameworks", [])]
    out += [("metric", ("business_metrics", m["metric"])) for m in (s.get("trained_model") or {}).get("business_metrics", [])]
    return [t for t in out if (t[1] if isinstance(t[1], str) else t[1][-1]).strip()]


def _rename(s, what, old, new):
    if what == "component":
        _rename_component(s, old, new)
    elif what == "item":
        _rename_item(s, old[0], old[1], new)
    elif what == "field":
        _rename_field(s, old, new)
    elif what == "goal":
        _rename_goal(s, old, new)
    elif what == "framework":
        _rename_in_lists(s, [("trained_model", "ml_frameworks"), ("development_environment", "ml_frameworks")], old, new)
    elif what == "metric":
        _rename_metric(s, old[0], old[1], new)


@settings(max_examples=150, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(sorted(BASES)), pick=st.integers(0, 10_000), new=NAMES)
def test_consistent_renaming_changes_no_finding(base, pick, new):
    s = copy.deepcopy(BASES[base])
    targets = _targets(s)
    what, old = targets[pick % len(targets)]
    before = _keyed(s)
    _rename(s, what, old, new)
    assert _keyed(s) == before, (what, old, new)


def _exists(doc, parts) -> bool:
    cur = doc
    for p in parts:
        if isinstance(p, int):
            if not isinstance(cur, list) or p >= len(cur):
                return False
        elif not isinstance(cur, dict) or p not in cur:
            return False
        cur = cur[p]
    return True


@settings(max_examples=120, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_finding_paths_exist_and_compiled_equals_interpreted(seed):
    import tec_systems

    (system,) = tec_systems.generate(1, seed=seed, bases=BASES)
    docs = _migrated(system.docs)
    compiled = R.evaluate_all(docs, RULES)
    interpreted = R.evaluate_all_interpreted(docs, RULES)
    assert [(v.rule.id, v.condition, v.locations) for v in compiled] == \
        [(v.rule.id, v.condition, v.locations) for v in interpreted]
    for v in compiled:
        for descriptor, path in v.locations:
            parts = parse_json_path(path)
            assert parts is not None, path
            if "missing_key" in system.tags:  # a deleted key may be the one reported
                assert _exists(docs[descriptor], parts[:-1]), (v.rule.id, path)
            else:
                assert _exists(docs[descriptor], parts), (v.rule.id, path, system.tags)


@settings(max_examples=80, deadline=None, database=None, derandomize=True)
@given(base=st.sampled_from(sorted(BASES)), pick=st.integers(0, 10_000), pad=st.sampled_from([" ", "  ", "\t", " \t "]))
def test_white_space_around_a_name_changes_no_finding(base, pick, pad):
    """Names are compared with surrounding white space stripped (data/rules/README.md): white space
    added on one side only changes nothing."""
    s = copy.deepcopy(BASES[base])
    targets = [t for t in _targets(s) if t[0] in ("component", "goal", "framework")]
    what, old = targets[pick % len(targets)]
    before = _keyed(s)
    if what == "component":  # one side only: the Development Environment's name
        for c in tec_systems.components(s):
            if c["component_name"] == old:
                c["component_name"] = old + pad
    if what == "goal":
        for g in (s.get("system_context") or {}).get("goals", []):
            if g["id"] == old:
                g["id"] = old + pad
    if what == "framework":
        _rename_in_lists(s, [("trained_model", "ml_frameworks")], old, pad + old)
    assert _keyed(s) == before
