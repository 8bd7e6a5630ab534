"""Chapter 08 — Fidélité, satisfaction et attrition: questions, answers, mistakes.

The lesson prints the Dick & Basu cells at the thresholds (5, 2), the NPS of all
respondents, of card members and of complainants with a badly handled complaint, the
180-day repurchase after a complaint (by order), the Kaplan–Meier curve of all the
subscribers, the sBG fitted on Fader & Hardie's seven years, the gains of the churn
models and the targeting profit with a 10 € incentive. The exercises ask the same skills
on what it does not print: other thresholds, other groups, a 90-day window counted from
the complaint, the subscribers who joined from July 2023, a fit on five years, a recency score, a 5 € incentive.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import btyd, churn, profitability
from ..exercises import Answer, Count, Euros, Number, Ratio, mistake, question
from . import table

CUTOFF = pd.Timestamp("2024-12-31")
YEAR = pd.DateOffset(years=1)
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]   # Fader & Hardie (2007), years 0-7
CONTACT, INCENTIVE, SUCCESS = 1.0, 5.0, 0.3              # questions 08-q8 and 08-q9


@cache
def _survey() -> pd.DataFrame:
    """The respondents with their orders of the 12 months before the survey (as the setup cell)."""
    s = table("survey").set_index("customer_id")
    o = table("orders")[["customer_id", "order_date"]].merge(s[["survey_date"]], left_on="customer_id",
                                                             right_index=True)
    before = o[(o["order_date"] < o["survey_date"]) & (o["order_date"] >= o["survey_date"] - YEAR)]
    s = s.copy()
    s["orders_before"] = before.groupby("customer_id").size().reindex(s.index, fill_value=0)
    return s


@cache
def _members() -> pd.DataFrame:
    """One row per Verdane+ subscriber (as the setup cell)."""
    m = table("subscriptions").groupby("subscription_id").agg(
        start=("period_start", "min"), periods=("period", "max"),
        churned=("status", lambda s: bool((s == "résilié").any())))
    m["cohort"] = m["start"].dt.year
    m["duration"] = np.where(m["churned"], m["periods"], m["periods"] - 1)
    return m


@cache
def _test() -> pd.DataFrame:
    """The customers active at the end of 2024: recency, 12-month contribution, churn in 2025, BG/NBD score."""
    orders = table("orders")
    past = orders[orders["order_date"] <= CUTOFF]
    last_year = past[past["order_date"] > CUTOFF - YEAR]
    t = pd.DataFrame({"recency_days": (CUTOFF - past.groupby("customer_id")["order_date"].max()).dt.days})
    t["orders_12m"] = last_year.groupby("customer_id").size().reindex(t.index, fill_value=0)
    volumes = table("cost_to_serve")
    per_order = profitability.cost_per_order(profitability.allocate_costs(volumes, table("activity_costs")), volumes)
    margin = last_year.groupby("customer_id")["gross_margin"].sum().reindex(t.index, fill_value=0.0)
    t["value_12m"] = margin - per_order.reindex(t.index) * t["orders_12m"]
    future = orders[(orders["order_date"] > CUTOFF) & (orders["order_date"] <= CUTOFF + YEAR)]
    t["churned"] = (~t.index.isin(future["customer_id"])).astype(int)
    cal = btyd.calibration_and_holdout(orders, "customer_id", "order_date", "2024-12-31", "2025-12-31",
                                       freq_multiplier=7)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    p = churn.prob_no_purchase(model, cal["frequency_cal"], cal["recency_cal"], cal["T_cal"], 365.25 / 7)
    t["p"] = pd.Series(p, index=cal.index).reindex(t.index)
    return t


# ------------------------------------------------------------------ q1 Dick & Basu
def _cell_count(att: float, rep: float, cell: str, strict: bool = False) -> int:
    s = _survey()
    if strict:  # > instead of >=
        return int(churn.dick_basu(s, "attitude", "orders_before", att + 1, rep + 1).eq(cell).sum())
    return int(churn.dick_basu(s, "attitude", "orders_before", att, rep).eq(cell).sum())


@question("08-q1", Count(),
          concept="la matrice de Dick et Basu croise l'attitude (enquête) et le réachat (commandes) ; la fidélité "
                  "latente, c'est une attitude favorable sans réachat.",
          hints=["Deux conditions par répondant : une attitude élevée (colonne `attitude`) et un réachat faible "
                 "(colonne `orders_before`), avec les seuils de l'énoncé.",
                 "« au moins 6 » s'écrit `>= 6` ; « moins de 4 commandes » est le contraire de « au moins 4 ».",
                 "`churn.dick_basu(survey, 'attitude', 'orders_before', ...)` range chaque répondant avec vos seuils ; "
                 "comptez la case voulue."])
def _latent_count() -> Answer:
    return Answer(
        _cell_count(6, 4, "fidélité latente"),
        mistake("la fausse fidélité (réachat sans attitude favorable) au lieu de la fidélité latente",
                _cell_count(6, 4, "fausse fidélité")),
        mistake("des seuils stricts (plus de 6, plus de 4) au lieu de « au moins »",
                _cell_count(6, 4, "fidélité latente", strict=True)),
        mistake("les seuils du cours (5 et 2) au lieu de ceux de l'énoncé", _cell_count(5, 2, "fidélité latente")),
    )


# ------------------------------------------------------------------ q2 NPS of complainants
def _complained_before(any_date: bool = False) -> pd.Series:
    s = _survey()
    first = table("complaints").groupby("customer_id")["complaint_date"].min().reindex(s.index)
    return first.notna() if any_date else first < s["survey_date"]


def _nps(scores: pd.Series, promoter: int = 9, detractor: int = 6) -> float:
    return float(100 * ((scores >= promoter).mean() - (scores <= detractor).mean()))


@question("08-q2", Number(decimals=1),
          concept="NPS = part de promoteurs (9-10) moins part de détracteurs (0-6), en points (× 100).",
          hints=["Gardez les répondants dont une réclamation (table `complaints`) est datée **avant** leur "
                 "`survey_date` : la date de la première réclamation de chaque client suffit.",
                 "Promoteur : note `recommend` de 9 ou 10 ; détracteur : de 0 à 6 ; les parts sont des moyennes de "
                 "booléens.",
                 "`churn.nps(...)` sur ces répondants donne le NPS en points."])
def _nps_complainants() -> Answer:
    s = _survey()
    rec = s.loc[_complained_before(), "recommend"]
    return Answer(
        _nps(rec),
        mistake("une différence de parts (entre −1 et 1) au lieu de points (× 100)", _nps(rec) / 100),
        mistake("tous les répondants au lieu de ceux qui avaient réclamé", _nps(s["recommend"])),
        mistake("les réclamations de toute date, même postérieures à l'enquête",
                _nps(s.loc[_complained_before(any_date=True), "recommend"])),
        mistake("promoteurs dès 8 et détracteurs jusqu'à 7", _nps(rec, 8, 7)),
    )


# ------------------------------------------------------------------ q3 margin of error
def _group_scores() -> pd.Series:
    s = _survey()
    channel = table("customers").set_index("customer_id")["acquisition_channel"].reindex(s.index)
    return s.loc[channel == "marketplace", "recommend"]


@question("08-q3", Number(decimals=1),
          concept="le NPS est la différence de deux parts du même échantillon : Var = [p_P + p_D − (p_P − p_D)²] / n ; "
                  "la marge d'erreur à 95 % vaut 1,96 écart-type.",
          hints=["Gardez les répondants recrutés par la place de marché (`acquisition_channel` valant "
                 "« marketplace » dans la table `customers`).",
                 "Calculez les parts de promoteurs et de détracteurs, puis la variance de leur différence.",
                 "`churn.nps(...)` renvoie l'écart-type (`se`, en points) ; la marge d'erreur est 1,96 fois plus grande."])
def _margin_of_error() -> Answer:
    r = _group_scores()
    out = churn.nps(r)
    pp = float((r >= 9).mean())
    return Answer(
        1.96 * float(out["se"]),
        mistake("l'écart-type au lieu de la marge d'erreur à 95 % (1,96 écart-type)", float(out["se"])),
        mistake("une marge en parts (entre 0 et 1) au lieu de points", 1.96 * float(out["se"]) / 100),
        mistake("la variance d'une seule proportion (les promoteurs) au lieu de celle de la différence",
                196 * np.sqrt(pp * (1 - pp) / len(r))),
        mistake("tous les répondants au lieu de ceux recrutés par la place de marché",
                1.96 * float(churn.nps(_survey()["recommend"])["se"])),
    )


# ------------------------------------------------------------------ q4 after a complaint
def _rebought(resolution: str, days: int, from_order: bool = False, same_day: bool = False) -> float:
    comp = table("complaints")
    orders = table("orders")
    c = comp[comp["resolution"] == resolution][["complaint_id", "customer_id", "order_id", "complaint_date"]]
    if from_order:
        c = c.merge(orders[["order_id", "order_date"]], on="order_id").assign(complaint_date=lambda d: d["order_date"])
        c = c.drop(columns="order_date")
    m = c.merge(orders[["customer_id", "order_date"]], on="customer_id")
    gap = (m["order_date"] - m["complaint_date"]).dt.days
    ok = ((gap >= 0) if same_day else (gap > 0)) & (gap <= days)
    hit = m.loc[ok, "complaint_id"].unique()
    return float(c["complaint_id"].isin(hit).mean())


@question("08-q4", Ratio(decimals=3, percent_ok=True),
          concept="le comportement après un incident se mesure sur une fenêtre qui part de l'incident : ici la date "
                  "de la réclamation, et une commande strictement postérieure.",
          hints=["Gardez les réclamations « résolue – insatisfait » et, pour chacune, les commandes du même client "
                 "(jointure sur `customer_id`).",
                 "L'écart en jours entre `order_date` et `complaint_date` doit être strictement positif et au plus "
                 "de 90 jours.",
                 "Une réclamation compte une fois si au moins une commande tombe dans la fenêtre ; la part est une "
                 "moyenne de booléens sur les réclamations."])
def _rebought_90() -> Answer:
    res = "résolue – insatisfait"
    return Answer(
        _rebought(res, 90),
        mistake("une fenêtre de 180 jours au lieu de 90", _rebought(res, 180)),
        mistake("une fenêtre comptée depuis la commande réclamée au lieu de la réclamation",
                _rebought(res, 90, from_order=True)),
        mistake("les réclamations « résolue – satisfait » au lieu de « résolue – insatisfait »",
                _rebought("résolue – satisfait", 90)),
    )


# ------------------------------------------------------------------ q5 Kaplan–Meier
def _km(m: pd.DataFrame, t: int) -> float:
    km = churn.kaplan_meier(m, "duration", "churned")
    return float(km["survival"].loc[:t].iloc[-1])


@question("08-q5", Ratio(decimals=3, percent_ok=True),
          concept="Kaplan–Meier : à chaque anniversaire, les départs rapportés aux seuls abonnés exposés (la censure "
                  "n'est pas un départ), puis le produit des taux de maintien.",
          hints=["Gardez les abonnés de `members` arrivés à partir du 1er juillet 2023 (colonne `start`).",
                 "`duration` compte les anniversaires passés, `churned` dit si l'abonné est parti.",
                 "`churn.kaplan_meier(...)` sur ces abonnés ; lisez la survie au deuxième anniversaire."])
def _km_since() -> Answer:
    m = _members()
    since = m[m["start"] >= pd.Timestamp("2023-07-01")]
    return Answer(
        _km(since, 2),
        mistake("la part des abonnés qui n'ont pas résilié (la censure ignorée)", float(1 - since["churned"].mean())),
        mistake("la survie au premier anniversaire au lieu du deuxième", _km(since, 1)),
        mistake("tous les abonnés au lieu de ceux arrivés à partir de juillet 2023", _km(m, 2)),
    )


# ------------------------------------------------------------------ q6 sBG projection
@question("08-q6", Number(decimals=0),
          concept="le sBG, ajusté sur les survivants observés, prolonge la courbe : survivants = effectif × S(t).",
          hints=["Ajustez le modèle sur les années 0 à 4 seulement de la cohorte « high end » (`high_end`, "
                 "cinq nombres).",
                 "`churn.fit_sbg(...)` renvoie un modèle dont la méthode `.survival(...)` donne S(0), …, S(n).",
                 "Multipliez S(7) par l'effectif de départ (1 000)."])
def _sbg_year7() -> Answer:
    fit5 = churn.fit_sbg(HIGH_END[:5])
    fit8 = churn.fit_sbg(HIGH_END)
    mean_rate = (HIGH_END[4] / HIGH_END[0]) ** (1 / 4)
    return Answer(
        1000 * float(fit5.survival(7)[7]),
        mistake("le modèle ajusté sur les 8 années (0 à 7) au lieu des années 0 à 4", 1000 * float(fit8.survival(7)[7])),
        mistake("un taux de renouvellement constant (la moyenne géométrique des années 1 à 4), sans hétérogénéité",
                1000 * mean_rate ** 7),
        mistake("la survie à l'année 6 au lieu de 7", 1000 * float(fit5.survival(7)[6])),
    )


# ------------------------------------------------------------------ q7 lift of a recency score
@question("08-q7", Ratio(decimals=2),
          concept="le lift d'un décile est son taux de perdus rapporté au taux moyen ; le premier décile regroupe "
                  "les scores les plus élevés.",
          hints=["Le score est `recency_days` de la table `test` : plus un client est silencieux, plus il est à risque.",
                 "La cible est la colonne `churned` ; un premier décile, c'est le dixième des clients au score le plus "
                 "élevé.",
                 "`churn.gains_table(test, ...)` donne le lift de chaque décile."])
def _recency_lift() -> Answer:
    t = _test()
    g = churn.gains_table(t, "recency_days", "churned")
    low = churn.gains_table(t.assign(r=-t["recency_days"]), "r", "churned")
    return Answer(
        float(g.loc[1, "lift"]),
        mistake("les clients les plus récents d'abord (score dans le mauvais sens)", float(low.loc[1, "lift"])),
        mistake("la part des perdus touchés (gain) au lieu du lift", float(g.loc[1, "gain"])),
        mistake("le taux de perdus du décile au lieu du lift", float(g.loc[1, "rate"])),
    )


# ------------------------------------------------------------------ q8 targeting profit
def _profit(rank_by: str, depth: float, incentive: float = INCENTIVE) -> float:
    t = _test().dropna(subset=["p"]).copy()
    t["gain"] = churn.offer_gain(t["p"], t["value_12m"], CONTACT, incentive, SUCCESS)
    curve = churn.targeting_profit(t, rank_by, "p", "value_12m", CONTACT, incentive, SUCCESS, steps=100)
    return float(curve.loc[np.isclose(curve["depth"], depth), "profit"].iloc[0])


@question("08-q8", Euros(decimals=0),
          concept="profit d'une profondeur de ciblage = somme des gains espérés des clients contactés, triés du "
                  "plus prometteur au moins prometteur.",
          hints=["Calculez le gain espéré de chaque client de `test` (probabilité `p`, valeur `value_12m`) avec un "
                 "contact à 1 €, une incitation de 5 € et un succès de 30 %.",
                 "`churn.offer_gain(...)` donne ce gain ; triez les clients par gain décroissant.",
                 "`churn.targeting_profit(...)` donne le profit selon la profondeur : lisez la ligne de 10 %."])
def _profit_10() -> Answer:
    return Answer(
        _profit("gain", 0.10),
        mistake("les clients triés par risque (`p`) au lieu du gain espéré", _profit("p", 0.10)),
        mistake("une incitation de 10 € au lieu de 5 €", _profit("gain", 0.10, incentive=10.0)),
        mistake("une profondeur de 20 % au lieu de 10 %", _profit("gain", 0.20)),
    )


# ------------------------------------------------------------------ q9 best depth (interpretation)
def _best_depth(rank_by: str = "gain", incentive: float = INCENTIVE) -> float:
    t = _test().dropna(subset=["p"]).copy()
    t["gain"] = churn.offer_gain(t["p"], t["value_12m"], CONTACT, incentive, SUCCESS)
    curve = churn.targeting_profit(t, rank_by, "p", "value_12m", CONTACT, incentive, SUCCESS, steps=1000)
    return float(curve.loc[curve["profit"].idxmax(), "depth"])


@question("08-q9", Ratio(decimals=3, percent_ok=True),
          concept="le profit croît tant que le client suivant a un gain espéré positif : la profondeur optimale est "
                  "la part des clients dont le gain espéré est positif.",
          hints=["Reprenez les gains espérés de la question précédente.",
                 "Le profit cumulé est maximal quand on s'arrête au dernier client de gain positif.",
                 "La part des clients de `test` (avec un score `p`) dont le gain est strictement positif."])
def _optimal_depth() -> Answer:
    t = _test().dropna(subset=["p"])
    gain = churn.offer_gain(t["p"], t["value_12m"], CONTACT, INCENTIVE, SUCCESS)
    return Answer(
        float((gain > 0).mean()),
        mistake("la profondeur optimale d'un tri par risque au lieu du gain espéré", _best_depth("p")),
        mistake("une incitation de 10 € au lieu de 5 €", _best_depth(incentive=10.0)),
    )
