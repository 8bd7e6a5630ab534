"""Chapter 01 — Du marketing transactionnel au marketing relationnel: questions, answers, mistakes."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import retention
from ..exercises import Answer, Count, Euros, Ratio, YesNo, mistake, question
from . import table

DISCOUNT = 0.10  # the discount rate every question of the chapter uses
YEAR = 2025


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _members() -> pd.Index:
    """Customers of the loyalty programme (the chapter's exercises study them)."""
    c = table("customers")
    return pd.Index(c.loc[c["loyalty_member"].astype(bool), "customer_id"])


@cache
def _member_orders() -> pd.DataFrame:
    o = _orders()
    return o[o["customer_id"].isin(_members())]


@cache
def _flows(inactive_after: int = 12) -> pd.DataFrame:
    return retention.portfolio_flows(_orders(), inactive_after=inactive_after)


def _buyers(year: int, orders: pd.DataFrame | None = None) -> pd.Index:
    o = _member_orders() if orders is None else orders
    return pd.Index(o.loc[o["order_date"].dt.year == year, "customer_id"].unique())


def _retention(year: int, orders: pd.DataFrame | None = None) -> float:
    o = _member_orders() if orders is None else orders
    return float(retention.yearly_retention(o).loc[year, "retention_rate"])


def _margin_per_buyer(year: int = YEAR, orders: pd.DataFrame | None = None, col: str = "gross_margin") -> float:
    o = _member_orders() if orders is None else orders
    this_year = o[o["order_date"].dt.year == year]
    return float(this_year[col].sum() / this_year["customer_id"].nunique())


def _member_acquisition_cost() -> float:
    c = table("customers")
    return float(c.loc[c["loyalty_member"].astype(bool), "acquisition_cost"].mean())


@cache
def _parameters() -> tuple[float, float, float]:
    """The members' retention economics in 2025: (retention, margin per buyer, mean acquisition cost)."""
    return _retention(YEAR), _margin_per_buyer(YEAR), _member_acquisition_cost()


@question("01-q1", Ratio(decimals=3, percent_ok=True),
          concept="avec un taux de rétention constant r, il reste r × r × … (N fois) des clients au bout de N ans.",
          hints=["Cherchez le taux r tel qu'il reste la moitié des clients après 4 ans, à taux constant.",
                 "Il reste r⁴ des clients après 4 ans : il faut résoudre une équation en puissance, pas une "
                 "règle de trois.",
                 "Une racine quatrième s'écrit avec l'opérateur `**` et un exposant fractionnaire ; "
                 "`retention.implied_retention` fait le calcul."])
def _implied_retention() -> Answer:
    r = float(retention.implied_retention(share_lost=0.5, periods=4))
    return Answer(
        r,
        mistake("une perte linéaire (la moitié répartie en parts égales sur 4 ans) au lieu d'un taux constant",
                1 - 0.5 / 4),
        mistake("la puissance 4 au lieu de la racine quatrième", 0.5 ** 4),
        mistake("le taux d'attrition (clients perdus) au lieu du taux de rétention", 1 - r),
    )


@question("01-q2", Ratio(decimals=3, percent_ok=True),
          concept="la rétention d'une année sur l'autre est la part des clients acheteurs une année "
                  "qui achètent de nouveau l'année suivante — ici parmi les membres du programme de fidélité.",
          hints=["Il faut deux ensembles de membres : les membres acheteurs de 2024 et ceux de 2025. Les membres "
                 "sont les clients dont `loyalty_member` vaut `True` dans `customers`.",
                 "Gardez les commandes des membres (`.isin(...)` sur `customer_id`), puis les clients distincts "
                 "d'une année (`.unique()`) ; `.isin(...)` dit lesquels sont aussi dans l'autre ensemble.",
                 "Le dénominateur est le nombre de membres acheteurs de 2024 ; `retention.yearly_retention` appliquée "
                 "aux seules commandes des membres donne le même taux."])
def _retention_2025() -> Answer:
    b24, b25 = _buyers(2024), _buyers(2025)
    both = len(b24.intersection(b25))
    return Answer(
        _retention(YEAR),
        mistake("tous les clients au lieu des seuls membres du programme", _retention(YEAR, _orders())),
        mistake("la rétention 2023 → 2024 au lieu de 2024 → 2025", _retention(YEAR - 1)),
        mistake("rapporté aux acheteurs de 2025 au lieu des acheteurs de 2024 (mauvais dénominateur)",
                both / len(b25)),
        mistake("le taux d'attrition au lieu du taux de rétention", 1 - _retention(YEAR)),
    )


@question("01-q3", Euros(decimals=2),
          concept="la marge annuelle par client actif est la marge brute de l'année divisée par le nombre "
                  "de clients distincts qui ont acheté cette année-là — ici parmi les membres.",
          hints=["La marge est dans la colonne `gross_margin`, pas dans `amount` ; gardez les commandes des membres.",
                 "Divisez par des membres **distincts** actifs en 2025 (`nunique`), pas par des commandes.",
                 "Filtrez d'abord les commandes de 2025 : le numérateur et le dénominateur portent sur cette année."])
def _margin_per_buyer_2025() -> Answer:
    o = _member_orders()
    y = o[o["order_date"].dt.year == YEAR]
    n_members = len(_members())
    return Answer(
        _margin_per_buyer(YEAR),
        mistake("tous les clients au lieu des seuls membres", _margin_per_buyer(YEAR, _orders())),
        mistake("le chiffre d'affaires (`amount`) au lieu de la marge brute", _margin_per_buyer(YEAR, col="amount")),
        mistake("la marge par commande au lieu de par client", float(y["gross_margin"].mean())),
        mistake("la marge des trois années au lieu de 2025", float(o["gross_margin"].sum() / o["customer_id"].nunique())),
        mistake("divisé par tous les membres, pas par les membres actifs en 2025", float(y["gross_margin"].sum() / n_members)),
    )


@question("01-q4", Euros(decimals=0),
          concept="profit cumulé actualisé = − coût d'acquisition + somme des marges des clients restants, "
                  "chaque marge de la période t étant actualisée.",
          hints=["Période 0 : on paie le recrutement de toute la cohorte. En période t ≥ 1, il reste "
                 "1 000 × 0,7^(t−1) clients (tous achètent la première année).",
                 "Chaque flux de la période t est divisé par 1,08^t ; additionnez les périodes 0 à 5.",
                 "`retention.cohort_profit` dresse ce tableau période par période ; lisez sa colonne "
                 "`cumulative_profit` à la dernière période."])
def _cohort_value() -> Answer:
    t = np.arange(1, 6)
    margins = 1000 * 0.7 ** (t - 1) * 80

    def value(m, disc_power, cost=60_000):
        return float(-cost + (m / 1.08 ** disc_power).sum())

    return Answer(
        value(margins, t),
        mistake("sans déduire le coût d'acquisition de la cohorte", value(margins, t, cost=0)),
        mistake("sans actualiser les marges", value(margins, 0)),
        mistake("la rétention appliquée dès la première année (0,7^t au lieu de 0,7^(t−1))",
                value(1000 * 0.7 ** t * 80, t)),
        mistake("des marges actualisées en début de période (1,08^(t−1) au lieu de 1,08^t)",
                value(margins, t - 1)),
        mistake("quatre périodes de marge au lieu de cinq", value(margins[:4], t[:4])),
    )


@question("01-q5", Count(),
          concept="un client réactivé achète ce mois-ci alors que son achat précédent date de plus de "
                  "12 mois (il était inactif).",
          hints=["`retention.portfolio_flows` compte, mois par mois, nouveaux, fidèles, réactivés et perdus "
                 "(tous les clients).",
                 "Gardez les mois de 2024 (l'index est fait de dates : `.loc['2024']` les sélectionne).",
                 "Additionnez la colonne des réactivations sur ces douze mois."])
def _reactivated_2024() -> Answer:
    f = _flows()
    return Answer(
        int(f.loc["2024", "reactivated"].sum()),
        mistake("les nouveaux clients au lieu des réactivés", int(f.loc["2024", "new"].sum())),
        mistake("l'année 2025 au lieu de 2024", int(f.loc["2025", "reactivated"].sum())),
        mistake("toute la période au lieu de 2024", int(f["reactivated"].sum())),
    )


@question("01-q6", Count(),
          concept="la base active (tous les clients) varie de (nouveaux + réactivés − perdus) : recruter et reconquérir "
                  "l'alimentent, l'attrition la vide.",
          hints=["Comparez la base active de fin décembre 2024 à celle de fin décembre 2023.",
                 "Les mois de `retention.portfolio_flows` sont repérés par leur premier jour : décembre 2024 "
                 "est la ligne `'2024-12-01'`, colonne `active`.",
                 "Vérifiez avec les flux de 2024 : nouveaux + réactivés − perdus doit donner le même nombre."])
def _active_change_2024() -> Answer:
    f = _flows()
    active = f["active"]
    end, prev = pd.Timestamp("2024-12-01"), pd.Timestamp("2023-12-01")
    y = f.loc["2024"]
    return Answer(
        int(active.loc[end] - active.loc[prev]),
        mistake("de janvier à décembre 2024 au lieu de fin 2023 → fin 2024",
                int(active.loc[end] - active.loc[pd.Timestamp("2024-01-01")])),
        mistake("nouveaux − perdus, sans les réactivés", int((y["new"] - y["lost"]).sum())),
        mistake("la base active de fin 2024 au lieu de sa variation", int(active.loc[end])),
        mistake("l'année 2025 au lieu de 2024", int(active.loc[pd.Timestamp("2025-12-01")] - active.loc[end])),
    )


@question("01-q7", Euros(decimals=2),
          concept="sur un horizon infini, le profit d'un client recruté est sa valeur actualisée (marge "
                  "divisée par (1 + d − r)) moins son coût d'acquisition.",
          hints=["Il vous faut r (question 2), m (question 3) et le coût d'acquisition moyen des membres "
                 "(colonne `acquisition_cost` de `customers`) ; d = 10 %.",
                 "Recalculez r et m dans la cellule (ne réutilisez pas les variables des questions précédentes) : "
                 "`retention.yearly_retention(orders)` donne r.",
                 "`retention.total_profit` applique la formule du cours ; vérifiez l'ordre de ses arguments "
                 "avec `help(retention.total_profit)`."])
def _verdane_profit() -> Answer:
    r, m, ac = _parameters()
    return Answer(
        float(retention.total_profit(r, m, ac, DISCOUNT)),
        mistake("sans déduire le coût d'acquisition", float(retention.total_profit(r, m, 0.0, DISCOUNT))),
        mistake("la rétention 2023 → 2024 au lieu de 2024 → 2025",
                float(retention.total_profit(_retention(YEAR - 1), m, ac, DISCOUNT))),
        mistake("le chiffre d'affaires par client au lieu de la marge",
                float(retention.total_profit(r, _margin_per_buyer(YEAR, col="amount"), ac, DISCOUNT))),
        mistake("les paramètres de tous les clients au lieu de ceux des membres",
                float(retention.total_profit(_retention(YEAR, _orders()), _margin_per_buyer(YEAR, _orders()),
                                             float(table("customers")["acquisition_cost"].mean()), DISCOUNT))),
        mistake("sans actualisation (d = 0)", float(retention.total_profit(r, m, ac, 0.0))),
    )


@cache
def _gain() -> pd.Series:
    r, m, ac = _parameters()
    return retention.retention_gain(r, 0.05, m, ac, DISCOUNT).iloc[0]


@question("01-q8", Ratio(decimals=3, percent_ok=True),
          concept="l'effet de +5 points de rétention se lit comme une variation relative du profit par client "
                  "(nouveau profit rapporté à l'ancien, moins 1).",
          hints=["Calculez le profit par client avec r, puis avec r + 0,05, tout le reste égal.",
                 "La variation relative est le rapport des deux profits, moins 1 (0,25 = +25 %).",
                 "`retention.retention_gain` renvoie les deux profits et leur variation (colonne `relative_gain`)."])
def _relative_gain() -> Answer:
    g = _gain()
    return Answer(
        float(g["relative_gain"]),
        mistake("le gain en euros au lieu de la variation relative", float(g["gain"])),
        mistake("le rapport des deux profits, sans retirer 1", float(g["improved_profit"] / g["profit"])),
        mistake("sans déduire le coût d'acquisition", float(
            retention.retention_gain(_parameters()[0], 0.05, _parameters()[1], 0.0, DISCOUNT)["relative_gain"].iloc[0])),
    )


@question("01-q9", YesNo(),
          concept="« +5 points de rétention peuvent doubler le profit » n'est vrai que sous certaines "
                  "hypothèses : comparez la variation relative calculée à +100 %.",
          hints=["Doubler, c'est une variation relative d'au moins +100 %.",
                 "Reprenez la variation relative de la question précédente (recalculée dans la cellule).",
                 "Une comparaison (`>=`) donne directement `True` ou `False`."])
def _doubles() -> bool:
    return bool(_gain()["relative_gain"] >= 1)


@question("01-q10", Euros(decimals=2),
          concept="+5 points doublent le profit quand la valeur nette d'un client est faible : le coût "
                  "d'acquisition qui le permet vérifie V(r + 0,05) − AC* = 2 × (V(r) − AC*).",
          hints=["Notez V(r) = m / (1 + d − r) la valeur d'un client avant coût d'acquisition.",
                 "L'équation V(r + 0,05) − AC = 2 × (V(r) − AC) est du premier degré en AC : isolez AC.",
                 "`retention.total_profit(...)` avec un coût d'acquisition nul donne V(r) ; calculez aussi V(r + 0,05)."])
def _doubling_acquisition_cost() -> Answer:
    r, m, _ = _parameters()

    def v(rate: float) -> float:
        return float(retention.total_profit(rate, m, 0.0, DISCOUNT))

    return Answer(
        2 * v(r) - v(r + 0.05),
        mistake("les rôles de V(r) et V(r + 0,05) inversés", 2 * v(r + 0.05) - v(r)),
        mistake("la différence V(r + 0,05) − V(r) au lieu du coût qui double le profit", v(r + 0.05) - v(r)),
    )


# ------------------------------------------------------------ contribution and margin growth
@cache
def _member_contribution(per: str = "member_years", members_only: bool = True) -> float:
    """Members' yearly contribution (chapter 06's direct profit) per active member-year, 2023-2025."""
    from .. import profitability

    costs = profitability.allocate_costs(table("cost_to_serve"), table("activity_costs"))
    profit = profitability.direct_profit(_orders(), costs)["direct_profit"]
    if not members_only:
        o = _orders()
        return float(profit.sum() / o.groupby(o["order_date"].dt.year)["customer_id"].nunique().sum())
    o = _member_orders()
    total = float(profit.reindex(_members(), fill_value=0.0).sum())
    if per == "members":
        return total / len(_members())
    return total / float(o.groupby(o["order_date"].dt.year)["customer_id"].nunique().sum())


@question("01-q11", Euros(decimals=2),
          concept="la valeur d'un client se calcule sur sa contribution (marge brute moins coût de service, "
                  "chapitre 06), pas sur sa marge brute : c'est elle qui borne ce que l'on peut dépenser pour le garder.",
          hints=["La contribution d'un client est son profit direct : marge brute moins coût de service, sur 2023-2025.",
                 "`profitability.allocate_costs` répartit les coûts (tables `cost_to_serve` et `activity_costs`, comme "
                 "au chapitre 06) ; `profitability.direct_profit` en tire le profit direct de chaque client.",
                 "Divisez la somme des profits directs des membres par le nombre d'années-membres actifs (un membre "
                 "compte pour chaque année où il a acheté), puis appliquez `retention.total_profit` comme à la question 7."])
def _member_profit_at_contribution() -> Answer:
    r, m, ac = _parameters()
    mc = _member_contribution()
    return Answer(
        float(retention.total_profit(r, mc, ac, DISCOUNT)),
        mistake("la marge brute au lieu de la contribution (le calcul de la question 7)",
                float(retention.total_profit(r, m, ac, DISCOUNT))),
        mistake("divisé par le nombre de membres au lieu des années-membres actives (trois ans de profit "
                "pour une seule année)", float(retention.total_profit(r, _member_contribution("members"), ac, DISCOUNT))),
        mistake("sans déduire le coût d'acquisition", float(retention.total_profit(r, mc, 0.0, DISCOUNT))),
        mistake("la contribution de tous les clients au lieu de celle des membres",
                float(retention.total_profit(r, _member_contribution(members_only=False), ac, DISCOUNT))),
    )


def _cohort_margin(years: tuple[int, int] = (2024, 2025), members_only: bool = True, per: str = "active") -> float:
    """Growth of the 2023 cohort's margin from ``years[0]`` to ``years[1]`` (per active member by default)."""
    c = table("customers")
    keep = c["acquisition_date"].dt.year == 2023
    if members_only:
        keep &= c["loyalty_member"].astype(bool)
    o = _orders()
    o = o[o["customer_id"].isin(c.loc[keep, "customer_id"])]
    by_year = o.groupby(o["order_date"].dt.year).agg(active=("customer_id", "nunique"), orders=("order_id", "size"),
                                                    margin=("gross_margin", "sum"))
    denominator = {"active": by_year["active"], "orders": by_year["orders"], "total": 1.0}[per]
    per_unit = by_year["margin"] / denominator
    return float(per_unit.loc[years[1]] / per_unit.loc[years[0]] - 1)


@question("01-q12", Ratio(decimals=3, percent_ok=True),
          concept="la croissance de la marge avec l'ancienneté (le mécanisme de Reichheld et Sasser, que Reinartz "
                  "et Kumar, 2000, ne retrouvent pas toujours) se mesure sur une cohorte : la marge par client encore "
                  "actif, d'une année pleine à la suivante.",
          hints=["La cohorte : les membres dont `acquisition_date` tombe en 2023 ; leur première année est incomplète, "
                 "comparez donc 2024 et 2025.",
                 "Pour chaque année, divisez la marge brute de la cohorte par son nombre de membres **actifs** cette "
                 "année-là (`nunique` des clients qui ont acheté).",
                 "La croissance est le rapport des deux marges par membre actif, moins 1."])
def _cohort_margin_growth() -> Answer:
    return Answer(
        _cohort_margin(),
        mistake("de 2023 à 2024 : 2023 est une année incomplète pour la cohorte", _cohort_margin((2023, 2024))),
        mistake("la marge totale de la cohorte au lieu de la marge par membre actif (les départs la font baisser)",
                _cohort_margin(per="total")),
        mistake("la marge par commande au lieu de par membre actif", _cohort_margin(per="orders")),
        mistake("toute la cohorte 2023, pas seulement les membres", _cohort_margin(members_only=False)),
    )
