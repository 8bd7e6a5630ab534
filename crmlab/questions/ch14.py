"""Chapter 14 — Projet CRM, étude de cas intégrative: questions, answers, mistakes.

The lesson works the loop with the management's first draft (single view at a score of
0.9, top 20 % of the 12-month value, risk ≥ 50 %, a 4 € call and a 10 € voucher, the U01
test by three recency bands). The exercises are the memo's figures for the variant the
management finally asks for (score 0.75, top 10 %, risk ≥ 40 %, a 3 € call and a 12 €
voucher, the U01 effect on customers last seen 180 to 364 days before): the same skills on
figures the lesson does not print. Fitted values come from an optimiser (BG/NBD,
Gamma-Gamma): they are asked with the precision the course displays.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import btyd, churn, clv, datasets, identity, profitability
from ..exercises import Answer, Count, Euros, Ratio, YesNo, mistake, question
from ..rfm import customer_summary
from . import table

END = pd.Timestamp("2025-12-31")
SEND = pd.Timestamp("2025-04-15")        # the U01 randomised e-mail test
WEEKS_PER_YEAR = 365.25 / 7
DISCOUNT = 0.10
THRESHOLD = 0.75                         # single view: merge score
TOP, RISK = 0.10, 0.40                   # the management's target
CONTACT, VOUCHER = 3.0, 12.0             # the management's offer
SUCCESS = 0.25                           # the success rate assumed for the gain


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _single_view() -> tuple[np.ndarray, pd.Series, pd.DataFrame]:
    silos = table("silos")
    records = identity.normalize_records(silos)
    pairs = identity.candidate_pairs(records)
    pairs["score"] = identity.score_pairs(identity.compare_pairs(records, pairs))
    true_customer = silos.merge(datasets.load_ground_truth("silo_mapping"), on=["source", "source_record_id"],
                                how="left")["customer_id"]
    return records, true_customer, pairs


def _merge_metrics(threshold: float) -> pd.Series:
    records, true_customer, pairs = _single_view()
    labels = identity.cluster_records(len(records), pairs, pairs["score"], threshold=threshold)
    return identity.pairwise_metrics(labels, true_customer)


@cache
def _summary() -> pd.DataFrame:
    """The exercise notebook's `summary`: value at 12 months, churn risk, value of a kept year."""
    orders = _orders()
    s = customer_summary(orders, "customer_id", "order_date", "amount", observation_period_end=END)
    s[["recency", "T"]] = s[["recency", "T"]] / 7
    bgnbd = btyd.fit_bgnbd(s)
    gamma_gamma = btyd.fit_gamma_gamma(s)
    monthly = btyd.expected_purchases_by_month(bgnbd, s, months=12, period_days=7)
    margin_rate = orders["gross_margin"].sum() / orders["amount"].sum()
    volumes = table("cost_to_serve")
    costs = profitability.allocate_costs(volumes, table("activity_costs"))
    s["cost_per_order"] = profitability.cost_per_order(costs, volumes).reindex(s.index)
    s["spend"] = gamma_gamma.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    s["value_12m"] = btyd.expected_contribution(monthly, s["spend"], margin_rate, s["cost_per_order"], DISCOUNT)
    s["p_churn"] = churn.prob_no_purchase(bgnbd, s["frequency"], s["recency"], s["T"], WEEKS_PER_YEAR)
    o25 = orders[orders["order_date"].dt.year == 2025]
    by = o25.groupby("customer_id")
    contribution = by["gross_margin"].sum() - s["cost_per_order"].reindex(by.size().index) * by.size()
    s["value_kept"] = clv.clv(contribution.reindex(s.index, fill_value=0.0), 1.0, DISCOUNT, horizon=1,
                              first_margin="end")
    return s


def _target(risk: float = RISK, top: float = TOP) -> pd.DataFrame:
    s = _summary()
    return s[(s["p_churn"] >= risk) & (s["value_12m"] >= s["value_12m"].quantile(1 - top))]


def _break_even(t: pd.DataFrame, contact: float = CONTACT, voucher: float = VOUCHER, value: str = "value_kept") -> float:
    p, v = t["p_churn"].to_numpy(), t[value].to_numpy()
    return float((contact + voucher * (1 - p)).sum() / (p * v - voucher * p).sum())


def _sample_size(p0: float, s: float, **kw) -> float:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    options = {"alpha": 0.05, "power": 0.80, "ratio": 1.0, **kw}
    return float(NormalIndPower().solve_power(proportion_effectsize(p0, p0 * (1 - s)), **options))


@question("14-q1", Ratio(decimals=3, percent_ok=True),
          concept="le rappel est la part des vraies paires (deux fiches du même client) que le rapprochement réunit ; "
                  "la précision, la part des paires réunies qui sont justes.",
          hints=["Le seuil change les groupes : refaites `identity.cluster_records(...)` avec le nouveau seuil.",
                 "`identity.pairwise_metrics(...)` compare les groupes trouvés au vrai client de chaque fiche "
                 "(`true_customer`).",
                 "Le rappel est l'entrée `recall` du résultat."])
def _recall_08() -> Answer:
    m = _merge_metrics(THRESHOLD)
    return Answer(
        float(m["recall"]),
        mistake("la précision au lieu du rappel", float(m["precision"])),
        mistake("le rappel au seuil 0,9 de la leçon, pas au seuil 0,75", float(_merge_metrics(0.9)["recall"])),
    )


@question("14-q2", Ratio(decimals=3, percent_ok=True),
          concept="la part de la valeur portée par les meilleurs clients se lit après un tri décroissant ; des "
                  "valeurs négatives en bas du classement peuvent la porter au-delà de 100 %.",
          hints=["Triez `summary['value_12m']` du plus grand au plus petit.",
                 "Gardez le premier dixième des clients (`len(...) // 10` lignes) et sommez leur valeur.",
                 "Divisez par la valeur totale de tous les clients, négatives comprises."])
def _top_tenth_share() -> Answer:
    v = _summary()["value_12m"].sort_values(ascending=False)
    top = v.iloc[: len(v) // 10].sum()
    return Answer(
        float(top / v.sum()),
        mistake("le premier cinquième (20 %) au lieu du premier dixième",
                float(v.iloc[: len(v) // 5].sum() / v.sum())),
        mistake("rapporté à la seule valeur positive, sans les clients à valeur négative",
                float(top / v[v > 0].sum())),
        mistake("les 10 % les moins précieux au lieu des plus précieux", float(v.iloc[-(len(v) // 10):].sum() / v.sum())),
    )


@question("14-q3", Count(),
          concept="la cible d'une action de rétention croise deux conditions : risque de départ élevé **et** "
                  "valeur élevée.",
          hints=["Deux conditions sur `summary` : `p_churn` au moins 0,4, et `value_12m` au moins égale à son "
                 "quantile 0,9 (le seuil du premier dixième).",
                 "Combinez-les avec `&`, chaque condition entre parenthèses.",
                 "La somme des True compte les clients."])
def _target_size() -> Answer:
    s = _summary()
    risky = s["p_churn"] >= RISK
    precious = s["value_12m"] >= s["value_12m"].quantile(1 - TOP)
    return Answer(
        int((risky & precious).sum()),
        mistake("les clients précieux sans la condition de risque", int(precious.sum())),
        mistake("les clients à risque sans la condition de valeur", int(risky.sum())),
        mistake("le quantile 0,1 (les 90 % les plus précieux) au lieu du quantile 0,9",
                int((risky & (s["value_12m"] >= s["value_12m"].quantile(TOP))).sum())),
        mistake("les seuils de la leçon (risque 50 %, premier cinquième)", int(len(_target(0.5, 0.2)))),
        mistake("une valeur strictement supérieure au quantile 0,9 au lieu de « au moins égale »",
                int((risky & (s["value_12m"] > s["value_12m"].quantile(1 - TOP))).sum())),
    )


@question("14-q4", Ratio(decimals=3, percent_ok=True),
          concept="le gain de l'offre, Σ [s·p·v − contact − bon·(1 − p + s·p)], est linéaire dans le taux de succès "
                  "s : le seuil de rentabilité est la valeur de s qui l'annule.",
          hints=["Le gain s'écrit A·s − B, avec A = Σ (p·v − bon·p) et B = Σ (contact + bon·(1 − p)), sur les "
                 "clients de la cible.",
                 "Prenez `p_churn` pour p et `value_kept` (une année de contribution gardée) pour v ; le contact "
                 "coûte 3 €, le bon 12 €.",
                 "Le seuil est B / A ; `churn.offer_gain(...)` doit y donner un gain total nul."])
def _break_even_success() -> Answer:
    t = _target()
    p, v = t["p_churn"].to_numpy(), t["value_kept"].to_numpy()
    return Answer(
        _break_even(t),
        mistake("le contact (4 €) et le bon (10 €) de la leçon", _break_even(t, 4.0, 10.0)),
        mistake("le bon compté seulement pour les clients sauvés, pas pour ceux qui restent de toute façon",
                float(CONTACT * len(t) / ((p * v - VOUCHER * p).sum()))),
        mistake("la valeur à 12 mois (`value_12m`) au lieu de la valeur d'une année gardée",
                _break_even(t, value="value_12m")),
    )


@question("14-q5", Ratio(decimals=3, percent_ok=True),
          concept="dans un test tiré au sort, l'uplift d'un sous-groupe est la différence de taux d'achat entre "
                  "ceux qui ont reçu l'e-mail et le témoin du même sous-groupe : un effet causal.",
          hints=["Gardez les clients de `u01` dont `days_since_last` est entre 180 et 364 jours inclus.",
                 "Dans ce sous-groupe, calculez la moyenne de `responded` pour les clients du groupe « test », "
                 "puis pour ceux du groupe « témoin » (colonne `group`).",
                 "L'uplift est la première moins la seconde (une proportion : 0,05 pour 5 points)."])
def _uplift_180_364() -> Answer:
    u = _u01()
    band = u[u["days_since_last"].between(180, 364)]
    test = band.loc[band["group"] == "test", "responded"].mean()
    control = band.loc[band["group"] == "témoin", "responded"].mean()
    everyone = u.loc[u["group"] == "test", "responded"].mean() - u.loc[u["group"] == "témoin", "responded"].mean()
    return Answer(
        float(test - control),
        mistake("le taux d'achat des clients qui ont reçu l'e-mail, sans retrancher le témoin", float(test)),
        mistake("témoin moins test au lieu de test moins témoin", float(control - test)),
        mistake("l'uplift de tout le test, sans se limiter aux 180 à 364 jours", float(everyone)),
    )


@cache
def _u01() -> pd.DataFrame:
    contacts = table("campaign_contacts")
    u = contacts[contacts["campaign_id"] == "U01"].set_index("customer_id")
    orders = _orders()
    last = orders[orders["order_date"] < SEND].groupby("customer_id")["order_date"].max()
    return u.assign(days_since_last=(SEND - last).dt.days.reindex(u.index))


@question("14-q6", Count(),
          concept="la taille d'échantillon d'un test sur deux proportions dépend de l'écart à détecter (h de Cohen), "
                  "du risque d'erreur (5 %, bilatéral) et de la puissance (80 %) ; elle se compte par groupe.",
          hints=["L'attrition sans action p₀ est la moyenne de `p_churn` sur la cible ; l'action au seuil de "
                 "rentabilité la ramène à p₀ × (1 − seuil).",
                 "`proportion_effectsize(...)` donne h ; `NormalIndPower().solve_power(...)` avec alpha=0.05, "
                 "power=0.80, ratio=1.0 donne l'effectif du premier groupe.",
                 "Un effectif se compte en clients entiers : arrondissez à l'entier supérieur (`math.ceil`)."])
def _sample_size_per_arm() -> Answer:
    t = _target()
    p0, s = float(t["p_churn"].mean()), _break_even(t)
    n = _sample_size(p0, s)
    return Answer(
        int(np.ceil(n)),
        mistake("les deux groupes ensemble au lieu d'un seul", int(2 * np.ceil(n))),
        mistake("un test unilatéral au lieu de bilatéral",
                int(np.ceil(_sample_size(p0, s, alternative="larger")))),
        mistake("la formule sans le facteur 2 de la différence de deux groupes", int(np.ceil(n / 2))),
        mistake("une puissance de 90 % au lieu de 80 %", int(np.ceil(_sample_size(p0, s, power=0.90)))),
        mistake("une baisse de l'attrition de « seuil » points (p₀ − seuil) au lieu de p₀ × (1 − seuil)",
                int(np.ceil(_sample_size(p0, s / p0)))),   # p0 × (1 − s / p0) = p0 − s
        *([mistake("un effectif arrondi à l'entier inférieur ou au plus proche, pas à l'entier supérieur",
                   int(np.floor(n)))] if np.floor(n) != np.ceil(n) else []),
    )


@question("14-q7", Euros(decimals=0),
          concept="le gain net espéré de l'action est la somme, sur les clients contactés, de "
                  "s·p·v − contact − bon·(1 − p + s·p).",
          hints=["`churn.offer_gain(...)` donne le gain espéré de chaque client.",
                 "Donnez-lui `p_churn`, `value_kept`, le contact (3 €), le bon (12 €) et un succès de 25 %.",
                 "Sommez sur les clients de la cible."])
def _net_gain() -> Answer:
    t = _target()
    p, v = t["p_churn"].to_numpy(), t["value_kept"].to_numpy()
    return Answer(
        float(churn.offer_gain(p, v, CONTACT, VOUCHER, SUCCESS).sum()),
        mistake("le contact (4 €) et le bon (10 €) de la leçon", float(churn.offer_gain(p, v, 4.0, 10.0, SUCCESS).sum())),
        mistake("le succès de 20 % de la leçon au lieu de 25 %",
                float(churn.offer_gain(p, v, CONTACT, VOUCHER, 0.20).sum())),
        mistake("le gain des seuls clients sauvés, sans le coût des contacts et des bons",
                float((SUCCESS * p * v).sum())),
    )


@question("14-q8", YesNo(),
          concept="un test ne peut prouver un effet que si chaque groupe atteint l'effectif calculé pour cet effet ; "
                  "la cible coupée en deux donne l'effectif disponible par groupe.",
          hints=["Comparez l'effectif par groupe de la question 6 à la moitié de la cible de la question 3.",
                 "Une comparaison (`<=`) donne directement `True` ou `False`."])
def _test_is_feasible() -> bool:
    t = _target()
    n = int(np.ceil(_sample_size(float(t["p_churn"].mean()), _break_even(t))))
    return bool(n <= len(t) // 2)
