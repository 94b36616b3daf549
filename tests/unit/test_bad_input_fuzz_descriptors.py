"""A fuzz pass (Hypothesis) of descriptor documents through ``mlmismatch check``.

Generated systems (a few documents with real and made-up keys, values of every JSON and YAML type,
numbers at the edges, text with markup and control characters, documents cut short or damaged
byte-wise, JSON and YAML) go through the command line. Whatever comes in, the exit code is 0, 1 or
2 and stderr holds neither a traceback nor the catch-all "unexpected ... (a bug)" line. Small
schemas of the test's own (``tiny_schemas``); ``MLMISMATCH_FUZZ_EXAMPLES=N`` runs N random examples
instead of the fixed 30.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LONG = os.environ.get("MLMISMATCH_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(LONG or 30), deadline=None, database=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
KINDS = ["system_context", "raw_data", "data_pipeline", "training_data", "trained_model",
         "development_environment", "production_environment", "production_data"]
KEYS = ["version", "model_name", "model_outputs", "model_inputs", "name", "type", "goals", "id", "goal",
        "computing_resource_reqs", "cpu", "gpu", "memory", "schema", "field_name", "statistics", "mean",
        "programming_language", "ml_framework", "post_processing", "components", "upstream", "downstream",
        "", " ", "__proto__", "$ref", "x" * 200]
TEXT = st.one_of(st.sampled_from(["", " ", "N/A", "TBD", "Float", "float ", "1.2", "1.0", "[bold]x[/bold]", "=1+1",
                                  "\x1b[31mred", "\u202eevil", "a\nb", "é", "50%", "1e400", "nan", "-0"]),
                 st.text(max_size=12))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                    TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
                      max_leaves=25)
DOCUMENT = st.one_of(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8), VALUES)
counter = itertools.count()


def _render(doc, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(doc, allow_nan=True).encode()
    return yaml.safe_dump(doc, allow_unicode=True).encode()


def _damage(data: bytes, how: str, at: int) -> bytes:
    if not data:
        return data
    i = at % len(data)
    if how == "truncate":
        return data[:i]
    if how == "flip":
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    if how == "nul":
        return data[:i] + b"\x00" + data[i:]
    return data


@pytest.fixture
def env(tiny_schemas):
    return {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)}


@FUZZ
@given(docs=st.dictionaries(st.sampled_from(KINDS), st.tuples(DOCUMENT, st.sampled_from(["json", "yaml"]),
                                                               st.sampled_from(["none", "none", "truncate", "flip", "nul"]),
                                                               st.integers(0, 10_000)), min_size=1, max_size=4),
       sarif=st.booleans())
def test_fuzz_descriptor_documents_through_check(docs, sarif, tmp_path, env, cli):
    system = tmp_path / f"system{next(counter)}"
    system.mkdir()
    for kind, (doc, fmt, how, at) in docs.items():
        (system / f"{kind}.{fmt}").write_bytes(_damage(_render(doc, fmt), how, at))
    args = ["check", str(system), "--no-rank-data"]
    if sarif:
        args += ["--format", "sarif"]
    res = cli(*args, env=env)
    assert res.code in (0, 1, 2), (res.code, res.err[-2000:])
    assert "Traceback" not in res.err and "unexpected" not in res.err, res.err[-2000:]
    if res.code == 2:
        assert len(res.err.strip().splitlines()) == 1, res.err  # bad input: one line
