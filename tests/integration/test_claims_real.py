"""The paper's claims on the real data: a sample of each kind, and the replication report."""

from __future__ import annotations

import csv
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def results(coding_data, survey_data):
    from mlmismatch.replication import claims

    tables = claims.Tables(coding=coding_data, survey=survey_data)
    return claims.reproduce_claims(tables).set_index("claim_id")


def _row(results, cid):
    return results.loc[cid]


def test_every_claim_gets_a_status(results):
    from mlmismatch.replication import claims

    assert set(results["status"]) <= set(claims.STATUSES)
    assert len(results) == len(claims.load_claims())
    assert (results.loc[results.status == "reproduced", "reproduced"] != "").all()


@pytest.mark.parametrize("cid, published, reproduced", [
    ("text.s3a.total_mismatches", "140", "140"),
    ("text.s3a.total_instances", "232", "232"),
    ("text.s2.n_interviews", "20", "20"),
    ("text.s3b.n_respondents", "31", "31"),
    ("text.s8.n_subcategories", "34", "34"),
    ("fig2.trained_model.share", "36%", "36.2%"),
    ("table2.TM.api_specifications.data_science.count", "14", "14"),
    ("table2.TM.api_specifications.data_science.pct", "88%", "87.5%"),
    ("fig5.TD.versioning.somewhat_important.count", "12", "12"),
    ("text.s4.oe_runtime.count", "20", "20"),
])
def test_numbers_reproduced(results, cid, published, reproduced):
    row = _row(results, cid)
    assert (row.published, row.reproduced, row.status) == (published, reproduced, "reproduced")


def test_half_way_table2_cell_accepts_the_printed_neighbour(results):
    assert "both accepted" in _row(results, "table2.TM.api_specifications.data_science.pct").note  # 14/16 = 87.5%


@pytest.mark.parametrize("cid, reproduced", [
    ("text.s4.tm_top_item.data_science", "Evaluation Metrics"),
    ("text.s4.oe_runtime.most_not_important", "Runtime Metrics and Data"),
    ("text.s4.tm_top_subcategories", "Test Cases and Data; API/Specifications"),
    ("text.s6.majority_data_scientists.survey", "Data Science"),
])
def test_qualitative_reproduced(results, cid, reproduced):
    row = _row(results, cid)
    assert (row.reproduced, row.status) == (reproduced, "reproduced")


def test_fig1_is_not_reproducible(results):
    row = _row(results, "fig1.role.data_science.share")
    assert row.status == "not_reproducible" and row.reproduced == ""
    assert "interviewee demographics" in row.note


def test_figure5_and_table2_agree_with_the_data_entirely(results):
    """The transcription of Fig. 5 (bar lengths) and Table II is consistent with the survey data."""
    sub = results[results.index.str.startswith(("fig5.", "table2."))]
    assert len(sub) == 34 * 4 + 34 * 3 * 2 + 3
    assert (sub.status == "reproduced").all(), sub[sub.status != "reproduced"].index.tolist()


def test_known_differences_and_their_explanations(results):
    oe = _row(results, "fig3.operational_environment.runtime_metrics_and_data.share")
    assert oe.status == "differs" and oe.reproduced == "52.6%"
    assert "matches a denominator of 37 instead of 38" in oe.note
    assert "'Computing Resources' had 12 instead of 13" in oe.note
    de = _row(results, "text.s4.de_programming_language.count")
    assert (de.published, de.reproduced, de.status) == ("9", "10", "differs")
    assert "which all match 9 instances" in de.note
    meta = _row(results, "text.s4.rd_metadata.vi_i_pct")
    assert meta.status == "differs" and "matches a denominator of 32 instead of 31" in meta.note
    role = _row(results, "fig4.role.data_science.share")
    assert role.status == "differs" and "'Operations + Other' had 1 instead of 5" in role.note
    assert _row(results, "text.s4.td_dpp.higher_by_se").reproduced == "Data Science"


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2, self.h3, self.tables, self.imgs, self.differs_rows = [], [], 0, 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h2", "h3"):
            getattr(self, tag).append(a.get("id"))
        elif tag == "table":
            self.tables += 1
        elif tag == "img" and a.get("src", "").startswith("data:image/png;base64,"):
            self.imgs += 1
        elif tag == "tr" and a.get("class") == "differs":
            self.differs_rows += 1


def _report(out, coding_data, survey_data):
    from mlmismatch.pipeline.context import Context
    from mlmismatch.pipeline.steps import report

    ctx = Context(out=out)  # its store finds and records the workbooks (provenance in the report)
    report.step_report(ctx)
    return ctx


def test_html_report(tmp_path_factory, coding_data, survey_data, results):
    a = _report(tmp_path_factory.mktemp("report_a"), coding_data, survey_data)
    b = _report(tmp_path_factory.mktemp("report_b"), coding_data, survey_data)
    assert set(a.written) == {"claims.csv", "replication_report.md", "replication_report.html",
                              "figures/claims_status.png", "figures/claims_percent_scatter.png"}
    for rel in a.written:
        assert (a.out / rel).read_bytes() == (b.out / rel).read_bytes(), rel

    with open(a.out / "claims.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["claim_id", "location", "description", "published", "reproduced", "status", "note"]
    assert len(rows) - 1 == len(results)

    page = (a.out / "replication_report.html").read_text(encoding="utf-8")
    outline = _Outline()
    outline.feed(page)
    assert outline.h2 == ["summary", "sections", "data-quality", "provenance"]
    assert {"section-fig1", "section-fig2", "section-fig3", "section-fig4", "section-fig5", "section-table2",
            "section-text", "quality-coding-workbook", "quality-survey-workbook"} <= set(outline.h3)
    # summary, differences, 7 sections, 2 quality tables, provenance
    assert outline.tables >= 12
    assert outline.imgs >= 2
    assert outline.differs_rows == 2 * int((results.status == "differs").sum())  # summary list + its section
    assert "525df6af9130cb36" in page  # the coding workbook's SHA-256 in the provenance
    assert "/work/" not in page
    texts = [t for t in coding_data.mismatches["description"].dropna().astype(str) if len(t) > 40]
    assert texts and not any(t in page for t in texts)  # ids and codes only, never the mismatch texts
