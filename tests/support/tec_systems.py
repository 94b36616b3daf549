"""A seeded generator of mutated systems for the differential test against SEI's TEC.

Each system starts from one of the three example systems (in their 1.2 form) and gets one to three
mutations. Every mutation operator aims at the rules (types, mappings, names, units, resources,
frameworks, statistics, goals, the post-processing flag, blanks against missing keys, white space,
case, older versions, absent descriptors) and returns its *tag*: the differential test explains a
disagreement only by a class of ``data/rules/README.md`` whose tags include one applied to the system
(``base:<example>`` counts for the example's own planted differences), and only when leaving those
mutations out (:func:`replay`) makes the disagreement go away. Systems are built in memory.

Most systems stay schema-valid: values keep their JSON types; the few operators that break validity
(``missing_key``, ``free_type``) say so in their tag.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"
BASES = ("credit-card-fraud", "traffic-signs", "customer-churn")
TYPES = ("Integer", "Float", "String", "Image", "Other")
FREE_TYPES = ("int", "float", "string", "number", "boolean", "date", "Float", "Integer", "String")


@dataclass
class Mutated:
    """One generated system: ``docs`` ``{kind: document}`` (any version), its base and its tags."""

    seed: int
    base: str
    docs: dict
    tags: list[str] = field(default_factory=list)
    #: (operator, random state before it ran) of each applied mutation, for :func:`replay`
    steps: list[tuple] = field(default_factory=list, repr=False)

    @property
    def all_tags(self) -> set[str]:
        return set(self.tags) | {f"base:{self.base}"}


def base_systems() -> dict[str, dict]:
    """The example systems, each document in its 1.2 form (item types as written)."""
    from mlmismatch.descriptors.migrate import migrate
    from mlmismatch.detection.documents import kind_from_filename, read_document

    out = {}
    for name in BASES:
        docs = {}
        for p in sorted((EXAMPLES / name).iterdir()):
            kind = kind_from_filename(p)
            if kind:
                data = read_document(p)
                docs[kind] = migrate(kind, data, "1.2", keep_item_types=True) if data["version"] != "1.2" else data
        out[name] = _schema_valid(name, docs)
    return out


def _schema_valid(name: str, docs: dict) -> dict:
    """customer-churn plants three schema errors besides its rule mismatches; the generator starts from
    a schema-valid copy (the mutations that break validity say so in their tag)."""
    if name == "customer-churn":
        tm = docs["trained_model"]
        tm["training_date"] = "2021-02-28"
        tm.setdefault("data_buffering_reqs", "")
        for d in tm.get("documentation", []):
            if "://" not in d.get("location", "://"):
                d["location"] = "https://example.org/churn/" + d["location"].replace(" ", "-")
    return docs


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def _pick(rng: random.Random, items):
    items = list(items)
    return rng.choice(items) if items else None


def _specs(s: dict) -> list[tuple[str, dict]]:
    """(where, item) of every typed interface item: model outputs, pipeline inputs, DE items."""
    out = []
    tm, dp, de = s.get("trained_model"), s.get("data_pipeline"), s.get("development_environment")
    if tm:
        out += [("tm.output", it) for it in tm.get("output_spec", [])]
        out += [("tm.final", it) for it in tm.get("final_output_spec", [])]
    if dp:
        out += [("dp.input", it) for it in dp.get("input_spec", [])]
    if de:
        out += [("de.down", it) for c in de.get("downstream_components", []) for it in c.get("input_spec", [])]
        out += [("de.up", it) for c in de.get("upstream_components", []) for it in c.get("output_spec", [])]
    return out


def components(s: dict) -> list[dict]:
    de = s.get("development_environment") or {}
    return list(de.get("downstream_components", [])) + list(de.get("upstream_components", []))


def mapped_items(s: dict) -> list[dict]:
    """Items with a component mapping: model outputs, final outputs, pipeline inputs."""
    return [it for where, it in _specs(s) if where in ("tm.output", "tm.final", "dp.input")]


def _ws(rng: random.Random, text: str) -> str:
    return rng.choice([" " + text, text + " ", " " + text + " ", text + "\t"])


def _case(rng: random.Random, text: str) -> str:
    return rng.choice([text.upper(), text.lower(), text.swapcase(), text.title()])


BLANKS = ("", " ", "  ")


# ----------------------------------------------------------------------------------------------
# operators: each changes the system in place and returns a tag, or None when it does not apply
# ----------------------------------------------------------------------------------------------

def op_type_change(s, rng):
    where, it = _pick(rng, _specs(s)) or (None, None)
    if it is None:
        return None
    enum = where in ("tm.output", "tm.final", "dp.input")
    it["item_type"] = rng.choice([t for t in (TYPES if enum else FREE_TYPES) if t != it.get("item_type")])
    return "type"


def op_type_blank(s, rng):
    where, it = _pick(rng, _specs(s)) or (None, None)
    if it is None:
        return None
    it["item_type"] = rng.choice(BLANKS)
    return "type_blank" + ("_spaces" if it["item_type"] else "")


def op_type_case(s, rng):
    where, it = _pick(rng, [(w, i) for w, i in _specs(s) if w.startswith("de.")]) or (None, None)
    if it is None or not it.get("item_type"):
        return None
    it["item_type"] = _case(rng, it["item_type"])
    return "case"


def op_free_type(s, rng):
    """A free-text type in a 1.2 model output or pipeline input (schema-invalid: 1.2 has an enumeration)."""
    where, it = _pick(rng, [(w, i) for w, i in _specs(s) if not w.startswith("de.")]) or (None, None)
    if it is None:
        return None
    it["item_type"] = rng.choice(FREE_TYPES[:6])
    return "free_type"


def op_mapping_blank(s, rng):
    it = _pick(rng, mapped_items(s))
    if it is None or not isinstance(it.get("component_mapping"), dict):
        return None
    keys = rng.choice([["component"], ["data_item"], ["component", "data_item"]])
    for k in keys:
        it["component_mapping"][k] = rng.choice(BLANKS)
    return "mapping_blank"


def op_mapping_unknown(s, rng):
    it = _pick(rng, mapped_items(s))
    if it is None or not isinstance(it.get("component_mapping"), dict):
        return None
    k = rng.choice(["component", "data_item"])
    it["component_mapping"][k] = (it["component_mapping"][k] or "x") + "-unknown"
    return "mapping_unknown"


def op_blank_entry(s, rng):
    """A downstream/upstream entry with a blank component or item name (what an empty mapping could join)."""
    de = s.get("development_environment")
    if not de:
        return None
    side, key = rng.choice([("downstream_components", "input_spec"), ("upstream_components", "output_spec")])
    de.setdefault(side, []).append({"component_name": rng.choice(BLANKS), "ml_component": False,
                                    key: [{"item_name": rng.choice(BLANKS), "item_description": "",
                                           "item_type": rng.choice(FREE_TYPES), "expected_values": ""}]})
    return "blank_entry"


def op_empty_mapping_output(s, rng):
    """A new model output / pipeline input with an empty mapping (the bug of issue 14), beside a blank entry."""
    tm, dp = s.get("trained_model"), s.get("data_pipeline")
    lists = []
    if tm:
        lists.append(tm.setdefault("final_output_spec" if tm.get("post_processing") else "output_spec", []))
    if dp:
        lists.append(dp.setdefault("input_spec", []))
    target = _pick(rng, [lst for lst in lists if lst])
    if target is None:
        return None
    new = copy.deepcopy(target[0])
    new["item_name"] = f"extra{rng.randrange(100)}"
    new["item_type"] = rng.choice(TYPES)
    new["component_mapping"] = {"component": rng.choice(BLANKS), "data_item": rng.choice(BLANKS)}
    target.append(new)
    if rng.random() < 0.7:
        op_blank_entry(s, rng)
    return "empty_mapping"


def op_rename_item(s, rng):
    """Rename one downstream input, upstream output or production field (breaks a join)."""
    choices = []
    de, pd = s.get("development_environment"), s.get("production_data")
    if de:
        choices += [it for c in components(s) for it in c.get("input_spec", []) + c.get("output_spec", [])]
    if pd:
        choices += [("pd", f) for f in pd.get("schema", [])]
    it = _pick(rng, choices)
    if it is None:
        return None
    if isinstance(it, tuple):
        it[1]["field_name"] = it[1]["field_name"] + "_v2"
    else:
        it["item_name"] = it["item_name"] + "_v2"
    return "rename"


def op_rename_component(s, rng):
    c = _pick(rng, components(s))
    if c is None:
        return None
    c["component_name"] = c["component_name"] + "-v2"
    return "rename"


def op_whitespace(s, rng):
    """White space around a join key or a compared value."""
    targets = []
    for it in mapped_items(s):
        if isinstance(it.get("component_mapping"), dict):
            targets += [(it["component_mapping"], "component"), (it["component_mapping"], "data_item")]
        targets.append((it, "item_type"))
    for c in components(s):
        targets.append((c, "component_name"))
        targets += [(it, k) for it in c.get("input_spec", []) + c.get("output_spec", []) for k in ("item_name", "item_type")]
    for kind, key, fields in (("trained_model", "business_metrics", ("metric", "goal_mapping")),
                              ("trained_model", "algorithm_metrics", ("metric", "goal_mapping")),
                              ("trained_model", "log_data", ("log",)),
                              ("trained_model", "user_system_feedback", ("short_name",)),
                              ("production_environment", "business_metrics", ("metric",)),
                              ("production_environment", "algorithm_metrics", ("metric",)),
                              ("production_environment", "model_logs", ("log",)),
                              ("training_data", "schema", ("mapping_production_data", "field_type")),
                              ("production_data", "schema", ("field_name", "field_type")),
                              ("training_data", "statistics", ("property", "field", "value")),
                              ("production_data", "statistics", ("property", "field", "value")),
                              ("training_data", "distribution", ("mapping_production_data",)),
                              ("system_context", "goals", ("id",))):
        for it in (s.get(kind) or {}).get(key, []):
            targets += [(it, f) for f in fields]
    for kind, key in (("trained_model", "ml_frameworks"), ("development_environment", "programming_languages"),
                      ("development_environment", "ml_frameworks")):
        lst = (s.get(kind) or {}).get(key)
        if lst:
            targets += [(lst, i) for i in range(len(lst))]
    targets = [(o, k) for o, k in targets
               if (isinstance(o, list) or k in o) and isinstance(o[k], str) and o[k].strip()]  # a key may be gone
    o, k = _pick(rng, targets) or (None, None)
    if o is None:
        return None
    o[k] = _ws(rng, o[k])
    return "whitespace"


def op_case_names(s, rng):
    """Change the case of a language, framework, metric, log or component name on one side."""
    targets = []
    for kind, key in (("trained_model", "ml_frameworks"), ("development_environment", "programming_languages")):
        lst = (s.get(kind) or {}).get(key)
        if lst:
            targets += [(lst, i) for i in range(len(lst))]
    for it in (s.get("production_environment") or {}).get("business_metrics", []):
        targets.append((it, "metric"))
    for c in components(s):
        targets.append((c, "component_name"))
    targets = [(o, k) for o, k in targets if isinstance(o[k], str) and o[k] != _case(random.Random(0), o[k])]
    o, k = _pick(rng, targets) or (None, None)
    if o is None:
        return None
    o[k] = _case(rng, o[k])
    return "case"


def op_resources(s, rng):
    docs = [(s.get("trained_model"), "computing_resource_reqs"), (s.get("development_environment"), "computing_resources"),
            (s.get("production_environment"), "computing_resources")]
    doc, key = _pick(rng, [(d, k) for d, k in docs if d]) or (None, None)
    if doc is None:
        return None
    res = doc[key]
    r = rng.choice(["gpu", "cpu", "memory", "storage"])
    res[r] = max(0, res[r] + rng.choice([-8, -2, -1, 1, 2, 16]))
    if rng.random() < 0.2:
        res[r] = float(res[r]) + 0.5
    return "resources"


def op_inference(s, rng):
    doc, key = _pick(rng, [(d, k) for d, k in ((s.get("trained_model"), "inference_time"),
                                               (s.get("production_environment"), "required_inference_time")) if d]) or (None, None)
    if doc is None:
        return None
    t = doc[key]
    if rng.random() < 0.5:
        t["time"] = rng.choice([1, 5, 20, 50, 200, 2000, 0.5])
        return "inference"
    t["unit"] = rng.choice(["Milliseconds", "Seconds", "Minutes", "Hours"])
    return "inference_unit"


def op_bad_unit(s, rng):
    """A unit outside the enumeration (schema-invalid): TEC reads it as milliseconds."""
    doc, key = _pick(rng, [(d, k) for d, k in ((s.get("trained_model"), "inference_time"),
                                               (s.get("production_environment"), "required_inference_time")) if d]) or (None, None)
    if doc is None:
        return None
    doc[key]["unit"] = rng.choice(["", "seconds", "ms", "Days"])
    return "bad_unit"


def op_frameworks(s, rng):
    tm, de = s.get("trained_model"), s.get("development_environment")
    if not tm:
        return None
    r = rng.random()
    if r < 0.3:
        tm["ml_frameworks"].append(rng.choice(["PyTorch", "TensorFlow", "Keras"]))
        return "frameworks"
    if r < 0.55:
        tm["ml_frameworks"].append(rng.choice(BLANKS))
        return "blank_framework"
    if r < 0.8 and tm.get("model_components"):
        comp = rng.choice(tm["model_components"])
        comp["programming_languages"].append(rng.choice(["R", "Julia", "C++"] + list(BLANKS)))
        return "blank_language" if not comp["programming_languages"][-1].strip() else "frameworks"
    if de and de.get("ml_frameworks"):
        de["ml_frameworks"].pop(rng.randrange(len(de["ml_frameworks"])))
        return "frameworks"
    return None


def op_duplicate_language(s, rng):
    """A second model component with the same languages (TEC reports each occurrence; we do too)."""
    tm = s.get("trained_model")
    if not tm or not tm.get("model_components"):
        return None
    tm["model_components"].append(copy.deepcopy(tm["model_components"][0]))
    return "frameworks"


def op_statistics(s, rng):
    td, pd = s.get("training_data"), s.get("production_data")
    if not td or not pd or not td.get("statistics"):
        return None
    st = rng.choice(td["statistics"])
    r = rng.random()
    if r < 0.3:
        st["value"] = str(rng.choice([0.5, 1, 12.5, 61.4, 100]))
        return "statistics"
    if r < 0.5:  # the same number written differently
        try:
            x = float(st["value"])
        except ValueError:
            return None
        st["value"] = rng.choice([f"{x:.3f}", f"{x}0", f"{x:g}"])
        return "statistics_format"
    if r < 0.65:
        st["value"] = st["value"] + "%"
        return "statistics_percent"
    if r < 0.8:  # the same statistic on another production field, first in the list
        other = _pick(rng, [f["field_name"] for f in pd.get("schema", [])])
        if other is None:
            return None
        pd["statistics"].insert(0, {"property": st["property"], "field": other + "_other", "value": "999"})
        return "statistics_order"
    st["value"] = rng.choice(BLANKS)
    return "statistics_blank"


def op_distribution(s, rng):
    td = s.get("training_data")
    if not td or not td.get("distribution"):
        return None
    d = rng.choice(td["distribution"])
    r = rng.random()
    if r < 0.5:
        d["percentage"] = rng.choice([5, 10, 20, 26, 50, 90, 12.5])
        return "distribution"
    if r < 0.8:
        d["mapping_production_data"] = rng.choice(BLANKS)
        return "distribution_blank"
    d["mapping_production_data"] = d["mapping_production_data"] + "_x"
    return "rename"


def op_fields(s, rng):
    """Training/production schema fields: types, mappings, the label flag."""
    td, pd = s.get("training_data"), s.get("production_data")
    if not td or not td.get("schema"):
        return None
    f = rng.choice(td["schema"])
    r = rng.random()
    if r < 0.3:
        f["field_type"] = rng.choice(["float", "int", "string", "Float", "date"])
        return "type"
    if r < 0.5:
        f["mapping_production_data"] = rng.choice(BLANKS)
        return "field_mapping_blank" + ("_spaces" if f["mapping_production_data"] else "")
    if r < 0.7:
        f["label_field"] = not f["label_field"]
        return "label_flag"
    if r < 0.85 and pd:
        pd["schema"].append({"field_name": rng.choice(["extra"] + list(BLANKS)), "field_description": "",
                             "field_type": "string", "expected_values": ""})
        return "production_field" + ("_blank" if not pd["schema"][-1]["field_name"].strip() else "")
    f["field_name"] = rng.choice(BLANKS)
    return "field_name_blank"


def op_goals(s, rng):
    sc, tm = s.get("system_context"), s.get("trained_model")
    if not sc:
        return None
    r = rng.random()
    if r < 0.3:
        sc["goals"].append({"id": f"G{rng.randrange(5, 99)}", "goal": "another goal", "metric": "", "baseline": ""})
        return "goals"
    if r < 0.55:
        sc["goals"].append({"id": rng.choice(BLANKS), "goal": "unnamed goal", "metric": "", "baseline": ""})
        return "goal_id_blank"
    if tm and tm.get("business_metrics") + tm.get("algorithm_metrics"):
        m = rng.choice(tm["business_metrics"] + tm["algorithm_metrics"])
        m["goal_mapping"] = rng.choice(["G99", "", m["goal_mapping"].lower()])
        return "goals" if m["goal_mapping"] else "goal_mapping_blank"
    return None


def op_metrics(s, rng):
    tm = s.get("trained_model")
    if not tm:
        return None
    key, field_ = rng.choice([("business_metrics", "metric"), ("algorithm_metrics", "metric"), ("log_data", "log"),
                              ("user_system_feedback", "short_name")])
    items = tm.get(key) or []
    if not items:
        return None
    it = rng.choice(items)
    r = rng.random()
    if r < 0.5:
        it[field_] = it[field_] + " v2"
        return "metrics"
    if r < 0.8:
        it[field_] = rng.choice(BLANKS)
        return "metrics_blank"
    it[field_] = "1970-01-01"
    return "placeholder"


def op_placeholder(s, rng):
    """A skeleton placeholder as a name or mapping (it is a value like any other to the rules)."""
    it = _pick(rng, mapped_items(s))
    if it is None:
        return None
    if rng.random() < 0.5 and isinstance(it.get("component_mapping"), dict):
        it["component_mapping"]["data_item"] = "https://example.invalid/"
    else:
        it["item_name"] = "1970-01-01"
    return "placeholder"


def op_post_processing(s, rng):
    tm = s.get("trained_model")
    if not tm:
        return None
    if tm.get("post_processing"):
        tm["post_processing"] = False
        if rng.random() < 0.5:
            tm["output_spec"] = copy.deepcopy(tm["final_output_spec"])
        return "post_processing"
    tm["post_processing"] = True
    tm["post_processing_process"] = ["round"]
    if rng.random() < 0.7:
        tm["final_output_spec"] = copy.deepcopy(tm["output_spec"])
        if rng.random() < 0.5:
            for it in tm["output_spec"]:
                it["component_mapping"] = {"component": "", "data_item": ""}
    return "post_processing"


def op_duplicate_component(s, rng):
    """A second downstream/upstream component with the same name, listed first, that lacks the item."""
    de = s.get("development_environment")
    if not de:
        return None
    side, key = rng.choice([("downstream_components", "input_spec"), ("upstream_components", "output_spec")])
    comps = de.get(side) or []
    if not comps:
        return None
    c = rng.choice(comps)
    dup = {"component_name": c["component_name"], "ml_component": False,
           key: [{"item_name": "unrelated", "item_description": "", "item_type": "String", "expected_values": ""}]}
    comps.insert(0, dup)
    return "duplicate_component"


def op_duplicate_item(s, rng):
    """A second item of the same name in one component, with another type, listed first."""
    c = _pick(rng, [c for c in components(s) if (c.get("input_spec") or c.get("output_spec"))])
    if c is None:
        return None
    key = "input_spec" if c.get("input_spec") else "output_spec"
    it = copy.deepcopy(rng.choice(c[key]))
    it["item_type"] = rng.choice(FREE_TYPES)
    c[key].insert(0, it)
    return "duplicate_item"


def op_missing_key(s, rng):
    """Delete a required key (schema-invalid: a blank value and a missing key differ)."""
    candidates = []
    for it in mapped_items(s):
        candidates += [(it, "item_type"), (it, "item_name")]
    for kind, key in (("trained_model", "ml_frameworks"), ("training_data", "statistics"),
                      ("production_data", "distribution"), ("system_context", "goals")):
        if s.get(kind):
            candidates.append((s[kind], key))
    o, k = _pick(rng, [(o, k) for o, k in candidates if k in o]) or (None, None)
    if o is None:
        return None
    del o[k]
    return "missing_key"


def op_identifiers(s, rng):
    pairs = [("trained_model", "data_pipeline_identifier"), ("trained_model", "training_data_identifier"),
             ("training_data", "raw_data_identifier")]
    kind, key = _pick(rng, [(k, f) for k, f in pairs if s.get(k)]) or (None, None)
    if kind is None:
        return None
    s[kind][key] = s[kind][key] + "-old"
    return "identifiers"


def op_drop_descriptor(s, rng):
    kind = rng.choice(["trained_model", "development_environment", "production_environment", "data_pipeline",
                       "training_data", "production_data"])
    if kind not in s or len(s) < 3:
        return None
    del s[kind]
    return "absent_descriptor"


def op_version(s, rng):
    """Write one document as 1.1 or 1.0 (both tools migrate it back to 1.2)."""
    from mlmismatch.descriptors.migrate import migrate

    kind = rng.choice(["trained_model", "data_pipeline", "development_environment", "system_context",
                       "production_environment", "training_data"])
    if kind not in s or s[kind].get("version") != "1.2":
        return None
    to = rng.choice(["1.1", "1.0"])
    doc = migrate(kind, s[kind], to)
    if kind in ("trained_model", "data_pipeline"):  # older versions had free-text item types
        for key in ("output_spec", "final_output_spec", "input_spec"):
            for it in doc.get(key, []):
                if rng.random() < 0.6:
                    it["item_type"] = rng.choice(FREE_TYPES[:6])
    s[kind] = doc
    return "version"


def op_free_type_everywhere(s, rng):
    """Older documents whose two sides agree on a free-text type (the migration bug of issue 14)."""
    from mlmismatch.descriptors.migrate import migrate

    tm, de = s.get("trained_model"), s.get("development_environment")
    if not tm or not de or tm.get("version") != "1.2" or tm.get("post_processing"):
        return None
    index = {(c["component_name"], it["item_name"]): it for c in de.get("downstream_components", [])
             for it in c.get("input_spec", [])}
    old = migrate("trained_model", tm, "1.1")
    word = rng.choice(["int", "float", "tensor", "number", "boolean"])
    hit = False
    for it in old.get("output_spec", []):
        m = it.get("component_mapping") or {}
        target = index.get((m.get("component"), m.get("data_item")))
        if target is not None:
            it["item_type"] = word
            target["item_type"] = word
            hit = True
    if not hit:
        return None
    s["trained_model"] = old
    return "version"


OPERATORS = [op_type_change, op_type_blank, op_type_case, op_free_type, op_mapping_blank, op_mapping_unknown,
             op_blank_entry, op_empty_mapping_output, op_rename_item, op_rename_component, op_whitespace,
             op_case_names, op_resources, op_inference, op_bad_unit, op_frameworks, op_duplicate_language,
             op_statistics, op_distribution, op_fields, op_goals, op_metrics, op_placeholder, op_post_processing,
             op_duplicate_component, op_duplicate_item, op_missing_key, op_identifiers, op_drop_descriptor,
             op_version, op_free_type_everywhere]


def generate(n: int = 1200, seed: int = 14, bases: dict | None = None) -> list[Mutated]:
    """``n`` systems, deterministic for a seed; a third get one mutation, the rest two or three."""
    bases = bases or base_systems()
    names = list(bases)
    out: list[Mutated] = []
    rng = random.Random(seed)
    i = 0
    while len(out) < n:
        i += 1
        base = names[i % len(names)]
        s = copy.deepcopy(bases[base])
        m = Mutated(seed=i, base=base, docs=s)
        k = rng.choice([1, 1, 2, 3])
        tries = 0
        while len(m.tags) < k and tries < 10:
            tries += 1
            op = rng.choice(OPERATORS)
            if any(d.get("version") != "1.2" for d in s.values()) and op is not op_version:
                continue  # mutate 1.2 documents only; a version change comes last
            state = rng.getstate()
            tag = op(s, rng)
            if tag:
                m.tags.append(tag)
                m.steps.append((op, state))
        if m.tags:
            out.append(m)
    return out


def replay(system: Mutated, skip: set[int], bases: dict) -> dict:
    """The documents of ``system`` with the mutations at indices ``skip`` left out (the others re-run
    with the random state they had): a counterfactual to confirm which mutation caused a difference."""
    s = copy.deepcopy(bases[system.base])
    for i, (op, state) in enumerate(system.steps):
        if i in skip:
            continue
        rng = random.Random()
        rng.setstate(state)
        op(s, rng)
    return s
