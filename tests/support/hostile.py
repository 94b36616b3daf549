"""Hostile and broken inputs, built by the tests themselves (nothing hostile is committed).

- zips whose members are replaced, cut short, encrypted, corrupted or lie about their size;
- special files where a regular file is expected (FIFO, directory, symbolic-link loop, device);
- a runner that measures a child's peak memory (``resource.getrusage``) and bounds its time;
- a runner that executes the CLI as an unprivileged user (so that a read-only folder is read-only
  even when the tests run as root).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>\n")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(path: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def replace_member(src: Path, dst: Path, name: str, data: bytes | None = None, transform=None) -> Path:
    """A copy of the zip ``src`` with member ``name`` replaced (``data``) or changed (``transform(old)``)."""
    parts = members(src)
    if name not in parts:
        raise KeyError(name)
    parts[name] = data if data is not None else transform(parts[name])
    return write_zip(dst, parts)


def sheet_member(xlsx: Path, sheet: str) -> str:
    """The archive member holding sheet ``sheet`` of an openpyxl-written workbook."""
    import openpyxl

    wb = openpyxl.load_workbook(xlsx, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _central_offset(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of the local header and of the central-directory entry of member ``name``."""
    encoded = name.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        n_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + n_len] == encoded:
            return struct.unpack_from("<I", data, pos + 42)[0], pos
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise KeyError(name)


def set_encrypted(path: Path, name: str) -> Path:
    """Mark member ``name`` as encrypted (general-purpose flag bit 0) in both of its headers."""
    data = bytearray(path.read_bytes())
    local, central = _central_offset(bytes(data), name)
    for off in (local + 6, central + 8):
        flags = struct.unpack_from("<H", data, off)[0]
        struct.pack_into("<H", data, off, flags | 0x1)
    path.write_bytes(bytes(data))
    return path


def corrupt_member(path: Path, name: str) -> Path:
    """Overwrite the middle of member ``name``'s deflate stream with garbage."""
    data = bytearray(path.read_bytes())
    local, _central = _central_offset(bytes(data), name)
    n_len, x_len = struct.unpack_from("<HH", data, local + 26)
    size = struct.unpack_from("<I", data, local + 18)[0]
    start = local + 30 + n_len + x_len
    mid, length = start + size // 3, max(8, size // 3)
    data[mid:mid + length] = (b"\xff\x00\xfe\x01" * length)[:length]  # same length: offsets stay valid
    path.write_bytes(bytes(data))
    return path


def lie_about_size(path: Path, name: str, size: int) -> Path:
    """Declare ``size`` bytes as member ``name``'s uncompressed size in both of its headers."""
    data = bytearray(path.read_bytes())
    local, central = _central_offset(bytes(data), name)
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))
    return path


def bomb_member(uncompressed: int, unit: bytes = b" ") -> bytes:
    """Bytes of ``uncompressed`` length that deflate to almost nothing."""
    return unit * (uncompressed // len(unit))


# --------------------------------------------------------------------------------------------
# Special files
# --------------------------------------------------------------------------------------------

def make_special(path: Path, kind: str) -> Path:
    """Put a ``kind`` ('fifo', 'directory', 'symlink-loop', 'device') at ``path``."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink-loop":
        other = path.with_name(path.name + ".loop")
        os.symlink(other, path)
        os.symlink(path, other)
    elif kind == "device":
        os.symlink("/dev/zero", path)
    else:  # pragma: no cover
        raise ValueError(kind)
    return path


SPECIALS = ("fifo", "directory", "symlink-loop", "device")
SPECIAL_WORDS = {"fifo": "named pipe (FIFO)", "directory": "a directory", "symlink-loop": "symbolic link loop",
                 "device": "character device"}


@contextmanager
def deadline(seconds: int):
    """Fail (never hang) when the block runs longer than ``seconds`` (SIGALRM interrupts a blocked open)."""
    import signal

    def fail(*_):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------------------------
# Child processes: peak memory, time bound, unprivileged user
# --------------------------------------------------------------------------------------------

PEAK = """
import resource, sys, runpy
sys.argv = ["mlmismatch"] + sys.argv[1:]
code = 0
try:
    from mlmismatch.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
# this process's own high-water mark: VmHWM belongs to the address space made at exec, whereas
# ru_maxrss also keeps the RSS of the (possibly large) test process the child was spawned from
try:
    with open("/proc/self/status") as fh:
        peak_kib = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"\\nPEAK_KIB={peak_kib}\\n")
sys.exit(code)
"""


def run_measured(args: list[str], env: dict | None = None, timeout: int = 60, cwd: Path | None = None):
    """Run ``mlmismatch ARGS`` in a child; return (exit code, stdout, stderr without the marker, peak MiB)."""
    full_env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    proc = subprocess.run([sys.executable, "-c", PEAK, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd)
    err, _, peak = proc.stderr.rpartition("PEAK_KIB=")
    return proc.returncode, proc.stdout, err.rstrip(), int(peak.strip() or 0) / 1024


@contextmanager
def world_readable_tmp():
    """A temporary folder under /tmp that another user can enter (pytest's tmp_path is private)."""
    path = Path(tempfile.mkdtemp(prefix="mlmismatch-hostile-"))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            try:
                os.chmod(p, 0o755 if p.is_dir() else 0o644)
            except OSError:
                pass
        shutil.rmtree(path, ignore_errors=True)


def run_unprivileged(args: list[str], env: dict | None = None, timeout: int = 60, cwd: Path | None = None):
    """Run ``mlmismatch ARGS`` as an unprivileged user (uid 65534 when root; the current user otherwise)."""
    full_env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    prefix: list[str] = []
    if os.geteuid() == 0:  # util-linux's setpriv; Python's own user= cannot exec the venv's interpreter here
        prefix = [shutil.which("setpriv") or "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        full_env["HOME"] = str(cwd or tempfile.gettempdir())
        full_env["MPLCONFIGDIR"] = str(cwd or tempfile.gettempdir())
    proc = subprocess.run([*prefix, sys.executable, "-m", "mlmismatch", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


# --------------------------------------------------------------------------------------------
# The study's data, small: a data folder the CLI reads through MLMISMATCH_DATA_DIR
# --------------------------------------------------------------------------------------------

CODING_FILE = "Mismatch-Open-Coding-Final.xlsx"


def study_data_dir(root: Path, **build) -> Path:
    """``root/data`` holding a small coding workbook (tests/support/builders.py) where the store looks."""
    from builders import build_coding_workbook

    folder = root / "data" / "replication-package"
    folder.mkdir(parents=True, exist_ok=True)
    build_coding_workbook(folder / CODING_FILE, **build)
    return root / "data"


def round_csv(path: Path, rows: list[tuple], header=("mismatch_id", "coder", "category", "subcategory")) -> Path:
    """A tidy coding-round CSV (written with the csv module, so any text is quoted correctly)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


#: Two coders' codes of three new mismatches, in the small codebook of tests/support/builders.py
TWO_CODERS = [
    ("M21-01", "ann", "Trained Model (TM)", "(TM) Versioning"),
    ("M21-01", "bob", "Trained Model (TM)", "(TM) Versioning"),
    ("M21-02", "ann", "Raw Data (RD)", "(RD) Metadata"),
    ("M21-02", "bob", "Trained Model (TM)", "(TM) API/Specifications"),
    ("M21-03", "ann", "Operational Environment (OE)", "(OE) Computing Resources"),
    ("M21-03", "bob", "Operational Environment (OE)", "(OE) Computing Resources"),
]


def one_line_error(res) -> str:
    """The single stderr line of a run that ended on bad input (exit 2); fails otherwise."""
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert res.code == 2, (res.code, res.out[-500:], res.err[-2000:])
    assert len(lines) == 1, res.err
    assert "Traceback" not in res.err and "unexpected" not in res.err, res.err
    return lines[0]


@pytest.fixture
def env(tmp_path):
    """Environment for a CLI run over the small data folder (import this fixture into a test module)."""
    return {"MLMISMATCH_DATA_DIR": str(study_data_dir(tmp_path))}


@pytest.fixture
def good_round(tmp_path):
    """A valid two-coder round CSV."""
    return round_csv(tmp_path / "round.csv", TWO_CODERS)
