"""Extending the taxonomy on the real coding workbook: classifier evaluation, merge, and the CLI end to end."""

from __future__ import annotations

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mlmismatch.core import resources

pytestmark = pytest.mark.integration

TEACHING = resources.path("data", "teaching")


def run_cli(args, capsys, monkeypatch):
    from mlmismatch.cli.main import main

    monkeypatch.setenv("COLUMNS", "220")
    with pytest.raises(SystemExit) as exc:
        main(["--quiet", *args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture(scope="module")
def evaluation(coding_data):
    from mlmismatch.extend.suggest import evaluate_study

    return evaluate_study(coding_data, n_splits=5, seed=0)


def test_classifier_grouped_cv_beats_the_majority_baseline(evaluation, coding_data):
    s = evaluation.summary.set_index(["level", "model"])
    clf, base = s.loc[("category", "classifier")], s.loc[("category", "majority baseline")]
    assert clf["macro_f1"] > base["macro_f1"] + 0.3
    assert clf["top1_hit_rate"] > base["top1_hit_rate"]
    assert s.loc[("subcategory", "classifier"), "macro_f1"] > s.loc[("subcategory", "majority baseline"), "macro_f1"]
    # the baseline always predicts Trained Model, the most frequent category
    per = evaluation.per_code
    b = per[(per.level == "category") & (per.model == "majority baseline")].set_index("code")
    assert b.loc["Trained Model", "recall"] == 1.0 and (b.drop(index="Trained Model")["f1"] == 0).all()
    # no interview in two folds; every mismatch tested once
    listed = [int(x) for cell in evaluation.folds["interviews"] for x in cell.split(", ")]
    assert sorted(listed) == list(range(1, 21))
    assert evaluation.folds["n_mismatches"].sum() == len(coding_data.mismatches) == 140


def test_classifier_scores_reproducible_with_a_fixed_seed(evaluation, coding_data):
    from mlmismatch.extend.suggest import evaluate_study

    again = evaluate_study(coding_data, n_splits=5, seed=0)
    pd.testing.assert_frame_equal(evaluation.summary, again.summary)
    pd.testing.assert_frame_equal(evaluation.per_code, again.per_code)


def test_reproduce_step_is_deterministic(coding_data, tmp_path, evaluation):
    from mlmismatch.pipeline.steps import extend as extend_report
    from mlmismatch.pipeline import run as reproduce

    ctx = reproduce.Context(out=tmp_path)
    ctx.__dict__["coding"] = coding_data  # the cached property, pre-filled
    extend_report.step_suggest_evaluation(ctx)
    table = pd.read_csv(tmp_path / "tables" / "suggest_evaluation.csv")
    assert list(table["model"]) == ["classifier", "majority baseline"] * 2
    assert table.loc[0, "macro_f1"] == round(evaluation.summary.loc[0, "macro_f1"], 3)
    md = (tmp_path / "tables" / "suggest_evaluation.md").read_text(encoding="utf-8")
    assert "grouped by interview" in md and "not codes" in md
    # no mismatch text in any output
    texts = [t for t in coding_data.mismatches["description"] if len(t) > 40]
    for f in (tmp_path / "tables").iterdir():
        body = f.read_text(encoding="utf-8")
        assert not any(t[:40] in body for t in texts)


def test_merge_teaching_round_with_the_study(coding_data):
    from mlmismatch.extend.merge import merge
    from mlmismatch.extend.rounds import read_round

    rnd = read_round(TEACHING / "answer_key.csv", coding_data.codebook, extension=TEACHING / "extension.csv")
    m = merge(coding_data, rnd, round_name="teaching", n_perm=999, seed=0)
    assert len(m.instances) == 232 + 14
    cats = m.categories.set_index("category")["n_instances"]
    assert cats["Trained Model"] == 84 + 4 and cats["Human Oversight"] == 1
    assert list(m.instances["category"].cat.categories)[-1] == "Human Oversight"
    unmapped = m.gaps[m.gaps.mapping_status.str.startswith("unmapped")]
    assert set(unmapped.subcategory) == {"Explanation Requirements", "Escalation Procedures"}
    assert len(m.subcategories) == 36
    t = m.test.iloc[0]
    assert 0 < t["p_permutation"] <= 1 and t["n_instances_study"] == 232


def test_teaching_examples_are_marked_and_not_from_the_study(coding_data):
    ex = pd.read_csv(TEACHING / "mismatches.csv")
    assert ex["source"].str.contains("teaching example").all()
    study_texts = set(coding_data.mismatches["description"])
    assert not set(ex["description"]) & study_texts
    assert not set(ex["mismatch_id"]) & set(coding_data.mismatches["mismatch_id"])


# --------------------------------------------------------------------------------------------
# The CLI
# --------------------------------------------------------------------------------------------

def test_cli_template_suggest_agreement_merge(coding_path, tmp_path, capsys, monkeypatch):
    ext = str(TEACHING / "extension.csv")
    a, b = tmp_path / "ann.xlsx", tmp_path / "bob.xlsx"
    code, out, err = run_cli(["code", "template", str(a), "-m", str(TEACHING / "mismatches.csv"), "-e", ext,
                              "--suggest", "--coder", "ann"], capsys, monkeypatch)
    assert code == 0 and "suggestions pre-filled for 8" in out and "not codes" in err
    code, _, _ = run_cli(["code", "template", str(b), "-m", str(TEACHING / "mismatches.csv"), "-e", ext, "--coder", "bob"],
                         capsys, monkeypatch)
    assert code == 0
    # ann confirms the suggestions; bob codes everything as (TM) Versioning
    wb = openpyxl.load_workbook(a)
    ws = wb["Interview 01"]
    for r in range(2, 10):
        ws.cell(row=r, column=12).value = None
    wb.save(a)
    wb = openpyxl.load_workbook(b)
    ws = wb["Interview 01"]
    for r in range(2, 10):
        ws.cell(row=r, column=5).value, ws.cell(row=r, column=6).value = "Trained Model (TM)", "(TM) Versioning"
    wb.save(b)
    code, out, err = run_cli(["code", "agreement", str(a), str(b), "-e", ext, "--boot", "200", "-o", str(tmp_path / "agr")],
                             capsys, monkeypatch)
    assert code == 0, err
    assert "Agreement of 2 coders (ann, bob) on 8 mismatches" in out
    summary = pd.read_csv(tmp_path / "agr" / "agreement.csv")
    assert set(summary["statistic"]) == {"cohen_kappa", "fleiss_kappa", "krippendorff_alpha"}
    dis = pd.read_csv(tmp_path / "agr" / "disagreements.csv")
    assert {"ann", "bob", "decision"} <= set(dis.columns)
    code, out, err = run_cli(["code", "merge", str(a), "-e", ext, "--permutations", "99", "-o", str(tmp_path / "m")],
                             capsys, monkeypatch)
    assert code == 0, err
    assert "chi-square" in out and (tmp_path / "m" / "categories.csv").exists()
    merged = pd.read_csv(tmp_path / "m" / "merged_instances.csv")
    assert "description" not in merged.columns and (merged["round"] == "new").sum() > 0


def test_cli_suggest(coding_path, capsys, monkeypatch):
    code, out, err = run_cli(["suggest", "The edge devices had no GPU and the model was too slow to answer in time"],
                             capsys, monkeypatch)
    assert code == 0
    assert "Suggested category codes" in out and "Operational Environment" in out
    assert "not codes" in err


def test_cli_qda_round_trip(coding_path, coding_data, tmp_path, capsys, monkeypatch):
    from mlmismatch.extend import qda
    from mlmismatch.extend.rounds import read_round

    qdc = tmp_path / "codebook.qdc"
    code, out, _ = run_cli(["code", "export-qdc", str(qdc), "-e", str(TEACHING / "extension.csv")], capsys, monkeypatch)
    assert code == 0 and "36 codes in 8 categories" in out
    assert qda.check_codebook_xml(qdc.read_bytes()) == []
    back = qda.read_qdc(qdc, coding_data.codebook)
    assert len(back) == 36 and (back.origin == "extension").sum() == 2
    rnd = read_round(TEACHING / "answer_key.csv", coding_data.codebook, extension=TEACHING / "extension.csv")
    project = tmp_path / "round.qdpx"
    project.write_bytes(qda.project_qdpx(rnd))
    assert qda.check_project_xml(zipfile.ZipFile(project).read("project.qde")) == []
    tidy = tmp_path / "tidy.csv"
    code, out, _ = run_cli(["code", "import-qdpx", str(project), str(tidy), "-e", str(TEACHING / "extension.csv")],
                           capsys, monkeypatch)
    assert code == 0
    df = pd.read_csv(tidy)
    assert len(df) == 14 and set(df.coder) == {"answer key"} and "description" not in df.columns


def test_cli_bad_input_exits_2_with_one_line(coding_path, tmp_path, capsys, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("mismatch_id,coder,category,subcategory\nM21-01,ann,Trained Model (TM),(OE) Computing Resources\n",
                   encoding="utf-8")
    code, _, err = run_cli(["code", "agreement", str(bad)], capsys, monkeypatch)
    assert code == 2
    line = " ".join(err.split())
    assert line.startswith("error: bad.csv, row 2, column 'subcategory': subcategory '(OE) Computing Resources' belongs to")
    assert "Traceback" not in err
    nocoder = tmp_path / "nocoder.csv"
    nocoder.write_text("mismatch_id,category,subcategory\nM21-01,TM,Versioning\n", encoding="utf-8")
    code, _, err = run_cli(["code", "agreement", str(nocoder)], capsys, monkeypatch)
    assert code == 2 and "missing column 'coder'" in err
    single = tmp_path / "single.csv"
    single.write_text("mismatch_id,coder,category,subcategory\nM21-01,ann,TM,Versioning\nM21-01,bob,TM,Versioning\n"
                      "M21-02,ann,TP,Task\n", encoding="utf-8")
    code, out, err = run_cli(["code", "agreement", str(single), "--boot", "50"], capsys, monkeypatch)
    assert code == 0
    assert "1 mismatch(es) coded by a single coder are treated as missing" in " ".join(err.split())
    code, _, err = run_cli(["code", "merge", str(single)], capsys, monkeypatch)
    assert code == 2 and "the round has 2 coders" in err


def test_vectorised_agreement_equals_libraries_on_real_like_data(coding_data):
    """Two synthetic coders derived from the study's codes (one perturbed): libraries and bootstrap agree."""
    from mlmismatch.extend.agreement import agreement
    from mlmismatch.extend.rounds import study_round

    rnd = study_round(coding_data)
    a = rnd.codings.assign(coder="a")
    rng = np.random.default_rng(0)
    b = rnd.codings.assign(coder="b")
    flip = rng.random(len(b)) < 0.2
    b.loc[flip, ["category_code", "category", "subcategory"]] = ["OE", "Operational Environment", "Computing Resources"]
    b = b.drop_duplicates(["mismatch_id", "category_code", "subcategory"])
    res = agreement(pd.concat([a, b]), rnd.codebook, levels=("category",), n_boot=200, seed=0)
    s = res.summary
    ok = s.dropna(subset=["estimate", "ci_low"])
    assert len(ok) > 0 and ((ok.ci_low <= ok.estimate + 1e-9) & (ok.estimate <= ok.ci_high + 1e-9)).mean() > 0.9
    overall = s[(s.scope == "overall")].set_index("statistic")["estimate"]
    assert 0.5 < overall["krippendorff_alpha"] < 1 and abs(overall["cohen_kappa"] - overall["fleiss_kappa"]) < 0.01


def test_new_subcategories_flow_into_the_mapping_gap_analysis(coding_data, sei_schemas_dir):
    from mlmismatch.mapping import matrix as mapping
    from mlmismatch.descriptors import schemas
    from mlmismatch.extend.merge import UNMAPPED_REASON, mapping_gaps, merge
    from mlmismatch.extend.rounds import read_round

    rnd = read_round(TEACHING / "answer_key.csv", coding_data.codebook, extension=TEACHING / "extension.csv")
    m = merge(coding_data, rnd, round_name="teaching", n_perm=9)
    attrs = schemas.attributes()
    gaps = mapping_gaps(m, mapping.load_default(coding_data).attributes, attrs)
    new = gaps[gaps.origin == "extension"]
    assert set(new.subcategory) == {"Explanation Requirements", "Escalation Procedures"}
    assert set(new.version) == {"1.0", "1.1", "1.2"} and (new.reason == UNMAPPED_REASON).all()
    # the study's own rows are what the mapping's gap analysis says without the new round
    study_only = mapping.gap_uncovered_subcategories(mapping.load_default(coding_data).attributes, coding_data.codebook,
                                                     coding_data.instances, attrs)
    assert len(gaps[gaps.origin == "study"]) == len(study_only)
