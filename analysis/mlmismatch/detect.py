"""Detect mismatches in one system's descriptor documents (``mlmismatch check DIR``).

A directory holds one document per descriptor kind (``<kind>.json``, ``<kind>.yaml`` or
``<name>.<kind>.yml``), each carrying its ``version`` (1.0, 1.1, 1.2, or the version of a derived
schema). :func:`check` runs three steps and returns a :class:`Report`:

1. **invalid**: every JSON Schema error of every document (format checking on), with file and
   JSON path;
2. **missing**: information gaps, attributes missing or empty (and absent descriptors), each with
   the mismatch subcategories it leaves the system open to, ranked by how often the study saw
   them and how important survey respondents (or one ``role``) rated them;
3. **rule**: the cross-descriptor rules of ``data/rules/rules.yaml`` (:mod:`mlmismatch.rules`).

The module is a pure library: the attribute-to-subcategory mapping, the coded instances and the
importance table are passed in as DataFrames (all optional).

Bad input (one-line :class:`~mlmismatch.errors.InputError`, exit 2, nothing else checked):
malformed JSON/YAML (line and column), unknown kind or version, two documents of one kind, no
documents, a document above :data:`MAX_FILE_BYTES` or nested deeper than :data:`MAX_DEPTH` or with
more than :data:`MAX_NODES` values, a symbolic link leading out of the directory. YAML is read
with a safe loader that keeps dates as strings.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import rules as rules_mod
from .errors import InputError, Location
from .schemas import (
    KINDS, TITLES, VERSIONS, derived_path, json_path, load_derived,
    schema_readonly, schema_version,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Limits on input documents (bad input beyond them).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_FILES = 64
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")

FINDING_KINDS = ("invalid", "rule", "drift", "missing")
LEVELS = {"invalid": "error", "rule": "error", "drift": "error", "missing": "warning"}

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


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------

@dataclass
class Document:
    kind: str
    version: str
    file: Path
    data: Any  # as read
    derived: bool = False
    migrated: Any = None  # 1.2 form used by the gap step and the rules

    @property
    def name(self) -> str:
        return self.file.name


def kind_from_filename(path: Path) -> str | None:
    stem = path.name
    for suffix in DOCUMENT_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = stem.replace("-", "_").lower()
    if stem in KINDS:
        return stem
    last = stem.rsplit(".", 1)[-1]
    return last if last in KINDS else None


_LOADER = None


def _yaml_loader():
    import yaml

    global _LOADER
    if _LOADER is None:
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same rules, faster

        class Loader(base):  # type: ignore[valid-type,misc]
            """Safe loader that keeps timestamps as strings (a date is a string in the schemas)."""

        Loader.yaml_implicit_resolvers = {
            ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        _LOADER = Loader
    return _LOADER


def _check_shape(data: Any, file: str | Path, shared: bool = False) -> None:
    """Reject documents nested deeper than MAX_DEPTH or with more than MAX_NODES values.

    Walks level by level; ``shared`` (YAML, whose aliases share objects) counts each container once
    and never expands an alias again."""
    level = [data]
    depth = 1
    nodes = 0
    seen: set[int] = set()
    while level:
        if depth > MAX_DEPTH:
            raise InputError(f"document nested deeper than {MAX_DEPTH} levels", Location(file=file),
                             expected=f"at most {MAX_DEPTH} levels of nesting")
        if shared:
            level = [o for o in level if id(o) not in seen and not seen.add(id(o))]
        nodes += sum(len(o) for o in level)
        if nodes > MAX_NODES:
            raise InputError(f"document has more than {MAX_NODES:,} values", Location(file=file),
                             expected=f"at most {MAX_NODES:,} values per descriptor document")
        level = [v for o in level for v in (o.values() if o.__class__ is dict else o)
                 if v.__class__ is dict or v.__class__ is list]
        depth += 1


def read_document(path: str | Path, display: str | None = None) -> Any:
    """Parse one JSON or YAML file safely (size limit, line/column on syntax errors)."""
    if not isinstance(path, Path):
        path = Path(path)
    where = display or path.name
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        # read at most one byte more than the limit (the file may grow after fstat); asking for the
        # limit itself when the file is small would allocate a 5 MiB buffer for every document
        raw = fh.read(min(size, MAX_FILE_BYTES) + 1)
        if len(raw) > size:  # it grew since fstat: read on, up to the limit
            raw += fh.read(MAX_FILE_BYTES + 1 - len(raw))
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"file is {max(size, len(raw)):,} bytes", Location(file=where),
                         expected=f"at most {MAX_FILE_BYTES:,} bytes per descriptor document")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", Location(file=where)) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}", Location(file=where, line=exc.lineno, col=exc.colno)) from None
        except RecursionError:
            raise InputError(f"document nested deeper than {MAX_DEPTH} levels", Location(file=where)) from None
    else:
        import yaml

        try:
            docs = list(yaml.load_all(text, Loader=_yaml_loader()))  # noqa: S506 (safe loader subclass)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise InputError(f"malformed YAML: {exc.problem or exc.context}",
                             Location(file=where, line=mark.line + 1 if mark else None,
                                      col=mark.column + 1 if mark else None)) from None
        except yaml.YAMLError as exc:
            raise InputError(f"malformed YAML: {exc}", Location(file=where)) from None
        except RecursionError:
            raise InputError(f"document nested deeper than {MAX_DEPTH} levels", Location(file=where)) from None
        if len(docs) != 1:
            raise InputError(f"{len(docs)} YAML documents in one file", Location(file=where),
                             expected="exactly one descriptor document per file")
        data = docs[0]
    if data.__class__ is dict or data.__class__ is list:
        _check_shape(data, where, shared=path.suffix.lower() != ".json")
    return data


def _derived_version(kind: str, derived_dir: Path | None) -> str | None:
    path = derived_path(kind, derived_dir)
    if not path.is_file():
        return None
    return schema_version(load_derived(kind, derived_dir))


def make_document(kind: str, data: Any, file: str | Path, derived_dir: str | Path | None = None) -> Document:
    """Check kind/version of one parsed document and migrate it to 1.2 (in memory)."""
    from .migrate import migrate

    if not isinstance(file, Path):
        file = Path(file)
    if not isinstance(data, dict):
        raise InputError(f"a descriptor document must be an object, not {type(data).__name__}",
                         Location(file=file.name, path="$"))
    if "version" not in data:
        raise InputError("no 'version'", Location(file=file.name, path="$"),
                         expected="a version such as \"1.2\" to choose the schema")
    version = data["version"]
    version = str(version) if not isinstance(version, (dict, list)) else repr(version)
    derived = False
    if version not in VERSIONS:
        dv = _derived_version(kind, Path(derived_dir) if derived_dir else None)
        if dv is None or version != dv:
            expected = ", ".join(VERSIONS) + (f" or the derived schema's {dv}" if dv else "")
            raise InputError(f"unknown descriptor version '{version}'", Location(file=file.name, path="$.version"),
                             expected=expected)
        derived = True
    doc = Document(kind=kind, version=version, file=file, data=data, derived=derived)
    if derived or version == VERSIONS[-1]:
        doc.migrated = data
    else:
        try:
            doc.migrated = migrate(kind, data, to=VERSIONS[-1])
        except Exception:  # an invalid document may not migrate; validation reports it
            doc.migrated = data
    return doc


def load_system(directory: str | Path, derived_dir: str | Path | None = None) -> list[Document]:
    """Read every descriptor document of one system directory (bad input -> InputError)."""
    root = Path(directory)
    if not root.exists():
        raise InputError("no such directory", Location(file=str(directory)))
    if not root.is_dir():
        raise InputError("not a directory", Location(file=str(directory)), expected="a directory of descriptor documents")
    real_root = root.resolve()
    with os.scandir(root) as it:
        entries = sorted((e for e in it if not e.name.startswith(".")
                          and os.path.splitext(e.name)[1].lower() in DOCUMENT_SUFFIXES), key=lambda e: e.name)
    if not entries:
        raise InputError("no descriptor documents", Location(file=str(directory)),
                         expected="one JSON or YAML file per descriptor (<kind>.json, <kind>.yaml)")
    if len(entries) > MAX_FILES:
        raise InputError(f"{len(entries)} documents", Location(file=str(directory)),
                         expected=f"at most {MAX_FILES} files (one per descriptor kind)")
    docs: dict[str, Document] = {}
    for e in entries:
        p = root / e.name
        if e.is_symlink() and not p.resolve().is_relative_to(real_root):  # entries are children of root
            raise InputError("symbolic link leads out of the directory", Location(file=e.name),
                             expected=f"files inside {directory}")
        if not e.is_file():
            raise InputError("not a regular file", Location(file=e.name))
        kind = kind_from_filename(p)
        if kind is None:
            raise InputError(f"unknown descriptor kind '{p.stem}' (from the file name)", Location(file=e.name),
                             expected="a file named <kind>.json|yaml|yml with kind one of " + ", ".join(KINDS))
        if kind in docs:
            raise InputError(f"two documents of kind {kind} ({docs[kind].name} and {e.name})", Location(file=e.name),
                             expected="one document per descriptor kind")
        data = read_document(p)
        docs[kind] = make_document(kind, data, p, derived_dir)
    return [docs[k] for k in KINDS if k in docs]


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------

@dataclass
class Finding:
    kind: str  # invalid | missing | rule | drift
    rule_id: str
    sei_rule: str | None
    descriptors: list[str]
    paths: list[str]
    message: str
    subcategories: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    title: str = ""
    rationale: str = ""
    level: str = "error"
    frequency: int | None = None
    importance: float | None = None
    locations: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (descriptor, path)

    def __post_init__(self) -> None:
        if not self.locations:
            self.locations = [(self.descriptors[0] if len(self.descriptors) == 1 else
                               (self.descriptors[i] if i < len(self.descriptors) else self.descriptors[-1]), p)
                              for i, p in enumerate(self.paths)] if self.descriptors else []

    def to_dict(self) -> dict:
        d = asdict(self)
        d["locations"] = [{"descriptor": k, "path": p} for k, p in self.locations]
        return d


@dataclass
class Report:
    directory: str
    documents: list[Document]
    findings: list[Finding]
    role: str | None = None

    @property
    def clean(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in FINDING_KINDS}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def rule_ids(self, kind: str | None = None) -> list[str]:
        return sorted({f.rule_id for f in self.findings if kind is None or f.kind == kind})

    def exit_code(self, fail_on: Iterable[str] = FINDING_KINDS) -> int:
        fail_on = set(fail_on)
        return 1 if any(f.kind in fail_on for f in self.findings) else 0


def validate_documents(docs: Iterable[Document], derived_dir: str | Path | None = None,
                       **resolve_kwargs) -> list[Finding]:
    """Every schema error of every document (not just the first), with file and JSON path."""
    from .schemas import error_lister

    out: list[Finding] = []
    for d in docs:
        lister = error_lister(d.kind, None if d.derived else d.version, derived_dir, **resolve_kwargs)
        for parts, keyword, message in lister.errors(d.data):
            if keyword == "required":  # point at the missing attribute itself
                missing = message.split("'")[1] if message.count("'") >= 2 else None
                if missing:
                    parts = parts + (missing,)
            out.append(Finding(
                kind="invalid", rule_id=f"schema:{keyword}", sei_rule=None, descriptors=[d.kind],
                paths=[json_path(parts)], message=f"{d.name}, at {json_path(parts)}: {message}",
                files=[d.name], title="Schema validation error", level="error"))
    return out


# -- information gaps --------------------------------------------------------------------------

def _label(category: str, subcategory: str) -> str:
    from .codebook import CATEGORY_BY_NAME, CATEGORY_CODES, clean

    sub = clean(subcategory)
    if rules_mod.SUBCATEGORY_RE.match(sub):
        return sub
    cat = clean(category)
    code = cat.upper() if cat.upper() in CATEGORY_CODES else CATEGORY_BY_NAME.get(cat.lower())
    if code is None and cat.endswith(")") and "(" in cat:
        code = cat.rsplit("(", 1)[1].rstrip(")").strip().upper()
    return f"({code}) {sub}" if code else sub


def _norm_kind(text: Any) -> str:
    return str(text).strip().lower().replace(" ", "_").replace("-", "_")


def _strip_indices(path: str) -> str:
    import re

    return re.sub(r"\[\d+\]", "[]", path).removeprefix("$.").removeprefix("$")


def mapping_index(mapping: "pd.DataFrame | None") -> dict[str, list[tuple[str, str]]]:
    """``{descriptor: [(attribute path, subcategory label), ...]}`` from the mapping table."""
    out: dict[str, list[tuple[str, str]]] = {}
    if mapping is None or len(mapping) == 0:
        return out
    column = "attribute" if "attribute" in mapping.columns else "path"
    for row in mapping.itertuples(index=False):
        attr = str(getattr(row, column, "") or "").strip()
        desc = _norm_kind(getattr(row, "descriptor", ""))
        if not attr or desc not in KINDS or attr.lower() == "nan":
            continue
        out.setdefault(desc, []).append((attr, _label(str(row.category), str(row.subcategory))))
    return out


def subcategories_for(index: Mapping[str, list[tuple[str, str]]], kind: str, attribute: str) -> list[str]:
    """Subcategories mapped to ``attribute`` of ``kind``, to its children, or to its parents."""
    found: list[str] = []
    for attr, label in index.get(kind, []):
        a = attr.removeprefix("$.")
        related = (a == attribute or a.startswith(attribute + ".") or a.startswith(attribute + "[]")
                   or attribute.startswith(a + ".") or attribute.startswith(a + "[]") or attribute == "")
        if related and label not in found:
            found.append(label)
    return found


def _empty_here(value: Any, _placeholders=rules_mod.PLACEHOLDERS) -> bool:
    """Same as :func:`mlmismatch.rules.is_empty`, inlined for speed."""
    cls = value.__class__
    if cls is str:
        return not value.strip() or value in _placeholders
    if cls is list or cls is dict:
        return not value
    return value is None or value is rules_mod._MISSING


def information_gaps(docs: Iterable[Document], mapping: "pd.DataFrame | None" = None,
                     derived_dir: str | Path | None = None, **resolve_kwargs) -> list[Finding]:
    """Attributes missing or empty, and absent descriptors (unranked)."""
    index = mapping_index(mapping)
    docs = list(docs)
    present = {d.kind for d in docs}
    out: list[Finding] = []
    for kind in KINDS:
        if kind not in present:
            out.append(Finding(
                kind="missing", rule_id="gap:descriptor", sei_rule=None, descriptors=[kind], paths=["$"],
                message=f"No {TITLES[kind]} descriptor: none of its information is available.",
                subcategories=subcategories_for(index, kind, ""), title=f"{TITLES[kind]} descriptor absent",
                level="warning"))
    for d in docs:
        schema = load_derived(d.kind, derived_dir) if d.derived else schema_readonly(d.kind, VERSIONS[-1], **resolve_kwargs)
        doc = d.migrated if isinstance(d.migrated, dict) else {}
        skip: set[str] = set()
        for attr, top, parent, child, many, cond, item_cond, other in _attribute_specs(d.kind, schema):
            if top in skip:
                continue
            if cond is not None and doc.get(cond[0]) != cond[1]:
                skip.add(top)
                continue
            if parent is None:
                if _empty_here(doc.get(attr, _MISSING)):
                    skip.add(attr)
                    out.append(_gap(d, attr, [json_path((attr,))], index, "is missing or empty"))
                continue
            container = doc.get(parent)
            paths: list[str] = []
            if many:
                if not isinstance(container, list):
                    continue
                items = [(i, it) for i, it in enumerate(container) if isinstance(it, dict)]
            else:
                if not isinstance(container, dict):
                    continue
                items = [(None, container)]
            for i, item in items:
                if item_cond is not None and item.get(item_cond[0]) != item_cond[1]:
                    continue
                if other and not any(v == "Other" for k, v in item.items() if k != child):
                    continue
                if _empty_here(item.get(child, _MISSING)):
                    paths.append(json_path((parent, i, child) if many else (parent, child)))
            if paths:
                what = f"is empty in {len(paths)} of {len(items)} items" if many else "is missing or empty"
                out.append(_gap(d, attr, paths, index, what))
    return out


_MISSING = rules_mod._MISSING
_SPEC_CACHE: dict[tuple[str, int], tuple[Any, tuple]] = {}


def _attribute_specs(kind: str, schema: Mapping) -> tuple:
    """Per attribute of a (cached, never mutated) schema: what the gap step needs, computed once.

    ``(path, top, parent or None, child, many, condition, item condition, other_*)``."""
    from .schemas import _walk

    hit = _SPEC_CACHE.get((kind, id(schema)))
    if hit is not None and hit[0] is schema:
        return hit[1]
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
    _SPEC_CACHE[(kind, id(schema))] = (schema, tuple(specs))
    return tuple(specs)


def _gap(d: Document, attr: str, paths: list[str], index, what: str) -> Finding:
    return Finding(kind="missing", rule_id="gap:attribute", sei_rule=None, descriptors=[d.kind], paths=paths,
                   message=f"{d.name}: {attr} {what}.", subcategories=subcategories_for(index, d.kind, attr),
                   files=[d.name], title=f"{TITLES[d.kind]}: {attr}", level="warning")


def subcategory_frequency(instances: "pd.DataFrame | None") -> dict[str, int]:
    """Coded instances per subcategory label (the study's frequency)."""
    if instances is None or len(instances) == 0:
        return {}
    out: dict[str, int] = {}
    for row in instances.itertuples(index=False):
        label = _label(str(row.category), str(row.subcategory))
        out[label] = out.get(label, 0) + 1
    return out


def roles(importance: "pd.DataFrame | None") -> list[str]:
    if importance is None or len(importance) == 0:
        return []
    return sorted({str(r) for r in importance["role"].dropna()})


def subcategory_importance(importance: "pd.DataFrame | None", role: str | None = None) -> dict[str, float]:
    """Percentage of respondents (of ``role``, or all) who rated each subcategory important."""
    if importance is None or len(importance) == 0:
        return {}
    table = importance
    if role is not None:
        known = roles(importance)
        match = [r for r in known if r.lower() == role.lower()]
        if not match:
            raise InputError(f"unknown role '{role}'", expected="one of " + ", ".join(known))
        table = table[table["role"] == match[0]]
    sums: dict[str, list[float]] = {}
    for row in table.itertuples(index=False):
        label = _label(str(row.category), str(row.subcategory))
        acc = sums.setdefault(label, [0.0, 0.0])
        acc[0] += float(row.n_important)
        acc[1] += float(row.n_respondents)
    return {k: 100.0 * a / b for k, (a, b) in sums.items() if b}


def rank_gaps(gaps: list[Finding], instances: "pd.DataFrame | None" = None,
              importance: "pd.DataFrame | None" = None, role: str | None = None) -> list[Finding]:
    """Order gaps: by frequency then importance (or, for a ``role``, by that role's importance first)."""
    freq = subcategory_frequency(instances)
    imp = subcategory_importance(importance, role)
    for g in gaps:
        g.frequency = sum(freq.get(s, 0) for s in g.subcategories) if freq else None
        vals = [imp[s] for s in g.subcategories if s in imp]
        g.importance = round(max(vals), 1) if vals else None

    def key(g: Finding):
        f, i = g.frequency or 0, g.importance or 0.0
        primary = (-i, -f) if role else (-f, -i)
        return (*primary, -len(g.subcategories), KINDS.index(g.descriptors[0]), g.paths[0])

    return sorted(gaps, key=key)


def rule_findings(docs: Iterable[Document], rules: list | None = None) -> list[Finding]:
    docs = list(docs)
    by_kind = {d.kind: d.migrated for d in docs}
    names = {d.kind: d.name for d in docs}
    out = []
    for v in rules_mod.evaluate_all(by_kind, rules):
        r = v.rule
        descs = list(dict.fromkeys(k for k, _ in v.locations)) or list(r.descriptors)
        out.append(Finding(
            kind="rule", rule_id=r.id, sei_rule=r.sei_rule, descriptors=descs, paths=[p for _, p in v.locations],
            message=v.condition, subcategories=list(r.subcategories),
            files=list(dict.fromkeys(names[k] for k, _ in v.locations if k in names)), title=r.message,
            rationale=r.rationale, level="error", locations=list(v.locations)))
    return out


def check_documents(docs: list[Document], *, directory: str = "", mapping: "pd.DataFrame | None" = None,
                    instances: "pd.DataFrame | None" = None, importance: "pd.DataFrame | None" = None,
                    role: str | None = None, rules: list | None = None, derived_dir: str | Path | None = None,
                    gaps: bool = True, **resolve_kwargs) -> Report:
    """Run the three steps on loaded documents."""
    findings = validate_documents(docs, derived_dir, **resolve_kwargs)
    findings += rule_findings(docs, rules)
    if gaps:
        findings += rank_gaps(information_gaps(docs, mapping, derived_dir, **resolve_kwargs), instances, importance, role)
    return Report(directory=directory, documents=docs, findings=findings, role=role)


def check(directory: str | Path, **kwargs) -> Report:
    """Load a system directory and check it (see :func:`check_documents` for the options)."""
    docs = load_system(directory, kwargs.get("derived_dir"))
    return check_documents(docs, directory=str(directory), **kwargs)


def load_mapping(path: str | Path | None = None) -> "pd.DataFrame | None":
    """The attribute -> subcategory mapping (``data/mapping/subcategory_attributes.csv``), or None."""
    import pandas as pd

    from .sources import DATA_ROOT

    path = Path(path) if path else DATA_ROOT / "mapping" / "subcategory_attributes.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"category", "subcategory", "descriptor"} - set(df.columns)
    if not {"attribute", "path"} & set(df.columns):
        missing.add("path")
    if missing:
        raise InputError(f"mapping without columns {sorted(missing)}", Location(file=path))
    return df


# --------------------------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------------------------

def to_json_dict(report: Report) -> dict:
    return {
        "tool": "mlmismatch check",
        "directory": report.directory,
        "documents": [{"descriptor": d.kind, "version": d.version, "file": d.name, "derived": d.derived}
                      for d in report.documents],
        "role": report.role,
        "counts": report.counts(),
        "findings": [f.to_dict() for f in report.findings],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_json_dict(report), indent=2, ensure_ascii=False) + "\n"


def _rule_meta(report: Report) -> dict[str, dict]:
    meta: dict[str, dict] = {}
    for f in report.findings:
        if f.rule_id not in meta:
            meta[f.rule_id] = {"title": f.title or f.rule_id, "rationale": f.rationale, "sei_rule": f.sei_rule,
                               "level": f.level, "subcategories": f.subcategories}
    return meta


def to_sarif(report: Report, base: str | Path | None = None) -> str:
    """SARIF 2.1.0 for code-scanning views (one result per finding, located in its file)."""
    from . import __version__

    meta = _rule_meta(report)
    rule_ids = list(meta)
    prefix = (str(base).rstrip("/") + "/") if base else (report.directory.rstrip("/") + "/" if report.directory else "")
    files = {d.kind: d.name for d in report.documents}
    results = []
    for f in report.findings:
        locs = []
        for desc, path in f.locations:
            name = files.get(desc)
            if name is None:
                continue
            locs.append({"physicalLocation": {"artifactLocation": {"uri": prefix + name}},
                         "logicalLocations": [{"fullyQualifiedName": f"{desc}:{path}", "kind": "member"}]})
        if not locs and f.files:
            locs = [{"physicalLocation": {"artifactLocation": {"uri": prefix + f.files[0]}}}]
        if not locs:
            locs = [{"physicalLocation": {"artifactLocation": {"uri": prefix or "./"}}}]
        results.append({
            "ruleId": f.rule_id, "ruleIndex": rule_ids.index(f.rule_id), "level": f.level,
            "message": {"text": f.message}, "locations": locs,
            "properties": {"kind": f.kind, "sei_rule": f.sei_rule, "descriptors": f.descriptors, "paths": f.paths,
                           "subcategories": f.subcategories},
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlmismatch", "version": __version__,
                "informationUri": "https://github.com/cmu-sei/ml-mismatch-descriptors",
                "rules": [{"id": rid, "name": rid.replace(":", "-"), "shortDescription": {"text": m["title"]},
                           "fullDescription": {"text": m["rationale"] or m["title"]},
                           "defaultConfiguration": {"level": m["level"]},
                           "properties": {"sei_rule": m["sei_rule"], "subcategories": m["subcategories"]}}
                          for rid, m in meta.items()],
            }},
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


SECTION_TITLES = {"invalid": "Schema validation errors", "rule": "Cross-descriptor mismatches",
                  "drift": "Run-time drift", "missing": "Information gaps"}


def _md(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    c = report.counts()
    lines = [f"# Mismatch check: {report.directory or 'system'}", ""]
    lines.append("Documents: " + ", ".join(f"{d.name} ({d.kind} {d.version})" for d in report.documents) + ".")
    lines.append("")
    lines.append("**" + ("No findings." if report.clean else
                        ", ".join(f"{c[k]} {SECTION_TITLES[k].lower()}" for k in FINDING_KINDS if c.get(k))) + "**")
    for kind in FINDING_KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        lines += ["", f"## {SECTION_TITLES[kind]} ({len(items)})", ""]
        if kind == "missing":
            lines += ["| # | Descriptor | Paths | Subcategories | Instances | Important (%) |", "|---|---|---|---|---|---|"]
            for i, f in enumerate(items, 1):
                lines.append(f"| {i} | {f.descriptors[0]} | {_md(', '.join(f.paths[:3]) + (' …' if len(f.paths) > 3 else ''))} | "
                             f"{_md('; '.join(f.subcategories))} | {'' if f.frequency is None else f.frequency} | "
                             f"{'' if f.importance is None else f.importance} |")
        else:
            lines += ["| Rule | SEI | Descriptors | Message | Paths |", "|---|---|---|---|---|"]
            for f in items:
                lines.append(f"| {_md(f.rule_id)} | {_md(f.sei_rule or '')} | {_md(', '.join(f.descriptors))} | "
                             f"{_md(f.message)} | {_md(', '.join(f.paths))} |")
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    import html

    c = report.counts()
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>Mismatch check: {html.escape(report.directory)}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
           ".invalid,.rule,.drift{color:#b00}.missing{color:#a60}</style></head><body>",
           f"<h1>Mismatch check: {html.escape(report.directory)}</h1>",
           "<p>" + ("No findings." if report.clean else html.escape(
               ", ".join(f"{c[k]} {SECTION_TITLES[k].lower()}" for k in FINDING_KINDS if c.get(k)))) + "</p>"]
    for kind in FINDING_KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        out.append(f"<h2 class=\"{kind}\">{SECTION_TITLES[kind]} ({len(items)})</h2>")
        out.append("<table><tr><th>Rule</th><th>SEI</th><th>Descriptors</th><th>Message</th><th>Paths</th>"
                   "<th>Subcategories</th></tr>")
        for f in items:
            cells = [f.rule_id, f.sei_rule or "", ", ".join(f.descriptors), f.message, ", ".join(f.paths),
                     "; ".join(f.subcategories)]
            out.append("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str) -> str:
    """The report as ``json``, ``sarif``, ``markdown`` or ``html`` text."""
    if fmt == "json":
        return to_json(report)
    if fmt == "sarif":
        return to_sarif(report)
    if fmt in ("markdown", "md"):
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise InputError(f"unknown format '{fmt}'", expected="terminal, json, sarif, markdown or html")


__all__ = [
    "Document", "Finding", "Report", "check", "check_documents", "load_system", "read_document", "make_document",
    "validate_documents", "information_gaps", "rank_gaps", "rule_findings", "load_mapping", "render",
    "to_json", "to_sarif", "to_markdown", "to_html", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES"
]
