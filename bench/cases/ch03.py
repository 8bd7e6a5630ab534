"""Chapter 03: statuses of all customers at 36 month-ends, and one update of the threshold widget."""

from __future__ import annotations


def _load():
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import datasets, lifecycle, style

    style.set_style()
    orders = datasets.load_orders()
    prospects = datasets.load_prospects()
    dates = lifecycle.month_ends("2023-01-01", "2025-12-31")
    return {"orders": orders, "prospects": prospects, "dates": dates, "step": 0}


def _statuses(state):
    """The whole computation from the orders: history pass + binning, everyone × 36 month-ends."""
    from crmlab import lifecycle

    lifecycle.customer_status(state["orders"], state["dates"], dormant_days=170, lost_days=380,
                              new_days=90, prospects=state["prospects"])


def _widget_setup():
    from crmlab import lifecycle

    state = _load()
    history = lifecycle.purchase_history(state["orders"], state["dates"], state["prospects"])
    state["view"] = lifecycle.ThresholdView(history)
    return state


def _widget_update(state):
    """What one slider move does: re-bin the statuses, move the areas and lines, render the PNG."""
    state["step"] += 1
    dormant = 120 + 10 * (state["step"] % 12)  # a different value each time, as when dragging
    state["view"].png(dormant, dormant + 200)


CASES = [
    ("statuts de tous les clients × 36 fins de mois (depuis les commandes)", _load, _statuses, 1.0),
    ("widget seuils dormant / perdu : une mise à jour (calcul + tracé)", _widget_setup, _widget_update, 0.15),
]
