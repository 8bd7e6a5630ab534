"""Chapter 07: one update of the customer-profile widget (P(alive) and expected purchases).

The model is fitted once in the setup (never in the update); an update evaluates the
BG/NBD formulas on small grids, moves the artists of the kept figure and encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import btyd, datasets, style

    style.set_style()
    orders = datasets.load_orders()
    cal = btyd.calibration_and_holdout(orders, "customer_id", "order_date", "2024-12-31", "2025-12-31",
                                       freq_multiplier=7)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    box = btyd.profile_widget(model, frequency=5, recency=60, T=104)
    c = box.controls
    return {"recency": stepper(c["recency"], start=20), "frequency": stepper(c["frequency"], start=1),
            "T": stepper(c["T"], start=100)}


CASES = [
    ("widget profil client BG/NBD : bouger l'âge au dernier achat", _setup, lambda s: s["recency"](), 0.15),
    ("widget profil client BG/NBD : bouger les achats répétés", _setup, lambda s: s["frequency"](), 0.15),
    ("widget profil client BG/NBD : bouger l'ancienneté", _setup, lambda s: s["T"](), 0.15),
]
