"""Shared fixtures: the shipped seed thread and data folder, temporary stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed" / "botox-smoother-skin.txt"
SEED_ID = "why-does-botox-make-my-skin-appear-smoother"


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped data/ folder, safe to modify."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


pytest_plugins = ["tests.emulator.fixtures"]
