"""Line and column of JSON paths in JSON and YAML files (SARIF regions)."""

from __future__ import annotations

import pytest

from mlmismatch.detection.locate import Locator, parse_json_path, source_map


@pytest.mark.parametrize("path,parts", [
    ("$", ()), ("$.a", ("a",)), ("$.a[0].b_c", ("a", 0, "b_c")), ('$["x y"][2]', ("x y", 2)), ("a.b", None),
    ("$.a[", None),
])
def test_parse_json_path(path, parts):
    assert parse_json_path(path) == parts


def test_json_and_yaml_maps_agree_on_where_things_are(tmp_path):
    j = tmp_path / "d.json"
    j.write_text('{\n  "version": "1.2",\n  "output_spec": [\n    {"item_type": "Float"}\n  ]\n}\n')
    y = tmp_path / "d.yaml"
    y.write_text("version: '1.2'\noutput_spec:\n- item_type: Float\n  other: &a [1]\nalias: *a\n")
    jm, ym = source_map(j), source_map(y)
    assert jm[("version",)] == (2, 3)
    assert jm[("output_spec", 0, "item_type")] == (4, 6)
    assert ym[("version",)] == (1, 1)
    assert ym[("output_spec", 0, "item_type")] == (3, 3)
    assert ("alias",) in ym
    locate = Locator()
    assert locate(j, "$.output_spec[0].item_type.missing") == (4, 6)  # nearest existing ancestor
    assert locate(y, "$.nothing") == (1, 1)
    assert locate(tmp_path / "absent.json", "$.a") is None


def test_unreadable_files_have_no_map(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert source_map(bad) == {}
    assert source_map(tmp_path / "bad.yaml") == {}


def test_the_yaml_fallback_places_json_paths_where_the_json_source_map_does():
    """Without json-source-map, JSON files are mapped as YAML: same lines and columns on the examples."""
    from pathlib import Path

    from mlmismatch.detection import locate

    examples = Path(__file__).resolve().parents[2] / "descriptors" / "examples" / "credit-card-fraud"
    for f in sorted(examples.glob("*.json")):
        text = f.read_text()
        assert locate._yaml_map(text) == locate._json_map(text), f.name
