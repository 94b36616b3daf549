"""Bad input in text: markup for the terminal library, and personal data in survey cells.

- A label, coder name, path or value that holds `[/x]`, `[bold]` or an emoji code such as `:x:` is
  printed as written, everywhere the CLI prints it (tables, warnings, notices, "wrote" lines, errors):
  rich never reads it as markup (a `[/x]` used to crash the message with ``MarkupError``).
- A survey answer that is not one of the answer options is named by its cell and what was expected,
  never echoed: an answer cell may hold an e-mail address.
"""

from __future__ import annotations

import pytest
from builders import build_coding_workbook
from hostile import CODING_FILE, TWO_CODERS, env, one_line_error, round_csv  # noqa: F401 (fixtures)

MARKUP = ["[/x]", "[bold red]loud[/]", ":x:", "[link=http://evil.invalid]here[/link]"]


# --------------------------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------------------------

def test_data_check_prints_header_text_literally(tmp_path, cli):
    def extra_column(wb):
        wb["Interview 01"]["K1"] = "[/x] [bold]Model created?"
        wb["Interview 01"]["K2"] = "yes"

    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    build_coding_workbook(folder / CODING_FILE, mutate=extra_column)
    res = cli("data", "check", env={"MLMISMATCH_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "400"})
    assert res.code == 0, res.err
    assert "column '[/x] [bold]Model created?' present only in this sheet" in res.out


@pytest.mark.parametrize("name", MARKUP)
def test_agreement_prints_coder_names_literally(name, tmp_path, env, cli):
    rows = [(m, name if who == "ann" else who, c, s) for m, who, c, s in TWO_CODERS]
    res = cli("code", "agreement", str(round_csv(tmp_path / "r.csv", rows)), "--boot", "10", env={**env, "COLUMNS": "400"})
    assert res.code == 0, res.err
    assert "Traceback" not in res.err
    assert name in " ".join(res.out.split()) and "❌" not in res.out


def test_agreement_prints_extension_codes_literally(tmp_path, env, cli):
    ext = round_csv(tmp_path / "ext.csv", [("EV", "[red]Evil", "[/x] Odd", "a code with markup")],
                    header=("category_code", "category", "subcategory", "description"))
    rows = TWO_CODERS + [("M21-04", "ann", "[red]Evil (EV)", "(EV) [/x] Odd"), ("M21-04", "bob", "[red]Evil (EV)", "(EV) [/x] Odd")]
    res = cli("code", "agreement", str(round_csv(tmp_path / "r.csv", rows)), "-e", str(ext), "--boot", "10", "--all",
              env={**env, "COLUMNS": "400"})
    assert res.code == 0, res.err
    flat = " ".join(res.out.split())
    assert "[red]Evil" in flat and "(EV) [/x] Odd" in flat


def test_warning_lines_print_file_names_literally(tmp_path, env, cli):
    tpl = tmp_path / "[bold] t.xlsx"
    assert cli("code", "template", str(tpl), "--rows", "2", "--coder", "cat", env=env).code == 0
    res = cli("code", "agreement", str(round_csv(tmp_path / "r.csv", TWO_CODERS)), str(tpl), "--boot", "10", env=env)
    assert res.code == 0, res.err
    assert "warning: [bold] t.xlsx: 2 mismatch row(s) have no category/subcategory pair yet" in " ".join(res.err.split())


def test_wrote_lines_print_paths_literally(tmp_path, env, cli):
    out = tmp_path / "out [" / "x].qdc"
    res = cli("code", "export-qdc", str(out), env=env)
    assert res.code == 0, res.err
    assert f"wrote {out}" in res.out and "[/x]" in str(out)


def test_descriptors_new_wrote_line_on_stderr(tmp_path, tiny_schemas, cli):
    out = tmp_path / "[bold]tm.json"
    res = cli("descriptors", "new", "trained_model", "-o", str(out), quiet=False,
              env={"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert res.code == 0, res.err
    assert f"wrote {out}" in res.err


def test_errors_print_user_text_literally(tmp_path, env, cli):
    rows = [("M21-01", "ann", "[/x]Foo (FO)", "(FO) [bold]Bar")]
    line = one_line_error(cli("code", "agreement", str(round_csv(tmp_path / "r.csv", rows)), env=env))
    assert "[/x]Foo (FO)" in line


def test_error_naming_a_path_with_markup(tmp_path, env, cli):
    line = one_line_error(cli("code", "agreement", str(tmp_path / "no [such] [bold]file.csv"), env=env))
    assert "no [such] [bold]file.csv: file not found" in line


def test_consoles_print_emoji_codes_as_written(capsys):
    from mlmismatch.cli.common import CliState, begin, say

    begin(CliState())
    say("coder :x: said :thumbs_up:")
    assert capsys.readouterr().out.strip() == "coder :x: said :thumbs_up:"


# --------------------------------------------------------------------------------------------
# Personal data in survey cells
# --------------------------------------------------------------------------------------------

EMAIL = "jane.doe.sentinel@example.invalid"


def _survey_error(tmp_path, column: str, value: str) -> str:
    from test_survey import HEADER, load, raw_rows

    from mlmismatch.core.errors import InputError

    raw = raw_rows()
    raw[3][HEADER.index(column)] = value
    with pytest.raises(InputError) as exc:
        load(tmp_path, raw=raw)
    return str(exc.value)


@pytest.mark.parametrize("column", ["Q7_1", "Q17_2", "Q2", "Q3", "Q5", "Q6"])
def test_survey_cells_are_named_not_echoed(column, tmp_path):
    msg = _survey_error(tmp_path, column, f"please write to {EMAIL}")
    assert EMAIL not in msg and "please write" not in msg
    assert f"sheet 'Raw Survey Data', row 4, column " in msg and f"({column}): not one of the answer options" in msg
    assert "; expected one of " in msg and "\n" not in msg


def test_survey_cli_error_holds_no_personal_data(tmp_path, monkeypatch, capsys):
    from test_survey import HEADER, build_survey_workbook, raw_rows, small_codebook

    import mlmismatch.cli.main as cli_main
    from mlmismatch.study import coding as coding_module

    raw = raw_rows()
    raw[2][HEADER.index("Q17_1")] = EMAIL
    build_survey_workbook(tmp_path / "replication-package" / "Survey-Data-Final.xlsx", raw=raw)
    monkeypatch.setenv("MLMISMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(coding_module, "load_codebook", lambda *a, **kw: small_codebook())
    with pytest.raises(SystemExit) as exc:
        cli_main.main(["-q", "survey", "--section", "table2"])
    captured = capsys.readouterr()
    assert exc.value.code == 2
    assert EMAIL not in captured.err + captured.out and len(captured.err.strip().splitlines()) == 1
