"""Sources: the pinned external files the toolkit reads, and the :class:`Store` that finds them.

Every external file (the study's workbooks, the SEI descriptor schemas, the paper) is declared in
the packaged registry ``data/sources.toml`` with its repository, commit, path, SHA-256 and licence.
A :class:`Store` finds a file in this order, like scikit-learn's ``datasets`` with ``data_home``:

1. its ``data_dir`` (else ``MLMISMATCH_DATA_DIR``): a local copy laid out like the ``local`` paths
   (the layout of the project's ``../shared``); a file missing there is an error;
2. the user cache: ``data_home``, else ``MLMISMATCH_CACHE``, else the OS cache folder;
3. a download with pooch into the cache, verifying the pinned SHA-256.

A local copy whose SHA-256 differs from the pinned one (the redacted survey in ``../shared`` does)
is used with a one-line notice, logged on the ``mlmismatch`` logger (so a notebook shows it too)
and kept in :attr:`Store.notices`, or refused when ``strict``. The store records every file it
resolved (:meth:`Store.provenance`), so generated artifacts can state the SHA-256 of their inputs.

All state lives in the store: there is no module-level cache or registry of resolved files.

>>> store = Store(data_dir="/nonexistent")
>>> store.source("coding").local
'replication-package/Mismatch-Open-Coding-Final.xlsx'
>>> store.resolve("coding")
Traceback (most recent call last):
...
mlmismatch.core.errors.DataNotFoundError: missing file replication-package/Mismatch-Open-Coding-Final.xlsx under MLMISMATCH_DATA_DIR=/nonexistent; expected the file from https://raw.githubusercontent.com/GALewis/ML-Mismatch/22471c2d97058784d3b38b12ac5a0961fe997b89/replication-package/Mismatch-Open-Coding-Final.xlsx
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mlmismatch.core import resources
from mlmismatch.core.errors import DataNotFoundError, InputError, IntegrityError, Location

__all__ = ["Source", "ResolvedFile", "Store", "registry", "sha256_file", "ENV_DATA_DIR", "ENV_CACHE"]

ENV_DATA_DIR = "MLMISMATCH_DATA_DIR"
ENV_CACHE = "MLMISMATCH_CACHE"
REGISTRY_FILE = "sources.toml"

log = logging.getLogger("mlmismatch")


@dataclass(frozen=True)
class Source:
    """One registered external file."""

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
    extra: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        """An extra field of the registry entry (e.g. ``descriptor``, ``version``)."""
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class ResolvedFile:
    """A source found on disk, with the SHA-256 of the bytes found."""

    source: Source
    path: Path
    sha256: str
    origin: str  # "data_dir", "cache", "download"
    notice: str | None = None

    @property
    def matches_pin(self) -> bool:
        return self.sha256 == self.source.sha256


def registry(path: str | Path | None = None) -> dict[str, Source]:
    """The sources registry as a fresh ``{id: Source}`` (default: the packaged ``data/sources.toml``)."""
    path = Path(path) if path is not None else resources.path("data", REGISTRY_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", Location(file=path)) from None
    repos = raw.get("repositories", {})
    out: dict[str, Source] = {}
    known = {"title", "repo", "path", "local", "sha256", "variants"}
    for sid, entry in raw.get("sources", {}).items():
        repo = repos[entry["repo"]]
        url = repo["url_pattern"].format(repository=repo["repository"], commit=repo["commit"], path=entry["path"])
        out[sid] = Source(
            id=sid, title=entry["title"], repository=repo["repository"], commit=repo["commit"], path=entry["path"],
            local=entry["local"], sha256=entry["sha256"], licence=repo["licence"], url=url,
            variants=tuple((v["sha256"], v.get("note", "")) for v in entry.get("variants", [])),
            extra=tuple(sorted((k, v) for k, v in entry.items() if k not in known)),
        )
    return out


def _refuse_special(path: Path, source: Source) -> None:
    """A path that exists but is not a regular file (a FIFO, a directory, a link loop): a located error."""
    if os.path.lexists(path):
        from mlmismatch.core.inputs import check_regular

        check_regular(path, f"the file from {source.url}")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Store:
    """Where the data is, how strictly it is checked, and what was read (one object, no globals).

    ``data_dir`` and ``data_home`` default to ``MLMISMATCH_DATA_DIR`` and ``MLMISMATCH_CACHE``,
    read when a file is resolved. ``strict`` refuses a local file whose SHA-256 differs from the
    pinned one; ``download=False`` never downloads. The store also memoizes what is expensive to
    build from a resolved file (a parsed workbook, a compiled schema): :meth:`memo`.
    """

    data_dir: str | Path | None = None
    data_home: str | Path | None = None
    strict: bool = False
    download: bool = True
    resolved: dict[str, ResolvedFile] = field(default_factory=dict, repr=False)
    notices: list[str] = field(default_factory=list, repr=False)
    _registry: dict[str, Source] | None = field(default=None, repr=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    # -- where ---------------------------------------------------------------------------------
    def local_root(self) -> Path | None:
        """The local data directory (``data_dir``, else ``MLMISMATCH_DATA_DIR``), or None."""
        value = self.data_dir if self.data_dir is not None else os.environ.get(ENV_DATA_DIR)
        return Path(value).expanduser() if value else None

    def cache_dir(self) -> Path:
        """The user cache: ``data_home``, else ``MLMISMATCH_CACHE``, else the OS cache folder."""
        if self.data_home is not None:
            return Path(self.data_home).expanduser()
        env = os.environ.get(ENV_CACHE)
        if env:
            return Path(env).expanduser()
        import pooch

        return Path(pooch.os_cache("mlmismatch"))

    # -- what ----------------------------------------------------------------------------------
    def registry(self) -> dict[str, Source]:
        if self._registry is None:
            self._registry = registry()
        return dict(self._registry)

    def source(self, source_id: str) -> Source:
        reg = self.registry()
        try:
            return reg[source_id]
        except KeyError:
            raise InputError(f"unknown source '{source_id}'", Location(file=REGISTRY_FILE),
                             expected="one of " + ", ".join(sorted(reg))) from None

    def where_to_get(self, source: Source, target: Path) -> str:
        return (f"download {source.url} (SHA-256 {source.sha256}) and save it as {target}, "
                f"or set {ENV_DATA_DIR} to a folder holding {source.local}")

    # -- resolving -----------------------------------------------------------------------------
    def resolve(self, source_id: str, *, download: bool | None = None) -> ResolvedFile:
        """Find (or download) one registered file and check its SHA-256."""
        source = self.source(source_id)
        local_root = self.local_root()
        if local_root is not None:
            path = local_root / source.local
            if not path.is_file():
                _refuse_special(path, source)
                raise DataNotFoundError(f"missing file {source.local} under {ENV_DATA_DIR}={local_root}",
                                        expected=f"the file from {source.url}")
            return self._check(source, path, "data_dir")
        cache = self.cache_dir()
        path = cache / source.local
        if path.is_file():
            return self._check(source, path, "cache")
        _refuse_special(path, source)
        if not (self.download if download is None else download):
            raise DataNotFoundError(f"{source.local} is not in the cache {cache}",
                                    expected=self.where_to_get(source, path))
        self._download(source, path)
        return self._check(source, path, "download")

    def path(self, source_id: str, **kwargs: Any) -> Path:
        """Like :meth:`resolve`, but only the path."""
        return self.resolve(source_id, **kwargs).path

    def locate(self, source_id: str, path: str | Path | None = None) -> tuple[Path, str | None, tuple]:
        """The file a loader reads: ``path`` if given, else the resolved source.

        Returns ``(path, sha256 or None, key)``; ``key`` (source, resolved path, modification time,
        SHA-256) identifies the file's content for :meth:`memo`.
        """
        sha = None
        if path is None:
            resolved = self.resolve(source_id)
            path, sha = resolved.path, resolved.sha256
        path = Path(path)
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            mtime = 0
        return path, sha, (source_id, str(path.resolve()), mtime, sha)

    def _check(self, source: Source, path: Path, origin: str) -> ResolvedFile:
        known = self.resolved.get(source.id)
        if known is not None and known.path == path:
            return known
        digest = sha256_file(path)
        notice = None
        if digest != source.sha256:
            variant = next((note for sha, note in source.variants if sha == digest), None)
            if self.strict:
                raise IntegrityError(
                    f"SHA-256 {digest[:12]}… differs from the pinned {source.sha256[:12]}…"
                    + (f" (a known variant: {variant})" if variant else ""),
                    Location(file=path),
                    expected=f"the file published at {source.repository}@{source.commit[:7]} "
                             "(run without --strict to use it anyway)")
            if variant:
                notice = f"notice: {path.name} is a known variant of the published file ({variant}); using it"
            else:
                notice = (f"notice: {path.name} differs from the pinned file (SHA-256 {digest[:12]}… "
                          f"instead of {source.sha256[:12]}…); using it, results may differ from the published data")
            self.notice(notice)
        resolved = ResolvedFile(source=source, path=path, sha256=digest, origin=origin, notice=notice)
        self.resolved[source.id] = resolved
        return resolved

    def notice(self, text: str) -> None:
        """Record a one-line notice (once) and log it on the ``mlmismatch`` logger."""
        if text not in self.notices:
            self.notices.append(text)
            log.warning(text)

    def _download(self, source: Source, path: Path) -> None:
        import pooch

        pooch.get_logger().setLevel("WARNING")
        try:
            pooch.retrieve(source.url, known_hash=f"sha256:{source.sha256}", fname=path.name,
                           path=path.parent, progressbar=False)
        except ValueError as exc:  # hash mismatch reported by pooch
            raise IntegrityError(f"downloaded file failed its SHA-256 check ({exc})",
                                 Location(file=path.name)) from None
        except Exception as exc:  # network errors: requests/urllib raise many types
            raise DataNotFoundError(f"could not download {source.local} ({type(exc).__name__})",
                                    expected=self.where_to_get(source, path)) from None

    # -- what was read -------------------------------------------------------------------------
    def provenance(self) -> list[dict]:
        """The inputs resolved so far: id, file name, SHA-256, whether it matches the pin."""
        return [
            {"source": r.source.id, "file": r.source.local, "sha256": r.sha256, "pinned_sha256": r.source.sha256,
             "matches_pin": r.matches_pin}
            for r in sorted(self.resolved.values(), key=lambda r: r.source.id)
        ]

    def memo(self, key: Any, build: Callable[[], Any], *, copy_result: bool = False) -> Any:
        """``build()`` once per store and key (the key should include the input's SHA-256).

        With ``copy_result`` each call returns a deep copy, so callers may mutate what they get.
        """
        if key not in self._memo:
            self._memo[key] = build()
        value = self._memo[key]
        return copy.deepcopy(value) if copy_result else value


def as_store(store: Store | None = None, **kwargs: Any) -> Store:
    """``store`` itself, or a new :class:`Store` from ``data_dir``, ``data_home``, ``strict``, ``download``."""
    if store is not None:
        if any(v is not None and v is not False for v in kwargs.values()):
            raise TypeError("give either store= or data_dir=/data_home=/strict=, not both")
        return store
    return Store(**{k: v for k, v in kwargs.items() if v is not None})
