"""Chapter 03 — Le cycle de vie client: questions, expected answers and plausible mistakes.

Every expected answer is computed from the data with ``crmlab.lifecycle``, with the
chapter's conventions: dormant / lost thresholds at the 85th / 97th percentile of the
inter-purchase gaps, ``nouveau`` for 90 days, statuses at the 36 month-ends.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import lifecycle
from ..exercises import (Answer, Choice, Count, Days, IdSet, Number, Ratio, SeriesOf, mistake,
                         question)
from . import table

NEW_DAYS = 90
END_2024 = pd.Timestamp("2024-12-31")
Q3_2024 = pd.Timestamp("2024-09-30")
END_2025 = pd.Timestamp("2025-12-31")
LIVING = ["nouveau", "actif", "dormant", "perdu"]


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _gaps() -> pd.DataFrame:
    return lifecycle.inter_purchase_gaps(_orders())


@cache
def _thresholds() -> dict[str, int]:
    return {k: int(v) for k, v in lifecycle.gap_thresholds(_gaps(), dormant_q=0.85, lost_q=0.97).items()}


@cache
def _statuses() -> pd.DataFrame:
    months = lifecycle.month_ends("2023-01-01", "2025-12-31")
    return lifecycle.customer_status(_orders(), months, new_days=NEW_DAYS,
                                     prospects=table("prospects"), **_thresholds())


@cache
def _flows() -> pd.DataFrame:
    return lifecycle.flows(_statuses())


@question("03-q1", Ratio(decimals=3, percent_ok=True),
          concept="le taux de conversion des prospects est la part des inscrits devenus clients "
                  "(colonne `converted_customer_id` renseignée), ici parmi les inscrits d'une année.",
          hints=["Gardez les prospects inscrits en 2024 (colonne `signup_date`).",
                 "Un prospect converti a un identifiant client dans `converted_customer_id` : `.notna()` donne `True` "
                 "quand la colonne est renseignée.",
                 "La moyenne d'une série de booléens est la part des `True`."])
def _conversion_rate_2024() -> Answer:
    p = table("prospects")
    converted = p["converted_customer_id"].notna()
    in_2024 = p["signup_date"].dt.year == 2024
    return Answer(
        float(converted[in_2024].mean()),
        mistake("tous les prospects au lieu des seuls inscrits de 2024", float(converted.mean())),
        mistake("le nombre de prospects convertis au lieu de leur part", float(converted[in_2024].sum())),
        mistake("la part des prospects non convertis", float(1 - converted[in_2024].mean())),
    )


@question("03-q2", Days(decimals=0),
          concept="l'écart entre deux achats se calcule entre jours d'achat distincts d'un même client, "
                  "triés dans le temps ; on l'attribue à l'année de l'achat le plus récent.",
          hints=["Deux commandes du même client le même jour ne comptent que pour un achat : dédoublonnez "
                 "les couples (client, date).",
                 "Triez par client et par date, puis calculez l'écart avec la date précédente **du même client** "
                 "(`groupby` puis `.diff()`) ; `.dt.days` convertit l'écart en jours.",
                 "Gardez les écarts dont l'achat le plus récent a lieu en 2025, puis leur médiane ; "
                 "`lifecycle.inter_purchase_gaps` donne tous les écarts (colonne `order_date` = l'achat le plus récent)."])
def _median_gap_2025() -> Answer:
    gaps = _gaps()
    g25 = gaps.loc[gaps["order_date"].dt.year == 2025, "gap_days"]
    o = _orders().sort_values(["customer_id", "order_date"], kind="stable")
    raw = o.assign(gap=o.groupby("customer_id")["order_date"].diff().dt.days)
    raw25 = raw.loc[raw["order_date"].dt.year == 2025, "gap"].dropna()
    return Answer(
        float(g25.median()),
        mistake("les écarts des trois années au lieu de ceux de 2025", float(gaps["gap_days"].median())),
        mistake("la moyenne au lieu de la médiane", float(g25.mean())),
        mistake("les commandes d'un même jour comptées comme deux achats (écarts de 0 jour)", float(raw25.median())),
    )


@question("03-q3", Days(decimals=0),
          concept="un seuil fondé sur les données est un quantile de la distribution des écarts entre achats.",
          hints=["Il s'agit d'un quantile (centile) des écarts entre jours d'achat de tous les clients, "
                 "toutes années confondues.",
                 "`.quantile(0.75)` sur la colonne des écarts donne le 75ᵉ centile (le quartile supérieur).",
                 "Arrondissez au jour **supérieur** avec `np.ceil` (pas au plus proche)."])
def _p75_gap() -> Answer:
    gaps = _gaps()["gap_days"]
    raw = float(gaps.quantile(0.75))
    o = _orders().sort_values(["customer_id", "order_date"], kind="stable")
    with_zero = o.groupby("customer_id")["order_date"].diff().dt.days.dropna()
    return Answer(
        int(np.ceil(raw)),
        mistake("le quantile non arrondi au jour supérieur", raw),
        mistake("le quantile arrondi au plus proche, pas au jour supérieur", float(round(raw))),
        mistake("le 85ᵉ centile (le seuil « dormant » du cours) au lieu du 75ᵉ", _thresholds()["dormant_days"]),
        mistake("la médiane au lieu du 75ᵉ centile", float(np.ceil(gaps.median()))),
        mistake("les commandes d'un même jour comptées comme deux achats",
                int(np.ceil(with_zero.quantile(0.75)))),
    )


def _portfolio_at(date: pd.Timestamp) -> pd.Series:
    s = lifecycle.customer_status(_orders(), date, new_days=NEW_DAYS, **_thresholds())
    return lifecycle.portfolio(s).iloc[0][LIVING].astype(float)


@question("03-q4", SeriesOf(Count(), index="le statut (« nouveau », « actif », « dormant », « perdu »)",
                            labels_public=True),
          concept="le statut dépend de l'ancienneté (nouveau si premier achat ≤ 90 jours), puis de la récence "
                  "(dormant au-delà du seuil dormant, perdu au-delà du seuil perdu) ; en deçà du seuil dormant, "
                  "« actif » exige un deuxième jour d'achat (sinon le client reste « nouveau »), à la date choisie.",
          hints=["Ne gardez que les commandes passées jusqu'au 30 septembre 2024, puis la première et la dernière "
                 "date d'achat par client.",
                 "Ancienneté = date − premier achat ; récence = date − dernier achat, en jours ; comptez aussi "
                 "les jours d'achat distincts (`nunique`) : un seul jour d'achat, et le client n'est pas encore actif. "
                 "`np.select` applique les règles dans l'ordre (« nouveau » d'abord).",
                 "`lifecycle.customer_status` fait le calcul ; comptez les statuts avec `value_counts()` et "
                 "retirez la ligne « prospect » s'il y en a une."])
def _portfolio_q3_2024() -> Answer:
    o = _orders()
    date = Q3_2024
    past = o[o["order_date"] <= date].groupby("customer_id")["order_date"].agg(["min", "max", "nunique"])
    age, rec = (date - past["min"]).dt.days, (date - past["max"]).dt.days
    once = (past["nunique"] == 1).to_numpy()
    th = _thresholds()
    by_recency = np.select([rec <= th["dormant_days"], rec <= th["lost_days"]], ["actif", "dormant"], default="perdu")
    late_new = pd.Series(np.where((by_recency == "actif") & once, "nouveau", by_recency)).value_counts()
    no_repeat_rule = pd.Series(np.select([age <= NEW_DAYS, rec <= th["dormant_days"], rec <= th["lost_days"]],
                                         ["nouveau", "actif", "dormant"], default="perdu")).value_counts()
    return Answer(
        _portfolio_at(date),
        mistake("les statuts au 31 décembre 2024 au lieu du 30 septembre 2024", _portfolio_at(END_2024)),
        mistake("« nouveau » testé après la récence (l'ordre des règles compte)",
                late_new.reindex(LIVING, fill_value=0).astype(float)),
        mistake("« actif » accordé sans deuxième achat : un client d'un seul achat reste « nouveau » "
                "tant qu'il n'est pas dormant",
                no_repeat_rule.reindex(LIVING, fill_value=0).astype(float)),
    )


@question("03-q5", Ratio(decimals=3, percent_ok=True),
          concept="une ligne de la matrice de transition donne, pour les personnes d'un statut à une fin de mois, "
                  "la part de chaque statut à la fin du mois suivant, toutes paires de mois confondues.",
          hints=["Il faut la matrice de transition **normalisée par ligne**, sur les 36 fins de mois.",
                 "`lifecycle.transition_matrix(statuts)` donne les parts : lignes = statut de départ, "
                 "colonnes = statut d'arrivée.",
                 "Lisez une seule cellule du tableau avec `.loc[...]` (ligne = statut de départ, colonne = statut "
                 "d'arrivée) : ici un nouveau client qui devient actif."],
          on_collection="Sélectionnez la cellule voulue du tableau avec `.loc[ligne, colonne]` "
                        "(ligne = statut de départ, colonne = statut d'arrivée).")
def _new_to_active() -> Answer:
    P = lifecycle.transition_matrix(_statuses())
    counts = lifecycle.transition_matrix(_statuses(), normalize=False)
    by_column = counts / counts.sum(axis=0)
    return Answer(
        float(P.loc["nouveau", "actif"]),
        mistake("la transition actif → nouveau (ligne et colonne inversées)", float(P.loc["actif", "nouveau"])),
        mistake("des parts par colonne au lieu de par ligne", float(by_column.loc["nouveau", "actif"])),
        mistake("le nombre de transitions au lieu de leur part", float(counts.loc["nouveau", "actif"])),
        mistake("la probabilité de rester nouveau au lieu de devenir actif", float(P.loc["nouveau", "nouveau"])),
    )


@question("03-q6", Count(),
          concept="le solde du portefeuille = conquêtes + retours de clients perdus − pertes ; c'est la variation "
                  "du nombre de clients vivants (nouveaux, actifs, dormants).",
          hints=["`lifecycle.flows` appliquée à la table `statuts` donne les flux de chaque mois (conquêtes, retours, "
                 "pertes, solde).",
                 "Gardez les six mois de janvier à juin 2025 : l'index est fait de dates (les fins de mois), "
                 "`.loc['2025-01':'2025-06']` les sélectionne.",
                 "Additionnez la colonne du solde (`net`) sur ces mois."])
def _net_h1_2025() -> Answer:
    f = _flows()
    h1, h2 = f.loc["2025-01":"2025-06"], f.loc["2025-07":"2025-12"]
    return Answer(
        int(h1["net"].sum()),
        mistake("conquêtes − pertes, sans les retours de clients perdus", int((h1["acquired"] - h1["lost"]).sum())),
        mistake("toute l'année 2025 au lieu du premier semestre", int(f.loc["2025", "net"].sum())),
        mistake("le second semestre au lieu du premier", int(h2["net"].sum())),
        mistake("le premier semestre 2024 au lieu de 2025", int(f.loc["2024-01":"2024-06", "net"].sum())),
    )


def _projection(months_until: pd.Timestamp, steps: int = 12) -> float:
    estimation = _statuses().loc[:, :months_until]
    P = lifecycle.transition_matrix(estimation)
    start = lifecycle.portfolio(_statuses().loc[:, :END_2024]).iloc[-1]
    return float(lifecycle.project(start, P, steps).iloc[-1]["actif"])


@question("03-q7", Number(decimals=0),
          concept="une projection de Markov multiplie le vecteur des effectifs par la matrice de transition, "
                  "une fois par mois : n(t+1) = n(t) · P, ici pendant deux ans.",
          hints=["Estimez la matrice sur les colonnes de `statuts` jusqu'à fin 2024 seulement : `.loc` accepte une "
                 "tranche de colonnes (`[:, :date]`).",
                 "Le point de départ est le portefeuille (tous statuts, prospects compris) au 31 décembre 2024 : "
                 "la dernière ligne de `lifecycle.portfolio` sur ces mêmes colonnes.",
                 "`lifecycle.project(...)` projette le portefeuille de départ avec la matrice, pour un nombre de mois "
                 "donné, sans entrées ; lisez la colonne « actif » de la dernière ligne."])
def _projected_active() -> Answer:
    return Answer(
        _projection(END_2024, 24),
        mistake("12 mois de projection au lieu de 24", _projection(END_2024, 12)),
        mistake("la matrice estimée sur les trois années (2025 comprise) au lieu de 2023-2024",
                _projection(END_2025, 24)),
        mistake("23 pas de projection au lieu de 24", _projection(END_2024, 23)),
    )


@question("03-q8", Choice(choices=lifecycle.STATUSES),
          concept="la marge mensuelle moyenne d'un statut = marge réalisée dans le mois par les personnes de ce "
                  "statut en fin de mois / nombre de personnes-mois dans ce statut.",
          hints=["Pensez à ce qu'un client de chaque statut achète, en moyenne, dans un mois.",
                 "`lifecycle.status_value` donne la marge mensuelle moyenne par statut, sur les colonnes de "
                 "`statuts` de l'année 2024 (`value_col='gross_margin'`).",
                 "Le statut cherché est l'étiquette de la plus grande valeur (`.idxmax()`), écrite en toutes lettres."])
def _best_status() -> str:
    v = lifecycle.status_value(_statuses().loc[:, "2024-01-31":END_2024], _orders(), value_col="gross_margin")
    return str(v.idxmax())


def _winback(as_of: pd.Timestamp, value_col: str = "gross_margin", top_share: float = 0.25,
             consent: bool = True) -> list[str]:
    customers = table("customers")
    if not consent:
        customers = customers.assign(consent_email=1, consent_sms=1, unsubscribe_date=pd.NaT)
    w = lifecycle.winback_candidates(_statuses()[as_of], customers, _orders(), as_of=as_of,
                                     value_col=value_col, top_share=top_share)
    return list(w.index)


@question("03-q9", IdSet(),
          concept="un candidat à la reconquête est dormant à la date, dans le quart des dormants à plus forte "
                  "marge passée, et joignable (consentement e-mail ou SMS, pas de désinscription).",
          hints=["Partez des clients « dormant » au 31 décembre 2025 (colonne de cette date dans `statuts`).",
                 "Marge passée = somme de `gross_margin` jusqu'à la date ; gardez ceux dont la marge atteint au "
                 "moins le 75ᵉ centile **des dormants** ; vérifiez `consent_email`, `consent_sms` et "
                 "`unsubscribe_date` dans `customers`.",
                 "`lifecycle.winback_candidates` applique les trois critères ; son index donne les identifiants."])
def _winback_2025() -> Answer:
    return Answer(
        _winback(END_2025),
        mistake("sans le critère de joignabilité (consentement, désinscription)", _winback(END_2025, consent=False)),
        mistake("le quart supérieur selon le chiffre d'affaires au lieu de la marge",
                _winback(END_2025, value_col="amount")),
        mistake("tous les dormants joignables, sans garder le quart à plus forte marge",
                _winback(END_2025, top_share=1.0)),
        mistake("les dormants au 31 décembre 2024 au lieu de 2025", _winback(END_2024)),
    )


@question("03-q10", Ratio(decimals=3, percent_ok=True),
          concept="le rapport pertes / conquêtes dit quelle part de l'effort de conquête sert seulement à "
                  "remplacer les clients perdus.",
          hints=["Il faut les pertes et les conquêtes du premier semestre 2025, dans les flux mensuels (`lifecycle.flows`).",
                 "Sommez les colonnes `lost` et `acquired` sur les mois de janvier à juin 2025.",
                 "Le rapport demandé a les pertes au numérateur."])
def _loss_ratio_h1_2025() -> Answer:
    f = _flows()
    y, full = f.loc["2025-01":"2025-06"], f.loc["2025"]
    return Answer(
        float(y["lost"].sum() / y["acquired"].sum()),
        mistake("le rapport inversé (conquêtes / pertes)", float(y["acquired"].sum() / y["lost"].sum())),
        mistake("toute l'année 2025 au lieu du premier semestre", float(full["lost"].sum() / full["acquired"].sum())),
        mistake("les pertes rapportées au solde au lieu des conquêtes", float(y["lost"].sum() / y["net"].sum())),
    )
