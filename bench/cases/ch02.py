"""Chapter 02: one update of the matching-threshold widget (cluster + metrics + redraw), and the matching pipeline."""

from __future__ import annotations


def _setup():
    """Score the candidate pairs once and build the kept figure (what the notebook does before the slider)."""
    import matplotlib

    matplotlib.use("Agg")
    from crmlab import datasets, identity, style

    style.set_style()
    silos = datasets.load_silos().merge(datasets.load_ground_truth("silo_mapping"),
                                        on=["source", "source_record_id"], how="left")
    records = identity.normalize_records(silos)
    pairs = identity.candidate_pairs(records)
    scores = identity.score_pairs(identity.compare_pairs(records, pairs)).to_numpy()
    truth = silos["customer_id"].to_numpy()
    curve = identity.threshold_curve(len(records), pairs, scores, truth)
    view = identity.ThresholdView(curve, n_true=len(set(truth)))
    return {"silos": silos, "n": len(records), "pairs": pairs, "scores": scores, "truth": truth,
            "view": view, "step": 0}


def _update(state):
    """What one slider move does: cluster at the new threshold, measure, repaint the marks, encode the PNG."""
    from crmlab import identity

    state["step"] += 1
    threshold = 0.5 + 0.01 * (state["step"] % 50)  # a different value each time, as when dragging
    labels = identity.cluster_records(state["n"], state["pairs"], state["scores"], threshold)
    state["view"].png(threshold, identity.pairwise_metrics(labels, state["truth"]))


def _pipeline(state):
    """The whole record linkage of the silos: normalise, block, compare, score, cluster."""
    from crmlab import identity

    records = identity.normalize_records(state["silos"])
    pairs = identity.candidate_pairs(records)
    scores = identity.score_pairs(identity.compare_pairs(records, pairs))
    identity.cluster_records(len(records), pairs, scores, 0.9)


CASES = [
    ("widget seuil de rapprochement : une mise à jour (regroupement + mesures + tracé)", _setup, _update, 0.15),
    ("rapprochement complet des silos (normaliser, bloquer, comparer, noter, regrouper)", _setup, _pipeline, 2.0),
]
