"""The hexagon's import rules: the domain and the ports import nothing from the outside."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import clipnet

PACKAGE = Path(clipnet.__file__).parent
PYPROJECT = PACKAGE.parent.parent / "pyproject.toml"
INNER_CONTRACT = "The domain and ports import no framework, driver or I/O library"


def forbidden_for_the_inner_layers() -> tuple[str, ...]:
    """The import-linter contract's list: one source of truth for this test and lint-imports."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == INNER_CONTRACT]
    return tuple(contract["forbidden_modules"])


FORBIDDEN = forbidden_for_the_inner_layers()


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


INNER_MODULES = sorted(
    [*PACKAGE.joinpath("domain").rglob("*.py"), *PACKAGE.joinpath("ports").rglob("*.py")]
)


@pytest.mark.parametrize("path", INNER_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_domain_and_ports_import_no_framework_driver_or_outer_layer(path: Path) -> None:
    offending = [
        name
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offending == [], f"{path.name} imports {offending}"


def test_the_layer_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports)], capture_output=True, text=True, cwd=PACKAGE.parent.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_inner_layers_forbid_the_heavy_inference_libraries_too() -> None:
    assert {"faster_whisper", "torch", "transformers", "httpx"} <= set(FORBIDDEN)
