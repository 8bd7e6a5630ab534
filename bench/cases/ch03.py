"""Chapter 03: statuses of all customers at 36 month-ends, and one update of the threshold widget."""

from bench.cases import stepper


def _load():
    from crmlab import datasets, lifecycle, style

    style.set_style()
    orders = datasets.load_orders()
    prospects = datasets.load_prospects()
    dates = lifecycle.month_ends("2023-01-01", "2025-12-31")
    return {"orders": orders, "prospects": prospects, "dates": dates}


def _statuses(state):
    """The whole computation from the orders: history pass + binning, everyone × 36 month-ends."""
    from crmlab import lifecycle

    lifecycle.customer_status(state["orders"], state["dates"], dormant_days=170, lost_days=380,
                              new_days=90, prospects=state["prospects"])


def _widget_setup():
    from crmlab import lifecycle

    state = _load()
    history = lifecycle.purchase_history(state["orders"], state["dates"], state["prospects"])
    box = lifecycle.status_widget(history, 170, 380, new_days=90)
    state["dormant"] = stepper(box.controls["dormant_days"])
    state["lost"] = stepper(box.controls["lost_days"])
    return state


CASES = [
    ("statuts de tous les clients × 36 fins de mois (depuis les commandes)", _load, _statuses, 1.0),
    ("widget seuils dormant / perdu : bouger « dormant » (calcul + tracé)", _widget_setup,
     lambda s: s["dormant"](), 0.15),
    ("widget seuils dormant / perdu : bouger « perdu » (calcul + tracé)", _widget_setup, lambda s: s["lost"](), 0.15),
]
