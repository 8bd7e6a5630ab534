"""Chapter 02: one update of the matching-threshold widget (cluster + metrics + repaint + PNG), and the matching pipeline."""

from bench.cases import stepper


def _setup():
    """Score the candidate pairs once and build the widget (what the notebook does before the slider)."""
    from crmlab import datasets, identity, style

    style.set_style()
    silos = datasets.load_silos().merge(datasets.load_ground_truth("silo_mapping"),
                                        on=["source", "source_record_id"], how="left")
    records = identity.normalize_records(silos)
    pairs = identity.candidate_pairs(records)
    scores = identity.score_pairs(identity.compare_pairs(records, pairs)).to_numpy()
    truth = silos["customer_id"].to_numpy()
    box = identity.threshold_widget(len(records), pairs, scores, truth, threshold=0.9)
    return {"silos": silos, "threshold": stepper(box.controls["threshold"])}


def _pipeline(state):
    """The whole record linkage of the silos: normalise, block, compare, score, cluster."""
    from crmlab import identity

    records = identity.normalize_records(state["silos"])
    pairs = identity.candidate_pairs(records)
    scores = identity.score_pairs(identity.compare_pairs(records, pairs))
    identity.cluster_records(len(records), pairs, scores, 0.9)


CASES = [
    ("widget seuil de rapprochement : bouger le seuil (regroupement + mesures + tracé)", _setup,
     lambda s: s["threshold"](), 0.15),
    ("rapprochement complet des silos (normaliser, bloquer, comparer, noter, regrouper)", _setup, _pipeline, 2.0),
]
