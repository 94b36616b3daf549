"""Reading one system's descriptor documents, safely.

A directory holds one document per descriptor kind (``<kind>.json``, ``<kind>.yaml`` or
``<name>.<kind>.yml``), each carrying its ``version`` (1.0, 1.1, 1.2, or the version of a derived
schema). :func:`load_system` reads them all and migrates older versions to 1.2 in memory.

Bad input (one-line :class:`~mlmismatch.core.errors.InputError`, exit 2): malformed JSON/YAML (line
and column), unknown kind or version, two documents of one kind, no documents, a document above
:data:`MAX_FILE_BYTES` or nested deeper than :data:`MAX_DEPTH` or with more than :data:`MAX_NODES`
values, a symbolic link leading out of the directory. YAML is read with a safe loader that keeps
dates as strings.
"""

from __future__ import annotations

import json
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
        """Safe loader that keeps timestamps as strings (a date is a string in the schemas)."""

    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


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
        docs[kind] = make_document(kind, data, p, derived_dir, store=store)
    return [docs[k] for k in KINDS if k in docs]
