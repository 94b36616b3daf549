"""Helpers shared by the CLI command modules (kept light: no pandas at import time)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class Settings:
    """Global options given before the command (``mlmismatch --data-dir D --strict COMMAND``)."""

    data_dir: Path | None = None
    data_home: Path | None = None
    strict: bool = False
    quiet: bool = False

    def resolve_kwargs(self) -> dict:
        return {"data_dir_": self.data_dir, "data_home": self.data_home, "strict": self.strict}


settings = Settings()


def print_notices() -> None:
    """Print the sources' one-line notices (e.g. a local copy that differs from the pinned file)."""
    from .. import sources

    for notice in sources.NOTICES:
        if not settings.quiet:
            err_console.print(f"[yellow]{notice}[/yellow]")
    sources.NOTICES.clear()


def load_coding():
    """Load the coding workbook with the global settings (cached for the process)."""
    from .. import coding

    data = coding.load_coding(**settings.resolve_kwargs())
    print_notices()
    return data


def load_survey():
    """Load the survey workbook with the global settings."""
    from .. import survey

    data = survey.load_survey(**settings.resolve_kwargs())
    print_notices()
    return data


def print_table(df: "pd.DataFrame", title: str | None = None, caption: str | None = None,
                float_format: str = "{:.1f}") -> None:
    """Print a DataFrame as a rich table."""
    from rich.table import Table

    table = Table(title=title, caption=caption, show_lines=False)
    for col in df.columns:
        numeric = df[col].dtype.kind in "iuf"
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                cells.append("" if value != value else float_format.format(value))
            else:
                cells.append("" if value is None else str(value))
        table.add_row(*cells)
    console.print(table)

