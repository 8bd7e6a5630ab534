"""Cost to serve, direct profit and whale curve, on tables worked by hand."""

import numpy as np
import pandas as pd
import pytest

from crmlab import profitability as pf
from crmlab.validation import InvalidValueError, MissingColumnError, NegativeValueError


@pytest.fixture
def pools() -> pd.DataFrame:
    # order handling 500 € over 10 orders = 50 €/order; home delivery 400 € over 5 = 80 €;
    # service 200 € over 4 contacts = 50 €; head office 1 000 € is common (not allocated)
    return pd.DataFrame({
        "activity": ["commandes", "livraison", "service", "siege"],
        "label_fr": ["Traitement des commandes", "Livraison à domicile", "Service client", "Siège"],
        "cost_pool_eur": [500.0, 400.0, 200.0, 1000.0],
        "driver": ["n_orders", "n_home_deliveries", "n_service_contacts", None],
        "kind": ["direct", "direct", "indirect", "commun"],
    })


@pytest.fixture
def volumes() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "B", "C"],
        "n_orders": [2, 1, 7],
        "n_home_deliveries": [1, 0, 4],
        "n_service_contacts": [0, 3, 1],
    })


def test_activity_rates_by_hand(pools, volumes):
    rates = pf.activity_rates(pools, volumes)
    assert rates.loc["commandes", "rate_eur"] == pytest.approx(50.0)
    assert rates.loc["livraison", "rate_eur"] == pytest.approx(80.0)
    assert rates.loc["service", "rate_eur"] == pytest.approx(50.0)
    assert np.isnan(rates.loc["siege", "rate_eur"])
    assert rates["allocated"].tolist() == [True, True, True, False]
    assert rates.loc["livraison", "driver_volume"] == 5


def test_allocate_costs_by_hand(pools, volumes):
    costs = pf.allocate_costs(volumes, pools)
    # A: 2×50 + 1×80 = 180 direct; B: 50 direct + 3×50 indirect; C: 350 + 320 + 50
    assert costs["direct_cost"].tolist() == pytest.approx([180.0, 50.0, 670.0])
    assert costs["indirect_cost"].tolist() == pytest.approx([0.0, 150.0, 50.0])
    assert costs["cost_to_serve"].tolist() == pytest.approx([180.0, 200.0, 720.0])
    assert "siege" not in costs.columns
    # allocated pools are exactly shared out, common costs are not
    assert costs["cost_to_serve"].sum() == pytest.approx(1100.0)


def test_direct_profit_by_hand(pools, volumes):
    costs = pf.allocate_costs(volumes, pools)
    orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "C"],
                           "gross_margin": [150.0, 100.0, 120.0, 300.0, 400.0]})
    profit = pf.direct_profit(orders, costs)
    assert profit.loc["A", "direct_profit"] == pytest.approx(70.0)
    assert profit.loc["B", "direct_profit"] == pytest.approx(-80.0)
    assert profit.loc["C", "direct_profit"] == pytest.approx(-20.0)
    assert profit.loc["B", "indirect_cost"] == pytest.approx(150.0)


def test_direct_profit_customer_without_orders_has_zero_margin():
    costs = pd.DataFrame({"cost_to_serve": [10.0, 5.0]}, index=pd.Index(["A", "B"], name="customer_id"))
    orders = pd.DataFrame({"customer_id": ["A"], "gross_margin": [30.0]})
    profit = pf.direct_profit(orders, costs)
    assert profit.loc["B", "gross_margin"] == 0
    assert profit.loc["B", "direct_profit"] == pytest.approx(-5.0)


def test_whale_curve_peak_worked_on_paper():
    # ranked profits 50, 30, 20, -10, -40 (total 50): cumulative 50, 80, 100, 90, 50
    profits = pd.Series([50.0, 30.0, -10.0, 20.0, -40.0], index=list("ABCDE"))
    curve = pf.whale_curve(profits)
    assert curve.index.tolist() == ["A", "B", "D", "C", "E"]
    assert curve["cumulative_share"].tolist() == pytest.approx([1.0, 1.6, 2.0, 1.8, 1.0])
    s = pf.whale_summary(profits)
    assert s["peak_share"] == pytest.approx(2.0)
    assert s["peak_customer_share"] == pytest.approx(0.6)
    assert s["n_unprofitable"] == 2
    assert s["unprofitable_loss"] == pytest.approx(-50.0)
    assert s["top_share"] == pytest.approx(1.0)  # best 20 % = 1 customer of 5 = 50 € of 50 €


def test_whale_top_share_is_interpolated_between_ranks():
    # 4 customers 60, 30, 10, 0 → at 20 % of customers: 0.8 of the first (60 %) → 48 %
    s = pf.whale_summary(pd.Series([60.0, 30.0, 10.0, 0.0]))
    assert s["top_share"] == pytest.approx(0.48)


def test_whale_curve_ties_follow_index_order():
    curve = pf.whale_curve(pd.Series([10.0, 10.0, 10.0], index=["C", "A", "B"]))
    assert curve.index.tolist() == ["A", "B", "C"]


def test_whale_curve_one_customer():
    s = pf.whale_summary(pd.DataFrame({"direct_profit": [42.0]}))
    assert s["peak_share"] == 1.0 and s["peak_customer_share"] == 1.0 and s["n_unprofitable"] == 0


def test_whale_curve_refuses_a_negative_total():
    with pytest.raises(InvalidValueError, match="profit total"):
        pf.whale_curve(pd.Series([10.0, -30.0]))


def test_scenario_ending_relationship_with_stranded_costs():
    d = pd.DataFrame({"direct_profit": [100.0, -20.0, -60.0], "indirect_cost": [10.0, 30.0, 40.0]})
    # drop the two loss makers; half of their indirect costs (15 + 20) stay: 100 - 35 = 65
    out = pf.apply_scenario(d, d["direct_profit"] < 0, churn=1.0, stranded=0.5)
    assert out["profit_before"] == pytest.approx(20.0)
    assert out["profit_after"] == pytest.approx(65.0)
    assert out["change"] == pytest.approx(45.0)
    assert out["n_targeted"] == 2


def test_scenario_fee_with_some_customers_leaving():
    d = pd.DataFrame({"direct_profit": [100.0, -20.0]})
    fee = pd.Series([0.0, 30.0])
    # 25 % of the targeted leave: 0.75 × (-20 + 30) = 7.5
    out = pf.apply_scenario(d, [False, True], revenue=fee, churn=0.25)
    assert out["profit_after"] == pytest.approx(107.5)


def test_missing_column_message_in_french(pools, volumes):
    with pytest.raises(MissingColumnError, match=r"colonne 'n_home_deliveries' est absente de la table « cost_to_serve »"):
        pf.allocate_costs(volumes.drop(columns="n_home_deliveries"), pools)


def test_negative_driver_volume_message_in_french(pools, volumes):
    volumes.loc[1, "n_service_contacts"] = -2
    with pytest.raises(NegativeValueError, match=r"'n_service_contacts'.*valeur négative"):
        pf.allocate_costs(volumes, pools)


def test_unknown_kind_and_empty_driver(pools, volumes):
    bad = pools.assign(kind=["direct", "direct", "partagé", "commun"])
    with pytest.raises(InvalidValueError, match="partagé"):
        pf.activity_rates(bad, volumes)
    volumes["n_service_contacts"] = 0
    with pytest.raises(InvalidValueError, match="vaut 0 pour tous les clients"):
        pf.activity_rates(pools, volumes)


def test_scenario_bad_share():
    with pytest.raises(InvalidValueError, match="entre 0 et 1"):
        pf.apply_scenario(pd.DataFrame({"direct_profit": [1.0]}), [True], churn=1.5)


def test_plot_whale_curve_marks_the_peak():
    import matplotlib

    matplotlib.use("Agg")
    ax = pf.plot_whale_curve(pd.Series([50.0, 30.0, -10.0, 20.0, -40.0]))
    x, y = ax.lines[-1].get_data()  # the peak marker
    assert x[0] == pytest.approx(0.6) and y[0] == pytest.approx(2.0)
    assert ax.get_ylim()[1] >= 2.0


def test_empty_orders_table_is_refused_in_french(pools, volumes):
    from crmlab.validation import EmptyTableError

    costs = pf.allocate_costs(volumes, pools)
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype=str), "gross_margin": pd.Series([], dtype=float)})
    with pytest.raises(EmptyTableError, match="vide"):
        pf.direct_profit(empty, costs)


def test_scenario_aligns_series_on_the_customer_index():
    d = pd.DataFrame({"direct_profit": [100.0, -20.0]}, index=["A", "B"])
    target = pd.Series([True, False], index=["B", "A"])   # B targeted, given in another order
    fee = pd.Series([30.0, 0.0], index=["B", "A"])
    out = pf.apply_scenario(d, target, revenue=fee)
    assert out["profit_after"] == pytest.approx(110.0)
    with pytest.raises(InvalidValueError, match="une valeur par client"):
        pf.apply_scenario(d, [True, False, True])


def test_cost_per_order_by_hand_and_errors():
    from crmlab.validation import InvalidValueError

    costs = pd.DataFrame({"cost_to_serve": [30.0, 5.0, 0.0]}, index=pd.Index(["A", "B", "C"], name="customer_id"))
    volumes = pd.DataFrame({"customer_id": ["C", "B", "A"], "n_orders": [0, 1, 3]})
    out = pf.cost_per_order(costs, volumes)
    assert out.to_dict() == pytest.approx({"A": 10.0, "B": 5.0, "C": 35 / 4})   # C: the base's average
    with pytest.raises(InvalidValueError, match="'D'"):
        pf.cost_per_order(pd.concat([costs, pd.DataFrame({"cost_to_serve": [1.0]}, index=["D"])]), volumes)
