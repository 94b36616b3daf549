"""The classroom workflow end to end: a template workbook per student, the teacher's class report.

Three students code the eight teaching examples in the workbook ``code template --teaching`` writes
for them; the teacher runs ``code agreement --teaching`` on the class and gets a per-student summary
and the codes the class found hardest.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from mlmismatch.core import resources

pytestmark = pytest.mark.integration

TEACHING = resources.path("data", "teaching")
CATEGORY_LABELS = {"Task and Purpose": "TP", "Raw Data": "RD", "Trained Model": "TM", "Training Data": "TD",
                   "Development Environment": "DE", "Operational Data": "OD", "Operational Environment": "OE",
                   "Human Oversight (HO)": "HO"}
NAMES = {"TP": "Task and Purpose", "RD": "Raw Data", "TM": "Trained Model", "TD": "Training Data",
         "DE": "Development Environment", "OD": "Operational Data", "OE": "Operational Environment",
         "HO": "Human Oversight"}


def _key() -> dict[str, list[tuple[str, str]]]:
    key = pd.read_csv(TEACHING / "answer_key.csv")
    out: dict[str, list[tuple[str, str]]] = {}
    for m, c, s in zip(key.mismatch_id, key.category, key.subcategory):
        out.setdefault(m, []).append((CATEGORY_LABELS[c], s))
    return out


def _fill(path, codes: dict[str, list[tuple[str, str]]]) -> None:
    """Code the workbook as a student would: pick labels from the drop-down lists."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Interview 01"]
    for r in range(2, ws.max_row + 1):
        for p, (code, sub) in enumerate(codes.get(ws.cell(row=r, column=1).value, [])):
            ws.cell(row=r, column=5 + 2 * p).value = f"{NAMES[code]} ({code})"
            ws.cell(row=r, column=6 + 2 * p).value = f"({code}) {sub}"
    wb.save(path)


def test_class_codes_templates_and_teacher_gets_the_class_report(cli, coding_path, tmp_path):
    key = _key()
    ann = key                                                          # codes like the key
    bob = {m: [p for p in pairs if p != ("TM", "Evaluation Metrics")] for m, pairs in key.items()}  # misses one code
    cem = {m: [p for p in pairs if p[0] != "HO" and p != ("TD", "Versioning")] for m, pairs in key.items()}
    cem["T01-05"] = [("TD", "Data Statistics")]                        # and one wrong code
    folder = tmp_path / "class"
    for name, codes in {"ann": ann, "bob": bob, "cem": cem}.items():
        result = cli("code", "template", folder / f"{name}.xlsx", "--teaching", "--coder", name, env={"COLUMNS": "220"})
        assert result.code == 0, result.err
        assert "8 mismatch rows, 36 codes, 2 from the extension" in result.out
        _fill(folder / f"{name}.xlsx", codes)

    result = cli("code", "agreement", *sorted(folder.glob("*.xlsx")), "--teaching", "--boot", "100",
                 "--out", tmp_path / "report", env={"COLUMNS": "220"})
    assert result.code == 0, result.err
    assert "Each student against the answer key 'answer key'" in result.out
    assert "codes the class found hardest" in result.out
    assert "Agreement of 3 students (ann, bob, cem) on 8 mismatches" in result.out

    students = pd.read_csv(tmp_path / "report" / "class_students.csv").set_index(["student", "level"])
    sub = students.xs("subcategory", level="level")
    assert sub.loc["ann", ["n_mismatches", "n_exact", "n_missed", "n_extra"]].tolist() == [8, 8, 0, 0]
    assert sub.loc["ann", "cohen_kappa"] == pytest.approx(1.0)
    assert sub.loc["bob", ["n_exact", "n_matched", "n_missed", "n_extra"]].tolist() == [7, 13, 1, 0]
    # cem misses (TD) Versioning, (RD) Anonymization and (HO) Escalation Procedures, adds (TD) Data Statistics
    assert sub.loc["cem", ["n_exact", "n_missed", "n_extra"]].tolist() == [5, 3, 1]
    assert sub.loc["ann", "cohen_kappa"] > sub.loc["bob", "cohen_kappa"] > sub.loc["cem", "cohen_kappa"]

    codes = pd.read_csv(tmp_path / "report" / "class_codes.csv")
    ranked = codes[codes.level == "subcategory"].sort_values("hardness_rank")
    # four codes each missed by one student of three (F1 = 2*2 / (2*2 + 1) = 0.8), ties broken by name;
    # then (TD) Data Statistics: found by all three in T01-07, but once given where the key has another code
    assert ranked["code"].head(5).tolist() == ["(HO) Escalation Procedures", "(RD) Anonymization", "(TD) Versioning",
                                              "(TM) Evaluation Metrics", "(TD) Data Statistics"]
    assert ranked["f1"].head(4).tolist() == pytest.approx([0.8] * 4)
    assert ranked.iloc[4]["f1"] == pytest.approx(6 / 7)
    assert ranked.iloc[4][["n_found", "n_extra", "n_students_missed"]].tolist() == [3, 1, 0]
    mism = pd.read_csv(tmp_path / "report" / "class_mismatches.csv").set_index("mismatch_id")
    assert mism.loc["T01-01", "most_common_miss"] == "(TM) Evaluation Metrics (1 of 3)"
    dis = pd.read_csv(tmp_path / "report" / "disagreements.csv")
    assert {"ann", "bob", "cem", "answer key", "decision"} <= set(dis.columns)
    assert (tmp_path / "report" / "agreement.csv").exists()


def test_key_file_must_hold_one_coder(cli, coding_path, tmp_path):
    two = tmp_path / "key.csv"
    pd.DataFrame([{"mismatch_id": "T01-01", "coder": c, "category": "Trained Model", "subcategory": "Versioning"}
                  for c in ("a", "b")]).to_csv(two, index=False)
    student = tmp_path / "s.csv"
    pd.DataFrame([{"mismatch_id": "T01-01", "coder": "s", "category": "Trained Model", "subcategory": "Versioning"}]
                 ).to_csv(student, index=False)
    result = cli("code", "agreement", student, "--key", two)
    assert result.code == 2
    assert "key.csv: the answer key holds the codes of a, b" in result.err
