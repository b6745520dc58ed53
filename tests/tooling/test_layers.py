"""`make lint` enforces the layers: an upward import fails it, the real tree passes.

The import-linter contract in pyproject.toml is run, as scripts/lint.sh runs it, on a copy of
the apps into which one upward import has been added, and on the real tree. Ruff's banned-api
rule, which keeps allauth's internals in accounts/allauth_internals.py, is checked the same way.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support import ROOT

BIN = Path(sys.executable).parent
# Highest first: each may import those after it, never those before it.
LAYERS = ["devtools", "safeguarding", "escalation", "alerts", "concerns", "consent", "audit", "health", "accounts"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN / "lint-imports", "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_contract_lists_the_layers_in_order():
    config = importlinter_config()
    layers = [c for c in config["contracts"] if c["type"] == "layers"]
    assert [contract["layers"] for contract in layers] == [LAYERS]
    assert set(config["root_packages"]) == set(LAYERS)


def test_the_real_tree_keeps_the_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copied_tree(tmp_path_factory) -> Path:
    """The apps' Python files and pyproject.toml, nothing else."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    for package in LAYERS:
        shutil.copytree(
            ROOT / package,
            tree / package,
            ignore=lambda folder, names: [n for n in names if not (n.endswith(".py") or (Path(folder) / n).is_dir())],
        )
    return tree


@pytest.mark.parametrize(
    ("lower", "higher"),
    [*zip(LAYERS[1:], LAYERS[:-1], strict=True), ("accounts", "escalation")],
    ids=lambda name: name,
)
def test_an_upward_import_breaks_the_contract(copied_tree, lower, higher):
    assert lint_imports(copied_tree).returncode == 0, "the copy should pass before the upward import"
    upward = copied_tree / lower / "upward_import_for_the_test.py"
    upward.write_text(f"import {higher}  # noqa: F401\n")
    try:
        result = lint_imports(copied_tree)
    finally:
        upward.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Lower layers never import higher ones BROKEN" in result.stdout
    assert f"{lower}.upward_import_for_the_test -> {higher}" in result.stdout


def ruff_on(source: str, as_path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN / "ruff", "check", "--no-cache", "--stdin-filename", as_path, "-"],
        cwd=ROOT,
        input=source,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "source",
    [
        "from allauth.account.internal.flows.login import record_authentication\n",
        "from allauth.mfa.totp.internal import auth\n",
        "import allauth.usersessions.internal.flows.sessions\n",
        "from allauth.core.internal import ratelimit\n",
    ],
)
def test_allauth_internals_are_refused_outside_their_one_module(source):
    for elsewhere in ("accounts/security.py", "safeguarding/account_adapter.py", "tests/conftest.py"):
        result = ruff_on(source, elsewhere)
        assert result.returncode == 1 and "TID251" in result.stdout, (elsewhere, result.stdout)
    assert "TID251" not in ruff_on(source, "accounts/allauth_internals.py").stdout
