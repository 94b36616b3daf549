"""Describing into an existing document: fill what is empty, never overwrite what a person wrote.

A field a person wrote that disagrees with what the artefact says of itself is kept, and reported
as a finding of kind ``describe``: that disagreement is itself a mismatch worth knowing (the data
changed since it was documented, the machine is not the one described, ...).

>>> doc = {"schema": [{"field_name": "a", "field_type": "integer", "missing_values": "dropped"}], "rows": ""}
>>> new = {"schema": [{"field_name": "a", "field_type": "float", "missing_values": ""}], "rows": "3"}
>>> merged = merge(doc, new, file="training_data.json", kind="training_data")
>>> merged.document["rows"], merged.document["schema"][0]["field_type"], merged.filled
('3', 'integer', ['$.rows'])
>>> merged.findings[0].message
"training_data.json, at $.schema[0].field_type: the document says 'integer', the data says 'float'"
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from mlmismatch.core.findings import Finding, Kind, Level, Status
from mlmismatch.core.text import is_empty
from mlmismatch.descriptors.schemas import json_path

#: How the items of a list are matched between the document and the description (the item's key).
ITEM_KEYS = {
    "schema": ("field_name",),
    "statistics": ("property", "field"),
    "distribution": ("label",),
    "labels_distribution": ("label",),
    "output_spec": ("item_name",),
    "final_output_spec": ("item_name",),
    "hyper_parameters": ("parameter_name",),
    "documentation": ("location",),
}
#: What the artefact is called in messages, by descriptor kind.
ARTEFACT = {"training_data": "the data", "production_data": "the data", "raw_data": "the data",
            "trained_model": "the model", "development_environment": "this machine",
            "production_environment": "this machine"}


@dataclass
class Merged:
    document: dict
    findings: list[Finding] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)  # JSON paths filled from the artefact


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    x, y = _number(a), _number(b)
    if x is not None and y is not None and math.isfinite(x) and math.isfinite(y):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    return False


def _all_empty(items: list) -> bool:
    def empty(v: Any) -> bool:
        if isinstance(v, dict):
            return all(empty(x) for x in v.values())
        if isinstance(v, list):
            return all(empty(x) for x in v)
        return is_empty(v) or v is False or v == 0
    return all(empty(v) for v in items)


class _Merger:
    def __init__(self, file: str, artefact: str):
        self.file = file
        self.artefact = artefact
        self.findings: list[Finding] = []
        self.filled: list[str] = []

    def disagree(self, path: tuple, theirs: Any, ours: Any, what: str | None = None) -> None:
        where = json_path(path)
        message = what or f"the document says {theirs!r}, {self.artefact} says {ours!r}"
        self.findings.append(Finding(Kind.DESCRIBE, "describe:disagrees", Status.DISAGREES,
                                     message=f"{self.file}, at {where}: {message}", location=f"{self.file} {where}",
                                     level=Level.WARNING))

    def value(self, path: tuple, theirs: Any, ours: Any) -> Any:
        if isinstance(theirs, dict) and isinstance(ours, dict):
            return self.mapping(path, theirs, ours)
        if isinstance(theirs, list) and isinstance(ours, list):
            return self.sequence(path, theirs, ours)
        if is_empty(theirs):
            if not is_empty(ours):
                self.filled.append(json_path(path))
                return copy.deepcopy(ours)
            return theirs
        if not is_empty(ours) and not _same(theirs, ours):
            self.disagree(path, theirs, ours)
        return theirs

    def mapping(self, path: tuple, theirs: dict, ours: dict) -> dict:
        out = dict(theirs)
        for key, value in ours.items():
            if key not in theirs:
                if not is_empty(value):
                    self.filled.append(json_path((*path, key)))
                out[key] = copy.deepcopy(value)
            else:
                out[key] = self.value((*path, key), theirs[key], value)
        return out

    def sequence(self, path: tuple, theirs: list, ours: list) -> list:
        if _all_empty(theirs):
            if ours and not _all_empty(ours):
                self.filled.append(json_path(path))
                return copy.deepcopy(ours)
            return theirs
        if not ours or _all_empty(ours):
            return theirs
        if all(not isinstance(v, (dict, list)) for v in theirs + ours):  # a list of names
            mine = [v for v in theirs if not is_empty(v)]
            if {str(v) for v in mine} != {str(v) for v in ours if not is_empty(v)}:
                self.disagree(path, mine, ours)
            return theirs
        keys = ITEM_KEYS.get(str(path[-1]) if path else "")
        if not keys or not all(isinstance(v, dict) for v in theirs + ours):
            out = list(theirs)
            for i, (a, b) in enumerate(zip(theirs, ours)):
                out[i] = self.value((*path, i), a, b)
            return out

        def key(item: dict) -> tuple:
            return tuple(str(item.get(k, "")).strip() for k in keys)

        index = {key(item): i for i, item in enumerate(theirs) if not all(is_empty(item.get(k)) for k in keys)}
        out = list(theirs)
        seen = set()
        for item in ours:
            k = key(item)
            if k in index:
                seen.add(k)
                out[index[k]] = self.value((*path, index[k]), theirs[index[k]], item)
            else:
                shown = ", ".join(f"{n} {v!r}" for n, v in zip(keys, k))
                self.disagree(path, None, None, f"the document lists no item with {shown}, which {self.artefact} has")
        for k, i in index.items():
            if k not in seen and not (path and path[-1] == "statistics"):
                shown = ", ".join(f"{n} {v!r}" for n, v in zip(keys, k))
                self.disagree((*path, i), None, None, f"the document lists an item with {shown}, which "
                                                      f"{self.artefact} does not have")
        return out


def merge(document: dict, described: dict, *, file: str = "document", kind: str | None = None) -> Merged:
    """Fill ``document``'s empty fields from ``described``; report the fields that disagree.

    The document is not changed; :attr:`Merged.document` is the result.
    """
    m = _Merger(file, ARTEFACT.get(kind or "", "the artefact"))
    merged = m.mapping((), document, described)
    return Merged(merged, m.findings, m.filled)
