"""The mismatches written as predicates: the rule catalogue kept as data (``data/rules/rules.yaml``).

The paper's Phase 2 writes each mismatch that a rule can detect as a predicate over attributes of
the system's descriptors. Here every rule is data: a predicate over attribute paths of one or more
descriptors (1.2 paths), with a message, a rationale, the mismatch subcategories it guards against,
its stable id (``R01`` ...) and the number of the SEI TEC rule it corresponds to (``sei_rule``, or
null for rules TEC does not have). This module reads and checks the catalogue;
:mod:`mlmismatch.detection.rules` evaluates it on a system's documents.

Paths: dot-separated attribute names; ``name[]`` iterates an array. A *key* is a list of field
expressions evaluated on each iterated item: ``a.b`` (a field of the item), ``.`` (the item
itself, for arrays of strings), ``../a`` (a field of the enclosing item), or a lookup
``{lookup: field, in: "schema[]", match: field_name, take: mapping_production_data}`` (find the
item of ``in`` whose ``match`` equals this item's ``lookup`` and take its ``take``).

Predicate types (``check.type``):

* ``each_in``  every item's key (items with empty ``require`` fields skipped) occurs among the
  keys of the ``within`` item sets (a union).
* ``nonempty`` every item (``require`` fields non-empty, ``where`` filter true) has non-empty
  ``fields``.
* ``match``    items are joined to ``against`` items by key; the ``compare`` field must agree
  (``eq``, numbers within ``tolerance``; values empty on either side are skipped).
* ``compare``  scalar pairs across descriptors: ``left op right`` for each pair (``le``, ``eq``),
  with optional duration units converted to milliseconds.

A rule whose descriptors are not all present is not evaluated (the absent descriptor is reported
once as an information gap instead).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from mlmismatch.core import resources
from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.text import md_cell
from mlmismatch.descriptors.schemas import KINDS

__all__ = ["Rule", "load_rules", "rules_path", "rules_table", "rules_markdown", "SUBCATEGORY_RE", "CHECK_TYPES", "OPS"]

SUBCATEGORY_RE = re.compile(r"^\((TP|RD|TM|TD|DE|OD|OE)\) \S.*$")
CHECK_TYPES = ("each_in", "nonempty", "match", "compare")
OPS = ("le", "lt", "ge", "gt", "eq")


def rules_path() -> Path:
    """The packaged rule file (``data/rules/rules.yaml`` in the repository)."""
    return resources.path("data", "rules", "rules.yaml")


@dataclass(frozen=True)
class Rule:
    id: str
    sei_rule: str | None
    title: str
    descriptors: tuple[str, ...]
    check: Mapping[str, Any]
    message: str
    rationale: str
    subcategories: tuple[str, ...]
    predicate: str
    evidence: str = ""
    difference: str = ""


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """Read and check the rule file (default: the packaged one); bad entries -> :class:`InputError`.

    Examples
    --------
    >>> [r.id for r in load_rules()][:3]
    ['R01', 'R02', 'R03']
    """
    import yaml

    path = str(path) if path is not None else str(rules_path())

    from mlmismatch.core.inputs import read_bytes

    if not os.path.lexists(path):
        raise InputError("rule file not found", Location(file=path))
    raw_bytes = read_bytes(path, "a YAML rule file", 5 * 1024 * 1024)  # regular files only, at most 5 MiB
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", Location(file=path), expected="a YAML rule file") from None
    try:
        # libyaml's loader when PyYAML was built with it (same safe rules, about 10x faster)
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except RecursionError:
        raise InputError("rule file nested too deeply", Location(file=path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', exc)})",
                         Location(file=path, line=mark.line + 1 if mark else None,
                                  col=mark.column + 1 if mark else None)) from None
    entries = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise InputError("expected a top-level 'rules' list", Location(file=path))
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, e in enumerate(entries):
        where = Location(file=Path(path).name, path=f"$.rules[{i}]")
        if not isinstance(e, dict):
            raise InputError("a rule must be a mapping", where)
        for key in ("id", "title", "descriptors", "check", "message", "rationale", "subcategories", "predicate"):
            if key not in e:
                raise InputError(f"rule without '{key}'", where)
        rid = str(e["id"])
        if not re.fullmatch(r"R\d{2}", rid) or rid in seen:
            raise InputError(f"bad or repeated rule id '{rid}'", where, expected="R followed by two digits, unique")
        seen.add(rid)
        descriptors = tuple(e["descriptors"])
        for d in descriptors:
            if d not in KINDS:
                raise InputError(f"rule {rid}: unknown descriptor '{d}'", where, expected="one of " + ", ".join(KINDS))
        check = e["check"]
        if not isinstance(check, dict) or check.get("type") not in CHECK_TYPES:
            raise InputError(f"rule {rid}: unknown check type", where, expected="one of " + ", ".join(CHECK_TYPES))
        used = _descriptors_used(check)
        if not used <= set(descriptors):
            raise InputError(f"rule {rid}: check uses {sorted(used - set(descriptors))} not in its descriptors", where)
        subs = tuple(e["subcategories"])
        for s in subs:
            if not SUBCATEGORY_RE.match(str(s)):
                raise InputError(f"rule {rid}: subcategory '{s}'", where, expected="'(XX) Subcategory' with a category code")
        sei = e.get("sei_rule")
        rules.append(Rule(id=rid, sei_rule=None if sei is None else str(sei), title=str(e["title"]),
                          descriptors=descriptors, check=check, message=" ".join(str(e["message"]).split()),
                          rationale=" ".join(str(e["rationale"]).split()), subcategories=subs,
                          predicate=" ".join(str(e["predicate"]).split()),
                          evidence=" ".join(str(e.get("evidence", "")).split()),
                          difference=" ".join(str(e.get("difference", "")).split())))
    return rules


def _descriptors_used(check: Mapping) -> set[str]:
    used: set[str] = set()

    def visit(obj: Any) -> None:
        if isinstance(obj, dict):
            if "descriptor" in obj:
                used.add(obj["descriptor"])
            for v in obj.values():
                visit(v)
        elif isinstance(obj, list):
            for v in obj:
                visit(v)

    visit(check)
    return used


def rules_table(rules: list[Rule] | None = None) -> "Any":
    """The rule table (id, SEI rule, descriptors, subcategories, predicate) as a DataFrame."""
    import pandas as pd

    rules = load_rules() if rules is None else rules
    return pd.DataFrame(
        [{"rule_id": r.id, "sei_rule": r.sei_rule or "", "title": r.title, "descriptors": ", ".join(r.descriptors),
          "subcategories": "; ".join(r.subcategories), "predicate": r.predicate, "difference": r.difference}
         for r in rules])


def rules_markdown(rules: list[Rule] | None = None) -> str:
    """The Markdown table written into ``data/rules/README.md``."""
    rules = load_rules() if rules is None else rules
    lines = ["| Rule | SEI rule | Descriptors | Subcategories | Predicate |", "|---|---|---|---|---|"]
    for r in rules:
        cells = [r.id, r.sei_rule or "—", ", ".join(r.descriptors), "; ".join(r.subcategories), r.predicate]
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


