"""What the command modules share: the invocation's state, consoles, loaders, table printing.

Kept light (no pandas at import time). The state of one invocation (the
:class:`~mlmismatch.sources.Store` built from the global options, ``--quiet``, ``--debug`` and the
consoles) is a :class:`CliState` that the root callback puts into a :class:`contextvars.ContextVar`
(one value per invocation and thread, never a module global): :func:`state` finds it.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import Console

    from mlmismatch.sources import Store


def _console(stderr: bool = False) -> "Console":
    from rich.console import Console

    # emoji codes off: a label such as ':x:' is printed as it is written
    return Console(stderr=stderr, highlight=False, emoji=False)


@dataclass
class CliState:
    """One invocation: its data store, ``--quiet``, ``--debug``, and its two consoles."""

    store: "Store | None" = None
    quiet: bool = False
    debug: bool = False
    console: "Console" = field(default_factory=_console, repr=False)
    err_console: "Console" = field(default_factory=lambda: _console(stderr=True), repr=False)
    _notices_shown: int = 0

    def __post_init__(self) -> None:
        if self.store is None:
            from mlmismatch.sources import Store

            self.store = Store()


_STATE: contextvars.ContextVar[CliState] = contextvars.ContextVar("mlmismatch_cli_state")


def begin(new: CliState) -> CliState:
    """Make ``new`` the state of the invocation that is starting (called by the root callback)."""
    _STATE.set(new)
    return new


def state() -> CliState:
    """The current invocation's state (a default one outside a command line invocation)."""
    current = _STATE.get(None)
    if current is None:
        current = begin(CliState())
    return current


def console() -> "Console":
    return state().console


def err_console() -> "Console":
    return state().err_console


def store() -> "Store":
    return state().store


def notice(text: str) -> None:
    """Print a one-line notice on stderr (unless ``--quiet``); the text is escaped."""
    from mlmismatch.core.text import terminal_escape

    st = state()
    if not st.quiet:
        st.err_console.print(f"[yellow]{terminal_escape(text)}[/yellow]", soft_wrap=True)


def say(text: object, style: str | None = None, err: bool = False) -> None:
    """Print one line of plain text (escaped: user text is never read as markup), optionally styled."""
    from mlmismatch.core.text import terminal_escape

    (err_console() if err else console()).print(terminal_escape(text), style=style, soft_wrap=True)


def warn(text: object) -> None:
    """Print ``warning: TEXT`` on stderr; the text is escaped."""
    from mlmismatch.core.text import terminal_escape

    err_console().print(f"[yellow]warning:[/yellow] {terminal_escape(text)}", soft_wrap=True)


def print_notices() -> None:
    """Print the store's one-line notices not yet shown (e.g. a local copy that differs from the pin)."""
    st = state()
    for text in st.store.notices[st._notices_shown:]:
        notice(text)
    st._notices_shown = len(st.store.notices)


def load_coding():
    """Load the coding workbook through the invocation's store."""
    from mlmismatch.study import coding

    data = coding.load_coding(store=store())
    print_notices()
    return data


def load_survey():
    """Load the survey workbook through the invocation's store."""
    from mlmismatch.study import survey

    data = survey.load_survey(store=store())
    print_notices()
    return data


#: Seeds: what numpy's generators accept.
SEED_RANGE = (0, 2**32 - 1)


def check_int(option: str, value: int, lo: int, hi: int) -> int:
    """A whole-number option within ``lo``..``hi``; otherwise a one-line error naming the option (exit 2)."""
    from mlmismatch.core.errors import InputError

    if not (lo <= value <= hi):
        raise InputError(f"{option} {value} is out of range", expected=f"a whole number from {lo:,} to {hi:,}")
    return value


def check_positive(option: str, value: float, hi: float | None = None) -> float:
    """A number option that must be finite and > 0 (``inf``, ``nan``, ``-5`` refused)."""
    import math

    from mlmismatch.core.errors import InputError

    if not (math.isfinite(value) and value > 0 and (hi is None or value <= hi)):
        raise InputError(f"{option} {value:g} is not a usable number",
                         expected="a finite number > 0" + (f" and at most {hi:g}" if hi is not None else ""))
    return value


def cell_text(value: Any, float_format: str = "{:.1f}") -> str:
    """One table cell as plain text: NaN and None empty, floats formatted."""
    if isinstance(value, float):
        return "" if value != value else float_format.format(value)
    return "" if value is None else str(value)


def print_table(df: "pd.DataFrame", title: str | None = None, caption: str | None = None,
                float_format: str = "{:.1f}") -> None:
    """Print a DataFrame as a rich table; every cell, title and header is escaped (never markup)."""
    from rich.table import Table

    from mlmismatch.core.text import terminal_escape

    table = Table(title=terminal_escape(title) if title else None, caption=terminal_escape(caption) if caption else None,
                  show_lines=False)
    for col in df.columns:
        numeric = df[col].dtype.kind in "iuf"
        table.add_column(terminal_escape(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        table.add_row(*(terminal_escape(cell_text(v, float_format)) for v in row))
    console().print(table)
