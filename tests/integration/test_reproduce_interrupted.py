"""A `reproduce` that is stopped (SIGTERM, Ctrl-C) or killed (SIGKILL) half-way, on the real data.

The output folder holds a previous run's files. Stopped, the run removes its staging folder and its
workers and exits; killed, its workers die with it (the kernel's parent-death signal) and the next run
sweeps the staging folder it left. Either way the previous files are byte for byte what they were,
and no file of the interrupted run is mixed in.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from need import need

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).with_name("mlmismatch")
STAGING = ".mlmismatch-staging-"


@pytest.fixture
def previous(tmp_path):
    if not os.environ.get("MLMISMATCH_DATA_DIR"):
        need("the study's data", "set MLMISMATCH_DATA_DIR")
    out = tmp_path / "out"
    shutil.copytree(ROOT / "paper" / "generated", out)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _processes_with(marker: str) -> list[int]:
    """Pids whose command line mentions ``marker`` (the run's own output folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _start(out: Path, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "MLMISMATCH_CACHE": str(tmp_path / "cache"), "MLMISMATCH_WORKERS": "2"}
    env.pop("MLMISMATCH_SEQUENTIAL", None)
    proc = subprocess.Popen([str(BIN), "-q", "reproduce", "--force", "--out", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the workers run and the staging folder has files
        staged = [p for p in out.glob(STAGING + "*/**/*") if p.is_file()]
        if staged and len(_processes_with(str(out))) >= 2:
            return proc
        if proc.poll() is not None:
            pytest.fail(f"reproduce ended before it could be interrupted: {proc.stderr.read().decode()[-500:]}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("reproduce did not start its workers within 60 s")


def _gone(out: Path, timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = _processes_with(str(out))
        if not left:
            return []
        time.sleep(0.1)
    return _processes_with(str(out))


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_run_leaves_the_previous_output_and_nothing_else(previous, tmp_path, sig, code):
    before = _digests(previous)
    proc = _start(previous, tmp_path)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err.decode()[-1000:]
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert _gone(previous) == []  # no worker outlives the run
    assert not list(previous.glob(STAGING + "*"))  # its staging folder removed
    assert _digests(previous) == before  # the previous files, byte for byte, and nothing added


def test_a_killed_run_takes_its_workers_along_and_the_next_run_sweeps_its_staging(previous, tmp_path):
    before = _digests(previous)
    proc = _start(previous, tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _gone(previous) == []  # the workers die with the parent (parent-death signal)
    left = list(previous.glob(STAGING + "*"))
    assert left  # nothing could clean up after SIGKILL ...
    assert {k: v for k, v in _digests(previous).items() if not k.startswith(STAGING)} == before  # ... but nothing moved in
    env = {**os.environ, "MLMISMATCH_CACHE": str(tmp_path / "cache")}
    res = subprocess.run([str(BIN), "-q", "reproduce", "--only", "survey-demographics", "--out", str(previous)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-1000:]
    assert not list(previous.glob(STAGING + "*"))  # the next run removed the dead run's staging folder
