"""Information gaps: attributes missing or empty, and absent descriptors, ranked by the study.

Each gap names the mismatch subcategories it leaves the system open to (through the packaged
attribute-to-subcategory mapping) and is ranked by how often the study coded those subcategories
and how important survey respondents (or one ``role``) rated them. The ranking weights come from
the packaged aggregates (:func:`gap_weights`), recomputed from the workbooks by ``reproduce``, so
``check`` needs no study data; a caller may pass the coded instances and Table II instead.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from mlmismatch.core import resources
from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.findings import Kind
from mlmismatch.core.labels import subcategory_label
from mlmismatch.core.text import MISSING, clean, is_empty
from mlmismatch.descriptors.schemas import KINDS, TITLES, VERSIONS, _walk, json_path, load_derived, schema_readonly
from mlmismatch.detection.documents import Document
from mlmismatch.detection.findings import Finding, finding
from mlmismatch.mapping.predicates import SUBCATEGORY_RE
from mlmismatch.sources import Store, as_store
from mlmismatch.study.codebook import CATEGORY_BY_NAME, CATEGORY_CODES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["information_gaps", "rank_gaps", "GapWeights", "packaged_weights", "weights_from_study", "mapping_index",
           "load_mapping", "subcategories_for", "subcategory_label_of", "MAPPING_FILE", "AGGREGATE_FILES"]

#: The attribute -> subcategory mapping, shipped in the package.
MAPPING_FILE = ("mapping", "subcategory_attributes.csv")
#: The study's aggregates that rank gaps, shipped in the package (written by ``mlmismatch data aggregates``).
AGGREGATE_FILES = {"instances": ("aggregates", "subcategory_instances.csv"),
                   "importance": ("aggregates", "important_by_role.csv")}
INSTANCE_COLUMNS = ["category_code", "category", "subcategory", "n_instances"]
IMPORTANCE_COLUMNS = ["category", "subcategory", "role", "n_important", "n_respondents", "pct"]

#: Attributes whose emptiness is a gap only when another attribute says they apply.
CONDITIONAL = {
    ("trained_model", "model_composition_details"): ("ensemble", True),
    ("trained_model", "final_output_spec"): ("post_processing", True),
    ("trained_model", "post_processing_process"): ("post_processing", True),
    ("trained_model", "integration_test_dataset"): ("post_processing", True),
}
#: Item attributes whose emptiness is a gap only when a sibling attribute has a given value.
CONDITIONAL_ITEM = {
    ("training_data", "schema[].mapping_production_data"): ("label_field", False),  # labels are not inputs
}


def subcategory_label_of(category: str, subcategory: str) -> str:
    """The ``(XX) Subcategory`` label of a subcategory given with its category's name, code or label."""
    sub = clean(subcategory)
    if SUBCATEGORY_RE.match(sub):
        return sub
    cat = clean(category)
    code = cat.upper() if cat.upper() in CATEGORY_CODES else CATEGORY_BY_NAME.get(cat.lower())
    if code is None and cat.endswith(")") and "(" in cat:
        code = cat.rsplit("(", 1)[1].rstrip(")").strip().upper()
    return subcategory_label(code, sub) if code else sub


def _norm_kind(text: Any) -> str:
    return str(text).strip().lower().replace(" ", "_").replace("-", "_")


def _records(table: Any) -> list[Mapping[str, Any]]:
    """Rows of a DataFrame or a list of dicts, as dicts (so that pandas stays optional here)."""
    if table is None:
        return []
    if hasattr(table, "to_dict"):
        return table.to_dict(orient="records")
    return list(table)


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    import io

    from mlmismatch.core.inputs import MAX_CELLS, read_bytes

    raw = read_bytes(path, "a UTF-8 CSV (the attribute mapping)")  # regular files only, bounded
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", Location(file=path), expected="a UTF-8 CSV") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        problem = str(exc).replace("unexpected end of data", "a quoted field is not closed")
        raise InputError(f"not a readable CSV ({problem})", Location(file=path), expected="a UTF-8 CSV") from None
    header = set(rows[0]) if rows else set()
    if sum(len(r) for r in rows) > MAX_CELLS:
        raise InputError(f"more than {MAX_CELLS:,} cells", Location(file=path), expected="a small mapping CSV")
    missing = required - header
    if rows and missing:
        raise InputError(f"mapping without columns {sorted(missing)}", Location(file=path))
    return rows


def load_mapping(path: str | Path | None = None) -> list[dict[str, str]] | None:
    """The attribute -> subcategory mapping rows (default: the packaged ``subcategory_attributes.csv``).

    Returns None when ``path`` does not exist. Read with the standard library, so ``check`` does not
    need pandas.
    """
    path = Path(path) if path else resources.path("data", *MAPPING_FILE)
    if not os.path.lexists(path):
        return None
    rows = _read_csv(path, {"category", "subcategory", "descriptor"})
    if rows and not {"attribute", "path"} & set(rows[0]):
        raise InputError("mapping without columns ['path']", Location(file=path))
    return rows


class MappingIndex(dict):
    """``{descriptor: [(attribute path, subcategory label), ...]}``: a mapping already indexed."""


def mapping_index(mapping: Any) -> MappingIndex:
    """``{descriptor: [(attribute path, subcategory label), ...]}`` from the mapping (a table or rows)."""
    if isinstance(mapping, MappingIndex):
        return mapping
    out = MappingIndex()
    rows = _records(mapping)
    if not rows:
        return out
    column = "attribute" if "attribute" in rows[0] else "path"
    for row in rows:
        attr = str(row.get(column, "") or "").strip()
        desc = _norm_kind(row.get("descriptor", ""))
        if not attr or desc not in KINDS or attr.lower() == "nan":
            continue
        out.setdefault(desc, []).append((attr, subcategory_label_of(str(row["category"]), str(row["subcategory"]))))
    return out


def subcategories_for(index: Mapping[str, list[tuple[str, str]]], kind: str, attribute: str) -> list[str]:
    """Subcategories mapped to ``attribute`` of ``kind``, to its children, or to its parents
    (memoised on a :class:`MappingIndex`, which is built once per store)."""
    memo = index.__dict__.setdefault("_subcategories", {}) if isinstance(index, MappingIndex) else None
    if memo is not None:
        hit = memo.get((kind, attribute))
        if hit is None:
            hit = memo[(kind, attribute)] = _subcategories_for(index, kind, attribute)
        return list(hit)
    return _subcategories_for(index, kind, attribute)


def _subcategories_for(index: Mapping[str, list[tuple[str, str]]], kind: str, attribute: str) -> list[str]:
    found: list[str] = []
    for attr, label in index.get(kind, []):
        a = attr.removeprefix("$.")
        related = (a == attribute or a.startswith(attribute + ".") or a.startswith(attribute + "[]")
                   or attribute.startswith(a + ".") or attribute.startswith(a + "[]") or attribute == "")
        if related and label not in found:
            found.append(label)
    return found


def information_gaps(docs: Iterable[Document], mapping: Any = None, derived_dir: str | Path | None = None, *,
                     store: Store | None = None) -> list[Finding]:
    """Attributes missing or empty, and absent descriptors (unranked)."""
    store = as_store(store)
    index = mapping_index(mapping)
    docs = list(docs)
    present = {d.kind for d in docs}
    out: list[Finding] = []
    for kind in KINDS:
        if kind not in present:
            out.append(finding(Kind.MISSING, "gap:descriptor", f"No {TITLES[kind]} descriptor: none of its information is available.",
                               descriptors=[kind], paths=["$"], subcategories=subcategories_for(index, kind, ""),
                               title=f"{TITLES[kind]} descriptor absent"))
    for d in docs:
        if d.derived:
            schema = load_derived(d.kind, derived_dir, store=store)
            specs = store.memo(("gap-specs", d.kind, "derived", id(schema)), lambda: _attribute_specs(d.kind, schema))
        else:
            schema = schema_readonly(d.kind, VERSIONS[-1], store=store)
            specs = store.memo(("gap-specs", d.kind, VERSIONS[-1]), lambda: _attribute_specs(d.kind, schema))
        doc = d.migrated if isinstance(d.migrated, dict) else {}
        skip: set[str] = set()
        item_lists: dict[str, list] = {}  # the dict items of each array, listed once per document
        for attr, top, parent, child, many, cond, item_cond, other in specs:
            if top in skip:
                continue
            if cond is not None and doc.get(cond[0]) != cond[1]:
                skip.add(top)
                continue
            if parent is None:
                if is_empty(doc.get(attr, MISSING)):
                    skip.add(attr)
                    out.append(_gap(d, attr, [json_path((attr,))], index, "is missing or empty"))
                continue
            container = doc.get(parent)
            paths: list[str] = []
            if many:
                if not isinstance(container, list):
                    continue
                items = item_lists.get(parent)
                if items is None:
                    items = item_lists[parent] = [(i, it) for i, it in enumerate(container) if it.__class__ is dict]
            else:
                if not isinstance(container, dict):
                    continue
                items = [(None, container)]
            for i, item in items:
                if item_cond is not None and item.get(item_cond[0]) != item_cond[1]:
                    continue
                if other and not any(v == "Other" for k, v in item.items() if k != child):
                    continue
                if is_empty(item.get(child, MISSING)):
                    paths.append(json_path((parent, i, child) if many else (parent, child)))
            if paths:
                what = f"is empty in {len(paths)} of {len(items)} items" if many else "is missing or empty"
                out.append(_gap(d, attr, paths, index, what))
    return out


def _attribute_specs(kind: str, schema: Mapping) -> tuple:
    """Per attribute of a schema: what the gap step needs, computed once per store.

    ``(path, top, parent or None, child, many, condition, item condition, other_*)``."""
    specs = []
    for attr, _s, _r in _walk(schema):
        if attr == "version":
            continue
        top = attr.split(".")[0].split("[]")[0]
        cond = CONDITIONAL.get((kind, top))
        if "." not in attr:
            specs.append((attr, top, None, attr, False, cond, None, False))
            continue
        parent, child = attr.split(".", 1)
        many = parent.endswith("[]")
        specs.append((attr, top, parent[:-2] if many else parent, child, many, cond,
                      CONDITIONAL_ITEM.get((kind, attr)), child.startswith("other_")))
    return tuple(specs)


def _gap(d: Document, attr: str, paths: list[str], index, what: str) -> Finding:
    return finding(Kind.MISSING, "gap:attribute", f"{d.name}: {attr} {what}.", descriptors=[d.kind], paths=paths,
                   subcategories=subcategories_for(index, d.kind, attr), files=[d.name],
                   title=f"{TITLES[d.kind]}: {attr}")


# --------------------------------------------------------------------------------------------
# Ranking weights: how often the study coded a subcategory, how important respondents rated it
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GapWeights:
    """What ranks information gaps: coded instances per subcategory label, and per role the
    respondents who rated it Important or Very Important (``(label, role, n_important, n_respondents)``)."""

    frequency: Mapping[str, int] = field(default_factory=dict)
    importance: tuple[tuple[str, str, int, int], ...] = ()
    source: str = "none"

    def roles(self) -> list[str]:
        return sorted({r for _l, r, _i, _n in self.importance})

    def importance_for(self, role: str | None = None) -> dict[str, float]:
        """Percentage of respondents (of ``role``, or all) who rated each subcategory important."""
        known = self.__dict__.setdefault("_by_role", {})  # computed once per weights object and role
        if role not in known:
            known[role] = self._importance_for(role)
        return known[role]

    def _importance_for(self, role: str | None) -> dict[str, float]:
        rows = self.importance
        if role is not None:
            known = self.roles()
            match = [r for r in known if r.lower() == role.lower()]
            if not match:
                raise InputError(f"unknown role '{role}'", expected="one of " + ", ".join(known))
            rows = tuple(r for r in rows if r[1] == match[0])
        sums: dict[str, list[float]] = {}
        for label, _role, n_imp, n_resp in rows:
            acc = sums.setdefault(label, [0.0, 0.0])
            acc[0] += float(n_imp)
            acc[1] += float(n_resp)
        return {k: 100.0 * a / b for k, (a, b) in sums.items() if b}


def weights_from_study(instances: Any = None, importance: Any = None) -> GapWeights:
    """Weights from the coded ``instances`` (one row per instance, or per subcategory with
    ``n_instances``) and Table II (``category, subcategory, role, n_important, n_respondents``)."""
    freq: dict[str, int] = {}
    for row in _records(instances):
        label = subcategory_label_of(str(row["category"]), str(row["subcategory"]))
        freq[label] = freq.get(label, 0) + int(row.get("n_instances", 1))
    imp = tuple((subcategory_label_of(str(r["category"]), str(r["subcategory"])), str(r["role"]),
                 int(float(r["n_important"])), int(float(r["n_respondents"])))
                for r in _records(importance) if str(r.get("role", "")) not in ("", "nan", "None"))
    return GapWeights(freq, imp, "study data" if freq or imp else "none")


def packaged_weights() -> GapWeights:
    """The study's aggregates shipped in the package (``data/aggregates/``), read without pandas."""
    inst = _read_csv(resources.path("data", *AGGREGATE_FILES["instances"]), set(INSTANCE_COLUMNS))
    imp = _read_csv(resources.path("data", *AGGREGATE_FILES["importance"]), set(IMPORTANCE_COLUMNS))
    weights = weights_from_study(inst, imp)
    return GapWeights(weights.frequency, weights.importance, "packaged aggregates")


def rank_gaps(gaps: list[Finding], weights: GapWeights | None = None, role: str | None = None) -> list[Finding]:
    """Order gaps: by frequency then importance (or, for a ``role``, by that role's importance first)."""
    weights = weights if weights is not None else GapWeights()
    freq = weights.frequency
    imp = weights.importance_for(role) if weights.importance else {}
    if role is not None and not weights.importance:
        raise InputError(f"--role {role} needs the survey's importance ratings",
                         expected="the packaged aggregates or the survey data")
    for g in gaps:
        g.frequency = sum(freq.get(s, 0) for s in g.subcategories) if freq else None
        vals = [imp[s] for s in g.subcategories if s in imp]
        g.importance = round(max(vals), 1) if vals else None

    def key(g: Finding):
        f, i = g.frequency or 0, g.importance or 0.0
        primary = (-i, -f) if role else (-f, -i)
        return (*primary, -len(g.subcategories), KINDS.index(g.descriptors[0]), g.paths[0])

    return sorted(gaps, key=key)
