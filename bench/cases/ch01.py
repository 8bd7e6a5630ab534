"""Chapter 01: one update of the retention-economics widget (compute + redraw)."""

from __future__ import annotations


def _setup():
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import retention, style

    style.set_style()
    fig, update = retention.cumulative_profit_figure(periods=10)
    return {"step": 0, "fig": fig, "update": update}


def _update(state):
    """What one slider move does: recompute both curves, move the artists, draw.

    The widget shows the title and the summary line as HTML, so they are not drawn here.
    """
    state["step"] += 1
    r = 0.6 + 0.01 * (state["step"] % 30)  # a different value each time, as when dragging
    state["update"](r, 120.0, 200.0 + state["step"] % 7, 0.08)
    state["fig"].canvas.draw()


CASES = [
    ("widget économie de la rétention : une mise à jour (calcul + tracé)", _setup, _update, 0.15),
]
