"""Chapter 01 — Du marketing transactionnel au marketing relationnel: questions and expected answers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import datasets, retention
from ..exercises import question
from . import table

DISCOUNT = 0.10  # the discount rate every question of the chapter uses
YEAR = 2025


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _flows() -> pd.DataFrame:
    return retention.portfolio_flows(_orders(), inactive_after=12)


@cache
def _parameters() -> tuple[float, float, float]:
    """Verdane's retention economics in 2025: (retention, margin per buyer, mean acquisition cost)."""
    o = _orders()
    r = float(retention.yearly_retention(o).loc[YEAR, "retention_rate"])
    this_year = o[o["order_date"].dt.year == YEAR]
    m = float(this_year["gross_margin"].sum() / this_year["customer_id"].nunique())
    ac = float(datasets.load_customers()["acquisition_cost"].mean())
    return r, m, ac


@question("01-q1", kind="number", rtol=1e-4, percent=True,
          concept="avec un taux de rétention constant r, il reste r^N des clients au bout de N ans.",
          hints=["Cherchez r tel qu'il reste la moitié des clients après 4 ans.",
                 "Il faut résoudre r ** 4 = 0.5 : une racine quatrième.",
                 "Méthode : `0.5 ** (1 / 4)`, ou `retention.implied_retention(share_lost=0.5, periods=4)`."])
def _implied_retention() -> float:
    return float(retention.implied_retention(share_lost=0.5, periods=4))


@question("01-q2", kind="number", rtol=1e-3, percent=True,
          concept="la rétention d'une année sur l'autre est la part des clients acheteurs une année "
                  "qui achètent de nouveau l'année suivante.",
          hints=["Il faut deux ensembles de clients : les acheteurs de 2024 et ceux de 2025.",
                 "Les clients distincts d'une année : `orders.loc[orders['order_date'].dt.year == 2024, "
                 "'customer_id'].unique()` ; `isin` dit lesquels sont aussi dans l'autre ensemble.",
                 "Méthode : (acheteurs 2024 présents parmi les acheteurs 2025) / (acheteurs 2024), ou "
                 "`retention.yearly_retention(orders)`."])
def _retention_2025() -> float:
    return _parameters()[0]


@question("01-q3", kind="number", rtol=1e-3,
          concept="la marge annuelle par client actif est la marge brute de l'année divisée par le nombre "
                  "de clients distincts qui ont acheté cette année-là.",
          hints=["La marge est dans la colonne `gross_margin`, pas dans `amount`.",
                 "Divisez par des clients distincts (`nunique`), pas par des commandes.",
                 "Méthode : somme de `gross_margin` des commandes 2025 / nombre de `customer_id` distincts en 2025."])
def _margin_per_buyer() -> float:
    return _parameters()[1]


@question("01-q4", kind="number", rtol=1e-4,
          concept="profit cumulé actualisé = − coût d'acquisition + somme des marges des survivants, chaque "
                  "marge de la période t étant divisée par (1 + d)^t.",
          hints=["Période 0 : on paie 1 000 × 60 €. En période t ≥ 1, il reste 1 000 × 0,7^(t−1) clients.",
                 "Chaque flux de la période t est divisé par 1,08^t ; faites la somme de t = 0 à 5.",
                 "Méthode : `retention.cohort_profit(0.7, 80, 60, 0.08, periods=5, customers=1000)` et la "
                 "dernière valeur de `cumulative_profit`."])
def _cohort_value() -> float:
    table = retention.cohort_profit(0.7, 80, 60, 0.08, periods=5, customers=1000)
    return float(table["cumulative_profit"].iloc[-1])


@question("01-q5", kind="integer",
          concept="un client réactivé achète ce mois-ci alors que son achat précédent date de plus de "
                  "12 mois (il était inactif).",
          hints=["`retention.portfolio_flows` compte, mois par mois, nouveaux, fidèles, réactivés et perdus.",
                 "Gardez les mois de 2025 (`.loc['2025']` sur l'index des mois) et additionnez.",
                 "Méthode : `retention.portfolio_flows(orders, inactive_after=12).loc['2025', 'reactivated'].sum()`."])
def _reactivated_2025() -> int:
    return int(_flows().loc[str(YEAR), "reactivated"].sum())


@question("01-q6", kind="integer",
          concept="la base active varie de (nouveaux + réactivés − perdus) : recruter et reconquérir "
                  "l'alimentent, l'attrition la vide.",
          hints=["Comparez la base active de fin décembre 2025 à celle de fin décembre 2024.",
                 "Ou additionnez les flux de 2025 : nouveaux + réactivés − perdus ; les deux calculs concordent.",
                 "Méthode : `f = retention.portfolio_flows(orders, inactive_after=12)` puis "
                 "`f.loc['2025-12-01', 'active'] - f.loc['2024-12-01', 'active']`."])
def _active_change_2025() -> int:
    f = _flows()
    return int(f.loc[pd.Timestamp(f"{YEAR}-12-01"), "active"] - f.loc[pd.Timestamp(f"{YEAR - 1}-12-01"), "active"])


@question("01-q7", kind="number", rtol=2e-3,
          concept="sur un horizon infini, le profit d'un client recruté vaut m / (1 + d − r) − coût d'acquisition.",
          hints=["Il vous faut r (question 2), m (question 3) et le coût d'acquisition moyen de la table "
                 "`customers` ; d = 10 %.",
                 "Recalculez r et m dans la cellule (ne réutilisez pas les variables des questions précédentes).",
                 "Méthode : `retention.total_profit(r, m, cout_acquisition, 0.10)` (ou la formule)."])
def _verdane_profit() -> float:
    r, m, ac = _parameters()
    return float(retention.total_profit(r, m, ac, DISCOUNT))


@question("01-q8", kind="number", rtol=2e-3, percent=True,
          concept="l'effet de +5 points de rétention se lit comme (profit avec r + 0,05) / (profit avec r) − 1.",
          hints=["Calculez le profit par client avec r, puis avec r + 0,05, tout le reste égal.",
                 "La variation relative est le rapport des deux profits, moins 1.",
                 "Méthode : `retention.retention_gain(r, 0.05, m, cout_acquisition, 0.10)['relative_gain']`."])
def _relative_gain() -> float:
    r, m, ac = _parameters()
    return float(retention.retention_gain(r, 0.05, m, ac, DISCOUNT)["relative_gain"].iloc[0])


@question("01-q9", kind="bool",
          concept="« +5 points de rétention peuvent doubler le profit » n'est vrai que sous certaines "
                  "hypothèses : comparez la variation relative calculée à +100 %.",
          hints=["Doubler, c'est une variation relative d'au moins +100 %.",
                 "Reprenez la variation relative de la question précédente (recalculée dans la cellule).",
                 "Méthode : `relative_gain >= 1`."])
def _doubles() -> bool:
    r, m, ac = _parameters()
    return bool(retention.retention_gain(r, 0.05, m, ac, DISCOUNT)["relative_gain"].iloc[0] >= 1)


@question("01-q10", kind="number", rtol=2e-3,
          concept="+5 points doublent le profit quand la valeur nette d'un client est faible : le coût "
                  "d'acquisition AC* qui le permet vérifie V(r + 0,05) − AC* = 2 × (V(r) − AC*), "
                  "où V est la valeur brute m / (1 + d − r).",
          hints=["Notez V(r) = m / (1 + d − r) la valeur d'un client avant coût d'acquisition.",
                 "Résolvez V(r + 0,05) − AC = 2 × (V(r) − AC) : l'équation est du premier degré en AC.",
                 "Méthode : AC* = 2 × V(r) − V(r + 0,05), avec "
                 "`retention.total_profit(r, m, 0, 0.10)` pour V(r)."])
def _doubling_acquisition_cost() -> float:
    r, m, _ = _parameters()
    return float(2 * retention.total_profit(r, m, 0.0, DISCOUNT) - retention.total_profit(r + 0.05, m, 0.0, DISCOUNT))
