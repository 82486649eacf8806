"""README.md tells a newcomer the truth about configuration and what is built."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
CONFIG = (ROOT / "freshcircle/platform/config.py").read_text("utf-8")


def _configuration_table() -> str:
    section = README.split("## Configuration", 1)[1]
    return section.split("\n## ", 1)[0]


def test_every_environment_variable_the_app_reads_is_in_the_configuration_table():
    read = set(re.findall(r"""env\.get\("([A-Z0-9_]+)\"""", CONFIG))
    assert "FRESHCIRCLE_TRACE_DOMAIN" in read
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", _configuration_table(), re.M))
    assert read - documented == set()


def test_readme_does_not_call_built_pages_unbuilt():
    assert "not built yet" not in README
