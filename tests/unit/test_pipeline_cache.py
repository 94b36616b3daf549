"""`reproduce`'s runner on synthetic steps and inputs built here: --only with what a step needs, the cache
(a changed input reruns exactly the steps that depend on it), --force, byte-identity with and without the
cache, the merged manifest, an interrupted run, the run stamp; and the real steps' declarations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlmismatch.pipeline import cache as cachemod
from mlmismatch.pipeline import run as runner
from mlmismatch.pipeline.context import Context, Step
from mlmismatch.sources import Source, Store


# --- synthetic steps -------------------------------------------------------------------------

def _read(ctx: Context, sid: str) -> str:
    return ctx.store.resolve(sid).path.read_text(encoding="utf-8")


def step_one(ctx: Context) -> None:
    ctx.write_text("one.txt", _read(ctx, "alpha").upper())


def step_two(ctx: Context) -> None:
    ctx.write_text("sub/two.txt", _read(ctx, "beta")[::-1])


def step_shared(ctx: Context) -> None:
    ctx.results["shared"] = {"words": sorted(_read(ctx, "beta").split())}


def step_three(ctx: Context) -> None:
    text = ctx.path("one.txt").read_text(encoding="utf-8").strip() + "|" + ctx.path("sub/two.txt").read_text(encoding="utf-8").strip()
    ctx.write_text("three.txt", text + "|" + ",".join(ctx.results["shared"]["words"]))


def step_bad(ctx: Context) -> None:
    ctx.write_text("one.txt", "half-written")
    raise RuntimeError("stopped")


def step_undeclared(ctx: Context) -> None:
    ctx.write_text("other.txt", "x")


FAKE = [
    Step("one", step_one, "upper-case alpha", sources=("alpha",), data=(), outputs=("one.txt",), libraries=()),
    Step("two", step_two, "beta reversed", sources=("beta",), data=(), outputs=("sub/two.txt",), libraries=()),
    Step("shared", step_shared, "a result, no file", sources=("beta",), data=(), result="shared", libraries=()),
    Step("three", step_three, "both", sources=(), data=(), needs=("one", "two", "shared"), outputs=("three.txt",),
         libraries=()),
]


def _source(sid: str, local: str) -> Source:
    return Source(id=sid, title=sid, repository="example/repo", commit="0" * 40, path=local, local=local,
                  sha256="0" * 64, licence="test", url=f"https://example.invalid/{local}")


@pytest.fixture()
def fake(tmp_path, monkeypatch):
    """Fake steps and a data folder with two inputs; returns a function running reproduce into a folder."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("alpha words", encoding="utf-8")
    (data / "b.txt").write_text("beta words here", encoding="utf-8")
    steps = list(FAKE)
    monkeypatch.setattr(runner, "steps", lambda: list(steps))
    monkeypatch.setenv("MLMISMATCH_SEQUENTIAL", "1")
    registry = {"alpha": _source("alpha", "a.txt"), "beta": _source("beta", "b.txt")}
    cache_dir = tmp_path / "cache"

    def go(out: Path, **kwargs) -> Context:
        store = Store(data_dir=data, _registry=dict(registry))
        ctx = Context(out=out, store=store)
        return runner.run(ctx, cache_dir=kwargs.pop("cache_dir", cache_dir), **kwargs)

    go.data, go.steps, go.cache_dir = data, steps, cache_dir
    return go


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- selection ---------------------------------------------------------------------------------

def test_only_pulls_in_the_steps_a_step_needs(fake, tmp_path):
    assert [s.name for s in runner.select(["three"])] == ["one", "two", "shared", "three"]
    ctx = fake(tmp_path / "out", only=["three"])
    assert sorted(ctx.written) == ["one.txt", "sub/two.txt", "three.txt"]
    assert (tmp_path / "out/three.txt").read_text().strip() == "ALPHA WORDS|ereh sdrow ateb|beta,here,words"


def test_unknown_step_lists_the_step_names(fake):
    from mlmismatch.core.errors import InputError

    with pytest.raises(InputError, match=r"unknown step 'nope'.*one, two, shared, three"):
        runner.select(["one", "nope"])


def test_real_steps_only_report_pulls_in_everything_it_shows():
    names = [s.name for s in runner.select(["report"])]
    assert {"claims", "categories", "survey-table2", "descriptors", "suggest-evaluation", "survey-tables"} <= set(names)
    assert "mapping" not in names and "text-evidence" not in names  # the report shows neither
    # one spelling convention (hyphens); an underscore is read as a hyphen
    assert [s.name for s in runner.select(["survey_summary"])] == ["survey-tables", "survey-interviews", "survey-summary"]
    assert all("_" not in n for n in runner.step_names())


def test_real_step_declarations_are_consistent():
    steps = runner.steps()
    registry = Store().registry()
    seen, outputs = set(), {}
    for s in steps:
        assert all(n in seen for n in s.needs), f"{s.name} needs a step that comes later or does not exist"
        seen.add(s.name)
        assert runner._expand_sources(s, registry), f"{s.name} declares no source"
        assert all(sid in registry for sid in runner._expand_sources(s, registry))
        for spec in s.data:
            assert cachemod.data_files(spec), f"{s.name}: no packaged file for {spec}"
        for rel in s.outputs:
            assert rel not in outputs, f"{rel} declared by {outputs.get(rel)} and {s.name}"
            outputs[rel] = s.name
    assert "sei-licence" not in runner._expand_sources(next(s for s in steps if s.name == "mapping"), registry)


def test_code_of_a_step_is_its_modules_not_the_whole_package():
    code = cachemod.closure(["mlmismatch.pipeline.steps.categories"])
    assert "mlmismatch.analyses.categories" in code and "mlmismatch.analyses.figures.categories" in code
    assert "mlmismatch.pipeline.context" in code
    assert "mlmismatch.detection.rules" not in code and "mlmismatch.extend.suggest" not in code


def test_list_and_unknown_step_on_the_command_line(cli):
    listed = cli("reproduce", "--list")
    assert listed.code == 0
    for name in runner.step_names():
        assert f"{name}: " in listed.out
    assert "outputs: tables/categories.csv" in listed.out and "needs:   claims" in listed.out
    bad = cli("reproduce", "--only", "nope")
    assert bad.code == 2
    assert "unknown step 'nope'" in bad.err and "survey-table2" in bad.err


# --- the cache -----------------------------------------------------------------------------

def test_a_changed_input_reruns_exactly_the_steps_that_depend_on_it(fake, tmp_path):
    out = tmp_path / "out"
    first = fake(out)
    assert first.results["cache"]["ran"] == ["one", "two", "shared", "three"]
    before = _files(out)
    again = fake(out)
    assert again.results["cache"]["ran"] == [] and again.results["cache"]["restored"] == ["one", "two", "shared", "three"]
    assert _files(out) == before
    (fake.data / "b.txt").write_text("beta changed", encoding="utf-8")
    changed = fake(out)
    assert changed.results["cache"]["ran"] == ["two", "shared", "three"]  # not "one"
    assert (out / "three.txt").read_text().strip() == "ALPHA WORDS|degnahc ateb|beta,changed"
    (fake.data / "b.txt").write_text("beta words here", encoding="utf-8")  # back: everything from the cache
    back = fake(out)
    assert back.results["cache"]["ran"] == [] and _files(out) == before


def test_restored_result_feeds_a_step_that_reruns(fake, tmp_path):
    out = tmp_path / "out"
    fake(out)
    (fake.data / "a.txt").write_text("other alpha", encoding="utf-8")  # one and three rerun; shared is restored
    ctx = fake(out)
    assert ctx.results["cache"]["ran"] == ["one", "three"] and "shared" in ctx.results["cache"]["restored"]
    assert (out / "three.txt").read_text().strip() == "OTHER ALPHA|ereh sdrow ateb|beta,here,words"


def test_outputs_are_byte_identical_with_and_without_the_cache_and_with_force(fake, tmp_path):
    plain = fake(tmp_path / "plain", use_cache=False)
    assert plain.results["cache"]["ran"] == ["one", "two", "shared", "three"]
    assert not fake.cache_dir.exists()  # use_cache=False neither reads nor writes
    fake(tmp_path / "warm")
    restored = fake(tmp_path / "restored")  # another folder, everything from the cache
    assert restored.results["cache"]["ran"] == []
    forced = fake(tmp_path / "forced", force=True)
    assert forced.results["cache"]["ran"] == ["one", "two", "shared", "three"]
    reference = _files(tmp_path / "plain")
    for name in ("warm", "restored", "forced"):
        assert _files(tmp_path / name) == reference, name


def test_worker_processes_give_the_same_bytes(fake, tmp_path, monkeypatch):
    fake(tmp_path / "sequential", use_cache=False)
    monkeypatch.delenv("MLMISMATCH_SEQUENTIAL")
    monkeypatch.setenv("MLMISMATCH_WORKERS", "2")
    ctx = fake(tmp_path / "parallel", use_cache=False)
    assert ctx.results["cache"]["ran"] == ["one", "two", "shared", "three"]
    assert _files(tmp_path / "parallel") == _files(tmp_path / "sequential")


def test_manifest_is_merged_never_shrunk(fake, tmp_path):
    out = tmp_path / "out"
    fake(out, only=["one"])
    fake(out, only=["two"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["outputs"]) == {"one.txt", "sub/two.txt"}
    assert [i["source"] for i in manifest["inputs"]] == ["alpha", "beta"]
    fake(out)
    assert set(json.loads((out / "manifest.json").read_text())["outputs"]) == {"one.txt", "sub/two.txt", "three.txt"}


def test_a_failed_run_leaves_the_previous_outputs_intact(fake, tmp_path):
    out = tmp_path / "out"
    fake(out)
    before = _files(out)
    fake.steps[0] = Step("one", step_bad, sources=("alpha",), data=(), outputs=("one.txt",), libraries=())
    with pytest.raises(RuntimeError, match="stopped"):
        fake(out, force=True)
    assert _files(out) == before  # nothing half-written, no staging folder, no temporary file


def test_a_step_writing_an_undeclared_file_fails(fake, tmp_path):
    fake.steps[:] = [Step("one", step_undeclared, sources=("alpha",), data=(), outputs=("one.txt",), libraries=())]
    with pytest.raises(RuntimeError, match="does not declare: other.txt"):
        fake(tmp_path / "out")
    assert not (tmp_path / "out" / "other.txt").exists()


def test_stale_staging_folder_of_a_killed_run_is_removed(fake, tmp_path):
    out = tmp_path / "out"
    dead = out / f"{runner.STAGING_PREFIX}999999999-1"
    dead.mkdir(parents=True)
    (dead / "x.txt").write_text("left over")
    fake(out)
    assert not dead.exists()


# --- the run stamp -------------------------------------------------------------------------

def test_run_stamp_goes_stale_when_a_recorded_file_changes(fake, tmp_path):
    out = tmp_path / "out"
    fake(out)
    ident = cachemod.stamp_id(out, None, fake.data, None, False)
    stamp = cachemod.stamp_fresh(cachemod.Path(fake.cache_dir), ident)
    assert stamp is not None and stamp["n_outputs"] == 3
    assert str((fake.data / "a.txt").resolve()) in stamp["files"] and str(out / "three.txt") in stamp["files"]
    (out / "three.txt").write_text("edited by hand")
    assert cachemod.stamp_fresh(fake.cache_dir, ident) is None
    fake(out)  # restored from the cache
    assert (out / "three.txt").read_text().startswith("ALPHA WORDS")
    assert cachemod.stamp_fresh(fake.cache_dir, ident) is not None
    (fake.data / "a.txt").write_text("new", encoding="utf-8")
    assert cachemod.stamp_fresh(fake.cache_dir, ident) is None


def test_the_stamp_check_imports_nothing_heavy(tmp_path):
    code = ("import sys; from mlmismatch.pipeline import cache; from mlmismatch.cli import main; "
            f"cache.stamp_fresh(cache.cache_root({str(tmp_path)!r}), 'x'); "
            "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cache_root_respects_data_home_and_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MLMISMATCH_CACHE", str(tmp_path / "env"))
    assert cachemod.cache_root() == tmp_path / "env" / "reproduce"
    assert cachemod.cache_root(tmp_path / "home") == tmp_path / "home" / "reproduce"


def step_optional(ctx: Context) -> None:
    from mlmismatch.core.errors import MlmismatchError

    try:
        text = _read(ctx, "gamma")
    except MlmismatchError:
        text = "no gamma"
    ctx.write_text("optional.txt", text)


def test_a_missing_source_is_part_of_the_key(fake, tmp_path):
    """A step may degrade without a source (as the report does without the survey); the key says it was missing."""
    fake.steps[:] = [Step("optional", step_optional, sources=("gamma",), data=(), outputs=("optional.txt",),
                          libraries=())]
    out = tmp_path / "out"
    import mlmismatch.pipeline.run as r

    registry_go = fake

    def go(**kw):
        store = Store(data_dir=fake.data, _registry={"gamma": _source("gamma", "c.txt")})
        return r.run(Context(out=out, store=store), cache_dir=registry_go.cache_dir, **kw)

    assert go().results["cache"]["ran"] == ["optional"]
    assert (out / "optional.txt").read_text().strip() == "no gamma"
    assert go().results["cache"]["ran"] == []
    (fake.data / "c.txt").write_text("gamma now", encoding="utf-8")
    assert go().results["cache"]["ran"] == ["optional"]
    assert (out / "optional.txt").read_text().strip() == "gamma now"


def test_an_output_folder_in_the_way_is_a_located_error(fake, tmp_path):
    from mlmismatch.core.errors import InputError

    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="a file is in the way"):
        fake(tmp_path / "file")


def step_bad_input(ctx: Context) -> None:
    from mlmismatch.core.errors import InputError, Location

    raise InputError("not a number", Location(file="a.txt", row=1), expected="a count")


def test_bad_input_in_a_worker_reaches_the_caller_as_input_error(fake, tmp_path, monkeypatch):
    from mlmismatch.core.errors import InputError

    monkeypatch.delenv("MLMISMATCH_SEQUENTIAL")
    monkeypatch.setenv("MLMISMATCH_WORKERS", "2")
    fake.steps[:] = [FAKE[0], Step("bad", step_bad_input, sources=("beta",), data=(), libraries=())]
    with pytest.raises(InputError, match=r"a.txt, row 1: not a number; expected a count"):
        fake(tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())  # nothing moved into place, no staging folder left
