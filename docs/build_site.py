"""Build the documentation site (``make docs``): ``python docs/build_site.py [--out build/site]``.

One static site, built offline with MkDocs (mkdocs-material, mkdocs-jupyter, mkdocstrings) in strict
mode, so that any warning (a broken link, a docstring mkdocstrings cannot read) fails the build:

- the hand-written pages of ``docs/site/`` (home, getting started, the study in brief, in class);
- the lessons: every notebook of ``notebooks/``, executed on the study's data. Exercise solutions
  (cells tagged ``solution``) are folded into a "Solution" box that opens on a click;
- the replication report: ``paper/generated/replication_report.md`` as it is at build time, with the
  files it links to;
- the rules reference, generated from ``data/rules/rules.yaml``;
- the API reference, generated from the docstrings (mkdocstrings): the stable names of
  ``mlmismatch.__all__`` first, then one page per layer.

The pages are staged in ``build/docs-src/`` (never in the source tree). The tests pass notebooks
they have already executed (:func:`build` with ``executed=``), so nothing runs twice.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
NOTEBOOKS = REPO / "notebooks"
REPORT = REPO / "paper" / "generated" / "replication_report.md"

#: The layers, in the order of the study's story (one API page each).
LAYERS = ["core", "sources", "study", "analyses", "replication", "descriptors", "mapping", "detection", "extend",
          "pipeline", "cli"]


# --------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------

def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def execute_notebooks(paths: list[Path], workdir: Path, workers: int = 2) -> dict[str, object]:
    """Execute the notebooks (two kernels at a time) with the inline backend, as Jupyter does."""
    import jupytext
    from nbclient import NotebookClient

    def run(path: Path):
        nb = jupytext.read(path)
        (workdir / path.stem).mkdir(parents=True, exist_ok=True)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir / path.stem)}}).execute()
        return nb

    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip([p.stem for p in paths], pool.map(run, paths)))
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before


def _one_line(markup: str) -> str:
    """HTML on one line (newlines inside <pre> kept as character references)."""
    parts = re.split(r"(<pre[\s>].*?</pre>)", markup, flags=re.S)
    return "".join(p.replace("\n", "&#10;") if p.startswith("<pre") else p.replace("\n", " ") for p in parts)


def _outputs_html(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(f'<pre class="solution-output">{html.escape(o.get("text", ""))}</pre>')
        elif o.output_type in ("execute_result", "display_data"):
            data = o.get("data", {})
            if "image/png" in data:
                out.append(f'<img alt="Figure drawn by the solution" src="data:image/png;base64,{data["image/png"].strip()}">')
            elif "text/html" in data:
                out.append(f'<div class="solution-output">{data["text/html"]}</div>')
            elif "text/plain" in data:
                out.append(f'<pre class="solution-output">{html.escape(data["text/plain"])}</pre>')
        elif o.output_type == "error":
            out.append(f'<pre class="solution-output">{html.escape(o.get("ename", ""))}: {html.escape(o.get("evalue", ""))}</pre>')
    return "".join(out)


def fold_solutions(nb):
    """A copy of ``nb`` for the site: every solution cell replaced by a raw HTML cell, a closed
    "Solution" box holding the cell's code and its outputs (the page shows it once the reader asks),
    and every figure given an alternative text."""
    import copy

    import nbformat
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            code = highlight(cell.source, PythonLexer(), HtmlFormatter(cssclass="highlight-ipynb hl-python"))
            box = (f'<details class="solution"><summary>Solution</summary>{code}{_outputs_html(cell)}</details>')
            cells.append(nbformat.v4.new_raw_cell(_one_line(box), metadata={"raw_mimetype": "text/html"}))
            continue
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            if "image/png" in data and "text/html" not in data:  # nbconvert writes no alt text for a PNG
                alt = html.escape(f"Figure drawn by: {cell.source.strip().splitlines()[-1]}")
                data["text/html"] = f'<img alt="{alt}" src="data:image/png;base64,{data.pop("image/png").strip()}">'
        cells.append(cell)
    nb.cells = cells
    return nb


def notebook_title(nb, stem: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if m:
                return m.group(1).strip()
    return stem


# --------------------------------------------------------------------------------------------
# Generated pages
# --------------------------------------------------------------------------------------------

def report_page(stage: Path) -> None:
    """The replication report as it is now, with the relative files it links to."""
    if not REPORT.is_file():
        raise SystemExit(f"{REPORT.relative_to(REPO)} is missing: run `mlmismatch reproduce --out paper/generated` first")
    text = REPORT.read_text(encoding="utf-8")
    for target in sorted(set(re.findall(r"\]\(([^)#\s]+)", text))):
        if re.match(r"^[a-z]+:", target) or target.startswith("/"):
            continue
        source = (REPORT.parent / target).resolve()
        if source.is_file() and REPORT.parent.resolve() in source.parents:
            dest = stage / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    (stage / "report.md").write_text(text, encoding="utf-8")


def _md(text) -> str:
    return html.escape(" ".join(str(text or "").split()), quote=False).replace("|", "\\|")


def rules_page(stage: Path) -> None:
    """One section per rule of data/rules/rules.yaml."""
    from mlmismatch.mapping.predicates import load_rules

    rules = load_rules()
    lines = ["# Rules reference", "",
             f"The {len(rules)} cross-descriptor rules that `mlmismatch check` evaluates, generated from "
             "`data/rules/rules.yaml` when the site is built. Each rule is a predicate over attribute paths of one "
             "or more descriptors (SEI descriptor 1.2 paths; older documents are migrated in memory first). "
             "`SEI rule` is the number of the corresponding rule of SEI's TEC tool.", "",
             "| Rule | Title | SEI rule | Descriptors |", "|---|---|---|---|"]
    lines += [f"| [{r.id}](#{r.id.lower()}) | {_md(r.title)} | {_md(r.sei_rule or '-')} | {_md(', '.join(r.descriptors))} |"
              for r in rules]
    for r in rules:
        lines += ["", f"## {r.id}: {_md(r.title)} {{#{r.id.lower()}}}", "",
                  f"- **Descriptors:** {_md(', '.join(r.descriptors))}",
                  f"- **SEI rule:** {_md(r.sei_rule or 'none (new in mlmismatch)')}",
                  f"- **Predicate:** {_md(r.predicate)}",
                  f"- **Message:** {_md(r.message)}",
                  f"- **Rationale:** {_md(r.rationale)}",
                  f"- **Mismatch subcategories:** {_md('; '.join(r.subcategories))}"]
        if getattr(r, "difference", ""):
            lines.append(f"- **Where it differs from TEC:** {_md(r.difference)}")
    (stage / "rules.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def api_pages(stage: Path) -> list[dict]:
    """The stable API (``mlmismatch.__all__``) and one page per layer; returns their nav entries."""
    import mlmismatch

    api = stage / "api"
    api.mkdir(parents=True, exist_ok=True)
    lines = ["# The stable API", "",
             "The names of `mlmismatch.__all__` keep their names and meaning from release to release. "
             "`import mlmismatch` is fast: each name is imported from its module on first use. Each links to its "
             "documentation on the page of its layer.", "",
             "::: mlmismatch", "    options:", "      members: false", "      show_root_heading: false", "",
             "| name | defined in | what |", "|---|---|---|"]
    for name in mlmismatch._API:
        obj = getattr(mlmismatch, name)
        home = f"{obj.__module__}.{obj.__qualname__}"  # where it is defined (and documented)
        doc = (obj.__doc__ or "").strip().split("\n\n")[0]
        if doc.startswith(f"{obj.__name__}("):  # the signature a dataclass writes when it has no docstring
            doc = ""
        if doc:
            lines.append(f"| [`{name}`][{home}] | `{obj.__module__}` | {_md(doc)} |")
        else:  # mkdocstrings leaves out an object without a docstring, so there is nothing to link to
            lines.append(f"| `{name}` | `{obj.__module__}` | (no docstring yet) |")
    (api / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nav = [{"The stable API": "api/index.md"}]
    for layer in LAYERS:
        package = REPO / "analysis" / "mlmismatch" / layer
        modules = [f"mlmismatch.{layer}"]
        if package.is_dir():  # the layer's package docstring, then each module (nested packages included)
            modules += sorted(f"mlmismatch.{layer}." + ".".join(f.relative_to(package).with_suffix("").parts)
                              for f in package.rglob("*.py") if f.name != "__init__.py" and not f.name.startswith("_"))
        blocks = [f"# mlmismatch.{layer}", "", f"::: mlmismatch.{layer}", "    options:",
                  *(["      members: false"] if package.is_dir() else []), "      show_root_heading: false", ""]
        blocks += [line for m in modules[1:] for line in (f"::: {m}", "    options:", "      heading_level: 2", "")]
        (api / f"{layer}.md").write_text("\n".join(blocks), encoding="utf-8")
        nav.append({f"mlmismatch.{layer}": f"api/{layer}.md"})
    return nav


# --------------------------------------------------------------------------------------------
# Staging and building
# --------------------------------------------------------------------------------------------

def stage(stage_dir: Path, executed: dict[str, object]) -> list:
    """Write every page into ``stage_dir``; returns the nav."""
    import nbformat
    import yaml

    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(DOCS / "site", stage_dir)
    lessons = []
    (stage_dir / "notebooks").mkdir()
    for path in notebook_paths():
        nb = executed[path.stem]
        nbformat.write(fold_solutions(nb), stage_dir / "notebooks" / f"{path.stem}.ipynb")
        lessons.append({notebook_title(nb, path.stem): f"notebooks/{path.stem}.ipynb"})
    report_page(stage_dir)
    rules_page(stage_dir)
    api_nav = api_pages(stage_dir)
    config = yaml.safe_load((DOCS / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = []
    for entry in config["nav"]:
        (title, target), = entry.items()
        nav.append({title: lessons if title == "Lessons" else api_nav if title == "API reference" else target})
    return nav


def build(out: Path, executed: dict[str, object] | None = None, stage_dir: Path | None = None) -> Path:
    """Build the site into ``out`` (strict); ``executed``: already executed notebooks by stem."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = Path(out).resolve()
    stage_dir = Path(stage_dir or out.parent / "docs-src").resolve()
    if executed is None:
        executed = execute_notebooks(notebook_paths(), stage_dir.parent / "notebook-runs")
    nav = stage(stage_dir, executed)
    config = load_config(config_file=str(DOCS / "mkdocs.yml"), docs_dir=str(stage_dir), site_dir=str(out), nav=nav,
                         strict=True)
    mkdocs_build(config)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build" / "site"), help="the site folder (default: build/site)")
    parser.add_argument("--executed", metavar="DIR",
                        help="take the executed notebooks (NN_name.ipynb) from DIR instead of running them, "
                             "e.g. build/docs-src/notebooks of the last build")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s %(message)s")
    executed = None
    if args.executed:
        import nbformat

        executed = {p.stem: nbformat.read(Path(args.executed) / f"{p.stem}.ipynb", as_version=4) for p in notebook_paths()}
    site = build(Path(args.out), executed=executed, stage_dir=Path(args.out).parent / "docs-src-next" if args.executed else None)
    print(f"open {site / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
