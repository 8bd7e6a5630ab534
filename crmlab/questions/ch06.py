"""Chapter 06 — Valeur client, rentabilité et capital client: questions, answers, mistakes.

The lesson prints the unit costs, the mean cost to serve, the whale curve of all
customers, the retention and the net value of a recruit per acquisition channel: the
exercises ask the same skills on what it does not print (both deliveries together,
the web recruits, the best 10 %, retention by age band, a five-year horizon).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import clv, profitability
from ..exercises import Answer, Count, Euros, Ratio, SeriesOf, mistake, question
from . import table

DISCOUNT = 0.10        # yearly discount rate used in the exercises
STRANDED = 0.40        # share of a departing customer's cost to serve that stays (fixed costs)
WEB = "site web"
DELIVERIES = ["n_home_deliveries", "n_relay_deliveries"]


@cache
def _costs() -> pd.DataFrame:
    return profitability.allocate_costs(table("cost_to_serve"), table("activity_costs"))


@cache
def _profit() -> pd.DataFrame:
    return profitability.direct_profit(table("orders"), _costs())


@cache
def _channel() -> pd.Series:
    return table("customers").set_index("customer_id")["acquisition_channel"].astype(str)


def _web_ids() -> pd.Index:
    return _channel().index[_channel() == WEB]


@question("06-q1", Euros(decimals=2),
          concept="le coût unitaire d'une activité est son coût total divisé par le volume total de son inducteur ; "
                  "pour deux activités réunies, on additionne les coûts et les volumes.",
          hints=["Les coûts des deux activités de livraison sont dans `activity_costs` (colonne `cost_pool_eur`), "
                 "repérés par leur inducteur (colonne `driver`).",
                 "Les volumes sont les sommes des colonnes `n_home_deliveries` et `n_relay_deliveries` de `cost_to_serve`.",
                 "Divisez le coût total des deux activités par le nombre total de livraisons — pas la moyenne des "
                 "deux coûts unitaires."])
def _delivery_rate() -> Answer:
    pools = table("activity_costs").set_index("driver")["cost_pool_eur"]
    volumes = table("cost_to_serve")[DELIVERIES].sum()
    rates = pools[DELIVERIES] / volumes
    return Answer(
        float(pools[DELIVERIES].sum() / volumes.sum()),
        mistake("la moyenne des deux coûts unitaires au lieu du coût total divisé par le volume total",
                float(rates.mean())),
        mistake("la seule livraison à domicile", float(rates["n_home_deliveries"])),
        mistake("la seule livraison en point relais", float(rates["n_relay_deliveries"])),
    )


@question("06-q2", Euros(decimals=2),
          concept="le coût de service d'un client est la somme, activité par activité, de son volume × le coût "
                  "unitaire ; les coûts communs ne sont pas répartis.",
          hints=["Il faut d'abord le coût de service de chaque client, puis la moyenne sur les seuls clients "
                 "recrutés par le site web.",
                 "`profitability.allocate_costs(cost_to_serve, activity_costs)` répartit les coûts directs et "
                 "indirects ; le canal de recrutement est la colonne `acquisition_channel` de `customers`.",
                 "Gardez les lignes dont l'identifiant client est parmi ceux du site web (`.isin(...)` ou `.loc`), "
                 "puis la moyenne de `cost_to_serve`."])
def _web_cost_to_serve() -> Answer:
    cts = _costs()["cost_to_serve"]
    web = cts[cts.index.isin(_web_ids())]
    n_common = table("activity_costs").query("kind == 'commun'")["cost_pool_eur"].sum() / len(cts)
    return Answer(
        float(web.mean()),
        mistake("tous les clients au lieu des seuls clients recrutés par le site web", float(cts.mean())),
        mistake("la médiane au lieu de la moyenne", float(web.median())),
        mistake("les coûts communs répartis aussi, à parts égales", float(web.mean() + n_common)),
        mistake("les seuls coûts directs, sans les coûts indirects",
                float(_costs().loc[_costs().index.isin(_web_ids()), "direct_cost"].mean())),
    )


@question("06-q3", Count(),
          concept="un client non rentable a un profit direct (marge commerciale − coût de service) négatif ; "
                  "on les compte ici parmi les clients recrutés par le site web.",
          hints=["Le profit direct est dans la colonne `direct_profit` de la table `profit` ; gardez les clients "
                 "recrutés par le site web (colonne `acquisition_channel` de `customers`).",
                 "Une condition `< 0` donne des True / False ; combinez-la avec celle du canal (`&`), ou filtrez d'abord.",
                 "La somme d'une série de booléens compte les True."])
def _n_unprofitable_web() -> Answer:
    p = _profit()
    web = p.index.isin(_web_ids())
    return Answer(
        int(((p["direct_profit"] < 0) & web).sum()),
        mistake("tous les clients au lieu des seuls clients recrutés par le site web", int((p["direct_profit"] < 0).sum())),
        mistake("les clients rentables au lieu des non rentables", int(((p["direct_profit"] >= 0) & web).sum())),
        mistake("une marge commerciale négative au lieu d'un profit direct négatif",
                int(((p["gross_margin"] < 0) & web).sum())),
    )


def _peak(profit: pd.Series) -> float:
    ranked = profit.sort_values(ascending=False)
    return float((ranked.cumsum() / ranked.sum()).max())


@question("06-q4", Ratio(decimals=3, percent_ok=True),
          concept="le sommet de la courbe baleine est le plus haut profit cumulé (clients rangés du plus au moins "
                  "rentable), rapporté au profit total du groupe étudié.",
          hints=["Gardez les clients recrutés par le site web, puis rangez leurs profits directs du plus grand au "
                 "plus petit avant de les cumuler.",
                 "`sort_values(ascending=False)`, puis `cumsum()`, puis divisez par la somme du groupe.",
                 "Le sommet est le maximum de cette courbe ; `profitability.whale_summary` sur ce groupe le donne "
                 "aussi (`peak_share`)."])
def _web_whale_peak() -> Answer:
    p = _profit()["direct_profit"]
    web = p[p.index.isin(_web_ids())]
    ranked = web.sort_values(ascending=False)
    return Answer(
        _peak(web),
        mistake("tous les clients au lieu des seuls clients recrutés par le site web", _peak(p)),
        mistake("le profit cumulé des clients du site web rapporté au profit total de tous les clients",
                float(ranked.cumsum().max() / p.sum())),
        mistake("le sommet en euros au lieu d'une part du profit total", float(ranked.cumsum().max())),
    )


def _top_share(profit: pd.Series, top: float, ascending: bool = False) -> float:
    ranked = profit.sort_values(ascending=ascending)
    return float(ranked.head(round(top * len(ranked))).sum() / ranked.sum())


@question("06-q5", Ratio(decimals=3, percent_ok=True),
          concept="la part du profit des meilleurs clients se lit sur la courbe baleine, ici à 10 % des clients.",
          hints=["Combien de clients font 10 % de la base ? Gardez les plus rentables.",
                 "`sort_values(ascending=False)` range les profits du plus grand au plus petit ; `.head(...)` garde "
                 "les premiers.",
                 "Divisez leur profit par le profit direct de **tous** les clients."])
def _top10_share() -> Answer:
    p = _profit()["direct_profit"]
    return Answer(
        _top_share(p, 0.10),
        mistake("les 20 % de clients les plus rentables au lieu des 10 %", _top_share(p, 0.20)),
        mistake("les 10 % de clients les moins rentables (tri croissant)", _top_share(p, 0.10, ascending=True)),
        mistake("la part de la marge commerciale au lieu du profit direct", _top_share(_profit()["gross_margin"], 0.10)),
    )


@question("06-q6", Euros(decimals=2),
          concept="valeur résiduelle d'un client actuel = somme, année après année, de la marge espérée (m × r^t) "
                  "actualisée par (1 + d)^t.",
          hints=["Chaque année t (de 1 à 5), la marge espérée est m × r^t, à diviser par (1 + d)^t.",
                 "Avec numpy : un vecteur des années 1 à 5 (`np.arange`, attention à la borne de fin exclue), puis une "
                 "somme de termes calculés d'un coup.",
                 "`clv.residual_value` avec `horizon=5` donne la même valeur : vérifiez votre somme avec lui."])
def _clv_five_years() -> Answer:
    m, r, d = 80.0, 0.7, 0.08
    t = np.arange(1, 6)
    return Answer(
        float(clv.residual_value(m, r, d, horizon=5)),
        mistake("sans actualisation", float((m * r ** t).sum())),
        mistake("les années 0 à 4 au lieu de 1 à 5", float((m * r ** (t - 1) / (1 + d) ** (t - 1)).sum())),
        mistake("un horizon infini au lieu de 5 ans", float(clv.clv(m, r, d))),
        mistake("sans la rétention (la marge de chaque année comptée entière)", float((m / (1 + d) ** t).sum())),
    )


@cache
def _age_band() -> pd.Series:
    return table("customers").set_index("customer_id")["age_band"].astype(str)


@question("06-q7", SeriesOf(Ratio(decimals=3, percent_ok=True), index="la tranche d'âge (`age_band`)",
                            labels_public=True),
          concept="la rétention annuelle est la part des clients actifs une année qui achètent encore l'année "
                  "suivante, calculée ici sur les paires d'années 2023→2024 et 2024→2025 réunies.",
          hints=["Il faut un taux par tranche d'âge (colonne `age_band` de `customers`).",
                 "`clv.retention_rate(orders, by=...)` accepte une série qui donne le groupe de chaque client, "
                 "indexée par `customer_id`.",
                 "Construisez cette série avec `customers.set_index('customer_id')` et la colonne de la tranche d'âge."])
def _retention_by_age() -> Answer:
    orders = table("orders")
    last_pair = orders[orders["order_date"].dt.year >= 2024]
    return Answer(
        clv.retention_rate(orders, by=_age_band()),
        mistake("la seule paire 2024 → 2025 au lieu des deux paires réunies", clv.retention_rate(last_pair, by=_age_band())),
        mistake("le taux d'attrition au lieu du taux de rétention", 1 - clv.retention_rate(orders, by=_age_band())),
    )


def _annual_profit(ids: pd.Index) -> float:
    orders = table("orders")
    years = orders.assign(year=orders["order_date"].dt.year).groupby("customer_id")["year"].nunique()
    p = _profit()["direct_profit"]
    return float(p[p.index.isin(ids)].sum() / years[years.index.isin(ids)].sum())


@question("06-q8", Euros(decimals=2),
          concept="valeur nette d'un nouveau client = somme des marges espérées m × r^(t−1), actualisées par "
                  "(1 + d)^t, la première un an après le recrutement (convention du cours, docs/conventions.md), "
                  "moins le coût d'acquisition.",
          hints=["Pour le canal « site web » : profit direct total de ses clients / nombre total de leurs années "
                 "d'activité = marge annuelle m ; r = sa rétention (`clv.retention_rate` par canal) ; d = 10 %.",
                 "`clv.clv(...)` avec `horizon=5` et `first_margin=\"end\"` compte cinq marges, la première "
                 "un an après le recrutement.",
                 "Le coût d'acquisition est la moyenne de `acquisition_cost` des clients du canal : passez-le avec "
                 "`acquisition_cost=`."])
def _net_value_web_5y() -> Answer:
    m = _annual_profit(_web_ids())
    r = float(clv.retention_rate(table("orders"), by=_channel())[WEB])
    customers = table("customers")
    cac = float(customers.loc[customers["acquisition_channel"] == WEB, "acquisition_cost"].mean())

    def value(horizon, first="end", cost=cac, d=DISCOUNT):
        return float(clv.clv(m, r, d, horizon=horizon, first_margin=first, acquisition_cost=cost))

    return Answer(
        value(5),
        mistake("un horizon infini au lieu de 5 ans", value(None)),
        mistake("la première marge comptée au recrutement, sans actualisation", value(5, first="now")),
        mistake("la valeur résiduelle d'un client actuel (marges m × r^t) au lieu d'un nouveau client",
                value(5, first=None)),
        mistake("sans déduire le coût d'acquisition", value(5, cost=0.0)),
        mistake("la rétention moyenne de tous les clients au lieu de celle du site web",
                float(clv.clv(m, clv.retention_rate(table("orders")), DISCOUNT, horizon=5,
                              first_margin="end", acquisition_cost=cac))),
    )


@question("06-q9", Euros(decimals=0),
          concept="quand un client part, sa marge et ses coûts partent avec lui, sauf la part fixe de ses coûts "
                  "(ici 40 % de son coût de service), qui reste à la charge de l'entreprise.",
          hints=["Les clients visés sont ceux dont le profit direct est négatif ; ils partent tous.",
                 "Le gain vient de leurs pertes qui disparaissent ; il est réduit des 40 % de leur coût de service "
                 "qui restent à payer.",
                 "`profitability.apply_scenario` avec `churn=1.0`, `stranded=0.4` et `fixed='cost_to_serve'` : "
                 "lisez sa valeur `change`."])
def _end_relationship_gain() -> Answer:
    p = _profit()
    target = p["direct_profit"] < 0
    loss = -p.loc[target, "direct_profit"].sum()
    stranded = p.loc[target, "cost_to_serve"].sum()
    return Answer(
        float(profitability.apply_scenario(p, target, churn=1.0, stranded=STRANDED, fixed="cost_to_serve")["change"]),
        mistake("sans les coûts fixes qui restent (40 % du coût de service)", float(loss)),
        mistake("40 % des coûts indirects au lieu de 40 % du coût de service",
                float(loss - STRANDED * p.loc[target, "indirect_cost"].sum())),
        mistake("30 % du coût de service qui reste au lieu de 40 %", float(loss - 0.3 * stranded)),
        mistake("60 % du coût de service qui reste au lieu de 40 %", float(loss - 0.6 * stranded)),
    )


@question("06-q10", Ratio(decimals=3, percent_ok=True),
          concept="la rupture rapporte tant que les pertes évitées dépassent les coûts fixes qui restent : le point "
                  "mort est la part fixe du coût de service qui annule exactement le gain.",
          hints=["Écrivez le gain de la rupture en fonction de la part fixe s : pertes évitées − s × coût de service "
                 "des clients non rentables.",
                 "Les pertes évitées sont l'opposé de la somme des profits négatifs ; le coût de service est la colonne "
                 "`cost_to_serve` de `profit`, sur les mêmes clients.",
                 "Le point mort est la valeur de s qui rend ce gain nul : un rapport de deux sommes."])
def _break_even_stranded() -> Answer:
    p = _profit()
    target = p["direct_profit"] < 0
    loss = float(-p.loc[target, "direct_profit"].sum())
    cts = float(p.loc[target, "cost_to_serve"].sum())
    return Answer(
        loss / cts,
        mistake("le rapport inversé (coût de service / pertes évitées)", cts / loss),
        mistake("les coûts indirects au lieu du coût de service", loss / float(p.loc[target, "indirect_cost"].sum())),
        mistake("le coût de service de tous les clients au lieu des seuls non rentables",
                loss / float(p["cost_to_serve"].sum())),
    )
