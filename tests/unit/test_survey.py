"""The survey loader on small workbooks built here: tidy tables, validated mapping, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlmismatch.study import survey
from mlmismatch.study.codebook import CATEGORY_CODES
from mlmismatch.core.errors import InputError

# --------------------------------------------------------------------------------------------
# A small survey workbook in the Qualtrics export layout (shared with the other test_survey* files)
# --------------------------------------------------------------------------------------------
CODEBOOK_ROWS = [
    ("DE", "Programming Language/ML Framework/Tools/Libraries"),
    ("DE", "Computing Resources"),
    ("TM", "Decisions, Assumptions, Limitations and Constraints"),
    ("TM", "Versioning"),
    ("TD", "Versioning"),
]
#: (short label, long name, question id, item text) — the spellings of the real mapping sheet
MAPPING = [
    ("DE", "Development Environment", "Q7_1", " Programming Language: Programming Language/ML Framework/Tools used"),
    (None, None, "Q7_2", "Computing Resources: Computing resources available in the development environment"),
    ("TM", "Trained Models", "Q17_1", "Decisions: Decisions, assumptions, limitations and constraints"),
    (None, None, "Q17_2", "Versioning: Version information for trained model"),
    ("TD", "Trained Data", "Q19_1", "Versioning: Version information for training data"),
]
TITLES = {"Q7": "Development Environment", "Q17": "Trained Models", "Q19": "Training Data"}
#: Personal data a Qualtrics export may hold: none of it may reach any table, figure or report.
PERSONAL = {
    "StartDate": "2020-09-01 10:11:12",
    "IPAddress": "203.0.113.77",
    "RecipientLastName": "Doe-Sentinel",
    "RecipientEmail": "jane.sentinel@mail.invalid",
    "LocationLatitude": "47.60621337",
    "ResponseId": "R_3SentinelResponseID",
}
FREE_TEXT_SENTINEL = "call Jane Sentinel at 555-0199"
HEADER = (list(PERSONAL) + ["Q1", "Q2", "Q2_4_TEXT", "Q3", "Q3_4_TEXT", "Q4", "Q4_4_TEXT", "Q5", "Q6",
                            "Q7_1", "Q7_2", "Q8", "Q17_1", "Q17_2", "Q18", "Q19_1", "Q20", "Q22"])
A = {"N": "Not Important", "S": "Somewhat Important", "I": "Important", "V": "Very Important", " ": None}
#: affiliation, its Other text, primary role, its Other text, secondary role, years total, years ML, answers
#: to Q7_1 Q7_2 Q17_1 Q17_2 Q19_1, and a free-text comment (Q22)
RESPONDENTS = [
    ("Industry", None, "Data Scientist", None, "Software Engineer", "12 or more", "4-7", "VVISN", None),
    ("Government", None, "Data Scientist", None, None, "4-7", "1-3", "ISVIS", None),
    ("Academia/Research", None, "Data Scientist", None, "Data Scientist", "8-11", "8-11", "VIVVS", None),
    ("Other", "Think Tank", "Software Engineer", None, "Data Scientist", "1-3", "1-3", "SVIVN", FREE_TEXT_SENTINEL),
    ("Industry", None, "Software Engineer", None, "Operations", "12 or more", "12 or more", "VVVII", None),
    ("Industry", None, "Other", "Team Lead", "Other", "12 or more", "4-7", "INSSV", None),
    ("Government", None, "Operations", None, None, "8-11", "4-7", "VVVSI", "great survey"),
]


def small_codebook():
    import pandas as pd

    return pd.DataFrame([{"category_code": c, "category": CATEGORY_CODES[c], "subcategory": s, "description": f"about {s}"}
                         for c, s in CODEBOOK_ROWS])


def question_text(qid: str, text: str) -> str:
    block = qid.split("_")[0]
    return (f"{TITLES[block]}\n\nThis category refers to something. \n\n \n\nPlease indicate how important it is "
            f"to share information about {TITLES[block]}. - {text.strip()}")


def raw_rows(respondents=RESPONDENTS, header=HEADER):
    texts = []
    by_id = {m[2]: m[3] for m in MAPPING}
    for h in header:
        texts.append(question_text(h, by_id[h]) if h in by_id else f"text of {h}")
    rows = [header, texts]
    for aff, aff_other, role, role_other, second, yt, ym, answers, comment in respondents:
        values = dict(PERSONAL)
        values.update({"Q1": "Yes", "Q2": aff, "Q2_4_TEXT": aff_other, "Q3": role, "Q3_4_TEXT": role_other, "Q4": second,
                       "Q5": yt, "Q6": ym, "Q22": comment})
        for (_, _, qid, _), code in zip(MAPPING, answers):
            values[qid] = A[code]
        rows.append([values.get(h) for h in header])
    return rows


def mapping_rows(mapping=MAPPING):
    rows = [[None, "The table below is provided for replication purposes."], [],
            [None, " Short Category Label", "Long Category Name", "Survey Category Subtitle", "Survey Question #",
             "Survey Question Text as shown in survey  (format = Likert scale)"]]
    for label, name, qid, text in mapping:
        rows.append([None, label, name, "subtitle" if label else None, qid, text])
    return rows


def build_survey_workbook(path: Path, *, raw=None, mapping=None, mutate=None, extra_sheets=True) -> Path:
    """Write a small survey workbook (the layout of Survey-Data-Final.xlsx) and return its path."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = survey.RAW_SHEET
    for row in raw_rows() if raw is None else raw:
        ws.append(list(row))
    ws = wb.create_sheet(survey.MAPPING_SHEET)
    for row in mapping_rows() if mapping is None else mapping:
        ws.append(list(row))
    if extra_sheets:  # the free-text sheets of the published workbook, with personal data: never read
        ws = wb.create_sheet("Open Quest  - Q22")
        ws.append(["Name", "Email", "Q22"])
        ws.append([PERSONAL["RecipientLastName"], PERSONAL["RecipientEmail"], FREE_TEXT_SENTINEL])
    if mutate:
        mutate(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def load(tmp_path, **kwargs):
    build_kwargs = {k: kwargs.pop(k) for k in ("raw", "mapping", "mutate") if k in kwargs}
    path = build_survey_workbook(tmp_path / "survey.xlsx", **build_kwargs)
    return survey.load_survey(path, codebook=small_codebook(), **kwargs)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def test_tables_shape_and_types(tmp_path):
    data = load(tmp_path)
    assert list(data.respondents["respondent"]) == [f"R{i:02d}" for i in range(1, 8)]
    assert len(data.items) == 5 and len(data.responses) == 35
    assert data.role_counts() == {"Data Science": 3, "Software Engineering": 2, "Operations + Other": 2}
    assert data.responses["answer"].cat.ordered
    assert list(data.responses["answer"].cat.categories) == list(survey.LEVELS)
    r1 = data.responses[data.responses.respondent == "R01"].set_index("item")
    assert list(r1["answer"]) == ["Very Important", "Very Important", "Important", "Somewhat Important", "Not Important"]
    assert list(r1["score"]) == [4, 4, 3, 2, 1]
    assert list(data.respondents["years_total"].cat.categories) == list(survey.YEARS)
    assert data.respondents["years_total"].cat.ordered


def test_items_mapped_to_codebook_with_listed_aliases(tmp_path):
    data = load(tmp_path)
    items = data.items.set_index("item")
    assert items.loc["Q7_1", "subcategory"] == "Programming Language/ML Framework/Tools/Libraries"
    assert items.loc["Q17_1", "subcategory"] == "Decisions, Assumptions, Limitations and Constraints"
    assert items.loc["Q19_1", ["category_code", "category", "subcategory"]].tolist() == ["TD", "Training Data", "Versioning"]
    assert items.loc["Q17_2", "category"] == "Trained Model"
    assert items.loc["Q7_1", "label"] == "Programming Language"
    assert items.loc["Q17_1", "paper_label"] == "TM: Decisions/Constraints"
    q = data.quality
    aliases = q[q["check"].str.startswith("alias")]
    assert len(aliases) == 4  # 2 subcategory aliases + 2 long category names (Trained Models, Trained Data)
    assert any("Trained Data" in d and "Training Data" in d for d in aliases["detail"])
    assert (q["check"] == "item mapping").any()


def test_identifying_columns_are_never_read(tmp_path):
    data = load(tmp_path)
    skipped = data.quality[data.quality["check"] == "columns not read"]["detail"].iloc[0]
    for column in PERSONAL:
        assert column in skipped
    tables = [data.respondents, data.items, data.responses, data.comments, data.quality]
    text = "\n".join(t.to_csv() for t in tables)
    for value in PERSONAL.values():
        assert value not in text


def test_other_texts_and_comments(tmp_path, monkeypatch):
    from mlmismatch.study import survey

    monkeypatch.setattr(survey, "AFFILIATION_OTHER_GROUPS",
                        {survey._answer_key("think tank"): "Academia/Research Lab"})
    data = load(tmp_path)
    resp = data.respondents.set_index("respondent")
    assert resp.loc["R04", "affiliation"] == "Other" and resp.loc["R04", "affiliation_other"] == "Think Tank"
    assert resp.loc["R04", "affiliation_group"] == "Academia/Research Lab"  # the paper's Fig. 4a grouping
    assert resp.loc["R06", "primary_role_other"] == "Team Lead"
    assert pd_isna(resp.loc["R02", "secondary_role"])
    assert set(data.comments["question"]) == {"Q22"} and len(data.comments) == 2
    assert FREE_TEXT_SENTINEL not in repr(data)  # repr never shows free text


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_role_grouping_is_a_parameter(tmp_path):
    data = load(tmp_path, roles=survey.SEPARATE_ROLES)
    assert data.role_counts() == {"Data Science": 3, "Software Engineering": 2, "Operations": 1, "Other": 1}
    back = data.with_roles(survey.DEFAULT_ROLES)
    assert back.role_counts() == {"Data Science": 3, "Software Engineering": 2, "Operations + Other": 2}
    assert set(back.responses["role"].astype(str)) == set(back.roles)
    custom = {"Data Scientist": "Builders", "Software Engineer": "Builders", "Operations": "Others", "Other": "Others"}
    assert load(tmp_path, roles=custom).role_counts() == {"Builders": 5, "Others": 2}
    with pytest.raises(InputError, match="no group for primary role"):
        load(tmp_path, roles={"Data Scientist": "DS"})


def test_blank_answer_is_missing_and_reported(tmp_path):
    rows = list(RESPONDENTS)
    rows[1] = rows[1][:7] + ("ISV S",) + rows[1][8:]
    raw = raw_rows(rows)
    data = load(tmp_path, raw=raw)
    assert data.responses["score"].isna().sum() == 1
    q = data.quality.set_index("check")
    assert q.loc["missing answers", "status"] == "warning" and "R02/Q17_2" in q.loc["missing answers", "detail"]


def test_answer_spelling_normalized_and_recorded(tmp_path):
    raw = raw_rows()
    raw[2][HEADER.index("Q7_2")] = "very  important"
    data = load(tmp_path, raw=raw)
    assert data.responses.set_index(["respondent", "item"]).loc[("R01", "Q7_2"), "answer"] == "Very Important"
    assert (data.quality["check"] == "normalization: answer").any()


# --------------------------------------------------------------------------------------------
# Bad input: one-line errors naming sheet, row and column
# --------------------------------------------------------------------------------------------
def _col(qid: str) -> str:
    from mlmismatch.core.errors import column_letter

    return column_letter(HEADER.index(qid) + 1)


def test_unknown_answer_label(tmp_path):
    raw = raw_rows()
    raw[4][HEADER.index("Q17_2")] = "Crucial"
    with pytest.raises(InputError) as exc:
        load(tmp_path, raw=raw)
    msg = str(exc.value)
    assert f"sheet 'Raw Survey Data', row 5, column {_col('Q17_2')} (Q17_2)" in msg
    assert "not one of the answer options" in msg and "Crucial" not in msg and "\n" not in msg
    assert "expected one of Not Important, Somewhat Important, Important, Very Important or blank" in msg


def test_unknown_role_label(tmp_path):
    raw = raw_rows()
    raw[3][HEADER.index("Q3")] = "Product Owner"
    with pytest.raises(InputError, match=rf"row 4, column {_col('Q3')} \(Q3\): not one of the answer options") as exc:
        load(tmp_path, raw=raw)
    assert "Product Owner" not in str(exc.value)


def test_question_column_missing_from_mapping(tmp_path):
    header = HEADER + ["Q17_3"]
    raw = raw_rows(header=HEADER)
    raw = [r + [x] for r, x in zip(raw, ["Q17_3", "Trained Models\n\n - Extra: extra"] + ["Important"] * len(RESPONDENTS))]
    assert raw[0] == header
    with pytest.raises(InputError) as exc:
        load(tmp_path, raw=raw)
    from mlmismatch.core.errors import column_letter

    assert f"sheet 'Raw Survey Data', row 1, column {column_letter(len(header))} (Q17_3)" in str(exc.value)
    assert "missing from sheet 'Question Mapping'" in str(exc.value)


def test_mapping_row_without_column(tmp_path):
    mapping = MAPPING + [(None, None, "Q19_2", "Data Statistics: Training data statistics")]
    with pytest.raises(InputError) as exc:
        load(tmp_path, mapping=mapping_rows(mapping))
    msg = str(exc.value)
    assert "sheet 'Question Mapping', row 9, column E (Survey Question #)" in msg
    assert "'Q19_2' has no column" in msg


def test_duplicate_response(tmp_path):
    raw = raw_rows()
    raw.append(list(raw[3]))
    with pytest.raises(InputError, match=r"sheet 'Raw Survey Data', row 10: duplicate response: .* as row 4"):
        load(tmp_path, raw=raw)
    assert len(load(tmp_path, raw=raw, allow_duplicate_rows=True).respondents) == 8


@pytest.mark.parametrize("sheet", [survey.RAW_SHEET, survey.MAPPING_SHEET])
def test_empty_sheet(tmp_path, sheet):
    kwargs = {"raw": []} if sheet == survey.RAW_SHEET else {"mapping": []}
    with pytest.raises(InputError, match=rf"sheet '{sheet}', row 1: empty sheet"):
        load(tmp_path, **kwargs)


def test_no_responses(tmp_path):
    with pytest.raises(InputError, match=r"sheet 'Raw Survey Data', row 3: no responses"):
        load(tmp_path, raw=raw_rows()[:2])


def test_missing_sheet(tmp_path):
    def drop(wb):
        del wb[survey.MAPPING_SHEET]

    with pytest.raises(InputError, match="missing sheet 'Question Mapping'"):
        load(tmp_path, mutate=drop)


def test_unmatched_subcategory_needs_an_alias(tmp_path):
    mapping = [m if m[2] != "Q17_1" else ("TM", "Trained Models", "Q17_1", "Choices: Decisions and constraints") for m in MAPPING]
    with pytest.raises(InputError) as exc:
        load(tmp_path, mapping=mapping_rows(mapping))
    msg = str(exc.value)
    assert "row 6, column F" in msg and "'Choices' matches no codebook subcategory of Trained Model" in msg
    assert "SUBCATEGORY_ALIASES" in msg


def test_subcategory_mapped_twice_or_not_at_all(tmp_path):
    mapping = [m if m[2] != "Q7_2" else (None, None, "Q7_2", "Programming Language: again") for m in MAPPING]
    raw = raw_rows()
    raw[1][HEADER.index("Q7_2")] = question_text("Q7_2", "Programming Language: again")
    with pytest.raises(InputError, match=r"row 5, column F .*already mapped from Q7_1"):
        load(tmp_path, mapping=mapping_rows(mapping), raw=raw)


def test_codebook_subcategory_without_item(tmp_path):
    import pandas as pd

    path = build_survey_workbook(tmp_path / "s.xlsx")
    extra = pd.concat([small_codebook(), pd.DataFrame([{"category_code": "TD", "category": "Training Data",
                                                        "subcategory": "Data Statistics", "description": ""}])])
    with pytest.raises(InputError, match=r"TD 'Data Statistics' not covered by any survey item"):
        survey.load_survey(path, codebook=extra)


def test_long_category_name_must_match_label(tmp_path):
    mapping = [m if m[2] != "Q19_1" else ("TD", "Raw Data", "Q19_1", m[3]) for m in MAPPING]
    with pytest.raises(InputError, match=r"row 8, column C \(Long Category Name\): long category name 'Raw Data'"):
        load(tmp_path, mapping=mapping_rows(mapping))


def test_question_text_must_agree_with_mapping(tmp_path):
    raw = raw_rows()
    raw[1][HEADER.index("Q17_2")] = question_text("Q17_2", "Evaluation Metrics: something else")
    with pytest.raises(InputError, match=rf"row 2, column {_col('Q17_2')} \(Q17_2\): question text"):
        load(tmp_path, raw=raw)


def test_cli_prints_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    from mlmismatch.cli import main as cli
    from mlmismatch.study import coding as coding_module

    raw = raw_rows()
    raw[5][HEADER.index("Q7_1")] = "Crucial"
    build_survey_workbook(tmp_path / "replication-package" / "Survey-Data-Final.xlsx", raw=raw)
    monkeypatch.setenv("MLMISMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(coding_module, "load_codebook", lambda *a, **kw: small_codebook())
    with pytest.raises(SystemExit) as exc:
        cli.main(["-q", "survey", "--section", "table2"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"sheet 'Raw Survey Data', row 6, column {_col('Q7_1')} (Q7_1): not one of the answer options" in err
    assert "Crucial" not in err


def test_cli_survey_runs_on_small_workbook(tmp_path, monkeypatch, capsys):
    from mlmismatch.cli import main as cli
    from mlmismatch.study import coding as coding_module

    build_survey_workbook(tmp_path / "replication-package" / "Survey-Data-Final.xlsx")
    monkeypatch.setenv("MLMISMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(coding_module, "load_codebook", lambda *a, **kw: small_codebook())
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        cli.main(["-q", "survey", "--section", "table2"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "TM: Decisions/Constraints" in out and "n=3" in out
    assert FREE_TEXT_SENTINEL not in out and "Think Tank" not in out


def test_export_tables_leave_free_text_out(tmp_path):
    data = load(tmp_path)
    tables = survey.export_tables(data)
    assert set(tables) == {"survey_respondents", "survey_items", "survey_responses"}
    text = "\n".join(t.to_csv() for t in tables.values())
    assert "Think Tank" not in text and "Team Lead" not in text and FREE_TEXT_SENTINEL not in text
