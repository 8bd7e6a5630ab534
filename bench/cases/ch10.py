"""Chapter 10: one update of the targeting widget (profit of a send by targeting depth, by response vs by uplift).

The setup rebuilds the lesson's section 4 once (the U01 variables, the response and two-model uplift
scores of the evaluation half, each customer's true effect; the same code as the chapter's
questions); an update recomputes both profit curves (value × cumulated effect − cost × contacted,
two vectors of 200 points over ~6,300 customers), moves the artists of the kept figure and
encodes the PNG.
"""

from __future__ import annotations

from bench.cases import stepper


def _setup():
    from crmlab import campaigns, style
    from crmlab.questions import ch10

    style.set_style()
    scores = ch10._scores()
    box = campaigns.targeting_widget(ch10._effect_hold(), {"par réponse": scores["response"],
                                                            "par uplift": scores["two_model"]},
                                     cost_per_contact=0.05, value_per_response=6.0, depth=0.3)
    c = box.controls
    return {"cost": stepper(c["cost_per_contact"], start=2), "value": stepper(c["value_per_response"], start=7),
            "depth": stepper(c["depth_shown"], start=30)}


CASES = [
    ("widget ciblage d'un envoi : bouger le coût d'un contact", _setup, lambda s: s["cost"](), 0.15),
    ("widget ciblage d'un envoi : bouger la valeur d'une réponse", _setup, lambda s: s["value"](), 0.15),
    ("widget ciblage d'un envoi : bouger la profondeur", _setup, lambda s: s["depth"](), 0.15),
]
