"""Tests of crmlab.churn: sBG against Fader & Hardie (2007), Kaplan–Meier and log-rank against
statsmodels, NPS and its interval, Dick & Basu, relative importance, gains / lift, retention offer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import churn
from crmlab.validation import EmptyTableError, InvalidValueError, MissingColumnError, NegativeValueError

# Fader & Hardie (2007), « How to project customer retention », J. Interactive Marketing 21(1):
# survivors of two cohorts of 1 000 customers, years 0–7 (calibration) and 8–12 (holdout).
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
REGULAR_LATER = [223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
HIGH_END_LATER = [468, 445, 427, 409, 394]


# ------------------------------------------------------------------ sBG
@pytest.mark.parametrize("alive, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_fader_hardie_parameters(alive, alpha, beta):
    fit = churn.fit_sbg(alive)
    # the paper prints three decimals: the MLE must round to them
    assert fit.alpha == pytest.approx(alpha, abs=0.0015)
    assert fit.beta == pytest.approx(beta, abs=0.0015)
    assert fit.n_customers == 1000


@pytest.mark.parametrize("alive, later", [(REGULAR, REGULAR_LATER), (HIGH_END, HIGH_END_LATER)])
def test_sbg_projects_years_8_to_12_within_5_percent(alive, later):
    """Stated tolerance: each projected count of years 8–12 within 5 % of the published count
    (the fit uses years 0–7 only; the published projections are 1–4 % low)."""
    fit = churn.fit_sbg(alive)
    projected = 1000 * fit.survival(12)[8:]
    assert np.abs(projected / np.array(later) - 1).max() < 0.05
    # a constant-retention model (one churn rate for all: departures / renewal opportunities)
    # misses by far more: it ignores heterogeneity, so its projection falls too fast
    alive = np.asarray(alive, float)
    p = (alive[0] - alive[-1]) / alive[:-1].sum()
    naive = 1000 * (1 - p) ** np.arange(8, 13)
    assert np.abs(projected - later).sum() < 0.2 * np.abs(naive - later).sum()
    assert (naive < np.array(later)).all()


def test_sbg_retention_rises_with_tenure_although_each_customer_is_constant():
    fit = churn.fit_sbg(REGULAR)
    r = fit.retention(12)
    assert (np.diff(r) > 0).all()
    assert r[0] == pytest.approx(1 - fit.mean_churn)
    # the observed renewal rates rise too
    assert (np.diff(churn.retention_rates(REGULAR)) > 0).all()


def test_sbg_closed_forms():
    # uniform θ (α = β = 1): S(t) = 1 / (t + 1), r(t) = t / (t + 1)
    assert churn.sbg_survival(1, 1, 4) == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert churn.sbg_retention(1, 1, 3) == pytest.approx([1 / 2, 2 / 3, 3 / 4])
    assert churn.sbg_survival(2, 3, 0).tolist() == [1.0]


def test_sbg_durations_equals_counts_for_one_cohort():
    """One cohort given as one row per customer gives the same fit as its survivor counts."""
    alive = np.array(REGULAR)
    lost = alive[:-1] - alive[1:]
    tenure = np.concatenate([np.repeat(np.arange(1, 8), lost), np.full(alive[-1], 8)])
    churned = np.concatenate([np.ones(lost.sum(), bool), np.zeros(alive[-1], bool)])
    fit = churn.fit_sbg_durations(pd.DataFrame({"tenure": tenure, "churned": churned}))
    ref = churn.fit_sbg(REGULAR)
    assert fit.alpha == pytest.approx(ref.alpha, rel=1e-3)
    assert fit.beta == pytest.approx(ref.beta, rel=1e-3)


def test_sbg_recovers_simulated_parameters_with_mixed_censoring():
    rng = np.random.default_rng(8)
    alpha, beta, n = 1.2, 3.5, 20_000
    theta = rng.beta(alpha, beta, n)
    life = rng.geometric(theta)                          # periods paid before leaving
    horizon = rng.integers(0, 7, n)                      # renewals observed so far: 0 … 6
    gone = life <= horizon                               # left at renewal `life`, seen
    d = pd.DataFrame({"tenure": np.where(gone, life, horizon + 1), "churned": gone})
    fit = churn.fit_sbg_durations(d)
    assert fit.mean_churn == pytest.approx(alpha / (alpha + beta), abs=0.01)
    assert fit.alpha == pytest.approx(alpha, rel=0.2)
    # a naive pooled churn rate (departures / customer-periods) ignores heterogeneity: lower
    naive = d["churned"].sum() / d["tenure"].sum()
    assert naive < fit.mean_churn - 0.02


@pytest.mark.parametrize("bad, error, words", [
    ([1000, 631, 700], InvalidValueError, "ne peuvent pas augmenter : 631 à la période 1, puis 700"),
    ([1000, -5], NegativeValueError, "négatifs"),
    ([], EmptyTableError, "vides"),
    ([1000], InvalidValueError, "au moins deux effectifs"),
    ([0, 0], InvalidValueError, "effectif de départ"),
    (["mille", "six cents"], InvalidValueError, "doit être un nombre"),
])
def test_sbg_bad_counts_french_errors(bad, error, words):
    with pytest.raises(error, match=words):
        churn.fit_sbg(bad)


def test_sbg_dataframe_and_bad_parameters():
    with pytest.raises(InvalidValueError, match="pas un DataFrame"):
        churn.fit_sbg(pd.DataFrame({"actifs": REGULAR}))
    with pytest.raises(InvalidValueError, match="> 0"):
        churn.sbg_survival(-1, 1, 3)
    with pytest.raises(InvalidValueError, match="entier ≥ 0"):
        churn.sbg_survival(1, 1, 2.5)
    with pytest.raises(MissingColumnError, match="la colonne 'tenure' est absente"):
        churn.fit_sbg_durations(pd.DataFrame({"duree": [1], "churned": [True]}))
    with pytest.raises(InvalidValueError, match="entiers de périodes payées ≥ 1"):
        churn.fit_sbg_durations(pd.DataFrame({"tenure": [0, 2], "churned": [True, False]}))


# ------------------------------------------------------------------ Kaplan–Meier
@pytest.fixture
def durations() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    group = np.where(np.arange(n) < 200, "A", "B")
    life = np.where(group == "A", rng.geometric(0.25, n), rng.geometric(0.15, n))
    horizon = rng.integers(2, 12, n)
    return pd.DataFrame({"duration": np.minimum(life, horizon), "churned": (life <= horizon).astype(int),
                         "group": group})


def test_kaplan_meier_by_hand_on_a_tiny_table():
    d = pd.DataFrame({"duration": [1, 2, 2, 3, 4, 5], "churned": [1, 1, 0, 1, 0, 1]})
    km = churn.kaplan_meier(d)
    # S(1) = 5/6; S(2) = 5/6 · 4/5; S(3) = 2/3 · 2/3 (one censored at 2); S(5) = 0
    assert km["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0])
    assert km["at_risk"].tolist() == [6, 5, 3, 1]
    assert km["censored"].tolist() == [0, 1, 1, 0]  # censored at 2 (with the event) and at 4
    assert km.index.tolist() == [1, 2, 3, 5]
    # Greenwood at t = 1: S · sqrt(1 / (6 · 5))
    assert km["se"].iloc[0] == pytest.approx(5 / 6 * np.sqrt(1 / 30))
    assert np.isnan(km["se"].iloc[-1])


def test_kaplan_meier_matches_statsmodels(durations):
    from statsmodels.duration.survfunc import SurvfuncRight

    km = churn.kaplan_meier(durations)
    sf = SurvfuncRight(durations["duration"].to_numpy(float), durations["churned"].to_numpy())
    assert km.index.to_numpy() == pytest.approx(sf.surv_times)
    assert km["survival"].to_numpy() == pytest.approx(sf.surv_prob)
    assert km["at_risk"].to_numpy() == pytest.approx(sf.n_risk)
    assert km["events"].to_numpy() == pytest.approx(sf.n_events)
    ok = ~np.isnan(sf.surv_prob_se)
    assert km["se"].to_numpy()[ok] == pytest.approx(sf.surv_prob_se[ok])
    # pointwise intervals contain S and lie inside [0, 1]; statsmodels' simultaneous
    # (Hall–Wellner) band is wider than the pointwise interval where both are defined
    inside = km["survival"].between(km["ci_low"], km["ci_high"])
    assert inside.all() and km["ci_low"].ge(0).all() and km["ci_high"].le(1).all()
    lcb, ucb = sf.simultaneous_cb()
    mid = len(km) // 2
    assert ucb[mid] - lcb[mid] > km["ci_high"].iloc[mid] - km["ci_low"].iloc[mid]


def test_kaplan_meier_log_log_interval_by_hand():
    d = pd.DataFrame({"duration": [1, 2, 2, 3, 4, 5], "churned": [1, 1, 0, 1, 0, 1]})
    km = churn.kaplan_meier(d)
    s, v = 5 / 6, 1 / 30
    half = 1.959964 * np.sqrt(v) / abs(np.log(s))
    assert km["ci_low"].iloc[0] == pytest.approx(s ** np.exp(half), rel=1e-5)
    assert km["ci_high"].iloc[0] == pytest.approx(s ** np.exp(-half), rel=1e-5)


def test_logrank_matches_statsmodels_two_and_three_groups(durations):
    from statsmodels.duration.survfunc import survdiff

    res = churn.logrank_test(durations)
    chi2, p = survdiff(durations["duration"], durations["churned"], durations["group"])
    assert res["chi2"] == pytest.approx(chi2, rel=1e-8)
    assert res["p_value"] == pytest.approx(p, rel=1e-6)
    assert res["df"] == 1
    assert res["observed[A]"] + res["observed[B]"] == durations["churned"].sum()
    assert res["p_value"] < 0.01  # the planted difference is found
    three = durations.assign(group=np.tile(["x", "y", "z", "z"], 100))
    res3 = churn.logrank_test(three)
    chi3, p3 = survdiff(three["duration"], three["churned"], three["group"])
    assert res3["chi2"] == pytest.approx(chi3, rel=1e-8) and res3["df"] == 2


def test_survival_bad_input(durations):
    with pytest.raises(MissingColumnError, match="la colonne 'churned' est absente"):
        churn.kaplan_meier(durations.drop(columns="churned"))
    with pytest.raises(NegativeValueError, match="durée négative"):
        churn.kaplan_meier(durations.assign(duration=-durations["duration"]))
    with pytest.raises(InvalidValueError, match="doit valoir 1 / True"):
        churn.kaplan_meier(durations.assign(churned=2))
    with pytest.raises(EmptyTableError, match="vide"):
        churn.kaplan_meier(durations.iloc[:0])
    with pytest.raises(InvalidValueError, match="qu'un groupe"):
        churn.logrank_test(durations.assign(group="A"))


# ------------------------------------------------------------------ NPS
def test_nps_by_hand():
    scores = pd.Series([10, 9, 9, 8, 7, 6, 3, 0, 10, 5])  # 4 promoters, 2 passives, 4 detractors
    out = churn.nps(scores)
    assert out["nps"] == pytest.approx(0.0)
    assert out["promoters"] == pytest.approx(0.4) and out["detractors"] == pytest.approx(0.4)
    # Var = (0.4 + 0.4 − 0²) / 10 = 0.08 → se = 28.28 points
    assert out["se"] == pytest.approx(100 * np.sqrt(0.08))
    assert out["ci_high"] == pytest.approx(1.959964 * 100 * np.sqrt(0.08), rel=1e-5)


def test_nps_interval_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(1)
    probs = np.r_[np.full(7, 0.3 / 7), 0.15, 0.15, 0.2, 0.2]  # true NPS = 40 − 30 = 10 points
    covered = 0
    for _ in range(400):
        out = churn.nps(pd.Series(rng.choice(11, 300, p=probs)))
        covered += out["ci_low"] <= 10 <= out["ci_high"]
    assert 0.92 <= covered / 400 <= 0.98


def test_nps_missing_and_weights():
    d = pd.DataFrame({"score": [10, 10, 0, np.nan], "w": [1.0, 1.0, 2.0, 1.0]})
    out = churn.nps(d, "score")
    assert out["missing"] == 1 and out["respondents"] == 3
    assert out["nps"] == pytest.approx(100 / 3)
    weighted = churn.nps(d, "score", weights="w")
    assert weighted["nps"] == pytest.approx(0.0)       # 2 promoters vs a detractor weighing 2
    assert weighted["n_effective"] == pytest.approx(16 / 6)


def test_nps_bad_input():
    with pytest.raises(InvalidValueError, match="entier de 0 à 10"):
        churn.nps(pd.Series([10, 11]))
    with pytest.raises(EmptyTableError, match="vide"):
        churn.nps(pd.Series([], dtype=float))
    with pytest.raises(EmptyTableError, match="toutes les réponses sont manquantes"):
        churn.nps(pd.Series([np.nan, np.nan]))
    with pytest.raises(MissingColumnError, match="la colonne 'nps_score' est absente"):
        churn.nps(pd.DataFrame({"score": [1]}), "nps_score")


def test_nps_categories():
    assert churn.nps_categories([0, 6, 7, 8, 9, 10]).tolist() == [
        "détracteur", "détracteur", "passif", "passif", "promoteur", "promoteur"]


# ------------------------------------------------------------------ Dick & Basu
def test_dick_basu_cells():
    d = pd.DataFrame({"att": [5, 5, 1, 1, np.nan], "orders": [4, 0, 4, 0, 3]})
    cells = churn.dick_basu(d, "att", "orders", attitude_threshold=4, repeat_threshold=2)
    assert cells.iloc[:4].tolist() == ["fidélité véritable", "fidélité latente", "fausse fidélité", "infidélité"]
    assert pd.isna(cells.iloc[4])
    with pytest.raises(MissingColumnError, match="la colonne 'att' est absente"):
        churn.dick_basu(d.drop(columns="att"), "att", "orders")


# ------------------------------------------------------------------ relative importance
def test_relative_importance_recovers_weights_and_sums_to_r2():
    rng = np.random.default_rng(5)
    n = 5000
    x1 = rng.normal(size=n)
    x2 = 0.6 * x1 + 0.8 * rng.normal(size=n)  # correlated with x1
    x3 = rng.normal(size=n)
    y = 0.5 * x1 + 0.3 * x2 + 0.0 * x3 + rng.normal(size=n)
    d = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "x3": x3})
    out = churn.relative_importance(d, "y", ["x1", "x2", "x3"])
    import statsmodels.api as sm

    full = sm.OLS(d["y"], sm.add_constant(d[["x1", "x2", "x3"]])).fit().rsquared
    assert out["r2_share"].sum() == pytest.approx(full, rel=1e-9)
    assert out["importance"].sum() == pytest.approx(1.0)
    assert out["r2_share"].idxmax() == "x1" and out["r2_share"].idxmin() == "x3"
    assert out.loc["x3", "importance"] < 0.01


def test_relative_importance_bad_input():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [1.0, 1, 1, 1], "z": [1.0, 3, 2, 5]})
    with pytest.raises(InvalidValueError, match="la colonne 'x' est constante"):
        churn.relative_importance(d, "y", ["x", "z"])
    with pytest.raises(MissingColumnError, match="la colonne 'w' est absente"):
        churn.relative_importance(d, "y", ["w"])


# ------------------------------------------------------------------ gains and lift
def test_gains_table_by_hand():
    d = pd.DataFrame({"score": np.arange(10, 0, -1), "churned": [1, 1, 0, 1, 0, 0, 0, 0, 0, 1]})
    g = churn.gains_table(d, "score", "churned", bins=5)
    assert g["positives"].tolist() == [2, 1, 0, 0, 1]
    assert g["gain"].tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75, 1.0])
    assert g["lift"].iloc[0] == pytest.approx(1.0 / 0.4)
    assert g["cumulative_lift"].iloc[-1] == pytest.approx(1.0)


def test_gains_of_a_random_score_are_flat():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"score": rng.random(20000), "churned": rng.random(20000) < 0.3})
    g = churn.gains_table(d, "score", "churned")
    assert (g["lift"] - 1).abs().max() < 0.12


def test_gains_bad_input():
    d = pd.DataFrame({"score": [0.1, 0.2], "churned": [0, 2]})
    with pytest.raises(InvalidValueError, match="doit valoir 0 / 1"):
        churn.gains_table(d, "score", "churned", bins=2)
    with pytest.raises(MissingColumnError, match="la colonne 'target' est absente"):
        churn.gains_table(d, "score", "target")
    with pytest.raises(InvalidValueError, match="nombre de groupes"):
        churn.gains_table(d.assign(churned=[0, 1]), "score", "churned", bins=3)


# ------------------------------------------------------------------ retention offer
def test_offer_gain_by_hand():
    # p = 0.5, v = 200, c = 1, incentive 10, success 0.3: 30 − 1 − 10 · (0.5 + 0.15) = 22.5
    assert churn.offer_gain(0.5, 200, 1, 10, 0.3).item() == pytest.approx(22.5)
    # a customer sure to stay: pure cost (contact + wasted incentive)
    assert churn.offer_gain(0.0, 200, 1, 10, 0.3).item() == pytest.approx(-11.0)
    with pytest.raises(NegativeValueError, match="ne peut pas être négatif"):
        churn.offer_gain(0.5, 200, -1, 10, 0.3)
    with pytest.raises(InvalidValueError, match="entre 0 et 1"):
        churn.offer_gain(1.5, 200, 1, 10, 0.3)


def test_targeting_the_riskiest_is_not_always_best():
    """Lemmens & Gupta's point: when the riskiest are worth little or cannot be rescued,
    ranking by expected gain beats ranking by risk."""
    rng = np.random.default_rng(4)
    n = 10_000
    p = rng.beta(2, 5, n)
    value = 400 * (1 - p) ** 3 + rng.gamma(2, 10, n)      # the riskiest are worth the least
    success = 0.5 * (1 - p)                               # and are the hardest to rescue
    d = pd.DataFrame({"p": p, "value": value, "success": success})
    d["gain"] = churn.offer_gain(p, value, 1, 5, success)
    by_risk = churn.targeting_profit(d, "p", "p", "value", 1, 5, "success")
    by_gain = churn.targeting_profit(d, "gain", "p", "value", 1, 5, "success")
    assert by_gain["profit"].max() > by_risk["profit"].max()
    assert by_gain["profit"].iloc[0] == 0 and by_risk["depth"].iloc[-1] == 1
    # contacting everybody gives the same profit whatever the order
    assert by_gain["profit"].iloc[-1] == pytest.approx(by_risk["profit"].iloc[-1])
    assert by_gain["profit"].max() == pytest.approx(d["gain"].clip(lower=0).sum(), rel=0.01)


def test_targeting_figure_update():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"p": rng.random(500), "value": rng.gamma(2, 50, 500)})
    d["gain"] = churn.offer_gain(d["p"], d["value"], 1, 10, 0.3)
    view, update = churn.targeting_figure(d, {"par risque": "p", "par gain espéré": "gain"}, "p", "value")
    title, caption = update(1.0, 10.0, 0.2)
    assert "profondeur 20" in title and "par gain espéré" in caption
    assert view.png()[:4] == b"\x89PNG"
    with pytest.raises(NegativeValueError):
        update(-1.0, 10.0, 0.2)


# ------------------------------------------------------------------ BG/NBD benchmark
def test_prob_no_purchase_against_lifetimes():
    from crmlab import btyd

    lifetimes = btyd._import_lifetimes()
    model = lifetimes.BetaGeoFitter()
    model.params_ = pd.Series({"r": 0.8, "alpha": 12.0, "a": 0.6, "b": 2.5})
    x, tx, T = np.array([0, 3, 3, 10]), np.array([0.0, 20, 50, 50]), np.array([52.0, 52, 52, 52])
    alive = model.conditional_probability_alive(x, tx, T)
    # t = 0: nobody purchases in no time; t → ∞: only the dead stay silent
    assert churn.prob_no_purchase(model, x, tx, T, 0) == pytest.approx(1.0)
    assert churn.prob_no_purchase(model, x, tx, T, 1e15) == pytest.approx(1 - alive, abs=1e-6)
    # a brand-new customer (x = 0, T = 0) cannot die before purchasing: (α / (α + t))^r
    new = churn.prob_no_purchase(model, 0, 0, 0, 26)
    assert new == pytest.approx(float(model.probability_of_n_purchases_up_to_time(26, 0)), rel=1e-9)
    # silence is likelier for the frequent buyer who stopped long ago than for the recent one
    p = churn.prob_no_purchase(model, x, tx, T, 52)
    assert p[2] < p[1]
    with pytest.raises(InvalidValueError, match="recency ≤ T"):
        churn.prob_no_purchase(model, 1, 60, 52, 10)


def test_targeting_profit_grid_and_bad_input():
    d = pd.DataFrame({"p": [0.9, 0.5, 0.1, 0.2], "value": [10.0, 100.0, 100.0, 50.0]})
    curve = churn.targeting_profit(d, "p", "p", "value", contact_cost=1.0, incentive=0.0, success=0.5, steps=4)
    assert curve["depth"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert curve["contacted"].tolist() == [0, 1, 2, 3, 4]
    # by risk: 0.5·0.9·10 − 1 = 3.5, then + 0.5·0.5·100 − 1 = 24, then + 0.5·0.2·50 − 1 = 4, then + 0.5·0.1·100 − 1 = 4
    assert curve["profit"].tolist() == pytest.approx([0.0, 3.5, 27.5, 31.5, 35.5])
    with pytest.raises(InvalidValueError, match="nombre de pas"):
        churn.targeting_profit(d, "p", "p", "value", steps=0)
    with pytest.raises(MissingColumnError, match="la colonne 'valeur' est absente"):
        churn.targeting_profit(d, "p", "p", "valeur")
