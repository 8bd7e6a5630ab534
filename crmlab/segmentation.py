"""Multivariate segmentation: behaviour and needs variables, PCA, k-means, Ward, profiles.

The chapter's method in a few plain functions (scikit-learn and scipy do the maths):

1. one row per customer, numeric variables (``customer_behaviour`` builds the
   behavioural ones from the orders; the survey gives the SPECIFIC / CIVILE needs);
2. ``standardize`` (z-scores), ``pca_variance`` / ``pca_correlations`` (ACP);
3. ``kmeans_segments`` (StandardScaler → PCA → KMeans pipeline), ``ward_segments``,
   ``choose_k`` (elbow, silhouette), ``stability`` (adjusted Rand index on bootstrap
   resamples);
4. ``segment_profiles`` (standardised means), ``name_segments``, ``action_plan``;
5. plots: ``plot_correlation_circle``, ``plot_segment_map``, ``plot_profile_heatmap``,
   ``plot_dendrogram``; widget: ``typology_explorer``.

Segments are numbered 1, 2, … by decreasing size, so that the numbering does not
depend on k-means' arbitrary label ids.

>>> import pandas as pd
>>> toy = pd.DataFrame({"x": [0, 0, 1, 9, 10, 10], "y": [0, 1, 0, 10, 9, 10]})
>>> kmeans_segments(toy, ["x", "y"], k=2).tolist()   # doctest: +SKIP
[1, 1, 1, 2, 2, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .validation import InvalidValueError, check_table, require_columns, require_dataframe

__all__ = [
    "SPECIFIC",
    "CIVILE",
    "BEHAVIOUR",
    "PLAYBOOK",
    "RELATION",
    "variable_labels",
    "customer_behaviour",
    "standardize",
    "pca_variance",
    "pca_correlations",
    "pca_scores",
    "typology_pipeline",
    "kmeans_segments",
    "ward_segments",
    "choose_k",
    "stability",
    "segment_profiles",
    "name_segments",
    "action_plan",
    "plot_correlation_circle",
    "plot_segment_map",
    "plot_profile_heatmap",
    "plot_dendrogram",
    "typology_view",
    "draw_typology",
    "typology_explorer",
]

# SPECIFIC: 8 operational needs; CIVILE: 6 relational needs (Boîte à outils, outil 3).
SPECIFIC: dict[str, str] = {
    "need_security": "Sécurité",
    "need_performance": "Performance",
    "need_environment": "Environnement",
    "need_consideration": "Considération",
    "need_image": "Image",
    "need_finances": "Finances",
    "need_innovation": "Innovation",
    "need_comfort": "Confort",
}
CIVILE: dict[str, str] = {
    "civ_consideration": "Considération (rel.)",
    "civ_integration": "Intégration",
    "civ_valorisation": "Valorisation",
    "civ_individualisation": "Individualisation",
    "civ_limits": "Limites",
    "civ_expression": "Expression",
}
BEHAVIOUR: dict[str, str] = {
    "n_orders": "Nombre de commandes",
    "spend": "Dépense totale",
    "basket": "Panier moyen",
    "recency_days": "Récence (jours)",
    "online_share": "Part des commandes en ligne",
    "discount_rate": "Taux de remise",
    "return_rate": "Taux de retour",
}

# What to do for a segment whose strongest need is the key (offer, channel, tone, service level).
PLAYBOOK: dict[str, dict[str, str]] = {
    "need_security": {"offre": "garanties étendues, produits certifiés, retour gratuit",
                      "canal": "magasin, avec un vendeur", "ton": "rassurant et factuel",
                      "service": "SAV prioritaire"},
    "need_performance": {"offre": "gammes techniques, comparatifs, tests",
                         "canal": "site web (fiches détaillées)", "ton": "expert, preuves chiffrées",
                         "service": "conseil technique"},
    "need_environment": {"offre": "produits éco-conçus, réparation, reprise",
                         "canal": "e-mail et application", "ton": "engagé et transparent",
                         "service": "standard, emballages réduits"},
    "need_consideration": {"offre": "avant-premières, ateliers, invitations",
                           "canal": "vendeur attitré, appel", "ton": "personnel et attentionné",
                           "service": "premium (interlocuteur dédié)"},
    "need_image": {"offre": "collections tendance, éditions limitées",
                   "canal": "application et réseaux sociaux", "ton": "inspirant, visuel",
                   "service": "standard"},
    "need_finances": {"offre": "prix bas, promotions ciblées, points fidélité",
                      "canal": "e-mail et SMS", "ton": "direct, centré sur le prix",
                      "service": "essentiel (libre-service)"},
    "need_innovation": {"offre": "nouveautés, objets connectés, tests en avant-première",
                        "canal": "application", "ton": "curieux, enthousiaste",
                        "service": "standard, démonstrations"},
    "need_comfort": {"offre": "livraison à domicile, retrait express, kits prêts à l'emploi",
                     "canal": "site web et application", "ton": "simple et pratique",
                     "service": "livraison rapide, un seul contact"},
}

# How to speak to a segment whose strongest relational (CIVILE) need is the key.
RELATION: dict[str, str] = {
    "civ_consideration": "saluer, remercier, rappeler l'historique du client",
    "civ_integration": "l'inviter dans la communauté : ateliers, club, avis partagés",
    "civ_valorisation": "reconnaître son goût ou son expertise, lui demander conseil",
    "civ_individualisation": "personnaliser : prénom, achats passés, interlocuteur attitré",
    "civ_limits": "respecter ses limites : peu de sollicitations, désinscription facile",
    "civ_expression": "lui donner la parole : avis, enquêtes, réclamation simple",
}


def variable_labels(columns: Sequence[str]) -> list[str]:
    """French display labels of variable names (the name itself when unknown).

    >>> variable_labels(["need_security", "spend", "x"])
    ['Sécurité', 'Dépense totale', 'x']
    """
    known = {**SPECIFIC, **CIVILE, **BEHAVIOUR}
    labels = []
    for col in columns:
        col = str(col)
        if col in known:
            labels.append(known[col])
        elif col.startswith("cat_"):
            labels.append(f"Part {col[4:].replace('_', ' ')}")
        else:
            labels.append(col)
    return labels


# ----------------------------------------------------------------- variables
def customer_behaviour(
    orders: pd.DataFrame,
    order_lines: pd.DataFrame | None = None,
    reference_date: str | pd.Timestamp = "2025-12-31",
    customer: str = "customer_id",
    date: str = "order_date",
    amount: str = "amount",
    channel: str = "channel",
    online_channels: Sequence[str] = ("site web", "application"),
    discount: str | None = "discount",
    returned: str | None = "returned",
    category: str = "category",
    line_amount: str = "line_amount",
) -> pd.DataFrame:
    """One row per customer: frequency, spend, basket, recency, channel mix (and category mix).

    Columns: ``n_orders``, ``spend``, ``basket`` (mean amount per order), ``recency_days``
    (days from the last order to ``reference_date``), ``online_share`` (share of orders in
    ``online_channels``), ``discount_rate`` (discount / (amount + discount)), ``return_rate``
    and, when ``order_lines`` is given, ``cat_<category>``: the share of the customer's
    spend (line amounts) in each category.

    >>> o = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_date": ["2025-12-01", "2025-12-21", "2025-06-30"],
    ...                   "amount": [10.0, 30.0, 5.0], "channel": ["magasin", "site web", "magasin"]})
    >>> customer_behaviour(o, discount=None, returned=None)[["n_orders", "basket", "recency_days", "online_share"]].loc["A"].tolist()
    [2.0, 20.0, 10.0, 0.5]
    """
    cols = [customer, date, amount, channel] + [c for c in (discount, returned) if c]
    df = check_table(orders, "orders", cols, dates=[date], non_negative=[amount])
    ref = pd.Timestamp(reference_date)
    g = df.groupby(customer, observed=True)
    out = pd.DataFrame({
        "n_orders": g.size().astype(float),
        "spend": g[amount].sum(),
    })
    out["basket"] = out["spend"] / out["n_orders"]
    out["recency_days"] = (ref - g[date].max()).dt.days.astype(float)
    is_online = df[channel].astype(str).isin(list(online_channels))
    out["online_share"] = is_online.groupby(df[customer], observed=True).mean()
    if discount:
        disc = df.groupby(customer, observed=True)[discount].sum()
        gross = out["spend"] + disc
        out["discount_rate"] = (disc / gross.where(gross > 0)).fillna(0.0)
    if returned:
        out["return_rate"] = df[returned].astype(float).groupby(df[customer], observed=True).mean()
    if order_lines is not None:
        lines = check_table(order_lines, "order_lines", ["order_id", category, line_amount],
                            non_negative=[line_amount])
        require_columns(df, ["order_id"], "orders")
        lines = lines.merge(df[["order_id", customer]], on="order_id", how="inner")
        mix = lines.pivot_table(index=customer, columns=category, values=line_amount,
                                aggfunc="sum", fill_value=0.0, observed=True)
        mix = mix.div(mix.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
        mix.columns = [f"cat_{str(c).replace(' ', '_')}" for c in mix.columns]
        out = out.join(mix, how="left").fillna({c: 0.0 for c in mix.columns})
    out.index.name = customer
    return out


def _features(data: pd.DataFrame, columns: Sequence[str] | None, table: str = "données") -> pd.DataFrame:
    """The numeric, complete columns used for a segmentation, or a French error."""
    require_dataframe(data, table)
    columns = list(data.columns) if columns is None else list(columns)
    if not columns:
        raise InvalidValueError("aucune variable choisie : donnez au moins une colonne numérique.")
    require_columns(data, columns, table)
    if len(data) == 0:
        raise InvalidValueError(f"la table « {table} » est vide : aucun client à segmenter.")
    for col in columns:
        s = data[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise InvalidValueError(
                f"la colonne '{col}' de la table « {table} » n'est pas numérique (exemple : "
                f"{s.dropna().iloc[0] if s.notna().any() else s.iloc[0]!r}) : une segmentation par "
                "distances ne prend que des nombres. Retirez-la ou codez-la (0/1, score)."
            )
        n_missing = int(s.isna().sum())
        if n_missing:
            first = s.index[s.isna().to_numpy()][0]
            raise InvalidValueError(
                f"la colonne '{col}' de la table « {table} » a {n_missing} valeur(s) manquante(s) "
                f"(la première pour l'index {first!r}) : les distances ne se calculent pas sur des "
                "trous. Retirez ces clients (dropna) ou remplacez les valeurs (fillna) en le disant."
            )
    return data[columns].astype(float)


def _check_k(k: int, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise InvalidValueError(f"le nombre de segments k doit être un entier, pas {k!r}.")
    if k < 2:
        raise InvalidValueError(f"k = {k} : il faut au moins 2 segments pour parler de segmentation.")
    if k > n:
        raise InvalidValueError(
            f"k = {k} segments demandés pour seulement {n} client(s) : choisissez k ≤ {n} "
            "(en pratique, bien moins : un segment doit réunir assez de clients pour une action)."
        )
    return int(k)


def standardize(data: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Z-scores: (x − mean) / standard deviation (population, ddof=0, as scikit-learn).

    A constant column becomes 0 (it carries no information to separate customers).

    >>> standardize(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))["x"].round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """
    x = _features(data, columns)
    sd = x.std(ddof=0)
    return (x - x.mean()) / sd.where(sd > 0, 1.0)


# ----------------------------------------------------------------- PCA (ACP)
def _pca(z: pd.DataFrame):
    from sklearn.decomposition import PCA

    with _one_thread():
        return PCA(svd_solver="full").fit(z.to_numpy())


def _components(n: int) -> list[str]:
    return [f"CP{i}" for i in range(1, n + 1)]


def pca_variance(data: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Explained variance of each principal component of the standardised variables.

    Columns: ``eigenvalue`` (variance of the component; > 1 = more than one original
    variable, Kaiser's rule), ``share`` and ``cumulative`` (ratios). Index ``CP1``, ``CP2``…

    >>> t = pca_variance(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8.5]}))
    >>> t["share"].round(2).tolist()
    [1.0, 0.0]
    """
    z = standardize(data, columns)
    pca = _pca(z)
    n = len(pca.explained_variance_ratio_)
    # eigenvalues of the correlation matrix (sklearn divides by n - 1; z used ddof=0)
    eig = pca.explained_variance_ * (len(z) - 1) / len(z)
    return pd.DataFrame({"eigenvalue": eig, "share": pca.explained_variance_ratio_,
                         "cumulative": np.cumsum(pca.explained_variance_ratio_)},
                        index=pd.Index(_components(n), name="composante"))


def _oriented(pca, z: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Scores and loadings with a deterministic sign: each axis points to its largest loading."""
    comps = pca.components_.copy()
    flip = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])
    comps *= flip[:, None]
    scores = z.to_numpy() @ comps.T
    return scores, comps


def pca_scores(data: pd.DataFrame, columns: Sequence[str] | None = None,
               n_components: int | None = None) -> pd.DataFrame:
    """Coordinates of each customer on the principal components (``CP1``, ``CP2``…)."""
    z = standardize(data, columns)
    scores, _ = _oriented(_pca(z), z)
    n = scores.shape[1] if n_components is None else min(n_components, scores.shape[1])
    return pd.DataFrame(scores[:, :n], index=data.index, columns=_components(n))


def pca_correlations(data: pd.DataFrame, columns: Sequence[str] | None = None,
                     n_components: int = 2) -> pd.DataFrame:
    """Correlation of each variable with each component: the coordinates of the correlation circle.

    A variable close to the circle (|r| near 1) is well represented by the plane; two
    arrows pointing the same way are positively correlated; at right angles, unrelated.

    >>> c = pca_correlations(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8], "c": [1, -1, -1, 1]}))
    >>> c.loc[["a", "b"], "CP1"].round(3).tolist()
    [1.0, 1.0]
    """
    z = standardize(data, columns)
    pca = _pca(z)
    scores, comps = _oriented(pca, z)
    n = min(n_components, scores.shape[1])
    sd = scores[:, :n].std(axis=0)
    corr = comps[:n].T * np.where(sd > 0, sd, 0.0)  # z has unit variance: r = loading × sd(score)
    return pd.DataFrame(corr, index=pd.Index(list(z.columns), name="variable"), columns=_components(n))


# ----------------------------------------------------------------- clustering
def _one_thread():
    """Context limiting BLAS / OpenMP to one thread.

    On a few thousand customers, k-means and the silhouette run 10 to 30 times faster
    on one thread than with the thread pools competing on a busy 2-core laptop.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def typology_pipeline(k: int, n_components: int | float | None = None,
                      random_state: int = 0, n_init: int = 10):
    """The scikit-learn pipeline StandardScaler → PCA → KMeans (unfitted).

    ``n_components=None`` keeps every axis (k-means then sees the standardised data,
    only rotated); an int keeps that many axes, a float in (0, 1) the axes needed to
    reach that share of variance.
    """
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), PCA(n_components=n_components, svd_solver="full"),
                         KMeans(n_clusters=k, n_init=n_init, random_state=random_state))


def _by_size(labels: np.ndarray, index: pd.Index, name: str = "segment") -> pd.Series:
    """Renumber cluster labels 1..k by decreasing size (ties: first appearance)."""
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))          # biggest first, then first seen
    new = np.empty(len(uniq), dtype=int)
    new[order] = np.arange(1, len(uniq) + 1)
    codes = np.searchsorted(uniq, labels)
    return pd.Series(new[codes], index=index, name=name)


def kmeans_segments(data: pd.DataFrame, columns: Sequence[str] | None, k: int,
                    n_components: int | float | None = None, random_state: int = 0,
                    n_init: int = 10) -> pd.Series:
    """K-means segments (1 = the largest) through StandardScaler → PCA → KMeans.

    >>> toy = pd.DataFrame({"x": [0, 0, 1, 9, 10, 10, 10], "y": [0, 1, 0, 10, 9, 10, 11]})
    >>> kmeans_segments(toy, ["x", "y"], k=2).tolist()
    [2, 2, 2, 1, 1, 1, 1]
    """
    x = _features(data, columns)
    k = _check_k(k, len(x))
    pipe = typology_pipeline(k, n_components, random_state, n_init)
    with _one_thread():
        labels = pipe.fit_predict(x.to_numpy())
    return _by_size(labels, x.index)


def ward_segments(data: pd.DataFrame, columns: Sequence[str] | None, k: int) -> pd.Series:
    """Hierarchical (Ward) segments on standardised variables, cut into ``k`` groups (1 = largest).

    >>> toy = pd.DataFrame({"x": [0, 0, 1, 9, 10, 10, 10], "y": [0, 1, 0, 10, 9, 10, 11]})
    >>> ward_segments(toy, ["x", "y"], k=2).tolist()
    [2, 2, 2, 1, 1, 1, 1]
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    z = standardize(data, columns)
    k = _check_k(k, len(z))
    tree = linkage(z.to_numpy(), method="ward")
    return _by_size(fcluster(tree, t=k, criterion="maxclust"), z.index)


def choose_k(data: pd.DataFrame, columns: Sequence[str] | None, ks: Sequence[int] = range(2, 9),
             n_components: int | float | None = None, random_state: int = 0,
             n_init: int = 10) -> pd.DataFrame:
    """Elbow and silhouette for each k: ``inertia`` (within-segment sum of squares, in the
    standardised space) and ``silhouette`` (−1…1, higher = better separated). Index ``k``."""
    from sklearn.metrics import silhouette_score

    x = _features(data, columns)
    rows = []
    for k in ks:  # a handful of models, not a loop over customers
        k = _check_k(k, len(x))
        pipe = typology_pipeline(k, n_components, random_state, n_init)
        with _one_thread():
            labels = pipe.fit_predict(x.to_numpy())
            reduced = pipe[:-1].transform(x.to_numpy())
            rows.append({"k": k, "inertia": pipe[-1].inertia_,
                         "silhouette": silhouette_score(reduced, labels)})
    return pd.DataFrame(rows).set_index("k")


def stability(data: pd.DataFrame, columns: Sequence[str] | None, k: int, n_boot: int = 20,
              n_components: int | float | None = None, random_state: int = 0,
              n_init: int = 10) -> pd.Series:
    """Adjusted Rand index between the typology and the same method refitted on bootstrap resamples.

    Each resample (drawn with replacement, same size) gives a new model; it assigns every
    customer of ``data`` and the ARI compares that partition with the reference one
    (1 = identical, 0 = no better than chance). Label ids do not matter to the ARI.
    """
    from sklearn.metrics import adjusted_rand_score

    x = _features(data, columns).to_numpy()
    k = _check_k(k, len(x))
    rng = np.random.default_rng(random_state)
    scores = []
    with _one_thread():
        reference = typology_pipeline(k, n_components, random_state, n_init).fit_predict(x)
        for b in range(n_boot):  # one model per resample
            rows = rng.integers(0, len(x), len(x))
            model = typology_pipeline(k, n_components, random_state + b + 1, n_init).fit(x[rows])
            scores.append(adjusted_rand_score(reference, model.predict(x)))
    return pd.Series(scores, index=pd.RangeIndex(1, n_boot + 1, name="rééchantillon"), name="ari")


# ----------------------------------------------------------------- profiles and actions
def segment_profiles(data: pd.DataFrame, segments: pd.Series | Sequence,
                     columns: Sequence[str] | None = None, standardized: bool = True) -> pd.DataFrame:
    """Mean of each variable per segment: in z-scores (``standardized=True``) or raw units.

    A standardised mean of +0.8 reads « 0.8 standard deviation above the average customer ».

    >>> toy = pd.DataFrame({"x": [0.0, 0.0, 10.0, 10.0]})
    >>> segment_profiles(toy, [1, 1, 2, 2])["x"].tolist()
    [-1.0, 1.0]
    """
    x = standardize(data, columns) if standardized else _features(data, columns)
    if len(segments) != len(x):
        raise InvalidValueError(f"{len(segments)} étiquettes de segment pour {len(x)} clients : "
                                "il en faut exactement une par client (même ordre, même index).")
    if isinstance(segments, pd.Series):
        seg = segments.rename("segment")
        if not seg.index.equals(x.index):
            seg = seg.reindex(x.index)
    else:
        seg = pd.Series(np.asarray(segments), index=x.index, name="segment")
    if seg.isna().any():
        raise InvalidValueError("des clients n'ont pas de segment (étiquette manquante) : "
                                "vérifiez que les segments ont le même index que les données.")
    return x.groupby(seg.to_numpy()).mean().rename_axis("segment")


def name_segments(profiles: pd.DataFrame, top: int = 2, threshold: float = 0.25) -> pd.Series:
    """A short French name per segment from its strongest standardised means.

    The ``top`` variables above ``threshold`` (in standard deviations) give the name
    (« Finances & Confort »); a segment with no salient variable is « Profil moyen »;
    one with only low values is named after its lowest (« Peu sensibles : Image »).

    >>> p = pd.DataFrame({"need_finances": [1.2, -0.5], "need_image": [-0.1, -0.9]}, index=[1, 2])
    >>> name_segments(p).tolist()
    ['Finances', 'Peu sensibles : Image']
    """
    require_dataframe(profiles, "profils")
    labels = np.array(variable_labels(profiles.columns), dtype=object)
    values = profiles.to_numpy(dtype=float)
    order = np.argsort(-values, axis=1, kind="stable")
    names = []
    for i in range(len(profiles)):  # one name per segment (a handful of rows)
        best = [j for j in order[i, :top] if values[i, j] >= threshold]
        if best:
            names.append(" & ".join(labels[best]))
        elif values[i].min() <= -threshold:
            names.append(f"Peu sensibles : {labels[values[i].argmin()]}")
        else:
            names.append("Profil moyen")
    return pd.Series(names, index=profiles.index, name="nom")


def action_plan(profiles: pd.DataFrame, sizes: pd.Series | None = None,
                playbook: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Differentiated action plan: each segment gets the playbook line of its strongest need.

    Only the columns present in ``playbook`` (SPECIFIC needs by default) compete; the
    table gives ``besoin dominant``, its standardised mean ``écart``, then ``offre``,
    ``canal``, ``ton``, ``service`` (and ``clients`` when ``sizes`` is given). When the
    profiles hold CIVILE columns, ``relation`` adds how to speak to the segment
    (its strongest relational need, see ``RELATION``).

    >>> p = pd.DataFrame({"need_finances": [1.1, -0.4], "need_comfort": [-0.2, 0.7]}, index=[1, 2])
    >>> action_plan(p)["besoin dominant"].tolist()
    ['Finances', 'Confort']
    """
    require_dataframe(profiles, "profils")
    playbook = PLAYBOOK if playbook is None else playbook
    needs = [c for c in profiles.columns if c in playbook]
    if not needs:
        raise InvalidValueError(
            "aucune colonne des profils n'a d'action prévue : le plan d'action s'appuie sur les "
            f"besoins ({', '.join(list(playbook)[:4])}, …). Incluez-les dans la segmentation."
        )
    dominant = profiles[needs].idxmax(axis=1)
    plan = pd.DataFrame({"besoin dominant": [SPECIFIC.get(c, c) for c in dominant],
                         "écart": [profiles.at[s, c] for s, c in dominant.items()]},
                        index=profiles.index)
    for field in ("offre", "canal", "ton", "service"):
        plan[field] = [playbook[c][field] for c in dominant]
    civ = [c for c in profiles.columns if c in RELATION]
    if civ:
        strongest = profiles[civ].idxmax(axis=1)
        plan["relation"] = [f"{CIVILE[c]} : {RELATION[c]}" for c in strongest]
    if sizes is not None:
        plan.insert(0, "clients", sizes.reindex(profiles.index).to_numpy())
    return plan


# ----------------------------------------------------------------- plots
def _segment_colors(n: int) -> list[str]:
    from .style import PALETTE

    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def plot_correlation_circle(correlations: pd.DataFrame, x: str = "CP1", y: str = "CP2",
                            variance: pd.DataFrame | None = None, ax=None):
    """Correlation circle: one arrow per variable, from ``pca_correlations``. Returns the Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    require_columns(correlations, [x, y], "corrélations")
    ax = ax or plt.gca()
    ax.add_patch(Circle((0, 0), 1, fill=False, color="#7F7F7F", lw=1))
    ax.axhline(0, color="#7F7F7F", lw=0.8)
    ax.axvline(0, color="#7F7F7F", lw=0.8)
    from .style import format_axis

    labels = variable_labels(correlations.index)
    xy = correlations[[x, y]].to_numpy(dtype=float)
    placed: list[tuple[float, float]] = []
    for (cx, cy), label in zip(xy, labels):
        ax.annotate("", xy=(cx, cy), xytext=(0, 0),
                    arrowprops={"arrowstyle": "->", "color": "#0072B2", "lw": 1.5})
        tx, ty = cx * 1.08, cy * 1.08
        while any(abs(tx - px) < 0.35 and abs(ty - py) < 0.07 for px, py in placed):
            ty += 0.08 if cy >= 0 else -0.08   # nudge a label that would overlap another one
        placed.append((tx, ty))
        ax.text(tx, ty, label, ha="left" if cx >= 0 else "right",
                va="bottom" if cy >= 0 else "top", fontsize="small")
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    format_axis(ax, x="num", y="num", decimals=1)
    suffix = {}
    if variance is not None:
        suffix = {c: f" ({variance.at[c, 'share'] * 100:.0f} %)".replace(".", ",") for c in (x, y)}
    ax.set_xlabel(f"{x}{suffix.get(x, '')} — corrélation")
    ax.set_ylabel(f"{y}{suffix.get(y, '')} — corrélation")
    ax.set_title("Cercle des corrélations")
    return ax


def plot_segment_map(scores: pd.DataFrame, segments: pd.Series, x: str = "CP1", y: str = "CP2",
                     names: pd.Series | None = None, ax=None, max_points: int = 3000):
    """Customers on two principal components, coloured by segment, centres labelled."""
    import matplotlib.pyplot as plt

    require_columns(scores, [x, y], "coordonnées")
    ax = ax or plt.gca()
    seg = np.asarray(segments)
    ids = np.unique(seg)
    colors = _segment_colors(len(ids))
    step = max(1, len(scores) // max_points)
    xy = scores[[x, y]].to_numpy()
    color_of = dict(zip(ids, colors))
    ax.scatter(xy[::step, 0], xy[::step, 1], c=[color_of[s] for s in seg[::step]], s=8, alpha=0.45,
               linewidths=0)
    centres = pd.DataFrame(xy, columns=["x", "y"]).groupby(seg).mean()
    for s, (cx, cy) in centres.iterrows():
        label = f"{s}" if names is None else f"{s} · {names.get(s, '')}"
        ax.scatter([cx], [cy], s=160, c=[color_of[s]], edgecolors="black", zorder=3)
        ax.annotate(label, (cx, cy), xytext=(6, 6), textcoords="offset points", fontsize="small",
                    fontweight="bold", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8})
    ax.axhline(0, color="#7F7F7F", lw=0.8)
    ax.axvline(0, color="#7F7F7F", lw=0.8)
    ax.set_xlabel(f"{x} (coordonnée, écarts-types)")
    ax.set_ylabel(f"{y} (coordonnée, écarts-types)")
    ax.set_title("Carte des segments dans le plan de l'ACP")
    return ax


def plot_profile_heatmap(profiles: pd.DataFrame, names: pd.Series | None = None, ax=None,
                         vmax: float = 1.5, annotate: bool = True):
    """Heatmap of standardised means (segments × variables), diverging around 0. Returns the Axes."""
    import matplotlib.pyplot as plt

    require_dataframe(profiles, "profils")
    ax = ax or plt.gca()
    values = profiles.to_numpy(dtype=float)
    im = ax.imshow(values, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    ax.set_xticks(range(values.shape[1]), variable_labels(profiles.columns), rotation=45, ha="right")
    rows = [f"{s}" if names is None else f"{s} · {names.get(s, '')}" for s in profiles.index]
    ax.set_yticks(range(values.shape[0]), rows)
    ax.grid(False)
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:+.1f}".replace(".", ","), ha="center", va="center", fontsize="x-small",
                    color="white" if abs(v) > vmax * 0.6 else "black")
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label("moyenne standardisée (écarts-types)")
    ax.set_title("Profil des segments : écart à la moyenne des clients")
    ax.set_ylabel("segment")
    return ax


def plot_dendrogram(data: pd.DataFrame, columns: Sequence[str] | None = None, k: int | None = None,
                    leaves: int = 30, ax=None):
    """Ward dendrogram of the standardised variables (the last ``leaves`` merges shown).

    With ``k``, a dashed line shows the height at which the tree is cut into k segments.
    """
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram, linkage

    z = standardize(data, columns)
    tree = linkage(z.to_numpy(), method="ward")
    ax = ax or plt.gca()
    dendrogram(tree, truncate_mode="lastp", p=leaves, ax=ax, color_threshold=0,
               above_threshold_color="#0072B2", no_labels=True)
    if k is not None:
        k = _check_k(k, len(z))
        heights = tree[::-1, 2]
        cut = (heights[k - 2] + heights[k - 1]) / 2 if k - 1 < len(heights) else 0.0
        ax.axhline(cut, color="#D55E00", ls="--", lw=1.5, label=f"coupure en {k} segments")
        ax.legend(loc="upper right")
    ax.set_title("Classification ascendante hiérarchique (Ward)")
    ax.set_xlabel("groupes de clients (les feuilles réunissent plusieurs clients)")
    ax.set_ylabel("distance de fusion (Ward)")
    return ax


# ----------------------------------------------------------------- widget
def _typology(data: pd.DataFrame, columns: Sequence[str], k: int, cache: dict,
              random_state: int = 0, n_init: int = 10) -> tuple:
    """(scores, variance, segments, profiles, names) of one typology, computed once per key."""
    key = tuple(columns)
    if ("pca", key) not in cache:
        cache[("pca", key)] = (pca_scores(data, key), pca_variance(data, key))
    if (key, k) not in cache:
        seg = kmeans_segments(data, key, k, random_state=random_state, n_init=n_init)
        prof = segment_profiles(data, seg, key)
        cache[(key, k)] = (seg, prof, name_segments(prof))
    return cache[("pca", key)] + cache[(key, k)]


def typology_view(data: pd.DataFrame, variable_sets: dict[str, Sequence[str]], cache: dict | None = None,
                  max_k: int = 8, random_state: int = 0, n_init: int = 10):
    """A live figure of a typology: segment map in a PCA plane (left), profile heatmap (right).

    Returns ``(view, update)``. ``update(variables, k, x, y)`` shows the typology of the
    variable set labelled ``variables`` in ``k`` segments on axes (CPx, CPy) and returns
    ``(title, caption)``. Fits are kept in ``cache`` (one PCA per set, one k-means per set
    and k). Each set has one background (its map's scale, the same for every axis, so
    that a minor axis looks as small as it is; its variables under the heatmap), drawn
    once: an update only moves points, centres, labels and the heatmap's values.
    Axes outside ``1..n`` (n variables) or x = y raise the French ``InvalidValueError``.
    """
    from matplotlib.colors import to_rgba_array

    from .style import PALETTE, fmt_number, fmt_pct, format_axis
    from .widgets import LiveFigure

    cache = {} if cache is None else cache
    view = LiveFigure((12, 5.4), nrows=0, heading="Typologie : carte des segments (plan de l'ACP) et profils",
                      margins={"left": 0.03, "right": 0.97, "top": 0.84, "bottom": 0.27})
    width, height = view.fig.get_size_inches()
    ax_map = view.fig.add_axes((0.04, 0.09, 0.73 * height / width, 0.73))  # square: same scale on both axes
    ax_heat = view.fig.add_axes((0.58, 0.25, 0.34, 0.57))
    ax_bar = view.fig.add_axes((0.935, 0.25, 0.012, 0.57))
    palette = to_rgba_array(PALETTE)          # RGBA once: no colour parsing per update
    pale = 0.5 * palette + 0.5                # opaque light shades: no alpha blending to draw
    # one marker line per segment: Agg draws a repeated marker much faster than a scatter
    points = [ax_map.plot([], [], ls="none", marker="o", ms=2.6, mec="none", color=pale[i])[0]
              for i in range(max_k)]
    centres = ax_map.scatter(np.zeros(1), np.zeros(1), s=160, edgecolors="black", zorder=3)
    # changing texts are the view's fast labels (Matplotlib would draw them glyph by glyph)
    labels = [view.label(0, 0, "", transform=ax_map.transData, offset=(7, 7), weight="bold", ha="left")
              for _ in range(max_k)]
    x_label = view.label(0.5, -0.02, "", transform=ax_map.transAxes, va="top")
    y_label = view.label(-0.035, 0.5, "", transform=ax_map.transAxes, rotation=90)
    ax_map.axhline(0, color="#7F7F7F", lw=0.8)
    ax_map.axvline(0, color="#7F7F7F", lw=0.8)
    ax_map.set_title("Carte des segments")
    ax_map.tick_params(labelbottom=False, labelleft=False, length=0)  # coordinates carry no meaning
    image = ax_heat.imshow(np.zeros((2, 2)), cmap="RdBu_r", vmin=-1.5, vmax=1.5, aspect="auto",
                           interpolation="nearest", extent=(-0.5, 1.5, 1.0, 0.0))
    ax_heat.grid(False)
    ax_heat.set_yticks([])
    ax_heat.set_ylim(1.0, 0.0)  # k rows share the full height: the scale never changes with k
    rows = [view.label(-0.6, 0, "", transform=ax_heat.transData, ha="right", va="center", size="small")
            for _ in range(max_k)]
    ax_heat.set_title("Profil : écart à la moyenne (écarts-types)")
    bar = view.fig.colorbar(image, cax=ax_bar, ticks=[-1.5, -1, 0, 1, 1.5])
    format_axis(bar.ax, y="num", decimals=1)
    view.animate(*points, centres, image)
    scenes: dict[str, dict] = {}

    def scene(variables: str) -> dict:
        """Fit the set once; give the map and the heatmap this set's scale and variables."""
        if variables not in variable_sets:
            raise InvalidValueError(f"jeu de variables inconnu : {variables!r} (choisir parmi {', '.join(variable_sets)}).")
        columns = list(variable_sets[variables])
        if variables not in scenes:
            scores, variance, *_ = _typology(data, columns, 2, cache, random_state, n_init)
            reach = float(np.abs(scores.to_numpy()).max()) * 1.05
            scenes[variables] = {"columns": columns, "scores": scores.to_numpy(), "reach": reach,
                                 "share": variance["share"].to_numpy(),
                                 "labels": tuple(variable_labels(columns))}
        sc = scenes[variables]
        if view.scene != variables:
            ax_map.set_xlim(-sc["reach"], sc["reach"])
            ax_map.set_ylim(-sc["reach"], sc["reach"])
            n_cols = len(columns)
            ax_heat.set_xlim(-0.5, n_cols - 0.5)
            ax_heat.set_xticks(range(n_cols), sc["labels"], rotation=45, ha="right",
                               fontsize="small" if n_cols > 10 else None)
            image.set_extent((-0.5, n_cols - 0.5, 1.0, 0.0))
            view.scene = variables
        return sc

    def update(variables: str, k: int = 4, x: int = 1, y: int = 2) -> tuple[str, str]:
        sc = scene(variables)
        n_axes = sc["scores"].shape[1]
        x, y, k = int(x), int(y), int(k)
        if not (1 <= x <= n_axes and 1 <= y <= n_axes) or x == y:
            raise InvalidValueError(f"choisissez deux axes différents entre CP1 et CP{n_axes} "
                                    f"({len(sc['columns'])} variables donnent {n_axes} axes).")
        if not 2 <= k <= max_k:
            raise InvalidValueError(f"le nombre de segments va de 2 à {max_k} (reçu : {k}).")
        _, _, seg, prof, names = _typology(data, sc["columns"], k, cache, random_state, n_init)
        xy = sc["scores"][:, [x - 1, y - 1]]
        codes = (seg.to_numpy() - 1) % max_k
        for i, line in enumerate(points):
            mine = codes == i
            line.set_data(xy[mine, 0], xy[mine, 1])
            line.set_visible(bool(mine.any()))
        centre = pd.DataFrame(xy).groupby(seg.to_numpy()).mean()
        centres.set_offsets(centre.to_numpy())
        centres.set_facecolors(palette[(centre.index.to_numpy() - 1) % len(palette)])
        for i, label in enumerate(labels):
            if i < len(centre):
                label.set_text(str(centre.index[i]))
                label.set_position(tuple(centre.iloc[i]))
            label.set_visible(i < len(centre))
        share = sc["share"]
        x_label.set_text(f"CP{x} ({fmt_pct(share[x - 1], 0)} de la variance)")
        y_label.set_text(f"CP{y} ({fmt_pct(share[y - 1], 0)} de la variance)")
        values = prof.to_numpy(dtype=float)
        n_rows = values.shape[0]
        image.set_data(values)
        for i, text in enumerate(rows):
            text.set_text(f"{prof.index[i]} · {names.iloc[i]}" if i < n_rows else "")
            text.set_position((-0.6, (i + 0.5) / n_rows))
        title = f"{variables} : {k} segments, plan CP{x} × CP{y}"
        caption = (f"{fmt_number(len(data))} clients, {len(sc['columns'])} variables ; "
                   f"les axes CP{x} et CP{y} résument {fmt_pct(share[x - 1] + share[y - 1], 0)} de la variance.")
        return title, caption

    return view, update


def typology_explorer(data: pd.DataFrame, variable_sets: dict[str, Sequence[str]],
                      ks: Sequence[int] = range(2, 9), k: int = 4, cache: dict | None = None):
    """Widget: choose the variables, k and the PCA axes → segment map and profile heatmap.

    ``variable_sets`` maps a French label to a list of columns. The axis sliders are bounded
    by the number of components of the chosen set, and kept apart (choosing for one axis
    the other's component swaps them). Every (set, k) is fitted once, at creation, and
    kept in ``cache``; each set's background is drawn then too, so that moving a control
    only redraws points and colours. Returns the widget box (the last expression of a cell
    displays it); its ``view`` shows the current state.
    """
    from . import widgets

    cache = {} if cache is None else cache
    view, update = typology_view(data, variable_sets, cache=cache, max_k=max(ks))
    first = next(iter(variable_sets))
    for label, columns in variable_sets.items():  # fit every (set, k) now (~0.5 s a set)
        for kk in ks:
            _typology(data, list(columns), kk, cache)
        update(label, k)
        view.render()
    n_first = len(variable_sets[first])
    controls = {
        "variables": widgets.choice("Variables", list(variable_sets), first),
        "k": widgets.integer("Segments (k)", k, min(ks), max(ks)),
        "x": widgets.integer("Axe horizontal (CP)", 1, 1, n_first),
        "y": widgets.integer("Axe vertical (CP)", 2, 1, n_first),
    }

    def adjust(c, change) -> None:
        """Axes bounded by the set's number of components, and never equal."""
        n = len(variable_sets[c["variables"].value])
        c["x"].max = c["y"].max = n  # a value above is brought down to n
        for name, peer in (("x", "y"), ("y", "x")):
            if change["owner"] is c[name] and c[name].value == c[peer].value:
                c[peer].value = change["old"]  # the other axis's component: the two axes swap
        if c["x"].value == c["y"].value:  # both brought down to the last component
            c["y"].value = c["x"].value - 1 if c["x"].value > 1 else 2

    return widgets.explorer(view, update, controls, adjust=adjust, name="explorateur de typologie")


def draw_typology(data: pd.DataFrame, columns: Sequence[str], k: int = 4, x: int = 1, y: int = 2,
                  cache: dict | None = None, label: str = "Variables choisies", random_state: int = 0,
                  n_init: int = 10):
    """One view of a typology (see :func:`typology_view`), as a figure a notebook cell shows.

    ``cache`` (a dict) keeps the PCA and each k's segments, so that the explorer given
    the same dict refits nothing.
    """
    view, update = typology_view(data, {label: list(columns)}, cache=cache, random_state=random_state,
                                 n_init=n_init)
    title, caption = update(label, k, x, y)
    view.set_title(title)
    view.caption = caption
    return view
