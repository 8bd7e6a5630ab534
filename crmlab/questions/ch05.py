"""Chapter 05 — Segmentation multivariée: the questions and how their answers are computed.

Numeric checks that depend on k-means use tolerances (sizes sorted, ARI, silhouette)
so that they survive small differences between BLAS builds; segments are identified
by their size rank or by their profile, never by a raw label id.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import datasets, segmentation
from ..exercises import question

SPECIFIC = list(segmentation.SPECIFIC)
CIVILE = list(segmentation.CIVILE)


@cache
def _survey() -> pd.DataFrame:
    return datasets.load_survey().set_index("customer_id")


@cache
def _segments() -> pd.Series:
    return segmentation.kmeans_segments(_survey(), SPECIFIC, k=4)


@cache
def _image_segment() -> int:
    """The segment (of the k = 4 typology) whose mean Image need is the highest."""
    return int(segmentation.segment_profiles(_survey(), _segments(), SPECIFIC)["need_image"].idxmax())


@question("05-q1", kind="series", rtol=1e-3,
          concept="le niveau moyen d'un besoin est la moyenne de ses notes (1 à 5) sur les répondants.",
          hints=["Les huit besoins SPECIFIC sont les colonnes `need_…` de l'enquête.",
                 "Sélectionnez les huit colonnes (liste `SPECIFIC`) puis calculez une moyenne par colonne.",
                 "Méthode : `survey[SPECIFIC].mean()`."])
def _specific_means() -> pd.Series:
    return _survey()[SPECIFIC].mean()


@question("05-q2", kind="number", rtol=1e-3, atol=1e-6,
          concept="une valeur standardisée (z-score) est (x − moyenne) / écart-type : "
                  "le nombre d'écarts-types au-dessus ou au-dessous du client moyen.",
          hints=["Il faut la moyenne et l'écart-type de la colonne `need_finances` sur tous les répondants.",
                 "Utilisez l'écart-type « de population » : `.std(ddof=0)`, comme StandardScaler.",
                 "Méthode : `(x - col.mean()) / col.std(ddof=0)` avec `x` la note du premier répondant "
                 "(`survey['need_finances'].iloc[0]`)."])
def _first_z_finances() -> float:
    return float(segmentation.standardize(_survey(), ["need_finances"])["need_finances"].iloc[0])


@question("05-q3", kind="number", rtol=0.01, percent=True,
          concept="la part de variance d'un axe de l'ACP est sa valeur propre divisée par le nombre "
                  "de variables standardisées ; on cumule pour plusieurs axes.",
          hints=["Les deux premiers axes sont CP1 et CP2 ; leurs parts de variance s'additionnent.",
                 "`segmentation.pca_variance(survey, SPECIFIC)` donne les parts et leur cumul.",
                 "Méthode : la colonne `cumulative` à la ligne `CP2` (ou la somme des deux premières "
                 "valeurs de `share`)."])
def _two_axes_share() -> float:
    return float(segmentation.pca_variance(_survey(), SPECIFIC)["cumulative"].iloc[1])


@question("05-q4", kind="integer",
          concept="la règle de Kaiser garde les axes de valeur propre supérieure à 1 (plus d'information "
                  "qu'une variable d'origine).",
          hints=["Il faut compter des axes, pas mesurer une part de variance.",
                 "Les valeurs propres sont dans la colonne `eigenvalue` de `segmentation.pca_variance`.",
                 "Méthode : `(variance['eigenvalue'] > 1).sum()`."])
def _kaiser() -> int:
    return int((segmentation.pca_variance(_survey(), SPECIFIC)["eigenvalue"] > 1).sum())


@question("05-q5", kind="series", rtol=0.03,
          concept="l'effectif d'un segment est le nombre de clients qui lui sont affectés ; "
                  "on compare les tailles triées, les numéros de segments étant arbitraires.",
          hints=["Calculez la typologie k-means en 4 segments sur les huit besoins SPECIFIC.",
                 "`segmentation.kmeans_segments(survey, SPECIFIC, k=4)` numérote déjà les segments par "
                 "taille décroissante (1 = le plus grand).",
                 "Méthode : `segments.value_counts().sort_index()` (index 1 à 4, effectifs décroissants)."])
def _sizes() -> pd.Series:
    return _segments().value_counts().sort_index()


@question("05-q6", kind="number", rtol=0.03,
          concept="la silhouette moyenne (−1 à 1) mesure si chaque client est plus proche de son segment "
                  "que du segment voisin ; elle se calcule sur les variables standardisées.",
          hints=["La silhouette se calcule sur les mêmes variables que la typologie, standardisées.",
                 "`sklearn.metrics.silhouette_score(X, labels)` avec X = les besoins standardisés ; "
                 "ou la table de `segmentation.choose_k`.",
                 "Méthode : `segmentation.choose_k(survey, SPECIFIC, ks=[4]).loc[4, 'silhouette']`."])
def _silhouette() -> float:
    return float(segmentation.choose_k(_survey(), SPECIFIC, ks=[4]).loc[4, "silhouette"])


@question("05-q7", kind="number", rtol=0.05,
          concept="l'indice de Rand ajusté (ARI) compare deux partitions sans tenir compte des numéros : "
                  "1 = identiques, 0 = accord dû au hasard.",
          hints=["Il faut deux typologies en 4 segments sur les besoins SPECIFIC : Ward et k-means.",
                 "`segmentation.ward_segments(...)` et `segmentation.kmeans_segments(...)`, "
                 "puis `sklearn.metrics.adjusted_rand_score`.",
                 "Méthode : `adjusted_rand_score(ward, kmeans)` avec k = 4 pour les deux."])
def _ari_ward_kmeans() -> float:
    from sklearn.metrics import adjusted_rand_score

    ward = segmentation.ward_segments(_survey(), SPECIFIC, k=4)
    return float(adjusted_rand_score(ward, _segments()))


@question("05-q8", kind="number", rtol=0.05,
          concept="la vérité terrain (les segments latents du générateur) n'existe pas dans une vraie "
                  "entreprise ; ici l'ARI mesure combien la typologie les retrouve.",
          hints=["Les segments latents sont dans `datasets.load_ground_truth('customers')`, "
                 "colonne `needs_segment`.",
                 "Alignez-les sur les répondants de l'enquête avec l'index `customer_id` (`reindex`).",
                 "Méthode : `adjusted_rand_score(truth.reindex(survey.index), segments)` avec la "
                 "typologie k-means en 4 segments."])
def _ari_truth() -> float:
    from sklearn.metrics import adjusted_rand_score

    truth = datasets.load_ground_truth("customers").set_index("customer_id")["needs_segment"]
    return float(adjusted_rand_score(truth.reindex(_survey().index), _segments()))


@question("05-q9", kind="number", rtol=0.03,
          concept="le profil d'un segment est la moyenne de ses variables standardisées ; on repère un "
                  "segment par son profil, pas par son numéro.",
          hints=["Calculez les profils standardisés des 4 segments sur les besoins SPECIFIC.",
                 "`segmentation.segment_profiles(survey, segments, SPECIFIC)`, puis le segment dont la "
                 "colonne `need_image` est la plus haute (`idxmax`).",
                 "Méthode : `segments.value_counts()[profils['need_image'].idxmax()]`."])
def _image_size() -> int:
    return int((_segments() == _image_segment()).sum())


@question("05-q10", kind="choice", choices=CIVILE,
          concept="les besoins CIVILE, variables illustratives, guident le ton de la relation : on lit "
                  "le plus fort dans le profil standardisé du segment.",
          hints=["Il faut le profil du segment « Image » sur les six colonnes `civ_…`, standardisées.",
                 "`segmentation.segment_profiles(survey, segments, CIVILE)` donne une ligne par segment.",
                 "Méthode : la ligne du segment « Image », puis `idxmax()` ; répondez par le nom de colonne."])
def _image_civile() -> str:
    prof = segmentation.segment_profiles(_survey(), _segments(), CIVILE)
    return str(prof.loc[_image_segment()].idxmax())
