"""Chapter 12: one update of the staffing planner (Erlang C per agent count, agents needed, cost).

No data is loaded: the planner computes Erlang C on a grid of agent counts (vectorised)
and the agents needed for the volume, handle time and target of the controls.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import contact_centre, style

    style.set_style()
    box = contact_centre.staffing_widget()
    c = box.controls
    return {"calls": stepper(c["calls"], start=10), "aht_s": stepper(c["aht_s"], start=13),
            "service_level": stepper(c["service_level"], start=1)}


CASES = [
    ("planificateur d'effectifs : bouger le volume d'appels", _setup, lambda s: s["calls"](), 0.15),
    ("planificateur d'effectifs : bouger la durée de traitement", _setup, lambda s: s["aht_s"](), 0.15),
    ("planificateur d'effectifs : bouger le niveau de service visé", _setup, lambda s: s["service_level"](), 0.15),
]
