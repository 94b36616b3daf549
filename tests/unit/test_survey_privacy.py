"""A workbook with personal-data columns (and free text) in: nothing of it in any table, figure or report out."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from mlmismatch.pipeline import run as reproduce
from mlmismatch.pipeline.steps import survey as survey_report
from test_survey import FREE_TEXT_SENTINEL, PERSONAL, load

#: Free-text answers ("Other" texts and comments): kept in memory, never written.
FREE_TEXT = [FREE_TEXT_SENTINEL, "great survey", "Think Tank", "Team Lead"]


class RecordingContext(reproduce.Context):
    """A reproduce context that also keeps every text drawn in every saved figure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figure_texts: dict[str, list[str]] = {}

    def save_figure(self, fig, rel_stem: str):
        from matplotlib.text import Text

        self.figure_texts[rel_stem] = [t.get_text() for t in fig.findobj(Text)]
        return super().save_figure(fig, rel_stem)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("survey_privacy")
    data = load(tmp_path / "in")
    instances = pd.DataFrame({"category": ["Trained Model", "Trained Model", "Development Environment"],
                              "subcategory": ["Versioning", "Decisions, Assumptions, Limitations and Constraints",
                                              "Computing Resources"]})
    ctx = RecordingContext(out=tmp_path / "out")
    ctx.__dict__["survey"] = data  # cached_property: preload the synthetic data
    ctx.__dict__["coding"] = SimpleNamespace(instances=instances)
    for step in survey_report.STEPS:
        step.run(ctx)
    return ctx, data


def test_free_text_was_read_but_stays_in_memory(run):
    _, data = run
    assert FREE_TEXT_SENTINEL in set(data.comments["text"])
    assert "Think Tank" in set(data.respondents["affiliation_other"].dropna())


def test_no_output_contains_personal_data_or_free_text(run):
    ctx, _ = run
    files = sorted(p for p in ctx.out.rglob("*") if p.is_file())
    assert {"tables/table2_important_by_role.csv", "tables/table2_important_by_role.md",
            "tables/table2_important_by_role.tex", "tables/survey_demographics.csv", "tables/survey_distribution.csv",
            "tables/survey_quality.csv", "reports/survey_summary.md", "figures/fig5_distribution.png",
            "figures/interviews_vs_survey.pdf"} <= {p.relative_to(ctx.out).as_posix() for p in files}
    assert set(ctx.written) == {p.relative_to(ctx.out).as_posix() for p in files}
    forbidden = list(PERSONAL.values()) + FREE_TEXT
    for path in files:
        raw = path.read_bytes()
        for value in forbidden:
            assert value.encode() not in raw, f"{value!r} found in {path.relative_to(ctx.out)}"
    for stem, texts in ctx.figure_texts.items():
        drawn = "\n".join(texts)
        assert drawn, f"no text drawn in {stem}"
        for value in forbidden:
            assert value not in drawn, f"{value!r} drawn in {stem}"
    assert set(ctx.figure_texts) == {"figures/fig4_demographics", "figures/fig5_distribution",
                                     "figures/survey_important_by_role_ci", "figures/interviews_vs_survey"}


def test_contract_table_and_small_n_caveats(run):
    ctx, _ = run
    t2 = pd.read_csv(ctx.out / "tables/table2_important_by_role.csv")
    assert list(t2.columns) == ["category", "subcategory", "role", "n_important", "n_respondents", "pct"]
    assert list(dict.fromkeys(t2["role"])) == ["Data Science", "Software Engineering", "Operations + Other"]
    assert len(t2) == 5 * 3
    md = (ctx.out / "tables/table2_important_by_role.md").read_text()
    assert "Data Science (n=3)" in md and "Caveat:" in md
    for name in ("survey_role_differences", "survey_role_pairwise", "survey_role_rank_correlation",
                 "table2_important_by_role_ci"):
        df = pd.read_csv(ctx.out / f"tables/{name}.csv", keep_default_na=False)
        assert any(c.startswith("n_") for c in df.columns), name
        assert df["caveat"].str.contains("small").any(), name
    assert "Caveat" in (ctx.out / "reports/survey_summary.md").read_text()


def test_outputs_are_deterministic(run, tmp_path):
    ctx, data = run
    again = RecordingContext(out=tmp_path / "again")
    again.__dict__["survey"] = data
    again.__dict__["coding"] = ctx.coding
    for step in survey_report.STEPS:
        step.run(again)
    assert again.written == ctx.written
