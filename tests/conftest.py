"""Shared test helpers: a private cache for every test, and fact sets written into tmp_path.

Kept small and generic on purpose; area-specific fixtures live in each test file.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Under CI, property tests replay the same examples every run: a red build is always reproducible,
# never bad luck. Locally each run explores new examples (and remembers failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

__all__ = ["FIXTURES", "SMALL", "write_fact_set"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"  # 15 entities, 16 facts, 3 sources: see tests/fixtures/small/*.yaml


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache folder and no tieline settings from the environment."""
    cache = tmp_path_factory.mktemp("tieline-cache")
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(cache))
    for name in ("TIELINE_DATA", "TIELINE_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return cache


def write_fact_set(folder: Path, files: Mapping[str, str | None] | None = None,
                   base: Path | None = SMALL) -> Path:
    """Copy ``base`` (a fact-set folder, or nothing) into ``folder``, then apply ``files``.

    ``files`` maps data-relative paths to YAML text (dedented; written as UTF-8) or to ``None``
    to delete that file from the copy. Returns ``folder``.
    """
    if base is not None:
        shutil.copytree(base, folder, dirs_exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    for rel, text in (files or {}).items():
        path = folder / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A fresh copy of tests/fixtures/small in tmp_path (safe to edit)."""
    return write_fact_set(tmp_path / "data")


@pytest.fixture
def fact_set(tmp_path: Path) -> Callable[..., Path]:
    """``fact_set(files, base=SMALL, name="data")``: write a fact set into tmp_path and return its folder."""
    def make(files: Mapping[str, str | None] | None = None, base: Path | None = SMALL, name: str = "data") -> Path:
        return write_fact_set(tmp_path / name, files, base)
    return make


@pytest.fixture
def invoke() -> Callable[..., Any]:
    """``invoke(*args, env=None, input=None)``: run ``tieline ARGS`` in-process (``input`` on stdin);
    returns click's Result.

    The terminal is 80 columns wide (``COLUMNS=80``) unless ``env`` says otherwise.
    ``result.stdout`` and ``result.stderr`` are separate; an unexpected exception propagates
    (with its traceback) instead of hiding behind an exit code.
    """
    from typer.testing import CliRunner

    from cli import app

    def run(*args: str, env: Mapping[str, str] | None = None, input: bytes | str | None = None) -> Any:
        return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80", **(env or {})},
                                  catch_exceptions=False, input=input)
    return run
