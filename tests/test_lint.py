"""The source tree passes its type checker and linter, as configured in pyproject.toml
([tool.mypy], [tool.ruff]): "type hints throughout" is checked, not just promised.

Both tools are in the ``test`` extra; where one is not installed its test is skipped, saying so.
Each runs in a subprocess (mypy without a cache, so nothing is written into the tree): together
about 15 s on a 2-core machine.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "src/hoarfrost"  # relative to ROOT, as the reports name files

# Files whose findings are left out (none: every file is checked).
PENDING: tuple[str, ...] = ()


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _findings(output: str) -> list[str]:
    """The lines of a report that name a file outside PENDING (a finding starts with its path)."""
    lines = [line for line in output.splitlines() if re.match(r"src/\S+?\.py:\d+", line)]
    return [line for line in lines if not line.startswith(PENDING)]


@pytest.mark.skipif(not _installed("mypy"), reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy_finds_no_errors() -> None:
    result = _run("mypy", "--config-file", "pyproject.toml", "--cache-dir", "/dev/null", SOURCE)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    errors = [line for line in _findings(result.stdout) if ": error:" in line]
    assert not errors, "mypy:\n" + "\n".join(errors)


@pytest.mark.skipif(not _installed("ruff"), reason="ruff is not installed (pip install -e '.[test]')")
def test_ruff_finds_no_errors() -> None:
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", SOURCE)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: ruff itself failed
    findings = _findings(result.stdout)
    assert not findings, "ruff:\n" + "\n".join(findings)
