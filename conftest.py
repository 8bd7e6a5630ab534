"""Test-session settings shared by pytest, nbval and the kernels they start.

The exercise engine records a learner's progress in a JSON file in the home folder;
tests (and the notebook kernels nbval starts, which inherit this environment) write
it to a temporary file instead.
"""

import functools
import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config):
    if "CRMLAB_PROGRESS" not in os.environ:
        folder = tempfile.mkdtemp(prefix="crmlab-progress-")
        os.environ["CRMLAB_PROGRESS"] = os.path.join(folder, "progression.json")


# Shared fixtures of the generator's tests: one fresh build of the company per test session.


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One fresh build of the whole company per test session (per xdist worker)."""
    from crmlab import generator

    out = tmp_path_factory.mktemp("company")
    generator.build(out)
    return out


@pytest.fixture(scope="session")
def load(built):
    """``load("orders")`` reads a table of the fresh build with the course's loader;
    ``load("truth:customers")`` reads a ground-truth table. Results are cached."""

    @functools.lru_cache(maxsize=None)
    def _load(name: str):
        from crmlab import datasets

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CRMLAB_DATA_DIR", str(built))
            if name.startswith("truth:"):
                return datasets.load_ground_truth(name.split(":", 1)[1])
            return getattr(datasets, f"load_{name}")()

    return _load
