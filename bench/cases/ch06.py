"""Chapter 06: one update of the CLV sensitivity widget, and the whale curve on the whole base."""

from __future__ import annotations


def _setup_widget():
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import clv, style

    style.set_style()
    fig, update = clv.clv_sensitivity_figure()
    return {"step": 0, "fig": fig, "update": update}


def _update_widget(state):
    """What one slider move does: recompute the two panels, move the artists, draw.

    The widget shows the summary line as HTML, so it is not drawn here.
    """
    state["step"] += 1
    retention = 0.5 + 0.01 * (state["step"] % 40)  # a different value each time, as when dragging
    state["update"](20.0 + state["step"] % 5, retention, 0.10, 10 + state["step"] % 3)
    state["fig"].canvas.draw()


def _setup_whale():
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import datasets, profitability, style

    style.set_style()
    costs = profitability.allocate_costs(datasets.load_cost_to_serve(), datasets.load_activity_costs())
    return {"orders": datasets.load_orders(), "costs": costs}


def _whale(state):
    """Direct profit of every customer and the key figure (20,000 customers), drawn."""
    import matplotlib.pyplot as plt

    from crmlab import profitability

    profit = profitability.direct_profit(state["orders"], state["costs"])
    fig, ax = plt.subplots(figsize=(9, 5.2))
    profitability.plot_whale_curve(profit, ax=ax)
    fig.canvas.draw()
    plt.close(fig)


CASES = [
    ("widget sensibilité de la CLV : une mise à jour (calcul + tracé)", _setup_widget, _update_widget, 0.15),
    ("profit direct et courbe baleine de toute la base (calcul + tracé)", _setup_whale, _whale, 1.0),
]
