"""The sources registry: resolution order, SHA-256 checks, notices, strict mode, offline messages."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from mlmismatch import sources
from mlmismatch.core.errors import DataNotFoundError, IntegrityError
from mlmismatch.sources import Store


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("MLMISMATCH_DATA_DIR", raising=False)
    monkeypatch.delenv("MLMISMATCH_CACHE", raising=False)


def test_registry_pins_every_source():
    reg = sources.registry()
    assert {"coding", "survey"} <= set(reg)
    assert sum(1 for s in reg.values() if s.id.startswith("sei-1.")) == 24
    for src in reg.values():
        assert len(src.sha256) == 64 and len(src.commit) == 40
        assert src.url.startswith("https://") and src.commit in src.url and src.url.endswith(src.path)
        assert src.licence
    assert reg["survey"].variants and reg["survey"].variants[0][0].startswith("c5e8a425")


def _fake_source(monkeypatch, content: bytes, variants=()):
    src = sources.Source(id="x", title="x", repository="o/r", commit="0" * 40, path="p/x.bin", local="p/x.bin",
                         sha256=hashlib.sha256(content).hexdigest(), licence="test", url="https://example.invalid/x",
                         variants=tuple(variants))
    monkeypatch.setattr(sources, "registry", lambda *a, **k: {"x": src})
    return src


def resolve(source_id, **kwargs):
    download = kwargs.pop("download", True)
    return Store(**kwargs, download=download).resolve(source_id)


def test_data_dir_wins_and_a_matching_file_gives_no_notice(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"hello")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"hello")
    store = Store(data_dir=tmp_path)
    r = store.resolve("x")
    assert r.origin == "data_dir" and r.matches_pin and r.notice is None
    assert store.provenance()[0]["matches_pin"] is True and store.notices == []


def test_env_var_is_the_default_data_dir(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"hello")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"hello")
    monkeypatch.setenv("MLMISMATCH_DATA_DIR", str(tmp_path))
    assert resolve("x").path == tmp_path / "p" / "x.bin"


def test_known_variant_is_used_with_a_notice_and_refused_when_strict(tmp_path, monkeypatch):
    variant = b"redacted"
    _fake_source(monkeypatch, b"original", variants=[(hashlib.sha256(variant).hexdigest(), "redacted copy")])
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(variant)
    store = Store(data_dir=tmp_path)
    r = store.resolve("x")
    assert not r.matches_pin and "known variant" in r.notice and "redacted copy" in r.notice
    assert store.notices == [r.notice]
    with pytest.raises(IntegrityError) as info:
        resolve("x", data_dir=tmp_path, strict=True)
    assert "differs from the pinned" in str(info.value) and "without --strict" in str(info.value)


def test_unknown_local_copy_gets_a_notice(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"original")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"edited")
    r = resolve("x", data_dir=tmp_path)
    assert "differs from the pinned file" in r.notice and "results may differ" in r.notice


def test_missing_file_in_data_dir_says_where_to_get_it(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"hello")
    with pytest.raises(DataNotFoundError) as info:
        resolve("x", data_dir=tmp_path)
    assert "missing file p/x.bin" in str(info.value) and "https://example.invalid/x" in str(info.value)


def test_cache_then_offline_message(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"hello")
    with pytest.raises(DataNotFoundError) as info:
        resolve("x", data_home=tmp_path, download=False)
    msg = str(info.value)
    assert "not in the cache" in msg and "download https://example.invalid/x" in msg
    assert str(tmp_path / "p" / "x.bin") in msg
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"hello")
    assert resolve("x", data_home=tmp_path, download=False).origin == "cache"


def test_failed_download_is_a_clear_error(tmp_path, monkeypatch):
    _fake_source(monkeypatch, b"hello")

    def boom(*a, **k):
        raise ConnectionError("no network")

    import pooch

    monkeypatch.setattr(pooch, "retrieve", boom)
    with pytest.raises(DataNotFoundError) as info:
        resolve("x", data_home=tmp_path)
    assert "could not download p/x.bin (ConnectionError)" in str(info.value)


def test_fetch_offline_lists_what_to_download(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MLMISMATCH_CACHE": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "mlmismatch", "fetch", "--offline"], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "missing coding" in proc.stderr and "Mismatch-Open-Coding-Final.xlsx" in proc.stderr
    assert "download https://raw.githubusercontent.com/GALewis/ML-Mismatch/" in proc.stderr


def test_notices_are_logged_so_a_notebook_sees_them(tmp_path, monkeypatch, caplog):
    _fake_source(monkeypatch, b"original")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"edited")
    with caplog.at_level("WARNING", logger="mlmismatch"):
        Store(data_dir=tmp_path).resolve("x")
    assert any("differs from the pinned file" in r.getMessage() for r in caplog.records)


def test_stores_are_independent(tmp_path, monkeypatch):
    """No module state: what one store resolved is not seen by another."""
    _fake_source(monkeypatch, b"hello")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.bin").write_bytes(b"hello")
    a, b = Store(data_dir=tmp_path), Store(data_dir=tmp_path)
    a.resolve("x")
    assert [p["source"] for p in a.provenance()] == ["x"] and b.provenance() == []


def test_registry_is_fresh_on_every_call():
    first = sources.registry()
    first.pop("coding")
    assert "coding" in sources.registry()
