"""Missing data or a missing oracle: a failure under ``CI=true``, else a skip."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(what: str, reason: str) -> None:
    """Fail under ``CI=true``, else skip: ``what`` is missing."""
    if IN_CI:
        pytest.fail(f"CI=true and {what} is missing: {reason}")
    pytest.skip(f"{what} not available: {reason}")
