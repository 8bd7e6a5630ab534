"""Chapter 01: one update of the retention-economics widget (compute + repaint + PNG)."""

from bench.cases import stepper


def _setup():
    from crmlab import retention, style

    style.set_style()
    box = retention.retention_widget(0.8, 100.0, 150.0, 0.1)
    return {"retention": stepper(box.controls["retention"]), "cost": stepper(box.controls["acquisition_cost"])}


CASES = [
    ("widget économie de la rétention : bouger la rétention", _setup, lambda s: s["retention"](), 0.15),
    ("widget économie de la rétention : bouger le coût d'acquisition", _setup, lambda s: s["cost"](), 0.15),
]
