"""Chapter 13: one update of the dashboard (a menu changes → the precomputed view of the new filters).

Every view (period × segment × channel) is rendered once by ``dashboard.company_dashboard()``
in the setup; an update only looks the new view up and sets the HTML widget's value, whose
two charts are SVG images the browser paints.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import dashboard, style

    style.set_style()
    board = dashboard.company_dashboard()
    box = dashboard.dashboard_widget(board["views"], board["options"])
    c = box.controls
    return {"period": stepper(c["period"]), "segment": stepper(c["segment"], start=1),
            "channel": stepper(c["channel"], start=1)}


CASES = [
    ("tableau de bord : changer de période", _setup, lambda s: s["period"](), 0.15),
    ("tableau de bord : changer de segment", _setup, lambda s: s["segment"](), 0.15),
    ("tableau de bord : changer de canal", _setup, lambda s: s["channel"](), 0.15),
]
