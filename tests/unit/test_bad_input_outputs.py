"""Bad input: output paths that cannot be written.

`--out`, `-o`, `--output-dir` and the output arguments of every writer (except `reproduce`, whose
staging folder is another part of the issue) name a path; when it points at an existing file where a
folder is needed, at an existing directory where a file is to be written, into a read-only folder or
onto a read-only file system, the tool prints one line naming the path and why, exits 2, and leaves
no temporary file behind.

Read-only folders are real: as root (who may write anywhere) the command runs as an unprivileged user.
A read-only file system and a full disk are simulated at the system call the writers make.
"""

from __future__ import annotations

import errno
import json
import os

import pytest
from hostile import (TWO_CODERS, env, good_round, one_line_error, round_csv, run_unprivileged,  # noqa: F401 (fixtures)
                     study_data_dir, world_readable_tmp)

EXPECTED = "expected a writable output path (--out, -o, --output-dir)"


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "occupied"
    path.write_text("not a folder\n")
    return path


def _no_temporaries(folder):
    assert not [p for p in folder.rglob(".*") if p.is_file() and p.name.startswith(".")], list(folder.rglob(".*"))


# --------------------------------------------------------------------------------------------
# A file where a folder is needed, a folder where a file is to be written
# --------------------------------------------------------------------------------------------

FOLDER_OUTPUTS = [
    ("export", lambda o, r: ["export", o]),
    ("agreement", lambda o, r: ["code", "agreement", r, "--boot", "10", "--out", o]),
    ("merge", lambda o, r: ["code", "merge", r, "--coder", "ann", "--permutations", "9", "--out", o]),
]


@pytest.mark.parametrize("name,args", FOLDER_OUTPUTS, ids=[n for n, _ in FOLDER_OUTPUTS])
def test_folder_output_that_is_a_file(name, args, a_file, env, good_round, tmp_path, cli):
    line = one_line_error(cli(*args(str(a_file), str(good_round)), env=env))
    assert str(a_file) in line and "a file is in the way" in line and line.endswith(EXPECTED)
    assert a_file.read_text() == "not a folder\n"


@pytest.mark.parametrize("name,args", FOLDER_OUTPUTS, ids=[n for n, _ in FOLDER_OUTPUTS])
def test_folder_output_below_a_file(name, args, a_file, env, good_round, cli):
    line = one_line_error(cli(*args(str(a_file / "sub"), str(good_round)), env=env))
    assert "cannot write here: a file is in the way" in line and line.endswith(EXPECTED)


FILE_OUTPUTS = [
    ("template", lambda o, r: ["code", "template", o]),
    ("export-qdc", lambda o, r: ["code", "export-qdc", o]),
    ("import-qdpx", lambda o, r: ["code", "import-qdpx", "{qdpx}", o]),
]


@pytest.fixture
def qdpx(tmp_path, env):
    from mlmismatch.extend import qda, rounds
    from mlmismatch.study import coding

    data = coding.load_coding(path=os.path.join(env["MLMISMATCH_DATA_DIR"], "replication-package",
                                                "Mismatch-Open-Coding-Final.xlsx"))
    rnd = rounds.read_round(round_csv(tmp_path / "q.csv", TWO_CODERS), data.codebook)
    path = tmp_path / "p.qdpx"
    path.write_bytes(qda.project_qdpx(rnd))
    return path


@pytest.mark.parametrize("name,args", FILE_OUTPUTS, ids=[n for n, _ in FILE_OUTPUTS])
def test_file_output_that_is_a_directory(name, args, tmp_path, env, good_round, qdpx, cli):
    target = tmp_path / ("out.xlsx" if name == "template" else "out.qdc" if name == "export-qdc" else "out.csv")
    target.mkdir()
    argv = [a.replace("{qdpx}", str(qdpx)) for a in args(str(target), str(good_round))]
    line = one_line_error(cli(*argv, env=env))
    assert line == f"error: {target}: cannot write here: a directory is in the way (a file is needed); {EXPECTED}"
    assert target.is_dir() and not any(target.iterdir())


@pytest.mark.parametrize("name,args", FILE_OUTPUTS, ids=[n for n, _ in FILE_OUTPUTS])
def test_file_output_below_a_file(name, args, a_file, env, good_round, qdpx, cli):
    argv = [a.replace("{qdpx}", str(qdpx)) for a in args(str(a_file / "x.xlsx" if name == "template" else a_file / "x"),
                                                          str(good_round))]
    line = one_line_error(cli(*argv, env=env))
    assert "a file is in the way" in line and line.endswith(EXPECTED)


# --------------------------------------------------------------------------------------------
# Descriptor writers: descriptors new -o, descriptors migrate --output-dir / --in-place, check -o
# --------------------------------------------------------------------------------------------

@pytest.fixture
def schemas_env(tiny_schemas):
    return {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)}


def test_descriptors_new_into_a_directory(tmp_path, schemas_env, cli):
    (tmp_path / "tm.json").mkdir()
    line = one_line_error(cli("descriptors", "new", "trained_model", "-o", str(tmp_path / "tm.json"), env=schemas_env))
    assert "tm.json: cannot write here: a directory is in the way" in line


def test_descriptors_new_below_a_file(a_file, schemas_env, cli):
    line = one_line_error(cli("descriptors", "new", "trained_model", "-o", str(a_file / "tm.json"), env=schemas_env))
    assert "cannot write here: a file is in the way" in line


def test_descriptors_migrate_output_dir_is_a_file(tmp_path, a_file, schemas_env, cli):
    doc = tmp_path / "trained_model.json"
    doc.write_text(json.dumps({"version": "1.2", "model_name": "m"}))
    line = one_line_error(cli("descriptors", "migrate", str(doc), "--to", "1.2", "--output-dir", str(a_file), env=schemas_env))
    assert f"{a_file}: cannot write here: a file is in the way" in line


def test_check_report_into_a_directory(tmp_path, schemas_env, cli):
    system = tmp_path / "system"
    system.mkdir()
    (system / "trained_model.json").write_text(json.dumps({"version": "1.2", "model_name": "m"}))
    (tmp_path / "report.sarif").mkdir()
    line = one_line_error(cli("check", str(system), "-f", "sarif", "-o", str(tmp_path / "report.sarif"), "--no-rank-data",
                              env=schemas_env))
    assert "report.sarif: cannot write here: a directory is in the way" in line


# --------------------------------------------------------------------------------------------
# Read-only folders (real), read-only file system and full disk (simulated)
# --------------------------------------------------------------------------------------------

READ_ONLY_CASES = [
    ("export", lambda out: ["export", out / "pkg"]),
    ("template", lambda out: ["code", "template", out / "t.xlsx"]),
    ("export-qdc", lambda out: ["code", "export-qdc", out / "c.qdc"]),
]


@pytest.mark.parametrize("name,args", READ_ONLY_CASES, ids=[n for n, _ in READ_ONLY_CASES])
def test_read_only_folder(name, args):
    with world_readable_tmp() as root:
        data = study_data_dir(root)
        out = root / "read-only"
        out.mkdir()
        os.chmod(out, 0o555)
        code, stdout, stderr = run_unprivileged(["-q", *args(out)], env={"MLMISMATCH_DATA_DIR": str(data)}, cwd=root)
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        assert code == 2 and len(lines) == 1 and "Traceback" not in stderr, stderr
        assert "cannot write here: permission denied" in lines[0] and str(out) in lines[0]
        assert list(out.iterdir()) == []


def test_descriptors_new_in_a_read_only_folder(tiny_schemas):
    import shutil

    with world_readable_tmp() as root:
        data = root / "schemas"
        shutil.copytree(tiny_schemas.data_dir, data)
        for p in [data, *data.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        out = root / "read-only"
        out.mkdir()
        os.chmod(out, 0o555)
        code, _stdout, stderr = run_unprivileged(["-q", "descriptors", "new", "trained_model", "-o", out / "tm.json"],
                                                 env={"MLMISMATCH_DATA_DIR": str(data)}, cwd=root)
        assert code == 2 and "tm.json: cannot write here: permission denied" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("err,reason", [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "no space left on the device"),
                                        (errno.EACCES, "permission denied")])
def test_file_system_refuses_the_write(err, reason, tmp_path, env, cli, monkeypatch):
    import tempfile

    def refuse(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    line = one_line_error(cli("code", "template", str(tmp_path / "t.xlsx"), env=env))
    assert line == f"error: {tmp_path / 't.xlsx'}: cannot write here: {reason}; {EXPECTED}"


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, env, good_round, cli, monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "agr"
    monkeypatch.setattr(os, "replace", full)
    line = one_line_error(cli("code", "agreement", str(good_round), "--boot", "10", "--out", str(out), env=env))
    assert "agreement.csv: cannot write here: no space left on the device" in line
    assert list(out.iterdir()) == []
    _no_temporaries(tmp_path)


def test_a_good_output_path_still_works(tmp_path, env, good_round, cli):
    res = cli("code", "agreement", str(good_round), "--boot", "10", "--out", str(tmp_path / "new" / "deeper"), env=env)
    assert res.code == 0, res.err
    assert sorted(p.name for p in (tmp_path / "new" / "deeper").iterdir()) == ["agreement.csv", "disagreements.csv"]
