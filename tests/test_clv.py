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
    # a new customer (the course's timing): first margin at the end of year 1
    assert heights[:2] == pytest.approx([100 / 1.1, 80 / 1.21])
    assert heights[2:] == pytest.approx([0.0] * 8)  # years beyond the horizon are empty
    assert "157,02" in text and "333,33" in text  # = clv(..., first_margin="end"), 2 years and infinite
    assert float(cv.clv(100, 0.8, 0.1, 2, first_margin="end")) == pytest.approx(157.02, abs=0.005)
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
# docs/conventions.md (Fader & Hardie, 2012): the course books every margin at the end
# of the period it is earned in. A new customer's first margin falls one period after
# the acquisition, discounted once: sum over t = 1..T of m r^(t-1) / (1+d)^t, that is
# m / (1 + d - r) ("end"). The other timings stay available: first margin at the
# acquisition, undiscounted, sum over t = 0..T-1 of m r^t / (1+d)^t ("now"), and the
# residual value of a current customer, sum over t = 1..T of m r^t / (1+d)^t (None).
def _explicit(m, r, d, first, last, lag=0):
    """sum over t = first..last of m r^(t - lag) / (1 + d)^t, written out term by term."""
    return sum(m * r ** (t - lag) / (1 + d) ** t for t in range(first, last + 1))


def _explicit_timing(m, r, d, horizon, timing):
    first, last, lag = {"end": (1, horizon, 1), "now": (0, horizon - 1, 0), None: (1, horizon, 0)}[timing]
    return _explicit(m, r, d, first, last, lag)


CASES = [(100, 0.8, 0.1), (37.5, 0.55, 0.08), (18.87, 0.62, 0.0), (-12.0, 0.7, 0.1)]


@pytest.mark.parametrize("timing", ["end", "now", None])
@pytest.mark.parametrize("m, r, d", CASES)
def test_every_timing_is_its_explicit_sum_finite_and_infinite(m, r, d, timing):
    for horizon in (1, 3, 7):
        expected = _explicit_timing(m, r, d, horizon, timing)
        assert cv.clv(m, r, d, horizon=horizon, first_margin=timing) == pytest.approx(expected, rel=1e-12)
        table = cv.clv_table(m, r, d, horizon, first_margin=timing)
        assert len(table) == horizon
        assert table["cumulative_clv"].iloc[-1] == pytest.approx(expected, rel=1e-12)
    # infinite horizon: the sum over 3000 periods (r^3000 is far below the tolerance)
    assert cv.clv(m, r, d, first_margin=timing) == pytest.approx(_explicit_timing(m, r, d, 3000, timing),
                                                                  rel=1e-9)


@pytest.mark.parametrize("m, r, d", CASES)
def test_the_three_closed_forms(m, r, d):
    assert cv.clv(m, r, d, first_margin="end") == pytest.approx(m / (1 + d - r), rel=1e-12)
    assert cv.clv(m, r, d, first_margin="now") == pytest.approx(m * (1 + d) / (1 + d - r), rel=1e-12)
    assert cv.clv(m, r, d, first_margin=None) == pytest.approx(m * r / (1 + d - r), rel=1e-12)
    assert cv.residual_value(m, r, d) == pytest.approx(m * r / (1 + d - r), rel=1e-12)
    # how they relate: "now" = m + residual; "end" = "now" discounted by one period
    assert cv.clv(m, r, d, first_margin="now") == pytest.approx(m + cv.residual_value(m, r, d), rel=1e-12)
    assert cv.clv(m, r, d, first_margin="end") == pytest.approx(cv.clv(m, r, d, first_margin="now") / (1 + d),
                                                                rel=1e-12)


def test_three_periods_worked_by_hand():
    # m = 100, r = 0.5, d = 0.25: discount factors 1/1.25 = 0.8, 0.64, 0.512
    # "end":  100 × 0.8 + 50 × 0.64 + 25 × 0.512   = 80 + 32 + 12.8 = 124.8
    # "now":  100 + 50 × 0.8 + 25 × 0.64            = 100 + 40 + 16  = 156
    # None:   50 × 0.8 + 25 × 0.64 + 12.5 × 0.512   = 40 + 16 + 6.4  = 62.4
    assert cv.clv(100, 0.5, 0.25, horizon=3, first_margin="end") == pytest.approx(124.8)
    assert cv.clv(100, 0.5, 0.25, horizon=3, first_margin="now") == pytest.approx(156.0)
    assert cv.clv(100, 0.5, 0.25, horizon=3) == pytest.approx(62.4)
    # infinite: 100 / 0.75, 125 / 0.75, 50 / 0.75
    assert cv.clv(100, 0.5, 0.25, first_margin="end") == pytest.approx(400 / 3)
    assert cv.clv(100, 0.5, 0.25, first_margin="now") == pytest.approx(500 / 3)
    assert cv.clv(100, 0.5, 0.25) == pytest.approx(200 / 3)
    table = cv.clv_table(100, 0.5, 0.25, 3, first_margin="end")
    assert table["year"].tolist() == [1, 2, 3]
    assert table["expected_margin"].tolist() == pytest.approx([100, 50, 25])
    assert table["discounted_margin"].tolist() == pytest.approx([80, 32, 12.8])
    assert cv.clv_table(100, 0.5, 0.25, 3, first_margin="now")["year"].tolist() == [0, 1, 2]
    # acquisition cost: subtracted once
    assert cv.clv(100, 0.5, 0.25, horizon=3, first_margin="end", acquisition_cost=24.8) == pytest.approx(100.0)


@pytest.mark.parametrize("timing", ["end", "now", None])
def test_vectors_broadcast_and_match_the_scalar_values(timing):
    m = np.array([100.0, 37.5, 18.87])
    r = np.array([[0.5], [0.8]])            # 2 × 3 after broadcasting
    for horizon in (None, 4):
        out = cv.clv(m, r, 0.1, horizon=horizon, first_margin=timing)
        assert out.shape == (2, 3)
        for i in range(2):
            for j in range(3):
                one = cv.clv(float(m[j]), float(r[i, 0]), 0.1, horizon=horizon, first_margin=timing)
                assert out[i, j] == pytest.approx(one, rel=1e-12)
    s = cv.clv(pd.Series([100.0, 10.0], index=["a", "b"]), 0.5, 0.25, first_margin=timing)
    assert s.index.tolist() == ["a", "b"]


def test_include_first_year_is_the_old_name_of_now():
    assert cv.clv(100, 0.8, 0.1, include_first_year=True) == cv.clv(100, 0.8, 0.1, first_margin="now")
    assert cv.clv(100, 0.8, 0.1, include_first_year=False) == cv.clv(100, 0.8, 0.1, first_margin=None)
    assert cv.clv(100, 0.8, 0.1, include_first_year=True, first_margin="now") == pytest.approx(1100 / 3)
    with pytest.raises(InvalidValueError, match="ancien nom"):
        cv.clv(100, 0.8, 0.1, include_first_year=True, first_margin="end")


def test_timing_and_acquisition_cost_errors_in_french():
    with pytest.raises(InvalidValueError, match="first_margin"):
        cv.clv(100, 0.8, 0.1, first_margin="début")
    with pytest.raises(InvalidValueError, match="first_margin"):
        cv.clv_table(100, 0.8, 0.1, 3, first_margin="start")
    with pytest.raises(InvalidValueError, match="coût d'acquisition ne peut pas être négatif"):
        cv.clv(100, 0.8, 0.1, first_margin="end", acquisition_cost=-5)
    for timing in ("end", "now", None):
        with pytest.raises(InvalidValueError, match="horizon infini"):
            cv.clv(100, 1.0, 0.1, first_margin=timing)
        with pytest.raises(InvalidValueError, match="horizon infini"):
            cv.clv(100, np.array([0.5, 1.0]), 0.1, first_margin=timing)
    assert cv.clv(100, 1.0, 0.1, horizon=2, first_margin="end") == pytest.approx(100 / 1.1 + 100 / 1.21)


def test_a_negative_margin_gives_a_negative_value():
    # allowed on purpose (chapter 06: some customers cost more than they bring)
    for timing in ("end", "now", None):
        assert cv.clv(-40, 0.6, 0.1, first_margin=timing) == pytest.approx(-cv.clv(40, 0.6, 0.1, first_margin=timing))
    assert cv.clv(-40, 0.6, 0.1, first_margin="end") < 0


def test_the_course_convention_is_end():
    assert cv.FIRST_MARGIN == "end"
    assert cv.DISCOUNT_RATE == 0.10


def test_the_worked_example_of_the_conventions_card():
    # docs/conventions.md, section 4: m = 100 €, r = 0.8, d = 10 %
    assert round(float(cv.clv(100, 0.8, 0.1, first_margin="end")), 2) == 333.33   # 100 / 0.3
    assert round(float(cv.clv(100, 0.8, 0.1, first_margin="now")), 2) == 366.67   # 110 / 0.3
    assert round(float(cv.residual_value(100, 0.8, 0.1)), 2) == 266.67            # 80 / 0.3
    assert round(float(cv.clv(100, 0.8, 0.1, horizon=10, first_margin="end")), 2) == round(
        sum(100 * 0.8 ** (t - 1) / 1.1 ** t for t in range(1, 11)), 2)


def test_breakeven_retention_for_every_timing():
    # m = 50, cost = 100, d = 0.1: "end" r* = 1.1 − 0.5 = 0.6; "now" 1.1 × 0.5 = 0.55;
    # None: 100 × 1.1 / 150 = 0.7333
    assert cv.breakeven_retention(50, 100, 0.1, first_margin="end") == pytest.approx(0.6)
    assert cv.breakeven_retention(50, 100, 0.1, first_margin="now") == pytest.approx(0.55)
    assert cv.breakeven_retention(50, 100, 0.1, first_margin=None) == pytest.approx(1.1 / 1.5)
    assert cv.breakeven_retention(50, 100, 0.1) == pytest.approx(0.55)                 # former default
    assert cv.breakeven_retention(50, 100, 0.1, include_first_year=False) == pytest.approx(1.1 / 1.5)
    for timing in ("end", "now", None):
        r = cv.breakeven_retention(50, 100, 0.1, first_margin=timing)
        assert cv.clv(50, r, 0.1, first_margin=timing) == pytest.approx(100.0)


def test_period_rate_compounds_to_the_annual_rate():
    assert (1 + cv.period_rate(0.10, 12)) ** 12 == pytest.approx(1.10, rel=1e-12)
    assert (1 + cv.period_rate(0.10, 52)) ** 52 == pytest.approx(1.10, rel=1e-12)
    assert cv.period_rate(0.10, 1) == pytest.approx(0.10)
    with pytest.raises(ValueError, match="entier"):
        cv.period_rate(0.10, 0)
    with pytest.raises(ValueError, match="−100 %"):
        cv.period_rate(-1.5, 12)
