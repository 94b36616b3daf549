"""The ``reproduce`` cache: step outputs stored by content, and the run stamp (standard library and the lightweight mlmismatch.sources only).

- A step's **key** is the SHA-256 of what its bytes depend on: the SHA-256 of each input file it
  declares (sources of ``data/sources.toml``, packaged data files), the keys of the steps it needs,
  the source of every module of this package it imports (found by reading the imports, inside
  functions too, transitively: not the whole package), the versions of the libraries that shape its
  bytes, the toolkit's version and Python's minor version. :class:`StepCache` keeps each step's
  outputs (and the result it hands to later steps, pickled) under that key.
- The **run stamp** records size and modification time of every file a run depended on (code, data,
  inputs, outputs) and the installed libraries' ``*.dist-info`` names. When none of them changed, a
  rerun is a handful of ``stat`` calls: :func:`stamp_fresh` is called before pandas is imported.

The cache folder is ``<cache>/reproduce/`` where ``<cache>`` is the Store's ``data_home``, else
``MLMISMATCH_CACHE``, else the OS user cache folder (platformdirs, as pooch uses it).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterable
from mlmismatch.sources import sha256_file

PACKAGE = "mlmismatch"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
ENV_CACHE = "MLMISMATCH_CACHE"
#: Bump when the layout of a cache entry changes.
CACHE_FORMAT = 1


def cache_root(data_home: str | Path | None = None) -> Path:
    """``<cache>/reproduce``: ``data_home``, else ``MLMISMATCH_CACHE``, else the OS user cache folder."""
    if data_home is None:
        data_home = os.environ.get(ENV_CACHE) or None
    if data_home is None:
        import platformdirs

        data_home = platformdirs.user_cache_dir(PACKAGE)  # what pooch.os_cache("mlmismatch") returns
    return Path(data_home).expanduser() / "reproduce"


def sha256_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- the code a step uses ------------------------------------------------------------------

def module_file(name: str) -> Path | None:
    """The source file of ``mlmismatch.x.y`` (a module or a package's ``__init__.py``), or None."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    parts = name.split(".")[1:]
    base = PACKAGE_ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> tuple[str, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)  # ``from pkg import module``
    return tuple(sorted(m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")))


def _module_name(path: Path) -> str:
    rel = path.resolve().relative_to(PACKAGE_ROOT).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def closure(modules: Iterable[str], memo: dict | None = None) -> dict[str, Path]:
    """Every module of this package that ``modules`` import, transitively (with their packages).

    ``memo`` (a dict the caller keeps for one run) saves parsing a file twice."""
    memo = {} if memo is None else memo
    todo = list(modules)
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = module_file(name)
        if path is None:
            continue
        seen[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)  # importing a.b.c runs a/__init__.py and a/b/__init__.py
        if path not in memo:
            memo[path] = _imports(path)
        todo.extend(memo[path])
    return dict(sorted(seen.items()))


# --- packaged data -------------------------------------------------------------------------

def data_files(spec: str) -> list[Path]:
    """The files of a packaged data spec: ``data/mapping`` (a folder) or ``published/claims.csv``."""
    from mlmismatch.core import resources

    name, _, rest = spec.partition("/")
    path = resources.path(name, *([p for p in rest.split("/") if p]))
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def data_digest(spec: str) -> str:
    files = data_files(spec)
    if not files:
        return "missing"
    root = files[0].parent if len(files) == 1 else Path(os.path.commonpath(files))
    return sha256_json([[p.relative_to(root).as_posix(), sha256_file(p)] for p in files])


# --- libraries -----------------------------------------------------------------------------

def library_versions(names: Iterable[str]) -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in sorted(set(names)):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def dist_infos(names: Iterable[str]) -> list[str]:
    """The ``*.dist-info`` folder names (name and version) of the installed ``names`` (a listing, no import)."""
    wanted = {_normal(n) for n in names}
    found = set()
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            if item.endswith(".dist-info") and _normal(item[:-len(".dist-info")].rsplit("-", 1)[0]) in wanted:
                found.add(f"{entry}/{item}")
    return sorted(found)


# --- the store of step outputs -------------------------------------------------------------

class StepCache:
    """Step outputs by key: ``<root>/steps/<key[:2]>/<key>/`` with ``meta.json``, ``files/`` and ``result.pickle``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def entry(self, key: str) -> Path:
        return self.root / "steps" / key[:2] / key

    def get(self, key: str) -> dict | None:
        """The entry's metadata (``outputs``: relative path -> SHA-256, ``result``: bool) or None."""
        try:
            meta = json.loads((self.entry(key) / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("format") != CACHE_FORMAT:
            return None
        files = self.entry(key) / "files"
        if not all((files / rel).is_file() for rel in meta["outputs"]):
            return None
        return meta

    def file(self, key: str, rel: str) -> Path:
        return self.entry(key) / "files" / rel

    def result(self, key: str) -> object:
        import pickle

        with open(self.entry(key) / "result.pickle", "rb") as fh:
            return pickle.load(fh)

    def put(self, key: str, step: str, source_dir: Path, outputs: dict[str, str], result: object = None,
            has_result: bool = False) -> None:
        """Store copies of ``outputs`` (read from ``source_dir``) under ``key``; atomic (a folder renamed into place)."""
        import pickle

        target = self.entry(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            for rel in outputs:
                dest = tmp / "files" / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source_dir / rel, dest)
            if has_result:
                with open(tmp / "result.pickle", "wb") as fh:
                    pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            meta = {"format": CACHE_FORMAT, "step": step, "outputs": dict(sorted(outputs.items())),
                    "result": has_result}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            try:
                os.rename(tmp, target)
            except OSError:  # another run stored the same key first: the same content
                pass
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


# --- the run stamp -------------------------------------------------------------------------

def stamp_id(out: Path, only: Iterable[str] | None, data_dir: object, data_home: object, strict: bool) -> str:
    return sha256_json({"out": str(Path(out).resolve()), "only": sorted(only or []), "data_dir": str(data_dir or ""),
                        "data_home": str(data_home or ""), "strict": bool(strict), "python": sys.executable,
                        "format": CACHE_FORMAT})


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def stamp_path(root: Path, ident: str) -> Path:
    return Path(root) / "stamps" / f"{ident}.json"


def stamp_fresh(root: Path, ident: str) -> dict | None:
    """The stamp of the last run with these settings if none of its files changed since, else None."""
    try:
        stamp = json.loads(stamp_path(root, ident).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for path, st in stamp.get("files", {}).items():
        if _stat(path) != st:
            return None
    if dist_infos(stamp.get("libraries", [])) != stamp.get("dist_infos"):
        return None
    return stamp


def write_stamp(root: Path, ident: str, files: Iterable[Path], libraries: Iterable[str], n_outputs: int) -> None:
    libraries = sorted(set(libraries))
    stamp = {"files": {str(p): _stat(str(p)) for p in sorted(set(map(str, files)))}, "libraries": libraries,
             "dist_infos": dist_infos(libraries), "n_outputs": n_outputs}
    path = stamp_path(root, ident)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(stamp, fh)
    os.replace(tmp, path)


def drop_stamp(root: Path, ident: str) -> None:
    try:
        stamp_path(root, ident).unlink()
    except OSError:
        pass
