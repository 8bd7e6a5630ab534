"""Contact centre: Erlang B/C against the textbook and the factorial formulas, Erlang A against
a brute-force birth–death chain and the simulation, staffing, French errors."""

import math

import numpy as np
import pandas as pd
import pytest

from crmlab import contact_centre as cc
from crmlab.validation import InvalidValueError, NegativeValueError

TEXTBOOK = dict(calls=100, interval_s=1800, aht_s=180, target_s=20)


# ------------------------------------------------------------------ the textbook example
def test_textbook_example_exact():
    res = cc.erlang_c(agents=14, **TEXTBOOK)
    assert isinstance(res, dict)
    assert res["traffic_erlangs"] == pytest.approx(10.0)
    assert round(res["p_wait"], 4) == 0.1741
    assert round(res["service_level"], 4) == 0.8884
    assert round(res["asa_s"], 2) == 7.84
    assert res["occupancy"] == pytest.approx(10 / 14)


def test_textbook_agents_needed_is_14_and_13_is_not_enough():
    assert cc.agents_needed(service_level=0.8, **TEXTBOOK) == 14
    assert cc.erlang_c(agents=13, **TEXTBOOK)["service_level"] < 0.8


def _erlang_c_factorials(a, n):
    """The textbook closed form with factorials (independent of the recursion)."""
    top = a ** n / math.factorial(n) * n / (n - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("a,n", [(0.5, 1), (2.0, 3), (10.0, 11), (10.0, 14), (37.5, 45), (80.0, 95)])
def test_erlang_c_equals_factorial_formula(a, n):
    res = cc.erlang_c(calls=a, interval_s=1, aht_s=1, agents=n, target_s=0)
    assert res["p_wait"] == pytest.approx(_erlang_c_factorials(a, n), rel=1e-10)
    # target 0 s: the service level is the share who do not wait
    assert res["service_level"] == pytest.approx(1 - res["p_wait"])


def test_erlang_b_equals_factorial_formula():
    a, n = 10.0, 14
    expected = a ** n / math.factorial(n) / sum(a ** k / math.factorial(k) for k in range(n + 1))
    assert float(cc.erlang_b(a, n)) == pytest.approx(expected, rel=1e-12)


def test_vectorised_over_intervals_matches_scalars_and_keeps_index():
    calls = pd.Series([40.0, 100.0, 250.0], index=pd.Index(["08:00", "10:00", "14:00"], name="slot"))
    agents = pd.Series([7, 14, 30], index=calls.index)
    frame = cc.erlang_c(calls=calls, interval_s=1800, aht_s=180, agents=agents, target_s=20)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == ["08:00", "10:00", "14:00"]
    assert list(frame.columns) == ["traffic_erlangs", "agents", "p_wait", "service_level", "asa_s", "occupancy"]
    for slot in calls.index:
        one = cc.erlang_c(calls=calls[slot], interval_s=1800, aht_s=180, agents=int(agents[slot]), target_s=20)
        assert frame.loc[slot, "service_level"] == pytest.approx(one["service_level"])
        assert frame.loc[slot, "asa_s"] == pytest.approx(one["asa_s"])


def test_agents_needed_vectorised_minimal_and_zero_calls():
    calls = np.array([0.0, 5.0, 100.0, 400.0])
    need = cc.agents_needed(calls=calls, interval_s=1800, aht_s=180, target_s=20, service_level=0.8)
    assert need[0] == 0
    for c, n in zip(calls[1:], need[1:]):
        assert cc.erlang_c(calls=c, interval_s=1800, aht_s=180, agents=n, target_s=20)["service_level"] >= 0.8
        if n - 1 > c * 180 / 1800:
            assert cc.erlang_c(calls=c, interval_s=1800, aht_s=180, agents=n - 1, target_s=20)["service_level"] < 0.8
    # more calls never need fewer agents; a Series gives a Series
    assert np.all(np.diff(need) >= 0)
    s = cc.agents_needed(calls=pd.Series(calls), interval_s=1800, aht_s=180)
    assert isinstance(s, pd.Series) and list(s) == list(need)


def test_agents_needed_extra_constraints():
    base = cc.agents_needed(service_level=0.8, **TEXTBOOK)
    assert cc.agents_needed(service_level=0.8, max_asa_s=2.0, **TEXTBOOK) > base
    # with a low target, occupancy 90 % caps the load per agent: at least ceil(10 / 0.9) = 12
    assert cc.agents_needed(service_level=0.1, max_occupancy=0.7, **TEXTBOOK) >= math.ceil(10 / 0.7)


def test_pooling_needs_fewer_agents_than_two_queues():
    one = cc.agents_needed(calls=100, interval_s=1800, aht_s=180)
    pooled = cc.agents_needed(calls=200, interval_s=1800, aht_s=180)
    assert pooled < 2 * one


def test_shrinkage():
    assert cc.with_shrinkage(14, 0.3) == 20
    assert cc.with_shrinkage(14, 0.0) == 14
    assert list(cc.with_shrinkage(np.array([7, 10]), 0.5)) == [14, 20]
    with pytest.raises(InvalidValueError, match="entre 0 et 1"):
        cc.with_shrinkage(14, 1.0)


# ------------------------------------------------------------------ French errors
def test_unstable_queue_is_explained_in_french():
    with pytest.raises(InvalidValueError, match="file instable.*10 agent.*10,00|file instable.*10 agent.*10.00"):
        cc.erlang_c(agents=10, **TEXTBOOK)
    with pytest.raises(InvalidValueError, match="grandit sans fin"):
        cc.erlang_c(calls=[100, 200], interval_s=1800, aht_s=180, agents=[14, 14])
    res = cc.erlang_c(calls=[100, 200], interval_s=1800, aht_s=180, agents=[14, 14], unstable="saturate")
    assert res["service_level"].iloc[1] == 0.0 and np.isinf(res["asa_s"].iloc[1])


@pytest.mark.parametrize("kwargs,error,pattern", [
    (dict(calls=-5), NegativeValueError, "nombre d'appels.*négatif"),
    (dict(agents=13.5), InvalidValueError, "entier"),
    (dict(agents=0), InvalidValueError, "entier ≥ 1"),
    (dict(interval_s=0), InvalidValueError, "strictement positif"),
    (dict(aht_s="180"), InvalidValueError, "doit être un nombre"),
    (dict(calls=np.nan), InvalidValueError, "manquante"),
])
def test_bad_input_french_errors(kwargs, error, pattern):
    args = dict(agents=14, **TEXTBOOK)
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        cc.erlang_c(**args)


def test_bad_service_level_goal():
    with pytest.raises(InvalidValueError, match="niveau de service visé"):
        cc.agents_needed(service_level=80, **TEXTBOOK)


# ------------------------------------------------------------------ Erlang A
def _birth_death(lam, mu, theta, n, k_max=4000):
    """Brute force: stationary law of M/M/N+M truncated at k_max callers (no closed form used)."""
    k = np.arange(k_max + 1)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    p_wait = p[n:].sum()
    p_abandon = theta * (p * np.maximum(k - n, 0)).sum() / lam
    return p_wait, p_abandon


@pytest.mark.parametrize("agents,patience", [(14, 120.0), (8, 120.0), (10, 30.0), (12, 600.0)])
def test_erlang_a_probabilities_equal_brute_force_chain(agents, patience):
    res = cc.erlang_a(agents=agents, patience_s=patience, **TEXTBOOK)
    p_wait, p_abandon = _birth_death(100 / 1800, 1 / 180, 1 / patience, agents)
    assert res["p_wait"] == pytest.approx(p_wait, abs=1e-9)
    assert res["p_abandon"] == pytest.approx(p_abandon, abs=1e-9)
    # Little: the mean wait of all callers = P(abandon) × mean patience
    assert res["mean_wait_s"] == pytest.approx(p_abandon * patience, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_and_is_stable_when_understaffed():
    c = cc.erlang_c(agents=14, **TEXTBOOK)
    a = cc.erlang_a(agents=14, patience_s=1e9, **TEXTBOOK)
    for key in ("p_wait", "service_level", "asa_s", "occupancy"):
        assert a[key] == pytest.approx(c[key], rel=1e-5)
    inf = cc.erlang_a(agents=14, patience_s=np.inf, **TEXTBOOK)
    assert inf["service_level"] == pytest.approx(c["service_level"]) and inf["p_abandon"] == 0
    # fewer agents than the load: Erlang C fails, Erlang A answers (many abandon)
    short = cc.erlang_a(agents=8, patience_s=120, **TEXTBOOK)
    assert 0.1 < short["p_abandon"] < 0.5 and short["occupancy"] < 1
    # abandonment relieves those who stay: better service, and impatience raises abandonment
    patient = cc.erlang_a(agents=14, patience_s=600, **TEXTBOOK)
    hasty = cc.erlang_a(agents=14, patience_s=60, **TEXTBOOK)
    assert c["service_level"] < patient["service_level"] < hasty["service_level"]
    assert patient["p_abandon"] < hasty["p_abandon"]


def test_erlang_a_vectorised():
    res = cc.erlang_a(calls=[50, 100, 150], interval_s=1800, aht_s=180, agents=[8, 14, 12], patience_s=90)
    assert isinstance(res, pd.DataFrame) and len(res) == 3
    one = cc.erlang_a(calls=150, interval_s=1800, aht_s=180, agents=12, patience_s=90)
    assert res["service_level"].iloc[2] == pytest.approx(one["service_level"])


def test_erlang_a_bad_patience():
    with pytest.raises(InvalidValueError, match="patience"):
        cc.erlang_a(agents=14, patience_s=0, **TEXTBOOK)


# ------------------------------------------------------------------ simulation
def test_simulation_agrees_with_erlang_c():
    # about 100 000 calls; tolerances: a few standard errors of these autocorrelated shares
    sim = cc.simulate_queue(agents=14, n_intervals=1000, seed=12, **{k: TEXTBOOK[k] for k in ("calls", "interval_s",
                                                                                               "aht_s")})
    got = cc.queue_summary(sim, target_s=20)
    exp = cc.erlang_c(agents=14, **TEXTBOOK)
    assert got["p_abandon"] == 0
    assert got["p_wait"] == pytest.approx(exp["p_wait"], abs=0.012)
    assert got["service_level"] == pytest.approx(exp["service_level"], abs=0.01)
    assert got["asa_s"] == pytest.approx(exp["asa_s"], rel=0.10)
    # and it would tell 13 agents from 14
    assert cc.erlang_c(agents=13, **TEXTBOOK)["service_level"] < got["service_level"] - 0.05


@pytest.mark.parametrize("agents,patience", [(14, 120.0), (9, 90.0)])
def test_simulation_agrees_with_erlang_a(agents, patience):
    sim = cc.simulate_queue(calls=100, interval_s=1800, aht_s=180, agents=agents, patience_s=patience,
                            n_intervals=1000, seed=3)
    got = cc.queue_summary(sim, target_s=20)
    exp = cc.erlang_a(agents=agents, patience_s=patience, **TEXTBOOK)
    assert got["p_abandon"] == pytest.approx(exp["p_abandon"], abs=0.01)
    assert got["service_level"] == pytest.approx(exp["service_level"], abs=0.015)
    assert got["asa_s"] == pytest.approx(exp["asa_s"], rel=0.10)


def test_simulation_refuses_unstable_queue_and_vectors():
    with pytest.raises(InvalidValueError, match="instable"):
        cc.simulate_queue(calls=100, interval_s=1800, aht_s=180, agents=10)
    with pytest.raises(InvalidValueError, match="stationnaire"):
        cc.simulate_queue(calls=[100, 50], interval_s=1800, aht_s=180, agents=14)


def test_queue_summary_by_hand():
    t = pd.DataFrame({"wait_s": [0.0, 30.0, 10.0, 0.0], "abandoned": [False, True, False, False]})
    s = cc.queue_summary(t, target_s=20)
    assert s == {"n_calls": 4, "p_wait": 0.5, "service_level": 0.75, "asa_s": pytest.approx(10 / 3),
                 "p_abandon": 0.25}


# ------------------------------------------------------------------ the planner
def test_staffing_figure_update():
    view, update = cc.staffing_figure()
    title, caption = update(100, 180, 20, 0.8, 25, 0.3)
    assert "objectif 80" in title
    assert caption.startswith("14 agents au téléphone")
    assert "20 agents planifiés" in caption and "500" in caption
    with pytest.raises(NegativeValueError):
        update(100, 180, 20, 0.8, -1, 0.3)


def test_staffing_widget_is_bounded_and_redraws():
    box = cc.staffing_widget(calls=100, aht_s=180, target_s=20, service_level=0.8, hourly_cost=25, shrinkage=0.3)
    assert set(box.controls) == {"calls", "aht_s", "target_s", "service_level", "hourly_cost", "shrinkage"}
    assert "14 agents au téléphone" in box.caption.value
    box.controls["calls"].value = 200.0           # twice the calls: fewer than twice the agents (pooling)
    need = int(box.caption.value.split("<p>")[1].split(" agents")[0])
    assert 14 < need < 28
    assert box.view.message == ""


def test_priority_simulation_one_class_is_erlang_c_and_priority_orders_waits():
    sim = cc.simulate_priority_queue(calls={"tous": 100}, interval_s=1800, aht_s=180, agents=14, n_intervals=1000,
                                     seed=2)
    exp = cc.erlang_c(agents=14, **TEXTBOOK)
    assert (sim["wait_s"] <= 20).mean() == pytest.approx(exp["service_level"], abs=0.012)
    assert sim["wait_s"].mean() == pytest.approx(exp["asa_s"], rel=0.12)
    two = cc.simulate_priority_queue(calls=pd.Series({"gold": 30.0, "bronze": 70.0}), interval_s=1800, aht_s=180,
                                     agents=12, n_intervals=500, seed=3)
    waits = two.groupby("priority", observed=True)["wait_s"].mean()
    assert list(two["priority"].cat.categories) == ["gold", "bronze"]
    assert waits["gold"] < 0.5 * waits["bronze"]
    # the total work is the same as without priority: the mean wait over all callers stays that of Erlang C
    pooled = cc.erlang_c(calls=100, interval_s=1800, aht_s=180, agents=12)
    assert two["wait_s"].mean() == pytest.approx(pooled["asa_s"], rel=0.15)
    with pytest.raises(InvalidValueError, match="instable"):
        cc.simulate_priority_queue(calls={"gold": 50, "bronze": 50}, interval_s=1800, aht_s=180, agents=10)
