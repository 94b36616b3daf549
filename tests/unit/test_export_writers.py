"""Atomic writers, deterministic figures, and the Frictionless data package export."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from builders import build_coding_workbook

from mlmismatch.study import coding
from mlmismatch.study import export
from mlmismatch.core import writers


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with writers.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    writers.write_text(target, "done")
    assert target.read_text() == "done\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_figures_are_byte_identical(tmp_path):
    import matplotlib.pyplot as plt

    def draw():
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [1, 2])
        return fig

    a = writers.save_figure(draw(), tmp_path / "a")
    b = writers.save_figure(draw(), tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.suffix


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return coding.load_coding(path=build_coding_workbook(tmp_path_factory.mktemp("c") / "c.xlsx"))


def test_csv_package_validates_with_frictionless(tmp_path, data):
    frictionless = pytest.importorskip("frictionless")
    path = export.export_package(export.coding_tables(data), tmp_path / "pkg", fmt="csv")
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    desc = json.loads(path.read_text())
    assert [r["name"] for r in desc["resources"]] == ["codebook", "mismatches", "instances", "quality"]
    inst = next(r for r in desc["resources"] if r["name"] == "instances")
    assert inst["schema"]["primaryKey"] == ["mismatch_id", "position"]
    assert {"fields": ["mismatch_id"], "reference": {"resource": "mismatches", "fields": ["mismatch_id"]}} in inst["schema"]["foreignKeys"]


def test_frictionless_catches_a_broken_foreign_key(tmp_path, data):
    frictionless = pytest.importorskip("frictionless")
    path = export.export_package(export.coding_tables(data), tmp_path / "pkg", fmt="csv")
    csv = tmp_path / "pkg" / "instances.csv"
    csv.write_text(csv.read_text().replace("M01-01", "M99-99", 1))
    assert not frictionless.validate(str(path)).valid


def test_parquet_package_round_trips(tmp_path, data):
    import pandas as pd

    path = export.export_package(export.coding_tables(data, text=False), tmp_path / "pq", fmt="parquet")
    desc = json.loads(path.read_text())
    assert all(r["format"] == "parquet" for r in desc["resources"])
    back = pd.read_parquet(tmp_path / "pq" / "mismatches.parquet")
    assert len(back) == 5 and "description" not in back.columns


def test_export_cli(tmp_path):
    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    build_coding_workbook(folder / "Mismatch-Open-Coding-Final.xlsx")
    proc = subprocess.run([sys.executable, "-m", "mlmismatch", "--data-dir", str(tmp_path / "data"), "-q", "export",
                           str(tmp_path / "out"), "--format", "csv"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    desc = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    # no survey workbook in the data folder: the coding tables only
    assert [r["name"] for r in desc["resources"]] == ["codebook", "mismatches", "instances", "quality"]
    with open(tmp_path / "out" / "mismatches.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 5  # the builder's 5 mismatches
    bad = subprocess.run([sys.executable, "-m", "mlmismatch", "--data-dir", str(tmp_path / "data"), "-q", "export",
                          str(tmp_path / "out2"), "--format", "xls"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown format 'xls'" in bad.stderr and "Traceback" not in bad.stderr


def test_an_optional_answer_left_empty_validates_and_a_value_outside_the_choices_does_not(tmp_path):
    import frictionless  # a dev dependency: never skipped
    import pandas as pd

    choices = ["Data Scientist", "Software Engineer", "Other"]
    people = pd.DataFrame({"respondent": ["R01", "R02", "R03"],
                           "primary_role": pd.Categorical(["Data Scientist", "Other", "Software Engineer"], categories=choices),
                           "secondary_role": pd.Categorical(["Software Engineer", None, None], categories=choices)})
    path = export.export_package({"survey_respondents": people}, tmp_path / "pkg", fmt="csv")
    fields = {f["name"]: f for f in json.loads(path.read_text())["resources"][0]["schema"]["fields"]}
    assert fields["primary_role"]["constraints"] == {"required": True, "enum": choices}
    assert fields["secondary_role"]["constraints"] == {"enum": choices}  # empty where nobody answered
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    csv = tmp_path / "pkg" / "survey_respondents.csv"
    csv.write_text(csv.read_text().replace("R02,Other,", "R02,Other,Manager", 1))
    assert not frictionless.validate(str(path)).valid
