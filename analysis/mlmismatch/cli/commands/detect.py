"""Commands ``check``, ``drift``, ``descriptors migrate`` and ``descriptors new`` (thin: call the library)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from mlmismatch.cli.app import app, descriptors_app
from mlmismatch.cli.common import check_int, check_positive, console, err_console, print_notices, say, state, store
from mlmismatch.core.text import terminal_escape

FORMATS = ("terminal", "json", "sarif", "markdown", "html")
COLOURS = {"invalid": "red", "rule": "magenta", "drift": "red", "missing": "yellow"}


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        from mlmismatch.core.writers import write_text

        write_text(output, text)
        if not state().quiet:
            say(f"wrote {output}", err=True)


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped to ``width`` columns (long JSON paths broken too), escaped for rich markup."""
    import textwrap

    from mlmismatch.core.text import terminal_escape as esc

    lines = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest,
                          break_long_words=True, break_on_hyphens=False) or [first.rstrip()]
    return [esc(line) for line in lines]


def print_report(report, top: int) -> None:
    """Terminal output: findings grouped by kind, coloured, wrapped to the terminal (80 columns when
    the output is not a terminal): long messages and paths wrap, the gap table narrows."""
    from rich.table import Table

    from mlmismatch.core.text import terminal_escape as esc
    from mlmismatch.detection.findings import FINDING_KINDS, SECTION_TITLES

    out = console()
    width = max(40, out.width)

    def lines(text: str, first: str = "", rest: str = "", style: str | None = None) -> None:
        for line in _wrapped(text, width, first, rest):
            out.print(f"[{style}]{line}[/{style}]" if style else line, soft_wrap=True)

    lines(f"mlmismatch check {report.directory}", style="bold")
    lines(", ".join(f"{d.name} ({d.version})" for d in report.documents), "  ", "  ")
    counts = report.counts()
    for kind in FINDING_KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        colour = COLOURS[kind]
        out.print(f"\n[bold {colour}]{SECTION_TITLES[kind]} ({len(items)})[/bold {colour}]")
        if kind == "missing":
            table = Table(show_lines=False, width=min(width, 120))
            for col, ratio in (("#", None), ("descriptor", 3), ("paths", 4), ("subcategories", 4),
                               ("seen", None), ("imp. %", None)):
                table.add_column(col, ratio=ratio, overflow="fold")
            shown = items if top <= 0 else items[:top]
            for i, f in enumerate(shown, 1):
                paths = ", ".join(f.paths[:2]) + (f" (+{len(f.paths) - 2})" if len(f.paths) > 2 else "")
                table.add_row(str(i), esc(f.descriptors[0]), esc(paths), esc("; ".join(f.subcategories)),
                              "" if f.frequency is None else str(f.frequency),
                              "" if f.importance is None else f"{f.importance:.0f}")
            out.print(table)
            if len(shown) < len(items):
                out.print(f"  … {len(items) - len(shown)} more (use --top 0 to list all)")
            continue
        by_rule: dict[str, list] = {}
        for f in items:
            by_rule.setdefault(f.rule_id, []).append(f)
        files = {d.kind: d.name for d in report.documents}
        for rid, group in by_rule.items():
            sei = f" (SEI {group[0].sei_rule})" if group[0].sei_rule else ""
            head = group[0].title if kind in ("rule", "drift") else ""
            first = _wrapped(f"{rid}{sei} {head}".rstrip(), width, "  ", "    ")
            out.print(f"[{colour}]{first[0]}[/{colour}]", soft_wrap=True)
            for line in first[1:]:
                out.print(line, soft_wrap=True)
            for f in group:
                lines(f.message, "    - ", "      ")
                if kind != "invalid":
                    for k, p in f.locations:
                        lines(f"at {files.get(k, k)} {p}", "      ", "        ", style="dim")
    summary = ", ".join(f"{counts[k]} {SECTION_TITLES[k].lower()}" for k in FINDING_KINDS if counts.get(k))
    out.print("\n" + ("[green]No findings.[/green]" if report.clean else f"[bold]{summary}[/bold]"))


@app.command("check")
def check_cmd(
    directory: Path = typer.Argument(..., help="Folder with one system's descriptor documents (JSON or YAML)."),
    fmt: str = typer.Option("terminal", "--format", "-f", help="terminal, json, sarif, markdown or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout."),
    role: Optional[str] = typer.Option(None, "--role", help="Rank information gaps by what this survey role rates important."),
    top: int = typer.Option(15, "--top", help="Information gaps shown in the terminal (0 = all)."),
    gaps: bool = typer.Option(True, "--gaps/--no-gaps", help="Report information gaps."),
    fail_on: str = typer.Option("invalid,rule,drift,missing", "--fail-on",
                                help="Finding kinds that make the exit code 1."),
    rules_file: Optional[Path] = typer.Option(None, "--rules", help="Rule file (default data/rules/rules.yaml)."),
    mapping_file: Optional[Path] = typer.Option(None, "--mapping", help="Attribute-subcategory mapping CSV."),
    derived_dir: Optional[Path] = typer.Option(None, "--derived-dir", help="Folder of derived schemas."),
    observed: Optional[Path] = typer.Option(None, "--observed", help="CSV of production labels: add the drift test."),
    column: Optional[str] = typer.Option(None, "--column", help="Column of --observed holding the labels."),
    sarif_root: Optional[Path] = typer.Option(None, "--sarif-root",
                                              help="SARIF artifact URIs are relative to this folder "
                                                   "(uriBaseId SRCROOT; default: the current folder)."),
    rank_data: bool = typer.Option(True, "--rank-data/--no-rank-data",
                                   help="Rank gaps by the study's coded frequencies and survey importance "
                                        "(the packaged aggregates; no study data needed)."),
) -> None:
    """Check one system's descriptors: validation, information gaps, cross-descriptor rules.

    Exit 0 when clean, 1 when findings of a --fail-on kind exist, 2 on bad input.
    """
    from mlmismatch.core.errors import InputError
    from mlmismatch.detection import steps as detect
    from mlmismatch.detection.documents import load_system
    from mlmismatch.detection.findings import FINDING_KINDS
    from mlmismatch.detection.gaps import GapWeights, load_mapping, packaged_weights

    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'", expected=", ".join(FORMATS))
    check_int("--top", top, 0, 1_000_000)
    kinds = [k.strip() for k in fail_on.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FINDING_KINDS]
    if bad:
        raise InputError(f"unknown finding kind {bad[0]!r} in --fail-on", expected=", ".join(FINDING_KINDS))
    docs = load_system(directory, derived_dir, store=store())
    rules = None
    if rules_file is not None:
        from mlmismatch.mapping.predicates import load_rules

        rules = load_rules(rules_file)
    if mapping_file is not None and not mapping_file.exists() and not mapping_file.is_symlink():
        from mlmismatch.core.errors import Location

        raise InputError("file not found", Location(file=str(mapping_file)), expected="--mapping CSV")
    mapping = load_mapping(mapping_file)
    weights = packaged_weights() if gaps and rank_data else GapWeights()
    if role is not None and not weights.importance:
        raise InputError(f"--role {role} needs the survey's importance ratings", expected="no --no-rank-data")
    report = detect.check_documents(docs, directory=str(directory), mapping=mapping, weights=weights, role=role,
                                    rules=rules, derived_dir=derived_dir, gaps=gaps, store=store())
    if observed is not None:
        from mlmismatch.detection import drift

        td = next((d for d in docs if d.kind == "training_data"), None)
        if td is None:
            raise InputError("--observed needs a Training Data descriptor in the directory", None)
        result = drift.chi_square_drift(drift.training_distribution(td.migrated, td.name),
                                        drift.counts_from_csv(observed, column))
        finding = drift.drift_finding(result, [td.name, observed.name])
        if finding is not None:
            report.findings.insert(sum(1 for f in report.findings if f.kind in ("invalid", "rule")), finding)
    print_notices()
    if fmt == "terminal" and output is None:
        print_report(report, top)
    else:
        from mlmismatch.detection.render import render

        text = render(report, "markdown" if fmt == "terminal" else fmt, sarif_root=sarif_root)
        _emit(text, output)
    raise typer.Exit(report.exit_code(kinds))


@app.command("check-files")
def check_files_cmd(
    files: List[Path] = typer.Argument(None, help="Changed files; every folder holding a descriptor document among "
                                                  "them is checked (other files are ignored)."),
    fail_on: str = typer.Option("invalid,rule", "--fail-on", help="Finding kinds that make the exit code 1."),
    top: int = typer.Option(15, "--top", help="Information gaps shown per system (0 = all)."),
    gaps: bool = typer.Option(True, "--gaps/--no-gaps", help="Report information gaps."),
) -> None:
    """Check each system folder that holds one of FILES (the pre-commit hook's entry point).

    A file counts when its name names a descriptor kind (trained_model.json, x.production_data.yaml);
    the check then runs on its whole folder, once per folder. Exit 0 when every folder is clean for
    --fail-on (default: schema errors and cross-descriptor mismatches), 1 otherwise, 2 on bad input.
    """
    from mlmismatch.core.errors import InputError
    from mlmismatch.detection import steps as detect
    from mlmismatch.detection.documents import kind_from_filename, load_system
    from mlmismatch.detection.findings import FINDING_KINDS
    from mlmismatch.detection.gaps import packaged_weights

    check_int("--top", top, 0, 1_000_000)
    kinds = [k.strip() for k in fail_on.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FINDING_KINDS]
    if bad:
        raise InputError(f"unknown finding kind {bad[0]!r} in --fail-on", expected=", ".join(FINDING_KINDS))
    folders = sorted({f.parent for f in files or [] if kind_from_filename(f) is not None})
    code = 0
    for folder in folders:
        report = detect.check_documents(load_system(folder, store=store()), directory=str(folder),
                                        weights=packaged_weights() if gaps else None, gaps=gaps, store=store())
        print_notices()
        print_report(report, top)
        code = max(code, report.exit_code(kinds))
    raise typer.Exit(code)


@app.command("drift")
def drift_cmd(
    training: Path = typer.Argument(..., help="Training Data descriptor (JSON or YAML)."),
    production: Optional[Path] = typer.Option(None, "--production", help="Production Data descriptor."),
    n: Optional[float] = typer.Option(None, "--n", help="Production observations behind the descriptor's percentages."),
    observed: Optional[Path] = typer.Option(None, "--observed", help="CSV of observed production labels."),
    column: Optional[str] = typer.Option(None, "--column", help="Column of --observed holding the labels."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level."),
    fmt: str = typer.Option("terminal", "--format", "-f", help="terminal or json."),
) -> None:
    """Chi-square test between the training label distribution and production data (Fig. 7).

    Exit 0 when there is no evidence of drift, 1 when drift is detected, 2 on bad input.
    """
    from mlmismatch.detection import drift
    from mlmismatch.core.errors import InputError

    if (production is None) == (observed is None):
        raise InputError("give exactly one of --production DESCRIPTOR or --observed CSV")
    if n is not None:
        check_positive("--n", n, hi=1e15)
    if fmt not in ("terminal", "json"):
        raise InputError(f"unknown format '{fmt}'", expected="terminal or json")
    td = drift.load_any(training)
    train = drift.training_distribution(td, training.name)
    if production is not None:
        counts = drift.counts_from_descriptor(drift.load_any(production), n, production.name)
        _finite_counts(counts, production.name)
    else:
        counts = drift.counts_from_csv(observed, column)
    result = drift.chi_square_drift(train, counts, alpha=alpha)
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        from mlmismatch.cli.common import print_table

        colour = "red" if result.drift else "green"
        console().print(f"[bold {colour}]{result.verdict}[/bold {colour}]")
        console().print(f"chi2 = {result.statistic:.3f}, dof = {result.dof}, p = {result.p_value:.4g}, n = {result.n:g}")
        print_table(result.movers(), title="Categories that moved most", float_format="{:.2f}")
        for note in result.notes:
            console().print(f"[yellow]note:[/yellow] {terminal_escape(note)}", soft_wrap=True)
    raise typer.Exit(1 if result.drift else 0)


@descriptors_app.command("migrate")
def migrate_cmd(
    files: List[Path] = typer.Argument(..., help="Descriptor documents named <kind>.json|yaml."),
    to: str = typer.Option("1.2", "--to", help="Target version (1.0, 1.1 or 1.2)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Descriptor kind (default: from the file name)."),
    out_dir: Optional[Path] = typer.Option(None, "--output-dir", "-o", help="Write migrated files here."),
    in_place: bool = typer.Option(False, "--in-place", help="Overwrite the files."),
) -> None:
    """Upgrade (or downgrade) descriptor documents between versions 1.0, 1.1 and 1.2."""
    from mlmismatch.detection.documents import kind_from_filename, read_document
    from mlmismatch.core.errors import InputError, Location
    from mlmismatch.descriptors.migrate import migrate_with_notes
    from mlmismatch.descriptors.schemas import check_kind, validate
    from mlmismatch.core.writers import write_text

    if out_dir is None and not in_place and len(files) > 1:
        raise InputError("several files: give --output-dir DIR or --in-place")
    for f in files:
        k = check_kind(kind) if kind else kind_from_filename(f)
        if k is None:
            raise InputError(f"unknown descriptor kind '{f.stem}' (from the file name)", Location(file=f.name),
                             expected="--kind KIND or a file named <kind>.json")
        if not f.is_file():
            raise InputError("file not found", Location(file=str(f)))
        doc = read_document(f)
        new, notes = migrate_with_notes(k, doc, to, Location(file=f.name))
        text = _dump(new, f.suffix)
        errors = validate(new, k, to, store=store())
        for note in notes:
            say(f"{f.name}: {note}", style="yellow", err=True)
        for path, msg in errors:
            say(f"{f.name}: still invalid at {path}: {msg}", style="red", err=True)
        if out_dir is None and not in_place:
            typer.echo(text, nl=False)
        else:
            target = f if in_place else out_dir / f.name
            write_text(target, text)
            if not state().quiet:
                say(f"{f.name}: {doc.get('version')} -> {to}, wrote {target}", err=True)


def _finite_counts(counts: dict, file: str) -> None:
    """Percentages times --n that overflow (a percentage of 1e308) are refused, not tested."""
    import math

    from mlmismatch.core.errors import InputError, Location

    bad = next((k for k, v in counts.items() if not math.isfinite(v)), None)
    if bad is not None:
        raise InputError(f"the percentage of '{bad}' times --n overflows to infinity", Location(file=file, path="$.distribution"),
                         expected="percentages between 0 and 100")


def _dump(doc: dict, suffix: str) -> str:
    if suffix.lower() in (".yaml", ".yml"):
        import yaml

        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@descriptors_app.command("new")
def new_cmd(
    kind: str = typer.Argument(..., help="Descriptor kind, e.g. trained_model."),
    version: str = typer.Option("1.2", "--version", help="Schema version (1.0, 1.1, 1.2)."),
    fmt: str = typer.Option("json", "--format", "-f", help="json or yaml."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    derived: bool = typer.Option(False, "--derived", help="Use the derived schema (descriptors/derived)."),
    derived_dir: Optional[Path] = typer.Option(None, "--derived-dir", help="Folder of derived schemas."),
) -> None:
    """Write an empty, valid skeleton document of KIND to fill in.

    Dates and URIs, which cannot be empty, get placeholders (1970-01-01, https://example.invalid/)
    that `mlmismatch check` still reports as information gaps."""
    from mlmismatch.core.errors import InputError
    from mlmismatch.descriptors.migrate import skeleton
    from mlmismatch.descriptors.schemas import check_kind, check_version, compile_schema, iter_errors, json_path, load_derived, validate

    check_kind(kind)
    if fmt not in ("json", "yaml"):
        raise InputError(f"unknown format '{fmt}'", expected="json or yaml")
    if derived or derived_dir is not None:
        schema = load_derived(kind, derived_dir)
        doc = skeleton(kind, schema=schema)
        errors = [(json_path(e.absolute_path), e.message) for e in iter_errors(compile_schema(schema), doc)]
    else:
        check_version(version)
        doc = skeleton(kind, version, store=store())
        errors = validate(doc, kind, version, store=store())
    if errors:  # pragma: no cover - guarded by tests
        raise InputError(f"skeleton does not validate: {errors[0][0]}: {errors[0][1]}")
    _emit(_dump(doc, ".yaml" if fmt == "yaml" else ".json"), output)
