"""Tests of crmlab.campaigns: break-even, test vs control with its interval, sample size,
decile table, uplift models on simulated data with a known effect, the Qini curve by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crmlab import campaigns
from crmlab.validation import InvalidValueError, MissingColumnError

Z975 = 1.959963984540054  # standard normal quantile 0.975
Z80 = 0.8416212335729143   # standard normal quantile 0.80


# ------------------------------------------------------------------ break-even
def test_break_even_rate_is_cost_over_value():
    assert campaigns.break_even_rate(1.20, 30.0) == pytest.approx(0.04)
    assert campaigns.break_even_rate(0.0, 30.0) == 0.0


@pytest.mark.parametrize("cost, margin", [(-1, 10), (1, 0), (1, -5), ("1", 10), ([1, 2], 10)])
def test_break_even_rate_rejects_bad_input_in_french(cost, margin):
    with pytest.raises(InvalidValueError, match="doit"):
        campaigns.break_even_rate(cost, margin)


# ------------------------------------------------------------------ test vs control
def _contacts(n_t, r_t, n_c, r_c, key=None):
    df = pd.DataFrame({"group": ["test"] * n_t + ["témoin"] * n_c,
                       "responded": [1] * r_t + [0] * (n_t - r_t) + [1] * r_c + [0] * (n_c - r_c)})
    if key is not None:
        df["campaign_id"] = key
    return df


def test_incremental_response_matches_the_wald_interval_by_hand():
    df = _contacts(1000, 120, 500, 40)
    out = campaigns.incremental_response(df)
    row = out.iloc[0]
    p1, p2 = 0.12, 0.08
    se = math.sqrt(p1 * (1 - p1) / 1000 + p2 * (1 - p2) / 500)
    assert (row["n_test"], row["n_control"], row["responses_test"], row["responses_control"]) == (1000, 500, 120, 40)
    assert row["difference"] == pytest.approx(0.04)
    assert row["ci_low"] == pytest.approx(0.04 - Z975 * se, abs=1e-9)
    assert row["ci_high"] == pytest.approx(0.04 + Z975 * se, abs=1e-9)
    assert bool(row["significant"]) == (0.04 - Z975 * se > 0)


def test_a_small_control_group_gives_a_wide_interval():
    """Same rates (12 % vs 8 %), control of 50 instead of 5 000: the interval is ~10× wider and includes 0."""
    big = campaigns.incremental_response(_contacts(5000, 600, 5000, 400)).iloc[0]
    small = campaigns.incremental_response(_contacts(5000, 600, 50, 4)).iloc[0]
    assert small["difference"] == pytest.approx(big["difference"])
    assert (small["ci_high"] - small["ci_low"]) > 5 * (big["ci_high"] - big["ci_low"])
    assert bool(big["significant"]) and not bool(small["significant"])


def test_incremental_response_by_campaign_and_missing_group():
    df = pd.concat([_contacts(100, 20, 100, 10, "A"), _contacts(50, 5, 0, 0, "B")])
    out = campaigns.incremental_response(df, by="campaign_id")
    assert list(out.index) == ["A", "B"]
    assert out.loc["A", "difference"] == pytest.approx(0.10)
    assert out.loc["B", "n_control"] == 0 and np.isnan(out.loc["B", "difference"]) and np.isnan(out.loc["B", "ci_low"])


def test_incremental_response_newcomb_is_inside_zero_one_and_differs_from_wald():
    df = _contacts(30, 1, 30, 0)
    wald = campaigns.incremental_response(df).iloc[0]
    newcomb = campaigns.incremental_response(df, method="newcomb").iloc[0]
    assert newcomb["ci_low"] != pytest.approx(wald["ci_low"])
    assert -1 <= newcomb["ci_low"] <= newcomb["difference"] <= newcomb["ci_high"] <= 1


def test_incremental_response_errors_in_french():
    with pytest.raises(MissingColumnError, match="'responded'"):
        campaigns.incremental_response(pd.DataFrame({"group": ["test"]}))
    with pytest.raises(InvalidValueError, match="'controle'"):
        campaigns.incremental_response(pd.DataFrame({"group": ["test", "controle"], "responded": [1, 0]}))
    with pytest.raises(InvalidValueError, match="0 / 1"):
        campaigns.incremental_response(pd.DataFrame({"group": ["test", "témoin"], "responded": [2, 0]}))
    with pytest.raises(ValueError, match="vide"):
        campaigns.incremental_response(pd.DataFrame({"group": [], "responded": []}))


# ------------------------------------------------------------------ sample size
@pytest.mark.parametrize("p0, lift, ratio", [(0.05, 0.01, 1.0), (0.09, 0.03, 1.0), (0.052, 0.012, 0.05 / 0.95)])
def test_sample_size_matches_the_arcsine_formula(p0, lift, ratio):
    """n_test = (z₀.₉₇₅ + z₀.₈)² (1 + 1/ratio) / h², h = 2 asin √(p0 + lift) − 2 asin √p0 (rounded up)."""
    h = 2 * math.asin(math.sqrt(p0 + lift)) - 2 * math.asin(math.sqrt(p0))
    expected = (Z975 + Z80) ** 2 * (1 + 1 / ratio) / h ** 2
    n = campaigns.sample_size(p0, lift, ratio=ratio)
    assert isinstance(n, int)
    assert expected - 0.5 < n < expected + 1   # rounded up; the solver is exact to well under 0.5


def test_sample_size_grows_when_the_lift_shrinks_or_the_control_shrinks():
    assert campaigns.sample_size(0.05, 0.005) > 3.5 * campaigns.sample_size(0.05, 0.01)  # ~4× for half the lift
    assert campaigns.sample_size(0.05, 0.01, ratio=0.1) > campaigns.sample_size(0.05, 0.01)


@pytest.mark.parametrize("kwargs", [dict(p_control=0, lift=0.01), dict(p_control=0.05, lift=0),
                                    dict(p_control=0.5, lift=0.6), dict(p_control=0.05, lift=0.01, power=1.2),
                                    dict(p_control=0.05, lift=0.01, ratio=0)])
def test_sample_size_rejects_bad_input(kwargs):
    with pytest.raises(InvalidValueError):
        campaigns.sample_size(**kwargs)


# ------------------------------------------------------------------ decile table
def test_decile_table_on_a_table_computed_by_hand():
    score = np.arange(20, 0, -1)           # 20 customers, best first
    outcome = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0] + [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    t = campaigns.decile_table(score, outcome, n=2)
    assert t["customers"].tolist() == [10, 10]
    assert t["positives"].tolist() == [4, 1]
    assert t["rate"].tolist() == pytest.approx([0.4, 0.1])
    assert t["gain"].tolist() == pytest.approx([0.8, 1.0])
    assert t["lift"].tolist() == pytest.approx([1.6, 0.4])   # base rate 0.25


def test_decile_table_errors():
    with pytest.raises(InvalidValueError, match="valeurs"):
        campaigns.decile_table([1, 2, 3], [0, 1])
    with pytest.raises(InvalidValueError, match="0 / 1"):
        campaigns.decile_table([1, 2, 3], [0, 1, 5], n=2)


# ------------------------------------------------------------------ uplift
def _simulated(n=20000, seed=1):
    """x₁ drives the effect: +12 points if x₁ > 0, −4 points otherwise; x₂ drives the base rate only."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    t = rng.integers(0, 2, n)
    base = 1 / (1 + np.exp(-(-2.0 + 0.8 * x[:, 1])))
    effect = np.where(x[:, 0] > 0, 0.12, -0.04)
    p = np.clip(base + t * effect, 0, 1)
    y = (rng.random(n) < p).astype(int)
    return x, t, y, effect


@pytest.mark.parametrize("method", [campaigns.uplift_two_model, campaigns.uplift_class_transform])
def test_uplift_models_rank_the_persuadables_first(method):
    x, t, y, effect = _simulated()
    u = method(x, t, y)
    # stated tolerance: at least 80 % of the predicted top half are true persuadables (x₁ > 0), chance = 50 %
    top = u >= np.median(u)
    assert (effect[top] > 0).mean() > 0.8
    # the average predicted uplift is near the true average effect (4 points) within 2 points
    assert abs(u.mean() - effect.mean()) < 0.02


def test_class_transform_handles_an_unbalanced_split():
    x, t, y, effect = _simulated(seed=2)
    keep = (t == 1) | (np.arange(len(t)) % 3 == 0)          # control cut to a third: ~25 % control
    u = campaigns.uplift_class_transform(x[keep], t[keep], y[keep])
    assert abs(u.mean() - effect[keep].mean()) < 0.03       # unweighted, the transform would be biased by ~0.5


def test_uplift_errors():
    x, t, y, _ = _simulated(2000)
    with pytest.raises(InvalidValueError, match="une ligne par client"):
        campaigns.uplift_two_model(x, t[:-1], y)
    with pytest.raises(InvalidValueError, match="témoin"):
        campaigns.uplift_two_model(x, np.ones_like(t), y)
    with pytest.raises(InvalidValueError, match="manquante"):
        campaigns.uplift_class_transform(np.where(x > 2, np.nan, x), t, y)
    with pytest.raises(InvalidValueError, match="numérique"):
        campaigns.uplift_two_model(pd.DataFrame({"a": ["x"] * len(t)}), t, y)


# ------------------------------------------------------------------ Qini
def test_qini_curve_by_hand():
    # ranked: (t=1,y=1) (t=0,y=0) (t=1,y=0) (t=0,y=1)
    c = campaigns.qini_curve([4, 3, 2, 1], [1, 0, 1, 0], [1, 0, 0, 1])
    # Q(k) = R_t − R_c N_t / N_c : k=1: 1 − 0 ; k=2: 1 − 0·1/1 ; k=3: 1 − 0·2/1 ; k=4: 1 − 1·2/2
    assert c["qini"].tolist() == pytest.approx([0, 1, 1, 1, 0])
    assert c["random"].tolist() == pytest.approx([0, 0, 0, 0, 0])
    assert campaigns.qini_coefficient([4, 3, 2, 1], [1, 0, 1, 0], [1, 0, 0, 1]) == pytest.approx(
        (0.5 * 0.25 + 1 * 0.25 + 1 * 0.25 + 0.5 * 0.25) / 4)


def test_qini_coefficient_orders_the_rankings():
    x, t, y, effect = _simulated()
    rng = np.random.default_rng(5)
    perfect = campaigns.qini_coefficient(effect + 1e-6 * rng.random(len(t)), t, y)
    reverse = campaigns.qini_coefficient(-effect, t, y)
    noise = campaigns.qini_coefficient(rng.random(len(t)), t, y)
    assert perfect > 0.005 and reverse < -0.005
    assert abs(noise) < 0.004      # stated tolerance: a random ranking stays near 0 (sd ≈ 0.002 here)


def test_qini_curve_steps_and_errors():
    x, t, y, effect = _simulated(1000)
    c = campaigns.qini_curve(effect, t, y, steps=10)
    assert len(c) == 11 and c["targeted"].iloc[-1] == 1000
    assert c["qini"].iloc[-1] == pytest.approx(c["random"].iloc[-1])
    with pytest.raises(InvalidValueError, match="deux groupes"):
        campaigns.qini_curve(effect, np.ones(1000), y)
    with pytest.raises(InvalidValueError, match="une valeur par client"):
        campaigns.qini_curve(effect[:-1], t, y)


# ------------------------------------------------------------------ profit by depth
def test_targeting_profit_by_hand():
    effect = [0.5, -0.2, 0.1, 0.0]
    out = campaigns.targeting_profit(effect, {"a": [4, 3, 2, 1]}, value_per_response=10, cost_per_contact=1, steps=4)
    # cumulated effect 0, .5, .3, .4, .4 → 10 × cum − k
    assert out["a"].tolist() == pytest.approx([0, 4, 1, 1, 0])
    assert out["depth"].tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1])


def test_targeting_figure_update_returns_french_title():
    effect = np.r_[np.full(50, 0.2), np.full(50, -0.05)]
    view, update = campaigns.targeting_figure(effect, {"parfait": effect, "inverse": -effect}, steps=20)
    title, caption = update(0.5, 10.0, 0.5)
    assert "profondeur 50" in title and "parfait" in caption
    with pytest.raises(InvalidValueError):
        update(-1, 10, 0.5)


def test_qini_curve_matches_a_plain_loop_on_random_data():
    rng = np.random.default_rng(3)
    n = 300
    s, t, y = rng.random(n), rng.integers(0, 2, n), rng.integers(0, 2, n)
    curve = campaigns.qini_curve(s, t, y)
    order = np.argsort(-s, kind="stable")
    for k in (1, 17, 150, 299, 300):
        top = order[:k]
        n_t, n_c = t[top].sum(), (1 - t[top]).sum()
        r_t, r_c = (y[top] * t[top]).sum(), (y[top] * (1 - t[top])).sum()
        expected = r_t - (r_c * n_t / n_c if n_c else 0.0)
        assert curve.loc[k, "qini"] == pytest.approx(expected)


def test_incremental_response_newcomb_equals_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep

    row = campaigns.incremental_response(_contacts(400, 60, 80, 6), method="newcomb").iloc[0]
    low, high = confint_proportions_2indep(60, 400, 6, 80, method="newcomb", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_two_model_uplift_is_the_difference_of_two_fitted_models():
    from sklearn.linear_model import LogisticRegression

    x, t, y, _ = _simulated(4000, seed=4)
    u = campaigns.uplift_two_model(x, t, y, estimator=LogisticRegression())
    m1 = LogisticRegression().fit(x[t == 1], y[t == 1])
    m0 = LogisticRegression().fit(x[t == 0], y[t == 0])
    assert np.allclose(u, m1.predict_proba(x)[:, 1] - m0.predict_proba(x)[:, 1])


def test_sample_size_rate_in_percent_is_told_to_use_a_proportion():
    with pytest.raises(InvalidValueError, match="0,05 pour 5 %"):
        campaigns.sample_size(5, 1)
