"""crmlab.identity: normalisation, blocking, matching, clustering, metrics, quality, pseudonyms."""

import numpy as np
import pandas as pd
import pytest

from crmlab import identity
from crmlab.validation import InvalidValueError, MissingColumnError


# ------------------------------------------------------------------ normalisation
def test_email_is_trimmed_and_lower_cased():
    out = identity.normalize_email(pd.Series([" Jean.Dupont@GMAIL.com ", "a @b.fr", "", None]))
    assert out.tolist()[:2] == ["jean.dupont@gmail.com", "a@b.fr"]
    assert out.isna().tolist() == [False, False, True, True]


@pytest.mark.parametrize("raw", ["+33 6 12 34 56 78", "06 12 34 56 78", "0612345678",
                                 "+33612345678", "06.12.34.56.78", "0033 6 12 34 56 78", 612345678])
def test_every_phone_format_gives_the_same_ten_digits(raw):
    assert identity.normalize_phone(pd.Series([raw])).item() == "0612345678"


def test_unreadable_phones_become_missing():
    out = identity.normalize_phone(pd.Series(["12 34", "06123456789", "0012345678", None]))
    assert out.isna().all()


def test_names_lose_accents_case_and_punctuation():
    out = identity.normalize_name(pd.Series(["  Hélène-Marie ", "D'ARTAGNAN", "Zoé", "  "]))
    assert out.tolist()[:3] == ["helene marie", "d artagnan", "zoe"]
    assert pd.isna(out.iloc[3])


def test_postcodes_get_their_leading_zero_back():
    assert identity.normalize_postcode(pd.Series([6000, "06000", "75011", "750"])).tolist()[:3] == \
        ["06000", "06000", "75011"]


def test_normalize_refuses_a_whole_table_in_french():
    with pytest.raises(InvalidValueError, match="une seule colonne"):
        identity.normalize_email(pd.DataFrame({"email": ["a@b.fr"]}))
    with pytest.raises(InvalidValueError, match="une colonne de valeurs"):
        identity.normalize_phone("0612345678")


# ------------------------------------------------------------------ the 4-record case
@pytest.fixture
def four():
    """Records 0, 1 and 3 are Jean Dupont (1 with first/last swapped); 2 is someone else."""
    return pd.DataFrame({
        "source": ["caisse", "site web", "application", "centre de contact"],
        "first_name": ["Jean", "DUPONT", "Jeanne", "Jean"],
        "last_name": ["Dupont", "Jean", "Dupond", "Dupont"],
        "email": ["jean.dupont@gmail.com", " Jean.Dupont@GMAIL.com ", "jeanne.dupond@orange.fr", None],
        "phone": ["06 12 34 56 78", "+33612345678", "0698765432", "0612345678"],
        "postcode": ["75011", "75011", "69003", "75011"],
        "birth_date": ["1980-05-01", "1980-05-01", "1985-03-03", None],
        "created_date": ["2023-01-10", "2024-06-01", "2023-03-01", "2025-02-01"],
    })


def test_blocking_keeps_only_the_pairs_sharing_a_key(four):
    recs = identity.normalize_records(four)
    pairs = identity.candidate_pairs(recs)
    # email: (0,1); phone, name key + postcode, initials + postcode: (0,1) (0,3) (1,3);
    # record 2 (another postcode, another e-mail and phone) is never compared
    assert list(zip(pairs["left"], pairs["right"])) == [(0, 1), (0, 3), (1, 3)]
    assert pairs["blocks"].tolist() == [4, 3, 3]


def test_initials_block_catches_typos_the_name_key_misses():
    recs = identity.normalize_records(pd.DataFrame({
        "first_name": ["Tristan", "Trstan", "Tristan"], "last_name": ["Dijoux", "Diojux", "Dijoux"],
        "email": [None, None, None], "phone": [None, None, None],
        "postcode": ["93200", "93200", "33000"], "birth_date": [None, None, None]}))
    assert recs["name_initials"].tolist() == ["dt", "dt", "dt"]
    pairs = identity.candidate_pairs(recs)
    assert list(zip(pairs["left"], pairs["right"])) == [(0, 1)]


def test_swapped_names_compare_as_equal_and_missing_fields_are_nan(four):
    recs = identity.normalize_records(four)
    sims = identity.compare_pairs(recs, pd.DataFrame({"left": [0, 0], "right": [1, 3]}))
    assert sims.iloc[0].tolist() == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert np.isnan(sims.loc[1, "email"]) and np.isnan(sims.loc[1, "birth_date"])


def test_the_four_records_give_two_customers_with_perfect_scores(four):
    recs = identity.normalize_records(four)
    pairs = identity.candidate_pairs(recs)
    scores = identity.score_pairs(identity.compare_pairs(recs, pairs))
    labels = identity.cluster_records(len(recs), pairs, scores, threshold=0.8)
    assert labels.tolist() == [0, 0, 1, 0]
    m = identity.pairwise_metrics(labels, ["A", "A", "B", "A"])
    assert (m["precision"], m["recall"], m["true_pairs"]) == (1.0, 1.0, 3.0)


def test_golden_record_takes_the_most_recent_non_missing_value(four):
    gold = identity.golden_records(four, [0, 0, 1, 0], ["email", "birth_date"])
    # record 3 (2025) has no e-mail nor birth date: record 1 (2024) gives them
    assert gold.loc[0, "email"] == " Jean.Dupont@GMAIL.com "
    assert gold.loc[0, "birth_date"] == "1980-05-01"
    assert gold["n_records"].tolist() == [3, 1] and gold["n_sources"].tolist() == [3, 1]


def test_frequent_rule_lets_the_majority_beat_a_recent_typo():
    t = pd.DataFrame({"last_name": ["Blanc", "Blanc", "Blenc", None],
                      "created_date": ["2023-01-01", "2024-01-01", "2025-01-01", "2025-06-01"],
                      "source": ["caisse", "site web", "application", "caisse"]})
    recent = identity.golden_records(t, [0, 0, 0, 0], ["last_name"])
    frequent = identity.golden_records(t, [0, 0, 0, 0], ["last_name"], rule={"last_name": "frequent"})
    assert recent.loc[0, "last_name"] == "Blenc" and frequent.loc[0, "last_name"] == "Blanc"
    with pytest.raises(InvalidValueError, match="règle de survie inconnue"):
        identity.golden_records(t, [0, 0, 0, 0], ["last_name"], rule="majoritaire")


# ------------------------------------------------------------------ similarities by hand
def test_similarities_match_values_worked_by_hand():
    recs = identity.normalize_records(pd.DataFrame({
        "first_name": ["Anne", "Anne"], "last_name": ["Martha", "Marhta"],
        "email": ["jean.dupont@gmail.com", "jean.dupond@gmail.com"],
        "phone": ["0612345678", "0612345679"], "postcode": ["75011", "69003"],
        "birth_date": ["1990-01-01", "1990-01-01"]}))
    s = identity.compare_pairs(recs, pd.DataFrame({"left": [0], "right": [1]})).iloc[0]
    assert s["email"] == pytest.approx(1 - 2 / 42)        # 1 deletion + 1 insertion over 21 + 21 chars
    assert s["phone"] == pytest.approx(0.9)               # 1 digit wrong out of 10
    assert s["last_name"] == pytest.approx(0.9611, abs=1e-4)  # Jaro-Winkler MARTHA/MARHTA (textbook)
    assert (s["birth_date"], s["postcode"]) == (1.0, 0.0)


def test_score_is_the_weighted_mean_of_available_fields():
    sims = pd.DataFrame({"email": [1.0, 0.0], "phone": [np.nan, np.nan], "last_name": [0.5, np.nan]})
    scores = identity.score_pairs(sims, weights={"email": 3, "phone": 3, "last_name": 2})
    assert scores.tolist() == pytest.approx([(3 * 1 + 2 * 0.5) / 5, 0.0])


def test_score_refuses_negative_weights():
    with pytest.raises(InvalidValueError, match="poids"):
        identity.score_pairs(pd.DataFrame({"email": [1.0]}), weights={"email": -1})


# ------------------------------------------------------------------ clustering and metrics
def test_links_are_transitive_and_threshold_cuts_weak_links():
    pairs = pd.DataFrame({"left": [0, 1, 3], "right": [1, 2, 4]})
    assert identity.cluster_records(5, pairs, [0.9, 0.95, 0.6], threshold=0.8).tolist() == [0, 0, 0, 1, 2]
    assert identity.cluster_records(5, pairs, [0.9, 0.95, 0.6], threshold=0.5).tolist() == [0, 0, 0, 1, 1]


def test_one_record_is_one_customer():
    recs = identity.normalize_records(pd.DataFrame({"first_name": ["A"], "last_name": ["B"], "email": ["a@b.fr"],
                                                    "phone": [None], "postcode": ["75011"], "birth_date": [None]}))
    pairs = identity.candidate_pairs(recs)
    assert pairs.empty
    assert identity.cluster_records(1, pairs, [], 0.8).tolist() == [0]


def test_pairwise_precision_and_recall_by_hand():
    # predicted pairs: {0,1}, {2,3}; true pairs: {0,1}, {0,2}, {1,2}; one in common
    m = identity.pairwise_metrics([0, 0, 1, 1], ["a", "a", "a", "b"])
    assert m["precision"] == pytest.approx(1 / 2)
    assert m["recall"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_all_singletons_have_no_pair_to_get_wrong():
    m = identity.pairwise_metrics([0, 1, 2], ["a", "a", "b"])
    assert (m["precision"], m["recall"], m["n_clusters"]) == (1.0, 0.0, 3.0)


def test_metrics_and_clusters_refuse_bad_input_in_french():
    with pytest.raises(InvalidValueError, match="même longueur"):
        identity.pairwise_metrics([0, 0], ["a"])
    with pytest.raises(InvalidValueError, match="seuil doit être un nombre entre 0 et 1"):
        identity.cluster_records(2, pd.DataFrame({"left": [0], "right": [1]}), [0.9], threshold=1.5)
    with pytest.raises(MissingColumnError, match="'email' est absente"):
        identity.normalize_records(pd.DataFrame({"phone": ["0612345678"]}))


def test_threshold_curve_is_monotonic_in_the_number_of_customers():
    pairs = pd.DataFrame({"left": [0, 1, 2], "right": [1, 2, 3]})
    curve = identity.threshold_curve(4, pairs, [0.6, 0.8, 0.95], ["a", "a", "a", "b"], thresholds=[0.5, 0.7, 0.9, 1.0])
    assert curve["n_clusters"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert curve["recall"].is_monotonic_decreasing


# ------------------------------------------------------------------ quality report
def test_quality_report_by_hand():
    table = pd.DataFrame({"email": ["a@x.fr", " A@x.fr", "faux", None],
                          "phone": ["0612345678", "12", None, None]})
    rep = identity.quality_report(table, {"email": "email", "phone": "phone"})
    assert rep.loc["email"].tolist() == pytest.approx([3 / 4, 2 / 3, 2 / 4])
    assert rep.loc["phone"].tolist() == pytest.approx([2 / 4, 1 / 2, 0.0])


def test_duplicates_are_only_counted_on_identifiers():
    table = pd.DataFrame({"postcode": ["75011", "75011"], "last_name": ["Martin", "Martin"]})
    rep = identity.quality_report(table, {"postcode": "postcode", "last_name": "name"})
    assert rep["completeness"].tolist() == [1.0, 1.0]
    assert rep["duplicates"].isna().all()  # two Martin in 75011 may be two people


def test_quality_report_refuses_unknown_kinds_in_french():
    with pytest.raises(InvalidValueError, match="type de contrôle inconnu"):
        identity.quality_report(pd.DataFrame({"x": [1]}), {"x": "couleur"})


# ------------------------------------------------------------------ pseudonymisation
def test_hmac_matches_the_rfc_4231_test_vector():
    out = identity.pseudonymize(pd.Series(["what do ya want for nothing?"]), key="Jefe", length=64)
    assert out.item() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_pseudonyms_are_deterministic_keyed_and_keep_missing_values():
    ids = pd.Series(["C000001", "C000002", "C000001", None])
    a = identity.pseudonymize(ids, key="cle-du-cours")
    b = identity.pseudonymize(ids, key="cle-du-cours")
    c = identity.pseudonymize(ids, key="une-autre-cle")
    assert a.tolist()[:3] == b.tolist()[:3] and a.iloc[0] == a.iloc[2] and a.iloc[0] != a.iloc[1]
    assert a.iloc[0] != c.iloc[0]
    assert pd.isna(a.iloc[3]) and a.str.len().iloc[0] == 16


def test_pseudonymize_refuses_an_empty_key_in_french():
    with pytest.raises(InvalidValueError, match="clé de pseudonymisation est vide"):
        identity.pseudonymize(pd.Series(["C1"]), key="")


def test_the_default_pipeline_unifies_the_company_silos_well():
    from crmlab import datasets

    silos = datasets.load_silos().merge(datasets.load_ground_truth("silo_mapping"),
                                        on=["source", "source_record_id"], how="left")
    recs = identity.normalize_records(silos)
    pairs = identity.candidate_pairs(recs)
    scores = identity.score_pairs(identity.compare_pairs(recs, pairs))
    m = identity.pairwise_metrics(identity.cluster_records(len(recs), pairs, scores, 0.9), silos["customer_id"])
    assert m["precision"] > 0.95 and m["recall"] > 0.95
    # a lower threshold merges more: recall cannot fall, the number of customers cannot rise
    low = identity.pairwise_metrics(identity.cluster_records(len(recs), pairs, scores, 0.6), silos["customer_id"])
    assert low["recall"] >= m["recall"] and low["n_clusters"] <= m["n_clusters"]


# ------------------------------------------------------------------ figure and widget
def test_threshold_plot_and_live_view_speak_french():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = pd.DataFrame({"left": [0, 1], "right": [1, 2]})
    truth = ["a", "a", "b"]
    curve = identity.threshold_curve(3, pairs, [0.95, 0.7], truth, thresholds=[0.5, 0.8, 1.0])
    m = identity.pairwise_metrics(identity.cluster_records(3, pairs, [0.95, 0.7], 0.8), truth)
    fig, ax = plt.subplots()
    out = identity.plot_threshold_curve(curve, threshold=0.8, metrics=m, n_true=2, ax=ax)
    assert out is ax and "précision 100,0" in ax.get_title() and "2 clients unifiés" in ax.get_title()
    plt.close(fig)
    view, update = identity.threshold_view(curve, n_true=2)
    title, caption = update(0.8, m)
    assert title.startswith("Seuil 0,80 : précision 100,0") and caption == "2 clients unifiés (vrai nombre : 2)"
    assert view.png()[:4] == b"\x89PNG"


def test_threshold_widget_recomputes_on_each_move():
    box = identity.threshold_widget(3, pd.DataFrame({"left": [0, 1], "right": [1, 2]}), [0.95, 0.7],
                                    ["a", "a", "b"], threshold=0.9)
    slider, image = box.controls["threshold"], box.image
    first, first_image = box.caption.value, image.value
    slider.value = 0.6  # now the weak link (0.7) merges the third record too
    assert "2 clients unifiés" in first and "1 client unifié " in box.caption.value
    assert "Seuil 0,60" in box.view.title
    assert image.value[:4] == b"\x89PNG" and image.value != first_image
