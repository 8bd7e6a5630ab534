"""Tests of crmlab.rfm: values worked by hand, lifetimes equivalence, French errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab import rfm
from crmlab.validation import InvalidDateError, InvalidValueError, MissingColumnError, NegativeValueError


@pytest.fixture
def three_customers() -> pd.DataFrame:
    """Worked on paper (observation end 2024-01-31):

    A: 3 orders, 2024-01-01 (10 €), 2024-01-01 (30 €, same day), 2024-01-21 (50 €)
       -> 2 distinct days, frequency 1, recency 20, T 30, monetary 50 (first day excluded)
    B: 1 order, 2024-01-11 (100 €) -> frequency 0, recency 0, T 20, monetary 0
    C: 3 orders, 2024-01-02 (20 €), 2024-01-12 (40 €), 2024-01-22 (60 €)
       -> frequency 2, recency 20, T 29, monetary (40 + 60) / 2 = 50
    """
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "C", "C", "C"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-21", "2024-01-11",
                 "2024-01-02", "2024-01-12", "2024-01-22"]
            ),
            "amount": [10.0, 30.0, 50.0, 100.0, 20.0, 40.0, 60.0],
        }
    )


# ---------------------------------------------------------------- customer_summary

def test_customer_summary_by_hand(three_customers):
    out = rfm.customer_summary(
        three_customers, "customer_id", "order_date", "amount", observation_period_end="2024-01-31"
    )
    assert list(out.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert out.index.name == "customer_id"
    assert list(out.index) == ["A", "B", "C"]
    assert out.loc["A"].tolist() == [1.0, 20.0, 30.0, 50.0]
    assert out.loc["B"].tolist() == [0.0, 0.0, 20.0, 0.0]
    assert out.loc["C"].tolist() == [2.0, 20.0, 29.0, 50.0]
    assert (out.dtypes == "float64").all()


def test_customer_summary_same_day_purchases_count_once(three_customers):
    # The two purchases of A on 2024-01-01 are one purchase period: 10 + 30 = 40 is the
    # first period's total and is left out of the mean.
    out = rfm.customer_summary(three_customers, "customer_id", "order_date", "amount")
    assert out.loc["A", "frequency"] == 1.0
    assert out.loc["A", "monetary_value"] == 50.0


def test_customer_summary_default_end_is_last_transaction(three_customers):
    out = rfm.customer_summary(three_customers, "customer_id", "order_date")
    # last transaction: 2024-01-22 -> T of C = 20, T of A = 21
    assert out["T"].tolist() == [21.0, 11.0, 20.0]
    assert "monetary_value" not in out.columns


def test_customer_summary_truncates_after_end(three_customers):
    out = rfm.customer_summary(
        three_customers, "customer_id", "order_date", "amount", observation_period_end="2024-01-12"
    )
    # A: only 2024-01-01 remains; C: 01-02 and 01-12 remain (monetary 40)
    assert out.loc["A"].tolist() == [0.0, 0.0, 11.0, 0.0]
    assert out.loc["C"].tolist() == [1.0, 10.0, 10.0, 40.0]


def test_customer_summary_weekly(three_customers):
    # 2024-01-01 is a Monday: weeks start 01-01, 01-08, 01-15, 01-22, 01-29.
    out = rfm.customer_summary(
        three_customers, "customer_id", "order_date", "amount",
        observation_period_end="2024-01-31", freq="W",
    )
    # A: weeks 0 and 2 -> frequency 1, recency 2, T 4; C: weeks 0, 1, 3 -> frequency 2, recency 3
    assert out.loc["A"].tolist() == [1.0, 2.0, 4.0, 50.0]
    assert out.loc["C"].tolist() == [2.0, 3.0, 4.0, 50.0]


def test_customer_summary_one_customer_one_purchase():
    tx = pd.DataFrame({"c": [7], "d": ["2024-03-01"], "v": [12.5]})
    out = rfm.customer_summary(tx, "c", "d", "v")
    assert out.index.tolist() == [7]
    assert out.loc[7].tolist() == [0.0, 0.0, 0.0, 0.0]


def _lifetimes_summary(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        # lifetimes 0.11 uses a pandas API deprecated in pandas 3 at import time
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning)
        from lifetimes.utils import summary_data_from_transaction_data
    return summary_data_from_transaction_data(*args, **kwargs)


@pytest.mark.parametrize("freq", ["D", "W"])
@pytest.mark.parametrize("monetary", [None, "amount"])
@pytest.mark.parametrize("end", [None, "2023-06-15"])
@pytest.mark.parametrize("id_type", [int, str])
def test_customer_summary_matches_lifetimes(freq, monetary, end, id_type):
    rng = np.random.default_rng(4)
    n = 4_000
    tx = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 300, n).astype(id_type),
            "order_date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 300 * 86_400, n), unit="s"),
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    expected = _lifetimes_summary(
        tx, "customer_id", "order_date", monetary, observation_period_end=end, freq=freq
    )
    got = rfm.customer_summary(
        tx, "customer_id", "order_date", monetary, observation_period_end=end, freq=freq
    )
    # same index (ids, order, dtype), columns and dtypes; values equal up to float rounding
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


def test_customer_summary_missing_column(three_customers):
    with pytest.raises(MissingColumnError, match="la colonne 'date' est absente de la table « transactions »"):
        rfm.customer_summary(three_customers, "customer_id", "date")


def test_customer_summary_negative_amount(three_customers):
    bad = three_customers.assign(amount=[10.0, -30.0, 50.0, 100.0, 20.0, 40.0, 60.0])
    with pytest.raises(NegativeValueError, match="valeur négative"):
        rfm.customer_summary(bad, "customer_id", "order_date", "amount")


def test_customer_summary_end_before_data(three_customers):
    with pytest.raises(InvalidValueError, match="antérieure au premier achat"):
        rfm.customer_summary(
            three_customers, "customer_id", "order_date", observation_period_end="2023-12-31"
        )


def test_customer_summary_bad_freq_and_bad_date(three_customers):
    with pytest.raises(InvalidValueError, match="fréquence 'ME' non prise en charge"):
        rfm.customer_summary(three_customers, "customer_id", "order_date", freq="ME")
    with pytest.raises(InvalidDateError, match="date illisible"):
        rfm.customer_summary(three_customers.assign(order_date="hier"), "customer_id", "order_date")
