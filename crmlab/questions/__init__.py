"""Graded questions, one module per chapter (``ch00.py``, ``ch01.py``, …).

Each module registers its questions with :func:`crmlab.exercises.question` on a
function that computes the expected answer from the data with ``crmlab``::

    @question("00-q3", kind="number", rtol=1e-3, concept="le panier moyen est ...",
              hints=["…", "…", "…"])
    def _average_basket() -> float:
        return datasets.load_orders()["amount"].mean()

``crmlab.exercises`` imports these modules lazily, at the first check.
"""

from functools import cache

import pandas as pd


@cache
def table(name: str) -> pd.DataFrame:
    """One shared, cached copy of a company table for the expected answers of every chapter.

    Read only: a question that needs a changed table works on a copy.
    """
    from .. import datasets

    return getattr(datasets, f"load_{name}")()
