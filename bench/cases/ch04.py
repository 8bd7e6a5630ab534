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
    from bench.cases import stepper
    from crmlab import datasets, rfm, style

    style.set_style()
    box = rfm.rfm_widget(datasets.load_orders())
    return {"date": stepper(box.controls["reference_date"]), "classes": stepper(box.controls["n_classes"]),
            "weight": stepper(box.controls["weight_r"])}


CASES = [
    ("explorateur RFM : bouger la date de référence", _explorer, lambda s: s["date"](), 0.15),
    ("explorateur RFM : bouger le nombre de classes", _explorer, lambda s: s["classes"](), 0.15),
    ("explorateur RFM : bouger le poids de R", _explorer, lambda s: s["weight"](), 0.15),
    ("customer_summary, 1 000 000 transactions", _transactions, _summary, 0.25),
    ("lifetimes summary_data_from_transaction_data, 1 000 000 transactions (référence : ≥ 10 × customer_summary)",
     _transactions, _lifetimes_summary, 2.5),
]
