"""The survey workbook as published: respondents, roles, every cell of Table II, Fig. 4, and the extensions."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from mlmismatch.study import survey
from mlmismatch.analyses import survey_stats as ss
from mlmismatch.core.numbers import round_half_up

pytestmark = pytest.mark.integration

ROLES = ["Data Science", "Software Engineering", "Operations + Other"]

#: Table II of the paper (WAIN 2021, p. 5), transcribed: label, then VI+I and % for DS, SE, Ops + Other.
PAPER_TABLE2 = """
DE: Programming Language          11  69  8  80 5 100
DE: Up & Down Components          14  88 10 100 4  80
DE: Computing Resources           11  69  9  90 5 100
DE: Dev. & Integ. Timelines       14  88  9  90 5 100
OD: Data Statistics               15  94 10 100 4  80
OD: Data Pipelines                15  94  8  80 5 100
OD: Data Sources                  14  88  9  90 5 100
OD: Data Syntax & Seman.          16 100 10 100 5 100
OD: Data Rates                    11  69 10 100 4  80
OE: Runtime Metrics               13  81  9  90 3  60
OE: Computing Resources           14  88 10 100 5 100
OE: Model Inference Time          14  88 10 100 5 100
RD: Metadata                      14  88  9  90 3  60
RD: Data Dictionary               16 100 10 100 4  80
RD: Proxy Data                    14  88  9  90 4  80
RD: Restrictions                  15  94 10 100 4  80
RD: Anonymization                 14  88  9  90 5 100
TP: Business Goals                16 100  9  90 5 100
TP: Success Criteria              15  94 10 100 5 100
TP: Task                          15  94 10 100 5 100
TP: Usage Context                 15  94 10 100 5 100
TP: Data Rights & Policies        15  94 10 100 4  80
TM: Test Cases & Data             14  88 10 100 4  80
TM: API/Specifications            14  88  9  90 4  80
TM: Decisions/Constraints         15  94 10 100 5 100
TM: Output Interpretation         15  94 10 100 5 100
TM: Programming Language          11  69  7  70 4  80
TM: Evaluation Metrics            16 100  8  80 5 100
TM: Versioning                    14  88  8  80 4  80
TM: System Configuration          12  75  7  70 5 100
TM: Data Buffering                14  88  8  80 4  80
TD: Data Preparation Pipelines    15  94  9  90 4  80
TD: Data Statistics               13  81  9  90 3  60
TD: Versioning                    12  75  5  50 2  40
"""


def paper_table2() -> list[tuple[str, list[int]]]:
    rows = []
    for line in PAPER_TABLE2.strip().splitlines():
        parts = line.split()
        rows.append((" ".join(parts[:-6]), [int(x) for x in parts[-6:]]))
    return rows


def test_respondents_and_roles(survey_data):
    assert len(survey_data.respondents) == 31
    assert survey_data.respondents["respondent"].is_unique
    assert survey_data.role_counts() == {"Data Science": 16, "Software Engineering": 10, "Operations + Other": 5}
    primary = survey_data.respondents["primary_role"].value_counts().to_dict()
    assert primary == {"Data Scientist": 16, "Software Engineer": 10, "Other": 4, "Operations": 1}
    assert len(survey_data.items) == 34 and len(survey_data.responses) == 31 * 34
    assert survey_data.responses["answer"].notna().all()
    assert survey_data.responses["answer"].value_counts().to_dict() == {
        "Very Important": 664, "Important": 268, "Somewhat Important": 100, "Not Important": 22}


def test_items_map_one_to_one_onto_the_codebook(survey_data, coding_data):
    items = survey_data.items
    keys = set(zip(items["category"].astype(str), items["subcategory"]))
    assert keys == set(zip(coding_data.codebook["category"].astype(str), coding_data.codebook["subcategory"]))
    assert len(keys) == 34
    q = survey_data.quality
    aliases = q[q["check"] == "alias: subcategory"]["detail"].tolist()
    assert len(aliases) == 3  # DE and TM 'Programming Language', TM 'Decisions'
    assert (q["check"] == "normalization: subcategory").sum() == 1  # 'Success criteria'
    assert (q["check"] == "alias: category name").sum() == 2  # 'Trained Models', 'Trained Data'
    skipped = q[q["check"] == "columns not read"]["detail"].iloc[0]
    assert "StartDate" in skipped and "RecordedDate" in skipped


def test_every_cell_of_table2(survey_data):
    t2 = ss.important_by_role(survey_data.responses, survey_data.items)
    assert list(dict.fromkeys(t2["role"])) == ROLES
    paper = paper_table2()
    assert list(dict.fromkeys(t2["paper_label"])) == [label for label, _ in paper]
    cells = t2.set_index(["paper_label", "role"])
    for label, values in paper:
        for k, (role, n_role) in enumerate(zip(ROLES, (16, 10, 5))):
            row = cells.loc[(label, role)]
            assert int(row["n_important"]) == values[2 * k], (label, role)
            assert int(row["n_respondents"]) == n_role, (label, role)
            assert int(round_half_up(row["pct"])) == values[2 * k + 1], (label, role)


def test_table2_agrees_with_the_workbooks_own_sheet(survey_path, survey_data):
    """Cross-check only: the authors' aggregate sheet is read here, never to produce results."""
    import openpyxl

    wb = openpyxl.load_workbook(survey_path, read_only=True, data_only=True)
    try:
        rows = list(wb["Table - Questions by Role"].iter_rows(min_row=5, max_row=38, min_col=2, max_col=8, values_only=True))
    finally:
        wb.close()
    t2 = ss.important_by_role(survey_data.responses, survey_data.items).set_index(["paper_label", "role"])
    disagreements = []
    for label, *vals in rows:
        for k, role in enumerate(ROLES):
            ours = t2.loc[(label.strip(), role)]
            if int(ours["n_important"]) != int(vals[2 * k]) or abs(ours["pct"] / 100 - float(vals[2 * k + 1])) > 1e-9:
                disagreements.append((label, role, int(ours["n_important"]), vals[2 * k]))
    assert len(rows) == 34 and not disagreements


def test_fig4_demographics(survey_data):
    d = ss.demographics(survey_data.respondents)
    counts = {(r.variable, r.value): r.n for r in d.itertuples()}
    assert {k[1]: v for k, v in counts.items() if k[0] == "affiliation" and v} == {
        "Industry": 20, "Government": 8, "Academia/Research Lab": 3}  # paper: 64%, 26%, 10%
    assert {k[1]: v for k, v in counts.items() if k[0] == "years_total"} == {"1-3": 2, "4-7": 7, "8-11": 7, "12 or more": 15}
    assert {k[1]: v for k, v in counts.items() if k[0] == "years_ml"} == {"1-3": 8, "4-7": 12, "8-11": 5, "12 or more": 6}
    paper_pct = {("affiliation", "Industry"): 64, ("affiliation", "Government"): 26,
                 ("affiliation", "Academia/Research Lab"): 10, ("years_total", "1-3"): 6, ("years_total", "4-7"): 23,
                 ("years_total", "8-11"): 23, ("years_total", "12 or more"): 48, ("years_ml", "1-3"): 26,
                 ("years_ml", "4-7"): 39, ("years_ml", "8-11"): 16, ("years_ml", "12 or more"): 19}
    # Fig. 4 a, c, d: the pie labels are integer percentages summing to 100 (largest remainder):
    # Industry 20/31 = 64.5 % is shown as 64 %, not 65 %
    pct_int = {(r.variable, r.value): r.pct_int for r in d.itertuples()}
    assert {k: pct_int[k] for k in paper_pct} == paper_pct
    # Fig. 4b disagrees with Table II's n: it reads 59% / 37% / 4%, which is 16/27, 10/27, 1/27 —
    # the 4 'Other' respondents left out although the legend says 'Operations + Other' (5 of 31).
    role = {r.value: r.n for r in d[d.variable == "role"].itertuples()}
    assert role == {"Data Science": 16, "Software Engineering": 10, "Operations + Other": 5}
    primary = survey_data.respondents["primary_role"].value_counts().to_dict()
    assert primary == {"Data Scientist": 16, "Software Engineer": 10, "Operations": 1, "Other": 4}
    without_other = sum(n for r, n in primary.items() if r != "Other")
    shares = [round_half_up(100 * primary[r] / without_other)
              for r in ("Data Scientist", "Software Engineer", "Operations")]
    assert without_other == 27 and [int(x) for x in shares] == [59, 37, 4]


def test_interviews_and_survey_disagree_where_the_paper_says(survey_data, coding_data):
    per, summary = ss.interviews_vs_survey(coding_data.instances, survey_data.responses, survey_data.items)
    assert per["n_instances"].sum() == 232
    top = per.sort_values("disagreement_rank").head(5)["paper_label"].tolist()
    assert "OE: Runtime Metrics" in top and "OD: Data Syntax & Seman." in top
    rm = per.set_index("paper_label").loc["OE: Runtime Metrics"]
    assert rm["n_instances"] == 20 and rm["rank_gap"] < 0
    s = summary.iloc[0]
    assert s["rho_ci_low"] <= s["spearman_rho"] <= s["rho_ci_high"]


def test_role_analyses_on_real_data(survey_data):
    kw = ss.role_differences(survey_data.responses, survey_data.items)
    assert len(kw) == 34 and (kw["n"] == 31).all() and (kw["n_operations_other"] == 5).all()
    assert kw["caveat"].str.contains("Operations \\+ Other n=5").all()
    # README: "After Holm correction, no item's ratings differ significantly between roles."
    assert not kw["significant"].any() and (kw["p_holm"] >= 0.05).all()
    pw = ss.pairwise_role_differences(survey_data.responses, survey_data.items)
    assert len(pw) == 34 * 3 and pw["cliffs_delta"].between(-1, 1).all()
    rc = ss.role_rank_agreement(survey_data.responses, survey_data.items)
    assert len(rc) == 3
    # README: "Data Science and Software Engineering rank the items alike (rho ~ 0.60)."
    ds_se = rc[(rc["role_a"] == "Data Science") & (rc["role_b"] == "Software Engineering")].iloc[0]
    assert ds_se["n_items"] == 34 and ds_se["spearman_rho"] == pytest.approx(0.6003, abs=5e-4)
    # bootstrapped over respondents: the resampled item means are noisier, so the percentile interval
    # sits below rho (README); for Data Science and Software Engineering it still excludes 0
    assert ((rc["rho_ci_low"] <= rc["spearman_rho"]) & (rc["rho_ci_low"] < rc["rho_ci_high"])).all()
    assert 0 < ds_se["rho_ci_low"] < ds_se["rho_ci_high"] < ds_se["spearman_rho"] + 0.05
    assert "respondents" in ds_se["ci_method"]


def test_reproduce_steps_write_contract_files_without_free_text(survey_data, coding_data, tmp_path):
    from mlmismatch.pipeline import run as reproduce
    from mlmismatch.pipeline.steps import survey as survey_report

    ctx = reproduce.Context(out=tmp_path)
    ctx.__dict__["survey"] = survey_data
    ctx.__dict__["coding"] = SimpleNamespace(instances=coding_data.instances)
    for step in survey_report.STEPS:
        step.run(ctx)
    t2 = pd.read_csv(tmp_path / "tables/table2_important_by_role.csv")
    assert list(t2.columns) == ["category", "subcategory", "role", "n_important", "n_respondents", "pct"]
    assert len(t2) == 102 and set(t2["role"]) == set(ROLES) and t2["n_important"].sum() == 932
    for rel in ("tables/table2_important_by_role.md", "tables/table2_important_by_role.tex",
                "tables/survey_demographics.csv", "tables/survey_distribution.csv", "figures/fig4_demographics.png",
                "figures/fig5_distribution.pdf", "figures/interviews_vs_survey.png"):
        assert (tmp_path / rel).is_file(), rel
    free = [t for t in survey_data.comments["text"] if len(t) >= 12]
    free += [t for c in ("affiliation_other", "primary_role_other", "secondary_role_other")
             for t in survey_data.respondents[c].dropna() if len(t) >= 5]
    assert free
    for path in tmp_path.rglob("*"):
        if path.suffix in {".csv", ".md", ".tex"}:
            text = path.read_text(encoding="utf-8")
            assert not [t for t in free if t in text], path.name


def test_cli_survey(survey_path, capsys, monkeypatch):
    from mlmismatch.cli import main as cli

    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        cli.main(["-q", "survey", "--section", "table2"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "TD: Versioning" in out and "n=16" in out and "caveat" in out
    assert survey.LEVELS  # the module is importable from the CLI run
