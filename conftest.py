"""Test-session settings shared by pytest, nbval and the kernels they start.

The exercise engine records a learner's progress in a JSON file in the home folder;
tests (and the notebook kernels nbval starts, which inherit this environment) write
it to a temporary file instead.
"""

import os
import tempfile


def pytest_configure(config):
    if "CRMLAB_PROGRESS" not in os.environ:
        folder = tempfile.mkdtemp(prefix="crmlab-progress-")
        os.environ["CRMLAB_PROGRESS"] = os.path.join(folder, "progression.json")
