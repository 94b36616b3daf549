"""The package's architecture: layers and no cycles (import-linter), packaging, no module state."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "analysis" / "mlmismatch"


def test_import_linter_contracts_are_kept(tmp_path):
    """Layers point one way, siblings have no cycles, commands are independent, core knows no study."""
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), str(REPO / "pyproject.toml"), "--no-cache"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "BROKEN" not in proc.stdout


def test_contracts_cover_every_layer():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")
    assert layers["exhaustive"] is True
    assert layers["layers"] == ["cli", "pipeline", "extend", "describe", "detection", "mapping", "descriptors", "replication",
                                "analyses", "study", "sources", "core"]
    assert any(c["type"] == "acyclic_siblings" for c in config["contracts"])


def test_pyproject_lists_every_package_and_resource():
    tool = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(tool["packages"])
    found = {"mlmismatch" + ("." + ".".join(p.parent.relative_to(PACKAGE).parts) if p.parent != PACKAGE else "")
             for p in PACKAGE.rglob("__init__.py")}
    mapped = {name for name in tool["package-dir"] if name != "mlmismatch"}
    data_folders = {f"{name}.{'.'.join(p.relative_to(REPO / folder).parts)}"
                    for name, folder in tool["package-dir"].items() if name != "mlmismatch"
                    for p in (REPO / folder).rglob("*") if p.is_dir() and p.name.isidentifier()
                    and "__pycache__" not in p.parts}
    assert found | mapped | data_folders == listed
    for name, folder in tool["package-dir"].items():
        assert (REPO / folder / "__init__.py").is_file(), name


def _module_trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_global_statements_and_no_known_state():
    """No function rebinds a module global; the old registries of resolved files and notices are gone."""
    offenders = []
    for path, tree in _module_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: global {', '.join(node.names)}")
    assert offenders == []
    from mlmismatch import sources

    for name in ("RESOLVED", "NOTICES", "PROJECT_ROOT", "DATA_ROOT"):
        assert not hasattr(sources, name)


#: Memoized functions allowed at module level: pure functions of their arguments and the installed
#: libraries, whose results nobody mutates (compiled regexes and parsers, the metaschema validator).
PURE_CACHES = {
    "descriptors/schemas.py": {"_meta_validator", "_simple_uri"},
    "detection/documents.py": {"_yaml_loader"},
    "detection/rules.py": {"_parts", "_segments", "_expr", "_compile_getter_cached", "_template_parts"},
    "core/version.py": {"version"},
    "replication/claims.py": {"parse_number", "_rounded_parts"},
}


def test_module_level_caches_are_only_pure_functions():
    found: dict[str, set[str]] = {}
    for path, tree in _module_trees():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    name = ast.unparse(dec)
                    if "cache" in name:
                        found.setdefault(path.relative_to(PACKAGE).as_posix(), set()).add(node.name)
    assert found == PURE_CACHES


def test_import_is_light():
    """``import mlmismatch`` and the CLI's module load neither pandas nor matplotlib (fast --help)."""
    code = ("import sys, mlmismatch, mlmismatch.cli.main; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'sklearn', 'scipy', 'jsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["load_coding", "load_survey", "category_counts", "check", "reproduce", "Store",
                                  "InputError"])
def test_public_api_names(name):
    import mlmismatch

    assert name in mlmismatch.__all__ and callable(getattr(mlmismatch, name))
    assert getattr(mlmismatch, name).__doc__


def test_every_public_name_resolves_and_is_documented():
    import mlmismatch

    for name in mlmismatch.__all__:
        value = getattr(mlmismatch, name)
        if name != "__version__":
            assert value.__doc__, name
    with pytest.raises(AttributeError):
        mlmismatch.no_such_name  # noqa: B018


def test_version_is_single_sourced():
    from importlib.metadata import version

    import mlmismatch

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert mlmismatch.__version__ == version("mlmismatch") == project["version"]
