"""Reading one system's descriptor documents, safely.

A directory holds one document per descriptor kind (``<kind>.json``, ``<kind>.yaml`` or
``<name>.<kind>.yml``), each carrying its ``version`` (1.0, 1.1, 1.2, or the version of a derived
schema). :func:`load_system` reads them all and migrates older versions to 1.2 in memory.

Bad input (one-line :class:`~mlmismatch.core.errors.InputError`, exit 2): malformed JSON/YAML (line
and column), unknown kind or version, two documents of one kind, no documents, a document above
:data:`MAX_FILE_BYTES` or nested deeper than :data:`MAX_DEPTH` or with more than :data:`MAX_NODES`
values (a YAML alias counts as often as it is used, so an alias bomb is refused unexpanded), a
symbolic link leading out of the directory or in a loop, anything but a regular file (a FIFO never
blocks), a duplicate key (with its line and column, JSON and YAML), an integer beyond
:data:`MAX_INT` or a number that is not finite (``NaN``, ``Infinity``, ``1e999``). YAML is read with
a safe loader that keeps dates as strings.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlmismatch.core.errors import InputError, Location
from mlmismatch.descriptors.schemas import KINDS, VERSIONS, derived_path, load_derived, schema_version

__all__ = ["Document", "load_system", "read_document", "make_document", "kind_from_filename",
           "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_FILES", "DOCUMENT_SUFFIXES"]

#: Limits on input documents (bad input beyond them).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Integers are at most this large in magnitude (a signed 64-bit integer); floats must be finite.
MAX_INT = 2**63 - 1
MAX_INT_DIGITS = len(str(MAX_INT))
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_FILES = 64
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")


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


@lru_cache(maxsize=1)
def _yaml_loader():
    """The safe YAML loader class (built once: a pure function of the installed PyYAML)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same rules, faster

    class Loader(base):  # type: ignore[valid-type,misc]
        """Safe loader that keeps timestamps as strings (a date is a string in the schemas), refuses
        duplicate keys (with their line) and numbers outside :data:`MAX_INT` or not finite."""

        def construct_mapping(self, node, deep=False):
            seen: dict = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the base constructor reports it
                    continue
                if first is not key_node:
                    raise _Duplicate(str(key), key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                     first.start_mark.line + 1)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node):
            text = str(node.value).replace("_", "").lstrip("+-")
            if len(text) > MAX_INT_DIGITS + 2:  # beyond any 0x/0o prefix: refuse before int() works on it
                raise _BadNumber(f"integer with {len(text)} digits", node.start_mark)
            value = super().construct_yaml_int(node)
            if abs(value) > MAX_INT:
                raise _BadNumber(f"integer {_short(node.value)} out of range", node.start_mark)
            return value

        def construct_yaml_float(self, node):
            value = super().construct_yaml_float(node)
            if not math.isfinite(value):
                raise _BadNumber(f"number {_short(node.value)} is not finite", node.start_mark)
            return value

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


class _Duplicate(Exception):
    def __init__(self, key: str, line: int | None, col: int | None, first: int | None = None):
        super().__init__(key)
        self.key, self.line, self.col, self.first = key, line, col, first


class _BadNumber(Exception):
    def __init__(self, problem: str, mark=None):
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1 if mark is not None else None
        self.col = mark.column + 1 if mark is not None else None


def _short(text: Any, n: int = 24) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n] + "…"


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(f"integer with {len(text.lstrip('-'))} digits")
    value = int(text)
    if abs(value) > MAX_INT:
        raise _BadNumber(f"integer {_short(text)} out of range")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"number {_short(text)} is not finite")
    return value


def _json_constant(text: str) -> float:
    raise _BadNumber(f"{text} is not a JSON number")


class _Pairs(dict):
    """An object built by :func:`_json_pairs`: remembers a duplicate key."""


def _json_pairs(pairs: list, found: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        found.append(True)
        seen: set = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        marked = _Pairs(out)
        marked.duplicate = dup
        return marked
    return out


def _find_duplicate(data: Any) -> tuple | None:
    """JSON path parts of the first object holding a duplicate key (breadth first), with the key."""
    level: list = [((), data)]
    while level:
        nxt = []
        for parts, o in level:
            if isinstance(o, _Pairs):
                return parts, o.duplicate
            items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else ()
            nxt += [(parts + (k,), v) for k, v in items if isinstance(v, (dict, list))]
        level = nxt
    return None


def _duplicate_line(text: str, parts: tuple, key: str) -> tuple[int | None, int | None]:
    """Line and column of the second occurrence of ``key`` in the object at ``parts`` (JSON)."""
    try:
        from json_source_map import calculate

        entry = calculate(text).get("/" + "/".join(str(p).replace("~", "~0").replace("/", "~1")
                                                  for p in (*parts, key)))
    except Exception:  # noqa: BLE001 - no position then: the file and path still say where
        return None, None
    at = entry and (entry.key_start or entry.value_start)
    return (at.line + 1, at.column + 1) if at else (None, None)


def _check_shape(data: Any, file: str | Path, shared: bool = False) -> None:
    """Reject documents nested deeper than MAX_DEPTH or with more than MAX_NODES values.

    Walks level by level and counts values as a reader sees them: a YAML alias counts once per use,
    so an alias bomb (aliases of aliases, a billion values in a few lines) is refused after at most
    MAX_NODES values, without ever being expanded (``shared`` is kept for compatibility)."""
    level = [data]
    depth = 1
    nodes = 0
    while level:
        if depth > MAX_DEPTH:
            raise InputError(f"document nested deeper than {MAX_DEPTH} levels", Location(file=file),
                             expected=f"at most {MAX_DEPTH} levels of nesting")
        nodes += sum(len(o) for o in level)
        if nodes > MAX_NODES:
            raise InputError(f"document has more than {MAX_NODES:,} values" + (" (YAML aliases counted as often as used)" if shared else ""),
                             Location(file=file), expected=f"at most {MAX_NODES:,} values per descriptor document")
        level = [v for o in level for v in (o.values() if o.__class__ is dict else o)
                 if v.__class__ is dict or v.__class__ is list]
        depth += 1


def read_document(path: str | Path, display: str | None = None) -> Any:
    """Parse one JSON or YAML file safely (size limit, line/column on syntax errors)."""
    from mlmismatch.core.inputs import open_regular

    if not isinstance(path, Path):
        path = Path(path)
    where = display or path.name
    # regular files only (a FIFO never blocks, a directory is refused), opened once
    with open_regular(path, "a descriptor document (JSON or YAML file)", where=Location(file=where)) as fh:
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
            found: list = []
            data = json.loads(text, object_pairs_hook=lambda pairs: _json_pairs(pairs, found), parse_int=_json_int,
                              parse_float=_json_float, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}", Location(file=where, line=exc.lineno, col=exc.colno)) from None
        except _BadNumber as exc:
            raise InputError(exc.problem, Location(file=where), expected=f"integers of at most {MAX_INT_DIGITS} digits "
                             "and finite numbers") from None
        except RecursionError:
            raise InputError(f"document nested deeper than {MAX_DEPTH} levels", Location(file=where)) from None
        dup = _find_duplicate(data) if found else None
        if dup is not None:
            from mlmismatch.descriptors.schemas import json_path

            line, col = _duplicate_line(text, *dup)
            raise InputError(f"duplicate key '{_short(dup[1], 60)}'", Location(file=where, path=json_path(dup[0]),
                             line=line, col=col), expected="each key once per object")
    else:
        import yaml

        try:
            docs = list(yaml.load_all(text, Loader=_yaml_loader()))  # noqa: S506 (safe loader subclass)
        except _Duplicate as exc:
            raise InputError(f"duplicate key '{_short(exc.key, 60)}' (first on line {exc.first})",
                             Location(file=where, line=exc.line, col=exc.col), expected="each key once per mapping") from None
        except _BadNumber as exc:
            raise InputError(exc.problem, Location(file=where, line=exc.line, col=exc.col),
                             expected=f"integers of at most {MAX_INT_DIGITS} digits and finite numbers") from None
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


def _derived_version(kind: str, derived_dir: Path | None, store=None) -> str | None:
    path = derived_path(kind, derived_dir)
    if not path.is_file():
        return None
    return schema_version(load_derived(kind, derived_dir, store=store))


def make_document(kind: str, data: Any, file: str | Path, derived_dir: str | Path | None = None, *,
                  store=None) -> Document:
    """Check kind/version of one parsed document and migrate it to 1.2 (in memory)."""
    from mlmismatch.descriptors.migrate import migrate

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
        dv = _derived_version(kind, Path(derived_dir) if derived_dir else None, store)
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
            # item types as written: the comparison's other side (Development Environment) is never mapped
            doc.migrated = migrate(kind, data, to=VERSIONS[-1], keep_item_types=True)
        except Exception:  # an invalid document may not migrate; validation reports it
            doc.migrated = data
    return doc


def load_system(directory: str | Path, derived_dir: str | Path | None = None, *, store=None) -> list[Document]:
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
        if e.is_symlink():
            try:
                target = p.resolve(strict=True)
            except (RuntimeError, OSError):  # a loop, or a link to nothing
                raise InputError("symbolic link loop or dangling link, not a regular file", Location(file=e.name),
                                 expected="a descriptor document (JSON or YAML file)") from None
            if not target.is_relative_to(real_root):  # entries are children of root
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
        docs[kind] = make_document(kind, data, p, derived_dir, store=store)
    return [docs[k] for k in KINDS if k in docs]
