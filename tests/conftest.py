"""Shared fixtures of the generator's tests: one fresh build of the company per test session."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from crmlab import datasets, generator


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One fresh build of the whole company per test session (per xdist worker)."""
    out = tmp_path_factory.mktemp("company")
    generator.build(out)
    return out


@pytest.fixture(scope="session")
def load(built):
    """``load("orders")`` reads a table of the fresh build with the course's loader;
    ``load("truth:customers")`` reads a ground-truth table. Results are cached."""

    @functools.lru_cache(maxsize=None)
    def _load(name: str):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CRMLAB_DATA_DIR", str(built))
            if name.startswith("truth:"):
                return datasets.load_ground_truth(name.split(":", 1)[1])
            return getattr(datasets, f"load_{name}")()

    return _load
