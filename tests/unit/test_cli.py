"""The command line's conventions: -h, --version, shell completion, one line for any error."""

from __future__ import annotations

import pytest


def test_short_help_everywhere(cli):
    for args in (["-h"], ["check", "-h"], ["descriptors", "-h"], ["code", "agreement", "-h"]):
        res = cli(*args)
        assert res.code == 0 and "Usage:" in res.out, args


def test_version_and_completion(cli):
    import mlmismatch

    assert cli("--version").out.strip() == f"mlmismatch {mlmismatch.__version__}"
    assert "--install-completion" in cli("--help").out


def test_an_unexpected_error_is_one_line_and_exit_1(cli, monkeypatch):
    from mlmismatch.analyses import categories

    def broken(*a, **k):
        raise KeyError("boom [/x]")

    monkeypatch.setattr(categories, "category_counts", broken)
    monkeypatch.setattr("mlmismatch.cli.commands.core.load_coding", lambda: type("D", (), {"instances": None, "mismatches": []})())
    res = cli("categories", "--level", "category", quiet=False)
    assert res.code == 1
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.err
    assert "unexpected KeyError in 'categories'" in lines[0] and "[/x]" in lines[0] and "--debug" in lines[0]


def test_debug_shows_the_traceback(cli, monkeypatch):
    from mlmismatch.analyses import categories

    monkeypatch.setattr(categories, "category_counts", lambda *a, **k: 1 / 0)
    monkeypatch.setattr("mlmismatch.cli.commands.core.load_coding", lambda: type("D", (), {"instances": None, "mismatches": []})())
    with pytest.raises(ZeroDivisionError):
        cli("--debug", "categories", "--level", "category")


def test_bad_input_stays_exit_2_with_markup_escaped(cli, tmp_path):
    res = cli("check", tmp_path / "no [/such] dir")
    assert res.code == 2 and "no such directory" in res.err and "[/such]" in res.err
    assert len(res.err.strip().splitlines()) == 1
