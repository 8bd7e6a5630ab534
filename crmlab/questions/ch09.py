"""Chapter 09 — Programmes de fidélité et dispositifs relationnels: questions, answers, mistakes.

The lesson prints the points ledger at 31/12/2025 (breakage, liability), the rewards' cost
since the launch, the naive / before-after / DiD / matched effects on the **number of
orders**, and the balance table of the matching. The exercises ask the same skills on
what it does not print: another date of the ledger (30/09/2025, 31/12/2024), the cost over
the second half of 2024, the effects on **spend** (€) instead of orders, the standardised
difference of a covariate the lesson does not show, and a placebo DiD before the launch
(the interpretation question: what the pre-trend does to the lesson's DiD).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import loyalty
from ..exercises import Answer, Euros, Number, Ratio, mistake, question
from . import table

LAUNCH = pd.Timestamp("2024-07-01")
EUR_PER_POINT = 0.02
PRE = (LAUNCH - pd.DateOffset(years=1), LAUNCH)
POST = (pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))
COVARIATES = ["log_pre", "recent", "consent", "tenure_years"]


def _ledger_at(date: str) -> pd.Series:
    return loyalty.points_summary(table("loyalty_points"), as_of=date)


@question("09-q1", Ratio(decimals=3, percent_ok=True),
          concept="le breakage est la part des points sortis du programme sans être utilisés : "
                  "expirés / (expirés + utilisés), à une date donnée.",
          hints=["Gardez les mouvements de `points` datés au plus tard du 30 septembre 2025 (colonne `date`).",
                 "Sommez la colonne `points` par `type` : les utilisations et les expirations sont négatives.",
                 "`loyalty.points_summary(...)` avec l'argument `as_of` fait les comptes à une date."])
def _breakage_autumn_2025() -> Answer:
    s = _ledger_at("2025-09-30")
    end = _ledger_at("2025-12-31")
    return Answer(
        float(s["breakage_rate"]),
        mistake("les points expirés rapportés aux points gagnés au lieu des points sortis (expirés + utilisés)",
                float(s["expired"] / s["earned"])),
        mistake("la part des points utilisés au lieu de la part des points expirés", float(1 - s["breakage_rate"])),
        mistake("le grand livre complet (au 31 décembre 2025) au lieu du 30 septembre 2025", float(end["breakage_rate"])),
    )


@question("09-q2", Euros(decimals=0),
          concept="le passif à la valeur faciale est le nombre de points encore dus × la valeur d'un point "
                  "(500 points = 10 €).",
          hints=["Les points encore dus à une date = gagnés − utilisés − expirés jusqu'à cette date.",
                 "`loyalty.points_summary(...)` avec `as_of` donne `outstanding` ; la valeur d'un point est "
                 "`eur_per_point`.",
                 "`loyalty.liability(...)` renvoie la valeur faciale (`face`) : ne retranchez pas le breakage."])
def _liability_2024() -> Answer:
    s = _ledger_at("2024-12-31")
    end = _ledger_at("2025-12-31")
    face = float(s["outstanding"] * EUR_PER_POINT)
    return Answer(
        face,
        mistake("le nombre de points au lieu de leur valeur en euros", float(s["outstanding"])),
        mistake("la valeur nette du breakage au lieu de la valeur faciale",
                face * (1 - float(end["breakage_rate"]))),
        mistake("la date du 31 décembre 2025 au lieu du 31 décembre 2024", float(end["outstanding"] * EUR_PER_POINT)),
        mistake("les points gagnés au lieu des points encore dus", float(s["earned"] * EUR_PER_POINT)),
    )


@cache
def _h2_2024() -> tuple[float, float, float, float]:
    o = table("orders")
    c = table("customers")
    members = set(c.loc[c["loyalty_member"], "customer_id"])
    h2 = o[(o["order_date"] >= LAUNCH) & (o["order_date"] <= "2024-12-31")]
    mem = h2[h2["customer_id"].isin(members)]
    return (float(mem["points_redeemed"].sum() * EUR_PER_POINT), float(mem["amount"].sum()), float(h2["amount"].sum()),
            float(mem["points_earned"].sum() * EUR_PER_POINT))


@question("09-q3", Ratio(decimals=4, percent_ok=True),
          concept="le coût direct d'un programme à points est la remise accordée (points utilisés × valeur d'un "
                  "point), rapportée aux achats des membres sur la même période.",
          hints=["Période : du lancement (`LAUNCH`) au 31 décembre 2024 inclus ; les membres sont les clients dont "
                 "`loyalty_member` est vrai.",
                 "Dans `orders`, la colonne `points_redeemed` donne les points utilisés sur chaque commande ; "
                 "`eur_per_point` les convertit en euros.",
                 "Divisez la remise totale par la somme de `amount` des commandes des membres sur la période."])
def _cost_share_h2_2024() -> Answer:
    cost, member_sales, all_sales, promised = _h2_2024()
    return Answer(
        cost / member_sales,
        mistake("les achats de tous les clients au lieu des seuls membres", cost / all_sales),
        mistake("les points gagnés (la promesse) au lieu des points utilisés", promised / member_sales),
        mistake("des points au lieu d'euros au numérateur", cost / EUR_PER_POINT / member_sales),
    )


@cache
def _base() -> pd.DataFrame:
    """Customers recruited before the launch, with pre-launch covariates and orders / spend before and after."""
    c = table("customers").set_index("customer_id")
    o = table("orders")
    base = c[c["acquisition_date"] < LAUNCH].copy()

    def window(start, end, what):
        w = o[(o["order_date"] >= start) & (o["order_date"] < end)].groupby("customer_id")
        return (w.size() if what == "n" else w["amount"].sum()).reindex(base.index, fill_value=0)

    base["pre"], base["post"] = window(*PRE, "n"), window(*POST, "n")
    base["spend_pre"], base["spend_post"] = window(*PRE, "€").astype(float), window(*POST, "€").astype(float)
    base["recent"] = (window(LAUNCH - pd.DateOffset(months=6), LAUNCH, "n") > 0).astype(int)
    base["log_pre"] = np.log1p(base["pre"])
    base["consent"] = base["consent_email"].astype(int)
    base["tenure_years"] = (LAUNCH - base["acquisition_date"]).dt.days / 365.25
    return base


def _all_customers_spend_ratio() -> float:
    c = table("customers").set_index("customer_id")
    o = table("orders")
    spend = o[o["order_date"].dt.year == 2025].groupby("customer_id")["amount"].sum().reindex(c.index, fill_value=0)
    m = c["loyalty_member"]
    return float(spend[m].mean() / spend[~m].mean() - 1)


@question("09-q4", Ratio(decimals=3, percent_ok=True),
          concept="la comparaison naïve rapporte la moyenne des membres à celle des non-membres, après le lancement ; "
                  "elle mesure surtout l'auto-sélection.",
          hints=["Travaillez sur `base` (clients recrutés avant le lancement) et sa colonne `spend_post` "
                 "(achats de 2025, en euros).",
                 "Moyenne de `spend_post` des membres (`loyalty_member` vrai) et des non-membres : `groupby` ou deux "
                 "filtres.",
                 "L'écart relatif est le rapport des deux moyennes moins 1."])
def _naive_spend() -> Answer:
    b = _base()
    m = b["loyalty_member"]
    ratio = float(b.loc[m, "spend_post"].mean() / b.loc[~m, "spend_post"].mean())
    return Answer(
        ratio - 1,
        mistake("le rapport des moyennes sans retrancher 1", ratio),
        mistake("le nombre de commandes au lieu des achats en euros",
                float(b.loc[m, "post"].mean() / b.loc[~m, "post"].mean() - 1)),
        mistake("tous les clients, y compris ceux recrutés après le lancement", _all_customers_spend_ratio()),
    )


def _spend_panel() -> pd.DataFrame:
    b = _base()
    d = b["loyalty_member"].astype(int)
    return pd.concat([pd.DataFrame({"customer_id": b.index, "member": d, "after": 0, "spend": b["spend_pre"]}),
                      pd.DataFrame({"customer_id": b.index, "member": d, "after": 1, "spend": b["spend_post"]})],
                     ignore_index=True)


@question("09-q5", Euros(decimals=2),
          concept="la différence de différences est (après − avant des membres) − (après − avant des non-membres) : "
                  "le coefficient de membre × après dans la régression.",
          hints=["Construisez un panel de deux lignes par client de `base` : l'une avec `spend_pre` et `after` = 0, "
                 "l'autre avec `spend_post` et `after` = 1, plus `member` (0 ou 1).",
                 "`pd.concat([...], ignore_index=True)` empile deux tables de même colonnes.",
                 "`loyalty.did(...)` sur ce panel (colonne de résultat, `treated=...`, `post=...`) renvoie `estimate`, en "
                 "euros par client et par an."])
def _did_spend() -> Answer:
    r = loyalty.did(_spend_panel(), "spend", treated="member", post="after")
    b = _base()
    m = b["loyalty_member"]
    return Answer(
        float(r["estimate"]),
        mistake("l'évolution des seuls membres (avant / après), sans groupe de comparaison",
                float(b.loc[m, "spend_post"].mean() - b.loc[m, "spend_pre"].mean())),
        mistake("l'écart membres − non-membres après le lancement seulement",
                float(b.loc[m, "spend_post"].mean() - b.loc[~m, "spend_post"].mean())),
        mistake("le signe inversé (non-membres − membres)", -float(r["estimate"])),
        mistake("l'effet relatif au lieu de l'effet en euros", float(r["relative"])),
    )


@question("09-q6", Number(decimals=2),
          concept="l'écart standardisé des moyennes (SMD) = (moyenne des membres − moyenne des non-membres) / "
                  "√((variance des membres + variance des non-membres) / 2) ; au-dessus de 0,1, les groupes diffèrent.",
          hints=["La variable est `spend_pre` (achats en euros des 12 mois avant le lancement), dans `base`, avant tout "
                 "appariement.",
                 "Il faut les moyennes **et** les variances de `spend_pre` chez les membres et chez les non-membres.",
                 "`loyalty.balance_table(...)` (la table, la colonne de traitement, la liste des variables) donne "
                 "la colonne `smd_before`."])
def _smd_spend() -> Answer:
    b = _base()
    m = b["loyalty_member"]
    x = b["spend_pre"]
    smd = float(loyalty.balance_table(b, "loyalty_member", ["spend_pre"]).loc["spend_pre", "smd_before"])
    return Answer(
        smd,
        mistake("la différence des moyennes en euros, sans la diviser par l'écart-type",
                float(x[m].mean() - x[~m].mean())),
        mistake("le signe inversé (non-membres − membres)", -smd),
        mistake("l'écart-type des seuls membres au dénominateur", float((x[m].mean() - x[~m].mean()) / x[m].std())),
        mistake("l'écart-type de toute la base au dénominateur", float((x[m].mean() - x[~m].mean()) / x.std())),
    )


@cache
def _matches() -> pd.DataFrame:
    return loyalty.propensity_match(_base(), "loyalty_member", COVARIATES)


@question("09-q7", Ratio(decimals=3, percent_ok=True),
          concept="après appariement, l'effet se lit en comparant les membres à leurs jumeaux : le rapport des "
                  "moyennes après le lancement, moins 1.",
          hints=["Appariez comme dans la leçon : `loyalty.propensity_match(...)` sur `base`, la colonne de traitement "
                 "`loyalty_member` et les variables `COVARIATES`.",
                 "Le résultat donne, pour chaque membre, son jumeau : colonnes `treated` et `control` (des identifiants "
                 "de `base`) ; un même non-membre peut servir plusieurs fois.",
                 "Moyenne de `spend_post` sur les lignes de `base` des membres appariés (`.loc[...]` avec la colonne "
                 "`treated`), puis sur celles des jumeaux (colonne `control`) ; le rapport moins 1."])
def _matched_spend() -> Answer:
    b, mt = _base(), _matches()
    treated, control = b.loc[mt["treated"], "spend_post"].mean(), b.loc[mt["control"], "spend_post"].mean()
    m = b["loyalty_member"]
    return Answer(
        float(treated / control - 1),
        mistake("chaque non-membre apparié compté une seule fois (doublons retirés)",
                float(treated / b.loc[mt["control"].unique(), "spend_post"].mean() - 1)),
        mistake("les achats d'avant le lancement (`spend_pre`) au lieu de ceux de 2025",
                float(b.loc[mt["treated"], "spend_pre"].mean() / b.loc[mt["control"], "spend_pre"].mean() - 1)),
        mistake("la comparaison sans appariement", float(b.loc[m, "spend_post"].mean() / b.loc[~m, "spend_post"].mean() - 1)),
        mistake("le nombre de commandes au lieu des achats en euros",
                float(b.loc[mt["treated"], "post"].mean() / b.loc[mt["control"], "post"].mean() - 1)),
        mistake("le rapport des moyennes sans retrancher 1", float(treated / control)),
    )


def _placebo(since: pd.Timestamp | None = pd.Timestamp("2023-07-01"), reverse: bool = False) -> float:
    c = table("customers").set_index("customer_id")
    o = table("orders")
    pop = c[c["acquisition_date"] < since] if since is not None else c[c["acquisition_date"] < LAUNCH]
    h1, h2 = (pd.Timestamp("2023-07-01"), pd.Timestamp("2024-01-01")), (pd.Timestamp("2024-01-01"), LAUNCH)
    if reverse:
        h1, h2 = h2, h1

    def n(start, end):
        return o[(o["order_date"] >= start) & (o["order_date"] < end)].groupby("customer_id").size().reindex(
            pop.index, fill_value=0)

    d = pop["loyalty_member"].astype(int)
    panel = pd.concat([pd.DataFrame({"customer_id": pop.index, "member": d, "after": 0, "orders": n(*h1)}),
                       pd.DataFrame({"customer_id": pop.index, "member": d, "after": 1, "orders": n(*h2)})],
                      ignore_index=True)
    return float(loyalty.did(panel, "orders", treated="member", post="after")["estimate"])


@question("09-q8", Number(decimals=2),
          concept="un test placebo applique la différence de différences à une période où le programme n'existait pas "
                  "encore : un « effet » non nul y révèle des tendances qui ne sont pas parallèles.",
          hints=["Population : les clients recrutés **avant le 1er juillet 2023** (colonne `acquisition_date` de "
                 "`customers`), pour qu'ils soient clients pendant les deux semestres.",
                 "Comptez leurs commandes du 1er juillet au 31 décembre 2023 (« avant ») et du 1er janvier au 30 juin "
                 "2024 (« après »), `member` valant 1 pour les futurs membres.",
                 "Empilez les deux semestres en un panel, puis `loyalty.did(...)` : sa valeur `estimate`."])
def _placebo_did() -> Answer:
    est = _placebo()
    return Answer(
        est,
        mistake("tous les clients recrutés avant le lancement, y compris ceux arrivés pendant la période",
                _placebo(since=None)),
        mistake("les deux semestres inversés", _placebo(reverse=True)),
    )
