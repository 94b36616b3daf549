"""From mismatches to descriptor attributes: the curated mapping, its checks and its analyses.

The paper's Phase 2 (Section V, Fig. 6) maps each mismatch to the attributes of system elements
that would have carried the missing information, formalizes detectable mismatches as predicates over
attributes and runs a gap analysis. The authors never published that matrix; here it is curated data:

``data/mapping/subcategory_attributes.csv``
    one row per (subcategory, descriptor attribute): ``category_code, category, subcategory,
    descriptor, path`` (a 1.2 path, top level or one level into objects/arrays of objects),
    ``path_1_0`` (empty: same path in 1.0; ``-``: not in 1.0; else the 1.0 path), ``status``
    (``published``: the path exists in 1.2; ``proposed``: no published version records it, the
    study found it missing; ``none``: no attribute, the rationale says why), ``proposed_type``
    (JSON type of a proposed attribute), ``rule_id`` (``;``-separated ids of ``data/rules/rules.yaml``
    whose predicate detects mismatches of this subcategory with this attribute), ``evidence``
    (``;``-separated mismatch ids whose "information not communicated" supports the row) and a
    one-sentence ``rationale``.

:func:`load_mapping` reads and checks it against the codebook, the mismatch ids, the published
schemas' attributes and the rule ids; every problem is an :class:`InputError` naming the file, row
and column. The analyses below are pure functions from tables to tables:
:func:`mapping_matrix`, :func:`gap_uncovered_subcategories`, :func:`gap_unneeded_attributes`,
:func:`coverage_by_category`, :func:`sharing_vs_predicate`, :func:`text_evidence`. Outputs carry
ids and codes only, never mismatch texts. The practices from the literature and the subcategories
they address are the rated practice matrix of :mod:`mlmismatch.mapping.practices` (``data/practices/``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from mlmismatch.core import resources
from mlmismatch.core.errors import InputError, Location, column_letter
from mlmismatch.core.labels import subcategory_label
from mlmismatch.descriptors.schemas import KINDS, TITLES
from mlmismatch.sources import Store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAPPING_PACKAGE_DIR = "mapping"  # the packaged folder: ``resources.path("data", "mapping")``
ATTRIBUTES_FILE = "subcategory_attributes.csv"

ATTRIBUTE_COLUMNS = ["category_code", "category", "subcategory", "descriptor", "path", "path_1_0", "status",
                     "proposed_type", "rule_id", "evidence", "rationale"]

STATUSES = ("published", "proposed", "none")
PROPOSED_TYPES = ("string", "integer", "number", "boolean", "object", "array[string]", "array[object]")
ABSENT = "-"
#: Attributes every descriptor carries for bookkeeping; never counted as needed or unneeded.
BOOKKEEPING = {"version"}

MISMATCH_ID_RE = re.compile(r"^M\d{2,3}-\d{2,3}$")
RULE_ID_RE = re.compile(r"^R\d{2}$")
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\[\])?(\.[a-z][a-z0-9_]*)?$")

#: Category code -> descriptor that records that category's information first (the column groups of Fig. 6).
CATEGORY_DESCRIPTOR = {"TP": "system_context", "RD": "raw_data", "TM": "trained_model", "TD": "training_data",
                       "DE": "development_environment", "OD": "production_data", "OE": "production_environment"}


@dataclass
class MappingData:
    """The curated table, checked (see the module docstring)."""

    attributes: "pd.DataFrame"  # subcategory_attributes.csv (+ ``row``)
    directory: Path


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def _read_csv(path: Path, required: list[str]) -> "pd.DataFrame":
    """Read a curated CSV as strings, with the 1-based file ``row`` of each record (header = row 1)."""
    import pandas as pd

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("mapping file not found", Location(file=path.name)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read mapping file ({exc})", Location(file=path.name)) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError("empty file", Location(file=path.name), expected="a header row " + ",".join(required))
    header = [h.strip() for h in rows[0]]
    for name in required:
        if name not in header:
            raise InputError(f"missing column '{name}'", Location(file=path.name, row=1),
                             expected="columns " + ",".join(required))
    records = []
    for i, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputError(f"{len(values)} fields instead of {len(header)}", Location(file=path.name, row=i))
        rec = {h: v.strip() for h, v in zip(header, values)}
        rec["row"] = i
        records.append(rec)
    return pd.DataFrame(records, columns=header + ["row"])


def _where(file: str, df: "pd.DataFrame", rec, column: str) -> Location:
    idx = list(df.columns).index(column) + 1 if column in df.columns else None
    return Location(file=file, row=int(rec["row"]), column=column_letter(idx) if idx else None, header=column)


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def _attribute_index(attributes: "pd.DataFrame") -> dict[tuple[str, str], set[str]]:
    """(descriptor, version) -> set of paths."""
    index: dict[tuple[str, str], set[str]] = {}
    for (d, v), g in attributes.groupby(["descriptor", "version"]):
        index[(str(d), str(v))] = set(g["path"])
    return index


def load_mapping(directory: str | Path | None = None, *, codebook: "pd.DataFrame", mismatch_ids: Iterable[str],
                 attributes: "pd.DataFrame", rule_ids: Iterable[str] | None = None) -> MappingData:
    """Read and check the mapping file in ``directory`` (default ``data/mapping``).

    ``codebook`` is the coding workbook's codebook, ``mismatch_ids`` the coded mismatches' ids,
    ``attributes`` the published schemas' attribute table (:func:`mlmismatch.schemas.attributes`,
    all versions) and ``rule_ids`` the rule ids of ``data/rules/rules.yaml`` (default: read it).
    """
    directory = Path(directory) if directory else mapping_dir()
    if rule_ids is None:
        rule_ids = known_rule_ids()
    attrs = check_subcategory_attributes(_read_csv(directory / ATTRIBUTES_FILE, ATTRIBUTE_COLUMNS), codebook,
                                         set(mismatch_ids), attributes, set(rule_ids))
    return MappingData(attributes=attrs, directory=directory)


def known_rule_ids() -> set[str]:
    """Ids of the rules in ``data/rules/rules.yaml`` (empty when the file is absent)."""
    from mlmismatch.mapping import predicates as rules

    if not rules.rules_path().is_file():
        return set()
    return {r.id for r in rules.load_rules()}


def mapping_dir() -> Path:
    """The packaged mapping folder (``data/mapping/`` in the repository)."""
    return resources.path("data", MAPPING_PACKAGE_DIR)


def load_default(coding, *, store: Store | None = None) -> MappingData:
    """The repository's mapping checked against ``coding`` and the published schemas (all versions)."""
    from mlmismatch.descriptors import schemas

    return load_mapping(codebook=coding.codebook, mismatch_ids=coding.mismatches["mismatch_id"],
                        attributes=schemas.attributes(store=store))


# --------------------------------------------------------------------------------------------
# Checks (each problem: one line naming file, row and column)
# --------------------------------------------------------------------------------------------

def _codebook_keys(codebook: "pd.DataFrame") -> dict[tuple[str, str], str]:
    return {(str(c), str(s)): str(code) for code, c, s in
            zip(codebook["category_code"], codebook["category"], codebook["subcategory"])}


def check_subcategory_attributes(df: "pd.DataFrame", codebook: "pd.DataFrame", mismatch_ids: set[str],
                                 attributes: "pd.DataFrame", rule_ids: set[str],
                                 file: str = ATTRIBUTES_FILE) -> "pd.DataFrame":
    """Check ``subcategory_attributes.csv``; return it with ``status`` etc. normalized."""
    keys = _codebook_keys(codebook)
    index = _attribute_index(attributes)
    published_any = {(d, p) for (d, _v), paths in index.items() for p in paths}
    seen: dict[tuple[str, str, str, str], int] = {}
    proposed_types: dict[tuple[str, str], str] = {}
    for _, rec in df.iterrows():
        def err(problem: str, column: str, expected: str | None = None):
            raise InputError(problem, _where(file, df, rec, column), expected=expected)

        cat, sub, code = rec["category"], rec["subcategory"], rec["category_code"]
        if (cat, sub) not in keys:
            err(f"unknown subcategory '{sub}' of category '{cat}'", "subcategory",
                "a (category, subcategory) pair of the codebook")
        if keys[(cat, sub)] != code:
            err(f"category code '{code}' does not match category '{cat}'", "category_code", f"'{keys[(cat, sub)]}'")
        status = rec["status"]
        if status not in STATUSES:
            err(f"unknown status '{status}'", "status", "one of " + ", ".join(STATUSES))
        if not rec["rationale"]:
            err("empty rationale", "rationale", "one sentence saying why")
        d, path = rec["descriptor"], rec["path"]
        if status == "none":
            if d or path or rec["rule_id"]:
                err("a 'none' row names an attribute or rule", "descriptor", "empty descriptor, path and rule_id")
            for mid in split_ids(rec["evidence"]):
                if mid not in mismatch_ids:
                    err(f"unknown mismatch id '{mid}'", "evidence", "ids of the coding workbook such as M01-01")
            continue
        if d not in KINDS:
            err(f"unknown descriptor '{d}'", "descriptor", "one of " + ", ".join(KINDS))
        if not PATH_RE.match(path):
            err(f"malformed attribute path '{path}'", "path", "name, name.child or name[].child")
        if status == "published":
            if path not in index.get((d, "1.2"), set()):
                err(f"unknown attribute path '{d}.{path}' in the 1.2 schema", "path",
                    "a path of mlmismatch.schemas.attributes(['1.2']) or status 'proposed'")
            if rec["proposed_type"]:
                err("a published attribute has a proposed_type", "proposed_type", "empty")
        else:  # proposed
            if (d, path) in published_any:
                err(f"proposed attribute '{d}.{path}' is already published", "status", "status 'published'")
            if rec["proposed_type"] not in PROPOSED_TYPES:
                err(f"proposed attribute needs a type, not '{rec['proposed_type']}'", "proposed_type",
                    "one of " + ", ".join(PROPOSED_TYPES))
            prev = proposed_types.setdefault((d, path), rec["proposed_type"])
            if prev != rec["proposed_type"]:
                err(f"proposed attribute '{d}.{path}' typed '{rec['proposed_type']}' here and '{prev}' elsewhere",
                    "proposed_type")
            if rec["path_1_0"] != ABSENT:
                err("a proposed attribute has a 1.0 path", "path_1_0", f"'{ABSENT}'")
        p10 = rec["path_1_0"]
        if status == "published":
            if p10 == "":
                if path not in index.get((d, "1.0"), set()):
                    err(f"'{d}.{path}' is not in the 1.0 schema", "path_1_0",
                        f"the 1.0 path of this attribute, or '{ABSENT}' when 1.0 has none")
            elif p10 != ABSENT and p10 not in index.get((d, "1.0"), set()):
                err(f"unknown attribute path '{d}.{p10}' in the 1.0 schema", "path_1_0",
                    f"a 1.0 path, empty (same as path) or '{ABSENT}'")
        ev = split_ids(rec["evidence"])
        if not ev:
            err("no evidence", "evidence", "';'-separated ids of supporting mismatches")
        for mid in ev:
            if not MISMATCH_ID_RE.match(mid) or mid not in mismatch_ids:
                err(f"unknown mismatch id '{mid}'", "evidence", "ids of the coding workbook such as M01-01")
        for rid in split_ids(rec["rule_id"]):
            if not RULE_ID_RE.match(rid) or rid not in rule_ids:
                err(f"unknown rule id '{rid}'", "rule_id", "an id of data/rules/rules.yaml such as R01")
        key = (cat, sub, d, path)
        if key in seen:
            err(f"attribute '{d}.{path}' repeated for '{sub}' (first on row {seen[key]})", "path")
        seen[key] = int(rec["row"])
    missing = [subcategory_label(code, s) for (c, s), code in keys.items()
               if not ((df["category"] == c) & (df["subcategory"] == s)).any()]
    if missing:
        raise InputError(f"{len(missing)} subcategories without a row: " + "; ".join(missing), Location(file=file),
                         expected="every codebook subcategory mapped to attributes or given a 'none' row")
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Rules: operands and consistency with the mapping
# --------------------------------------------------------------------------------------------

def attribute_of(path: str) -> str:
    """Cut a rule operand path to attribute granularity: ``a[].b[].c`` -> ``a[].b``; ``a[]`` -> ``a``."""
    parts = path.split(".")
    head = parts[0]
    if len(parts) == 1:
        return head[:-2] if head.endswith("[]") else head
    second = parts[1][:-2] if parts[1].endswith("[]") else parts[1]
    return f"{head}.{second}"


def rule_operands(rule_list=None) -> "pd.DataFrame":
    """``rule_id, descriptor, path`` for every attribute a rule's check reads (attribute granularity)."""
    import pandas as pd

    from mlmismatch.mapping import predicates as rules_mod

    rule_list = rules_mod.load_rules() if rule_list is None else rule_list
    rows: set[tuple[str, str, str]] = set()

    def add(rid: str, d: str, base: str, field) -> None:
        if isinstance(field, str) and field not in (".", "") and not field.startswith("../"):
            rows.add((rid, d, attribute_of(f"{base}.{field}")))
        elif isinstance(field, dict) and "lookup" in field:  # {lookup, in, match, take}
            add(rid, d, base, field["lookup"])
            inner = str(field.get("in", ""))
            if inner:
                rows.add((rid, d, attribute_of(inner)))
                for f in (field.get("match"), field.get("take")):
                    add(rid, d, inner, f)

    def visit(rid: str, obj) -> None:
        if isinstance(obj, dict):
            if "descriptor" in obj and "path" in obj:
                d, base = obj["descriptor"], str(obj["path"])
                rows.add((rid, d, attribute_of(base)))
                for k in ("key", "require", "fields", "report"):
                    vals = obj.get(k)
                    for f in ([vals] if isinstance(vals, (str, dict)) else vals if isinstance(vals, list) else []):
                        add(rid, d, base, f)
                for f in (obj.get("where") or {}) if isinstance(obj.get("where"), dict) else []:
                    add(rid, d, base, f)
            compare = obj.get("compare")
            if isinstance(compare, dict):  # match checks: left field of items, right field of against
                for side, part in (("left", "items"), ("right", "against")):
                    target = obj.get(part)
                    if isinstance(target, dict) and "descriptor" in target:
                        add(rid, target["descriptor"], str(target["path"]), compare.get(side))
            for v in obj.values():
                visit(rid, v)
        elif isinstance(obj, list):
            for v in obj:
                visit(rid, v)

    for r in rule_list:
        visit(r.id, r.check)
    return pd.DataFrame(sorted(rows), columns=["rule_id", "descriptor", "path"])


def suggested_rule_ids(mapping: "pd.DataFrame", rule_list=None) -> "pd.Series":
    """For each mapping row, the rules that list its subcategory and read its attribute (``;``-joined)."""
    from mlmismatch.mapping import predicates as rules_mod

    rule_list = rules_mod.load_rules() if rule_list is None else rule_list
    ops = rule_operands(rule_list)
    reads = {(r.rule_id, r.descriptor, r.path) for r in ops.itertuples()}
    subs = {r.id: set(r.subcategories) for r in rule_list}
    out = []
    for rec in mapping.itertuples():
        label = subcategory_label(rec.category_code, rec.subcategory)
        ids = sorted(rid for rid in subs if label in subs[rid] and rec.descriptor
                     and (rid, rec.descriptor, rec.path) in reads)
        out.append(";".join(ids))
    return __import__("pandas").Series(out, index=mapping.index, name="suggested_rule_id")


def rule_consistency(mapping: "pd.DataFrame", rule_list=None) -> "pd.DataFrame":
    """Rows where the curated ``rule_id`` differs from what the rule file suggests, and why.

    ``issue``: ``rule does not list subcategory``, ``rule does not read attribute``, or
    ``rule could apply`` (the rule lists the subcategory and reads the attribute but the row
    does not cite it). An empty table means the mapping and the rule file agree.
    """
    import pandas as pd

    from mlmismatch.mapping import predicates as rules_mod

    rule_list = rules_mod.load_rules() if rule_list is None else rule_list
    by_id = {r.id: r for r in rule_list}
    ops = rule_operands(rule_list)
    reads = {(r.rule_id, r.descriptor, r.path) for r in ops.itertuples()}
    suggested = suggested_rule_ids(mapping, rule_list)
    rows = []
    for i, rec in mapping.iterrows():
        label = subcategory_label(rec["category_code"], rec["subcategory"])
        cited = set(split_ids(rec["rule_id"]))
        for rid in sorted(cited):
            r = by_id.get(rid)
            if r is None:
                continue
            if label not in r.subcategories:
                rows.append((int(rec["row"]), label, rec["descriptor"], rec["path"], rid, "rule does not list subcategory"))
            elif (rid, rec["descriptor"], rec["path"]) not in reads:
                rows.append((int(rec["row"]), label, rec["descriptor"], rec["path"], rid, "rule does not read attribute"))
        for rid in sorted(set(split_ids(suggested[i])) - cited):
            rows.append((int(rec["row"]), label, rec["descriptor"], rec["path"], rid, "rule could apply"))
    return pd.DataFrame(rows, columns=["row", "subcategory", "descriptor", "path", "rule_id", "issue"])


# --------------------------------------------------------------------------------------------
# Analyses
# --------------------------------------------------------------------------------------------

def _instance_counts(instances: "pd.DataFrame") -> dict[tuple[str, str], int]:
    g = instances.groupby([instances["category"].astype(str), instances["subcategory"].astype(str)]).size()
    return {k: int(v) for k, v in g.items()}


def _codebook_rows(codebook: "pd.DataFrame") -> list[tuple[str, str, str]]:
    return [(str(code), str(c), str(s)) for code, c, s in
            zip(codebook["category_code"], codebook["category"], codebook["subcategory"])]


class _PathIndex(dict):
    """(descriptor, version) -> set of paths of an attribute table, built once for many :func:`version_path` calls."""


def _path_index(attributes: "pd.DataFrame | None") -> "_PathIndex | None":
    if attributes is None or isinstance(attributes, _PathIndex):
        return attributes
    index = _PathIndex()
    for d, v, p in zip(attributes["descriptor"], attributes["version"], attributes["path"]):
        index.setdefault((d, v), set()).add(p)
    return index


def _records_by_subcategory(mapping: "pd.DataFrame") -> dict[tuple, list[dict]]:
    """The mapping's rows as dicts, grouped by (category, subcategory) in row order."""
    out: dict[tuple, list[dict]] = {}
    for rec in mapping.to_dict("records"):
        out.setdefault((rec["category"], rec["subcategory"]), []).append(rec)
    return out


def version_path(rec: Mapping, version: str, attributes: "pd.DataFrame | None" = None) -> str | None:
    """The path of a mapping row's attribute in ``version`` (``None`` when that version lacks it).

    1.2: the row's path when published. 1.0: ``path_1_0`` (empty = same path). 1.1: the 1.2 path
    when 1.1 has it, else the 1.0 path when 1.1 has that (needs ``attributes``).
    """
    if rec["status"] != "published":
        return None
    p12 = rec["path"]
    p10 = p12 if rec["path_1_0"] == "" else (None if rec["path_1_0"] == ABSENT else rec["path_1_0"])
    if version == "1.2":
        return p12
    if version == "1.0":
        return p10
    if attributes is None:
        raise ValueError("version_path needs the attribute table for version " + version)
    if isinstance(attributes, _PathIndex):
        paths = attributes.get((rec["descriptor"], version), frozenset())
    else:
        paths = set(attributes.loc[(attributes["descriptor"] == rec["descriptor"]) & (attributes["version"] == version),
                                   "path"])
    if p12 in paths:
        return p12
    if p10 is not None and p10 in paths:
        return p10
    return None


def mapping_matrix(mapping: "pd.DataFrame") -> "pd.DataFrame":
    """The contract table ``category,subcategory,descriptor,attribute,rule_id`` (one row per mapping row).

    ``attribute`` is ``descriptor.path`` (1.2 path; proposed attributes included); ``rule_id`` is
    ``;``-joined; subcategories with no attribute appear once with empty descriptor and attribute.
    """
    out = mapping[["category", "subcategory", "descriptor"]].copy()
    out["attribute"] = [f"{d}.{p}" if d else "" for d, p in zip(mapping["descriptor"], mapping["path"])]
    out["rule_id"] = mapping["rule_id"].fillna("")
    return out.reset_index(drop=True)


def subcategory_coverage(mapping: "pd.DataFrame", codebook: "pd.DataFrame", instances: "pd.DataFrame",
                         attributes: "pd.DataFrame | None" = None, version: str = "1.2") -> "pd.DataFrame":
    """Per subcategory: attributes recording it in ``version``, rules detecting it, and its coverage class.

    ``complete``: every attribute the mapping names for the subcategory exists in ``version`` (no
    proposed attribute, none added later). ``coverage``: ``predicate`` (a published attribute of this
    subcategory is an operand of a cited rule), ``information sharing`` (recorded by published attributes, no rule), ``proposed only``
    (only attributes no published version has), ``none`` (no attribute). Rules are only counted in
    1.2 (the rule file is written against 1.2 paths).
    """
    import pandas as pd

    counts = _instance_counts(instances)
    index = _path_index(attributes) if version not in ("1.0", "1.2") else attributes
    by_sub = _records_by_subcategory(mapping)
    rows = []
    for code, cat, sub in _codebook_rows(codebook):
        m = by_sub.get((cat, sub), [])
        paths = [version_path(r, version, index) for r in m]
        present = [f"{r['descriptor']}.{p}" for r, p in zip(m, paths) if p is not None]
        proposed = [f"{r['descriptor']}.{r['path']}" for r in m if r["status"] == "proposed"]
        rule_ids = sorted({rid for r, p in zip(m, paths) if p is not None
                           for rid in split_ids(r["rule_id"])}) if version == "1.2" else []
        if rule_ids:
            coverage = "predicate"
        elif present:
            coverage = "information sharing"
        elif proposed:
            coverage = "proposed only"
        else:
            coverage = "none"
        n_rows = sum(r["status"] != "none" for r in m)
        rows.append({"category_code": code, "category": cat, "subcategory": sub, "version": version,
                     "n_instances": counts.get((cat, sub), 0), "n_attributes": len(present),
                     "n_proposed": len(proposed), "complete": bool(n_rows) and len(present) == n_rows,
                     "rule_ids": ";".join(rule_ids), "coverage": coverage})
    return pd.DataFrame(rows)


def gap_uncovered_subcategories(mapping: "pd.DataFrame", codebook: "pd.DataFrame", instances: "pd.DataFrame",
                                attributes: "pd.DataFrame", versions: Iterable[str] = ("1.0", "1.1", "1.2")) -> "pd.DataFrame":
    """Subcategories that no published attribute of a version covers (the paper's first gap).

    ``reason`` is the rationale of the mapping's 'none' row, or says that only proposed attributes
    (or attributes added in a later version) would record the information.
    """
    import pandas as pd

    frames = []
    for v in versions:
        cov = subcategory_coverage(mapping, codebook, instances, attributes, v)
        gap = cov[cov["n_attributes"] == 0].copy()
        reasons = []
        for rec in gap.itertuples():
            m = mapping[(mapping["category"] == rec.category) & (mapping["subcategory"] == rec.subcategory)]
            none = m[m["status"] == "none"]
            if len(none):
                reasons.append(none["rationale"].iloc[0])
            elif (m["status"] == "proposed").all():
                reasons.append("only proposed attributes record it")
            else:
                reasons.append(f"its attributes were added after {v}")
        gap["reason"] = reasons
        frames.append(gap[["version", "category", "subcategory", "n_instances", "reason"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["version", "category", "subcategory", "n_instances", "reason"])


def needed_paths(mapping: "pd.DataFrame", version: str, attributes: "pd.DataFrame | None" = None) -> set[tuple[str, str]]:
    """(descriptor, path) the mapping needs in ``version``, with the parents of needed children."""
    need: set[tuple[str, str]] = set()
    index = _path_index(attributes) if version not in ("1.0", "1.2") else attributes
    for r in mapping.to_dict("records"):
        p = version_path(r, version, index)
        if p is None:
            continue
        need.add((r["descriptor"], p))
        parent = re.split(r"\[\]\.|\.", p, maxsplit=1)[0]
        if parent != p:
            need.add((r["descriptor"], parent))
    return need


def gap_unneeded_attributes(mapping: "pd.DataFrame", attributes: "pd.DataFrame",
                            versions: Iterable[str] = ("1.0", "1.1", "1.2")) -> "pd.DataFrame":
    """Published attributes that no subcategory needs, per version (the paper's second gap).

    An attribute counts as needed when the mapping names it, one of its children, or (for a child)
    its parent is named with no children named. ``version`` is bookkeeping and left out.
    """
    import pandas as pd

    rows = []
    for v in versions:
        need = needed_paths(mapping, v, attributes)
        named_parents = {(d, p) for d, p in need if "." not in p}
        with_children = {(d, re.split(r"\[\]\.|\.", p, maxsplit=1)[0]) for d, p in need if "." in p}
        sub = attributes[attributes["version"] == v]
        for rec in sub.itertuples():
            if rec.path in BOOKKEEPING:
                continue
            key = (rec.descriptor, rec.path)
            parent = re.split(r"\[\]\.|\.", rec.path, maxsplit=1)[0]
            if key in need:
                continue
            if "." in rec.path and (rec.descriptor, parent) in named_parents and \
                    (rec.descriptor, parent) not in with_children:
                continue
            rows.append({"version": v, "descriptor": rec.descriptor, "path": rec.path, "type": rec.type,
                         "required": bool(rec.required)})
    return pd.DataFrame(rows, columns=["version", "descriptor", "path", "type", "required"])


def coverage_by_category(mapping: "pd.DataFrame", codebook: "pd.DataFrame", instances: "pd.DataFrame",
                         table2: "pd.DataFrame | None" = None, attributes: "pd.DataFrame | None" = None,
                         version: str = "1.2") -> "pd.DataFrame":
    """Coverage per category: share of subcategories, of coded instances and of survey importance.

    A subcategory is *covered* when at least one of its attributes exists in ``version`` and
    *complete* when all of them do (see :func:`subcategory_coverage`). ``pct_instances_covered`` /
    ``pct_instances_complete`` weight each subcategory by its coded instances;
    ``pct_important_<role>`` / ``pct_important_complete_<role>`` weight it by the share of that role's
    respondents rating it Important or Very Important (``table2``: ``category,subcategory,role,pct``),
    i.e. how much of what each role finds important the descriptors record. A final ``All`` row sums
    the categories.
    """
    import pandas as pd

    cov = subcategory_coverage(mapping, codebook, instances, attributes, version)
    cov["covered"] = cov["n_attributes"] > 0
    roles: list[str] = []
    if table2 is not None and len(table2):
        roles = list(dict.fromkeys(table2["role"].astype(str)))
        t = table2.assign(category=table2["category"].astype(str), subcategory=table2["subcategory"].astype(str))
        w = t.pivot_table(index=["category", "subcategory"], columns="role", values="pct", aggfunc="first")
        cov = cov.merge(w, left_on=["category", "subcategory"], right_index=True, how="left")
    order = list(dict.fromkeys(cov["category"]))

    def summarize(g: "pd.DataFrame", name: str, code: str) -> dict:
        n_inst = int(g["n_instances"].sum())
        row = {"category_code": code, "category": name, "version": version,
               "n_subcategories": len(g), "n_covered": int(g["covered"].sum()),
               "n_predicate": int((g["coverage"] == "predicate").sum()),
               "n_instances": n_inst, "n_instances_covered": int(g.loc[g["covered"], "n_instances"].sum())}
        row["n_complete"] = int(g["complete"].sum())
        row["n_instances_complete"] = int(g.loc[g["complete"], "n_instances"].sum())
        row["pct_subcategories_covered"] = 100.0 * row["n_covered"] / len(g) if len(g) else float("nan")
        row["pct_instances_covered"] = 100.0 * row["n_instances_covered"] / n_inst if n_inst else float("nan")
        row["pct_instances_complete"] = 100.0 * row["n_instances_complete"] / n_inst if n_inst else float("nan")
        for role in roles:
            wsum = float(g[role].fillna(0).sum())
            for label, mask in (("", g["covered"]), ("complete_", g["complete"])):
                row[f"pct_important_{label}{role}"] = 100.0 * float(g.loc[mask, role].fillna(0).sum()) / wsum \
                    if wsum else float("nan")
        return row

    rows = [summarize(cov[cov["category"] == c], c, str(cov.loc[cov["category"] == c, "category_code"].iloc[0]))
            for c in order]
    rows.append(summarize(cov, "All", ""))
    return pd.DataFrame(rows)


def sharing_vs_predicate(mapping: "pd.DataFrame", codebook: "pd.DataFrame", instances: "pd.DataFrame") -> "pd.DataFrame":
    """The authors' informal split, measured on the coded instances (1.2 and the rule file).

    Each coded instance takes its subcategory's coverage class (see :func:`subcategory_coverage`):
    ``information sharing`` (recording an attribute is all a descriptor can do), ``predicate``
    (also detectable by a rule comparing attribute values), ``proposed only`` or ``none``.
    Returns ``category, coverage, n_instances, pct`` per category plus ``All``.
    """
    import pandas as pd

    cov = subcategory_coverage(mapping, codebook, instances, None, "1.2")
    classes = ["information sharing", "predicate", "proposed only", "none"]
    rows = []
    for name, g in [*((c, cov[cov["category"] == c]) for c in dict.fromkeys(cov["category"])), ("All", cov)]:
        total = int(g["n_instances"].sum())
        for cls in classes:
            n = int(g.loc[g["coverage"] == cls, "n_instances"].sum())
            rows.append({"category": name, "coverage": cls, "n_instances": n,
                         "pct": 100.0 * n / total if total else float("nan")})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Text evidence (scikit-learn): does the wording of the mismatches point at the curated attributes?
# --------------------------------------------------------------------------------------------

_PATH_WORDS = {"reqs": "requirements", "spec": "specification", "ml": "machine learning", "pd": "production data"}


def attribute_text(descriptor: str, path: str, description: str) -> str:
    """The text of one attribute: descriptor title, path words and schema description."""
    words = re.sub(r"[\[\]._]", " ", path).split()
    words = [_PATH_WORDS.get(w, w) for w in words]
    return " ".join([TITLES.get(descriptor, descriptor), *words, description or ""])


def subcategory_texts(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame",
                      include_codebook: bool = False) -> "pd.DataFrame":
    """``category_code, category, subcategory, text``: the coded mismatches' "information not
    communicated" texts, concatenated per subcategory (in memory only; never written)."""
    import pandas as pd

    info = dict(zip(mismatches["mismatch_id"], mismatches["info_not_communicated"].fillna("").astype(str)))
    desc = {(str(c), str(s)): str(d) for c, s, d in zip(codebook["category"], codebook["subcategory"],
                                                       codebook["description"])}
    rows = []
    for code, cat, sub in _codebook_rows(codebook):
        ids = instances.loc[(instances["category"].astype(str) == cat) &
                            (instances["subcategory"].astype(str) == sub), "mismatch_id"]
        text = " ".join(info.get(i, "") for i in dict.fromkeys(ids))
        if include_codebook:
            text = f"{sub} {desc.get((cat, sub), '')} {text}"
        rows.append({"category_code": code, "category": cat, "subcategory": sub, "text": text})
    return pd.DataFrame(rows)


def text_evidence(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame",
                  attributes: "pd.DataFrame", mapping: "pd.DataFrame", *, k: int = 5,
                  include_codebook: bool = False) -> dict[str, "pd.DataFrame"]:
    """Rank 1.2 attributes for each subcategory by TF-IDF cosine similarity and score the curated mapping.

    Documents: per subcategory, its coded mismatches' "information not communicated" texts (plus the
    subcategory name and codebook description when ``include_codebook``); per attribute, the
    descriptor title, path words and schema description. Vectorizer: word uni- and bigrams, English
    stop words, sublinear tf, fitted on both document sets. Relevant attributes = the curated
    published attributes of the subcategory and the parents of curated children (a parent such as
    ``raw_data.schema`` is needed when its children are, as in the derived schemas).

    Returns ``ranking`` (``category, subcategory, rank, descriptor, path, score, curated``; top
    ``max(k, n curated)`` per subcategory), ``scores`` (per subcategory: ``n_curated, hits_at_k,
    precision_at_k, recall_at_k, r_precision, average_precision``) and ``summary`` (macro and micro
    averages), and ``disagreements`` (``kind``: ``top-k but not curated`` or ``curated but ranked
    below k``, with rank and score) for review.
    """
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    attrs = attributes[(attributes["version"] == "1.2") & ~attributes["path"].isin(BOOKKEEPING)]
    attrs = attrs.reset_index(drop=True)
    docs_a = [attribute_text(d, p, desc) for d, p, desc in zip(attrs["descriptor"], attrs["path"], attrs["description"])]
    subs = subcategory_texts(mismatches, instances, codebook, include_codebook=include_codebook)
    vec = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    vec.fit(docs_a + list(subs["text"]))
    sim = cosine_similarity(vec.transform(subs["text"]), vec.transform(docs_a))
    keys = list(zip(attrs["descriptor"], attrs["path"]))
    rank_rows, score_rows, dis_rows = [], [], []
    tot_hits = tot_rel = tot_ret = 0
    for i, s in enumerate(subs.itertuples()):
        m = mapping[(mapping["category"] == s.category) & (mapping["subcategory"] == s.subcategory) &
                    (mapping["status"] == "published")]
        relevant = set(zip(m["descriptor"], m["path"]))
        relevant |= {(d, re.split(r"\[\]\.|\.", p, maxsplit=1)[0]) for d, p in relevant}  # parents of children
        order = np.lexsort((np.arange(len(keys)), -sim[i]))  # by score, ties by schema order
        ranked = [keys[j] for j in order]
        rank_of = {key: r + 1 for r, key in enumerate(ranked)}
        top = ranked[:k]
        hits = sum(1 for key in top if key in relevant)
        n_rel = len(relevant)
        r_prec = sum(1 for key in ranked[:n_rel] if key in relevant) / n_rel if n_rel else float("nan")
        ap, found = 0.0, 0
        for r, key in enumerate(ranked, start=1):
            if key in relevant:
                found += 1
                ap += found / r
        ap = ap / n_rel if n_rel else float("nan")
        score_rows.append({"category": s.category, "subcategory": s.subcategory, "n_curated": n_rel,
                           "hits_at_k": hits, "precision_at_k": hits / k,
                           "recall_at_k": hits / n_rel if n_rel else float("nan"),
                           "r_precision": r_prec, "average_precision": ap})
        tot_hits += hits
        tot_rel += n_rel
        tot_ret += k
        for r, j in enumerate(order[:max(k, n_rel)], start=1):
            rank_rows.append({"category": s.category, "subcategory": s.subcategory, "rank": r,
                              "descriptor": keys[j][0], "path": keys[j][1], "score": float(sim[i, j]),
                              "curated": keys[j] in relevant})
        for key in top:
            if key not in relevant:
                dis_rows.append({"category": s.category, "subcategory": s.subcategory,
                                 "kind": "top-k but not curated", "descriptor": key[0], "path": key[1],
                                 "rank": rank_of[key], "score": float(sim[i, keys.index(key)])})
        for key in sorted(relevant, key=lambda x: rank_of.get(x, 10**6)):
            if rank_of.get(key, 10**6) > k:
                dis_rows.append({"category": s.category, "subcategory": s.subcategory,
                                 "kind": "curated but ranked below k", "descriptor": key[0], "path": key[1],
                                 "rank": rank_of.get(key, -1),
                                 "score": float(sim[i, keys.index(key)]) if key in rank_of else float("nan")})
    scores = pd.DataFrame(score_rows)
    summary = pd.DataFrame([
        {"measure": f"precision@{k}", "macro": float(scores["precision_at_k"].mean()),
         "micro": tot_hits / tot_ret if tot_ret else float("nan")},
        {"measure": f"recall@{k}", "macro": float(scores["recall_at_k"].mean()),
         "micro": tot_hits / tot_rel if tot_rel else float("nan")},
        {"measure": "R-precision", "macro": float(scores["r_precision"].mean()), "micro": float("nan")},
        {"measure": "MAP", "macro": float(scores["average_precision"].mean()), "micro": float("nan")},
    ])
    summary.insert(0, "k", k)
    summary.insert(0, "documents", "mismatch texts + codebook" if include_codebook else "mismatch texts")
    return {"ranking": pd.DataFrame(rank_rows), "scores": scores, "summary": summary,
            "disagreements": pd.DataFrame(dis_rows, columns=["category", "subcategory", "kind", "descriptor",
                                                             "path", "rank", "score"])}


def random_baseline(mapping: "pd.DataFrame", attributes: "pd.DataFrame", codebook: "pd.DataFrame", k: int = 5) -> dict:
    """Expected precision@k and recall@k of a ranking that ignores the texts (uniform random order)."""
    n = int(((attributes["version"] == "1.2") & ~attributes["path"].isin(BOOKKEEPING)).sum())
    precs, recs = [], []
    for _code, cat, sub in _codebook_rows(codebook):
        m = mapping[(mapping["category"] == cat) & (mapping["subcategory"] == sub) & (mapping["status"] == "published")]
        keys = set(zip(m["descriptor"], m["path"]))
        rel = len(keys | {(d, re.split(r"\[\]\.|\.", p, maxsplit=1)[0]) for d, p in keys})
        precs.append(rel / n)
        recs.append(min(k, n) / n if rel else float("nan"))
    import numpy as np

    return {"precision_at_k": float(np.mean(precs)), "recall_at_k": float(np.nanmean(recs)), "n_attributes": n}
