"""Chapter 05 — Segmentation multivariée: the questions, their expected answers and mistakes.

The lesson builds and prints the k = 4 typology of the SPECIFIC needs (sizes, PCA of
SPECIFIC, ARI with the latent segments): the exercises never ask for a number the
lesson prints. They work on what it does not show — the loyalty members, a small
pilot sample, the CIVILE needs, the k = 5 alternative — at a precision that tells a
standardised computation from an unstandardised one. Segments are identified by
their size rank (``kmeans_segments`` numbers them 1 = largest), never by a raw id.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import segmentation
from ..exercises import Answer, Choice, Count, Number, Ratio, SeriesOf, mistake, question
from . import table

SPECIFIC = list(segmentation.SPECIFIC)
CIVILE = list(segmentation.CIVILE)
PILOT = 20  # the pilot sample of question 2: the first 20 respondents


@cache
def _survey() -> pd.DataFrame:
    return table("survey").set_index("customer_id")


@cache
def _kmeans(k: int, columns: tuple[str, ...] = tuple(SPECIFIC), raw: bool = False) -> pd.Series:
    """k-means segments (1 = largest); ``raw``: on the unstandardised scores."""
    if not raw:
        return segmentation.kmeans_segments(_survey(), list(columns), k=k)
    from sklearn.cluster import KMeans

    x = _survey()[list(columns)].to_numpy(dtype=float)
    with segmentation._one_thread():
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
    return segmentation._by_size(labels, _survey().index)


@cache
def _ward(k: int, raw: bool = False) -> pd.Series:
    if not raw:
        return segmentation.ward_segments(_survey(), SPECIFIC, k=k)
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(_survey()[SPECIFIC].to_numpy(dtype=float), method="ward")
    return segmentation._by_size(fcluster(tree, t=k, criterion="maxclust"), _survey().index)


@cache
def _truth() -> pd.Series:
    from .. import datasets

    truth = datasets.load_ground_truth("customers").set_index("customer_id")["needs_segment"]
    return truth.reindex(_survey().index)


def _ari(a: pd.Series, b: pd.Series) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def _image_segment(segments: pd.Series) -> int:
    return int(segmentation.segment_profiles(_survey(), segments, SPECIFIC)["need_image"].idxmax())


@question("05-q1", SeriesOf(Number(decimals=2), index="le nom de la colonne du besoin (`need_security`, …)",
                            labels_public=True),
          concept="le niveau moyen d'un besoin est la moyenne de ses notes (1 à 5) sur les répondants retenus ; "
                  "comparer un sous-groupe à l'ensemble demande de bien le filtrer.",
          hints=["L'appartenance au programme de fidélité est dans la table `customers` (colonne `loyalty_member`), "
                 "pas dans l'enquête : il faut relier les deux par le client.",
                 "`survey` est indexée par `customer_id` : `customers.set_index('customer_id')['loyalty_member']` "
                 "alignée sur `survey.index` (`.reindex`) donne un filtre ligne à ligne.",
                 "Gardez les répondants membres, puis la moyenne de chacune des colonnes de la liste `SPECIFIC`."])
def _member_means() -> Answer:
    member = table("customers").set_index("customer_id")["loyalty_member"].reindex(_survey().index).astype(bool)
    s = _survey()[SPECIFIC]
    return Answer(
        s[member.to_numpy()].mean(),
        mistake("tous les répondants, sans garder les membres du programme", s.mean()),
        mistake("les répondants qui ne sont pas membres du programme", s[~member.to_numpy()].mean()),
        mistake("la médiane au lieu de la moyenne", s[member.to_numpy()].median()),
    )


@question("05-q2", Number(decimals=2),
          concept="une valeur standardisée (z-score) est (x − moyenne) / écart-type, calculés sur le groupe étudié : "
                  "le nombre d'écarts-types au-dessus ou au-dessous de son membre moyen.",
          hints=["Le groupe est le pilote : les 20 premières lignes de `survey` (`.iloc[:20]`), colonne "
                 "`need_finances` ; sa moyenne et son écart-type se calculent sur ces 20 lignes seulement.",
                 "Attention : `.std()` de pandas divise par n − 1 (`ddof=1`) ; l'écart-type « de population » de "
                 "`StandardScaler` divise par n : `.std(ddof=0)`.",
                 "Standardisez les 20 notes d'un coup (opérations sur la série entière), puis prenez le maximum."])
def _pilot_max_z() -> Answer:
    pilot = _survey()["need_finances"].iloc[:PILOT].astype(float)
    full = _survey()["need_finances"].astype(float)

    def zmax(mean: float, sd: float) -> float:
        return float(((pilot - mean) / sd).max())

    return Answer(
        zmax(pilot.mean(), pilot.std(ddof=0)),
        mistake("l'écart-type d'échantillon (`ddof=1`, le défaut de pandas) au lieu de l'écart-type de population "
                "(`ddof=0`)", zmax(pilot.mean(), pilot.std(ddof=1))),
        mistake("la moyenne et l'écart-type de toute l'enquête au lieu de ceux du pilote",
                zmax(full.mean(), full.std(ddof=0))),
        mistake("la note brute la plus haute, sans standardiser", float(pilot.max())),
    )


@cache
def _civile_variance() -> pd.DataFrame:
    return segmentation.pca_variance(_survey(), CIVILE)


@question("05-q3", Ratio(decimals=3, percent_ok=True),
          concept="la part de variance d'un axe de l'ACP est sa valeur propre divisée par le nombre "
                  "de variables standardisées ; on cumule pour plusieurs axes.",
          hints=["L'ACP porte ici sur les six besoins **CIVILE** standardisés (liste `CIVILE`), pas sur SPECIFIC.",
                 "`segmentation.pca_variance` sur les besoins CIVILE donne, par axe, la valeur propre, la part et le cumul.",
                 "Additionnez les parts des axes `CP1` et `CP2` (ou lisez la colonne `cumulative` à la ligne `CP2`)."],
          on_collection="Sélectionnez la valeur voulue du tableau avec `.loc[ligne, colonne]`.")
def _civile_two_axes() -> Answer:
    from sklearn.decomposition import PCA

    raw = PCA().fit(_survey()[CIVILE].to_numpy(dtype=float)).explained_variance_ratio_
    v = _civile_variance()
    return Answer(
        float(v["cumulative"].iloc[1]),
        mistake("la part du seul premier axe", float(v["share"].iloc[0])),
        mistake("l'ACP sur les notes brutes, non standardisées", float(raw[:2].sum())),
        mistake("les besoins SPECIFIC au lieu des besoins CIVILE",
                float(segmentation.pca_variance(_survey(), SPECIFIC)["cumulative"].iloc[1])),
        mistake("la somme des deux valeurs propres au lieu de la part de variance",
                float(v["eigenvalue"].iloc[:2].sum())),
    )


@question("05-q4", Count(),
          concept="la règle de Kaiser garde les axes de valeur propre supérieure à 1 (plus d'information "
                  "qu'une variable d'origine).",
          hints=["Il faut compter des axes de l'ACP des quatorze besoins réunis (SPECIFIC puis CIVILE), pas mesurer "
                 "une part de variance.",
                 "Les valeurs propres sont dans la colonne `eigenvalue` de `segmentation.pca_variance`, appliquée à la "
                 "liste `SPECIFIC + CIVILE`.",
                 "Une condition `> 1` donne des True / False : leur somme compte les True."])
def _kaiser_all_needs() -> Answer:
    v = segmentation.pca_variance(_survey(), SPECIFIC + CIVILE)
    return Answer(
        int((v["eigenvalue"] > 1).sum()),
        mistake("les seuls besoins CIVILE au lieu des quatorze besoins", int((_civile_variance()["eigenvalue"] > 1).sum())),
        mistake("le nombre d'axes qui résument 80 % de la variance (un autre critère que Kaiser)",
                int((v["cumulative"] < 0.8).sum() + 1)),
    )


@question("05-q5", SeriesOf(Count(), index="le numéro de segment (1 à 5)", labels_public=True),
          concept="l'effectif d'un segment est le nombre de clients qui lui sont affectés ; une typologie se calcule "
                  "sur les variables standardisées, sinon les variables les plus dispersées pèsent plus que les autres.",
          hints=["La typologie demandée a **5** segments, sur les huit besoins SPECIFIC (liste `SPECIFIC`).",
                 "`segmentation.kmeans_segments` (avec `k=5`) standardise, puis numérote les segments par taille "
                 "décroissante (1 = le plus grand).",
                 "Comptez les clients par segment avec `value_counts()`, puis rangez l'index avec `sort_index()`."])
def _sizes_k5() -> Answer:
    def sizes(s: pd.Series) -> pd.Series:
        return s.value_counts().sort_index().astype(float)

    return Answer(
        sizes(_kmeans(5)),
        mistake("k-means sur les notes brutes, non standardisées", sizes(_kmeans(5, raw=True))),
        mistake("les besoins SPECIFIC et CIVILE réunis au lieu des seuls SPECIFIC",
                sizes(_kmeans(5, tuple(SPECIFIC + CIVILE)))),
    )


@question("05-q6", Ratio(decimals=3),
          concept="la silhouette moyenne (−1 à 1) mesure si chaque client est plus proche de son segment "
                  "que du segment voisin ; elle se calcule sur les variables standardisées, celles de la typologie.",
          hints=["La silhouette se calcule sur les mêmes variables que la typologie `segments`, **standardisées**.",
                 "`segmentation.standardize` donne les variables standardisées ; la fonction `silhouette_score` est dans "
                 "`sklearn.metrics` (à importer).",
                 "`sklearn.metrics.silhouette_score(...)` prend d'abord les données standardisées, puis les étiquettes "
                 "des segments (`segments`)."])
def _silhouette_k4() -> Answer:
    from sklearn.metrics import silhouette_score

    seg4 = _kmeans(4)
    z = segmentation.standardize(_survey(), SPECIFIC)
    raw = _survey()[SPECIFIC].to_numpy(dtype=float)
    return Answer(
        float(silhouette_score(z, seg4)),
        # on company v2 data the two raw-notes variants differ by 0.0003: one mistake names both
        mistake("la silhouette calculée sur les notes brutes, non standardisées (avec la typologie du cours ou une "
                "typologie refaite sur les notes brutes)", float(silhouette_score(raw, seg4))),
        mistake("la typologie en 5 segments au lieu de la typologie de référence `segments`",
                float(silhouette_score(z, _kmeans(5)))),
    )


@question("05-q7", Ratio(decimals=2),
          concept="l'indice de Rand ajusté (ARI) compare deux partitions sans tenir compte des numéros : "
                  "1 = identiques, 0 = accord dû au hasard.",
          hints=["Il faut deux typologies en **5** segments sur les besoins SPECIFIC **standardisés** : Ward et "
                 "k-means (`segments5`).",
                 "`segmentation.ward_segments` (avec `k=5`) standardise puis coupe l'arbre en 5.",
                 "`adjusted_rand_score` mesure l'accord des deux typologies (l'ordre des arguments ne change rien)."])
def _ari_ward_kmeans_k5() -> Answer:
    return Answer(
        _ari(_ward(5), _kmeans(5)),
        mistake("Ward sur les notes brutes, non standardisées", _ari(_ward(5, raw=True), _kmeans(5))),
        mistake("4 segments au lieu de 5", _ari(_ward(4), _kmeans(4))),
    )


@question("05-q8", Ratio(decimals=2),
          concept="la vérité terrain (les segments latents du générateur) n'existe pas dans une vraie "
                  "entreprise ; ici l'ARI mesure combien la typologie les retrouve.",
          hints=["Les segments latents sont dans `datasets.load_ground_truth('customers')`, colonne `needs_segment`, "
                 "avec une colonne `customer_id`.",
                 "Mettez-les dans le même ordre que les répondants : `.set_index('customer_id')['needs_segment']` "
                 "puis `.reindex(survey.index)`.",
                 "Comparez-les à la typologie en 5 segments `segments5` avec `adjusted_rand_score(...)` (les latents "
                 "alignés d'abord, `segments5` ensuite)."])
def _ari_truth_k5() -> Answer:
    return Answer(
        _ari(_truth(), _kmeans(5)),
        mistake("la typologie en 4 segments au lieu de 5", _ari(_truth(), _kmeans(4))),
        mistake("k-means sur les notes brutes, non standardisées", _ari(_truth(), _kmeans(5, raw=True))),
        mistake("les besoins SPECIFIC et CIVILE réunis", _ari(_truth(), _kmeans(5, tuple(SPECIFIC + CIVILE)))),
    )


@question("05-q9", Count(),
          concept="le profil d'un segment est la moyenne de chaque variable standardisée sur ses clients ; "
                  "son effectif est le nombre de clients qui lui sont affectés.",
          hints=["Profilez les segments de `segments5` sur les besoins SPECIFIC standardisés "
                 "(`segmentation.segment_profiles`).",
                 "Le segment cherché est l'étiquette de la plus forte valeur de la colonne `need_image` (`.idxmax()`).",
                 "Comptez ensuite ses clients : une condition `== numéro` sur `segments5`, puis `.sum()`."])
def _image_size_k5() -> Answer:
    seg5, seg4 = _kmeans(5), _kmeans(4)
    img = _image_segment(seg5)
    raw5 = _kmeans(5, raw=True)
    return Answer(
        int((seg5 == img).sum()),
        mistake("la typologie en 4 segments au lieu de 5", int((seg4 == _image_segment(seg4)).sum())),
        mistake("le numéro du segment au lieu de son effectif", img),
        mistake("k-means sur les notes brutes, non standardisées", int((raw5 == _image_segment(raw5)).sum())),
    )


@question("05-q10", Choice(choices=tuple(CIVILE)),
          concept="pour parler à un segment, on lit son besoin relationnel (CIVILE) le plus au-dessus de la moyenne, "
                  "en écarts-types : un profil standardisé, pas une note brute.",
          hints=["Profilez `segments5` sur les besoins CIVILE (`segmentation.segment_profiles`).",
                 "Lisez la ligne du segment « Image » trouvé à la question 9 (`.loc[...]` avec son numéro).",
                 "Le besoin cherché est l'étiquette de la plus forte valeur de cette ligne (`.idxmax()`), en texte."])
def _civile_of_image_k5() -> Answer:
    seg5 = _kmeans(5)
    img = _image_segment(seg5)
    return Answer(
        str(segmentation.segment_profiles(_survey(), seg5, CIVILE).loc[img].idxmax()),
        mistake("le besoin CIVILE le plus fort de l'ensemble des répondants, pas du segment",
                str(_survey()[CIVILE].mean().idxmax())),
    )
