"""Sources registry: pinned, hashed external files and where to find them.

Every external file (the study's workbooks, the SEI descriptor schemas) is declared in
``data/sources.toml`` with its repository, commit, path, SHA-256 and licence. :func:`resolve`
finds a file in this order, like scikit-learn's ``datasets`` with ``data_home``:

1. ``MLMISMATCH_DATA_DIR`` (or the ``data_dir`` argument): a local copy laid out like the
   ``local`` paths (the same layout as the project's ``../shared``);
2. the user cache (``MLMISMATCH_CACHE``, the ``data_home`` argument, or the OS cache folder);
3. a download with pooch into the cache, verifying the pinned SHA-256.

A local copy whose SHA-256 differs from the pinned one (the redacted survey in ``../shared``
does) is used with a one-line notice, or refused when ``strict`` is true. Every resolved file is
recorded in :data:`RESOLVED` so that generated artifacts can state the SHA-256 of their inputs.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import DataNotFoundError, InputError, IntegrityError, Location

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = PROJECT_ROOT / "data"
REGISTRY_PATH = DATA_ROOT / "sources.toml"

ENV_DATA_DIR = "MLMISMATCH_DATA_DIR"
ENV_CACHE = "MLMISMATCH_CACHE"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    repository: str
    commit: str
    path: str
    local: str
    sha256: str
    licence: str
    url: str
    variants: tuple[tuple[str, str], ...] = ()  # (sha256, note)
    extra: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ResolvedFile:
    source: Source
    path: Path
    sha256: str
    origin: str  # "data_dir", "cache", "download", "explicit"
    notice: str | None = None

    @property
    def matches_pin(self) -> bool:
        return self.sha256 == self.source.sha256


#: Every file resolved in this process, by source id (provenance for generated artifacts).
RESOLVED: dict[str, ResolvedFile] = {}
#: One-line notices raised while resolving (printed by the CLI, recorded in reports).
NOTICES: list[str] = []


@lru_cache(maxsize=None)
def registry(path: Path = REGISTRY_PATH) -> dict[str, Source]:
    """Read the sources registry into ``{id: Source}``."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", Location(file=path)) from None
    repos = raw.get("repositories", {})
    out: dict[str, Source] = {}
    for sid, entry in raw.get("sources", {}).items():
        repo = repos[entry["repo"]]
        url = repo["url_pattern"].format(repository=repo["repository"], commit=repo["commit"], path=entry["path"])
        variants = tuple((v["sha256"], v.get("note", "")) for v in entry.get("variants", []))
        known = {"title", "repo", "path", "local", "sha256", "variants"}
        out[sid] = Source(
            id=sid,
            title=entry["title"],
            repository=repo["repository"],
            commit=repo["commit"],
            path=entry["path"],
            local=entry["local"],
            sha256=entry["sha256"],
            licence=repo["licence"],
            url=url,
            variants=variants,
            extra={k: v for k, v in entry.items() if k not in known},
        )
    return out


def get_source(source_id: str) -> Source:
    try:
        return registry()[source_id]
    except KeyError:
        raise InputError(f"unknown source '{source_id}'", Location(file=REGISTRY_PATH),
                         expected="one of " + ", ".join(sorted(registry()))) from None


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_dir(explicit: str | Path | None = None) -> Path | None:
    """The local data directory (argument, else ``MLMISMATCH_DATA_DIR``), or None."""
    value = explicit if explicit is not None else os.environ.get(ENV_DATA_DIR)
    return Path(value).expanduser() if value else None


def cache_dir(data_home: str | Path | None = None) -> Path:
    """The user cache: argument, else ``MLMISMATCH_CACHE``, else the OS cache folder."""
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("mlmismatch"))


def _check(source: Source, path: Path, origin: str, strict: bool) -> ResolvedFile:
    digest = sha256_file(path)
    notice = None
    if digest != source.sha256:
        variant = next((note for sha, note in source.variants if sha == digest), None)
        if strict:
            raise IntegrityError(
                f"SHA-256 {digest[:12]}… differs from the pinned {source.sha256[:12]}…"
                + (f" (a known variant: {variant})" if variant else ""),
                Location(file=path),
                expected=f"the file published at {source.repository}@{source.commit[:7]} (run without --strict to use it anyway)",
            )
        if variant:
            notice = f"notice: {path.name} is a known variant of the published file ({variant}); using it"
        else:
            notice = (f"notice: {path.name} differs from the pinned file (SHA-256 {digest[:12]}… "
                      f"instead of {source.sha256[:12]}…); using it, results may differ from the published data")
        if notice not in NOTICES:
            NOTICES.append(notice)
    resolved = ResolvedFile(source=source, path=path, sha256=digest, origin=origin, notice=notice)
    RESOLVED[source.id] = resolved
    return resolved


def where_to_get(source: Source, target: Path) -> str:
    return (f"download {source.url} (SHA-256 {source.sha256}) and save it as {target}, "
            f"or set {ENV_DATA_DIR} to a folder holding {source.local}")


def resolve(source_id: str, *, data_dir_: str | Path | None = None, data_home: str | Path | None = None,
            download: bool = True, strict: bool = False) -> ResolvedFile:
    """Find (or download) one registered file and check its SHA-256."""
    source = get_source(source_id)
    local_root = data_dir(data_dir_)
    if local_root is not None:
        path = local_root / source.local
        if not path.is_file():
            raise DataNotFoundError(
                f"missing file {source.local} under {ENV_DATA_DIR}={local_root}",
                expected=f"the file from {source.url}",
            )
        return _check(source, path, "data_dir", strict)
    cache = cache_dir(data_home)
    path = cache / source.local
    if path.is_file():
        return _check(source, path, "cache", strict)
    if not download:
        raise DataNotFoundError(f"{source.local} is not in the cache {cache}", expected=where_to_get(source, path))
    _download(source, path)
    return _check(source, path, "download", strict)


def _download(source: Source, path: Path) -> None:
    import pooch

    pooch.get_logger().setLevel("WARNING")
    try:
        pooch.retrieve(source.url, known_hash=f"sha256:{source.sha256}", fname=path.name,
                       path=path.parent, progressbar=False)
    except ValueError as exc:  # hash mismatch reported by pooch
        raise IntegrityError(f"downloaded file failed its SHA-256 check ({exc})", Location(file=path.name)) from None
    except Exception as exc:  # network errors: requests/urllib raise many types
        raise DataNotFoundError(
            f"could not download {source.local} ({type(exc).__name__})",
            expected=where_to_get(source, path),
        ) from None


def resolve_path(source_id: str, **kwargs) -> Path:
    """Like :func:`resolve` but return only the path."""
    return resolve(source_id, **kwargs).path


def provenance() -> list[dict]:
    """The inputs resolved so far: id, file name, SHA-256, whether it matches the pin."""
    return [
        {"source": r.source.id, "file": r.source.local, "sha256": r.sha256, "pinned_sha256": r.source.sha256,
         "matches_pin": r.matches_pin}
        for r in sorted(RESOLVED.values(), key=lambda r: r.source.id)
    ]
