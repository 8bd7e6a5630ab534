"""customer_summary against lifetimes' summary_data_from_transaction_data, table shape by table shape.

Each case times ``crmlab.rfm.customer_summary`` on 1 000 000 transactions of one shape and
``lifetimes`` on the same table (its reference); ``make bench`` reports the speed-up,
which should be at least 8× on every shape. The shapes stress different steps: many
customers (the per-customer arrays), few customers with long histories (per-customer
loops, if any), many transactions per customer-day (the per-period totals), text ids
(hashing and sorting the ids, as in the course's data).
"""

from __future__ import annotations

N = 1_000_000
START = "2023-01-01"
END = "2025-12-31"


def _table(customers, seconds, rng):
    import pandas as pd

    return pd.DataFrame({
        "customer_id": customers,
        "order_datetime": pd.Timestamp(START) + pd.to_timedelta(seconds, unit="s"),
        "amount": rng.gamma(2.0, 30.0, len(seconds)).round(2),
    })


def _spread():
    """100 000 customers, about 10 transactions each over three years (the former benchmark table)."""
    import numpy as np

    rng = np.random.default_rng(2024)
    return _table(rng.integers(0, 100_000, N), rng.integers(0, 3 * 365 * 86_400, N), rng)


def _one_each():
    """1 000 000 customers with one transaction each."""
    import numpy as np

    rng = np.random.default_rng(1)
    return _table(rng.permutation(N) + 10_000_000, rng.integers(0, 3 * 365 * 86_400, N), rng)


def _few_with_thousands():
    """300 customers with about 3 300 transactions each."""
    import numpy as np

    rng = np.random.default_rng(2)
    return _table(rng.integers(0, 300, N), rng.integers(0, 3 * 365 * 86_400, N), rng)


def _several_per_day():
    """50 000 customers buying on a few days, five transactions on each of those days."""
    import numpy as np

    rng = np.random.default_rng(3)
    visits = N // 5
    customers = np.repeat(rng.integers(0, 50_000, visits), 5)
    seconds = np.repeat(rng.integers(0, 3 * 365, visits), 5) * 86_400 + rng.integers(0, 86_400, N)
    return _table(customers, seconds, rng)


def _text_ids():
    """The spread table with ids written as text (« C012345 »), as in the course's data."""
    table = _spread()
    return table.assign(customer_id="C" + table["customer_id"].astype(str).str.zfill(6))


def _summary(data):
    from crmlab import rfm

    rfm.customer_summary(data, "customer_id", "order_datetime", "amount", observation_period_end=END)


def _lifetimes(data):
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning)
        from lifetimes.utils import summary_data_from_transaction_data
    summary_data_from_transaction_data(data, "customer_id", "order_datetime", "amount", observation_period_end=END)


MIN_SPEEDUP = 8.0

# (label, setup, run, time budget, reference, minimal speed-up over the reference): bench/run.py
# times the reference too, reports the speed-up and counts the case within budget only if both hold
CASES = [
    ("customer_summary, 1 000 000 transactions : 100 000 clients sur trois ans", _spread, _summary, 0.25,
     _lifetimes, MIN_SPEEDUP),
    ("customer_summary, 1 000 000 transactions : un achat par client", _one_each, _summary, 0.25,
     _lifetimes, MIN_SPEEDUP),
    ("customer_summary, 1 000 000 transactions : 300 clients à milliers d'achats", _few_with_thousands, _summary,
     0.25, _lifetimes, MIN_SPEEDUP),
    ("customer_summary, 1 000 000 transactions : cinq achats par client et par jour", _several_per_day, _summary,
     0.25, _lifetimes, MIN_SPEEDUP),
    ("customer_summary, 1 000 000 transactions : identifiants texte", _text_ids, _summary, 1.0,
     _lifetimes, MIN_SPEEDUP),
]
