"""``mlmismatch describe KIND SOURCE``: a descriptor filled from the artefact itself (thin)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlmismatch.cli.app import app
from mlmismatch.cli.common import console, err_console, print_notices, state, store

KINDS_HELP = ("training_data, production_data, raw_data (from a CSV or Parquet file), development_environment, "
              "production_environment (this machine), trained_model (an .onnx file or a pickled estimator)")


@app.command("describe")
def describe_cmd(
    kind: str = typer.Argument(..., help=f"Descriptor kind: {KINDS_HELP}."),
    source: Optional[Path] = typer.Argument(None, help="The data file or the model file (none for an environment)."),
    into: Optional[Path] = typer.Option(None, "--into", help="A system's folder: update (never overwrite) its document "
                                        "of this kind, or write <kind>.json there."),
    label: Optional[str] = typer.Option(None, "--label", help="The label column of the data (its distribution)."),
    fmt: str = typer.Option("json", "--format", "-f", help="json or yaml (without --into)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the document here instead of stdout."),
    trust_pickle: bool = typer.Option(False, "--trust-pickle", help="Load a pickled model (this runs code from the file)."),
) -> None:
    """Write a valid 1.2 descriptor from what the artefact says of itself; every field it cannot know
    stays empty, so `mlmismatch check` reports it as an information gap.

    With --into, fields a person wrote are never overwritten: those that disagree with the artefact
    are listed, and the exit code is 1. Exit 2 on bad input.
    """
    from mlmismatch.core.errors import InputError
    from mlmismatch.core.text import terminal_escape as esc
    from mlmismatch.describe import describe, dumps

    if fmt not in ("json", "yaml"):
        raise InputError(f"unknown format '{fmt}'", expected="json or yaml")
    result = describe(kind, source, into=into, label=label, store=store(), trust_pickle=trust_pickle)
    print_notices()
    if into is None:
        text = dumps(result.document, ".yaml" if fmt == "yaml" else ".json")
        if output is None:
            typer.echo(text, nl=False)
        else:
            from mlmismatch.core.writers import write_text

            try:
                write_text(output, text)
            except OSError as exc:
                from mlmismatch.core.errors import Location

                raise InputError(f"cannot write ({exc.strerror or type(exc).__name__})", Location(file=output)) from None
            if not state().quiet:
                err_console().print(f"wrote {esc(output)}", soft_wrap=True)
        return
    filled = len(result.filled)
    console().print(f"{esc(result.path)}: {filled} field(s) filled from the artefact, "
                    f"{len(result.findings)} disagreement(s) kept as written", soft_wrap=True)
    for f in result.findings:
        console().print(f"  [yellow]disagrees[/yellow] {esc(f.message)}", soft_wrap=True)
    raise typer.Exit(result.exit_code)
