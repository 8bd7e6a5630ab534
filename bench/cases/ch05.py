"""Chapter 05: the typology explorer widget (segment map + profile heatmap) and k-means speed.

The explorer fits every (variable set, k) and draws each set's background when it opens,
as in the notebook; an update only moves points, colours and texts and encodes the PNG.
"""

from bench.cases import stepper
from crmlab import datasets, segmentation

SPECIFIC = list(segmentation.SPECIFIC)
CIVILE = list(segmentation.CIVILE)


def _setup():
    from crmlab import style

    style.set_style()
    survey = datasets.load_survey().set_index("customer_id")
    box = segmentation.typology_explorer(survey, {"Besoins SPECIFIC": SPECIFIC,
                                                  "Besoins SPECIFIC + CIVILE": SPECIFIC + CIVILE})
    c = box.controls
    return {"survey": survey, "k": stepper(c["k"]), "x": stepper(c["x"], start=2),
            "variables": stepper(c["variables"])}


def _kmeans(state):
    segmentation.kmeans_segments(state["survey"], SPECIFIC, k=4)


def _stability(state):
    segmentation.stability(state["survey"], SPECIFIC, k=4, n_boot=20)


CASES = [
    ("explorateur de typologie : changer l'axe horizontal", _setup, lambda s: s["x"](), 0.15),
    ("explorateur de typologie : changer k (segments en cache)", _setup, lambda s: s["k"](), 0.15),
    ("explorateur de typologie : changer de jeu de variables", _setup, lambda s: s["variables"](), 0.15),
    ("k-means en 4 segments, 3 000 répondants × 8 besoins (n_init=10)", _setup, _kmeans, 0.15),
    ("stabilité : 20 rééchantillons bootstrap (k = 4)", _setup, _stability, 3.0),
]
