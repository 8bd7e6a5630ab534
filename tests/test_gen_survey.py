"""Survey (drivers, non-response bias), Verdane+ subscriptions (sBG) and households in the silos.

Read the fresh build of tests/conftest.py. Tolerances are stated in each test; none is
derived from the generated output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

ITEMS = ["satisfaction", "attitude", "switching_costs", "trust"]


@pytest.fixture(scope="module")
def later(load):
    """Respondents with their items, orders 120–420 days after answering and orders of the year before."""
    s, o = load("survey").copy(), load("orders")
    m = o[["customer_id", "order_date"]].merge(s[["customer_id", "survey_date"]], on="customer_id")
    d = (m["order_date"] - m["survey_date"]).dt.days
    s["orders_later"] = s["customer_id"].map(m[(d > 120) & (d <= 420)].groupby("customer_id").size()).fillna(0)
    past = m[(d <= 0) & (d > -365)].groupby("customer_id").size()
    s["log_past_orders"] = np.log1p(s["customer_id"].map(past).fillna(0))
    return s


def _driver_fit(s: pd.DataFrame):
    """Negative-binomial regression of later orders on the standardised items, past orders controlled."""
    import statsmodels.api as sm

    z = (s[ITEMS] - s[ITEMS].mean()) / s[ITEMS].std()
    x = sm.add_constant(pd.concat([z, s[["log_past_orders"]]], axis=1))
    return sm.GLM(s["orders_later"], x, family=sm.families.NegativeBinomial(alpha=1.0)).fit()


# ------------------------------------------------------------------------ survey
def test_driver_regression_recovers_the_ranking_of_the_main_drivers(load, later):
    w = load("truth:parameters")["survey_effects"]["driver_weights"]
    # true ranking (weights act on departure: more negative = stronger driver of retention)
    assert sorted(ITEMS, key=lambda k: w[k])[:2] == ["satisfaction", "switching_costs"]
    fit = _driver_fit(later)
    b, z = fit.params, fit.params / fit.bse
    assert z["satisfaction"] > 2 and z["switching_costs"] > 2  # signs: both retain
    assert b["satisfaction"] > b["switching_costs"] > max(b["attitude"], b["trust"])


def test_trust_looks_important_alone_but_not_once_satisfaction_is_controlled(load, later):
    """Naive bivariate reading vs the multivariate driver analysis: trust has no true weight."""
    assert load("truth:parameters")["survey_effects"]["driver_weights"]["trust"] == 0.0
    r = np.corrcoef(later["trust"], later["orders_later"])[0, 1]
    assert r > 0.04  # n ≈ 3,800: significant at 1 %
    fit = _driver_fit(later)
    assert abs(fit.params["trust"] / fit.bse["trust"]) < 2


def test_non_response_bias_respondents_are_more_satisfied_than_the_invited_base(load):
    s, t = load("survey"), load("truth:survey")
    assert set(s["customer_id"]) == set(t.loc[t["responded"], "customer_id"])
    assert 0.25 < t["responded"].mean() < 0.6
    assert s["satisfaction"].mean() > t["satisfaction_answer"].mean() + 0.3
    # the bias is measurable from the company's own data: respondents bought more before the survey
    o = load("orders")
    before = o[o["order_date"] < "2024-09-16"].groupby("customer_id").size()
    n_before = t["customer_id"].map(before).fillna(0)
    assert n_before[t["responded"]].mean() > n_before[~t["responded"]].mean()


def test_survey_departures_follow_the_drivers_in_the_truth(load):
    t = load("truth:survey")
    low = t["satisfaction_latent"] < t["satisfaction_latent"].quantile(0.2)
    high = t["satisfaction_latent"] > t["satisfaction_latent"].quantile(0.8)
    assert t.loc[low, "left_after_survey"].mean() > 3 * t.loc[high, "left_after_survey"].mean()
    left = t.loc[t["left_after_survey"], "customer_id"]
    truth = load("truth:customers").set_index("customer_id")
    assert not truth.loc[left, "alive_at_end"].any()


def test_badly_handled_complaints_make_customers_leave(load):
    comp, o = load("complaints"), load("orders")
    comp = comp[comp["complaint_date"] < "2025-06-30"]
    m = o[["customer_id", "order_date"]].merge(comp[["customer_id", "complaint_date"]], on="customer_id")
    buys = comp["customer_id"].isin(m.loc[m["order_date"] > m["complaint_date"], "customer_id"])
    good = comp["resolution"] == "résolue – satisfait"
    assert buys[good].mean() > buys[~good].mean() + 0.1


# ----------------------------------------------------------------- subscriptions
def _sbg_fit(sub: pd.DataFrame) -> tuple[float, float]:
    """Shifted-beta-geometric by maximum likelihood, by hand (Fader & Hardie 2007)."""
    from scipy.optimize import minimize
    from scipy.special import betaln

    last = sub.sort_values("period").groupby("subscription_id").tail(1)
    t = last["period"].to_numpy()
    churned = (last["status"] == "résilié").to_numpy()

    def nll(x):
        a, b = np.exp(x)
        p_churn_t = betaln(a + 1, b + t - 1) - betaln(a, b)  # cancels at the end of period t
        surv = betaln(a, b + t - 1) - betaln(a, b)  # renewed t-1 times, period t running
        return -np.where(churned, p_churn_t, surv).sum()

    res = minimize(nll, x0=[0.0, 0.0], method="Nelder-Mead")
    return tuple(np.exp(res.x))


def test_renewal_rate_rises_with_tenure(load):
    sub = load("subscriptions")
    done = sub[sub["status"] != "en cours"]
    rate = (done["status"] == "renouvelé").groupby(done["period"]).mean()
    assert done["period"].value_counts().min() >= 200
    assert rate.loc[2] > rate.loc[1] + 0.03


def test_sbg_recovers_the_mean_cancellation_probability(load):
    sub = load("subscriptions")
    p = load("truth:parameters")["subscriptions"]
    a, b = _sbg_fit(sub)
    assert abs(a / (a + b) - p["alpha"] / (p["alpha"] + p["beta"])) < 0.05
    # naive: one constant renewal rate for everybody would predict a flat retention curve
    done = sub[sub["status"] != "en cours"]
    assert (done["status"] == "résilié").mean() < p["alpha"] / (p["alpha"] + p["beta"])


def test_subscribers_are_heavier_home_delivery_customers(load):
    sub, o = load("subscriptions"), load("orders")
    assert set(sub["customer_id"]) <= set(load("customers")["customer_id"])
    first = sub[sub["period"] == 1]
    assert first["subscription_id"].is_unique and first["customer_id"].is_unique
    home = o[o["delivery_mode"] == "livraison domicile"].groupby("customer_id").size()
    members = first["customer_id"]
    has_home = home.index.to_series()
    assert home.reindex(members).fillna(0).mean() > 1.5 * home.reindex(has_home[~has_home.isin(members)]).mean()
    # periods chain yearly and a cancelled period is the last one
    nxt = sub.groupby("subscription_id")["period"].max()
    last = sub.merge(nxt.rename("pmax"), left_on="subscription_id", right_index=True)
    assert (last.loc[last["period"] < last["pmax"], "status"] == "renouvelé").all()
    assert (sub["period_start"] >= "2023-02-01").all() and (sub["period_start"] <= "2025-12-31").all()


# -------------------------------------------------------------------- households
def test_naive_matching_merges_household_members_that_the_mapping_separates(load):
    from crmlab import identity

    s = load("silos").merge(load("truth:silo_mapping"), on=["source", "source_record_id"])
    assert s["customer_id"].notna().all() and s["household_id"].notna().all()
    per_household = s.groupby("household_id")["customer_id"].nunique()
    assert (per_household >= 2).sum() >= 300
    addr = s["address"].str.lower().str.strip() + "|" + identity.normalize_postcode(s["postcode"])
    email = identity.normalize_email(s["email"])
    for key, at_least in [(addr, 200), (email, 3)]:
        g = s.assign(k=key).dropna(subset=["k"]).groupby("k")
        false_merges = g["customer_id"].nunique() > 1
        assert false_merges.sum() >= at_least  # naive exact match merges distinct persons…
        assert (g["household_id"].nunique()[false_merges] == 1).all()  # …of one household


def test_a_shared_landline_links_two_persons_of_one_household(load):
    s = load("silos").merge(load("truth:silo_mapping"), on=["source", "source_record_id"])
    landline = s.assign(p=s["phone"].str.replace(r"\D", "", regex=True).str[-9:])
    landline = landline[landline["p"].str.match(r"^[1-5]\d{8}$", na=False)]  # 01 … 05 numbers
    g = landline.groupby("p")
    multi = g["customer_id"].nunique() > 1
    assert multi.sum() >= 1 and (g["household_id"].nunique()[multi] == 1).all()  # rare: 5 % of records
    # and a household never mixes the same person's records under two household ids
    assert (s.groupby("customer_id")["household_id"].nunique() == 1).all()
