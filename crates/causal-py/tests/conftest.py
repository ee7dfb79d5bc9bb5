"""Shared paths for the causal_rs pytest suite (run by `.ci/run` on the installed wheel)."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
DISCOVER_FIXTURES = ROOT / "crates" / "causal-discover" / "tests" / "fixtures"
# The reference data beside the project (`../shared/data`), as the Rust suite reads it.
# `$CAUSAL_SHARED_DATA` overrides it (a worktree elsewhere).
SHARED = pathlib.Path(os.environ.get("CAUSAL_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def shared_causal_learn():
    d = SHARED / "causal-learn"
    if not d.is_dir():
        pytest.skip(f"{d} is absent")
    return d
