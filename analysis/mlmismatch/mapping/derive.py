"""Derived descriptor schemas: what the mapping says each descriptor must record, and how that compares.

:func:`derive` turns the curated mapping (``data/mapping/subcategory_attributes.csv``) into one JSON
Schema (draft-07) per descriptor kind holding exactly the attributes the mapping requires (and their
parents). Each property carries an ``x-mlmismatch-trace``: the subcategories that need it, their
coded-instance counts and mismatch ids, the share of each survey role rating the subcategory
Important or Very Important, the rules that read it, and the attribute's path in each published
version. The text of the derived schemas is our own (rationales from the mapping); from the published
schemas only facts are taken (types, enumerated values), never their descriptions.

:func:`compare` / :func:`comparison_table` set the derived attributes beside the published 1.0, 1.1
and 1.2 attributes: in both, only derived (information the study found missing that the version does
not record), only published (attributes from elsewhere than the interviews). Paths are matched
through the mapping's per-version paths, so renamed attributes (``goals`` / ``business_goals``) match.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from mlmismatch.mapping import matrix as mp
from mlmismatch.core.labels import subcategory_label
from mlmismatch.descriptors.schemas import KINDS, TITLES, VERSIONS, derived_dir
from mlmismatch.sources import Store, as_store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DERIVED_VERSION = "derived-0.1"
TRACE = "x-mlmismatch-trace"
SCHEMA_URI = "http://json-schema.org/draft-07/schema#"
COMPARISON_COLUMNS = ["descriptor", "version", "n_published", "n_derived", "n_both", "n_only_derived",
                      "n_only_published", "n_proposed"]
COVERAGE_COLUMNS = ["descriptor", "version", "n_published", "n_derived", "n_both"]

#: Meanings of a difference between derived and published attributes.
MEANING_PROPOSED = "information the study found missing that no published version records"
MEANING_LATER = "information the study found missing that this version does not record (added later)"
MEANING_BOTH = "recorded by both"
MEANING_BOOKKEEPING = "bookkeeping (identifiers, names, descriptions, links, code locations): not from the interviews"
MEANING_ELSEWHERE = "from elsewhere than the interviews (literature, tool needs) or finer than what the mismatches named"
BOOKKEEPING_RE = re.compile(r"(^|[._\[\]])(documentation|identifier|id|name|description|details|file|location|"
                            r"code|other_\w+|implementation|seed|algorithm|test_case_name|log_data_format)$")


def _split(path: str) -> tuple[str, str | None, str]:
    """``a[].b`` -> ("a", "b", "[]"); ``a.b`` -> ("a", "b", "."); ``a`` -> ("a", None, "")."""
    if "[]." in path:
        a, b = path.split("[].", 1)
        return a, b, "[]"
    if "." in path:
        a, b = path.split(".", 1)
        return a, b, "."
    return path, None, ""


def _type_spec(spec: Mapping | None, proposed_type: str = "") -> dict:
    """Type facts of an attribute (type, items type, enum) without its description."""
    if proposed_type:
        if proposed_type.startswith("array["):
            inner = proposed_type[6:-1]
            return {"type": "array", "items": {"type": inner}}
        return {"type": proposed_type}
    spec = spec or {}
    out: dict[str, Any] = {}
    if "type" in spec:
        out["type"] = spec["type"]
    if spec.get("type") == "array" and isinstance(spec.get("items"), Mapping):
        items = spec["items"]
        inner: dict[str, Any] = {}
        if "type" in items:
            inner["type"] = items["type"]
        if "enum" in items:
            inner["enum"] = list(items["enum"])
        out["items"] = inner or {}
    if "enum" in spec:
        out["enum"] = list(spec["enum"])
    if "const" in spec:
        out["const"] = spec["const"]
    return out


def _published_spec(schema: Mapping, path: str) -> Mapping | None:
    head, child, sep = _split(path)
    spec = (schema.get("properties") or {}).get(head)
    if spec is None or child is None:
        return spec
    inner = spec.get("items") if sep == "[]" else spec
    if not isinstance(inner, Mapping):
        return None
    return (inner.get("properties") or {}).get(child)


def _role_pct(table2: "pd.DataFrame | None") -> dict[tuple[str, str], dict[str, float]]:
    if table2 is None or not len(table2):
        return {}
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in table2.itertuples():
        out.setdefault((str(r.category), str(r.subcategory)), {})[str(r.role)] = round(float(r.pct), 2)
    return out


def attribute_traces(mapping: "pd.DataFrame", instances: "pd.DataFrame", attributes: "pd.DataFrame",
                     table2: "pd.DataFrame | None" = None,
                     practices: Mapping[tuple[str, str], list[str]] | None = None) -> "pd.DataFrame":
    """One row per mapped (descriptor, path) with its trace: subcategories, instances, rules, versions.

    ``practices``: (category, subcategory) -> ids of the practices of the accepted practice matrix
    (:func:`mlmismatch.mapping.practices.gaps.practices_by_subcategory`) that address it; each
    subcategory of a trace then lists them under ``practices`` (the chain practice -> subcategory ->
    attribute).

    Columns: ``descriptor, path, status, proposed_type, rationale, subcategories`` (list of dicts),
    ``n_instances, rule_ids`` (list), ``published_paths`` (dict version -> path or None).
    """
    import pandas as pd

    counts = mp._instance_counts(instances)
    pct = _role_pct(table2)
    rows = []
    m = mapping[mapping["status"] != "none"]
    paths = mp._path_index(attributes)  # built once, for the 1.1 lookups of version_path
    for (d, p), g in m.groupby(["descriptor", "path"], sort=False):
        first = g.iloc[0]
        subs = []
        for _, r in g.iterrows():
            entry: dict[str, Any] = {"subcategory": subcategory_label(r["category_code"], r["subcategory"]),
                                     "n_instances": counts.get((r["category"], r["subcategory"]), 0),
                                     "evidence": mp.split_ids(r["evidence"])}
            if pct:
                entry["important_pct"] = dict(sorted(pct.get((r["category"], r["subcategory"]), {}).items()))
            if practices is not None:
                entry["practices"] = list(practices.get((str(r["category"]), str(r["subcategory"])), []))
            subs.append(entry)
        versions = {v: mp.version_path(first, v, paths) for v in VERSIONS}
        rows.append({"descriptor": d, "path": p, "status": first["status"], "proposed_type": first["proposed_type"],
                     "rationale": first["rationale"], "subcategories": subs,
                     "n_instances": sum(s["n_instances"] for s in subs),
                     "rule_ids": sorted({rid for x in g["rule_id"] for rid in mp.split_ids(x)}),
                     "published_paths": versions})
    return pd.DataFrame(rows)


def _trace(rec: Mapping) -> dict:
    return {"status": rec["status"], "n_instances": int(rec["n_instances"]), "rule_ids": list(rec["rule_ids"]),
            "published_paths": dict(rec["published_paths"]), "subcategories": list(rec["subcategories"])}


def _merge_traces(traces: list[dict], parent_paths: dict[str, str | None]) -> dict:
    subs: dict[str, dict] = {}
    for t in traces:
        for s in t["subcategories"]:
            cur = subs.setdefault(s["subcategory"], {**s, "evidence": list(s["evidence"])})
            cur["evidence"] = sorted(set(cur["evidence"]) | set(s["evidence"]))
    statuses = {t["status"] for t in traces}
    return {"status": "published" if "published" in statuses else "proposed",
            "n_instances": sum(s["n_instances"] for s in subs.values()),
            "rule_ids": sorted({r for t in traces for r in t["rule_ids"]}),
            "published_paths": parent_paths, "subcategories": [subs[k] for k in sorted(subs)]}


def derive(mapping: "pd.DataFrame", instances: "pd.DataFrame", attributes: "pd.DataFrame",
           published: Mapping[str, Mapping], table2: "pd.DataFrame | None" = None,
           practices: Mapping[tuple[str, str], list[str]] | None = None) -> dict[str, dict]:
    """The derived schema of every kind the mapping names: ``{kind: schema}``.

    ``published`` maps each kind to its published 1.2 schema (types and enumerations are taken from
    it). Property order: published attributes in the 1.2 schema's order, then proposed ones in mapping
    order; children likewise. Every mapped attribute is required (the mapping says it must be recorded).
    ``practices``: see :func:`attribute_traces`.
    """
    traces = attribute_traces(mapping, instances, attributes, table2, practices)
    out: dict[str, dict] = {}
    for kind in KINDS:
        t = traces[traces["descriptor"] == kind]
        if not len(t):
            continue
        pub = published[kind]
        order = {name: i for i, name in enumerate((pub.get("properties") or {}).keys())}
        groups: dict[str, dict[str, Any]] = {}
        for rec in t.to_dict("records"):
            head, child, sep = _split(rec["path"])
            g = groups.setdefault(head, {"self": None, "children": [], "sep": sep})
            if child is None:
                g["self"] = rec
            else:
                g["children"].append((child, rec))
                g["sep"] = sep
        props: dict[str, Any] = {"version": {"const": DERIVED_VERSION,
                                             "description": "Version of the derived descriptor schema"}}
        heads = sorted(groups, key=lambda h: (h not in order, order.get(h, 0),
                                             list(groups).index(h)))
        for head in heads:
            g = groups[head]
            pspec = (pub.get("properties") or {}).get(head)
            if not g["children"]:
                rec = g["self"]
                spec = _type_spec(pspec, rec["proposed_type"])
                spec["description"] = rec["rationale"]
                spec[TRACE] = _trace(rec)
                props[head] = spec
                continue
            inner_pub = (pspec or {}).get("items") if g["sep"] == "[]" else pspec
            child_order = {n: i for i, n in enumerate(((inner_pub or {}).get("properties") or {}).keys())}
            children = sorted(g["children"], key=lambda cr: (cr[0] not in child_order, child_order.get(cr[0], 0),
                                                             g["children"].index(cr)))
            cprops = {}
            for child, rec in children:
                cspec = _type_spec(_published_spec(pub, rec["path"]), rec["proposed_type"])
                cspec["description"] = rec["rationale"]
                cspec[TRACE] = _trace(rec)
                cprops[child] = cspec
            obj = {"type": "object", "properties": cprops, "required": [c for c, _ in children]}
            parent_paths: dict[str, str | None] = {}
            for v in VERSIONS:
                seen = [re.split(r"\[\]\.|\.", rec["published_paths"][v], maxsplit=1)[0]
                        for _c, rec in children if rec["published_paths"][v]]
                parent_paths[v] = seen[0] if seen else None
            if g["self"] is not None:
                desc = g["self"]["rationale"]
                ptrace = _merge_traces([_trace(g["self"])] + [_trace(r) for _c, r in children], parent_paths)
            else:
                desc = ("Holds the attributes below." if pspec is not None else
                        "Proposed: holds the proposed attributes below.")
                ptrace = _merge_traces([_trace(r) for _c, r in children], parent_paths)
            if g["sep"] == "[]":
                spec = {"type": "array", "items": obj}
            else:
                spec = obj
            spec = {"description": desc, **spec, TRACE: ptrace}
            props[head] = spec
        out[kind] = {
            "$schema": SCHEMA_URI,
            "$id": f"urn:mlmismatch:descriptor:{kind}:derived",
            "title": f"{TITLES[kind]} (derived)",
            "description": (f"Attributes of the {TITLES[kind]} descriptor that the mlmismatch mapping from coded "
                            "mismatches requires (data/mapping/subcategory_attributes.csv)"
                            + ("; each subcategory of a trace lists the practices of the accepted practice matrix "
                               "(data/practices) that supply its information" if practices is not None else "")
                            + ". Generated by `mlmismatch descriptors derive`; do not edit by hand."),
            "type": "object",
            "properties": props,
            "required": list(props),
        }
    return out


def dumps(schema: Mapping) -> str:
    """Deterministic JSON text of a derived schema (2-space indent, UTF-8, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_derived(derived: Mapping[str, Mapping], directory: str | Path | None = None) -> list[Path]:
    """Write ``<kind>_schema.json`` per kind into ``directory``.

    The default is ``descriptors/derived`` of the checkout the working directory is in; outside a
    checkout a ``directory`` must be given (the packaged copies are never overwritten).
    """
    from mlmismatch.core import resources, writers
    from mlmismatch.core.errors import InputError
    from mlmismatch.descriptors.schemas import check_schema

    if directory is None:
        root = resources.checkout_root()
        if root is None:
            raise InputError("not inside an mlmismatch checkout", expected="--out DIR: where to write the derived schemas")
        directory = root / "descriptors" / "derived"
    directory = Path(directory)
    written = []
    for kind, schema in derived.items():
        check_schema(schema, file=f"{kind}_schema.json")
        written.append(writers.write_text(directory / f"{kind}_schema.json", dumps(schema)))
    return written


def stale(derived: Mapping[str, Mapping], directory: str | Path | None = None) -> list[str]:
    """Kinds whose file in ``directory`` is missing or differs from ``derived`` (empty = up to date)."""
    directory = derived_dir(directory)
    out = []
    for kind, schema in derived.items():
        path = directory / f"{kind}_schema.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != dumps(schema):
            out.append(kind)
    extra = sorted(p.name for p in directory.glob("*_schema.json")
                   if p.name.removesuffix("_schema.json") not in derived) if directory.is_dir() else []
    return out + extra


def derive_default(coding, table2=None, *, store: Store | None = None) -> dict[str, dict]:
    """Derive from the repository's mapping, the practice matrix, the coding data and the published schemas."""
    from mlmismatch.descriptors import schemas
    from mlmismatch.mapping.practices import gaps, load_default

    store = as_store(store)
    md = mp.load_default(coding, store=store)
    attrs = schemas.attributes(store=store)
    published = {k: schemas.load_schema(k, "1.2", store=store) for k in KINDS}
    return derive(md.attributes, coding.instances, attrs, published, table2,
                  gaps.practices_by_subcategory(load_default(coding)))


# --------------------------------------------------------------------------------------------
# Comparison with the published versions
# --------------------------------------------------------------------------------------------

def derived_attribute_table(derived: Mapping[str, Mapping]) -> "pd.DataFrame":
    """Derived attributes (``descriptor, path, status, published_paths``), ``version`` left out."""
    import pandas as pd

    rows = []
    for kind, schema in derived.items():
        for name, spec in (schema.get("properties") or {}).items():
            if name == "version":
                continue
            tr = spec.get(TRACE, {})
            rows.append({"descriptor": kind, "path": name, "status": tr.get("status", "published"),
                         "published_paths": tr.get("published_paths", {})})
            inner = spec.get("items") if spec.get("type") == "array" else spec
            sep = "[]." if spec.get("type") == "array" else "."
            for child, cspec in ((inner or {}).get("properties") or {}).items():
                ctr = cspec.get(TRACE, {})
                rows.append({"descriptor": kind, "path": f"{name}{sep}{child}", "status": ctr.get("status", "published"),
                             "published_paths": ctr.get("published_paths", {})})
    return pd.DataFrame(rows, columns=["descriptor", "path", "status", "published_paths"])


def _meaning_published_only(path: str) -> str:
    return MEANING_BOOKKEEPING if BOOKKEEPING_RE.search(path) else MEANING_ELSEWHERE


def compare(derived: Mapping[str, Mapping], attributes: "pd.DataFrame",
            versions: Iterable[str] = VERSIONS) -> "pd.DataFrame":
    """Attribute-level comparison: ``descriptor, version, path, published_path, side, meaning``.

    ``side``: ``both``, ``only derived``, ``only published``. ``path`` is the derived (1.2-style) path,
    ``published_path`` the attribute's path in that version. ``version`` attributes are left out.
    """
    import pandas as pd

    der = derived_attribute_table(derived)
    rows = []
    for v in versions:
        for kind in KINDS:
            pub = attributes[(attributes["descriptor"] == kind) & (attributes["version"] == v)]
            pub_paths = [p for p in pub["path"] if p not in mp.BOOKKEEPING]
            d = der[der["descriptor"] == kind]
            matched: set[str] = set()
            for rec in d.itertuples():
                eq = (rec.published_paths or {}).get(v)
                if eq and eq in pub_paths:
                    matched.add(eq)
                    rows.append((kind, v, rec.path, eq, "both", MEANING_BOTH))
                else:
                    meaning = MEANING_PROPOSED if rec.status == "proposed" else MEANING_LATER
                    rows.append((kind, v, rec.path, "", "only derived", meaning))
            for p in pub_paths:
                if p not in matched:
                    rows.append((kind, v, "", p, "only published", _meaning_published_only(p)))
    return pd.DataFrame(rows, columns=["descriptor", "version", "path", "published_path", "side", "meaning"])


def comparison_summary(detail: "pd.DataFrame", derived: Mapping[str, Mapping]) -> "pd.DataFrame":
    """Per descriptor and version: ``n_published, n_derived, n_both, n_only_derived, n_only_published,
    n_proposed, n_published_bookkeeping``; plus an ``All`` row per version."""
    import pandas as pd

    der = derived_attribute_table(derived)
    rows = []
    for (v, kind), g in detail.groupby(["version", "descriptor"], sort=False):
        n_derived = int((der["descriptor"] == kind).sum())
        only_pub = g[g["side"] == "only published"]
        rows.append({"descriptor": kind, "version": v,
                     "n_published": int((g["side"] != "only derived").sum()),
                     "n_derived": n_derived, "n_both": int((g["side"] == "both").sum()),
                     "n_only_derived": int((g["side"] == "only derived").sum()),
                     "n_only_published": len(only_pub),
                     "n_proposed": int(((der["descriptor"] == kind) & (der["status"] == "proposed")).sum()),
                     "n_published_bookkeeping": int((only_pub["meaning"] == MEANING_BOOKKEEPING).sum())})
    df = pd.DataFrame(rows)
    totals = df.groupby("version", sort=False).sum(numeric_only=True).reset_index()
    totals.insert(0, "descriptor", "All")
    df = pd.concat([df, totals], ignore_index=True)
    df["pct_derived_published"] = (100.0 * df["n_both"] / df["n_derived"]).where(df["n_derived"] > 0)
    df["pct_published_needed"] = (100.0 * df["n_both"] / df["n_published"]).where(df["n_published"] > 0)
    return df


def comparison_table(derived: Mapping[str, Mapping] | None = None, attributes: "pd.DataFrame | None" = None,
                     directory: str | Path | None = None, *, store: Store | None = None) -> "pd.DataFrame":
    """The tidy comparison for the replication report: ``descriptor, version, n_published, n_derived,
    n_both, n_only_derived, n_only_published, n_proposed, ...`` (reads the committed derived schemas
    and the published ones when not given)."""
    from mlmismatch.descriptors import schemas

    if derived is None:
        directory = derived_dir(directory)
        derived = {k: schemas.read_schema_file(directory / f"{k}_schema.json") for k in KINDS
                   if (directory / f"{k}_schema.json").is_file()}
    if attributes is None:
        attributes = schemas.attributes(store=store)
    return comparison_summary(compare(derived, attributes), derived)
