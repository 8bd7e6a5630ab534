"""Chapter 14: one update of the retention-action targeting widget on the whole base (28,000 customers).

The lesson reuses chapter 08's widget (`churn.targeting_widget`) with three rankings (risk, value at
risk, expected gain) over every customer valued at the end of 2025: BG/NBD probability of no purchase
in 2026 and one kept year of contribution (the course's CLV convention). The setup builds that table
once; an update recomputes the three profit curves (cumulative sums, vectorised), moves the artists of
the kept figure and encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    import pandas as pd

    from crmlab import btyd, churn, clv, datasets, profitability, style
    from crmlab.rfm import customer_summary

    style.set_style()
    orders = datasets.load_orders()
    summary = customer_summary(orders, "customer_id", "order_date", "amount", observation_period_end="2025-12-31")
    summary[["recency", "T"]] = summary[["recency", "T"]] / 7
    model = btyd.fit_bgnbd(summary)
    volumes = datasets.load_cost_to_serve()
    per_order = profitability.cost_per_order(profitability.allocate_costs(volumes, datasets.load_activity_costs()),
                                             volumes).reindex(summary.index)
    by = orders[orders["order_date"].dt.year == 2025].groupby("customer_id")
    contribution = by["gross_margin"].sum() - per_order.reindex(by.size().index) * by.size()
    offer = pd.DataFrame({
        "p_churn": churn.prob_no_purchase(model, summary["frequency"], summary["recency"], summary["T"], 365.25 / 7),
        "value_kept": clv.clv(contribution.reindex(summary.index, fill_value=0.0), 1.0, 0.10, horizon=1,
                              first_margin="end")}, index=summary.index)
    offer["value_at_risk"] = offer["p_churn"] * offer["value_kept"]
    offer["success"] = 0.20
    offer["gain"] = churn.offer_gain(offer["p_churn"], offer["value_kept"], 4.0, 10.0, 0.20)
    rankings = {"par risque": "p_churn", "par valeur en jeu": "value_at_risk", "par gain espéré": "gain"}
    box = churn.targeting_widget(offer, rankings, "p_churn", "value_kept", "success", contact_cost=4.0,
                                 incentive=10.0, depth=0.03)
    c = box.controls
    return {"incentive": stepper(c["incentive"], start=5), "depth": stepper(c["depth_shown"], start=10),
            "contact": stepper(c["contact_cost"], start=1)}


CASES = [
    ("widget action de rétention (étude de cas) : bouger le bon", _setup, lambda s: s["incentive"](), 0.15),
    ("widget action de rétention (étude de cas) : bouger la profondeur", _setup, lambda s: s["depth"](), 0.15),
    ("widget action de rétention (étude de cas) : bouger le coût du contact", _setup, lambda s: s["contact"](), 0.15),
]
