"""The SARIF 2.1.0 JSON schema (OASIS, never committed): every SARIF output of the tests is validated.

Found at ``MLMISMATCH_SARIF_SCHEMA`` if set, else ``$MLMISMATCH_DATA_DIR/sarif/sarif-schema-2.1.0.json``
(``../shared/sarif`` in CI). Missing: a failure under ``CI=true``, else a skip (tests/support/need.py).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

ENV = "MLMISMATCH_SARIF_SCHEMA"


def schema_path() -> Path | None:
    explicit = os.environ.get(ENV)
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("MLMISMATCH_DATA_DIR"):
        candidates.append(Path(os.environ["MLMISMATCH_DATA_DIR"]) / "sarif" / "sarif-schema-2.1.0.json")
    return next((c for c in candidates if c.is_file()), None)


@lru_cache(maxsize=1)
def _validator(path: str):
    from jsonschema import validators

    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_sarif(text: str) -> dict:
    """Parse SARIF text and assert it is valid SARIF 2.1.0 (every error listed); return the log."""
    from need import need

    path = schema_path()
    if path is None:
        need("the SARIF 2.1.0 schema", f"set {ENV} or MLMISMATCH_DATA_DIR to a folder with sarif/")
    log = json.loads(text)
    errors = sorted(_validator(str(path)).iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "invalid SARIF: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return log
