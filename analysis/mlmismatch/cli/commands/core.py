"""Core commands: fetch, data check, export, categories, reproduce."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlmismatch.cli.app import app, data_app
from mlmismatch.cli.common import (console, err_console, load_coding, load_survey, notice, print_notices, print_table,
                                   say, state, store)


@app.command()
def fetch(
    offline: bool = typer.Option(False, "--offline", help="Do not download; say what to download and where to put it."),
) -> None:
    """Download every pinned input (the study's workbooks, the SEI schemas) and verify its SHA-256."""
    from mlmismatch.core.errors import InputError
    from mlmismatch.core.text import terminal_escape as esc

    problems = 0
    st = store()
    local = st.local_root()
    console().print(f"data directory: {esc(local) if local else '(none; MLMISMATCH_DATA_DIR not set)'}", soft_wrap=True)
    console().print(f"cache: {esc(st.cache_dir())}", soft_wrap=True)
    for sid in st.registry():
        try:
            r = st.resolve(sid, download=not offline)
        except InputError as exc:
            problems += 1
            err_console().print(f"[red]missing[/red] {esc(sid)}: {esc(exc)}", soft_wrap=True)
            continue
        mark = "[green]ok     [/green]" if r.matches_pin else "[yellow]variant[/yellow]"
        console().print(f"{mark} {esc(sid):32} {r.origin:9} {esc(r.path)}", soft_wrap=True)
    print_notices()
    if problems:
        raise typer.Exit(2)


@data_app.command("check")
def data_check(
    all_rows: bool = typer.Option(False, "--all", help="Also list checks that agree."),
) -> None:
    """Print the data-quality report of the coding workbook (and of the survey, when available)."""
    data = load_coding()
    q = data.quality if all_rows else data.quality[data.quality.status != "agrees"]
    print_table(q, title=f"Coding workbook: {data.path.name}",
                caption=f"{len(data.quality)} checks; {int((data.quality.status == 'agrees').sum())} agree "
                        f"(--all to list them); {len(data.mismatches)} mismatches, {len(data.instances)} instances")
    from mlmismatch.core.errors import DataNotFoundError
    from mlmismatch.cli.common import load_survey

    try:
        survey = load_survey()
    except DataNotFoundError as exc:  # the survey is optional here: say so and keep exit 0
        if not state().quiet:
            say(f"notice: survey checks skipped: {exc}", err=True)
        return
    sq = getattr(survey, "quality", None)
    if sq is not None and len(sq):
        print_table(sq, title="Survey workbook")


@app.command()
def export(
    out: Path = typer.Argument(..., help="Folder to write the data package into."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv or parquet."),
    text: bool = typer.Option(True, "--text/--no-text", help="Include the mismatch descriptions."),
) -> None:
    """Write the tidy tables as a Frictionless data package (datapackage.json + one file per table)."""
    from mlmismatch.study import export as ex
    from mlmismatch.core.errors import InputError

    if fmt not in ("csv", "parquet"):
        raise InputError(f"unknown format '{fmt}'", expected="csv or parquet")
    data = load_coding()
    tables = ex.coding_tables(data, text=text)
    from mlmismatch.core.errors import DataNotFoundError
    from mlmismatch.study.survey import export_tables as survey_tables
    from mlmismatch.cli.common import load_survey

    try:
        tables.update(survey_tables(load_survey()))
    except DataNotFoundError as exc:
        notice(f"notice: survey tables not exported ({exc})")
    from mlmismatch.mapping.practices import corpus as practice_corpus

    try:  # the rated practice matrix, checked against this coding workbook's codebook
        tables.update(practice_corpus.package_tables(practice_corpus.load_default(data)))
    except InputError as exc:
        notice(f"notice: practice matrix not exported ({exc})")
    st = store()
    src = [{"title": p["file"], "path": st.source(p["source"]).url, "sha256": p["sha256"]} for p in st.provenance()]
    path = ex.export_package(tables, out, fmt=fmt, sources=src, descriptions=practice_corpus.PACKAGE_RESOURCES)
    say(f"wrote {path} ({len(tables)} resources: {', '.join(tables)})")


@app.command()
def categories(
    level: str = typer.Option("all", "--level", help="category, subcategory, interview, pairs, cooccurrence or all."),
) -> None:
    """Print the categorization: instances per category (Fig. 2) and subcategory (Fig. 3), and more."""
    from mlmismatch.analyses import categories as c

    data = load_coding()
    shown = False
    if level in ("category", "all"):
        print_table(c.category_counts(data.instances), title="Coded instances per category (paper Fig. 2)",
                    caption=f"{len(data.instances)} instances from {len(data.mismatches)} mismatches")
        shown = True
    if level in ("subcategory", "all"):
        print_table(c.subcategory_counts(data.instances, data.codebook).drop(columns="share_pct"),
                    title="Coded instances per subcategory (paper Fig. 3)")
        shown = True
    if level in ("interview", "all"):
        print_table(c.mismatches_per_interview(data.mismatches, data.instances), title="Mismatches per interview")
        shown = True
    if level in ("pairs", "all"):
        print_table(c.pairs_per_mismatch(data.mismatches), title="Pairs coded per mismatch")
        shown = True
    if level in ("cooccurrence", "all"):
        mat = c.cooccurrence(data.instances)
        mat.columns = [data.instances.loc[data.instances.category == col, "category_code"].iloc[0]
                       if (data.instances.category == col).any() else col for col in mat.columns]
        print_table(mat.reset_index(), title="Category co-occurrence within mismatches")
        shown = True
    if not shown:
        from mlmismatch.core.errors import InputError

        raise InputError(f"unknown level '{level}'", expected="category, subcategory, interview, pairs, cooccurrence or all")


@app.command()
def reproduce(
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default paper/generated/)."),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Run only the named step(s) and the steps they need "
                                             "(see --list)."),
    list_steps: bool = typer.Option(False, "--list", help="List the steps with their inputs and outputs, and exit."),
    force: bool = typer.Option(False, "--force", help="Rerun every step, ignoring the cache of step outputs."),
) -> None:
    """Regenerate every table, figure and the replication report from the pinned data.

    Steps whose inputs, code and libraries are unchanged are restored from the cache (MLMISMATCH_CACHE or the
    user cache folder); when nothing changed since the last run into the same folder, nothing is done."""
    if list_steps:
        from mlmismatch.pipeline.run import describe_steps

        typer.echo(describe_steps(), nl=False)
        return
    from mlmismatch.core.resources import default_output
    from mlmismatch.pipeline import cache

    st = store()
    target = out or default_output()
    root = cache.cache_root(st.data_home)
    ident = cache.stamp_id(target, only, st.local_root(), st.data_home, st.strict)
    if not force:
        stamp = cache.stamp_fresh(root, ident)  # a few stat calls: nothing heavy is imported before this
        if stamp is not None:
            say(f"nothing changed since the last run: {stamp['n_outputs']} files in {target} are current")
            return
    _reproduce(target, only, force)


def _reproduce(target: Path, only: Optional[list[str]], force: bool) -> None:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mlmismatch.pipeline import run as rep
    from mlmismatch.pipeline.context import Context

    steps = rep.select(only)
    ctx = Context(out=target, store=store())
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console(), disable=state().quiet or not err_console().is_terminal) as progress:
        task = progress.add_task("reproduce", total=len(steps))

        def advance(name: str) -> None:
            progress.update(task, description=f"step: {name}")
            progress.advance(task)

        rep.run(ctx, progress=None, only=only, on_done=advance, force=force)
    print_notices()
    replication = ctx.results.get("replication")
    if replication is not None:
        from mlmismatch.replication.report import summary_table

        summary = summary_table(replication.results)
        print_table(summary[["section", "claims", "reproduced", "differs", "not_reproducible", "causes"]],
                    title="Replication: published claims recomputed from the data")
        total = summary.iloc[-1]
        console().print(f"[green]{total['reproduced']} reproduced[/green], [yellow]{total['differs']} differ[/yellow] "
                      f"({total['causes']} causes, {total['unexplained']} unexplained), "
                      f"[red]{total['not_reproducible']} not reproducible[/red] of {total['claims']} claims "
                      f"({total['quantities']} quantities); "
                      f"details: {ctx.out / 'replication_report.md'}")
    elif (ctx.out / "claims.csv").is_file() and "claims.csv" in ctx.written:
        import csv
        from collections import Counter

        with open(ctx.out / "claims.csv", newline="", encoding="utf-8") as fh:
            counts = Counter(row["status"] for row in csv.DictReader(fh))
        console().print(f"[green]{counts['reproduced']} reproduced[/green], [yellow]{counts['differs']} differ[/yellow], "
                        f"[red]{counts['not_reproducible']} not reproducible[/red] of {sum(counts.values())} claims "
                        f"(restored from the cache); details: {ctx.out / 'replication_report.md'}")
    info = ctx.results.get("cache", {})
    restored = len(info.get("restored", []))
    say(f"wrote {len(ctx.written)} files to {ctx.out} ({len(info.get('ran', []))} steps run, {restored} restored "
        "from the cache)")


@data_app.command("aggregates")
def data_aggregates(
    check: bool = typer.Option(False, "--check", help="Do not write; exit 1 if the packaged files are stale."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder to write into (default: data/aggregates of the checkout)."),
) -> None:
    """Recompute the aggregates that `check` ranks information gaps by (coded instances per subcategory,
    Table II) and write them into data/aggregates/, or check that the packaged copies are current."""
    from mlmismatch.analyses import aggregates as agg
    from mlmismatch.core import resources
    from mlmismatch.core.errors import InputError
    from mlmismatch.core.writers import write_text

    tables = agg.aggregates(load_coding(), load_survey())
    if check:
        stale = agg.stale(tables)
        if stale:
            console().print("stale packaged aggregates: " + ", ".join(stale) + " (run `mlmismatch data aggregates`)")
            raise typer.Exit(1)
        console().print(f"{len(tables)} packaged aggregate files up to date")
        return
    if out is None:
        root = resources.checkout_root()
        if root is None:
            raise InputError("not inside an mlmismatch checkout", expected="--out DIR: where to write the aggregates")
        out = root / "data" / "aggregates"
    for name, df in tables.items():
        say(f"wrote {write_text(out / name, agg.to_csv(df))}")
