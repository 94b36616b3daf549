"""Bad input: something that is not a regular file where a file is expected.

A named pipe (FIFO) would block a reader forever, a device never ends, a directory or a symbolic-link
loop fails deep inside a library. Each input the tool reads from the user (the study's workbook in
the data folder, a coding round as CSV, workbook or .qdpx, an extension codebook as CSV or .qdc, the
mismatch list of `code template`, the claims file of `claims --claims`) is refused before it is opened for reading, with one line naming
the path and what it is, and exit 2. A deadline turns a hang into a failure.
"""

from __future__ import annotations

import pytest
from hostile import (CODING_FILE, SPECIAL_WORDS, SPECIALS, TWO_CODERS, deadline, make_special, one_line_error, round_csv,
                     study_data_dir)

INPUTS = ("coding-workbook", "survey-workbook", "round-csv", "round-xlsx", "round-qdpx", "extension-csv",
          "extension-qdc", "mismatch-list", "claims-csv")


def _command(kind: str, tmp_path, special) -> tuple[list[str], dict]:
    data = study_data_dir(tmp_path)
    env = {"MLMISMATCH_DATA_DIR": str(data)}
    good = round_csv(tmp_path / "good.csv", TWO_CODERS)
    if kind == "coding-workbook":
        target = data / "replication-package" / CODING_FILE
        target.unlink()
        special(target)
        return ["data", "check"], env
    if kind == "survey-workbook":
        special(data / "replication-package" / "Survey-Data-Final.xlsx")
        return ["data", "check"], env
    if kind == "round-csv":
        return ["code", "agreement", str(special(tmp_path / "round.csv")), "--boot", "10"], env
    if kind == "round-xlsx":
        return ["code", "agreement", str(special(tmp_path / "round.xlsx")), "--boot", "10"], env
    if kind == "round-qdpx":
        return ["code", "import-qdpx", str(special(tmp_path / "round.qdpx")), str(tmp_path / "out.csv")], env
    if kind == "extension-csv":
        return ["code", "agreement", str(good), "-e", str(special(tmp_path / "ext.csv")), "--boot", "10"], env
    if kind == "extension-qdc":
        return ["code", "agreement", str(good), "-e", str(special(tmp_path / "ext.qdc")), "--boot", "10"], env
    if kind == "claims-csv":
        return ["claims", "--claims", str(special(tmp_path / "claims.csv"))], env
    if kind == "mismatch-list":
        return ["code", "template", str(tmp_path / "t.xlsx"), "--mismatches", str(special(tmp_path / "new.csv"))], env
    raise ValueError(kind)  # pragma: no cover


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("kind", INPUTS)
def test_not_a_regular_file_is_refused(kind, special, tmp_path, cli):
    args, env = _command(kind, tmp_path, lambda p: make_special(p, special))
    with deadline(20):
        res = cli(*args, env=env)
    line = one_line_error(res)
    assert SPECIAL_WORDS[special] in line, line
    assert "not a regular file" in line or "symbolic link loop" in line, line


def test_a_regular_file_through_a_symlink_is_fine(tmp_path, cli):
    """Only special files are refused: a symbolic link to a regular CSV is read as the CSV."""
    import os

    data = study_data_dir(tmp_path)
    real = round_csv(tmp_path / "real.csv", TWO_CODERS)
    os.symlink(real, tmp_path / "link.csv")
    res = cli("code", "agreement", str(tmp_path / "link.csv"), "--boot", "10", env={"MLMISMATCH_DATA_DIR": str(data)})
    assert res.code == 0, res.err
    assert "Agreement of 2 coders (ann, bob) on 3 mismatches" in res.out


def test_unreadable_file_is_one_line(tmp_path, cli, monkeypatch):
    """A file the tool may not read (permission denied) is named, not a traceback."""
    import errno
    import os

    data = study_data_dir(tmp_path)
    target = round_csv(tmp_path / "locked.csv", TWO_CODERS)
    real_open = os.open

    def deny(path, flags, *a, **k):
        if str(path) == str(target):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", deny)
    line = one_line_error(cli("code", "agreement", str(target), env={"MLMISMATCH_DATA_DIR": str(data)}))
    assert line == ("error: locked.csv: permission denied; expected a coding workbook (.xlsx), a tidy CSV (.csv) or a "
                    "REFI-QDA project (.qdpx)")


def test_missing_round_file(tmp_path, cli):
    data = study_data_dir(tmp_path)
    line = one_line_error(cli("code", "agreement", str(tmp_path / "nope.csv"), env={"MLMISMATCH_DATA_DIR": str(data)}))
    assert line.startswith("error: nope.csv: file not found; expected a coding workbook (.xlsx)")
