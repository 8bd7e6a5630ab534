"""Chapter 06 — Valeur client, rentabilité et capital client: questions and expected answers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import clv, datasets, profitability
from ..exercises import question

DISCOUNT = 0.10        # yearly discount rate used in the exercises
STRANDED = 0.30        # share of a departing customer's cost to serve that stays (fixed costs)


@cache
def _costs() -> pd.DataFrame:
    return profitability.allocate_costs(datasets.load_cost_to_serve(), datasets.load_activity_costs())


@cache
def _profit() -> pd.DataFrame:
    return profitability.direct_profit(datasets.load_orders(), _costs())


@cache
def _channel() -> pd.Series:
    return datasets.load_customers().set_index("customer_id")["acquisition_channel"].astype(str)


@question("06-q1", kind="number", rtol=1e-3,
          concept="le coût unitaire d'une activité est son coût total divisé par le volume total de son inducteur.",
          hints=["Cherchez dans `activity_costs` la ligne dont l'inducteur est `n_home_deliveries`.",
                 "Le volume total de l'inducteur est la somme de la colonne `n_home_deliveries` de `cost_to_serve`.",
                 "Méthode : `cost_pool_eur` de la livraison à domicile / `cost_to_serve['n_home_deliveries'].sum()`."])
def _home_delivery_rate() -> float:
    rates = profitability.activity_rates(datasets.load_activity_costs(), datasets.load_cost_to_serve())
    return float(rates.loc[rates["driver"] == "n_home_deliveries", "rate_eur"].iloc[0])


@question("06-q2", kind="number", rtol=1e-3,
          concept="le coût de service d'un client est la somme, activité par activité, de son volume × le coût "
                  "unitaire ; les coûts communs ne sont pas répartis.",
          hints=["Il faut d'abord le coût de service de chaque client, puis la moyenne.",
                 "Laissez de côté les activités de nature « commun » ; `profitability.allocate_costs` fait la répartition.",
                 "Méthode : `profitability.allocate_costs(cost_to_serve, activity_costs)['cost_to_serve'].mean()`."])
def _mean_cost_to_serve() -> float:
    return float(_costs()["cost_to_serve"].mean())


@question("06-q3", kind="integer",
          concept="un client non rentable a un profit direct (marge commerciale − coût de service) négatif.",
          hints=["Le profit direct est dans la colonne `direct_profit` de la table `profit`.",
                 "Une condition `< 0` donne des True/False ; leur somme compte les True.",
                 "Méthode : `(profit['direct_profit'] < 0).sum()`."])
def _n_unprofitable() -> int:
    return int((_profit()["direct_profit"] < 0).sum())


@question("06-q4", kind="number", rtol=1e-3, percent=True,
          concept="le sommet de la courbe baleine est le plus haut profit cumulé (clients rangés du plus au moins "
                  "rentable), rapporté au profit total.",
          hints=["Rangez les profits directs du plus grand au plus petit avant de les cumuler.",
                 "`sort_values(ascending=False)`, puis `cumsum()`, puis divisez par la somme totale.",
                 "Méthode : le maximum de `profit['direct_profit'].sort_values(ascending=False).cumsum() / "
                 "profit['direct_profit'].sum()`."])
def _whale_peak() -> float:
    return float(profitability.whale_summary(_profit())["peak_share"])


@question("06-q5", kind="number", rtol=2e-3, percent=True,
          concept="la part du profit des meilleurs clients se lit sur la courbe baleine à 20 % des clients.",
          hints=["Combien de clients font 20 % de la base ? Gardez les plus rentables.",
                 "`sort_values(ascending=False).head(n)` garde les n premiers ; n = 20 % du nombre de clients.",
                 "Méthode : somme des profits des 20 % premiers clients / somme de tous les profits directs."])
def _top20_share() -> float:
    return float(profitability.whale_summary(_profit(), top=0.2)["top_share"])


@question("06-q6", kind="number", rtol=1e-4,
          concept="CLV = somme sur t = 1…T de m·r^t/(1+d)^t = m·r/(1+d−r)·(1 − (r/(1+d))^T).",
          hints=["Chaque année t, la marge espérée est m·r^t, à diviser par (1+d)^t.",
                 "Avec numpy : `t = np.arange(1, 6)` puis la somme de `m * r**t / (1 + d)**t`.",
                 "Méthode : `clv.clv(80, 0.7, 0.08, horizon=5)` — et vérifiez que la somme explicite donne la même valeur."])
def _clv_five_years() -> float:
    return float(clv.clv(80.0, 0.7, 0.08, horizon=5))


@question("06-q7", kind="series", rtol=1e-3, percent=True,
          concept="la rétention annuelle est la part des clients actifs une année qui achètent encore l'année "
                  "suivante, calculée ici sur les paires d'années 2023→2024 et 2024→2025 réunies.",
          hints=["Il faut un taux par canal d'acquisition (colonne `acquisition_channel` de `customers`).",
                 "`clv.retention_rate(orders, by=...)` accepte une série qui donne le canal de chaque client.",
                 "Méthode : `clv.retention_rate(orders, by=customers.set_index('customer_id')['acquisition_channel'])`."])
def _retention_by_channel() -> pd.Series:
    return clv.retention_rate(datasets.load_orders(), by=_channel())


def _annual_profit_by_channel() -> pd.Series:
    orders = datasets.load_orders()
    active_years = orders.assign(year=orders["order_date"].dt.year).groupby("customer_id")["year"].nunique()
    table = pd.DataFrame({"direct_profit": _profit()["direct_profit"], "years": active_years,
                          "channel": _channel()}).dropna(subset=["direct_profit"])
    sums = table.groupby("channel")[["direct_profit", "years"]].sum()
    return sums["direct_profit"] / sums["years"]


@question("06-q8", kind="number", rtol=2e-3,
          concept="valeur nette d'un nouveau client = marge de sa première année + CLV des années suivantes "
                  "− coût d'acquisition.",
          hints=["Pour le canal « site web » : profit direct total de ses clients / nombre total de leurs années "
                 "d'activité = marge annuelle m ; r = sa rétention (question 7) ; d = 10 % ; horizon infini.",
                 "`clv.clv(m, r, 0.10, include_first_year=True)` ajoute la première année ; le coût d'acquisition "
                 "est la moyenne de `acquisition_cost` des clients du canal.",
                 "Méthode : `clv.clv(m, r, 0.10, include_first_year=True, acquisition_cost=cac)`."])
def _net_value_web() -> float:
    m = _annual_profit_by_channel()["site web"]
    r = _retention_by_channel()["site web"]
    customers = datasets.load_customers()
    cac = customers.loc[customers["acquisition_channel"] == "site web", "acquisition_cost"].mean()
    return float(clv.clv(m, r, DISCOUNT, include_first_year=True, acquisition_cost=cac))


@question("06-q9", kind="number", rtol=1e-3,
          concept="quand un client part, sa marge et ses coûts partent avec lui, sauf la part fixe de ses coûts "
                  "(ici 30 % de son coût de service), qui reste à la charge de l'entreprise.",
          hints=["Les clients visés sont ceux dont le profit direct est négatif ; ils partent tous (churn = 1).",
                 "`profitability.apply_scenario(profit, cible, churn=1.0, stranded=0.3, fixed='cost_to_serve')`.",
                 "Méthode : la valeur `change` du résultat ; à la main : −(somme des profits négatifs) "
                 "− 0,3 × (somme de leur coût de service)."])
def _end_relationship_gain() -> float:
    p = _profit()
    out = profitability.apply_scenario(p, p["direct_profit"] < 0, churn=1.0, stranded=STRANDED,
                                       fixed="cost_to_serve")
    return float(out["change"])


@question("06-q10", kind="number", rtol=2e-3, percent=True,
          concept="le seuil de bouche-à-oreille est la part des clients rentables dont le départ annulerait "
                  "le gain de la rupture : gain / profit direct total des clients rentables.",
          hints=["Reprenez le gain de la rupture (question 9) et le profit des seuls clients rentables.",
                 "Les clients rentables ont un profit direct ≥ 0 ; si une part s d'entre eux part, on perd s × leur "
                 "profit total.",
                 "Méthode : gain / `profit.loc[profit['direct_profit'] >= 0, 'direct_profit'].sum()`."])
def _word_of_mouth_threshold() -> float:
    p = _profit()
    return _end_relationship_gain() / float(p.loc[p["direct_profit"] >= 0, "direct_profit"].sum())
