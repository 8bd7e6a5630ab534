"""Tests of crmlab.loyalty: programme economics against hand-computed figures, DiD on a planted
panel, propensity matching's balance, French errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crmlab import loyalty
from crmlab.validation import EmptyTableError, InvalidDateError, InvalidValueError, MissingColumnError


# ------------------------------------------------------------------ economics
def _ledger():
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "B", "B"],
        "date": ["2024-08-01", "2024-09-01", "2025-03-01", "2024-08-01", "2025-08-01", "2026-01-10"],
        "type": ["gain", "gain", "utilisation", "gain", "expiration", "gain"],
        "points": [400, 300, -500, 250, -250, 90],
    })


def test_points_summary_by_hand():
    s = loyalty.points_summary(_ledger(), as_of="2025-12-31")
    # earned 400 + 300 + 250 = 950 (the 90 of 2026 is after the date); used 500; expired 250
    assert s["earned"] == 950 and s["redeemed"] == 500 and s["expired"] == 250
    assert s["outstanding"] == 200
    assert s["breakage_rate"] == pytest.approx(250 / 750)
    assert loyalty.points_summary(_ledger())["outstanding"] == 290


def test_breakage_liability_and_ifrs15_by_hand():
    assert loyalty.breakage_rate(expired=505, redeemed=2560 - 505) == pytest.approx(505 / 2560)
    debt = loyalty.liability(1_596_361, 0.02, 0.1649)
    assert debt["face"] == pytest.approx(31_927.22)
    assert debt["net"] == pytest.approx(31_927.22 * (1 - 0.1649))
    # IFRS 15: 100 € of goods earn 100 points worth 0,02 € each, 80 % expected to be used:
    # stand-alone price of the points 1,60 €; their share of the price 100 × 1,6 / 101,6
    d = loyalty.deferred_revenue(100, 100, 0.02, 0.8)
    assert d["standalone_points"] == pytest.approx(1.6)
    assert d["points"] == pytest.approx(100 * 1.6 / 101.6)
    assert d["goods"] + d["points"] == pytest.approx(100)


def test_simulator_by_hand():
    # member 1: 1 000 € a year → 1 000 points, threshold 500 reached within 12 months;
    # rate of use λ = 0,5 × 1 000 / 500 = 1 a year: a point is used with probability 1 − e^(−1)
    # member 2: 300 € → 300 points, never 500 within 12 months: all expire, each kept 1 year
    r = loyalty.simulate_programme([1000.0, 300.0], earn_rate=1, eur_per_point=0.02, expiry_months=12,
                                   threshold=500, capture=0.5)
    used = 1 - math.exp(-1)
    assert r["earned"] == pytest.approx(1300)
    assert r["redeemed"] == pytest.approx(1000 * used)
    assert r["expired"] == pytest.approx(1000 * (1 - used) + 300)
    assert r["outstanding"] == pytest.approx(1000 * used / 1.0 + 300 * 1.0)
    assert r["cost"] == pytest.approx(1000 * used * 0.02)
    assert r["cost_share"] == pytest.approx(1000 * used * 0.02 / 1300)
    assert r["breakage"] == pytest.approx((1000 * (1 - used) + 300) / 1300)
    assert r["share_reaching"] == 0.5
    # 24 months of validity: the 300-point member reaches 500 points (600 ≥ 500) and uses some
    longer = loyalty.simulate_programme([1000.0, 300.0], expiry_months=24)
    assert longer["breakage"] < r["breakage"] and longer["share_reaching"] == 1.0


def test_simulator_moves_the_right_way():
    spend = np.random.default_rng(1).gamma(1.2, 400, 2000)
    base = loyalty.simulate_programme(spend)
    richer = loyalty.simulate_programme(spend, earn_rate=2)
    shorter = loyalty.simulate_programme(spend, expiry_months=6)
    assert richer["cost_share"] > 2 * base["cost_share"]          # more members reach the threshold too
    assert shorter["breakage"] > base["breakage"] and shorter["cost"] < base["cost"]
    assert loyalty.simulate_programme(spend, eur_per_point=0.04)["cost"] == pytest.approx(2 * base["cost"])


def test_simulator_widget_update_titles_the_values_used():
    view, update = loyalty.simulator_figure(np.array([200.0, 900.0, 2500.0]))
    title, caption = update(earn_rate=2.0, burn_value=1.5, expiry_months=18)
    assert "2,0 point par euro" in title and "1,50" in title and "18 mois" in title
    assert "breakage" in title and "seuil" in caption
    assert view.png()[:4] == b"\x89PNG"


# ------------------------------------------------------------------ errors in French
def test_economics_errors_are_french():
    with pytest.raises(MissingColumnError, match="'points'"):
        loyalty.points_summary(_ledger().drop(columns="points"))
    with pytest.raises(InvalidValueError, match="type inconnu : 'bonus'"):
        loyalty.points_summary(_ledger().assign(type=["gain", "bonus", "gain", "gain", "gain", "gain"]))
    with pytest.raises(InvalidValueError, match="signe inattendu ligne 2"):
        loyalty.points_summary(_ledger().assign(points=[400, 300, 500, 250, -250, 90]))
    with pytest.raises(EmptyTableError):
        loyalty.points_summary(_ledger().iloc[:0])
    with pytest.raises(InvalidValueError, match="négatif"):
        loyalty.simulate_programme([100.0, -5.0])
    with pytest.raises(InvalidValueError, match="validité"):
        loyalty.simulate_programme([100.0], expiry_months=0)
    with pytest.raises(InvalidValueError, match="breakage"):
        loyalty.liability(100, 0.02, breakage=1.5)
    with pytest.raises(InvalidValueError, match="pas défini"):
        loyalty.breakage_rate(0, 0)


# ------------------------------------------------------------------ difference-in-differences
def _panel(effect=0.5, n=2000, seed=3):
    """Planted panel: treated customers buy more at baseline (+1), both groups gain +0,3 after,
    the treated gain ``effect`` more. Noise sd 1, plus a customer effect (sd 1)."""
    rng = np.random.default_rng(seed)
    cust = np.arange(n)
    treated = cust < n // 2
    person = rng.normal(0, 1, n)
    rows = []
    for post in (0, 1):
        y = 2 + 1.0 * treated + 0.3 * post + effect * treated * post + person + rng.normal(0, 1, n)
        rows.append(pd.DataFrame({"customer_id": cust, "treated": treated, "post": post, "orders": y}))
    return pd.concat(rows, ignore_index=True)


def test_did_equals_the_difference_of_four_means_and_finds_the_planted_effect():
    panel = _panel()
    r = loyalty.did(panel, "orders")
    m = panel.groupby(["treated", "post"])["orders"].mean()
    by_hand = (m[True, 1] - m[True, 0]) - (m[False, 1] - m[False, 0])
    assert r["estimate"] == pytest.approx(by_hand, abs=1e-10)
    # stated tolerance: the planted 0,5 within 3 standard errors (se ≈ 0,063 here)
    assert abs(r["estimate"] - 0.5) < 3 * r["se"]
    assert r["ci_low"] < 0.5 < r["ci_high"] and r["p_value"] < 1e-6
    assert r["counterfactual"] == pytest.approx(m[True, 1] - r["estimate"])
    assert r["relative"] == pytest.approx(r["estimate"] / r["counterfactual"])
    assert r["n_clusters"] == 2000
    # with no effect planted, the interval covers 0
    null = loyalty.did(_panel(effect=0.0), "orders")
    assert null["ci_low"] < 0 < null["ci_high"]


def test_did_clusters_by_customer():
    """Each customer's two periods share her effect: the clustered se must differ from the naive one."""
    import statsmodels.formula.api as smf

    panel = _panel()
    naive = smf.ols("orders ~ treated * post", data=panel.assign(treated=panel["treated"].astype(int))).fit()
    r = loyalty.did(panel, "orders")
    assert r["se"] == pytest.approx(np.sqrt(np.diag(naive.cov_params()))[-1], rel=0.5)
    assert not math.isclose(r["se"], float(naive.bse.iloc[-1]), rel_tol=0.02)


def test_did_errors_are_french():
    panel = _panel(n=20)
    with pytest.raises(MissingColumnError, match="'orders'"):
        loyalty.did(panel.drop(columns="orders"), "orders")
    with pytest.raises(InvalidValueError, match="0 ou 1"):
        loyalty.did(panel.assign(post=panel["post"] * 2), "orders")
    with pytest.raises(InvalidValueError, match="quatre cases"):
        loyalty.did(panel[panel["post"] == 0], "orders")
    with pytest.raises(InvalidValueError, match="'orders' .* valeur manquante \\(ligne 3"):
        loyalty.did(panel.assign(orders=panel["orders"].where(panel.index != 3)), "orders")


# ------------------------------------------------------------------ matching
def _selected(n=3000, seed=5):
    """Treatment depends on x1 (strongly) and x2: the raw groups are unbalanced."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(0, 1, n), rng.binomial(1, 0.4, n)
    p = 1 / (1 + np.exp(-(-1.0 + 1.2 * x1 + 0.8 * x2)))
    return pd.DataFrame({"x1": x1, "x2": x2, "member": rng.random(n) < p},
                        index=[f"C{i:05d}" for i in range(n)])


def test_matching_balances_the_covariates():
    data = _selected()
    pairs = loyalty.propensity_match(data, "member", ["x1", "x2"])
    assert len(pairs) == data["member"].sum()
    assert data.loc[pairs["treated"], "member"].all() and not data.loc[pairs["control"], "member"].any()
    bal = loyalty.balance_table(data, "member", ["x1", "x2"], pairs)
    assert (bal["smd_before"].abs() > 0.25).all()            # planted imbalance
    assert (bal["smd_after"].abs() < 0.1).all()              # the usual threshold of a good balance
    # the SMD by hand for x1, before matching
    d = data["member"]
    sd = np.sqrt((data.loc[d, "x1"].var() + data.loc[~d, "x1"].var()) / 2)
    assert bal.loc["x1", "smd_before"] == pytest.approx((data.loc[d, "x1"].mean() - data.loc[~d, "x1"].mean()) / sd)


def test_matching_caliper_and_errors():
    data = _selected()
    pairs = loyalty.propensity_match(data, "member", ["x1", "x2"], caliper=1e-4)
    assert len(pairs) < data["member"].sum() and (pairs["distance"] <= 1e-4).all()
    with pytest.raises(InvalidValueError, match="aucun sont traités"):
        loyalty.propensity_match(data.assign(member=False), "member", ["x1"])
    with pytest.raises(MissingColumnError, match="'x3'"):
        loyalty.propensity_match(data, "member", ["x1", "x3"])
    with pytest.raises(InvalidValueError, match="numérique"):
        loyalty.propensity_match(data.assign(x2="oui"), "member", ["x1", "x2"])
    with pytest.raises(InvalidValueError, match="'x1' .* valeur manquante"):
        loyalty.propensity_match(data.assign(x1=data["x1"].where(data["x1"] > -2)), "member", ["x1", "x2"])


def test_plot_estimates_draws_one_bar_per_estimate():
    import matplotlib.pyplot as plt

    est = pd.DataFrame({"relative": [1.2, 0.3, 0.16], "ci_low": [np.nan, 0.2, 0.1], "ci_high": [np.nan, 0.4, 0.2]},
                       index=["naïf", "DiD", "appariement"])
    ax = loyalty.plot_estimates(est, truth=0.15)
    assert len(ax.patches) == 3 and [t.get_text() for t in ax.get_yticklabels()] == list(est.index)
    plt.close(ax.figure)


def test_points_summary_unreadable_date_is_a_french_error():
    with pytest.raises(InvalidDateError, match="illisible"):
        loyalty.points_summary(_ledger(), as_of="31/12/2025x")
