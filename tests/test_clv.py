"""Simple CLV: closed form against the explicit sum, equity, retention, French errors."""

import numpy as np
import pandas as pd
import pytest

from crmlab import clv as cv
from crmlab.validation import InvalidValueError, MissingColumnError


def test_closed_form_by_hand_m100_r08_d01():
    # infinite horizon: m r / (1 + d - r) = 80 / 0.3
    assert cv.clv(100, 0.8, 0.1) == pytest.approx(800 / 3)
    # two years: 80/1.1 + 64/1.21
    assert cv.clv(100, 0.8, 0.1, horizon=2) == pytest.approx(80 / 1.1 + 64 / 1.21)


@pytest.mark.parametrize("horizon", [1, 5, 30])
def test_closed_form_equals_explicit_sum(horizon):
    t = np.arange(1, horizon + 1)
    explicit = (100 * 0.8 ** t / 1.1 ** t).sum()
    assert cv.clv(100, 0.8, 0.1, horizon=horizon) == pytest.approx(explicit)
    assert cv.clv_table(100, 0.8, 0.1, horizon)["cumulative_clv"].iloc[-1] == pytest.approx(explicit)


def test_long_finite_horizon_tends_to_infinite_value():
    assert cv.clv(100, 0.8, 0.1, horizon=200) == pytest.approx(cv.clv(100, 0.8, 0.1))


def test_first_year_and_acquisition_cost():
    # new customer: 100 now + 266.67 later − 150 of acquisition
    assert cv.clv(100, 0.8, 0.1, include_first_year=True, acquisition_cost=150) == pytest.approx(100 + 800 / 3 - 150)


def test_full_retention_no_discount_finite():
    assert cv.clv(50, 1.0, 0.0, horizon=4) == pytest.approx(200.0)


def test_vectorised_and_series():
    values = cv.clv(np.array([100.0, 100.0]), np.array([0.5, 0.8]), 0.1)
    assert values == pytest.approx([50 / 0.6, 800 / 3])
    s = cv.clv(pd.Series([100.0, 10.0], index=["a", "b"]), 0.5, 0.0)
    assert s.index.tolist() == ["a", "b"] and s.tolist() == pytest.approx([100.0, 10.0])


def test_zero_retention_is_worth_nothing_later():
    assert cv.clv(100, 0.0, 0.1) == 0.0


def test_breakeven_retention_by_hand():
    # first year included: (1 + d)(1 - m / cost) = 1.1 × 0.5 = 0.55
    r = cv.breakeven_retention(50, 100, 0.1)
    assert r == pytest.approx(0.55)
    assert cv.clv(50, r, 0.1, include_first_year=True) == pytest.approx(100.0)
    # margin above the cost: any retention pays back
    assert cv.breakeven_retention(150, 100, 0.1) == 0.0


def test_retention_rate_by_hand_and_by_group():
    orders = pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "C", "D", "D"],
        "order_date": ["2023-05-01", "2024-01-10", "2023-02-01", "2024-03-01",
                       "2025-03-01", "2023-06-01", "2025-06-01"],
    })
    # 2023→2024: A stays, B and D leave (D comes back in 2025, not counted); 2024→2025: A leaves, C stays
    # pooled: 2 stays out of 5 starts
    assert cv.retention_rate(orders) == pytest.approx(2 / 5)
    channel = pd.Series({"A": "web", "B": "web", "C": "magasin", "D": "magasin"}, name="acquisition_channel")
    rates = cv.retention_rate(orders, by=channel)
    assert rates["web"] == pytest.approx(1 / 3)  # A: 1/2, B: 0/1
    assert rates["magasin"] == pytest.approx(1 / 2)  # C: 1/1, D: 0/1


def test_retention_needs_two_years():
    with pytest.raises(InvalidValueError, match="deux années"):
        cv.retention_rate(pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-01"]}))


def test_reliability_score():
    s = cv.reliability_score(pd.DataFrame({"n_returns": [0, 1, 2], "n_orders": [3, 4, 2]}))
    assert s.tolist() == pytest.approx([1.0, 0.75, 0.0])


def test_customer_equity_total_and_by_group():
    d = pd.DataFrame({"clv": [100.0, 50.0, 30.0], "channel": ["web", "web", "magasin"]})
    total = cv.customer_equity(d)
    assert total.loc["Total", "equity"] == pytest.approx(180.0)
    by = cv.customer_equity(d, by="channel")
    assert by.loc["web", "n_customers"] == 2
    assert by.loc["web", "equity_share"] == pytest.approx(150 / 180)
    assert by.loc["magasin", "mean_value"] == pytest.approx(30.0)


def test_full_retention_infinite_horizon_error_in_french():
    with pytest.raises(InvalidValueError, match="horizon infini"):
        cv.clv(100, 1.0, 0.1)


def test_retention_out_of_range_error_in_french():
    with pytest.raises(InvalidValueError, match="entre 0 et 1"):
        cv.clv(100, 80, 0.1, horizon=5)  # 80 instead of 0.8


def test_bad_horizon_and_discount():
    with pytest.raises(InvalidValueError, match="nombre entier"):
        cv.clv(100, 0.8, 0.1, horizon=2.5)
    with pytest.raises(InvalidValueError, match="actualisation"):
        cv.clv(100, 0.8, -0.1)


def test_missing_column_error_in_french():
    with pytest.raises(MissingColumnError, match="colonne 'n_returns' est absente"):
        cv.reliability_score(pd.DataFrame({"n_orders": [1]}))


def test_weight_by_reliability_shrinks_gains_not_losses():
    out = cv.weight_by_reliability(pd.Series([100.0, -40.0, 0.0]), pd.Series([0.75, 0.5, 0.2]))
    assert out.tolist() == pytest.approx([75.0, -40.0, 0.0])
    with pytest.raises(InvalidValueError, match="entre 0"):
        cv.weight_by_reliability(10.0, 1.5)


def test_sensitivity_figure_moves_its_artists():
    view, update = cv.clv_sensitivity_figure(max_horizon=10)
    title, text = update(100, 0.8, 0.1, 2)
    left = view.axes[0]
    heights = [bar.get_height() for bar in left.patches]
    assert heights[:2] == pytest.approx([80 / 1.1, 64 / 1.21])
    assert heights[2:] == pytest.approx([0.0] * 8)  # years beyond the horizon are empty
    assert "125,62" in text and "266,67" in text
    assert title == "marge 100\xa0€ par an, rétention 80\xa0%, actualisation 10\xa0%, horizon 2\xa0ans"
    with pytest.raises(InvalidValueError, match="horizon"):
        update(100, 0.8, 0.1, 11)


def test_clv_widget_bounds_its_sliders():
    box = cv.clv_widget(margin=1000, retention=0.99, discount=0.1, horizon=50)
    c = box.controls
    assert c["margin"].value == 300 and c["retention"].value == pytest.approx(0.95) and c["horizon"].value == 30
    assert "marge 300\xa0€" in box.view.title and "horizon 30\xa0ans" in box.view.title


def test_retention_needs_consecutive_years():
    orders = pd.DataFrame({"customer_id": ["A", "A"], "order_date": ["2023-01-01", "2025-01-01"]})
    with pytest.raises(InvalidValueError, match="consécutives"):
        cv.retention_rate(orders)


def test_retention_one_customer_one_purchase_per_year():
    orders = pd.DataFrame({"customer_id": ["A", "A"], "order_date": ["2024-12-31", "2025-01-01"]})
    assert cv.retention_rate(orders) == 1.0


def test_weight_by_reliability_aligns_on_customers():
    value = pd.Series([100.0, 10.0], index=["A", "B"])
    score = pd.Series([1.0, 0.5], index=["B", "A"])
    assert cv.weight_by_reliability(value, score).tolist() == pytest.approx([50.0, 10.0])
    with pytest.raises(InvalidValueError, match="manquante"):
        cv.weight_by_reliability(value, pd.Series([1.0], index=["A"]))


# ------------------------------------------------------ the course's conventions
# CONVENTIONS.md: margins booked at the start of each year of relationship; a new
# customer's first margin at t = 0, undiscounted (Fader & Hardie, 2012, case 1);
# a current customer's residual value starts at t = 1 (case 2).
def _explicit(m, r, d, first, last):
    return sum(m * r**t / (1 + d) ** t for t in range(first, last + 1))


@pytest.mark.parametrize("m, r, d", [(100, 0.8, 0.1), (37.5, 0.55, 0.08), (18.87, 0.62, 0.0)])
def test_new_customer_value_is_the_explicit_sum_from_year_zero(m, r, d):
    assert cv.clv(m, r, d, horizon=7, include_first_year=True) == pytest.approx(_explicit(m, r, d, 0, 6), rel=1e-12)
    assert cv.clv(m, r, d, include_first_year=True) == pytest.approx(_explicit(m, r, d, 0, 3000), rel=1e-9)
    assert cv.clv(m, r, d, include_first_year=True) == pytest.approx(m * (1 + d) / (1 + d - r), rel=1e-12)


@pytest.mark.parametrize("m, r, d", [(100, 0.8, 0.1), (37.5, 0.55, 0.08), (18.87, 0.62, 0.0)])
def test_residual_value_is_the_explicit_sum_from_year_one(m, r, d):
    assert cv.residual_value(m, r, d, horizon=7) == pytest.approx(_explicit(m, r, d, 1, 7), rel=1e-12)
    assert cv.residual_value(m, r, d) == pytest.approx(m * r / (1 + d - r), rel=1e-12)
    assert cv.clv(m, r, d, include_first_year=True) == pytest.approx(m + cv.residual_value(m, r, d), rel=1e-12)


def test_the_worked_example_of_the_conventions_card():
    assert round(float(cv.clv(100, 0.8, 0.1, include_first_year=True)), 2) == 366.67
    assert round(float(cv.residual_value(100, 0.8, 0.1)), 2) == 266.67
    assert cv.DISCOUNT_RATE == 0.10


def test_period_rate_compounds_to_the_annual_rate():
    assert (1 + cv.period_rate(0.10, 12)) ** 12 == pytest.approx(1.10, rel=1e-12)
    assert (1 + cv.period_rate(0.10, 52)) ** 52 == pytest.approx(1.10, rel=1e-12)
    assert cv.period_rate(0.10, 1) == pytest.approx(0.10)
    with pytest.raises(ValueError, match="entier"):
        cv.period_rate(0.10, 0)
    with pytest.raises(ValueError, match="−100 %"):
        cv.period_rate(-1.5, 12)
