"""The layout rules: pure libraries stay pure, and `platform` stays the standard library's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = {"freshcircle.traceability", "freshcircle.logistics", "freshcircle.forecasting"}
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


# One planted import per contract: (contract name as lint-imports prints it, file, its text).
PLANTED = {
    "libraries": ("Pure libraries stay free of the web stack and the database",
                  {"logistics/leak.py": "from flask import current_app\n"}),
    "layers": ("Features' services in supply-chain order",
               {"platform/core/services/leak.py":
                "from freshcircle.platform.market.services import orders\n"}),
    "services_pages": ("Services, models and web never import pages or API",
                       {"platform/batches/services/leak.py":
                        "from freshcircle.platform.batches.pages import batches\n"}),
    "pages_independent": ("A feature's pages never import another feature's pages",
                          {"platform/farms/pages/leak.py":
                           "from freshcircle.platform.market.pages import market\n"}),
    "api_pages": ("The API never imports pages",
                  {"platform/market/api/leak.py":
                   "from freshcircle.platform.market.pages import cart\n"}),
    "cycles": ("No import cycles between the modules of a room",
               {"platform/web/leak_a.py": "from freshcircle.platform.web import leak_b\n",
                "platform/web/leak_b.py": "from freshcircle.platform.web import leak_a\n"}),
}


def test_every_contract_has_a_planted_violation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    names = [c["name"] for c in config["contracts"]]
    assert len(names) == len(PLANTED)
    for contract, _ in PLANTED.values():
        assert sum(name.startswith(contract) for name in names) == 1, contract


@pytest.mark.parametrize("plant", sorted(PLANTED))
def test_import_contract_catches_a_planted_violation(tmp_path, plant):
    shutil.copytree(ROOT / "freshcircle", tmp_path / "freshcircle",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates",
                                                  "translations", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    contract, files = PLANTED[plant]
    for name, text in files.items():
        (tmp_path / "freshcircle" / name).write_text(text)

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert " ".join(contract.split()) in " ".join(broken.split()), result.stdout
    assert "leak" in broken, result.stdout


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
