"""Loading bench/ modules in tests: bench/ is a folder of scripts, not a package, and one of
them (trace.py) shares its name with a standard-library module, so it never goes on
sys.path here; each module is loaded from its file under a name of its own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def load_bench_module(name: str) -> ModuleType:
    """bench/<name>.py as the module `bench_<name>` (loaded once)."""
    key = f"bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
