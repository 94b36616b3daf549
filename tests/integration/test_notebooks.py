"""The notebooks, executed on the real data: they run, show every figure exactly once, show none of
the study's free text, and their exercise solutions give the right answers.

The notebooks are executed once per session (fixture ``executed_notebooks``, tests/integration/
conftest.py); the documentation-site test renders the same executed notebooks. The answers are
checked against values computed here by another route (from the data files, the library or scipy).
"""

from __future__ import annotations

import csv
import math

import pytest

import notebooks as nbsupport

pytestmark = pytest.mark.integration

STEMS = [p.stem for p in nbsupport.NOTEBOOKS]

#: The answer variables each notebook's exercise cells define; a test below checks each of them.
CHECKED = {
    "01_categories": ["tm_share_of_mismatches", "top_three", "n_multi_coded"],
    "02_survey_by_role": ["lowest_p_item", "lowest_p", "ds_top_items", "points_per_answer"],
    "03_mapping_and_descriptors": ["n_single_evidence", "single_evidence_subcategories", "weakest_subcategory",
                                   "my_verdicts", "incomplete_in_1_0"],
    "04_detect_mismatch": ["rules_after_fix", "smallest_significant_n"],
    "05_extend_the_taxonomy": ["n_exact_matches", "kappa_before", "kappa_after", "human_oversight_verdict"],
    "06_describe_a_system": ["new_rules", "array_inputs"],
}


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_runs(executed_notebooks, stem):
    ex = executed_notebooks[stem]
    errors = [(c.get("execution_count"), o.get("ename"), o.get("evalue")) for c in ex.code_cells
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{stem}: {errors}"
    assert all(c.get("execution_count") for c in ex.code_cells), "a cell did not run"
    assert any(c.get("outputs") for c in ex.code_cells), "no output at all"


@pytest.mark.parametrize("stem", STEMS)
def test_every_figure_is_shown_exactly_once(executed_notebooks, stem):
    assert nbsupport.figure_problems(executed_notebooks[stem]) == []


def test_the_figure_check_sees_figures(executed_notebooks):
    """The instrumentation counts figures (so the check above is not vacuous), and it catches a double."""
    created = sum(sum(ex.figures.values()) for ex in executed_notebooks.values())
    assert created >= 5
    ex = executed_notebooks["01_categories"]
    import copy

    import nbformat

    cell = copy.deepcopy(next(c for c in ex.code_cells if nbsupport.images(c)))
    doubled = nbsupport.Executed(path=ex.path, nb=nbformat.v4.new_notebook(), figures=ex.figures)
    doubled.nb.cells = [cell]
    cell["outputs"] = list(cell.outputs) * 2
    assert any("images shown for 1 figure" in p for p in nbsupport.figure_problems(doubled))
    cell["outputs"] = []
    assert any("a figure is missing" in p for p in nbsupport.figure_problems(doubled))


@pytest.fixture(scope="module")
def free_texts(coding_path, survey_path):
    texts = nbsupport.study_free_texts(coding_path, survey_path)
    assert len(texts) > 300  # quotes, descriptions, information not communicated, survey comments
    return texts


@pytest.fixture(scope="module")
def shown_on_purpose(coding_data, real_store):
    """What the notebooks show on purpose: the codebook and the schemas' attribute descriptions."""
    from mlmismatch.descriptors import schemas

    attrs = schemas.attributes(store=real_store)
    return [*coding_data.codebook["description"], *coding_data.codebook["subcategory"], *attrs["description"]]


@pytest.mark.parametrize("stem", STEMS)
def test_no_study_free_text_in_the_outputs(executed_notebooks, free_texts, shown_on_purpose, stem):
    assert nbsupport.free_text_leaks(executed_notebooks[stem], free_texts, shown_on_purpose) == []


def test_the_free_text_check_catches_a_leak(executed_notebooks, free_texts):
    import nbformat

    ex = executed_notebooks["01_categories"]
    leaky = nbsupport.Executed(path=ex.path, nb=nbformat.v4.new_notebook(), figures={})
    cell = nbformat.v4.new_code_cell("print(text)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=max(free_texts, key=len)[:70] + "...")]
    leaky.nb.cells = [cell]
    assert nbsupport.free_text_leaks(leaky, free_texts)


@pytest.mark.parametrize("path", nbsupport.NOTEBOOKS, ids=STEMS)
def test_every_exercise_answer_is_checked(path):
    assert nbsupport.exercise_names(path) == CHECKED.get(path.stem), \
        f"{path.name}: add a check for its exercise answers to tests/integration/test_notebooks.py"


# --------------------------------------------------------------------------------------------
# The solutions' answers
# --------------------------------------------------------------------------------------------

def _label(code: str, name: str) -> str:
    return f"({code}) {name}"


def test_solutions_01(executed_notebooks, coding_data):
    a = executed_notebooks["01_categories"].answers
    from mlmismatch.analyses import categories

    co = categories.cooccurrence(coding_data.instances)
    assert a["tm_share_of_mismatches"] == pytest.approx(100 * co.loc["Trained Model", "Trained Model"]
                                                        / len(coding_data.mismatches))
    subs = categories.subcategory_counts(coding_data.instances, coding_data.codebook)
    codes = dict(zip(coding_data.codebook.category, coding_data.codebook.category_code))
    subs = subs.assign(label=[_label(codes[c], s) for c, s in zip(subs.category, subs.subcategory)])
    ranked = subs.sort_values(["n_instances", "label"], ascending=[False, True], kind="stable")
    assert a["top_three"] == list(ranked.label[:3])
    assert a["n_multi_coded"] == int((coding_data.mismatches["n_codes"] >= 2).sum())


def test_solutions_02(executed_notebooks, survey_data):
    from scipy.stats import kruskal

    a = executed_notebooks["02_survey_by_role"].answers
    r = survey_data.responses
    labels = survey_data.items.set_index("item")["paper_label"]
    p = {item: kruskal(*[g.score for _, g in grp.groupby("role", observed=True)]).pvalue for item, grp in r.groupby("item")}
    best = min(p, key=p.get)
    assert a["lowest_p_item"] == labels[best] and a["lowest_p"] == pytest.approx(p[best], abs=1e-6)  # the table rounds p
    from mlmismatch.analyses import survey_stats

    table = survey_stats.important_by_role(r, survey_data.items)
    ds = table[table.role == "Data Science"]
    assert a["ds_top_items"] == sorted(ds.loc[ds.pct == ds.pct.max(), "paper_label"])
    n = table.drop_duplicates("role").set_index("role")["n_respondents"]
    assert a["points_per_answer"] == pytest.approx({role: 100 / k for role, k in n.items()})
    assert a["points_per_answer"]["Operations + Other"] == pytest.approx(20.0)


def _mapping_rows() -> list[dict]:
    from mlmismatch.core import resources

    with resources.path("data", "mapping", "subcategory_attributes.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_solutions_03(executed_notebooks, coding_data, real_store):
    a = executed_notebooks["03_mapping_and_descriptors"].answers
    rows = _mapping_rows()
    single = [r for r in rows if r["status"] != "none" and len([e for e in r["evidence"].split(";") if e.strip()]) == 1]
    assert a["n_single_evidence"] == len(single)
    assert a["single_evidence_subcategories"] == sorted({_label(r["category_code"], r["subcategory"]) for r in single})
    lacking = {_label(r["category_code"], r["subcategory"]) for r in rows if r["status"] == "published" and r["path_1_0"] == "-"}
    assert a["incomplete_in_1_0"] == sorted(lacking)

    from mlmismatch.descriptors import schemas
    from mlmismatch.mapping import matrix as mapping

    attrs = schemas.attributes(store=real_store)
    m = mapping.load_mapping(codebook=coding_data.codebook, mismatch_ids=coding_data.mismatches["mismatch_id"],
                             attributes=attrs).attributes
    scores = mapping.text_evidence(coding_data.mismatches, coding_data.instances, coding_data.codebook, attrs, m,
                                   k=5)["scores"]
    lowest = scores.average_precision.min()
    worst = scores[scores.average_precision == lowest].iloc[0]
    code = dict(zip(coding_data.codebook.category, coding_data.codebook.category_code))[worst.category]
    assert a["weakest_subcategory"] == _label(code, worst.subcategory)
    curated = {r["path"] for r in rows if r["category_code"] == code and r["subcategory"] == worst.subcategory}
    assert set(a["my_verdicts"]) == curated
    assert set(a["my_verdicts"].values()) <= {"keep", "drop", "replace"}


def test_solutions_04(executed_notebooks, real_store):
    a = executed_notebooks["04_detect_mismatch"].answers
    from mlmismatch import detection as detect
    from mlmismatch.core import resources
    from mlmismatch.detection import drift

    system = resources.path("examples", "customer-churn")
    before = {f.rule_id for f in detect.check(system, store=real_store).findings if f.kind == "rule"}
    assert "R23" in before
    assert a["rules_after_fix"] == sorted(before - {"R23"})
    docs = {d.kind: d.migrated for d in detect.load_system(system)}
    training = drift.training_distribution(docs["training_data"])
    p = lambda n: drift.chi_square_drift(training, drift.counts_from_descriptor(docs["production_data"], n)).p_value  # noqa: E731
    n = a["smallest_significant_n"]
    assert p(n) < 0.05
    assert all(p(k) >= 0.05 for k in range(10, n))


def test_solutions_05(executed_notebooks, coding_data):
    from sklearn.metrics import cohen_kappa_score

    from mlmismatch.core import resources

    a = executed_notebooks["05_extend_the_taxonomy"].answers
    teaching = resources.path("data", "teaching")
    with (teaching / "extension.csv").open(encoding="utf-8", newline="") as f:
        ext = list(csv.DictReader(f))
    code_of = dict(zip(coding_data.codebook.category, coding_data.codebook.category_code))
    code_of.update({f"{r['category']} ({r['category_code']})": r["category_code"] for r in ext})
    key: dict[str, set] = {}
    with (teaching / "answer_key.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            key.setdefault(r["mismatch_id"], set()).add((code_of[r["category"]], r["subcategory"]))
    mine = {m: {tuple(p) for p in pairs} for m, pairs in a["my_codes"].items()}
    assert a["n_exact_matches"] == sum(mine[m] == key[m] for m in key)

    universe = [(c, s) for c, s in zip(coding_data.codebook.category_code, coding_data.codebook.subcategory)]
    universe += [(r["category_code"], r["subcategory"]) for r in ext]

    def kappa(codes):
        ids = sorted(key)
        return cohen_kappa_score([int(u in codes[m]) for m in ids for u in universe],
                                 [int(u in key[m]) for m in ids for u in universe])

    extended = {m: set(v) for m, v in mine.items()}
    extended["T01-06"].add(("TM", "Explanation Requirements"))
    extended["T01-08"].add(("HO", "Escalation Procedures"))
    assert a["kappa_before"] == pytest.approx(kappa(mine))
    assert a["kappa_after"] == pytest.approx(kappa(extended))
    assert not math.isclose(a["kappa_before"], a["kappa_after"])
    assert a["human_oversight_verdict"] in ("new category", "existing category")


def test_solutions_06(executed_notebooks):
    a = executed_notebooks["06_describe_a_system"].answers
    assert a["new_rules"] == ["R14"]  # the model needs a framework the development environment lacks
    assert a["array_inputs"] == "expects 4 unnamed input features (fitted on an array)"
