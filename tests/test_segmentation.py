"""Tests of crmlab.segmentation: values worked by hand, edge cases, French errors."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import segmentation as sg  # noqa: E402
from crmlab.validation import InvalidValueError, MissingColumnError  # noqa: E402


@pytest.fixture
def toy() -> pd.DataFrame:
    """Six customers, two obvious groups of three: {a, b, c} near (1, 1), {d, e, f} near (10, 10)."""
    return pd.DataFrame({"x": [1.0, 1.0, 3.0, 10.0, 10.0, 12.0],
                         "y": [1.0, 3.0, 1.0, 10.0, 12.0, 10.0]},
                        index=pd.Index(list("abcdef"), name="customer_id"))


# ----------------------------------------------------------------- standardisation
def test_standardize_by_hand():
    z = sg.standardize(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    # mean 2, population variance (1 + 0 + 1) / 3 = 2/3
    sd = math.sqrt(2 / 3)
    assert z["x"].tolist() == pytest.approx([-1 / sd, 0.0, 1 / sd])


def test_standardize_constant_column_is_zero():
    z = sg.standardize(pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": [5, 5, 5]}))
    assert z["c"].tolist() == [0.0, 0.0, 0.0]


def test_standardize_matches_scikit_learn(toy):
    from sklearn.preprocessing import StandardScaler

    expected = StandardScaler().fit_transform(toy)
    assert np.allclose(sg.standardize(toy).to_numpy(), expected)


# ----------------------------------------------------------------- profiles of the toy set
def test_raw_profiles_of_two_obvious_groups(toy):
    seg = sg.kmeans_segments(toy, ["x", "y"], k=2)
    # sizes tie (3 and 3): segment 1 is the group of the first customer
    assert seg.tolist() == [1, 1, 1, 2, 2, 2]
    prof = sg.segment_profiles(toy, seg, standardized=False)
    assert prof.loc[1].tolist() == pytest.approx([5 / 3, 5 / 3])     # (1+1+3)/3
    assert prof.loc[2].tolist() == pytest.approx([32 / 3, 32 / 3])   # (10+10+12)/3


def test_standardised_profiles_by_hand(toy):
    prof = sg.segment_profiles(toy, [1, 1, 1, 2, 2, 2])
    mean = 37 / 6                                   # (1+1+3+10+10+12)/6
    sd = math.sqrt(355 / 6 - mean**2)               # sum of squares 355
    assert prof.loc[1, "x"] == pytest.approx((5 / 3 - mean) / sd)
    assert prof.loc[2, "x"] == pytest.approx((32 / 3 - mean) / sd)
    # equal-sized groups: the two standardised means are opposite
    assert prof.loc[1, "y"] == pytest.approx(-prof.loc[2, "y"])


def test_ward_and_kmeans_agree_on_obvious_groups(toy):
    from sklearn.metrics import adjusted_rand_score

    ward = sg.ward_segments(toy, ["x", "y"], k=2)
    km = sg.kmeans_segments(toy, ["x", "y"], k=2)
    assert adjusted_rand_score(ward, km) == 1.0
    assert sorted(ward.value_counts().tolist()) == [3, 3]


def test_segments_numbered_by_decreasing_size():
    seg = sg._by_size(np.array([5, 5, 2, 2, 2, 9]), pd.RangeIndex(6))
    assert seg.tolist() == [2, 2, 1, 1, 1, 3]


def test_profiles_follow_segment_index(toy):
    seg = pd.Series([2, 2, 2, 1, 1, 1], index=list("abcdef"))[::-1]   # same labels, other order
    prof = sg.segment_profiles(toy, seg, standardized=False)
    assert prof.loc[2, "x"] == pytest.approx(5 / 3)


# ----------------------------------------------------------------- PCA
def test_pca_two_identical_variables_and_one_independent():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8], "c": [1, -1, -1, 1]})
    var = sg.pca_variance(df)
    # correlation matrix [[1,1,0],[1,1,0],[0,0,1]]: eigenvalues 2, 1, 0
    assert var["eigenvalue"].tolist() == pytest.approx([2, 1, 0], abs=1e-9)
    assert var["share"].tolist() == pytest.approx([2 / 3, 1 / 3, 0], abs=1e-9)
    assert var["cumulative"].iloc[-1] == pytest.approx(1.0)
    corr = sg.pca_correlations(df, n_components=2)
    assert corr.loc[["a", "b"], "CP1"].tolist() == pytest.approx([1.0, 1.0])
    assert corr.loc["c", "CP1"] == pytest.approx(0.0, abs=1e-9)
    assert abs(corr.loc["c", "CP2"]) == pytest.approx(1.0)


def test_pca_scores_have_component_variance(toy):
    scores = sg.pca_scores(toy)
    var = sg.pca_variance(toy)
    assert scores.var(ddof=0).to_numpy() == pytest.approx(var["eigenvalue"].to_numpy())
    assert list(scores.index) == list(toy.index)


# ----------------------------------------------------------------- choosing k, stability
def test_choose_k_prefers_two_on_two_groups(toy):
    table = sg.choose_k(toy, ["x", "y"], ks=[2, 3, 4])
    assert table["silhouette"].idxmax() == 2
    assert table["inertia"].is_monotonic_decreasing


def test_stability_is_perfect_on_obvious_groups():
    rng = np.random.default_rng(0)
    pts = np.vstack([rng.normal(0, 0.3, (40, 2)), rng.normal(6, 0.3, (40, 2))])
    ari = sg.stability(pd.DataFrame(pts, columns=["x", "y"]), None, k=2, n_boot=5)
    assert len(ari) == 5
    assert (ari == 1.0).all()


# ----------------------------------------------------------------- names and actions
def test_names_and_action_plan():
    prof = pd.DataFrame({"need_finances": [1.2, -0.6, 0.1], "need_innovation": [-0.2, 0.9, 0.0],
                         "spend": [0.0, 0.5, -0.1]}, index=[1, 2, 3])
    names = sg.name_segments(prof)
    assert names.tolist() == ["Finances", "Innovation & Dépense totale", "Profil moyen"]
    plan = sg.action_plan(prof, sizes=pd.Series({1: 50, 2: 30, 3: 20}))
    assert plan["besoin dominant"].tolist() == ["Finances", "Innovation", "Finances"]
    assert plan["clients"].tolist() == [50, 30, 20]
    assert plan.loc[1, "canal"] == sg.PLAYBOOK["need_finances"]["canal"]


def test_action_plan_needs_need_columns():
    with pytest.raises(InvalidValueError, match="aucune colonne des profils"):
        sg.action_plan(pd.DataFrame({"spend": [1.0, -1.0]}))


# ----------------------------------------------------------------- behaviour variables
def test_customer_behaviour_by_hand():
    orders = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4"],
        "customer_id": ["A", "A", "B", "C"],
        "order_date": ["2025-12-01", "2025-12-21", "2025-06-30", "2025-12-31"],
        "amount": [10.0, 30.0, 5.0, 0.0],
        "discount": [0.0, 10.0, 5.0, 0.0],
        "channel": ["magasin", "application", "site web", "téléphone"],
        "returned": [0, 1, 0, 0],
    })
    lines = pd.DataFrame({"order_id": ["O1", "O2", "O2", "O3"], "line_no": [1, 1, 2, 1],
                          "category": ["jardin", "jardin", "cuisine", "cuisine"],
                          "line_amount": [10.0, 20.0, 20.0, 10.0]})
    out = sg.customer_behaviour(orders, lines)
    a = out.loc["A"]
    assert (a["n_orders"], a["spend"], a["basket"]) == (2, 40, 20)
    assert a["recency_days"] == 10                      # 21 → 31 December
    assert a["online_share"] == 0.5                     # application counts as online
    assert a["discount_rate"] == pytest.approx(10 / 50)
    assert a["return_rate"] == 0.5
    assert a["cat_jardin"] == pytest.approx(30 / 50) and a["cat_cuisine"] == pytest.approx(20 / 50)
    assert out.loc["B", "recency_days"] == 184          # 30 June → 31 December 2025
    # one order, paid 0 €, no lines: defined values, no NaN
    assert out.loc["C", ["discount_rate", "cat_jardin", "cat_cuisine"]].tolist() == [0, 0, 0]
    assert out.loc["C", "online_share"] == 0            # téléphone is not online
    assert not out.isna().any().any()


def test_customer_behaviour_negative_amount_french():
    orders = pd.DataFrame({"customer_id": ["A"], "order_date": ["2025-01-01"], "amount": [-3.0],
                           "channel": ["magasin"]})
    with pytest.raises(ValueError, match="négative"):
        sg.customer_behaviour(orders, discount=None, returned=None)


# ----------------------------------------------------------------- bad input, in French
def test_customer_behaviour_missing_column_french():
    orders = pd.DataFrame({"customer_id": ["A"], "order_date": ["2025-01-01"], "amount": [3.0]})
    with pytest.raises(MissingColumnError, match="la colonne 'channel' est absente de la table « orders »"):
        sg.customer_behaviour(orders, discount=None, returned=None)


def test_non_numeric_column(toy):
    bad = toy.assign(region=["Bretagne"] * 6)
    with pytest.raises(InvalidValueError, match="'region' .* n'est pas numérique"):
        sg.kmeans_segments(bad, ["x", "region"], k=2)


def test_missing_values(toy):
    bad = toy.copy()
    bad.loc["c", "y"] = np.nan
    with pytest.raises(InvalidValueError, match=r"'y' .* 1 valeur\(s\) manquante\(s\) .*'c'"):
        sg.standardize(bad)


def test_k_larger_than_customers(toy):
    with pytest.raises(InvalidValueError, match="k = 7 segments demandés pour seulement 6 client"):
        sg.kmeans_segments(toy, ["x", "y"], k=7)
    with pytest.raises(InvalidValueError, match="au moins 2 segments"):
        sg.ward_segments(toy, ["x", "y"], k=1)
    with pytest.raises(InvalidValueError, match="entier"):
        sg.kmeans_segments(toy, ["x", "y"], k=2.5)


def test_missing_column_and_empty_table(toy):
    with pytest.raises(MissingColumnError, match="'z' est absente"):
        sg.kmeans_segments(toy, ["x", "z"], k=2)
    with pytest.raises(InvalidValueError, match="vide"):
        sg.standardize(toy.iloc[:0])


def test_profiles_need_one_label_per_customer(toy):
    with pytest.raises(InvalidValueError, match="5 étiquettes de segment pour 6 clients"):
        sg.segment_profiles(toy, [1, 1, 1, 2, 2])


# ----------------------------------------------------------------- plots
def test_plots_return_axes(toy):
    seg = sg.kmeans_segments(toy, None, k=2)
    prof = sg.segment_profiles(toy, seg)
    fig, axes = plt.subplots(2, 2)
    assert sg.plot_profile_heatmap(prof, ax=axes[0, 0]) is axes[0, 0]
    assert sg.plot_segment_map(sg.pca_scores(toy), seg, ax=axes[0, 1]) is axes[0, 1]
    assert sg.plot_correlation_circle(sg.pca_correlations(toy), ax=axes[1, 0]) is axes[1, 0]
    assert sg.plot_dendrogram(toy, k=2, ax=axes[1, 1]) is axes[1, 1]
    plt.close(fig)


def test_draw_typology_uses_cache(toy):
    cache: dict = {}
    view = sg.draw_typology(toy, ["x", "y"], k=2, cache=cache)
    assert (("x", "y"), 2) in cache
    assert "2 segments, plan CP1 × CP2" in repr(view)
    seg_before = cache[(("x", "y"), 2)][0]
    sg.draw_typology(toy, ["x", "y"], k=2, x=2, y=1, cache=cache)
    assert cache[(("x", "y"), 2)][0] is seg_before     # axes changed: nothing refitted


def test_view_updates_in_place(toy):
    view, update = sg.typology_view(toy, {"deux": ["x", "y"]})
    update("deux", k=2)
    n_axes = len(view.fig.axes)
    image = view.png()
    update("deux", k=3, x=2, y=1)
    assert len(view.fig.axes) == n_axes                 # same axes, updated artists
    heat = view.fig.axes[1]
    assert heat.images[0].get_array().shape == (3, 2)   # 3 segments × 2 variables
    numbers = [lab.get_text() for lab in view.labels if lab.get_visible() and lab.get_text().isdigit()]
    assert sorted(numbers) == ["1", "2", "3"]           # one label per segment centre
    assert view.png() != image
    with pytest.raises(InvalidValueError, match="deux axes différents"):
        update("deux", k=2, x=1, y=1)
    with pytest.raises(InvalidValueError, match="entre CP1 et CP2"):
        update("deux", k=2, x=1, y=3)


def test_explorer_bounds_axes_by_the_set_and_keeps_them_apart(toy):
    sets = {"deux": ["x", "y"], "trois": ["x", "y", "z"]}
    box = sg.typology_explorer(toy.assign(z=toy["x"] * 0.3 + toy["y"]), sets, ks=range(2, 4), k=2)
    c = box.controls
    assert (c["x"].max, c["y"].max) == (2, 2)
    c["variables"].value = "trois"
    assert (c["x"].max, c["y"].max) == (3, 3)
    c["y"].value = 3
    c["x"].value = 3                                    # x takes y's axis: they swap
    assert (c["x"].value, c["y"].value) == (3, 1)
    c["variables"].value = "deux"                      # x brought down to 2, y stays 1
    assert (c["x"].value, c["y"].value) == (2, 1) and c["x"].max == 2
    assert "plan CP2 × CP1" in box.view.title and box.view.message == ""


def test_action_plan_adds_relational_advice():
    prof = pd.DataFrame({"need_image": [1.0, -1.0], "civ_valorisation": [1.2, -0.3],
                         "civ_limits": [-0.8, 0.6]}, index=[1, 2])
    plan = sg.action_plan(prof)
    assert plan.loc[1, "relation"].startswith("Valorisation")
    assert plan.loc[2, "relation"].startswith("Limites")


# ----------------------------------------------------------------- on the company's data
def test_needs_typology_recovers_latent_segments():
    """On Verdane's survey, k-means on the 8 SPECIFIC needs finds the generator's 4 needs segments."""
    from sklearn.metrics import adjusted_rand_score

    from crmlab import datasets

    survey = datasets.load_survey().set_index("customer_id")
    seg = sg.kmeans_segments(survey, list(sg.SPECIFIC), k=4)
    truth = datasets.load_ground_truth("customers").set_index("customer_id")["needs_segment"]
    assert adjusted_rand_score(truth.reindex(survey.index), seg) >= 0.7
    assert seg.value_counts().is_monotonic_decreasing        # 1 = the largest segment


def test_behaviour_of_every_buyer():
    from crmlab import datasets

    orders = datasets.load_orders()
    out = sg.customer_behaviour(orders, datasets.load_order_lines())
    assert len(out) == orders["customer_id"].nunique()
    shares = out[["online_share", "discount_rate", "return_rate"] + [c for c in out if c.startswith("cat_")]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    cats = out[[c for c in out if c.startswith("cat_")]].sum(axis=1)
    assert np.allclose(cats[cats > 0], 1.0)
