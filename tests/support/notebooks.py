"""Execute the notebooks once per test session, with their outputs captured and their figures counted.

:func:`execute` reads a jupytext notebook, runs it with nbclient in a fresh kernel and returns the
executed notebook (the one a reader sees in Jupyter or on the documentation site) together with
what the test instrumentation recorded:

- ``figures``: how many matplotlib figures each code cell created (by its execution count). A
  first cell, added for the test and removed again, wraps ``Figure.__init__`` to count them;
- ``answers``: the values of the exercise variables named by the caller after the last cell
  (a last cell, also removed, prints them as JSON).

The notebooks run with the inline backend (as in Jupyter), so a figure that pyplot still manages
is shown at the end of the cell *and* as the cell's value: the tests compare what was created with
what was displayed.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
TAG = "mlmismatch-test-instrumentation"
MARKER = "MLMISMATCH-TEST-RESULT:"

SETUP = '''
import json as _mlm_json
import matplotlib.figure as _mlm_figure
_mlm_created = {}
_mlm_counter = [0]
_mlm_original_init = _mlm_figure.Figure.__init__
def _mlm_counting_init(self, *args, **kwargs):
    _mlm_original_init(self, *args, **kwargs)
    _mlm_counter[0] += 1
def _mlm_pre_run(*args):
    _mlm_counter[0] = 0
def _mlm_post_run(result):
    if _mlm_counter[0]:
        _mlm_created[result.execution_count] = _mlm_counter[0]
_mlm_figure.Figure.__init__ = _mlm_counting_init
get_ipython().events.register("pre_run_cell", _mlm_pre_run)
get_ipython().events.register("post_run_cell", _mlm_post_run)
'''

REPORT = '''
def _mlm_plain(value):
    import numpy, pandas
    if isinstance(value, numpy.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(_mlm_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_mlm_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _mlm_plain(v) for k, v in value.items()}
    if isinstance(value, pandas.Series):
        return {str(k): _mlm_plain(v) for k, v in value.items()}
    if isinstance(value, pandas.DataFrame):
        return [_mlm_plain(r) for r in value.to_dict("records")]
    return value
print("MARKER" + _mlm_json.dumps({"figures": _mlm_created,
      "answers": {n: _mlm_plain(globals().get(n, "<undefined>")) for n in NAMES}}, default=str))
'''


@dataclass
class Executed:
    path: Path
    nb: object  # nbformat.NotebookNode, without the instrumentation cells
    figures: dict[int, int]
    answers: dict[str, object] = field(default_factory=dict)

    @property
    def code_cells(self) -> list:
        return [c for c in self.nb.cells if c.cell_type == "code"]


def execute(path: Path, workdir: Path, answer_names: list[str] = (), timeout: int = 600) -> Executed:
    """Run ``path`` top to bottom in ``workdir`` (see the module docstring)."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    setup = nbformat.v4.new_code_cell(SETUP, metadata={"tags": [TAG]})
    report = nbformat.v4.new_code_cell(REPORT.replace("MARKER", MARKER).replace("NAMES", repr(list(answer_names))), metadata={"tags": [TAG]})
    nb.cells = [setup, *nb.cells, report]
    workdir.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    text = "".join(o.get("text", "") for o in report.get("outputs", []) if o.output_type == "stream")
    result = json.loads(text.split(MARKER, 1)[1]) if MARKER in text else {"figures": {}, "answers": {}}
    nb.cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    return Executed(path=path, nb=nb, figures={int(k): v for k, v in result["figures"].items()},
                    answers=result["answers"])


def execute_all(paths: list[Path], workdir: Path, answers: dict[str, list[str]], workers: int = 2) -> dict[str, Executed]:
    """Execute every notebook (two kernels at a time) with the inline backend, as Jupyter does."""
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {p.stem: pool.submit(execute, p, workdir / p.stem, answers.get(p.stem, [])) for p in paths}
            return {stem: f.result() for stem, f in futures.items()}
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before


# --------------------------------------------------------------------------------------------
# Looking at outputs
# --------------------------------------------------------------------------------------------

def images(cell) -> list[bytes]:
    """The PNG images a code cell displayed, in order."""
    return [base64.b64decode(o["data"]["image/png"]) for o in cell.get("outputs", [])
            if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]


def figure_problems(ex: Executed) -> list[str]:
    """Cells that showed a figure twice, or created a figure they did not show (empty: all fine)."""
    problems = []
    seen: dict[str, int] = {}
    for cell in ex.code_cells:
        count = cell.get("execution_count")
        shown = images(cell)
        created = ex.figures.get(count, 0)
        first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        where = f"{ex.path.name}, cell [{count}] ({first_line[:60]!r})"
        if len(shown) > created:
            problems.append(f"{where}: {len(shown)} images shown for {created} figure(s) created")
        elif len(shown) < created:
            problems.append(f"{where}: {created} figure(s) created but {len(shown)} shown (a figure is missing)")
        for image in shown:
            digest = hashlib.sha256(image).hexdigest()
            if digest in seen:
                problems.append(f"{where}: shows the same figure as cell [{seen[digest]}]")
            seen.setdefault(digest, count)
    return problems


def output_text(cell) -> str:
    """Everything a cell's outputs show as text (plain, HTML, Markdown, streams, errors)."""
    import html

    parts = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            parts.append(o.get("text", ""))
        elif o.output_type == "error":
            parts.append("\n".join(o.get("traceback", [])))
        else:
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o.get("data", {}):
                    value = o["data"][mime]
                    parts.append(html.unescape(re.sub(r"<[^>]+>", " ", value)) if mime == "text/html" else value)
    return "\n".join(parts)


def normalized(text: str) -> str:
    return " ".join(str(text).split()).lower()


def free_text_leaks(ex: Executed, texts: list[str], allowed: list[str] = (), prefix: int = 60) -> list[str]:
    """The study's free texts that some output shows: a text of ``prefix`` characters or more when its
    first ``prefix`` characters appear (pandas cuts long cells), a shorter one (25 characters or more)
    when it appears whole. A text that also appears in ``allowed`` (what the toolkit shows on purpose:
    the codebook's descriptions, the schemas' attribute descriptions) is no leak: several of the
    coders' short "information not communicated" notes repeat the codebook's words."""
    shown = normalized("\n".join(output_text(c) for c in ex.code_cells))
    allowed_text = normalized("\n".join(allowed))
    leaks = []
    for t in texts:
        t = normalized(t)
        probe = t[:prefix] if len(t) >= prefix else t
        if len(probe) >= 25 and probe in shown and probe not in allowed_text:
            leaks.append(probe)
    return leaks


def study_free_texts(coding_path: Path, survey_path: Path | None = None) -> list[str]:
    """Every free text of the study: interview quotes, mismatch descriptions, information not
    communicated (coding workbook) and the survey's free-text answers. Read only to check that no
    output shows them; never written anywhere."""
    import openpyxl

    texts: list[str] = []
    wb = openpyxl.load_workbook(coding_path, read_only=True, data_only=True)
    try:
        for name in wb.sheetnames:
            if not name.lower().startswith("interview") or name == "Interview Statistics":
                continue
            rows = wb[name].iter_rows(values_only=True)
            header = [str(h or "").strip().lower() for h in next(rows, ())]
            wanted = [i for i, h in enumerate(header)
                      if h in ("quotes", "mismatch description", "information not communicated")]
            for row in rows:
                texts.extend(str(row[i]) for i in wanted if i < len(row) and row[i])
    finally:
        wb.close()
    if survey_path is not None:
        from mlmismatch.study import survey

        texts.extend(survey.load_survey(path=survey_path).comments["text"].astype(str))
    return texts


def exercise_names(path) -> list[str]:
    """The names the exercise cells of a notebook assign (the students' answers)."""
    import jupytext

    names: list[str] = []
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "code" and "exercise" in cell.metadata.get("tags", []):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.append(node.id)
    return list(dict.fromkeys(names))
