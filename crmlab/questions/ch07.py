"""Chapter 07 — Valeur à vie probabiliste (BG/NBD, Gamma-Gamma): questions, answers, mistakes.

The lesson prints the calibration summary (customers without repeat purchase, share
silent in 2025), the fitted parameters read as a rhythm and a dropout risk, the
holdout gap, the frequency / spend correlation and the mean 12-month CLV: the
exercises ask the same skills on what it does not print (a combination of
conditions, the frequent buyers, the model fitted on the whole history, the
repeat buyers' holdout, the calibration table, a 24-month horizon). Fitted values come
from an optimiser: they are asked with the precision the course displays.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .. import btyd, datasets, profitability
from ..exercises import Answer, Count, Euros, Number, Ratio, SeriesOf, Years, mistake, question
from ..rfm import customer_summary
from . import table

CAL_END = "2024-12-31"
END = "2025-12-31"
WEEKS_PER_YEAR = 365.25 / 7
# Profiles of question 07-q5: (repeat purchases, age at last purchase, age), in weeks
PROFILES = {"A": (8, 100.0, 104.0), "B": (8, 40.0, 104.0), "C": (1, 40.0, 104.0)}


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _cal() -> pd.DataFrame:
    return btyd.calibration_and_holdout(_orders(), "customer_id", "order_date", CAL_END, END,
                                        monetary_value_col="amount", freq_multiplier=7)


@cache
def _bgnbd() -> Any:
    return btyd.fit_bgnbd(_cal(), "frequency_cal", "recency_cal", "T_cal")


@cache
def _summary() -> pd.DataFrame:
    s = customer_summary(_orders(), "customer_id", "order_date", "amount", observation_period_end=END)
    s[["recency", "T"]] = s[["recency", "T"]] / 7
    return s


@cache
def _bgnbd_full() -> Any:
    return btyd.fit_bgnbd(_summary())


@question("07-q1", Count(),
          concept="un achat répété est un achat après le premier jour d'achat ; frequency = 0 : jamais racheté. "
                  "La période de test compte les achats de 2025.",
          hints=["Deux colonnes de `cal` : `frequency_cal` (achats répétés en 2023-2024) et `frequency_holdout` "
                 "(achats en 2025).",
                 "Chaque condition `== 0` donne des True / False ; les deux doivent être vraies à la fois : `&`, "
                 "avec des parenthèses autour de chaque condition.",
                 "La somme des True compte les clients."])
def _never_again() -> Answer:
    c = _cal()
    no_repeat, silent = c["frequency_cal"] == 0, c["frequency_holdout"] == 0
    return Answer(
        int((no_repeat & silent).sum()),
        mistake("les clients sans achat répété en calibration, sans la condition sur 2025", int(no_repeat.sum())),
        mistake("les clients sans achat en 2025, sans la condition sur la calibration", int(silent.sum())),
        mistake("« ou » au lieu de « et » entre les deux conditions", int((no_repeat | silent).sum())),
    )


@question("07-q2", Ratio(decimals=3, percent_ok=True),
          concept="la part des clients silencieux pendant la période de test dit combien de clients, même "
                  "fidèles jusque-là, ont cessé d'acheter (ou font une pause).",
          hints=["Gardez les clients de `cal` qui ont fait **au moins** 3 achats répétés en calibration "
                 "(`frequency_cal`).",
                 "Parmi eux, une condition « `frequency_holdout` égale à 0 » dit qui n'a rien acheté en 2025.",
                 "La moyenne d'une série de booléens est une part."])
def _silent_frequent() -> Answer:
    c = _cal()
    silent = c["frequency_holdout"] == 0
    return Answer(
        float(silent[c["frequency_cal"] >= 3].mean()),
        mistake("tous les clients de la calibration au lieu de ceux qui ont fait au moins 3 achats répétés",
                float(silent.mean())),
        mistake("plus de 3 achats répétés (> 3) au lieu d'au moins 3 (≥ 3)", float(silent[c["frequency_cal"] > 3].mean())),
        mistake("la part des clients qui ont acheté en 2025, au lieu de ceux qui n'ont rien acheté",
                float(1 - silent[c["frequency_cal"] >= 3].mean())),
    )


@question("07-q3", Years(decimals=2),
          concept="dans le BG/NBD, le rythme moyen d'un client actif est le rapport des deux paramètres de la loi "
                  "Gamma des rythmes, par unité de temps (ici la semaine) ; une année compte 365,25 / 7 semaines.",
          hints=["Les paramètres ajustés sont dans `bgnbd.params_` (r, alpha, a, b) ; r et alpha décrivent les "
                 "rythmes d'achat.",
                 "La moyenne d'une loi Gamma(r, α) est r / α : des achats par semaine, puisque le temps est en semaines.",
                 "Convertissez en achats par an avec le nombre de semaines d'une année (365,25 / 7)."])
def _rate_per_year() -> Answer:
    p = _bgnbd().params_
    weekly = float(p["r"] / p["alpha"])
    return Answer(
        weekly * WEEKS_PER_YEAR,
        mistake("α / r au lieu de r / α", float(p["alpha"] / p["r"]) * WEEKS_PER_YEAR),
        mistake("le modèle ajusté sur tout l'historique (`bgnbd_full`) au lieu de la calibration",
                float(_bgnbd_full().params_["r"] / _bgnbd_full().params_["alpha"]) * WEEKS_PER_YEAR),
    )


@question("07-q4", Ratio(decimals=3, percent_ok=True),
          concept="la probabilité de partir après un achat suit une loi Bêta(a, b), dont la moyenne est a / (a + b).",
          hints=["Le modèle demandé est `bgnbd_full`, ajusté sur tout l'historique (pas `bgnbd`, ajusté sur la "
                 "calibration).",
                 "Ce sont ses paramètres a et b (`bgnbd_full.params_`) qui décrivent les départs.",
                 "La moyenne d'une loi Bêta(a, b) est a / (a + b)."])
def _mean_dropout_full() -> Answer:
    p, c = _bgnbd_full().params_, _bgnbd().params_
    return Answer(
        float(p["a"] / (p["a"] + p["b"])),
        mistake("le modèle ajusté sur la calibration (`bgnbd`) au lieu de tout l'historique",
                float(c["a"] / (c["a"] + c["b"]))),
        mistake("b / (a + b) au lieu de a / (a + b)", float(p["b"] / (p["a"] + p["b"]))),
        mistake("a / b au lieu de a / (a + b)", float(p["a"] / p["b"])),
    )


def _alive(profiles: dict[str, tuple[float, float, float]]) -> pd.Series:
    f, r, t = (np.array(v, dtype=float) for v in zip(*profiles.values()))
    return pd.Series(_bgnbd().conditional_probability_alive(f, r, t), index=list(profiles))


@question("07-q5", SeriesOf(Ratio(decimals=3, percent_ok=True), index="le profil (« A », « B », « C »)",
                            labels_public=True),
          concept="P(actif) dépend de la récence rapportée à la fréquence : un gros acheteur silencieux est "
                  "probablement parti.",
          hints=["La méthode `bgnbd.conditional_probability_alive(...)` prend, dans l'ordre, fréquence, récence et "
                 "ancienneté ; elle accepte des tableaux.",
                 "Ici `recency` est l'âge du client à son dernier achat (pas son silence) et `frequency` le nombre "
                 "d'achats **répétés** ; mettez les trois profils dans des tableaux numpy, dans l'ordre A, B, C.",
                 "Faites du résultat une série : `pd.Series(...)` avec l'argument `index=['A', 'B', 'C']`."])
def _alive_profiles() -> Answer:
    silence = {k: (f, t - r, t) for k, (f, r, t) in PROFILES.items()}
    total = {k: (f + 1, r, t) for k, (f, r, t) in PROFILES.items()}
    return Answer(
        _alive(PROFILES),
        mistake("le silence (ancienneté − âge au dernier achat) à la place de l'âge au dernier achat", _alive(silence)),
        mistake("le nombre total d'achats au lieu du nombre d'achats répétés", _alive(total)),
    )


@cache
def _expected_2025() -> pd.Series:
    c = _cal()
    return pd.Series(_bgnbd().conditional_expected_number_of_purchases_up_to_time(
        c["duration_holdout"].to_numpy(dtype=float), c["frequency_cal"].to_numpy(dtype=float),
        c["recency_cal"].to_numpy(dtype=float), c["T_cal"].to_numpy(dtype=float)), index=c.index)


@question("07-q6", Ratio(decimals=3, percent_ok=True),
          concept="on valide un modèle sur une période qu'il n'a pas vue : total prévu comparé au total réel, "
                  "ici pour les seuls clients qui avaient déjà racheté.",
          hints=["Gardez les clients de `cal` avec au moins un achat répété en calibration.",
                 "Pour eux, la méthode `conditional_expected_number_of_purchases_up_to_time` de `bgnbd` prévoit les "
                 "achats de 2025 : arguments durée (colonne `duration_holdout`), fréquence, récence, ancienneté "
                 "(colonnes `_cal`) ; le réel est `frequency_holdout`.",
                 "L'écart relatif est la somme prévue / la somme réelle − 1 (positif si le modèle surestime)."])
def _holdout_gap_repeaters() -> Answer:
    c = _cal()
    rep = c["frequency_cal"] > 0
    pred, act = _expected_2025(), c["frequency_holdout"].astype(float)
    return Answer(
        float(pred[rep].sum() / act[rep].sum() - 1),
        mistake("tous les clients de la calibration au lieu de ceux qui avaient racheté",
                float(pred.sum() / act.sum() - 1)),
        mistake("le rapport inversé (réel / prévu − 1)", float(act[rep].sum() / pred[rep].sum() - 1)),
        mistake("la moyenne des écarts client par client au lieu de l'écart des totaux",
                float((pred[rep] - act[rep]).mean())),
        mistake("l'écart en nombre d'achats au lieu de l'écart relatif", float(pred[rep].sum() - act[rep].sum())),
    )


@question("07-q7", Ratio(decimals=3),
          concept="le Gamma-Gamma suppose le panier indépendant de la fréquence : on le vérifie par une corrélation "
                  "sur les clients ayant racheté, dans la table sur laquelle on ajuste le modèle.",
          hints=["La table demandée est `cal` (la calibration 2023-2024), pas `summary`.",
                 "Gardez seulement les clients avec au moins un achat répété en calibration : les autres n'ont pas "
                 "de panier moyen répété (il vaut 0).",
                 "La corrélation (de Pearson) de deux colonnes : la méthode `.corr(...)` d'une série, avec l'autre en "
                 "argument."])
def _independence_cal() -> Answer:
    c = _cal()
    rep = c[c["frequency_cal"] > 0]
    s = _summary()
    s_rep = s[s["frequency"] > 0]
    return Answer(
        float(rep["frequency_cal"].corr(rep["monetary_value_cal"])),
        mistake("la table `summary` (tout l'historique) au lieu de `cal`", float(s_rep["frequency"].corr(s_rep["monetary_value"]))),
        mistake("tous les clients, y compris ceux qui n'ont jamais racheté (panier 0)",
                float(c["frequency_cal"].corr(c["monetary_value_cal"]))),
        mistake("une corrélation des rangs (Spearman) au lieu de Pearson",
                float(rep["frequency_cal"].corr(rep["monetary_value_cal"], method="spearman"))),
    )


@cache
def _clv_parts() -> tuple[pd.Series, float]:
    s = _summary()
    gg = btyd.fit_gamma_gamma(s)
    spend = gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    o = _orders()
    return spend, float(o["gross_margin"].sum() / o["amount"].sum())


@cache
def _cost_per_order() -> pd.Series:
    volumes = table("cost_to_serve")
    costs = profitability.allocate_costs(volumes, table("activity_costs"))
    return profitability.cost_per_order(costs, volumes).reindex(_summary().index)


def _mean_clv(months: int, model: Any = None, margin: bool = True, discount: float = 0.10,
              cost: bool = True) -> float:
    spend, rate = _clv_parts()
    monthly = btyd.expected_purchases_by_month(model or _bgnbd_full(), _summary(), months=months, period_days=7)
    if not margin:  # revenue: every order at its expected spend
        return float(btyd.discounted_clv(monthly, spend, discount).mean())
    per_order = _cost_per_order() if cost else 0.0
    return float(btyd.expected_contribution(monthly, spend, rate, per_order, discount, months=months).mean())


@question("07-q8", Euros(decimals=2),
          concept="valeur résiduelle sur un horizon = somme, mois par mois, des achats attendus × contribution d'une "
                  "commande (taux de marge × panier attendu − coût de service par commande), actualisée "
                  "(docs/conventions.md).",
          hints=["Il faut quatre ingrédients : les achats attendus mois par mois (BG/NBD `bgnbd_full`, sur 24 mois), "
                 "le panier attendu (Gamma-Gamma ajusté sur `summary`), le taux de marge de Verdane et le coût de "
                 "service par commande de chaque client.",
                 "`btyd.fit_gamma_gamma` sur `summary`, puis sa méthode `conditional_expected_average_profit` ; taux de "
                 "marge = somme de `gross_margin` / somme de `amount` des commandes ; coût par commande : "
                 "`profitability.cost_per_order` sur le résultat de `profitability.allocate_costs`.",
                 "`btyd.expected_purchases_by_month(..., months=24, period_days=7)` puis `btyd.expected_contribution` avec "
                 "10 % et `months=24` ; la moyenne sur les clients."])
def _mean_clv_24m() -> Answer:
    return Answer(
        _mean_clv(24),
        mistake("un horizon de 12 mois au lieu de 24", _mean_clv(12)),
        mistake("la marge brute, sans retrancher le coût de service par commande", _mean_clv(24, cost=False)),
        mistake("le chiffre d'affaires au lieu de la contribution", _mean_clv(24, margin=False)),
        mistake("sans actualisation", _mean_clv(24, discount=0.0)),
        mistake("le modèle de la calibration (`bgnbd`) au lieu de `bgnbd_full`", _mean_clv(24, model=_bgnbd())),
    )


@cache
def _cdnow(cal_end: str = "1997-11-30", end: str = "1998-06-30", multiplier: float = 7) -> pd.DataFrame:
    cal = btyd.calibration_and_holdout(datasets.load_cdnow(), "customer_id", "date", cal_end, end,
                                       freq_multiplier=multiplier)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    return btyd.holdout_comparison(cal, model)


@question("07-q9", Number(decimals=0),
          concept="la même démarche s'applique aux données réelles ; la date de coupure entre calibration et "
                  "test change le modèle ajusté et ce qu'il doit prévoir.",
          hints=["Construisez le tableau calibration / test de CDNOW : colonnes `customer_id` et `date`, "
                 "calibration jusqu'au 1997-11-30 (environ 48 semaines), observation jusqu'au 1998-06-30, en semaines.",
                 "`btyd.calibration_and_holdout(...)` avec `freq_multiplier=7` (semaines), puis `btyd.fit_bgnbd` "
                 "sur les colonnes `_cal`.",
                 "`btyd.holdout_comparison` compare réel et prévu ; sa ligne « Total » donne les sommes."])
def _cdnow_predicted() -> Answer:
    t = _cdnow()
    return Answer(
        float(t.loc["Total", "predicted"]),
        mistake("le total réel au lieu du total prévu", float(t.loc["Total", "actual"])),
        mistake("la coupure du cours (1997-09-30) au lieu du 1997-11-30",
                float(_cdnow(cal_end="1997-09-30").loc["Total", "predicted"])),
    )
