"""Chapter 09: one update of the points-programme simulator (earn rate, burn value, expiry → cost, breakage, liability).

The setup computes the members' 2025 spend once (~12,000 members); an update reruns the
steady-state model (vectorised over the members), moves the bars and labels of the kept
figure (fixed scales: the background is drawn once) and encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import datasets, loyalty, style

    style.set_style()
    customers = datasets.load_customers().set_index("customer_id")
    orders = datasets.load_orders()
    members = customers.index[customers["loyalty_member"]]
    o25 = orders[(orders["order_date"].dt.year == 2025) & orders["customer_id"].isin(members)]
    spend = o25.groupby("customer_id")["amount"].sum().reindex(members, fill_value=0.0)
    box = loyalty.simulator_widget(spend, earn_rate=1.0, burn_value=2.0, expiry_months=12)
    c = box.controls
    return {"earn": stepper(c["earn_rate"], start=1), "burn": stepper(c["burn_value"], start=3),
            "expiry": stepper(c["expiry_months"])}


CASES = [
    ("widget simulateur de programme à points : bouger le taux de gain", _setup, lambda s: s["earn"](), 0.15),
    ("widget simulateur de programme à points : bouger la valeur des points", _setup, lambda s: s["burn"](), 0.15),
    ("widget simulateur de programme à points : bouger la validité", _setup, lambda s: s["expiry"](), 0.15),
]
