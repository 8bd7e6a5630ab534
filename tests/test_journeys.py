"""crmlab.journeys: funnel, paths, transitions and attribution on tiny journeys worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import journeys as jr
from crmlab.validation import EmptyTableError, InvalidValueError, MissingColumnError

D, E, RM = "display", "e-mail", "recherche marque"


def _table(paths: dict[str, list[str]], converted: dict[str, bool]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [(j, k + 1, c) for j, chans in paths.items() for k, c in enumerate(chans)]
    tp = pd.DataFrame(rows, columns=["journey_id", "touch_no", "channel"])
    js = pd.DataFrame({"journey_id": list(converted), "converted": list(converted.values())})
    return tp, js


@pytest.fixture
def small():
    """J1 d > e > rm (converted), J2 d > d (not), J3 e > rm (converted), J4 rm > d > d (converted)."""
    return _table({"J1": [D, E, RM], "J2": [D, D], "J3": [E, RM], "J4": [RM, D, D]},
                  {"J1": True, "J2": False, "J3": True, "J4": True})


# ------------------------------------------------------------------ rule-based models, by hand
@pytest.mark.parametrize("model, expected", [
    ("last_touch", {D: 1, E: 0, RM: 2}),
    ("first_touch", {D: 1, E: 1, RM: 1}),
    ("linear", {D: 1 / 3 + 2 / 3, E: 1 / 3 + 1 / 2, RM: 1 / 3 + 1 / 2 + 1 / 3}),
    ("position", {D: 0.4 + 0.2 + 0.4, E: 0.2 + 0.5, RM: 0.4 + 0.5 + 0.4}),
])
def test_rule_based_models_match_hand_computation(small, model, expected):
    got = jr.attribute(*small, model=model)
    assert got.to_dict() == pytest.approx(expected, abs=1e-12)
    assert got.sum() == pytest.approx(3)  # three conversions, whatever the model


def test_linear_over_distinct_channels(small):
    got = jr.attribute(*small, model="linear", distinct=True)
    assert got.to_dict() == pytest.approx({D: 1 / 3 + 1 / 2, E: 1 / 3 + 1 / 2, RM: 1 / 3 + 1 / 2 + 1 / 2})


def test_position_weights_and_short_journeys():
    tp, js = _table({"J1": [D], "J2": [D, E], "J3": [D, E, RM, E]}, {"J1": True, "J2": True, "J3": True})
    got = jr.attribute(tp, js, model="position", weights=(0.3, 0.5))
    # J1 all to d; J2 split 3:5; J3 0.3 first, 0.5 last, 0.2 shared by the two middle ones
    assert got.to_dict() == pytest.approx({D: 1 + 3 / 8 + 0.3, E: 5 / 8 + 0.1 + 0.5, RM: 0.1})


def test_converted_column_in_touchpoints_replaces_journeys(small):
    tp, js = small
    merged = tp.merge(js, on="journey_id")
    pd.testing.assert_series_equal(jr.attribute(merged, model="linear"), jr.attribute(tp, js, model="linear"))


# ------------------------------------------------------------------ Shapley
def test_shapley_from_the_definition_on_two_channels():
    # v({}) = 0, v({A}) = 1, v({B}) = 0, v({A, B}) = 2 → φA = ½·1 + ½·(2 − 0) = 1.5, φB = ½·0 + ½·(2 − 1) = 0.5
    tp, js = _table({"J1": ["A"], "J2": ["A", "B", "A"], "J3": ["B"]}, {"J1": True, "J2": True, "J3": False})
    assert jr.shapley(tp, js).to_dict() == pytest.approx({"A": 1.5, "B": 0.5})


def test_shapley_equals_linear_over_distinct_channels(small):
    assert jr.shapley(*small).to_dict() == pytest.approx(jr.attribute(*small, model="linear", distinct=True).to_dict())


def test_shapley_equals_linear_distinct_on_random_journeys():
    rng = np.random.default_rng(7)
    chans = [f"c{i}" for i in range(6)]
    paths = {f"J{k}": list(rng.choice(chans, rng.integers(1, 7))) for k in range(300)}
    conv = {k: bool(rng.random() < 0.4) for k in paths}
    tp, js = _table(paths, conv)
    phi = jr.shapley(tp, js)
    assert phi.sum() == pytest.approx(sum(conv.values()))  # efficiency
    pd.testing.assert_series_equal(phi, jr.attribute(tp, js, model="linear", distinct=True), atol=1e-9)


def test_shapley_refuses_too_many_channels():
    tp, js = _table({"J1": [f"c{i}" for i in range(17)]}, {"J1": True})
    with pytest.raises(InvalidValueError, match="trop de canaux"):
        jr.shapley(tp, js)


# ------------------------------------------------------------------ Markov chain
def test_markov_removal_effects_by_hand():
    # start→A 2/3, start→B 1/3; A→conv ½, A→B ½; B→conv ½, B→abandon ½: P(conv) = 2/3.
    # Without A: 1/3 × ½ = 1/6 → effect 3/4; without B: 2/3 × ½ = 1/3 → effect 1/2.
    tp, js = _table({"J1": ["A"], "J2": ["A", "B"], "J3": ["B"]}, {"J1": True, "J2": False, "J3": True})
    res = jr.markov_removal(tp, js)
    assert res.attrs["p_conversion"] == pytest.approx(2 / 3)
    assert res["removal_effect"].to_dict() == pytest.approx({"A": 0.75, "B": 0.5})
    assert res["share"].to_dict() == pytest.approx({"A": 0.6, "B": 0.4})
    assert res["conversions"].to_dict() == pytest.approx({"A": 1.2, "B": 0.8})


def test_markov_handles_loops_exactly():
    # A→A ⅓, A→conv ⅓, A→abandon ⅓: p = ⅓ + ⅓ p → p = ½ (a simulation would only approach it)
    tp, js = _table({"J1": ["A", "A"], "J2": ["A"]}, {"J1": True, "J2": False})
    res = jr.markov_removal(tp, js)
    assert res.attrs["p_conversion"] == pytest.approx(0.5, abs=1e-12)
    assert res.loc["A", "removal_effect"] == pytest.approx(1.0)


def test_markov_without_conversion_is_refused():
    tp, js = _table({"J1": ["A"]}, {"J1": False})
    with pytest.raises(InvalidValueError, match="aucun parcours converti"):
        jr.markov_removal(tp, js)


# ------------------------------------------------------------------ transitions, paths, funnel
def test_transition_matrix_counts_and_shares(small):
    counts = jr.transition_matrix(*small, normalize=False)
    assert counts.loc[jr.START].to_dict() == {D: 2, E: 1, RM: 1, jr.CONVERSION: 0, jr.NULL: 0}
    assert counts.loc[D].to_dict() == {D: 2, E: 1, RM: 0, jr.CONVERSION: 1, jr.NULL: 1}
    assert counts.loc[RM, jr.CONVERSION] == 2
    shares = jr.transition_matrix(*small)
    assert shares.sum(axis=1).to_numpy() == pytest.approx(np.ones(4))
    assert shares.loc[D, jr.NULL] == pytest.approx(1 / 5)


def test_path_counts_and_collapse():
    tp, js = _table({"J1": [D, D, E], "J2": [D, E], "J3": [D, E]}, {"J1": True, "J2": False, "J3": True})
    top = jr.path_counts(tp, js)
    assert top.iloc[0].to_dict() == {"path": "display > e-mail", "journeys": 2, "conversions": 1,
                                     "conversion_rate": 0.5}
    collapsed = jr.path_counts(tp, js, collapse=True)
    assert collapsed.to_dict("records") == [{"path": "display > e-mail", "journeys": 3, "conversions": 2,
                                             "conversion_rate": pytest.approx(2 / 3)}]


def test_funnel_counts_sessions_reaching_each_step():
    ev = pd.DataFrame({"session_id": ["a"] * 4 + ["b"] * 2 + ["c"],
                       "event_type": ["session_start", "product_view", "add_to_cart", "purchase",
                                      "session_start", "product_view", "session_start"],
                       "channel": ["site web"] * 6 + ["application"]})
    f = jr.funnel(ev)
    assert f["sessions"].tolist() == [3, 2, 1, 1, 1]  # a reached purchase without a checkout event
    assert f["from_previous"].tolist() == pytest.approx([1, 2 / 3, 1 / 2, 1, 1])
    assert f["drop_off"].iloc[1] == pytest.approx(1 / 3)
    by = jr.funnel(ev, by="channel")
    assert by.loc[by["channel"] == "application", "sessions"].tolist() == [1, 0, 0, 0, 0]


# ------------------------------------------------------------------ bad input, in French
def test_bad_input_gets_french_errors(small):
    tp, js = small
    with pytest.raises(MissingColumnError, match="'channel'"):
        jr.attribute(tp.drop(columns="channel"), js)
    with pytest.raises(InvalidValueError, match="modèle d'attribution inconnu"):
        jr.attribute(tp, js, model="dernier")
    with pytest.raises(InvalidValueError, match="absent de la table « journeys »"):
        jr.attribute(tp, js[js["journey_id"] != "J4"])
    with pytest.raises(InvalidValueError, match="journeys="):
        jr.attribute(tp)
    with pytest.raises(EmptyTableError):
        jr.markov_removal(tp.iloc[:0], js)
    with pytest.raises(InvalidValueError, match="poids du modèle en U"):
        jr.attribute(tp, js, model="position", weights=(0.7, 0.6))
    with pytest.raises(InvalidValueError, match="'converted'"):
        jr.attribute(tp, js.assign(converted=["oui", "non", "oui", "oui"]))
    with pytest.raises(InvalidValueError, match="au moins deux étapes"):
        jr.funnel(pd.DataFrame({"session_id": ["a"], "event_type": ["purchase"]}), ["purchase"])


# ------------------------------------------------------------------ widget
def test_budget_figure_caption_and_bad_model(small):
    shares = jr.compare_models(*small)
    assert shares.sum().to_numpy() == pytest.approx(np.ones(shares.shape[1]))
    truth = pd.Series({D: 0.5, E: 0.3, RM: 0.2})
    view, update = jr.budget_figure(shares, truth)
    title, caption = update("dernier contact", 100_000)
    assert "dernier contact" in title and "Budget mal placé" in caption
    # last touch gives d 1/3, e 0, rm 2/3: half the absolute gap to the truth is 0.4667 of the budget
    assert "46\u00a0667\u00a0€" in caption
    with pytest.raises(InvalidValueError, match="modèle inconnu"):
        update("Markov", 100_000)


def test_compare_models_without_conversion_is_refused(small):
    tp, js = small
    with pytest.raises(InvalidValueError, match="aucun parcours converti"):
        jr.compare_models(tp, js.assign(converted=False))
