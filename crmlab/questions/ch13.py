"""Chapter 13 — Piloter la relation client : questions, answers, mistakes.

The lesson prints the company's KPIs of 2023-2025, the 2025 tables by segment and by channel,
the 2024 → 2025 decomposition of the contribution, the NPS of all respondents and the
repurchase shares within 365 days of the survey and of a complaint: the exercises ask the
same skills on what it does not print (2024, one channel or one segment, the silver tier's
NPS, the 2023 → 2024 decomposition, a 180-day window).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import dashboard, profitability
from ..churn import nps
from ..exercises import Answer, Count, Euros, Number, Ratio, mistake, question
from . import table

WINDOW_DAYS = 180   # 13-q8


@cache
def _cost_per_order() -> pd.Series:
    volumes = table("cost_to_serve")
    return profitability.cost_per_order(profitability.allocate_costs(volumes, table("activity_costs")), volumes)


@cache
def _segments() -> pd.Series:
    return dashboard.loyalty_segments(table("customers"))


@cache
def _yearly() -> pd.DataFrame:
    facts = dashboard.order_facts(table("orders"), cost_per_order=_cost_per_order(), segments=_segments())
    return dashboard.kpi_table(facts, table("complaints"))


def _row(period: str, segment: str = "Tous", channel: str = "Tous") -> pd.Series:
    return _yearly().loc[(period, segment, channel)]


def _without(values: list, answer, tol: float = 0.0) -> list:
    return [m for m in values if abs(m.value - answer) > tol]


@question("13-q1", Count(),
          concept="un indicateur de la relation client compte des clients, pas des commandes : un client actif a "
                  "passé au moins une commande dans la période (et ici dans le canal).",
          hints=["Gardez les commandes de 2024 passées par l'application (colonne `channel` de `orders`).",
                 "Un client qui a commandé trois fois ne compte qu'une fois : comptez les identifiants distincts.",
                 "`.nunique()` sur la colonne `customer_id` ; ou lisez la ligne voulue de la table de "
                 "`dashboard.kpi_table(...)`."])
def _active_app() -> Answer:
    o = table("orders")
    y = o["order_date"].dt.year
    ans = int(_row("2024", channel="application")["active_customers"])
    return Answer(ans, *_without([
        mistake("le nombre de commandes au lieu du nombre de clients",
                int(((y == 2024) & (o["channel"] == "application")).sum())),
        mistake("les clients actifs de 2024 de tous les canaux", int(_row("2024")["active_customers"])),
        mistake("l'année 2025 au lieu de 2024", int(_row("2025", channel="application")["active_customers"])),
    ], ans))


@question("13-q2", Ratio(decimals=3, percent_ok=True),
          concept="la rétention non contractuelle d'une année : parmi les clients actifs l'année précédente, la part "
                  "qui achète encore cette année (retenus ÷ actifs de l'année d'avant).",
          hints=["Le segment d'un client est dans `segments` (indexé par `customer_id`).",
                 "Il faut deux ensembles de clients « bronze » : ceux qui ont acheté en 2023 et ceux qui ont acheté "
                 "en 2024 ; les retenus sont dans les deux.",
                 "Divisez par le nombre d'actifs de **2023**, pas de 2024 ; `dashboard.kpi_table` donne la colonne "
                 "`retention`."])
def _retention_bronze() -> Answer:
    r = _row("2024", segment="bronze")
    ans = float(r["retention"])
    return Answer(ans, *_without([
        mistake("les retenus divisés par les actifs de 2024 au lieu de ceux de 2023",
                float(r["retained_customers"] / r["active_customers"])),
        mistake("l'année 2025 au lieu de 2024", float(_row("2025", segment="bronze")["retention"])),
        mistake("tous les segments au lieu des seuls « bronze »", float(_row("2024")["retention"])),
    ], ans, 0.0005))


@question("13-q3", Euros(decimals=2),
          concept="la contribution (marge brute − coût de service, convention du cours) rapportée au nombre de "
                  "clients actifs du périmètre.",
          hints=["La contribution d'une commande est sa marge brute moins le coût de service par commande du client "
                 "(`cost_per_order`, une série indexée par client).",
                 "Sommez la contribution des commandes de 2024 en magasin, puis divisez par les clients distincts de "
                 "ce périmètre.",
                 "La table de `dashboard.kpi_table(...)` a une colonne `contribution_per_customer`."])
def _contribution_store() -> Answer:
    r = _row("2024", channel="magasin")
    ans = float(r["contribution_per_customer"])
    return Answer(ans, *_without([
        mistake("la marge brute par client, sans retrancher le coût de service",
                float(r["gross_margin"] / r["active_customers"])),
        mistake("la contribution par commande au lieu de par client", float(r["contribution_per_order"])),
        mistake("le chiffre d'affaires par client au lieu de la contribution", float(r["revenue"] / r["active_customers"])),
        mistake("tous les canaux au lieu du seul magasin", float(_row("2024")["contribution_per_customer"])),
    ], ans, 0.005))


@question("13-q4", Number(decimals=1),
          concept="un taux de réclamations se rapporte au volume d'activité : réclamations sur les commandes du "
                  "périmètre pour 1 000 commandes de ce périmètre.",
          hints=["Une réclamation porte sur une commande (`order_id` de `complaints`) : c'est le canal de cette "
                 "commande qui compte, pas le canal par lequel le client s'est plaint.",
                 "Comptez les commandes de 2024 passées sur le site web, et celles d'entre elles qui ont une réclamation.",
                 "Multipliez le rapport par 1 000 ; `dashboard.kpi_table(...)`, avec les réclamations, a la colonne "
                 "`complaints_per_1000`."])
def _complaints_web() -> Answer:
    r = _row("2024", channel="site web")
    ans = float(r["complaints_per_1000"])
    c = table("complaints")
    by_contact = c[(c["complaint_date"].dt.year == 2024) & (c["channel"] == "site web")]
    return Answer(ans, *_without([
        mistake("pour 100 commandes au lieu de 1 000", ans / 10),
        mistake("tous les canaux au lieu du seul site web", float(_row("2024")["complaints_per_1000"])),
        mistake("le canal par lequel le client s'est plaint au lieu du canal de la commande",
                1000 * len(by_contact) / float(r["orders"])),
        mistake("l'année 2025 au lieu de 2024", float(_row("2025", channel="site web")["complaints_per_1000"])),
    ], ans, 0.05))


@question("13-q5", Euros(decimals=2),
          concept="dans l'arbre des indicateurs, contribution par commande = panier moyen × taux de marge − coût de "
                  "service par commande, chacun calculé sur les commandes du périmètre.",
          hints=["Le périmètre : les commandes de 2024 des clients du segment « or » (tous canaux).",
                 "Le coût de service d'une commande est celui de son client (`cost_per_order`) : faites la moyenne "
                 "sur les commandes du périmètre (un client qui commande souvent compte plusieurs fois), pas sur les "
                 "clients.",
                 "`dashboard.kpi_tree(...)` sur la bonne ligne de la table des indicateurs donne tous les nœuds."])
def _cpo_gold() -> Answer:
    r = _row("2024", segment="or")
    t = dashboard.kpi_tree(r)
    ans = float(t["contribution_per_order"])
    gold = _segments()[_segments() == "or"].index
    return Answer(ans, *_without([
        mistake("la marge brute par commande, sans le coût de service", float(t["basket"] * t["margin_rate"])),
        mistake("le coût de service moyen des clients (non pondéré par leurs commandes)",
                float(t["basket"] * t["margin_rate"] - _cost_per_order().reindex(gold).mean())),
        mistake("la contribution par client au lieu de par commande", float(r["contribution_per_customer"])),
        mistake("l'année 2025 au lieu de 2024", float(dashboard.kpi_tree(_row("2025", segment="or"))["contribution_per_order"])),
    ], ans, 0.005))


@question("13-q6", Number(decimals=1),
          concept="NPS = part des promoteurs (9 et 10) − part des détracteurs (0 à 6), en points ; les notes 7 et 8 "
                  "(passifs) ne comptent que dans le total.",
          hints=["La note de recommandation est la colonne `recommend` de `survey` ; gardez les répondants dont le "
                 "segment (`segments`) est « argent ».",
                 "Un promoteur a donné 9 ou 10, un détracteur 0 à 6.",
                 "`nps(...)` (de `crmlab.churn`) rend une série dont l'élément `nps` est le score en points."])
def _nps_silver() -> Answer:
    s = table("survey")
    scores = s.loc[s["customer_id"].map(_segments()) == "argent", "recommend"]
    ans = float(nps(scores)["nps"])
    return Answer(ans, *_without([
        mistake("la part des promoteurs seule (sans retrancher les détracteurs)", 100 * float((scores >= 9).mean())),
        mistake("des promoteurs à partir de 8 au lieu de 9", 100 * float((scores >= 8).mean() - (scores <= 6).mean())),
        mistake("des détracteurs jusqu'à 7 au lieu de 6", 100 * float((scores >= 9).mean() - (scores <= 7).mean())),
        mistake("une part (entre −1 et 1) au lieu de points", ans / 100),
        mistake("tous les segments au lieu des seuls « argent »", float(nps(s["recommend"])["nps"])),
    ], ans, 0.05))


def _growth_shares(a: str, b: str) -> pd.Series:
    t0, t1 = dashboard.kpi_tree(_row(a)), dashboard.kpi_tree(_row(b))
    keys = ["active_customers", "orders_per_customer", "contribution_per_order"]
    logs = pd.Series({k: np.log(t1[k] / t0[k]) for k in keys})
    return logs / logs.sum()


@question("13-q7", Ratio(decimals=3, percent_ok=True),
          concept="la contribution est un produit (clients actifs × commandes par client × contribution par "
                  "commande) : le logarithme de sa variation est la somme des logarithmes des variations des facteurs, "
                  "et la part d'un facteur est son logarithme rapporté à la somme.",
          hints=["Calculez les trois facteurs de l'arbre pour 2023 et pour 2024 (tous segments, tous canaux).",
                 "Pour chaque facteur, le logarithme (`np.log`) du rapport 2024 / 2023.",
                 "La part des clients actifs = son logarithme ÷ la somme des trois logarithmes."])
def _growth_share() -> Answer:
    shares = _growth_shares("2023", "2024")
    ans = float(shares["active_customers"])
    t0, t1 = dashboard.kpi_tree(_row("2023")), dashboard.kpi_tree(_row("2024"))
    lin = pd.Series({k: t1[k] / t0[k] - 1 for k in shares.index})
    return Answer(ans, *_without([
        mistake("des variations en pourcentage au lieu des logarithmes (elles ne s'additionnent pas)",
                float(lin["active_customers"] / lin.sum())),
        mistake("la part des commandes par client au lieu des clients actifs", float(shares["orders_per_customer"])),
        mistake("la période 2024 → 2025 au lieu de 2023 → 2024", float(_growth_shares("2024", "2025")["active_customers"])),
    ], ans, 0.0005))


def _repurchase_gap(window: int, same_day: bool = False) -> tuple[float, float]:
    s = table("survey")[["customer_id", "survey_date", "satisfaction"]]
    o = table("orders")[["customer_id", "order_date"]].merge(s[["customer_id", "survey_date"]], on="customer_id")
    delay = (o["order_date"] - o["survey_date"]).dt.days
    ok = ((delay >= 0) if same_day else (delay > 0)) & (delay <= window)
    bought = s["customer_id"].isin(o.loc[ok, "customer_id"])
    high = float(bought[s["satisfaction"] >= 9].mean())
    low = float(bought[s["satisfaction"] <= 6].mean())
    return high, low


@question("13-q8", Ratio(decimals=3, percent_ok=True),
          concept="tester un maillon de la chaîne de service-profit au niveau du client : comparer ce que font, "
                  "après l'enquête, les très satisfaits et les insatisfaits (un écart de parts, en points).",
          hints=["Pour chaque répondant, cherchez ses commandes passées **après** la date de son enquête "
                 "(`survey_date`), au plus `WINDOW_DAYS` jours après.",
                 "Un achat le jour même de l'enquête ne compte pas (il peut l'avoir précédée).",
                 "Part des clients qui rachètent parmi les notes 9-10, moins la même part parmi les notes 0-6 "
                 "(colonne `satisfaction`)."])
def _satisfaction_gap() -> Answer:
    high, low = _repurchase_gap(WINDOW_DAYS)
    ans = high - low
    h365, l365 = _repurchase_gap(365)
    hs, ls = _repurchase_gap(WINDOW_DAYS, same_day=True)
    return Answer(ans, *_without([
        mistake("une fenêtre de 365 jours au lieu de 180", h365 - l365),
        mistake("le rapport des deux parts au lieu de leur différence", high / low),
        mistake("les achats du jour même de l'enquête comptés", hs - ls),
        mistake("la part des très satisfaits seule", high),
    ], ans, 0.0005))
