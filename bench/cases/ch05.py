"""Chapter 05: the typology explorer widget (segment map + profile heatmap) and k-means speed.

The widget keeps one ``TypologyView`` and updates it in place, as in the notebook.
"""

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from crmlab import datasets, segmentation  # noqa: E402

SPECIFIC = list(segmentation.SPECIFIC)


def _setup():
    survey = datasets.load_survey().set_index("customer_id")
    view = segmentation.TypologyView(survey)  # the widget's own figure (80 dpi)
    FigureCanvasAgg(view.fig)                 # released from pyplot: give it back a drawing canvas
    for k in (4, 5):                    # the widget fits every variable set and k at creation
        view.update(SPECIFIC, k=k)
    view.fig.canvas.draw()
    return {"survey": survey, "view": view, "flip": False}


def _change_axes(state):
    """Axes changed: the typology is in the cache; points move, the figure is redrawn."""
    state["flip"] = not state["flip"]
    state["view"].update(SPECIFIC, k=4, x=1, y=3 if state["flip"] else 2)
    state["view"].fig.canvas.draw()


def _change_k(state):
    """k changed (the widget fits every variable set and k at creation): redraw."""
    state["flip"] = not state["flip"]
    state["view"].update(SPECIFIC, k=5 if state["flip"] else 4)
    state["view"].fig.canvas.draw()


def _kmeans(state):
    segmentation.kmeans_segments(state["survey"], SPECIFIC, k=4)


def _stability(state):
    segmentation.stability(state["survey"], SPECIFIC, k=4, n_boot=20)


CASES = [
    ("explorateur de typologie : changer les axes (segments en cache)", _setup, _change_axes, 0.15),
    ("explorateur de typologie : changer k (segments en cache)", _setup, _change_k, 0.15),
    ("k-means en 4 segments, 3 000 répondants × 8 besoins (n_init=10)", _setup, _kmeans, 0.15),
    ("stabilité : 20 rééchantillons bootstrap (k = 4)", _setup, _stability, 3.0),
]
