"""Chapter 07: one update of the customer-profile widget (P(alive) and expected purchases).

The model is fitted once in the setup (never in the update); an update evaluates
the BG/NBD formulas on small grids, moves the artists of the kept figure and draws.
"""

from __future__ import annotations


def _setup():
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import btyd, datasets, style

    style.set_style()
    orders = datasets.load_orders()
    cal = btyd.calibration_and_holdout(orders, "customer_id", "order_date", "2024-12-31", "2025-12-31",
                                       freq_multiplier=7)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    fig, update = btyd.customer_profile_figure(model, horizon=52)
    return {"step": 0, "update": update}


def _update(state, frequency=5, age=104):
    """What one slider move does: recompute both panels, move the artists, draw."""
    state["step"] += 1
    recency = 20 + state["step"] % 80  # a different value each time, as when dragging
    fig = state["update"](frequency, recency, age)
    fig.canvas.draw()


CASES = [
    ("widget profil client BG/NBD : une mise à jour (calcul + tracé)", _setup, _update, 0.15),
    ("widget profil client BG/NBD : gros acheteur, 150 semaines", _setup, lambda s: _update(s, 20, 150), 0.15),
]
