"""Tests of crmlab.rfm: values worked by hand, lifetimes equivalence on every table shape, French errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab import rfm, style
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


def assert_same_summary(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same ids (values, order, dtype), columns and dtypes; counts and ages exactly, amounts to 1e-9 relative."""
    pd.testing.assert_index_equal(got.index, expected.index, exact=True)
    assert list(got.columns) == list(expected.columns)
    assert (got.dtypes == "float64").all() and (expected.dtypes == "float64").all()
    for column in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
    if "monetary_value" in expected:
        np.testing.assert_allclose(got["monetary_value"].to_numpy(), expected["monetary_value"].to_numpy(),
                                   rtol=1e-9, atol=0)


def _transactions(rng, customers: np.ndarray, days: np.ndarray, per_day: int = 1) -> pd.DataFrame:
    """``per_day`` transactions on each (customer, day), at random times of that day, in random order."""
    n = len(customers) * per_day
    seconds = np.repeat(days, per_day) * 86_400 + rng.integers(0, 86_400, n)
    tx = pd.DataFrame({
        "customer_id": np.repeat(customers, per_day),
        "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(seconds, unit="s"),
        # cents, with a few very large and very small amounts: sums that rounding could disturb
        "amount": np.where(rng.random(n) < 0.01, rng.gamma(2.0, 30_000.0, n), rng.gamma(2.0, 30.0, n)).round(2),
    })
    return tx.sample(frac=1.0, random_state=int(rng.integers(1 << 31)), ignore_index=True)


# The table shapes that stress the computation differently (the benchmark times the same at 1 000 000 rows).
SHAPES = {
    # many customers who bought once (most of a real base), a few twice
    "one transaction each": lambda rng: _transactions(
        rng, np.r_[np.arange(20_000), rng.integers(0, 20_000, 2_000)] + 5_000_000, rng.integers(0, 1_095, 22_000)),
    # a few customers with thousands of purchases (B2B accounts, resellers)
    "a few with thousands": lambda rng: _transactions(rng, rng.integers(0, 8, 20_000), rng.integers(0, 1_095, 20_000)),
    # several transactions per customer-day: one period, several tickets
    "several per day": lambda rng: _transactions(rng, rng.integers(0, 2_000, 4_000), rng.integers(0, 1_095, 4_000),
                                                 per_day=5),
    # sparse, large integer ids (not a compact range)
    "sparse ids": lambda rng: _transactions(rng, rng.choice(10**12, 300, replace=False)[rng.integers(0, 300, 5_000)],
                                            rng.integers(0, 1_095, 5_000)),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("freq", ["D", "W"])
def test_customer_summary_matches_lifetimes_on_every_shape(shape, freq):
    tx = SHAPES[shape](np.random.default_rng(7))
    for end in (None, "2024-06-30"):
        expected = _lifetimes_summary(tx, "customer_id", "order_date", "amount", observation_period_end=end, freq=freq)
        got = rfm.customer_summary(tx, "customer_id", "order_date", "amount", observation_period_end=end, freq=freq)
        assert_same_summary(got, expected)


@pytest.mark.parametrize("freq", ["D", "W", "h"])
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
    assert_same_summary(got, expected)


def test_customer_summary_matches_lifetimes_on_a_million_rows():
    # the benchmark's table: 100 000 customers, 1 000 000 transactions over three years
    rng = np.random.default_rng(2024)
    n = 1_000_000
    tx = pd.DataFrame({
        "customer_id": rng.integers(0, 100_000, n),
        "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 86_400, n), unit="s"),
        "amount": rng.gamma(2.0, 30.0, n).round(2),
    })
    args = (tx, "customer_id", "order_date", "amount")
    assert_same_summary(rfm.customer_summary(*args, observation_period_end="2025-06-30"),
                        _lifetimes_summary(*args, observation_period_end="2025-06-30"))


def test_customer_summary_ignores_rows_without_customer_as_lifetimes_does():
    tx = pd.DataFrame({"c": ["a", None, "a", "b"], "d": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05",
                                                                        "2024-01-03"]),
                       "v": [1.0, 100.0, 2.0, 3.0]})
    out = rfm.customer_summary(tx, "c", "d", "v")
    assert out.index.tolist() == ["a", "b"]
    assert out.loc["a"].tolist() == [1.0, 4.0, 4.0, 2.0]
    assert_same_summary(out, _lifetimes_summary(tx, "c", "d", "v"))


def test_customer_summary_missing_column(three_customers):
    with pytest.raises(MissingColumnError, match="la colonne 'date' est absente de la table « transactions »"):
        rfm.customer_summary(three_customers, "customer_id", "date")


def test_customer_summary_negative_amount(three_customers):
    bad = three_customers.assign(amount=[10.0, -30.0, 50.0, 100.0, 20.0, 40.0, 60.0])
    with pytest.raises(NegativeValueError, match="valeur négative"):
        rfm.customer_summary(bad, "customer_id", "order_date", "amount")


def test_customer_summary_missing_amount(three_customers):
    bad = three_customers.assign(amount=[10.0, np.nan, 50.0, 100.0, 20.0, 40.0, 60.0])
    with pytest.raises(InvalidValueError, match="montant manquant \\(ligne 1\\)"):
        rfm.customer_summary(bad, "customer_id", "order_date", "amount")


def test_customer_summary_many_purchases_in_one_period():
    # three purchases in one week, listed out of order: summed in date order, as lifetimes does
    tx = pd.DataFrame({"c": [1, 1, 1, 1, 1], "d": pd.to_datetime(
        ["2024-01-01", "2024-01-12", "2024-01-10", "2024-01-08", "2024-01-22"]),
        "v": [5.0, 0.1, 0.2, 0.3, 7.0]})
    out = rfm.customer_summary(tx, "c", "d", "v", freq="W")
    # weeks 0, 1 (three purchases: 0.3 + 0.2 + 0.1), 3 -> frequency 2, recency 3
    assert out.loc[1, ["frequency", "recency", "T"]].tolist() == [2.0, 3.0, 3.0]
    assert out.loc[1, "monetary_value"] == pytest.approx((0.6 + 7.0) / 2)
    assert_same_summary(out, _lifetimes_summary(tx, "c", "d", "v", freq="W"))


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


# ---------------------------------------------------------------- marketer's RFM

def test_rfm_table_by_hand(three_customers):
    # reference 2024-01-31: A last bought 01-21 (10 days), 3 orders, 90 €;
    # B 01-11 (20 days), 1 order, 100 €; C 01-22 (9 days), 3 orders, 120 €.
    # M is the average basket (total / orders), not the total, which would repeat F.
    out = rfm.rfm_table(three_customers, reference_date="2024-01-31")
    assert out.to_dict("index") == {
        "A": {"recency": 10, "frequency": 3, "monetary": 30.0, "total": 90.0},
        "B": {"recency": 20, "frequency": 1, "monetary": 100.0, "total": 100.0},
        "C": {"recency": 9, "frequency": 3, "monetary": 40.0, "total": 120.0},
    }


def test_rfm_table_ignores_orders_after_reference(three_customers):
    out = rfm.rfm_table(three_customers, reference_date="2024-01-11")
    # A: 2 orders on 01-01 only; B bought on the reference day itself (recency 0); C: 01-02
    assert out.to_dict("index") == {
        "A": {"recency": 10, "frequency": 2, "monetary": 20.0, "total": 40.0},
        "B": {"recency": 0, "frequency": 1, "monetary": 100.0, "total": 100.0},
        "C": {"recency": 9, "frequency": 1, "monetary": 20.0, "total": 20.0},
    }


def test_rfm_scores_by_hand(three_customers):
    # 3 classes, 3 customers: each rank is its own class unless tied.
    # R: B (20 days) < A (10) < C (9) -> 1, 2, 3; F: B 1 order -> 1, A and C tied at 3
    # orders -> both get the score of the first of the tie (rank 2) -> 2;
    # M (average basket): A 30 < C 40 < B 100 -> 1, 2, 3.
    scores = rfm.rfm_scores(rfm.rfm_table(three_customers, "2024-01-31"), n_classes=3)
    assert scores["cell"].to_dict() == {"A": "221", "B": "113", "C": "322"}
    assert scores.loc["C", "score"] == pytest.approx((3 + 2 + 2) / 3)
    weighted = rfm.rfm_scores(rfm.rfm_table(three_customers, "2024-01-31"), n_classes=3, weights=(2, 0, 1))
    assert weighted.loc["A", "score"] == pytest.approx((2 * 2 + 1) / 3)


def test_quantile_scores_ties_share_a_score():
    # four identical customers cannot be split: they all get 1, classes 2 to 4 stay empty
    assert rfm.quantile_scores(pd.Series([1, 1, 1, 1, 2]), 5).tolist() == [1, 1, 1, 1, 5]
    # ten distinct values, five classes: two per class
    assert rfm.quantile_scores(pd.Series(range(10)), 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency: fewer days is better
    assert rfm.quantile_scores(pd.Series([30, 10, 20]), 3, higher_is_better=False).tolist() == [1, 3, 2]


def test_rfm_segments_and_actions(three_customers):
    scores = rfm.rfm_scores(rfm.rfm_table(three_customers, "2024-01-31"), n_classes=3)
    # on a 1..3 scale, 1 -> 2, 2 -> 4, 3 -> 5 on the 1..5 grid
    seg = rfm.rfm_segments(scores, n_classes=3)
    assert seg.astype(str).to_dict() == {"A": "Fidèles", "B": "En hibernation", "C": "Champions"}
    summary = rfm.segment_summary(scores.assign(segment=seg))
    assert summary.loc["Champions", "revenue_share"] == pytest.approx(120 / 310)
    assert summary["customer_share"].sum() == pytest.approx(1.0)
    assert summary.loc["Champions", "action"] == rfm.SEGMENTS.loc["Champions", "action"]


def test_every_grid_segment_has_an_action():
    assert set(np.unique(rfm._GRID)) == set(rfm.SEGMENTS.index)
    assert rfm.SEGMENTS["action"].str.len().gt(10).all()


def test_purchase_type_by_hand():
    lines = pd.DataFrame(
        {"customer_id": ["a", "a", "a", "b"], "category": ["jardin", "maison", "jardin", "cuisine"],
         "line_amount": [20.0, 20.0, 10.0, 7.0]}
    )
    out = rfm.purchase_type(lines)
    assert out.loc["a", "main_category"] == "jardin"
    assert out.loc["a", "main_category_share"] == pytest.approx(30 / 50)
    assert out["n_categories"].to_dict() == {"a": 2, "b": 1}


def test_migration_matrix_and_stability():
    before = pd.Series({"a": "Champions", "b": "Champions", "c": "Nouveaux", "d": "Nouveaux"})
    after = pd.Series({"a": "Champions", "b": "À risque", "c": "Nouveaux", "e": "Nouveaux"})
    counts = rfm.migration_matrix(before, after, normalize=False)
    assert counts.loc["Champions", "À risque"] == 1
    assert counts.loc["Nouveaux", "absent"] == 1  # d did not buy again... and left the base
    assert counts.loc["absent", "Nouveaux"] == 1  # e is new
    shares = rfm.migration_matrix(before, after)
    assert shares.loc["Champions"].sum() == pytest.approx(1.0)
    assert rfm.stability(before, after) == pytest.approx(2 / 3)  # a and c stay, b moves


def test_rfm_bad_input(three_customers):
    with pytest.raises(MissingColumnError, match="la colonne 'amount' est absente de la table « orders »"):
        rfm.rfm_table(three_customers.drop(columns="amount"))
    with pytest.raises(NegativeValueError, match="la colonne 'amount' de la table « orders » contient une valeur négative"):
        rfm.rfm_table(three_customers.assign(amount=-1.0))
    with pytest.raises(InvalidValueError, match="date de référence .* antérieure au premier achat"):
        rfm.rfm_table(three_customers, reference_date="2023-06-30")
    with pytest.raises(InvalidValueError, match="entre 2 et 10"):
        rfm.quantile_scores(pd.Series([1, 2]), n_classes=1)
    with pytest.raises(InvalidValueError, match="poids"):
        rfm.rfm_scores(rfm.rfm_table(three_customers), weights=(0, 0, 0))


def test_plot_segment_map_returns_axes(three_customers):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = rfm.rfm_scores(rfm.rfm_table(three_customers, "2024-01-31"), n_classes=3)
    ax = rfm.plot_segment_map(scores, n_classes=3)
    assert "Carte RFM" in ax.get_title()
    plt.close(ax.figure)


def test_rfm_view_update_and_png(three_customers):
    import matplotlib

    matplotlib.use("Agg")
    view, update = rfm.rfm_view(three_customers)
    title, caption = update("2024-01-31", n_classes=3)
    weights = update.table
    # A Fidèles (90 €), B En hibernation (100 €), C Champions (120 €): see test_rfm_segments_and_actions
    assert weights.loc["Champions", "revenue_share"] == pytest.approx(120 / 310)
    assert weights["customer_share"].sum() == pytest.approx(1.0)
    assert title.startswith("au 31 janvier 2024, 3 classes par critère") and caption.startswith("3 clients.")
    assert view.png().startswith(b"\x89PNG")
    with pytest.raises(InvalidValueError, match="antérieure au premier achat"):
        update("2023-12-01")
    with pytest.raises(InvalidValueError, match="au moins un des trois poids"):
        update("2024-01-31", 3, 0, 0, 0)


def test_rfm_view_equals_the_chapter_computation_on_company_data():
    """The explorer's numpy scoring gives the segments of rfm_table → rfm_scores → rfm_segments."""
    from crmlab import datasets

    orders = datasets.load_orders()
    view, update = rfm.rfm_view(orders, n_classes=[4, 7])
    for date, n, weights in [("2024-12-31", 4, (2.0, 1.0, 1.0)), ("2025-06-30", 7, (0.0, 0.0, 1.0))]:
        _, caption = update(date, n, *weights)
        scores = rfm.rfm_scores(rfm.rfm_table(orders, date), n, weights)
        segment = rfm.rfm_segments(scores, n)
        expected = pd.DataFrame({
            "customer_share": segment.value_counts(normalize=True),
            "revenue_share": scores["total"].groupby(segment).sum() / scores["total"].sum(),
        }).reindex(rfm.SEGMENTS.index).fillna(0.0)
        pd.testing.assert_frame_equal(update.table, expected, check_names=False, atol=1e-12)
        best = scores["score"].rank(method="first", ascending=False) <= round(0.1 * len(scores))
        share = scores.loc[best, "total"].sum() / scores["total"].sum()
        assert f"font {style.fmt_pct(share, 0)} du chiffre" in caption


def test_rfm_widget_shows_impossible_weights_in_french(three_customers):
    box = rfm.rfm_widget(three_customers, reference_date="2024-01-31", first_month="2023-12-31")
    size = box.view.pixel_size
    for name in ("weight_r", "weight_f", "weight_m"):
        box.controls[name].value = 0.0
    assert box.view.message.startswith("Au moins un des trois poids") and box.view.pixel_size == size
    box.controls["weight_m"].value = 2.0
    assert box.view.message == "" and "M × 2,0" in box.view.title
