"""Chapter 11: one update of the attribution budget widget (model menu, budget slider).

The setup computes every model's channel shares once (``journeys.compare_models``, as the
lesson does); an update only indexes the precomputed shares, moves the bars and the
labels of the kept figure and encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import datasets, journeys, style

    style.set_style()
    shares = journeys.compare_models(datasets.load_touchpoints(), datasets.load_journeys())
    truth = datasets.load_ground_truth("attribution").set_index("channel")["incremental_share"]
    box = journeys.budget_widget(shares, truth, model="dernier contact", budget=500_000)
    c = box.controls
    return {"model": stepper(c["model"], start=1), "budget": stepper(c["budget"], start=3)}


CASES = [
    ("budget par modèle d'attribution : changer de modèle", _setup, lambda s: s["model"](), 0.15),
    ("budget par modèle d'attribution : bouger le budget", _setup, lambda s: s["budget"](), 0.15),
]
