"""Chapter 04: the RFM explorer widget, and customer_summary against lifetimes on 1 000 000 transactions."""

from __future__ import annotations

N_TRANSACTIONS = 1_000_000


def _transactions():
    """Synthetic transactions (seeded): 100 000 customers over three years, amounts in euros."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2024)
    seconds = rng.integers(0, 3 * 365 * 86_400, N_TRANSACTIONS)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, 100_000, N_TRANSACTIONS),
            "order_datetime": pd.Timestamp("2023-01-01") + pd.to_timedelta(seconds, unit="s"),
            "amount": rng.gamma(2.0, 30.0, N_TRANSACTIONS).round(2),
        }
    )


def _summary(data):
    from crmlab import rfm

    rfm.customer_summary(data, "customer_id", "order_datetime", "amount",
                         observation_period_end="2025-12-31", freq="D")


def _lifetimes_summary(data):
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning)
        from lifetimes.utils import summary_data_from_transaction_data
    summary_data_from_transaction_data(data, "customer_id", "order_datetime", "amount",
                                       observation_period_end="2025-12-31", freq="D")


def _explorer():
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from crmlab import datasets, rfm, style

    style.set_style()
    view = rfm.RFMExplorer(datasets.load_orders()).prepare(range(3, 11))
    view.png()
    return {"view": view, "step": 0, "dates": pd.date_range("2023-06-30", "2025-12-31", freq="ME")}


def _move_date_and_weights(state):
    """One slider move: a new reference date and new weights (same number of classes)."""
    state["step"] += 1
    k = state["step"]
    state["view"].png(state["dates"][-1 - k % 24], n_classes=5, weights=(1.0, 0.5 * (k % 4), 1.0))


def _move_classes(state):
    """One move of the « classes » slider (backgrounds prepared when the explorer starts)."""
    state["step"] += 1
    state["view"].png("2025-12-31", n_classes=3 + state["step"] % 8)


CASES = [
    ("explorateur RFM : une mise à jour (date de référence, poids)", _explorer, _move_date_and_weights, 0.15),
    ("explorateur RFM : une mise à jour (nombre de classes)", _explorer, _move_classes, 0.15),
    ("customer_summary, 1 000 000 transactions", _transactions, _summary, 0.25),
    ("lifetimes summary_data_from_transaction_data, 1 000 000 transactions (référence : ≥ 10 × customer_summary)",
     _transactions, _lifetimes_summary, 2.5),
]
