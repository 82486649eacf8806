"""The layout rules: pure libraries stay pure, and `platform` stays the standard library's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = {"freshcircle.traceability", "freshcircle.logistics"}
WEB_STACK = {"flask", "sqlalchemy", "marshmallow", "freshcircle.platform"}
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_contract_forbids_the_web_stack_in_both_libraries():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    forbidden = [c for c in config["contracts"] if c["type"] == "forbidden"]

    assert any(
        set(c["source_modules"]) >= LIBRARIES and set(c["forbidden_modules"]) >= WEB_STACK
        for c in forbidden
    )
    assert config["include_external_packages"] is True  # without it flask is not checked


def test_import_contract_is_kept():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_import_contract_catches_a_library_importing_flask(tmp_path):
    shutil.copytree(ROOT / "freshcircle", tmp_path / "freshcircle",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates",
                                                  "translations", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    leak = tmp_path / "freshcircle" / "logistics" / "leak.py"
    leak.write_text("from flask import current_app\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "freshcircle.logistics.leak" in result.stdout


def test_platform_is_the_standard_library_module():
    import platform

    assert platform.system()
    assert Path(platform.__file__).parent != ROOT
    assert not (ROOT / "platform").exists()
    # The repository root first on sys.path, as `python -m pytest` and `flask run` put it.
    probe = subprocess.run(
        [sys.executable, "-c", "import platform, sqlalchemy, uuid; print(platform.system())"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert probe.returncode == 0 and probe.stdout.strip(), probe.stderr
