"""Chapter 06: one update of the CLV sensitivity widget, and the whale curve on the whole base."""

from __future__ import annotations


def _setup_widget():
    from bench.cases import stepper
    from crmlab import clv, style

    style.set_style()
    box = clv.clv_widget(23.0, 0.6, 0.10, 10)
    return {"retention": stepper(box.controls["retention"]), "horizon": stepper(box.controls["horizon"])}


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
    ("widget sensibilité de la CLV : bouger la rétention", _setup_widget, lambda s: s["retention"](), 0.15),
    ("widget sensibilité de la CLV : bouger l'horizon", _setup_widget, lambda s: s["horizon"](), 0.15),
    ("profit direct et courbe baleine de toute la base (calcul + tracé)", _setup_whale, _whale, 1.0),
]
