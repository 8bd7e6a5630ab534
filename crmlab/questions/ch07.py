"""Chapter 07 — Valeur à vie probabiliste (BG/NBD, Gamma-Gamma): the questions and their answers.

Every expected answer is computed from the data with ``crmlab.btyd``; fitted values
come from an optimiser, hence the tolerances of about 1 % (``rtol=1e-2``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .. import btyd, datasets
from ..exercises import question
from ..rfm import customer_summary

CAL_END = "2024-12-31"
END = "2025-12-31"
WEEKS_PER_YEAR = 365.25 / 7
# Profiles of question 07-q5: (repeat purchases, age at last purchase, age), in weeks
PROFILES = {"A": (8, 100.0, 104.0), "B": (8, 40.0, 104.0), "C": (1, 40.0, 104.0)}


@cache
def _orders() -> pd.DataFrame:
    return datasets.load_orders()


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


@question("07-q1", kind="integer",
          concept="un achat répété est un achat après le premier jour d'achat ; frequency = 0 : jamais racheté.",
          hints=["Le tableau `cal` a une colonne `frequency_cal` : le nombre d'achats répétés en 2023-2024.",
                 "Comptez les lignes où cette colonne vaut 0 : un filtre puis une somme (ou len).",
                 "Méthode : `(cal['frequency_cal'] == 0).sum()`."])
def _no_repeat() -> int:
    return int((_cal()["frequency_cal"] == 0).sum())


@question("07-q2", kind="number", rtol=1e-3, percent=True,
          concept="la période de test compte les achats de 2025 des clients calibrés ; 0 = aucun achat en 2025.",
          hints=["Les achats de 2025 sont dans `frequency_holdout`.",
                 "La moyenne d'une condition vraie/fausse donne une part.",
                 "Méthode : `(cal['frequency_holdout'] == 0).mean()`."])
def _silent_2025() -> float:
    return float((_cal()["frequency_holdout"] == 0).mean())


@question("07-q3", kind="number", rtol=1e-2,
          concept="dans le BG/NBD, le rythme moyen d'un client actif vaut r / α par unité de temps (ici la semaine) ; une année compte 365,25 / 7 semaines.",
          hints=["Les paramètres ajustés sont dans `bgnbd.params_` (r, alpha, a, b).",
                 "r / alpha donne des achats par semaine ; il y a 365,25 / 7 semaines dans une année.",
                 "Méthode : `bgnbd.params_['r'] / bgnbd.params_['alpha'] * 365.25 / 7`."])
def _rate_per_year() -> float:
    p = _bgnbd().params_
    return float(p["r"] / p["alpha"] * WEEKS_PER_YEAR)


@question("07-q4", kind="number", rtol=1e-2, percent=True,
          concept="la probabilité de partir après un achat suit une loi Bêta(a, b), de moyenne a / (a + b).",
          hints=["Ce sont les paramètres a et b de `bgnbd.params_` qui décrivent les départs.",
                 "La moyenne d'une loi Bêta(a, b) est a / (a + b).",
                 "Méthode : `a / (a + b)` avec `a, b = bgnbd.params_['a'], bgnbd.params_['b']`."])
def _mean_dropout() -> float:
    p = _bgnbd().params_
    return float(p["a"] / (p["a"] + p["b"]))


@question("07-q5", kind="series", rtol=1e-2,
          concept="P(actif) dépend de la récence rapportée à la fréquence : un gros acheteur silencieux est probablement parti.",
          hints=["La méthode `bgnbd.conditional_probability_alive(frequency, recency, T)` accepte des tableaux.",
                 "Mettez les trois profils dans des tableaux numpy (fréquences, récences, anciennetés), dans l'ordre A, B, C.",
                 "Méthode : `pd.Series(bgnbd.conditional_probability_alive(np.array([8, 8, 1]), "
                 "np.array([100, 40, 40]), 104), index=['A', 'B', 'C'])`."])
def _alive_profiles() -> pd.Series:
    f, r, t = (np.array(v, dtype=float) for v in zip(*PROFILES.values()))
    return pd.Series(_bgnbd().conditional_probability_alive(f, r, t), index=list(PROFILES))


@question("07-q6", kind="number", rtol=1e-2, atol=1e-3, percent=True,
          concept="on valide un modèle sur une période qu'il n'a pas vue : total prévu comparé au total réel.",
          hints=["`btyd.holdout_comparison(cal, bgnbd)` donne une ligne « Total » avec le réel et le prévu.",
                 "L'écart relatif est prévu / réel − 1 (positif si le modèle surestime).",
                 "Méthode : `t = btyd.holdout_comparison(cal, bgnbd).loc['Total']` puis "
                 "`t['predicted'] / t['actual'] - 1`."])
def _holdout_gap() -> float:
    total = btyd.holdout_comparison(_cal(), _bgnbd()).loc["Total"]
    return float(total["predicted"] / total["actual"] - 1)


@question("07-q7", kind="number", rtol=1e-2, atol=5e-4,
          concept="le Gamma-Gamma suppose le panier indépendant de la fréquence : on le vérifie par une corrélation "
                  "sur les clients ayant racheté.",
          hints=["Gardez seulement les clients avec au moins un achat répété en calibration.",
                 "La corrélation (de Pearson) de deux colonnes : `serie1.corr(serie2)`.",
                 "Méthode : `r = cal[cal['frequency_cal'] > 0]` puis "
                 "`r['frequency_cal'].corr(r['monetary_value_cal'])`."])
def _independence() -> float:
    repeat = _cal().loc[_cal()["frequency_cal"] > 0]
    return float(repeat["frequency_cal"].corr(repeat["monetary_value_cal"]))


@question("07-q8", kind="number", rtol=2e-2,
          concept="CLV à 12 mois = somme sur 12 mois des achats attendus × panier attendu × taux de marge, actualisée.",
          hints=["Il faut trois ingrédients : les achats attendus mois par mois (BG/NBD ajusté sur tout l'historique), "
                 "le panier attendu (Gamma-Gamma) et le taux de marge de Verdane.",
                 "`btyd.fit_gamma_gamma(summary)`, puis `gg.conditional_expected_average_profit(summary['frequency'], "
                 "summary['monetary_value'])` ; taux de marge = somme de `gross_margin` / somme de `amount`.",
                 "Méthode : `btyd.discounted_clv(btyd.expected_purchases_by_month(bgnbd_full, summary, 12, 7), "
                 "panier * taux_de_marge, 0.10).mean()`."])
def _mean_clv() -> float:
    s = _summary()
    full = btyd.fit_bgnbd(s)
    gg = btyd.fit_gamma_gamma(s)
    spend = gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    o = _orders()
    margin_rate = o["gross_margin"].sum() / o["amount"].sum()
    monthly = btyd.expected_purchases_by_month(full, s, months=12, period_days=7)
    return float(btyd.discounted_clv(monthly, spend * margin_rate, 0.10).mean())


@question("07-q9", kind="number", rtol=1e-2,
          concept="la même démarche s'applique aux données réelles : calibration sur 39 semaines, test sur les 39 suivantes.",
          hints=["Construisez le tableau calibration / test de CDNOW : colonnes `customer_id` et `date`, "
                 "calibration jusqu'au 1997-09-30, observation jusqu'au 1998-06-30, en semaines.",
                 "`btyd.calibration_and_holdout(cdnow, 'customer_id', 'date', '1997-09-30', '1998-06-30', "
                 "freq_multiplier=7)`, puis `btyd.fit_bgnbd(..., 'frequency_cal', 'recency_cal', 'T_cal')`.",
                 "Méthode : la ligne « Total », colonne `predicted`, de `btyd.holdout_comparison(cd_cal, cd_model)`."])
def _cdnow_predicted() -> float:
    cal = btyd.calibration_and_holdout(datasets.load_cdnow(), "customer_id", "date", "1997-09-30", "1998-06-30",
                                       freq_multiplier=7)
    model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")
    return float(btyd.holdout_comparison(cal, model).loc["Total", "predicted"])
