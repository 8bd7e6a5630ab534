"""Chapter 03 — Le cycle de vie client: questions and expected answers.

Every expected answer is computed from the data with ``crmlab.lifecycle``, with the
chapter's conventions: dormant / lost thresholds at the 85th / 97th percentile of the
inter-purchase gaps, ``nouveau`` for 90 days, statuses at the 36 month-ends.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import datasets, lifecycle
from ..exercises import question
from . import table

NEW_DAYS = 90
END_2024 = pd.Timestamp("2024-12-31")
END_2025 = pd.Timestamp("2025-12-31")


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
                                     prospects=datasets.load_prospects(), **_thresholds())


@question("03-q1", kind="number", rtol=1e-3, percent=True,
          concept="le taux de conversion des prospects est la part des inscrits devenus clients "
                  "(colonne converted_customer_id renseignée).",
          hints=["Un prospect converti a un identifiant client dans `converted_customer_id`.",
                 "`.notna()` donne True quand la colonne est renseignée ; la moyenne de booléens est une part.",
                 "Méthode : `prospects['converted_customer_id'].notna().mean()`."])
def _conversion_rate() -> float:
    return float(datasets.load_prospects()["converted_customer_id"].notna().mean())


@question("03-q2", kind="number", rtol=1e-6,
          concept="l'écart entre deux achats se calcule entre jours d'achat distincts d'un même client, "
                  "triés dans le temps.",
          hints=["Deux commandes du même client le même jour ne comptent que pour un achat : dédoublonnez.",
                 "Triez par client et par date, puis `groupby('customer_id')['order_date'].diff()` ; "
                 "`.dt.days` convertit en jours.",
                 "Méthode : `drop_duplicates()` sur (customer_id, order_date), tri, `diff()` par client, "
                 "`.dt.days`, puis la médiane des écarts non manquants (ou `lifecycle.inter_purchase_gaps`)."])
def _median_gap() -> float:
    return float(_gaps()["gap_days"].median())


@question("03-q3", kind="integer",
          concept="un seuil fondé sur les données est un quantile de la distribution des écarts entre achats.",
          hints=["Il s'agit d'un quantile (centile) des écarts de la question précédente.",
                 "`ecarts.quantile(0.9)` donne le 90ᵉ centile ; arrondissez au jour supérieur avec `np.ceil`.",
                 "Méthode : `int(np.ceil(ecarts.quantile(0.9)))`, ou "
                 "`lifecycle.gap_thresholds(gaps, dormant_q=0.9, lost_q=0.99)['dormant_days']`."])
def _p90_gap() -> int:
    return int(lifecycle.gap_thresholds(_gaps(), dormant_q=0.9, lost_q=0.99)["dormant_days"])


@question("03-q4", kind="series", rtol=0, atol=0.5,
          concept="le statut dépend de l'ancienneté (nouveau si premier achat ≤ 90 jours) puis de la récence "
                  "(actif ≤ seuil dormant < dormant ≤ seuil perdu < perdu), à la date choisie.",
          hints=["Ne gardez que les commandes passées jusqu'au 31 décembre 2024, puis la première et la dernière "
                 "date d'achat par client.",
                 "Ancienneté = date − premier achat ; récence = date − dernier achat, en jours ; "
                 "`np.select` applique les règles dans l'ordre (nouveau d'abord).",
                 "Méthode : `lifecycle.customer_status(orders, '2024-12-31', **seuils, new_days=90)` puis "
                 "`value_counts()` de la colonne, puis `.drop('prospect')` : index attendu nouveau, actif, dormant, perdu."])
def _portfolio_2024() -> pd.Series:
    s = lifecycle.customer_status(_orders(), END_2024, new_days=NEW_DAYS, **_thresholds())
    return lifecycle.portfolio(s).iloc[0][["nouveau", "actif", "dormant", "perdu"]]


@question("03-q5", kind="number", rtol=1e-3, atol=1e-3, percent=True,
          concept="une ligne de la matrice de transition donne, pour les personnes d'un statut à une fin de mois, "
                  "la part de chaque statut à la fin du mois suivant, toutes paires de mois confondues.",
          hints=["Il faut la matrice de transition normalisée par ligne, sur les 36 fins de mois.",
                 "`lifecycle.transition_matrix(statuts)` donne les parts ; lisez la ligne « actif ».",
                 "Méthode : `lifecycle.transition_matrix(statuts).loc['actif', 'dormant']`."])
def _active_to_dormant() -> float:
    return float(lifecycle.transition_matrix(_statuses()).loc["actif", "dormant"])


@question("03-q6", kind="integer",
          concept="le solde du portefeuille = conquêtes + retours de clients perdus − pertes ; c'est la variation "
                  "du nombre de clients vivants (nouveaux, actifs, dormants).",
          hints=["`lifecycle.flows(statuts)` donne les flux de chaque mois.",
                 "Gardez les mois de 2025 (`flux.index.year == 2025`) et additionnez la colonne du solde.",
                 "Méthode : `flux.loc[flux.index.year == 2025, 'net'].sum()` — ou la variation des clients "
                 "vivants entre fin 2024 et fin 2025."])
def _net_2025() -> int:
    f = lifecycle.flows(_statuses())
    return int(f.loc[f.index.year == 2025, "net"].sum())


@question("03-q7", kind="number", rtol=1e-3,
          concept="une projection de Markov multiplie le vecteur des effectifs par la matrice de transition, "
                  "une fois par mois : n(t+1) = n(t) · P.",
          hints=["Estimez la matrice sur les colonnes jusqu'à fin 2024 seulement : `statuts.loc[:, :'2024-12-31']`.",
                 "Le point de départ est le portefeuille (tous statuts, prospects compris) au 31 décembre 2024 ; "
                 "projetez 12 mois sans entrées.",
                 "Méthode : `lifecycle.project(depart, P_2324, 12)` puis la valeur « actif » de la dernière ligne."])
def _projected_active() -> float:
    estimation = _statuses().loc[:, :END_2024]
    P = lifecycle.transition_matrix(estimation)
    start = lifecycle.portfolio(estimation).iloc[-1]
    return float(lifecycle.project(start, P, 12).iloc[-1]["actif"])


@question("03-q8", kind="choice", choices=lifecycle.STATUSES,
          concept="la marge mensuelle moyenne d'un statut = marge réalisée dans le mois par les personnes de ce "
                  "statut en fin de mois / nombre de personnes-mois dans ce statut.",
          hints=["Pensez à ce qu'un client de chaque statut achète, en moyenne, dans un mois.",
                 "`lifecycle.status_value(statuts.loc[:, '2024-01-31':'2024-12-31'], orders)` donne la marge "
                 "mensuelle moyenne par statut en 2024.",
                 "Méthode : le statut dont la valeur est la plus grande (`.idxmax()`), écrit en toutes lettres."])
def _best_status() -> str:
    v = lifecycle.status_value(_statuses().loc[:, "2024-01-31":END_2024], _orders(), value_col="gross_margin")
    return str(v.idxmax())


@question("03-q9", kind="set",
          concept="un candidat à la reconquête est dormant à la date, dans le quart des dormants à plus forte "
                  "marge passée, et joignable (consentement e-mail ou SMS, pas de désinscription).",
          hints=["Partez des clients « dormant » au 31 décembre 2025.",
                 "Marge passée = somme de `gross_margin` jusqu'à la date ; gardez ceux dont la marge est au moins "
                 "le 75ᵉ centile des dormants ; vérifiez `consent_email`, `consent_sms` et `unsubscribe_date`.",
                 "Méthode : `lifecycle.winback_candidates(statuts['2025-12-31'], customers, orders, "
                 "as_of='2025-12-31', top_share=0.25).index`."])
def _winback() -> list[str]:
    w = lifecycle.winback_candidates(_statuses()[END_2025], datasets.load_customers(), _orders(),
                                     as_of=END_2025, value_col="gross_margin", top_share=0.25)
    return list(w.index)


@question("03-q10", kind="number", rtol=1e-3, atol=1e-3, percent=True,
          concept="le rapport pertes / conquêtes dit quelle part de l'effort de conquête sert seulement à "
                  "remplacer les clients perdus.",
          hints=["Il faut les pertes et les conquêtes de l'année 2025, dans `lifecycle.flows(statuts)`.",
                 "Sommez les colonnes `lost` et `acquired` sur les mois de 2025, puis divisez.",
                 "Méthode : `f = flux[flux.index.year == 2025]` puis `f['lost'].sum() / f['acquired'].sum()`."])
def _loss_ratio_2025() -> float:
    f = lifecycle.flows(_statuses())
    f = f[f.index.year == 2025]
    return float(f["lost"].sum() / f["acquired"].sum())
