"""Chapter 08: one update of the retention-offer targeting widget (targeting depth vs expected profit).

The setup builds the lesson's section 7 table once (customers active at the end of 2024,
BG/NBD probability of no purchase in 2025, 12-month contribution, rescue probability); an update
recomputes both profit curves (two cumulative sums over ~12,000 customers, vectorised),
moves the artists of the kept figure and encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    import pandas as pd

    from crmlab import btyd, churn, datasets, profitability, style

    style.set_style()
    orders = datasets.load_orders()
    cutoff = pd.Timestamp("2024-12-31")
    last_year = orders[(orders["order_date"] <= cutoff) & (orders["order_date"] > cutoff - pd.DateOffset(years=1))]
    cal = btyd.calibration_and_holdout(orders, "customer_id", "order_date", "2024-12-31", "2025-12-31",
                                       freq_multiplier=7)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    offer = pd.DataFrame({"p": churn.prob_no_purchase(model, cal["frequency_cal"], cal["recency_cal"], cal["T_cal"],
                                                      365.25 / 7)}, index=cal.index)
    volumes = datasets.load_cost_to_serve()
    per_order = profitability.cost_per_order(profitability.allocate_costs(volumes, datasets.load_activity_costs()),
                                             volumes)
    by = last_year.groupby("customer_id")
    offer["value"] = (by["gross_margin"].sum() - per_order.reindex(by.size().index) * by.size()).reindex(
        offer.index, fill_value=0.0)
    offer["success"] = 0.5 * (1 - offer["p"])
    offer["gain"] = churn.offer_gain(offer["p"], offer["value"], 1.0, 10.0, offer["success"])
    box = churn.targeting_widget(offer, {"par risque": "p", "par gain espéré": "gain"}, "p", "value", "success",
                                 contact_cost=1.0, incentive=10.0, depth=0.2)
    c = box.controls
    return {"incentive": stepper(c["incentive"], start=5), "depth": stepper(c["depth_shown"], start=10),
            "contact": stepper(c["contact_cost"], start=1)}


CASES = [
    ("widget ciblage d'une offre de rétention : bouger l'incitation", _setup, lambda s: s["incentive"](), 0.15),
    ("widget ciblage d'une offre de rétention : bouger la profondeur", _setup, lambda s: s["depth"](), 0.15),
    ("widget ciblage d'une offre de rétention : bouger le coût du contact", _setup, lambda s: s["contact"](), 0.15),
]
