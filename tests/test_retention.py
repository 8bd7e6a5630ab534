"""Retention economics and portfolio flows: values worked by hand, edge cases, French errors."""

import math

import numpy as np
import pandas as pd
import pytest

from crmlab import retention as rt
from crmlab.validation import InvalidValueError, MissingColumnError, NegativeValueError


# ----------------------------------------------------------------- the model, by hand
# r = 0.8, m = 100 €, AC = 150 €, d = 10 %, 3 periods, worked on paper:
#   t=0: -150
#   t=1: 1 survivor    × 100 = 100 → 100 / 1.1   =  90.909 → cumul -59.091
#   t=2: 0.8 survivor  × 100 =  80 →  80 / 1.21  =  66.116 → cumul   7.025
#   t=3: 0.64 survivor × 100 =  64 →  64 / 1.331 =  48.084 → cumul  55.109
def test_cohort_profit_by_hand():
    t = rt.cohort_profit(0.8, 100, 150, 0.1, periods=3)
    assert t["period"].tolist() == [0, 1, 2, 3]
    assert t["active"].tolist() == pytest.approx([1, 1, 0.8, 0.64])
    assert t["profit"].tolist() == pytest.approx([-150, 100, 80, 64])
    assert t["discounted_profit"].tolist() == pytest.approx([-150, 90.909, 66.116, 48.084], abs=1e-3)
    assert t["cumulative_profit"].tolist() == pytest.approx([-150, -59.091, 7.025, 55.109], abs=1e-3)


def test_cohort_profit_scales_with_cohort_size():
    t = rt.cohort_profit(0.8, 100, 150, 0.1, periods=3, customers=1000)
    assert t["active"].tolist() == pytest.approx([1000, 1000, 800, 640])
    assert t["cumulative_profit"].iloc[-1] == pytest.approx(55108.94, abs=0.01)


def test_total_profit_closed_forms_match_the_table():
    # finite horizon: the same 55.109 as above
    assert rt.total_profit(0.8, 100, 150, 0.1, periods=3) == pytest.approx(55.1089, abs=1e-4)
    # infinite horizon: 100 / (1 + 0.1 - 0.8) - 150 = 333.33 - 150
    assert rt.total_profit(0.8, 100, 150, 0.1) == pytest.approx(183.333, abs=1e-3)
    # no discount, no churn, 4 periods: 4 × 100 - 150
    assert rt.total_profit(1.0, 100, 150, 0.0, periods=4) == pytest.approx(250)


def test_total_profit_is_vectorised():
    out = rt.total_profit(np.array([0.5, 0.8]), 100, 0, 0.0)
    # undiscounted lifetime 1 / (1 - r): 2 and 5 periods
    assert out.tolist() == pytest.approx([200, 500])


def test_long_horizon_tends_to_the_infinite_one():
    assert rt.total_profit(0.8, 100, 150, 0.1, periods=400) == pytest.approx(rt.total_profit(0.8, 100, 150, 0.1))


def test_break_even_period():
    assert rt.break_even_period(0.8, 100, 150, 0.1) == 2
    assert rt.break_even_period(0.8, 100, 0, 0.1) == 0            # nothing to pay back
    assert rt.break_even_period(0.8, 100, 100, 0.0) == 1          # exactly paid back at t=1
    # never: 100 / (1.1 - 0.3) = 125 < 150
    assert rt.break_even_period(0.3, 100, 150, 0.1) is None


def test_implied_retention_and_its_inverse():
    # half lost in 5 years: 0.5 ** (1/5)
    assert rt.implied_retention(0.5, 5) == pytest.approx(0.870551, abs=1e-6)
    # lose 75 % in 2 years: 0.25 ** (1/2) = 0.5
    assert rt.implied_retention(0.75, 2) == pytest.approx(0.5)
    assert rt.years_to_lose(0.5) == pytest.approx(1.0)
    assert rt.years_to_lose(rt.implied_retention(0.5, 7)) == pytest.approx(7)
    assert math.isinf(rt.years_to_lose(1.0))


def test_retention_gain_by_hand():
    # r 0.8 → 0.85 (d = 0.1, AC = 150): 100/0.3 - 150 = 183.33 → 100/0.25 - 150 = 250
    g = rt.retention_gain([0.8, 0.5], 0.05, 100, 150, 0.1)
    assert g["profit"].tolist() == pytest.approx([183.333, 16.667], abs=1e-3)
    assert g["improved_profit"].tolist() == pytest.approx([250, 31.818], abs=1e-3)
    assert g["relative_gain"].tolist() == pytest.approx([250 / 183.333 - 1, 31.818 / 16.667 - 1], abs=1e-3)


def test_retention_gain_relative_is_nan_when_base_is_a_loss():
    g = rt.retention_gain(0.3, 0.05, 100, 150, 0.1)
    assert g["profit"].iloc[0] < 0
    assert np.isnan(g["relative_gain"].iloc[0])


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("r", [1.2, -0.1])
def test_retention_outside_0_1(r):
    with pytest.raises(InvalidValueError, match="taux de rétention.*compris entre 0 et 1"):
        rt.cohort_profit(r, 100, 150, 0.1)


def test_retention_as_percent_is_explained():
    with pytest.raises(InvalidValueError, match="85 % s'écrit 0.85"):
        rt.total_profit(85, 100)


def test_negative_acquisition_cost():
    with pytest.raises(NegativeValueError, match="coût d'acquisition.*négatif"):
        rt.cohort_profit(0.8, 100, -5)


def test_negative_margin_cannot_break_even():
    with pytest.raises(NegativeValueError, match="marge.*négative"):
        rt.break_even_period(0.8, -10, 150, 0.1)


def test_text_instead_of_a_number():
    with pytest.raises(InvalidValueError, match="doit être un nombre"):
        rt.total_profit("0.8", 100)


def test_bad_periods_and_points():
    with pytest.raises(InvalidValueError, match="entier ≥ 1"):
        rt.cohort_profit(0.8, 100, periods=0)
    with pytest.raises(InvalidValueError, match="0.05"):
        rt.retention_gain(0.8, 5)
    with pytest.raises(InvalidValueError, match="sort de \\[0, 1\\]"):
        rt.retention_gain(0.98, 0.05)


def test_infinite_profit_is_refused():
    with pytest.raises(InvalidValueError, match="horizon infini"):
        rt.total_profit(1.0, 100, 0, 0.0)


# ----------------------------------------------------------------- the company: flows
@pytest.fixture
def three_customers():
    # a: Jan, Feb, Jun 2024 (Jun: previous purchase 4 months before)
    # b: Jan 2024 only
    # c: Mar 2024, then Mar 2025
    return pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "customer_id": ["a", "a", "a", "b", "c", "c"],
        "order_date": ["2024-01-10", "2024-02-03", "2024-06-20", "2024-01-25", "2024-03-01", "2025-03-15"],
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
    })


def test_flows_by_hand(three_customers):
    # inactive after 3 months: active at the end of month t = bought in t-2..t
    f = rt.portfolio_flows(three_customers, inactive_after=3)
    assert len(f) == 15  # Jan 2024 → Mar 2025, empty months included
    jan, feb, mar, apr, may, jun = (pd.Timestamp(f"2024-{m:02d}-01") for m in range(1, 7))
    assert f.loc[jan, ["new", "retained", "reactivated", "lost", "active"]].tolist() == [2, 0, 0, 0, 2]
    assert f.loc[feb, ["new", "retained"]].tolist() == [0, 1]             # a again
    assert f.loc[mar, ["new", "active"]].tolist() == [1, 3]               # c arrives
    assert f.loc[apr, "lost"] == 1                                       # b: last in Jan, 3 months
    assert f.loc[may, "lost"] == 1                                       # a: last in Feb
    assert f.loc[jun, ["reactivated", "lost", "active"]].tolist() == [1, 1, 1]   # a back; c lapses
    assert f.loc[pd.Timestamp("2025-03-01"), "reactivated"] == 1         # c, after 12 months
    assert f["new"].sum() == 3


def test_flows_balance_identity(three_customers):
    f = rt.portfolio_flows(three_customers, inactive_after=2)
    change = f["active"].diff().iloc[1:]
    flows = (f["new"] + f["reactivated"] - f["lost"]).iloc[1:]
    assert change.tolist() == flows.tolist()


def test_flows_count_customers_not_orders():
    o = pd.DataFrame({"customer_id": ["a", "a", "a"],
                      "order_date": ["2024-01-02", "2024-01-20", "2024-02-05"]})
    f = rt.portfolio_flows(o, inactive_after=12)
    assert f["new"].tolist() == [1, 0]
    assert f["retained"].tolist() == [0, 1]


def test_developing_counts_first_purchase_in_a_new_category(three_customers):
    lines = pd.DataFrame({
        "order_id": ["o1", "o2", "o2", "o3", "o4", "o5", "o6"],
        "category": ["jardin", "jardin", "cuisine", "jardin", "maison", "maison", "maison"],
    })
    f = rt.portfolio_flows(three_customers, inactive_after=12, order_lines=lines)
    assert f.loc[pd.Timestamp("2024-02-01"), "developing"] == 1   # a adds cuisine
    assert f.loc[pd.Timestamp("2024-06-01"), "developing"] == 0   # a: jardin again
    assert f.loc[pd.Timestamp("2025-03-01"), "developing"] == 0   # c: maison again
    assert f["developing"].sum() == 1
    assert (f["developing"] <= f["retained"]).all()


def test_one_customer_one_purchase():
    f = rt.portfolio_flows(pd.DataFrame({"customer_id": ["z"], "order_date": ["2025-05-05"]}))
    assert f.to_numpy().tolist() == [[1, 0, 0, 0, 1]]


def test_flows_french_errors(three_customers):
    with pytest.raises(MissingColumnError, match="'order_date' est absente de la table « orders »"):
        rt.portfolio_flows(three_customers.drop(columns="order_date"))
    with pytest.raises(InvalidValueError, match="nombre de mois entier"):
        rt.portfolio_flows(three_customers, inactive_after=0)
    with pytest.raises(ValueError, match="date illisible"):
        rt.portfolio_flows(three_customers.assign(order_date=["2024-13-45"] + ["2024-01-01"] * 5))


def test_yearly_retention_by_hand(three_customers):
    y = rt.yearly_retention(three_customers)
    # 2024 buyers a, b, c; in 2025 only c → 1 / 3
    assert y.index.tolist() == [2025]
    assert y.loc[2025, ["buyers_previous", "retained"]].tolist() == [3, 1]
    assert y.loc[2025, "retention_rate"] == pytest.approx(1 / 3)


def test_yearly_retention_needs_two_years():
    with pytest.raises(InvalidValueError, match="au moins deux années"):
        rt.yearly_retention(pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-01"]}))


def test_plots_return_axes(three_customers):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = rt.plot_cumulative_profit(0.8, 100, 150, 0.1, periods=5)
    assert len(ax.lines) >= 2
    top, bottom = rt.plot_portfolio_flows(rt.portfolio_flows(three_customers, inactive_after=3))
    assert top.get_title() and bottom.get_ylabel()
    plt.close("all")


# ----------------------------------------------------------------- relationship phases
def test_relationship_phases_by_hand():
    # as of 2025-12-31, windows of 12 months: recent = 2025, previous = 2024
    o = pd.DataFrame({
        "customer_id": ["start", "explo", "grow", "grow", "flat", "flat", "down", "down", "gone"],
        "order_date": ["2025-11-15", "2025-06-01", "2024-05-01", "2025-05-01", "2024-02-01", "2025-02-01",
                       "2024-04-01", "2025-04-01", "2023-06-01"],
        "amount": [20.0, 20.0, 100.0, 150.0, 100.0, 110.0, 100.0, 50.0, 80.0],
    })
    p = rt.relationship_phases(o, as_of="2025-12-31")
    assert p["phase"].to_dict() == {
        "down": "déclin", "explo": "exploration", "flat": "saturation",
        "gone": "déclin", "grow": "croissance", "start": "démarrage",
    }
    assert p.loc["grow", ["recent", "previous"]].tolist() == [150.0, 100.0]
    assert list(p["phase"].cat.categories) == rt.PHASES


def test_relationship_phases_tolerance_bounds_are_saturation():
    # exactly +20 %: not above (1 + 0.2) × previous → saturation
    o = pd.DataFrame({"customer_id": ["x", "x"], "order_date": ["2024-06-01", "2025-06-01"],
                      "amount": [100.0, 120.0]})
    assert rt.relationship_phases(o, as_of="2025-12-31")["phase"].iloc[0] == "saturation"
    assert rt.relationship_phases(o, as_of="2025-12-31", tolerance=0.1)["phase"].iloc[0] == "croissance"


def test_relationship_phases_ignores_orders_after_as_of():
    o = pd.DataFrame({"customer_id": ["x", "x"], "order_date": ["2024-01-10", "2025-06-01"],
                      "amount": [100.0, 500.0]})
    p = rt.relationship_phases(o, as_of="2024-12-31")
    assert p.loc["x", "recent"] == 100.0
    assert p.loc["x", "phase"] == "exploration"


def test_relationship_phases_french_errors():
    o = pd.DataFrame({"customer_id": ["x"], "order_date": ["2024-01-10"], "amount": [-5.0]})
    with pytest.raises(NegativeValueError, match="'amount'.*négative"):
        rt.relationship_phases(o)
    with pytest.raises(InvalidValueError, match="précède la première commande"):
        rt.relationship_phases(o.assign(amount=5.0), as_of="2020-01-01")
    with pytest.raises(InvalidValueError, match="inférieur ou égal"):
        rt.relationship_phases(o.assign(amount=5.0), start_months=13)


# ----------------------------------------------------------------- the live figure and the widget
def test_live_figure_moves_its_artists():
    view, update = rt.cumulative_profit_figure(periods=3)
    ax = view.ax
    title, summary = update(0.8, 100, 150, 0.1)
    base, better = ax.lines[1], ax.lines[2]   # lines[0] is the zero line
    assert list(base.get_ydata()) == pytest.approx([-150, -59.091, 7.025, 55.109], abs=1e-3)
    assert better.get_ydata()[-1] > base.get_ydata()[-1]
    be_line = ax.lines[3]
    assert be_line.get_visible() and list(be_line.get_xdata()) == [2, 2]
    labels = [lab.get_text() for lab in view.labels]
    assert "point mort : période 2" in labels
    assert summary.startswith("profit à 3 périodes : 55")
    assert "rétention 80\xa0%" in title and "acquisition 150\xa0€" in title
    # no break-even: the line hides, the text says so
    update(0.3, 100, 150, 0.1)
    assert not be_line.get_visible()
    assert "pas de point mort en 3 périodes" in [lab.get_text() for lab in view.labels]
    # the static figure draws the same mark as a Matplotlib text
    static = rt.plot_cumulative_profit(0.8, 100, 150, 0.1, periods=3)
    assert "point mort : période 2" in [t.get_text() for t in static.texts]


def test_live_figure_refuses_bad_sliders_in_french():
    _, update = rt.cumulative_profit_figure(periods=3)
    with pytest.raises(InvalidValueError, match="taux d'actualisation"):
        update(0.8, 100, 150, 1.5)


def test_widget_has_the_five_bounded_sliders():
    box = rt.retention_widget(0.7, 80, 40, 0.1)
    labels = [c.description for c in box.controls.values()]
    assert labels == ["taux de rétention r", "marge par an m", "coût d'acquisition", "taux d'actualisation d",
                      "croissance de la marge par an"]
    retention = box.controls["retention"]
    assert retention.options[0][1] == pytest.approx(0.3) and retention.options[-1][1] == pytest.approx(0.95)
    assert retention.label == "70\xa0%"   # French readout
    before = box.image.value
    retention.value = retention.options[-1][1]
    assert box.image.value != before and "rétention 95\xa0%" in box.view.title


# ----------------------------------------------------------------- one CLV for 01 and 06
# docs/conventions.md: chapter 01's profit of an acquired customer and chapter 06's CLV
# of a new customer are the same number, computed by crmlab.clv.clv.
@pytest.mark.parametrize("r, m, ac, d", [(0.8, 100, 150, 0.1), (0.62, 18.87, 35.0, 0.1), (0.5, 40, 0, 0.0)])
@pytest.mark.parametrize("periods", [None, 1, 3, 10])
def test_chapter_01_and_chapter_06_value_a_new_customer_alike(r, m, ac, d, periods):
    from crmlab import clv

    value_06 = clv.clv(m, r, d, horizon=periods, first_margin=clv.FIRST_MARGIN, acquisition_cost=ac)
    assert rt.total_profit(r, m, ac, d, periods) == pytest.approx(value_06, rel=1e-12)
    now_06 = clv.clv(m, r, d, horizon=periods, first_margin="now", acquisition_cost=ac)
    assert rt.total_profit(r, m, ac, d, periods, first_margin="now") == pytest.approx(now_06, rel=1e-12)
    if periods is not None:
        # the cohort table of chapter 01 is the explicit sum of the same flows
        table = rt.cohort_profit(r, m, ac, d, periods=periods)
        assert table["cumulative_profit"].iloc[-1] == pytest.approx(value_06, rel=1e-12)
        explicit = clv.clv_table(m, r, d, periods, first_margin="end")
        assert table["discounted_profit"].iloc[1:].tolist() == pytest.approx(explicit["discounted_margin"].tolist())


def test_total_profit_timings_by_hand():
    # m = 100, r = 0.5, d = 0.25, three periods (see test_clv): "end" 124.8, "now" 156
    assert rt.total_profit(0.5, 100, 0, 0.25, periods=3) == pytest.approx(124.8)
    assert rt.total_profit(0.5, 100, 0, 0.25, periods=3, first_margin="now") == pytest.approx(156.0)
    g = rt.retention_gain(0.5, 0.1, 100, 0, 0.25, first_margin="now")
    assert g["profit"].iloc[0] == pytest.approx(500 / 3) and g["improved_profit"].iloc[0] == pytest.approx(125 / 0.65)
    with pytest.raises(InvalidValueError, match="first_margin"):
        rt.total_profit(0.5, 100, first_margin=None)


def test_full_retention_on_an_infinite_horizon_is_refused_even_with_discounting():
    with pytest.raises(InvalidValueError, match="horizon infini"):
        rt.total_profit(1.0, 100, 0, 0.1)
    with pytest.raises(InvalidValueError, match="horizon infini"):
        rt.retention_gain(0.95, 0.05, 100, 0, 0.1)
    assert rt.total_profit(1.0, 100, 0, 0.1, periods=2) == pytest.approx(100 / 1.1 + 100 / 1.21)


def test_margin_growth_matches_the_explicit_sum():
    # margin of year t = m (1 + g)^(t-1): closed form (infinite and finite) = explicit sum = cohort table
    r, m, ac, d, g = 0.6, 100.0, 50.0, 0.10, 0.08
    t = np.arange(1, 3001)
    explicit = (m * (1 + g) ** (t - 1) * r ** (t - 1) / (1 + d) ** t).sum() - ac
    assert rt.total_profit(r, m, ac, d, growth=g) == pytest.approx(explicit)
    five = (m * (1 + g) ** (t[:5] - 1) * r ** (t[:5] - 1) / (1 + d) ** t[:5]).sum() - ac
    assert rt.total_profit(r, m, ac, d, periods=5, growth=g) == pytest.approx(five)
    assert rt.cohort_profit(r, m, ac, d, periods=5, growth=g)["cumulative_profit"].iloc[-1] == pytest.approx(five)
    # growth 0 is the course's one implementation (clv.clv, first margin at the end of year 1)
    assert rt.total_profit(r, m, ac, d, growth=0.0) == pytest.approx(m / (1 + d - r) - ac)


def test_margin_growth_raises_the_value_of_retention():
    flat = rt.retention_gain(0.45, 0.05, 30.0, 20.0, 0.10)["gain"].iloc[0]
    growing = rt.retention_gain(0.45, 0.05, 30.0, 20.0, 0.10, growth=0.10)["gain"].iloc[0]
    assert growing > flat > 0


def test_margin_growth_errors_in_french():
    with pytest.raises(InvalidValueError, match="croissance annuelle"):
        rt.total_profit(0.6, 100, 0, 0.1, growth=5)
    with pytest.raises(InvalidValueError, match="valeur infinie"):
        rt.total_profit(0.9, 100, 0, 0.1, growth=0.3)


def test_widget_has_a_margin_growth_slider():
    box = rt.retention_widget(0.5, 30, 20, 0.1, growth=0.05)
    assert box.controls["growth"].value == pytest.approx(0.05)
    assert "marge +5\xa0% par an d'ancienneté" in box.view.title


# ------------------------------------------------------------ spend growth (« développer »)
def test_spend_growth_keeps_customers_of_both_years_and_compares_their_spend():
    o = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c", "d", "d"],
                      "amount": [10.0, 15.0, 5.0, 40.0, 30.0, 9.0, 7.0, 8.0],
                      "order_date": pd.to_datetime(["2024-02-01", "2025-03-01", "2025-06-01", "2024-05-01",
                                                    "2025-05-01", "2025-01-01", "2023-04-01", "2025-02-01"])})
    g = rt.spend_growth(o, 2025)
    assert list(g.index) == ["a", "b"]                        # c: 2025 only (new); d: not in 2024 (reactivated)
    assert g.loc["a", "previous"] == 10.0 and g.loc["a", "current"] == 20.0 and g.loc["a", "change"] == 10.0
    assert g.loc["a", "growth"] == pytest.approx(1.0) and g.loc["b", "growth"] == pytest.approx(-0.25)
    assert g["developing"].tolist() == [True, False]


def test_spend_growth_matches_an_explicit_loop_on_random_orders():
    rng = np.random.default_rng(7)
    n = 400
    o = pd.DataFrame({"customer_id": rng.integers(0, 60, n).astype(str),
                      "amount": rng.gamma(2.0, 30.0, n).round(2),
                      "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), "D")})
    g = rt.spend_growth(o, 2025)
    for c, rows in o.groupby("customer_id"):
        y = rows["order_date"].dt.year
        before, now = rows.loc[y == 2024, "amount"], rows.loc[y == 2025, "amount"]
        if len(before) and len(now):
            assert g.loc[c, "previous"] == pytest.approx(before.sum(), rel=1e-12)
            assert g.loc[c, "developing"] == (now.sum() > before.sum())
        else:
            assert c not in g.index


def test_spend_growth_french_errors():
    o = pd.DataFrame({"customer_id": ["a"], "amount": [10.0], "order_date": pd.to_datetime(["2025-01-01"])})
    with pytest.raises(InvalidValueError, match="aucune commande en 2024"):
        rt.spend_growth(o, 2025)
    with pytest.raises(InvalidValueError, match="année entière"):
        rt.spend_growth(o, 2025.5)
    with pytest.raises(MissingColumnError, match="amount"):
        rt.spend_growth(o.drop(columns="amount"), 2025)
    with pytest.raises(NegativeValueError):
        rt.spend_growth(o.assign(amount=-1.0), 2025)
