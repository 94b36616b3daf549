"""Claims: rounding rules, explanation search, status logic on tiny made-up tables, CSV validation."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from builders import build_coding_workbook

from mlmismatch.replication import claims as cl
from mlmismatch.study import coding
from mlmismatch.core.errors import InputError

# --------------------------------------------------------------------------------------------
# Rounding
# --------------------------------------------------------------------------------------------


def test_integer_percent_rounds_half_up_and_accepts_both_neighbours_at_exactly_half():
    assert cl.rounded_candidates(Fraction(100 * 7, 8)) == {87, 88}  # 87.5% exactly
    assert cl.percent_matches(88, Fraction(100 * 7, 8)) and cl.percent_matches(87, Fraction(100 * 7, 8))
    assert cl.rounded_candidates(Fraction(100 * 84, 232)) == {36}  # 36.2%
    assert not cl.percent_matches(64, Fraction(100 * 20, 31))  # 64.516% prints as 65%, not 64%
    assert cl.percent_matches(65, Fraction(100 * 20, 31))
    assert not cl.percent_matches(87, Fraction(8751, 100))  # 87.51 is not a half: only 88


def test_one_decimal_percent():
    assert cl.rounded_candidates(Fraction(100 * 1, 3), 1) == {Fraction(333, 10)}
    assert cl.percent_matches(Fraction("12.5"), Fraction(25, 2), 1)
    assert cl.rounded_candidates(Fraction(1225, 100), 1) == {Fraction("12.2"), Fraction("12.3")}


def test_parse_number():
    assert cl.parse_number("36%") == 36
    assert cl.parse_number("140") == 140
    assert cl.parse_number("three") == 3 and cl.parse_number("Three") == 3
    assert cl.parse_number("12.5%") == Fraction(25, 2)
    assert cl.parse_number("Data Science") is None


# --------------------------------------------------------------------------------------------
# Explanation search
# --------------------------------------------------------------------------------------------


def test_explain_share_finds_a_denominator_off_by_one():
    # 20 of 38 = 52.6% prints as 53%; the paper printed 54%: 20/37 = 54.05%
    found = cl.explain_share(Fraction(54), 20, 38)
    assert "matches a denominator of 37 instead of 38" in found
    assert all("instead of" in f or " of " in f for f in found)


def test_explain_share_finds_a_numerator_off_by_one_and_lists_all_candidates_at_the_smallest_shift():
    found = cl.explain_share(Fraction(81), 26, 31)  # 83.9%
    assert "matches a denominator of 32 instead of 31" in found
    assert "matches a numerator of 25 instead of 26" in found


def test_explain_share_prefers_the_smallest_shift_and_can_find_nothing():
    found = cl.explain_share(Fraction(59), 16, 31)  # 17/29 = 58.6%: numerator +1 and denominator -2
    assert found == ["matches 17 of 29 instead of 16 of 31"]
    assert cl.explain_share(Fraction(99), 1, 31) == []


def test_share_fits_move_numerator_and_denominator_independently():
    # 7 of 23 = 30.4%: no change of the numerator alone, the denominator alone or both together by the
    # same amount prints 31%, but 8 of 26 (30.8%) does
    assert (8, 26) in cl.share_fits(Fraction(31), 7, 23)
    assert all(abs(n - 7) <= cl.MAX_SHIFT and abs(d - 23) <= cl.MAX_SHIFT for n, d in cl.share_fits(Fraction(31), 7, 23))
    assert cl.explain_share(Fraction(64), 20, 31) == ["matches 21 of 33 instead of 20 of 31"]


def test_largest_remainder_forces_a_total_of_100():
    lr = cl.largest_remainder({"Industry": 20, "Government": 8, "Academia": 3})
    assert lr == {"Industry": 64, "Government": 26, "Academia": 10}
    assert sum(lr.values()) == 100


def test_explain_share_set_finds_one_part_that_explains_every_printed_share():
    parts = {"Computing Resources": 13, "Inference Time": 5, "Runtime Metrics": 20}
    published = {"Runtime Metrics": Fraction(54), "Computing Resources": Fraction(32), "Inference Time": Fraction(14)}
    sentences, implied = cl.explain_share_set(published, parts)
    assert implied == {"Computing Resources": 12}
    assert any("'Computing Resources' had 12 instead of 13 (total 37 instead of 38)" in s for s in sentences)


def test_explain_share_set_reports_largest_remainder_rounding():
    sentences, implied = cl.explain_share_set({"Industry": Fraction(64), "Government": Fraction(26), "Academia": Fraction(10)},
                                              {"Industry": 20, "Government": 8, "Academia": 3})
    assert implied == {}
    assert any("largest-remainder" in s for s in sentences)


# --------------------------------------------------------------------------------------------
# Status logic on tiny made-up tables
# --------------------------------------------------------------------------------------------
LEVELS = ("Not Important", "Somewhat Important", "Important", "Very Important")


def tiny_survey():
    """4 respondents (2 Data Science, 1 Software Engineering, 1 Operations + Other), 2 items."""
    import pandas as pd

    roles = ["Data Science", "Software Engineering", "Operations + Other"]
    respondents = pd.DataFrame({
        "respondent": ["R01", "R02", "R03", "R04"],
        "affiliation": ["Industry", "Industry", "Government", "Industry"],
        "affiliation_group": ["Industry", "Industry", "Government", "Industry"],
        "primary_role": ["Data Scientist", "Data Scientist", "Software Engineer", "Operations"],
        "role": pd.Categorical(["Data Science", "Data Science", "Software Engineering", "Operations + Other"],
                               categories=roles, ordered=True),
        "years_total": ["1-3", "4-7", "4-7", "12 or more"],
        "years_ml": ["1-3", "1-3", "4-7", "4-7"],
    })
    items = pd.DataFrame({
        "item": ["Q1_1", "Q1_2"], "category_code": ["TM", "TM"], "category": ["Trained Model", "Trained Model"],
        "subcategory": ["API/Specifications", "Versioning"], "paper_label": ["TM: API/Specifications", "TM: Versioning"],
    })
    answers = {"Q1_1": ["Very Important", "Important", "Very Important", "Somewhat Important"],
               "Q1_2": ["Important", "Not Important", "Somewhat Important", "Very Important"]}
    rows = []
    for item, ans in answers.items():
        for r, a in zip(respondents.itertuples(), ans):
            rows.append({"respondent": r.respondent, "role": r.role, "item": item, "category_code": "TM",
                         "category": "Trained Model",
                         "subcategory": items.set_index("item").loc[item, "subcategory"], "answer": a,
                         "score": LEVELS.index(a) + 1})
    responses = pd.DataFrame(rows)
    responses["role"] = pd.Categorical(responses["role"], categories=roles, ordered=True)
    responses["answer"] = pd.Categorical(responses["answer"], categories=list(LEVELS), ordered=True)
    return SimpleNamespace(respondents=respondents, items=items, responses=responses,
                           quality=pd.DataFrame(columns=["check", "status", "location", "detail"]))


@pytest.fixture
def tiny_tables(tmp_path):
    data = coding.load_coding(path=build_coding_workbook(tmp_path / "coding.xlsx"))
    return cl.Tables(coding=data, survey=tiny_survey())


def write_claims(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cl.CLAIM_COLUMNS)
        for r in rows:
            w.writerow([r.get(c, "") if c != "args" else json.dumps(r.get("args", {})) for c in cl.CLAIM_COLUMNS])
    return path


def claim(cid, published, computation, args=None, *, unit="count", precision="exact", kind="number", scope=""):
    return {"claim_id": cid, "location": "test", "description": cid, "published": published, "unit": unit,
            "precision": precision, "type": kind, "computation": computation, "args": args or {}, "scope": scope}


def run(tmp_path, tables, rows):
    from mlmismatch.replication.replicate import reproduce_claims

    return reproduce_claims(tables, write_claims(tmp_path / "claims.csv", rows)).set_index("claim_id")


def test_status_logic_on_tiny_tables(tmp_path, tiny_tables):
    # the tiny workbook: 5 mismatches, 9 instances; Trained Model 5 (API 3, Versioning 2)
    res = run(tmp_path, tiny_tables, [
        claim("n", "9", "n_instances"),
        claim("n_wrong", "10", "n_instances"),
        claim("tm", "56%", "category_share", {"category": "Trained Model"}, unit="percent", precision="integer percent"),
        claim("api", "60%", "subcategory_share", {"category": "Trained Model", "subcategory": "API/Specifications"},
              unit="percent", precision="integer percent"),
        claim("api_wrong", "75%", "subcategory_share", {"category": "Trained Model", "subcategory": "API/Specifications"},
              unit="percent", precision="integer percent"),
        claim("max", "three", "max_codes_per_mismatch", precision="at most"),
        claim("top", "API", "top_subcategories", {"category": "Trained Model", "expect": ["API/Specifications"]},
              unit="label", precision="set of labels", kind="qualitative"),
        claim("top_wrong", "Versioning", "top_subcategories", {"category": "Trained Model", "expect": ["Versioning"]},
              unit="label", precision="set of labels", kind="qualitative"),
        claim("fig1", "65%", "not_in_package", {"missing": "interviewee roles"}, unit="percent", precision="integer percent"),
        # survey: API VI+I is 2 of 2 Data Science, 3 of 4 overall = 75%
        claim("ds_api", "2", "vi_i_count", {"category": "Trained Model", "subcategory": "API/Specifications", "role": "Data Science"}),
        claim("all_api", "75%", "vi_i_pct", {"category": "Trained Model", "subcategory": "API/Specifications", "role": "All"},
              unit="percent", precision="integer percent"),
        claim("ver_ni", "1", "answer_count", {"category": "Trained Model", "subcategory": "Versioning", "answer": "Not Important"}),
        claim("ind", "75%", "demographic_share", {"variable": "affiliation", "value": "Industry"}, unit="percent",
              precision="integer percent"),
        claim("major", "Data Science", "majority_role", {"expect": ["Data Science"]}, unit="label",
              precision="set of labels", kind="qualitative"),
    ])
    assert res.loc["n", "status"] == "reproduced" and res.loc["n", "reproduced"] == "9"
    assert res.loc["n_wrong", "status"] == "differs"
    assert "printed 10, recomputed 9" in res.loc["n_wrong", "note"]
    assert res.loc["tm", "status"] == "reproduced" and res.loc["tm", "reproduced"] == "55.6%"
    assert res.loc["api", "status"] == "reproduced"
    assert res.loc["api_wrong", "status"] == "differs"
    assert "matches a denominator of 4 instead of 5" in res.loc["api_wrong", "note"]
    assert res.loc["max", "status"] == "reproduced"
    assert res.loc["top", "status"] == "reproduced"
    assert res.loc["top_wrong", "status"] == "differs" and "not recomputed: Versioning" in res.loc["top_wrong", "note"]
    assert res.loc["fig1", "status"] == "not_reproducible" and "interviewee roles" in res.loc["fig1", "note"]
    assert res.loc["ds_api", "status"] == "reproduced"
    assert res.loc["all_api", "status"] == "reproduced" and res.loc["all_api", "note"].startswith("3 of 4")
    assert res.loc["ver_ni", "status"] == "reproduced"
    assert res.loc["ind", "status"] == "reproduced"
    assert res.loc["major", "status"] == "differs"  # 2 of 4 is not a majority
    assert res.loc["major", "reproduced"] == "no majority"
    assert list(res.reset_index().columns) == cl.RESULT_COLUMNS


def test_half_share_accepts_both_neighbours():
    number = cl.Number.share(1, 8)  # exactly 12.5%: printed 12% and 13% both reproduce it
    c = cl.Claim("x", "t", "d", "12%", "percent", "integer percent", "number", "vi_i_pct", {}, 2)
    out = cl._compare_number(c, number)
    assert out.status == "reproduced" and "both accepted" in out.note
    c13 = cl.Claim("y", "t", "d", "13%", "percent", "integer percent", "number", "vi_i_pct", {}, 3)
    assert cl._compare_number(c13, number).status == "reproduced"


def test_missing_survey_makes_survey_claims_not_reproducible(tmp_path, tiny_tables):
    tables = cl.Tables(coding=tiny_tables.coding, survey=None, survey_error="file not found")
    res = run(tmp_path, tables, [claim("r", "4", "n_respondents"), claim("n", "9", "n_instances")])
    assert res.loc["r", "status"] == "not_reproducible" and "file not found" in res.loc["r", "note"]
    assert res.loc["n", "status"] == "reproduced"


def test_unknown_subcategory_in_args_names_the_row(tmp_path, tiny_tables):
    with pytest.raises(InputError) as exc:
        run(tmp_path, tiny_tables, [claim("n", "9", "n_instances"),
                                    claim("s", "3", "subcategory_count", {"category": "Trained Model", "subcategory": "Nope"})])
    msg = str(exc.value)
    assert "claims.csv, row 3, column I (args)" in msg and "Nope" in msg


# --------------------------------------------------------------------------------------------
# CSV validation
# --------------------------------------------------------------------------------------------


def test_valid_file_loads(tmp_path):
    path = write_claims(tmp_path / "c.csv", [claim("a", "140", "n_mismatches")])
    (c,) = cl.load_claims(path)
    assert (c.claim_id, c.computation, c.args, c.row) == ("a", "n_mismatches", {}, 2)


@pytest.mark.parametrize("row, expected", [
    (claim("a", "1", "no_such_thing"), "row 2, column H (computation): unknown computation 'no_such_thing'"),
    (claim("a", "1", "n_mismatches", unit="count", precision="roughly"), "row 2, column F (precision): unknown precision"),
    (claim("a", "1", "n_mismatches", kind="maybe"), "row 2, column G (type): unknown type 'maybe'"),
    (claim("a", "lots", "n_mismatches"), "row 2, column D (published): published value 'lots' is not a number"),
    (claim("a", "1", "category_share", {}), "row 2, column I (args): computation 'category_share' needs args category"),
    (claim("a", "1", "category_share", {"category": "Trained Models"}), "row 2, column I (args): unknown category 'Trained Models'"),
    (claim("a", "X", "top_categories", {}, kind="qualitative", precision="set of labels"),
     "row 2, column I (args): a qualitative claim needs args 'expect'"),
    (claim("A b", "1", "n_mismatches"), "row 2, column A (claim_id): claim_id 'A b' has characters"),
])
def test_bad_rows_name_row_and_column(tmp_path, row, expected):
    path = write_claims(tmp_path / "c.csv", [row])
    with pytest.raises(InputError) as exc:
        cl.load_claims(path)
    assert f"c.csv, {expected}" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_bad_json_args(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(",".join(cl.REQUIRED_COLUMNS) + "\n" + 'a,loc,d,140,count,exact,number,n_mismatches,"{category: 1}"\n')
    with pytest.raises(InputError, match=r"c\.csv, row 2, column I \(args\): args is not valid JSON"):
        cl.load_claims(path)
    path.write_text(",".join(cl.REQUIRED_COLUMNS) + "\n" + 'a,loc,d,140,count,exact,number,n_mismatches,"[1, 2]"\n')
    with pytest.raises(InputError, match=r"args is a JSON list, not an object"):
        cl.load_claims(path)


def test_duplicate_ids_and_missing_columns(tmp_path):
    path = write_claims(tmp_path / "c.csv", [claim("a", "1", "n_mismatches"), claim("a", "2", "n_mismatches")])
    with pytest.raises(InputError, match=r"row 3, column A \(claim_id\): duplicate claim_id 'a' \(first on row 2\)"):
        cl.load_claims(path)
    bad = tmp_path / "d.csv"
    bad.write_text("claim_id,location\nx,y\n")
    with pytest.raises(InputError, match=r"d\.csv, row 1: missing column 'description'"):
        cl.load_claims(bad)
    with pytest.raises(InputError, match="file not found"):
        cl.load_claims(tmp_path / "absent.csv")


def test_the_project_claims_file_is_valid():
    claims = cl.load_claims()
    assert len(claims) == 512  # README: "All claims | 512"
    assert {c.type for c in claims} == {"number", "qualitative"}
    assert {c.kind for c in claims} == set(cl.KINDS)
    assert sum(c.kind == "read_from_figure" for c in claims) == 136 and sum(c.kind == "inferred" for c in claims) == 3
    assert all(c.scope for c in claims)
    assert all(c.computation in cl.COMPUTATIONS for c in claims)


# --------------------------------------------------------------------------------------------
# The report on a tiny results table
# --------------------------------------------------------------------------------------------
class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2, self.tables, self.imgs, self.rows = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self.h2.append(a.get("id"))
        elif tag == "table":
            self.tables += 1
        elif tag == "img" and a.get("src", "").startswith("data:image/png;base64,"):
            self.imgs += 1
        elif tag == "tr" and "class" in a:
            self.rows.append(a["class"])


def test_build_report_is_pure_and_highlights_differences():
    import pandas as pd

    from mlmismatch.replication import report

    results = pd.DataFrame([
        {"claim_id": "fig2.tm.share", "location": "Fig. 2", "description": "d", "published": "36%", "reproduced": "36.2%",
         "status": "reproduced", "note": "84 of 232", "kind": "printed", "quantity": "q1", "scope": "Fig. 2", "cause": ""},
        {"claim_id": "fig3.oe.rm.share", "location": "Fig. 3", "description": "d", "published": "54%", "reproduced": "52.6%",
         "status": "differs", "note": "matches a denominator of 37 instead of 38 | pipe", "kind": "printed",
         "quantity": "q2", "scope": "Fig. 3 / OE", "cause": "C1"},
        {"claim_id": "fig1.role.ds", "location": "Fig. 1", "description": "d", "published": "65%", "reproduced": "",
         "status": "not_reproducible", "note": "not in the package", "kind": "printed", "quantity": "q3",
         "scope": "Fig. 1", "cause": ""},
    ], columns=cl.RESULT_COLUMNS)
    quality = [("Coding workbook", pd.DataFrame([{"check": "c", "status": "agrees", "location": "x", "detail": "<b>"}]))]
    prov = [{"source": "coding", "file": "c.xlsx", "sha256": "ab" * 32, "pinned_sha256": "ab" * 32, "matches_pin": True}]
    png = report.fig_status(report.summary_table(results))
    args = dict(quality=quality, provenance=prov, notices=["a notice"], claims_sha256="cd" * 32, figures={"status": png})
    md, ht = report.build_report(results, **args)
    assert (md, ht) == report.build_report(results, **args)  # deterministic
    assert md.index("## Summary") < md.index("## Claims by section") < md.index("## Data-quality findings") < md.index("## Provenance")
    assert "**differs**" in md and "\\| pipe" in md
    p = _Collect()
    p.feed(ht)
    assert p.h2 == ["summary", "differences", "measures", "crosscheck", "search", "sections", "data-quality", "provenance"]
    assert p.imgs == 1 and "differs" in p.rows and "not_reproducible" in p.rows
    assert "&lt;b&gt;" in ht and "<b>" not in ht  # escaped
    summary = report.summary_table(results)
    assert summary.iloc[-1].to_dict() == {"section": "All claims", "claims": 3, "quantities": 3, "read_from_figure": 0,
                                          "inferred": 0, "reproduced": 1, "differs": 1, "not_reproducible": 1,
                                          "causes": 1, "unexplained": 0}


# --------------------------------------------------------------------------------------------
# A spreadsheet pie chart's percent labels (Microsoft KB 214033 and reported observations)
# --------------------------------------------------------------------------------------------
def test_excel_pie_labels_take_the_extra_percent_from_the_largest_slice():
    # KB 214033: labels that add up to 101 lose 1 from the largest slice (here 747 rounds to 75, 58 to 6,
    # 137 to 14: 75 + 6 + 6 + 14 = 101, so the largest is labelled 74)
    labels = cl.excel_pie_labels({"a": 747, "b": 58, "c": 58, "d": 137})
    assert labels == {"a": 74, "b": 6, "c": 6, "d": 14}
    assert sum(labels.values()) == 100


def test_excel_pie_labels_give_a_missing_percent_to_the_first_largest_slice():
    # three equal slices: half up gives 33 + 33 + 33 = 99; Excel shows 34 %, 33 %, 33 %
    assert cl.excel_pie_labels({"x": 1, "y": 1, "z": 1}) == {"x": 34, "y": 33, "z": 33}


def test_excel_pie_labels_correct_two_tied_largest_slices_at_once():
    # 25.5 %, 25.5 %, 24.5 %, 24.5 % round half up to 26 + 26 + 25 + 25 = 102; each of the two tied
    # largest slices gives 1
    labels = cl.excel_pie_labels({"p": 255, "q": 255, "r": 245, "s": 245})
    assert labels == {"p": 25, "q": 25, "r": 25, "s": 25}


def test_excel_pie_labels_leave_labels_that_already_add_up_alone():
    assert cl.excel_pie_labels({"a": 1, "b": 3}) == {"a": 25, "b": 75}
    assert cl.excel_pie_labels({"a": 0, "b": 0}) == {"a": 0, "b": 0}


def test_memoized_rounding_of_a_distribution_is_read_only_and_equal_to_the_rules():
    parts = {"a": 747, "b": 58, "c": 58, "d": 137}
    for rule, fn in (("largest_remainder", cl.largest_remainder), ("excel_pie", cl.excel_pie_labels)):
        got = cl._rounded_parts(rule, tuple(parts.items()))
        assert dict(got) == fn(parts)
        with pytest.raises(TypeError):
            got["a"] = 0  # shared between callers: never mutable
    n = cl.Number.share(747, 1000, parts=parts, key="a")
    assert cl.rule_value(n, "excel_pie") == {74}
