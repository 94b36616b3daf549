"""Upgrade descriptor documents 1.0 -> 1.1 -> 1.2 (and back, for round trips).

What changes between the published versions (from a structural diff of the schemas; SEI's TEC
tool has updaters for the same steps, read for facts only):

* 1.0 -> 1.1
  - System Context: ``business_goals`` becomes ``goals`` (each goal gains ``metric`` and
    ``baseline``); ``success_criteria`` is dropped, its entries go into the first goal's ``metric``.
  - Raw Data: new ``data_rights`` and ``data_policies``.
  - Trained Model: algorithm and business metrics gain ``operator`` and ``goal_mapping``;
    ``business_goal_mapping`` is renamed ``goal_mapping``.
  - Production Environment: new ``deployment_platform`` and ``deployment_mechanism``.
* 1.1 -> 1.2
  - Data Pipeline ``input_spec[]`` and Trained Model ``output_spec[]`` / ``final_output_spec[]``:
    ``expected_values`` moves into a new ``item_specification`` object (as ``other_value``);
    ``item_type`` becomes an enumeration (Integer, Float, String, Image, Other); Data Pipeline
    inputs gain ``error_handling``.
  - Trained Model ``error_handling`` stays: 1.2 still requires it but no longer defines it.

Differences from TEC's updaters: goal identifiers are kept as they are (TEC drops their first
character, assuming a one-letter prefix, which breaks ids without one); free-text item types are
mapped to the 1.2 enumeration (``int`` -> ``Integer``, unknown -> ``Other``) so that the upgraded
document validates (TEC copies them, which fails validation at 1.2).
"""

from __future__ import annotations

from typing import Any

from mlmismatch.core.text import PLACEHOLDER_DATE, PLACEHOLDER_URI
from mlmismatch.core.errors import InputError, Location
from mlmismatch.descriptors.schemas import KINDS, VERSIONS, check_kind

ITEM_TYPES = ("Integer", "Float", "String", "Image", "Other")
_TYPE_SYNONYMS = {
    "int": "Integer", "integer": "Integer", "long": "Integer", "int64": "Integer", "int32": "Integer",
    "float": "Float", "double": "Float", "number": "Float", "numeric": "Float", "real": "Float", "decimal": "Float",
    "float32": "Float", "float64": "Float",
    "str": "String", "string": "String", "text": "String", "char": "String", "varchar": "String",
    "image": "Image", "img": "Image", "picture": "Image",
    "other": "Other",
}
_SUCCESS_SEP = "; "
#: Values given to attributes a newer version requires but an older one did not have (reported as notes).
DEFAULT_OPERATOR = "greater or equal than"
DEFAULT_ERROR_TYPE = "Log to file"


def empty_item_specification(other_value: str = "") -> dict:
    """The 1.2 ``item_specification`` object with neutral values."""
    return {
        "other_value": other_value, "min_value": 0, "max_value": 0, "resolution_x": 0, "resolution_y": 0,
        "channels": 0, "image_format": "", "min_length": 0, "max_length": 0, "empty": False, "numeric": False,
        "slashes": False, "spaces": False, "special": False,
    }


def item_type_12(value: Any) -> str:
    """A free-text item type -> the 1.2 enumeration ('' stays '' so the gap is still reported)."""
    text = str(value or "").strip()
    if not text:
        return ""
    return _TYPE_SYNONYMS.get(text.lower(), "Other")


def _insert_after(d: dict, after: str | None, key: str, value: Any) -> dict:
    """A copy of ``d`` with ``key`` inserted after ``after`` (at the end when absent)."""
    out: dict = {}
    placed = False
    for k, v in d.items():
        if k == key:
            continue
        out[k] = v
        if k == after:
            out[key] = value
            placed = True
    if not placed:
        out[key] = value
    return out


def _rename(d: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in d.items()}


def _items(doc: dict, key: str) -> list:
    value = doc.get(key)
    return value if isinstance(value, list) else []


# -- 1.0 -> 1.1 -------------------------------------------------------------------------------

def _up_10_11(kind: str, doc: dict, notes: list) -> dict:
    doc["version"] = "1.1"
    if kind == "system_context":
        if "business_goals" in doc:
            doc = _rename(doc, "business_goals", "goals")
        goals = []
        for goal in _items(doc, "goals"):
            if isinstance(goal, dict):
                goal = {**goal, "metric": goal.get("metric", ""), "baseline": goal.get("baseline", "")}
            goals.append(goal)
        if "goals" in doc:
            doc["goals"] = goals
        criteria = doc.pop("success_criteria", None)
        if criteria and goals and isinstance(goals[0], dict):
            goals[0]["metric"] = _SUCCESS_SEP.join(str(c) for c in criteria)
    elif kind == "raw_data":
        if "data_rights" not in doc:
            doc = _insert_after(doc, "restrictions", "data_rights", "")
        if "data_policies" not in doc:
            doc = _insert_after(doc, "data_rights", "data_policies", "")
    elif kind == "trained_model":
        for key in ("algorithm_metrics", "business_metrics"):
            items = []
            for i, m in enumerate(_items(doc, key)):
                if isinstance(m, dict):
                    if "business_goal_mapping" in m:
                        m = _rename(m, "business_goal_mapping", "goal_mapping")
                    if "operator" not in m:
                        m = _insert_after(m, "metric", "operator", DEFAULT_OPERATOR)
                        notes.append(f"$.{key}[{i}].operator set to '{DEFAULT_OPERATOR}' (new in 1.1): review it")
                    if "goal_mapping" not in m:
                        m = _insert_after(m, "threshold", "goal_mapping", "")
                items.append(m)
            if key in doc:
                doc[key] = items
    elif kind == "production_environment":
        if "deployment_platform" not in doc:
            doc = _insert_after(doc, "computing_resources", "deployment_platform", "")
        if "deployment_mechanism" not in doc:
            doc = _insert_after(doc, "deployment_platform", "deployment_mechanism", "")
    return doc


def _down_11_10(kind: str, doc: dict, notes: list) -> dict:
    doc["version"] = "1.0"
    if kind == "system_context":
        goals = _items(doc, "goals")
        metric = goals[0].get("metric", "") if goals and isinstance(goals[0], dict) else ""
        criteria = [c for c in str(metric).split(_SUCCESS_SEP) if c] if metric else []
        new_goals = [{k: v for k, v in g.items() if k not in ("metric", "baseline")} if isinstance(g, dict) else g
                     for g in goals]
        if "goals" in doc:
            doc = _rename(doc, "goals", "business_goals")
            doc["business_goals"] = new_goals
        doc = _insert_after(doc, "business_goals", "success_criteria", criteria)
    elif kind == "raw_data":
        doc.pop("data_rights", None)
        doc.pop("data_policies", None)
    elif kind == "trained_model":
        for key in ("algorithm_metrics", "business_metrics"):
            items = []
            for m in _items(doc, key):
                if isinstance(m, dict):
                    m = {k: v for k, v in m.items() if k != "operator"}
                    if key == "business_metrics":
                        m = _rename(m, "goal_mapping", "business_goal_mapping")
                    else:
                        m.pop("goal_mapping", None)
                items.append(m)
            if key in doc:
                doc[key] = items
    elif kind == "production_environment":
        doc.pop("deployment_platform", None)
        doc.pop("deployment_mechanism", None)
    return doc


# -- 1.1 -> 1.2 -------------------------------------------------------------------------------

_SPEC_KEYS = {"data_pipeline": ("input_spec",), "trained_model": ("output_spec", "final_output_spec")}


def _spec_up(item: Any, with_error_handling: bool, where: str, notes: list, keep_types: bool = False) -> Any:
    if not isinstance(item, dict):
        return item
    expected = item.get("expected_values", "")
    out = {k: v for k, v in item.items() if k != "expected_values"}
    if "item_type" in out and not keep_types:
        new = item_type_12(out["item_type"]) or "Other"
        if new != out["item_type"]:
            notes.append(f"{where}.item_type '{out['item_type']}' became '{new}' (an enumeration in 1.2)")
        out["item_type"] = new
    if "item_specification" not in out:
        out = _insert_after(out, "item_type", "item_specification", empty_item_specification(str(expected or "")))
    if with_error_handling and "error_handling" not in out:
        out = _insert_after(out, "item_specification", "error_handling",
                            {"error_type": DEFAULT_ERROR_TYPE, "error_code_value": 0})
        notes.append(f"{where}.error_handling.error_type set to '{DEFAULT_ERROR_TYPE}' (new in 1.2): review it")
    return out


def _spec_down(item: Any, with_error_handling: bool) -> Any:
    if not isinstance(item, dict):
        return item
    spec = item.get("item_specification")
    expected = spec.get("other_value", "") if isinstance(spec, dict) else ""
    out = {}
    for k, v in item.items():
        if k == "item_specification":
            out["expected_values"] = expected
        elif with_error_handling and k == "error_handling":
            continue
        else:
            out[k] = v
    if "expected_values" not in out:
        out["expected_values"] = expected
    return out


def _up_11_12(kind: str, doc: dict, notes: list, keep_types: bool = False) -> dict:
    doc["version"] = "1.2"
    for key in _SPEC_KEYS.get(kind, ()):
        if isinstance(doc.get(key), list):
            doc[key] = [_spec_up(it, kind == "data_pipeline", f"$.{key}[{i}]", notes, keep_types)
                        for i, it in enumerate(doc[key])]
    return doc


def _down_12_11(kind: str, doc: dict, notes: list) -> dict:
    doc["version"] = "1.1"
    for key in _SPEC_KEYS.get(kind, ()):
        if isinstance(doc.get(key), list):
            doc[key] = [_spec_down(it, kind == "data_pipeline") for it in doc[key]]
    return doc


_UP = {"1.0": ("1.1", _up_10_11), "1.1": ("1.2", _up_11_12)}
_DOWN = {"1.2": ("1.1", _down_12_11), "1.1": ("1.0", _down_11_10)}


def migrate(kind: str, document: dict, to: str = "1.2", where: Location | None = None, *,
            keep_item_types: bool = False) -> dict:
    """A copy of ``document`` (a ``kind`` descriptor) converted to version ``to`` (up or down).

    ``keep_item_types`` keeps free-text item types of 1.0/1.1 inputs and outputs as written instead
    of mapping them to the 1.2 enumeration: the form the rules compare, because the Development
    Environment's item types (free text in every version) are never mapped, and a comparison must see
    both sides as written (``int`` against ``int``, not ``Integer`` against ``int``)."""
    return migrate_with_notes(kind, document, to, where, keep_item_types=keep_item_types)[0]


def migrate_with_notes(kind: str, document: dict, to: str = "1.2",
                       where: Location | None = None, *, keep_item_types: bool = False) -> tuple[dict, list[str]]:
    """Like :func:`migrate`, also returning notes on values that need review (defaults filled in)."""
    check_kind(kind, where)
    if not isinstance(document, dict):
        raise InputError("a descriptor document must be a JSON/YAML object", where)
    version = str(document.get("version", ""))
    if version not in VERSIONS:
        raise InputError(f"cannot migrate version '{version}'", where, expected="one of " + ", ".join(VERSIONS))
    if to not in VERSIONS:
        raise InputError(f"unknown target version '{to}'", where, expected="one of " + ", ".join(VERSIONS))
    # Every step builds new containers for what it changes, so a shallow copy keeps the input intact
    # (tests check it); a deep copy of every document would dominate `mlmismatch check` times.
    doc = dict(document)
    doc["version"] = version
    notes: list[str] = []
    steps = _UP if VERSIONS.index(to) >= VERSIONS.index(version) else _DOWN
    while doc["version"] != to:
        nxt, fn = steps[doc["version"]]
        doc = fn(kind, doc, notes, True) if keep_item_types and fn is _up_11_12 else fn(kind, doc, notes)
        doc["version"] = nxt
    return doc, notes


__all__ = ["migrate", "migrate_with_notes", "skeleton", "item_type_12", "empty_item_specification", "ITEM_TYPES", "KINDS"]


# -- skeletons (``mlmismatch descriptors new KIND``) --------------------------------------------

#: Placeholders used where an empty value would not validate; the gap step treats them as empty.


def _skeleton_value(spec: Any) -> Any:
    if not isinstance(spec, dict) or not spec:
        return []  # a required name without a definition (Trained Model 1.2 error_handling)
    if "const" in spec:
        return spec["const"]
    if "enum" in spec:
        values = spec["enum"]
        return "" if "" in values else ("Other" if "Other" in values else values[0])
    t = spec.get("type")
    if isinstance(t, list):
        t = t[0]
    if t == "object":
        props = spec.get("properties") or {}
        out = {}
        for name in list(props) + [r for r in spec.get("required") or [] if r not in props]:
            out[name] = _skeleton_value(props.get(name))
        return out
    if t == "array":
        n = int(spec.get("minItems", 0) or 0)
        return [_skeleton_value(spec.get("items") or {}) for _ in range(n)]
    if t == "string":
        fmt = spec.get("format")
        if fmt == "date":
            return PLACEHOLDER_DATE
        if fmt in ("uri", "iri"):
            return PLACEHOLDER_URI
        return ""
    if t in ("integer", "number"):
        minimum = spec.get("minimum", 0)
        return max(0, minimum) if isinstance(minimum, (int, float)) else 0
    if t == "boolean":
        return False
    return None


def skeleton(kind: str, version: str = VERSIONS[-1], schema: dict | None = None, *, store=None) -> dict:
    """An empty document of ``kind`` that validates against its schema, to be filled in.

    ``schema`` overrides the published one (e.g. a derived schema). Required arrays get as many
    empty items as ``minItems`` asks; enumerations take ``""`` when allowed, else ``Other``, else
    their first value; dates and URIs get :data:`PLACEHOLDER_DATE` / :data:`PLACEHOLDER_URI`.
    """
    from mlmismatch.descriptors.schemas import load_schema

    check_kind(kind)
    schema = schema if schema is not None else load_schema(kind, version, store=store)
    doc = _skeleton_value(schema)
    doc["version"] = doc.get("version") or version
    return {"version": doc.pop("version"), **doc}
