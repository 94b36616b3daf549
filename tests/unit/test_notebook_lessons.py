"""The notebooks are lessons: goals and time first, explanation before computation, exercises at the
end with collapsed solutions; and Jupyter is set up to open them (jupytext pairing, notebook extra).
The notebooks are read, not run (tests/integration/test_notebooks.py runs them)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))


def _tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_a_lesson(path):
    cells = jupytext.read(path).cells
    first = cells[0]
    assert first.cell_type == "markdown"
    assert "**Learning goals.**" in first.source and re.search(r"^1\. ", first.source, flags=re.M)
    assert re.search(r"\*\*Time needed:\*\* about \d+ minutes", first.source)
    heading = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    body, exercises = cells[1:heading], cells[heading:]
    # explains before it computes: no run of more than three code cells without a word in between
    run = 0
    for cell in body:
        run = run + 1 if cell.cell_type == "code" else 0
        assert run <= 3, f"{path.name}: four code cells in a row near {cell.source[:60]!r}"
    assert not any({"exercise", "solution"} & set(_tags(c)) for c in body), "exercises belong at the end"
    starters = [i for i, c in enumerate(exercises) if "exercise" in _tags(c)]
    assert len(starters) >= 2, f"{path.name}: fewer than two exercises"
    for i in starters:
        statement, starter, solution = exercises[i - 1], exercises[i], exercises[i + 1]
        assert statement.cell_type == "markdown" and "### Exercise" in statement.source
        assert "solution" in _tags(solution), f"{path.name}: exercise without a solution"
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True, "solutions are collapsed"
        names = {n.id for n in ast.walk(ast.parse(starter.source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assigned = {n.id for n in ast.walk(ast.parse(solution.source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assert names and names <= assigned, f"{path.name}: the solution does not set {sorted(names - assigned)}"
    solutions = [c for c in exercises if "solution" in _tags(c)]
    assert len(solutions) == len(starters)


def test_jupytext_pairs_the_notebooks_and_keeps_the_solution_metadata():
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(REPO / "notebooks")))
    assert config.formats in ("ipynb,py:percent", ["ipynb,py:percent"])
    for path in NOTEBOOKS:  # what JupyterLab writes on save is what is committed (no churn)
        text = path.read_text(encoding="utf-8")
        written = jupytext.writes(jupytext.reads(text, fmt="py:percent"), "py:percent", config=config)
        strip = lambda t: re.sub(r"^#\s+jupytext_version: .*\n", "", t, flags=re.M)  # noqa: E731
        assert strip(written) == strip(text), path.name
    assert "notebooks/*.ipynb" in (REPO / ".gitignore").read_text(encoding="utf-8")


def test_notebook_extra_and_make_targets():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = {re.split(r"[<>=\[ ]", r)[0] for r in project["optional-dependencies"]["notebooks"]}
    assert {"jupyterlab", "jupytext", "nbconvert"} <= extra
    dev = {re.split(r"[<>=\[ ]", r)[0] for r in project["optional-dependencies"]["dev"]}
    assert {"mkdocs", "mkdocs-material", "mkdocs-jupyter", "mkdocstrings", "nbconvert"} <= dev
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^notebooks: .*\n(\t.*\n)*\t.*jupyter lab notebooks/", makefile, flags=re.M)
    assert re.search(r"^docs: .*\n\t.*docs/build_site.py", makefile, flags=re.M)


def test_readme_points_to_the_site_and_the_notebook_extra():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make docs" in readme and "build/site/index.html" in readme
    assert "mlmismatch[notebooks]" in readme or ".[notebooks]" in readme
