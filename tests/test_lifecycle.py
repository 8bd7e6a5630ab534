"""Lifecycle statuses, flows and Markov projection, checked against values worked by hand.

The 3-customer table (thresholds: new 30 days, dormant 60, lost 180; dates in 2024, a leap year):

    A buys 5 Jan, 10 Feb, 20 Jun;  B buys 15 Mar;  C buys 1 Nov 2023 (twice) and 20 Jan.

    recency / age (days)      31 Jan           31 Mar            30 Jun            31 Dec
    A                         age 26 → nouveau  rec 50 → actif    rec 10 → actif    rec 194 → perdu
    B                         (not yet)         age 16 → nouveau  rec 107 → dormant rec 291 → perdu
    C                         rec 11 → actif    rec 71 → dormant  rec 162 → dormant rec 346 → perdu
"""

import numpy as np
import pandas as pd
import pytest

from crmlab import lifecycle as lc
from crmlab.validation import InvalidDateError, InvalidValueError, MissingColumnError

DATES = ["2024-01-31", "2024-03-31", "2024-06-30", "2024-12-31"]
TH = dict(new_days=30, dormant_days=60, lost_days=180)


@pytest.fixture
def orders():
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "C", "C", "C"],
        "order_date": ["2024-01-05", "2024-02-10", "2024-06-20", "2024-03-15",
                       "2023-11-01", "2023-11-01", "2024-01-20"],
        "gross_margin": [10.0, 20.0, 30.0, 40.0, 5.0, 5.0, 15.0],
    })


@pytest.fixture
def status(orders):
    return lc.customer_status(orders, DATES, **TH)


def test_statuses_worked_by_hand(status):
    got = status.astype(object).where(status.notna(), None).to_numpy().tolist()
    assert got == [
        ["nouveau", "actif", "actif", "perdu"],
        [None, "nouveau", "dormant", "perdu"],
        ["actif", "dormant", "dormant", "perdu"],
    ]
    assert list(status.index) == ["A", "B", "C"]
    assert list(status.columns) == list(pd.to_datetime(DATES))


def test_recency_matrix(orders):
    h = lc.purchase_history(orders, DATES)
    rec = h.recency
    assert rec[0].tolist() == [26, 50, 10, 194]
    assert rec[2].tolist() == [11, 71, 162, 346]
    assert rec[1, 1:].tolist() == [16, 107, 291]


def test_threshold_boundaries_are_inclusive():
    o = pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-01"]})
    # 2024-01-01 + 60 days = 2024-03-01, + 180 days = 2024-06-29
    s = lc.customer_status(o, ["2024-01-31", "2024-03-01", "2024-03-02", "2024-06-29", "2024-06-30"], **TH)
    # a single purchase: never « actif » (that takes a second purchase), « nouveau » until dormant
    assert s.iloc[0].tolist() == ["nouveau", "nouveau", "dormant", "dormant", "perdu"]


def test_active_requires_a_second_purchase():
    # A buys once; B buys twice within the welcome period; C buys twice, the second after it
    o = pd.DataFrame({"customer_id": ["A", "B", "B", "C", "C"],
                      "order_date": ["2024-01-01", "2024-01-01", "2024-01-20", "2024-01-01", "2024-02-15"]})
    s = lc.customer_status(o, ["2024-01-31", "2024-02-10", "2024-02-20"], **TH)
    assert s.loc["A"].tolist() == ["nouveau", "nouveau", "nouveau"]   # ages 30, 40, 50: no repeat yet
    assert s.loc["B"].tolist() == ["nouveau", "actif", "actif"]       # welcome period, then the repeat counts
    assert s.loc["C"].tolist() == ["nouveau", "nouveau", "actif"]     # becomes active on the repeat
    P = lc.transition_matrix(s, normalize=False)
    # every nouveau → actif move is a customer with a second purchase
    assert P.loc["nouveau", "actif"] == 2


def test_prospects_before_purchase_and_never_converted(orders):
    prospects = pd.DataFrame({
        "prospect_id": ["P1", "P2"],
        "signup_date": ["2024-01-15", "2024-05-01"],
        "converted_customer_id": ["B", None],
    })
    s = lc.customer_status(orders, DATES, prospects=prospects, **TH)
    assert list(s.index) == ["A", "B", "C", "P2"]
    assert s.loc["B"].tolist() == ["prospect", "nouveau", "dormant", "perdu"]
    assert s.loc["P2"].astype(object).where(s.loc["P2"].notna(), None).tolist() == [None, None, "prospect", "prospect"]
    P = lc.transition_matrix(s, normalize=False)
    assert P.loc["prospect", "nouveau"] == 1 and P.loc["prospect", "prospect"] == 1
    assert lc.flows(s)["acquired"].tolist() == [1, 0, 0]


def test_gaps_drop_same_day_orders(orders):
    gaps = lc.inter_purchase_gaps(orders)
    assert sorted(gaps["gap_days"].tolist()) == [36, 80, 131]
    assert "B" not in set(gaps["customer_id"])


def test_gap_thresholds_are_rounded_up_quantiles(orders):
    th = lc.gap_thresholds(lc.inter_purchase_gaps(orders), dormant_q=0.5, lost_q=0.75)
    # sorted gaps 36, 80, 131: median 80; 75th percentile 80 + 0.5 × 51 = 105.5 → 106
    assert th.to_dict() == {"dormant_days": 80, "lost_days": 106}


def test_portfolio_counts(status):
    p = lc.portfolio(status)
    assert p.loc["2024-06-30"].tolist() == [0, 0, 1, 2, 0]
    assert p.loc["2024-01-31"].tolist() == [0, 1, 1, 0, 0]
    assert p.loc["2024-12-31", "perdu"] == 3


def test_transition_matrix_three_customers(status):
    P = lc.transition_matrix(status)
    assert P.loc["nouveau", ["actif", "dormant"]].tolist() == [0.5, 0.5]
    assert np.allclose(P.loc["actif", ["actif", "dormant", "perdu"]], [1 / 3] * 3)
    assert np.allclose(P.loc["dormant", ["dormant", "perdu"]], [1 / 3, 2 / 3])
    assert P.loc["perdu"].isna().all()  # never observed as a starting status


def test_two_state_matrix_projection_and_sojourn_by_hand():
    s = pd.DataFrame([["actif", "actif", "dormant"],
                      ["actif", "dormant", "dormant"],
                      ["dormant", "actif", "actif"],
                      ["dormant", "dormant", "dormant"]], index=list("XYZW"), columns=["t0", "t1", "t2"])
    P = lc.transition_matrix(s).loc[["actif", "dormant"], ["actif", "dormant"]]
    assert P.to_numpy().tolist() == [[0.5, 0.5], [0.25, 0.75]]
    proj = lc.project(pd.Series({"actif": 100}), P, 2)
    assert proj.to_numpy().tolist() == [[50.0, 50.0], [37.5, 62.5]]
    assert lc.sojourn_times(P).tolist() == [2.0, 4.0]
    with_inflow = lc.project(pd.Series({"actif": 100}), P, 1, inflow=pd.Series({"actif": 10}))
    assert with_inflow.iloc[0].tolist() == [60.0, 50.0]


def test_flows_net_equals_change_of_living_customers(status):
    f = lc.flows(status)
    assert f["acquired"].tolist() == [1, 0, 0]
    assert f["lost"].tolist() == [0, 0, 3]
    living = lc.portfolio(status)[["nouveau", "actif", "dormant"]].sum(axis=1)
    assert f["net"].tolist() == living.diff().iloc[1:].astype(int).tolist()


def test_won_back_customer():
    o = pd.DataFrame({"customer_id": ["A", "A"], "order_date": ["2023-01-10", "2024-03-01"]})
    s = lc.customer_status(o, ["2023-12-31", "2024-03-31"], **TH)
    assert s.iloc[0].tolist() == ["perdu", "actif"]
    f = lc.flows(s)
    assert f.iloc[0][["won_back", "lost", "net"]].tolist() == [1, 0, 1]


def test_status_value_credits_month_margin_to_end_status():
    s = pd.DataFrame({pd.Timestamp("2024-01-31"): ["nouveau", "nouveau"],
                      pd.Timestamp("2024-02-29"): ["nouveau", "actif"]}, index=["A", "B"])
    o = pd.DataFrame({"customer_id": ["A", "B", "A", "B", "B"],
                      "order_date": ["2024-01-10", "2024-01-20", "2024-02-05", "2024-02-07", "2024-05-01"],
                      "gross_margin": [30.0, 20.0, 10.0, 6.0, 99.0]})
    v = lc.status_value(s, o)
    assert v["nouveau"] == pytest.approx(60 / 3)
    assert v["actif"] == pytest.approx(6.0)
    assert np.isnan(v["perdu"])  # nobody lost: no average


def test_winback_candidates():
    status_at = pd.Series({"A": "dormant", "B": "dormant", "C": "dormant", "D": "actif"})
    customers = pd.DataFrame({"customer_id": list("ABCD"), "consent_email": [1, 0, 1, 1],
                              "consent_sms": [0, 0, 0, 0],
                              "unsubscribe_date": [None, None, "2024-01-01", None]})
    o = pd.DataFrame({"customer_id": list("ABCD"),
                      "order_date": ["2023-06-01", "2023-06-01", "2023-06-01", "2023-06-01"],
                      "gross_margin": [300.0, 500.0, 400.0, 900.0]})
    w = lc.winback_candidates(status_at, customers, o, "2024-06-30", top_share=1.0)
    assert list(w.index) == ["A"]  # B gave no consent, C unsubscribed, D is active
    w = lc.winback_candidates(status_at, customers, o, "2023-12-31", top_share=1.0)
    assert list(w.index) == ["C", "A"]  # C unsubscribed later: still reachable then; sorted by value
    assert w["recency_days"].tolist() == [213, 213]


def test_one_customer_one_purchase_and_purchase_after_last_date():
    o = pd.DataFrame({"customer_id": ["A", "B"], "order_date": ["2024-01-10", "2025-01-10"]})
    s = lc.customer_status(o, DATES, **TH)
    assert s.loc["A"].tolist() == ["nouveau", "dormant", "dormant", "perdu"]
    assert s.loc["B"].isna().all()


def test_empty_orders_give_empty_status():
    o = pd.DataFrame({"customer_id": pd.Series([], dtype=str), "order_date": pd.Series([], dtype=str)})
    s = lc.customer_status(o, DATES, **TH)
    assert s.shape == (0, 4)
    assert lc.portfolio(s).to_numpy().sum() == 0


def test_single_date_string_is_accepted(orders):
    s = lc.customer_status(orders, "2024-06-30", **TH)
    assert s.shape == (3, 1)


def test_month_ends():
    d = lc.month_ends("2023-01-01", "2025-12-31")
    assert len(d) == 36 and d[1] == pd.Timestamp("2023-02-28") and d[-1] == pd.Timestamp("2025-12-31")


# ------------------------------------------------------------------ bad input, French messages
def test_thresholds_in_wrong_order(orders):
    with pytest.raises(InvalidValueError, match="mauvais ordre"):
        lc.customer_status(orders, DATES, dormant_days=200, lost_days=100)
    with pytest.raises(InvalidValueError, match="mauvais ordre"):
        lc.customer_status(orders, DATES, dormant_days=60, lost_days=180, new_days=90)
    with pytest.raises(InvalidValueError, match="positif"):
        lc.customer_status(orders, DATES, dormant_days=-5, lost_days=100)


def test_quantiles_in_wrong_order(orders):
    gaps = lc.inter_purchase_gaps(orders)
    with pytest.raises(InvalidValueError, match="mauvais ordre"):
        lc.gap_thresholds(gaps, dormant_q=0.95, lost_q=0.9)
    with pytest.raises(InvalidValueError, match="entre 0 et 1"):
        lc.gap_thresholds(gaps, dormant_q=85, lost_q=97)


def test_unparsable_dates(orders):
    bad = orders.copy()
    bad.loc[3, "order_date"] = "15/03/2024"
    with pytest.raises(InvalidDateError, match=r"date illisible : '15/03/2024' \(ligne 3\)"):
        lc.customer_status(bad, DATES, **TH)
    with pytest.raises(InvalidDateError, match="illisible : '31 juin'"):
        lc.customer_status(orders, ["2024-01-31", "31 juin"], **TH)


def test_missing_column(orders):
    with pytest.raises(MissingColumnError, match="'order_date' est absente de la table « orders »"):
        lc.customer_status(orders.drop(columns="order_date"), DATES, **TH)
    with pytest.raises(MissingColumnError, match="'gross_margin'"):
        lc.status_value(lc.customer_status(orders, DATES, **TH), orders.drop(columns="gross_margin"))


def test_bad_status_table_and_matrix():
    with pytest.raises(InvalidValueError, match="statut inconnu .* 'fidèle'"):
        lc.portfolio(pd.DataFrame({"t": ["actif", "fidèle"]}))
    with pytest.raises(InvalidValueError, match="au moins deux dates"):
        lc.transition_matrix(pd.DataFrame({"t": ["actif"]}))
    P = pd.DataFrame([[0.5, 0.4], [0.0, 1.0]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(InvalidValueError, match="« a » .* ne somme pas à 1"):
        lc.project(pd.Series({"a": 1}), P, 3)
    P = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(InvalidValueError, match="statut inconnu dans « initial » : 'c'"):
        lc.project(pd.Series({"c": 1}), P, 3)
    with pytest.raises(InvalidValueError, match="n_steps"):
        lc.project(pd.Series({"a": 1}), P, 0)


def test_status_view_updates_artists(orders):
    h = lc.purchase_history(orders, DATES)
    view, update = lc.status_view(h, new_days=30)
    assert update(60, 180) == "dormant après 60 jours sans achat, perdu après 180 jours"
    assert len(view.fig.axes) == 2
    ax_stock, ax_flow = view.axes
    # top of the stacked areas at 30 Jun = the 3 customers; the lost line ends with 3 losses
    top = max(p.get_paths()[0].vertices[:, 1].max() for p in ax_stock.collections)
    assert top == 3
    assert ax_flow.lines[1].get_ydata().tolist() == [0, 0, 3]
    image = view.png()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InvalidValueError, match="mauvais ordre"):
        update(200, 100)


def test_threshold_counts_match_the_status_codes_on_company_data():
    """The widget's binary-search counts equal a count of the status matrix, flows included."""
    from crmlab import datasets

    h = lc.purchase_history(datasets.load_orders(), lc.month_ends("2023-01-01", "2025-12-31"),
                            prospects=datasets.load_prospects())
    counts = lc._threshold_counts(h, new_days=90)
    for dormant, lost in [(90, 100), (150, 350), (170, 380), (300, 310), (700, 710)]:
        fast = counts(dormant, lost)
        slow = lc._widget_counts(h, dormant, lost, 90)
        for a, b in zip(fast, slow):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidValueError, match="mauvais ordre"):
        counts(300, 200)


def test_status_widget_keeps_lost_after_dormant(orders):
    box = lc.status_widget(lc.purchase_history(orders, DATES), 60, 180, new_days=30)
    dormant, lost = box.controls["dormant_days"], box.controls["lost_days"]
    assert dormant.min == 30 and lost.min == 70
    dormant.value = 300            # past the « perdu » threshold: it follows
    assert lost.min == 310 and lost.value == 310
    assert box.view.title == "dormant après 300 jours sans achat, perdu après 310 jours"
    assert box.view.message == ""


# ------------------------------------------------------------------ on the company's data
def test_vectorised_statuses_match_a_per_date_groupby_on_company_data():
    """The one-pass matrix gives the same statuses as a plain groupby at each date."""
    from crmlab import datasets

    orders = datasets.load_orders()
    dates = ["2023-06-30", "2024-12-31", "2025-12-31"]
    wide = lc.customer_status(orders, dates, dormant_days=150, lost_days=350, new_days=90)
    for d in pd.to_datetime(dates):
        past = orders[orders["order_date"] <= d].groupby("customer_id")["order_date"].agg(["min", "max", "nunique"])
        age, rec = (d - past["min"]).dt.days, (d - past["max"]).dt.days
        once = past["nunique"] == 1
        expected = pd.Series(np.select([age <= 90, rec <= 150, rec <= 350], ["nouveau", "actif", "dormant"],
                                       "perdu"), index=past.index)
        expected[(expected == "actif") & once] = "nouveau"   # « actif » takes a second purchase day
        got = wide[d].dropna().astype(str)
        assert got.sort_index().equals(expected.sort_index())


def test_transition_counts_match_crosstab_on_company_data():
    from crmlab import datasets

    orders = datasets.load_orders()
    wide = lc.customer_status(orders, ["2025-05-31", "2025-06-30"], dormant_days=150, lost_days=350)
    counts = lc.transition_matrix(wide, normalize=False)
    cross = pd.crosstab(wide.iloc[:, 0].astype(str), wide.iloc[:, 1].astype(str))
    for a in cross.index:
        for b in cross.columns:
            assert counts.loc[a, b] == cross.loc[a, b]
    assert counts.to_numpy().sum() == cross.to_numpy().sum()
