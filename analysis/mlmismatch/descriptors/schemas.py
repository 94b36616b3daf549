"""The SEI descriptor schemas: load, compile and list their attributes.

SEI published eight descriptor schemas (JSON Schema draft-07) in three versions (1.0, 1.1, 1.2).
They are never committed here: :func:`load_schema` obtains them through the sources registry
(``sei-<version>-<kind>`` in ``data/sources.toml``).

Known quirks of the published files, handled here:

* versions 1.1 and 1.2 share their ``$id`` values, so a schema is always chosen by
  ``(kind, version)``, never by ``$id``;
* Trained Model 1.2 lists ``error_handling`` as required but does not define it (a document
  must still carry the key to be valid; :func:`attributes` lists it with type ``undefined``).

The derived schemas (``descriptors/derived/<kind>_schema.json``, written by ``mlmismatch
descriptors derive``) go through the same functions: :func:`load_derived`,
:func:`compile_schema` and :func:`schema_attributes` take a file or a schema dict.

Schemas are read, and validators compiled, once per :class:`~mlmismatch.sources.Store` and
``(kind, version)`` (or derived file and its modification time), with format checking on (``date``,
``uri``, ...; jsonschema's ``FormatChecker``). There is no module-level cache: pass the same store to
reuse them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from mlmismatch.core import resources
from mlmismatch.core.errors import InputError, Location
from mlmismatch.sources import Store, as_store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from jsonschema.protocols import Validator

#: The eight descriptor kinds (file stem of each schema without ``_schema``).
KINDS: tuple[str, ...] = (
    "system_context",
    "raw_data",
    "data_pipeline",
    "training_data",
    "trained_model",
    "development_environment",
    "production_environment",
    "production_data",
)
#: The published versions, oldest first.
VERSIONS: tuple[str, ...] = ("1.0", "1.1", "1.2")
LATEST = VERSIONS[-1]

#: Human titles of the kinds (as in the schemas' ``title``).
TITLES: dict[str, str] = {
    "system_context": "System Context",
    "raw_data": "Raw Data",
    "data_pipeline": "Data Pipeline",
    "training_data": "Training Data",
    "trained_model": "Trained Model",
    "development_environment": "Development Environment",
    "production_environment": "Production Environment",
    "production_data": "Production Data",
}

#: The ``version`` a derived schema is known by when it does not state one.
DERIVED_VERSION = "derived"

ATTRIBUTE_COLUMNS = ["descriptor", "version", "path", "type", "required", "enum", "description"]


def check_kind(kind: str, where: Location | None = None) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown descriptor kind '{kind}'", where, expected="one of " + ", ".join(KINDS))
    return kind


def check_version(version: str, where: Location | None = None) -> str:
    if version not in VERSIONS:
        raise InputError(f"unknown descriptor version '{version}'", where,
                         expected="one of " + ", ".join(VERSIONS))
    return version


def source_id(kind: str, version: str) -> str:
    """The sources-registry id of a published schema, e.g. ``sei-1.2-trained_model``."""
    return f"sei-{check_version(version)}-{check_kind(kind)}"


# --------------------------------------------------------------------------------------------
# Reading and checking schema files
# --------------------------------------------------------------------------------------------

def json_path(parts: Iterable[Any]) -> str:
    """``["a", 0, "b"]`` -> ``$.a[0].b`` (the notation of every message about a document)."""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and p.isidentifier():
            out += f".{p}"
        else:
            out += "[" + json.dumps(str(p)) + "]"
    return out


def read_schema_file(path: str | Path, *, check: bool = True) -> dict:
    """Read a schema file; invalid JSON or (with ``check``) an invalid draft-07 schema -> :class:`InputError`.

    The pinned published schemas are read with ``check=False``: their bytes are fixed by SHA-256 in
    ``data/sources.toml`` and a test checks them against the metaschema once, so ``mlmismatch check``
    does not redo it at every start."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("schema file not found", Location(file=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read schema file ({exc})", Location(file=path)) from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", Location(file=path, line=exc.lineno, col=exc.colno)) from None
    if check:
        check_schema(schema, file=path)
    elif not isinstance(schema, dict):
        raise InputError(f"a schema must be a JSON object, not {type(schema).__name__}", Location(file=path, path="$"))
    return schema


@lru_cache(maxsize=1)
def _meta_validator():
    """The draft-07 metaschema validator, compiled once.

    Without a format checker: ``Draft7Validator.check_schema`` would also check the metaschema's
    ``format`` keywords (``uri-reference``, ``regex``), and the IRI checker of jsonschema's
    ``format-nongpl`` extra builds a parser grammar on every call (about 0.15 s each).
    """
    from jsonschema import Draft7Validator

    return Draft7Validator(Draft7Validator.META_SCHEMA)


def check_schema(schema: Any, file: str | Path | None = None) -> dict:
    """Check that ``schema`` is a valid JSON Schema (draft-07); return it."""
    from jsonschema.exceptions import best_match

    if not isinstance(schema, dict):
        raise InputError(f"a schema must be a JSON object, not {type(schema).__name__}",
                         Location(file=file, path="$"))
    error = best_match(_meta_validator().iter_errors(schema))
    if error is not None:
        raise InputError(f"not a valid JSON Schema (draft-07): {error.message}",
                         Location(file=file, path=json_path(error.absolute_path))) from None
    return schema


def _published(kind: str, version: str, store: Store | None) -> tuple[dict, Path]:
    """The published schema (shared by the store's validators: never mutate it) and its path."""
    store = as_store(store)

    def read() -> tuple[dict, Path]:
        resolved = store.resolve(source_id(check_kind(kind), check_version(version)))
        # the pinned bytes are trusted (a test checks them against the metaschema once); a local copy
        # that differs from the pin (announced by the store) is checked here
        return read_schema_file(resolved.path, check=not resolved.matches_pin), resolved.path

    return store.memo(("schema", kind, version), read)


def load_schema(kind: str, version: str = LATEST, *, store: Store | None = None) -> dict:
    """The published schema of ``kind`` at ``version``: a fresh copy, yours to change.

    ``store`` finds the file (default: a new :class:`~mlmismatch.sources.Store`: the data
    directory, the cache or a download).
    """
    import copy

    return copy.deepcopy(schema_readonly(kind, version, store=store))


def schema_readonly(kind: str, version: str = LATEST, *, store: Store | None = None) -> dict:
    """The store's schema dict itself (shared by the store's validators: never mutate it)."""
    return _published(kind, version, store)[0]


def schema_file(kind: str, version: str = LATEST, *, store: Store | None = None) -> Path:
    """Where the published schema of ``kind`` at ``version`` was found."""
    return _published(kind, version, store)[1]


def derived_dir(directory: str | Path | None = None) -> Path:
    """The folder of the derived schemas: ``directory``, else the packaged ones."""
    return Path(directory) if directory is not None else resources.root("derived")


def derived_path(kind: str, directory: str | Path | None = None) -> Path:
    return derived_dir(directory) / f"{check_kind(kind)}_schema.json"


def _file_key(path: Path) -> tuple:
    try:
        return (str(path.resolve()), path.stat().st_mtime_ns)
    except OSError:
        return (str(path), -1)


def load_derived(kind: str, directory: str | Path | None = None, *, store: Store | None = None) -> dict:
    """The derived schema of ``kind`` (the packaged one by default). With a ``store`` it is read once
    per file and modification time and shared (do not mutate it); without one, read afresh."""
    path = derived_path(kind, directory)
    if store is None:
        return read_schema_file(path)
    return store.memo(("derived", *_file_key(path)), lambda: read_schema_file(path))


def schema_version(schema: Mapping) -> str | None:
    """The ``version`` a schema's documents carry (its ``properties.version`` const/enum), if any."""
    spec = (schema.get("properties") or {}).get("version") or {}
    if "const" in spec:
        return str(spec["const"])
    enum = spec.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return str(enum[0])
    return None


# --------------------------------------------------------------------------------------------
# Validators
# --------------------------------------------------------------------------------------------

def compile_schema(schema: Mapping, file: str | Path | None = None, *, check: bool = True) -> "Validator":
    """A draft-07 validator with format checking for a schema dict (published or derived)."""
    from jsonschema import Draft7Validator

    if check:
        check_schema(schema, file=file)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def validator(kind: str, version: str = LATEST, *, store: Store | None = None) -> "Validator":
    """The validator of a published schema (format checking on), compiled once per store."""
    store = as_store(store)
    schema, path = _published(kind, version, store)
    return store.memo(("validator", kind, version), lambda: compile_schema(schema, file=path, check=False))


def derived_validator(kind: str, directory: str | Path | None = None, *, store: Store | None = None) -> "Validator":
    """The validator of a derived schema file (recompiled when the file changes)."""
    store = as_store(store)
    path = derived_path(kind, directory)
    return store.memo(("derived-validator", *_file_key(path)),
                      lambda: compile_schema(load_derived(kind, directory, store=store), file=path))


def _formats_used(schema: Any, out: set[str]) -> set[str]:
    if isinstance(schema, dict):
        if isinstance(schema.get("format"), str):
            out.add(schema["format"])
        for v in schema.values():
            _formats_used(v, out)
    elif isinstance(schema, list):
        for v in schema:
            _formats_used(v, out)
    return out


# The formats the descriptor schemas use, checked exactly as jsonschema's FORMAT_CHECKER checks them
# (same libraries, same rules) but without importing jsonschema, whose import costs ~0.1 s.
def _is_date(value: Any) -> bool:
    import datetime
    import re

    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII)) and _parses(datetime.date.fromisoformat, value)


def _parses(fn, value) -> bool:
    try:
        fn(value)
    except ValueError:
        return False
    return True


# A subset of RFC 3986 URIs that are certainly valid (http(s), a registered host name, an optional
# port, then path, query and fragment characters without percent signs): most descriptor URIs. The
# rest goes to rfc3986-validator, as in jsonschema; its import compiles a large grammar (~20 ms).
_PCHAR = r"A-Za-z0-9\-._~!$&'()*+,;=:@"


@lru_cache(maxsize=1)
def _simple_uri():
    """The compiled pattern of certainly valid URIs (a pure function: cached)."""
    import re

    return re.compile(rf"https?://[A-Za-z0-9\-._~]+(?::[0-9]*)?(?:/[{_PCHAR}/]*)?(?:\?[{_PCHAR}/?]*)?(?:#[{_PCHAR}/?]*)?",
                      re.ASCII)


def _is_uri(value: Any) -> bool:
    if not isinstance(value, str) or _simple_uri().fullmatch(value):
        return True
    from rfc3986_validator import validate_rfc3986

    return bool(validate_rfc3986(value, rule="URI"))


def _is_datetime(value: Any) -> bool:
    from rfc3339_validator import validate_rfc3339

    return not isinstance(value, str) or bool(validate_rfc3339(value.upper()))


_FORMATS = {"date": _is_date, "uri": _is_uri, "date-time": _is_datetime}


def fast_check(schema: Mapping) -> "Any":
    """A compiled yes/no check of a schema with format checking, or None.

    jsonschema-rs (``jsonschema_rs``, compiled Rust: about 1 ms to compile a descriptor schema and
    10 µs per document) with the formats of :data:`_FORMATS`, else fastjsonschema with jsonschema's
    format checkers, else None. Used as a fast path: a document it accepts has no errors; one it
    rejects is validated again with jsonschema to list every error (the listing is jsonschema's).
    A schema using a format outside :data:`_FORMATS` gets no fast check (jsonschema alone), so no
    format error can slip past it; a value jsonschema-rs cannot take (YAML's bytes or non-string
    keys) is left to jsonschema too.
    """
    used = _formats_used(schema, set())
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - optional speed-up
        jsonschema_rs = None
    if jsonschema_rs is not None:
        if not used <= set(_FORMATS):
            return None
        try:
            v = jsonschema_rs.Draft7Validator(dict(schema), validate_formats=True, ignore_unknown_formats=False,
                                              formats={k: f for k, f in _FORMATS.items() if k in used})
        except Exception:  # pragma: no cover - a schema jsonschema-rs cannot compile: jsonschema alone
            return None
        is_valid = v.is_valid

        def ok(document: Any) -> bool:
            try:
                return is_valid(document)
            except Exception:  # noqa: BLE001 - not a JSON value (bytes, a set, an integer key): let jsonschema list it
                return False
        return ok
    return _fastjsonschema_check(schema, used)


def _fastjsonschema_check(schema: Mapping, used: set) -> "Any":  # pragma: no cover - without jsonschema-rs
    try:
        import fastjsonschema
        from jsonschema import Draft7Validator
    except ImportError:
        return None
    checker = Draft7Validator.FORMAT_CHECKER

    def direct(name: str):
        func, raises = checker.checkers[name]

        def conforms(value: Any) -> bool:
            try:
                return bool(func(value))
            except raises:
                return False
        return conforms

    formats = {name: direct(name) for name in used if name in checker.checkers}
    try:
        check = fastjsonschema.compile(dict(schema), formats=formats)
    except Exception:
        return None

    def ok(document: Any) -> bool:
        try:
            check(document)
        except Exception:  # JsonSchemaException, or anything else: let jsonschema decide
            return False
        return True

    return ok


_SIMPLE_TOP = {"$schema", "$id", "title", "description", "type", "properties", "required"}


class ErrorLister:
    """Every validation error of a document, fast.

    A compiled yes/no check (fastjsonschema) accepts valid documents at once. For a rejected
    document of a simple schema (an object of properties, no ``$ref``, as all SEI schemas are),
    only the top level (type, required) and the properties whose own compiled check fails are
    validated again with jsonschema; otherwise the whole document is. Errors are
    ``(path parts, keyword, message)``, sorted by JSON path.
    """

    def __init__(self, schema: Mapping, *, checked: bool = False):
        self.schema = schema
        self.ok = fast_check(schema)
        self.checked = checked  # True: the schema is known valid (pinned); skip the metaschema check
        self._full = None
        self._shell = None
        self.simple = set(schema) <= _SIMPLE_TOP and "$ref" not in json.dumps(schema)
        self._props: dict[str, tuple] = {}

    # jsonschema's validators are built only when a document fails the fast check (lazily: most
    # documents are valid, and importing jsonschema alone costs about 0.1 s)
    @property
    def full(self):
        if self._full is None:
            self._full = compile_schema(self.schema, check=not self.checked)
        return self._full

    @property
    def shell(self):
        if self._shell is None:
            from jsonschema import Draft7Validator

            shell = {k: v for k, v in self.schema.items() if k != "properties"}
            shell["properties"] = {k: {} for k in self.schema.get("properties") or {}}
            self._shell = Draft7Validator(shell, format_checker=Draft7Validator.FORMAT_CHECKER)
        return self._shell

    def _prop(self, name: str):
        hit = self._props.get(name)
        if hit is None:
            from jsonschema import Draft7Validator

            sub = self.schema["properties"][name]
            hit = (fast_check(sub), Draft7Validator(sub, format_checker=Draft7Validator.FORMAT_CHECKER))
            self._props[name] = hit
        return hit

    def errors(self, document: Any) -> list[tuple[tuple, str, str]]:
        if self.ok is not None and self.ok(document):
            return []
        if not self.simple or not isinstance(document, dict):
            found = [(tuple(e.absolute_path), str(e.validator), e.message) for e in self.full.iter_errors(document)]
        else:
            found = [(tuple(e.absolute_path), str(e.validator), e.message) for e in self.shell.iter_errors(document)]
            props = self.schema.get("properties") or {}
            for name, value in document.items():
                if name not in props or not isinstance(props[name], dict):
                    continue
                fast, full = self._prop(name)
                if fast is not None and fast(value):
                    continue
                found += [((name, *e.absolute_path), str(e.validator), e.message) for e in full.iter_errors(value)]
        return sorted(found, key=lambda t: (json_path(t[0]), t[2]))


def error_lister(kind: str, version: str | None = LATEST, derived_dir: str | Path | None = None,
                 *, store: Store | None = None) -> ErrorLister:
    """The :class:`ErrorLister` of a published (or, with ``version=None``, derived) schema, built once per store."""
    store = as_store(store)
    if version is None:
        path = derived_path(kind, derived_dir)
        return store.memo(("derived-lister", *_file_key(path)),
                          lambda: ErrorLister(load_derived(kind, derived_dir, store=store)))
    schema, _ = _published(kind, version, store)
    return store.memo(("lister", kind, version), lambda: ErrorLister(schema, checked=True))


def validate(document: Any, kind: str, version: str = LATEST, *, store: Store | None = None) -> list[tuple[str, str]]:
    """Every validation error of ``document`` as ``(json_path, message)``, sorted by path."""
    v = validator(kind, version, store=store)
    return [(json_path(e.absolute_path), e.message) for e in iter_errors(v, document)]


def iter_errors(v: "Validator", document: Any) -> list:
    """All errors of a document (not just the first), in a stable order."""
    return sorted(v.iter_errors(document), key=lambda e: (json_path(e.absolute_path), e.message))


# --------------------------------------------------------------------------------------------
# Attributes
# --------------------------------------------------------------------------------------------

def _type_of(spec: Mapping) -> str:
    if not spec:
        return "undefined"
    t = spec.get("type")
    if isinstance(t, list):
        return "|".join(map(str, t))
    if t:
        if t == "array":
            items = spec.get("items")
            if isinstance(items, Mapping) and items.get("type"):
                it = items["type"]
                return f"array[{'|'.join(it) if isinstance(it, list) else it}]"
        return str(t)
    if "const" in spec:
        return type(spec["const"]).__name__.replace("str", "string")
    if "enum" in spec:
        return "enum"
    for key in ("oneOf", "anyOf", "allOf"):
        if key in spec:
            return key
    return "any"


def _enum_of(spec: Mapping) -> str:
    if "enum" in spec:
        values = spec["enum"]
    elif "const" in spec:
        values = [spec["const"]]
    else:
        items = spec.get("items")
        if isinstance(items, Mapping) and "enum" in items:
            values = items["enum"]
        else:
            return ""
    return "|".join(str(v) for v in values)


def _walk(schema: Mapping) -> Iterator[tuple[str, Mapping, bool]]:
    """(path, spec, required) of top-level properties and one level into objects/arrays of objects."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    names = list(props) + [r for r in schema.get("required") or [] if r not in props]
    for name in names:
        spec = props.get(name) or {}
        req = name in required
        yield name, spec, req
        if spec.get("type") == "array" and isinstance(spec.get("items"), Mapping):
            inner, prefix = spec["items"], f"{name}[]."
        elif spec.get("type") == "object":
            inner, prefix = spec, f"{name}."
        else:
            continue
        sub = inner.get("properties") or {}
        sub_req = set(inner.get("required") or [])
        for sname in list(sub) + [r for r in inner.get("required") or [] if r not in sub]:
            yield prefix + sname, sub.get(sname) or {}, req and sname in sub_req


def schema_attributes(schema: Mapping, descriptor: str, version: str | None = None) -> "pd.DataFrame":
    """The attributes of one schema dict (published or derived) as a tidy table.

    Paths: top-level properties (``model_name``), one level into arrays of objects
    (``model_components[].learning_algorithm``) and into objects (``computing_resources.gpu``).
    ``required`` is true when the attribute and every parent are required; a name listed as
    required without a definition (Trained Model 1.2 ``error_handling``) has type ``undefined``.
    """
    import pandas as pd

    version = version or schema_version(schema) or DERIVED_VERSION
    rows = [
        {
            "descriptor": descriptor,
            "version": version,
            "path": path,
            "type": _type_of(spec),
            "required": bool(req),
            "enum": _enum_of(spec),
            "description": " ".join(str(spec.get("description", "")).split()),
        }
        for path, spec, req in _walk(schema)
    ]
    return pd.DataFrame(rows, columns=ATTRIBUTE_COLUMNS).astype({"required": bool})


def attributes(versions: Iterable[str] = VERSIONS, kinds: Iterable[str] = KINDS, *,
               store: Store | None = None) -> "pd.DataFrame":
    """Attributes of the published schemas: ``descriptor, version, path, type, required, enum, description``."""
    import pandas as pd

    store = as_store(store)
    frames = [schema_attributes(schema_readonly(k, v, store=store), k, v)
              for v in (check_version(x) for x in versions) for k in kinds]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ATTRIBUTE_COLUMNS)


def derived_attributes(directory: str | Path | None = None, kinds: Iterable[str] = KINDS) -> "pd.DataFrame":
    """Attributes of the derived schemas present in ``directory`` (missing kinds are skipped)."""
    import pandas as pd

    frames = [schema_attributes(load_derived(k, directory), k) for k in kinds
              if derived_path(k, directory).is_file()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ATTRIBUTE_COLUMNS)
