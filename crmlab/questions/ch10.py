"""Chapter 10 — Marketing direct, campagnes et ciblage: questions, answers, mistakes.

The lesson prints the break-even rates of the e-mail, SMS and mail programmes, the
incremental response of each programme (pooled), the sample size for +1 point, the
decile table of the response score on the treated customers, the top 30 % of each
targeting, the pressure cells per customer and the best targeting depths at two costs:
the exercises ask the same skills on what it does not print (the operations' break-even,
one operation alone and its interval, the SMS programme's sample size for half a point,
the response score's lift among the customers *not* contacted, the top 10 %, a simple
targeting rule's Qini coefficient, unsubscribes per contact, a third contact cost).
The models and the random split are those of the lesson (same seed, same variables).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import campaigns, profitability
from ..exercises import Answer, Count, Euros, Number, Ratio, mistake, question
from . import table

OPERATION = "K07"          # the operation of questions 10-q2 and 10-q3
PERSONAL_EMAIL_COST = 0.20  # cost of a contact in question 10-q9 (€)


# ------------------------------------------------------------------ shared data
@cache
def _sends() -> pd.DataFrame:
    return table("campaigns").set_index("campaign_id")


@cache
def _contacts() -> pd.DataFrame:
    s = _sends()
    return table("campaign_contacts").merge(s[["programme", "cost_per_contact"]], left_on="campaign_id",
                                            right_index=True)


@cache
def _extra_orders() -> pd.DataFrame:
    volumes = table("cost_to_serve")
    per_order = profitability.cost_per_order(profitability.allocate_costs(volumes, table("activity_costs")), volumes)
    o = table("orders")
    extra = o[o["campaign_id"].notna()].merge(_sends()[["programme"]], left_on="campaign_id", right_index=True)
    extra = extra.assign(cost_to_serve=extra["customer_id"].map(per_order))
    return extra.assign(contribution=extra["gross_margin"] - extra["cost_to_serve"])


def _value(programme: str = "lettre d'information", column: str = "contribution") -> float:
    e = _extra_orders()
    return float(e.loc[e["programme"] == programme, column].mean())


def _operation_cost() -> float:
    s = _sends()
    return float(s.loc[s["programme"] == "opération", "cost_per_contact"].mean())


@cache
def _u01() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Features known before U01, treated, responded and the learning half (as in the lesson)."""
    orders, customers = table("orders"), table("customers").set_index("customer_id")
    send_date = _sends().loc["U01", "send_date"]
    c = _contacts()
    u = c[c["campaign_id"] == "U01"].set_index("customer_id")
    past = orders[orders["order_date"] < send_date]
    history = past.groupby("customer_id")
    X = pd.DataFrame(index=u.index)
    recency = (send_date - history["order_date"].max()).dt.days.reindex(u.index)
    X["log_recency"] = np.log1p(recency.fillna(recency.max()))
    X["orders_12m"] = past[past["order_date"] >= send_date - pd.Timedelta(days=365)].groupby(
        "customer_id").size().reindex(u.index, fill_value=0)
    X["orders_total"] = history.size().reindex(u.index, fill_value=0)
    X["avg_basket"] = history["amount"].mean().reindex(u.index).fillna(0.0)
    X["tenure_days"] = (send_date - customers["acquisition_date"].reindex(u.index)).dt.days
    X["under_45"] = customers["age_band"].reindex(u.index).isin(["18-24", "25-34", "35-44"]).astype(int)
    X["member"] = customers["loyalty_member"].reindex(u.index).astype(int)
    X["lapsed"] = recency.between(90, 365).astype(int)
    X["regular"] = (X["orders_total"] >= 4).astype(int)
    treated = (u["group"] == "test").astype(int).to_numpy()
    responded = u["responded"].astype(int).to_numpy()
    learn = np.random.default_rng(10).random(len(u)) < 0.5
    return X, treated, responded, learn


@cache
def _scores() -> dict[str, np.ndarray]:
    """Scores of the evaluation half: response, two-model and class-transformation uplift."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, t, y, learn = _u01()
    hold = ~learn
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[learn & (t == 1)], y[learn & (t == 1)])
    return {"response": model.predict_proba(X[hold])[:, 1],
            "two_model": campaigns.uplift_two_model(X[learn], t[learn], y[learn], new=X[hold]),
            "class_transform": campaigns.uplift_class_transform(X[learn], t[learn], y[learn], new=X[hold])}


@cache
def _effect_hold() -> np.ndarray:
    X, _, _, learn = _u01()
    truth = table_truth("uplift_test").set_index("customer_id")
    return truth["individual_effect"].reindex(X.index).to_numpy()[~learn]


@cache
def table_truth(name: str) -> pd.DataFrame:
    from .. import datasets

    return datasets.load_ground_truth(name)


# ------------------------------------------------------------------ questions
@question("10-q1", Ratio(decimals=4, percent_ok=True),
          concept="le point mort d'un envoi est le taux de réponse supplémentaire qui couvre son coût : "
                  "coût d'un contact / valeur d'une réponse, valeur prise à la contribution (marge brute − coût "
                  "de service).",
          hints=["Il faut deux nombres : le coût moyen d'un contact des opérations (`sends`, colonne "
                 "`cost_per_contact`, programme « opération ») et la valeur d'une réponse.",
                 "La valeur d'une réponse est celle du chapitre : la contribution moyenne d'une commande "
                 "supplémentaire de la lettre d'information (table `extra`, colonne `contribution`).",
                 "Le point mort est le premier divisé par le second ; `campaigns.break_even_rate` le calcule."])
def _operation_break_even() -> Answer:
    cost = _operation_cost()
    return Answer(
        cost / _value(),
        mistake("la marge brute d'une commande au lieu de sa contribution (le coût de service oublié)",
                cost / _value(column="gross_margin")),
        mistake("le rapport inversé (valeur / coût)", _value() / cost),
        mistake("la contribution d'une commande d'opération (négative : aucun taux ne rentabilise l'envoi)",
                cost / _value("opération")),
    )


def _operation_rates() -> pd.Series:
    c = _contacts()
    return campaigns.incremental_response(c[c["campaign_id"] == OPERATION]).iloc[0]


@question("10-q2", Ratio(decimals=4, percent_ok=True),
          concept="la réponse incrémentale est l'écart entre le taux de réponse du groupe test et celui du "
                  "témoin tiré au sort : ce que l'envoi ajoute.",
          hints=["Gardez les lignes de `contacts` de l'opération demandée (colonne `campaign_id`).",
                 "Le taux de réponse de chaque groupe est la moyenne de `responded` par valeur de `group` "
                 "(« test », « témoin »).",
                 "Retranchez le taux du témoin de celui du test — ou utilisez `campaigns.incremental_response`."])
def _operation_increment() -> Answer:
    r = _operation_rates()
    return Answer(
        float(r["difference"]),
        mistake("le taux de réponse du groupe test, sans retrancher le témoin", float(r["rate_test"])),
        mistake("le témoin moins le test (signe inversé)", -float(r["difference"])),
        mistake("l'écart relatif (test / témoin − 1) au lieu de l'écart des taux",
                float(r["rate_test"] / r["rate_control"] - 1)),
    )


@question("10-q3", Ratio(decimals=4, percent_ok=True),
          concept="l'intervalle de Wald d'une différence de proportions : écart ± 1,96 × √(p₁(1−p₁)/n₁ + "
                  "p₀(1−p₀)/n₀) ; le petit groupe (le témoin) en fixe la largeur.",
          hints=["Reprenez les deux taux et les deux effectifs de la question précédente.",
                 "L'écart-type de l'écart additionne les variances des deux groupes, chacune p(1 − p) / n avec "
                 "l'effectif de son groupe.",
                 "La borne basse est l'écart − 1,96 écart-type ; `campaigns.incremental_response` donne "
                 "`ci_low`."])
def _operation_ci_low() -> Answer:
    r = _operation_rates()
    p1, n1, p0, n0 = r["rate_test"], r["n_test"], r["rate_control"], r["n_control"]
    c = _contacts()
    ninety = campaigns.incremental_response(c[c["campaign_id"] == OPERATION], confidence=0.90).iloc[0]
    return Answer(
        float(r["ci_low"]),
        mistake("un intervalle à 90 % au lieu de 95 %", float(ninety["ci_low"])),
        mistake("la variance du seul groupe test (celle du témoin oubliée)",
                float(r["difference"] - 1.96 * np.sqrt(p1 * (1 - p1) / n1))),
        mistake("l'effectif du test pour les deux groupes",
                float(r["difference"] - 1.96 * np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n1))),
        mistake("la borne haute au lieu de la borne basse", float(r["ci_high"])),
    )


def _sms_base() -> float:
    c = _contacts()
    sms = c[c["programme"] == "SMS mensuel"]
    return float(sms.loc[sms["group"] == "témoin", "responded"].mean())


@question("10-q4", Count(),
          concept="la taille d'échantillon dépend de l'écart à détecter (au carré), du taux de base, du risque, "
                  "de la puissance et de la taille relative du témoin.",
          hints=["Le taux de base est le taux de réponse du **témoin** des SMS mensuels (table `contacts`).",
                 "Un demi-point s'écrit 0,005 en proportion ; un témoin de 5 % des clients fait 5 / 95 du groupe "
                 "test.",
                 "`campaigns.sample_size(...)` avec le taux de base, l'écart et `ratio=` : elle renvoie la taille "
                 "du groupe **test**."])
def _sms_sample_size() -> Answer:
    base = _sms_base()
    right = campaigns.sample_size(base, 0.005, ratio=0.05 / 0.95)
    return Answer(
        right,
        mistake("un témoin de la même taille que le test (ratio = 1)", campaigns.sample_size(base, 0.005, ratio=1.0)),
        mistake("ratio = 0,05 : le témoin rapporté à la base entière au lieu du groupe test",
                campaigns.sample_size(base, 0.005, ratio=0.05)),
        mistake("le total test + témoin au lieu du seul groupe test", int(round(right * (1 + 0.05 / 0.95)))),
        mistake("un écart d'un point au lieu d'un demi-point", campaigns.sample_size(base, 0.01, ratio=0.05 / 0.95)),
    )


def _hold_arrays() -> tuple[np.ndarray, np.ndarray]:
    _, t, y, learn = _u01()
    return t[~learn], y[~learn]


@question("10-q5", Number(decimals=2),
          concept="le lift d'un décile est son taux de réponse rapporté au taux moyen ; calculé chez les clients "
                  "non contactés, il montre ce que le score prévoit sans l'envoi.",
          hints=["Gardez les clients de la moitié d'évaluation qui sont dans le **témoin** (`treated` vaut 0).",
                 "Leur score de réponse est `score_response`, leur réponse `responded_hold`.",
                 "`campaigns.decile_table(...)` sur ces clients ; la colonne `lift` du décile 1."])
def _control_lift() -> Answer:
    t, y = _hold_arrays()
    s = _scores()["response"]
    control = campaigns.decile_table(s[t == 0], y[t == 0])
    treated = campaigns.decile_table(s[t == 1], y[t == 1])
    everyone = campaigns.decile_table(s, y)
    return Answer(
        float(control.loc[1, "lift"]),
        mistake("le groupe test au lieu du témoin", float(treated.loc[1, "lift"])),
        mistake("tous les clients de la moitié d'évaluation, test et témoin mêlés", float(everyone.loc[1, "lift"])),
        mistake("le lift cumulé des deux premiers déciles", float(control.loc[2, "cumulative_lift"])),
        mistake("le taux de réponse du décile au lieu de son lift", float(control.loc[1, "rate"])),
    )


def _top_effect(score: np.ndarray, share: float) -> float:
    top = score >= np.quantile(score, 1 - share)
    return float(_effect_hold()[top].mean())


@question("10-q6", Ratio(decimals=3, percent_ok=True),
          concept="l'effet vrai d'un ciblage est la moyenne, sur les clients ciblés, de (réponse avec l'envoi − "
                  "réponse sans), que seul le générateur connaît.",
          hints=["Le score est `uplift_ct` (transformation de classe) ; les 10 % les mieux notés sont ceux dont le "
                 "score atteint son quantile 0,9.",
                 "`np.quantile(...)` au niveau 0,9 donne le seuil ; comparez le score au seuil pour choisir les "
                 "clients.",
                 "L'effet vrai de chaque client de la moitié d'évaluation est `effect_hold` ; faites sa moyenne sur "
                 "les clients choisis."])
def _top10_effect() -> Answer:
    s = _scores()
    return Answer(
        _top_effect(s["class_transform"], 0.10),
        mistake("les 30 % les mieux notés au lieu des 10 %", _top_effect(s["class_transform"], 0.30)),
        mistake("le score de réponse au lieu du score d'uplift", _top_effect(s["response"], 0.10)),
        mistake("les 10 % les moins bien notés", float(_effect_hold()[s["class_transform"] <=
                                                                            np.quantile(s["class_transform"], 0.1)].mean())),
    )


@question("10-q7", Number(decimals=4),
          concept="le coefficient de Qini mesure l'aire entre la courbe de Qini d'un classement et la droite du "
                  "hasard : positif si le classement trouve les réponses incrémentales plus tôt que le hasard.",
          hints=["La règle de ciblage est un score : 1 pour un client en sommeil (`X['lapsed']`), 0 sinon.",
                 "Évaluez-la sur la moitié d'évaluation seulement : les lignes de `X` où `hold` est vrai, avec "
                 "`treated_hold` et `responded_hold`.",
                 "`campaigns.qini_coefficient(...)` prend le score, le traitement et la réponse, dans cet ordre."])
def _lapsed_qini() -> Answer:
    X, t, y, learn = _u01()
    hold = ~learn
    score = X["lapsed"].to_numpy()
    return Answer(
        campaigns.qini_coefficient(score[hold], t[hold], y[hold]),
        mistake("tous les clients de U01 au lieu de la moitié d'évaluation", campaigns.qini_coefficient(score, t, y)),
        mistake("la règle inversée (les clients actifs d'abord)",
                campaigns.qini_coefficient(-score[hold], t[hold], y[hold])),
        mistake("la moitié d'apprentissage au lieu de la moitié d'évaluation",
                campaigns.qini_coefficient(score[learn], t[learn], y[learn])),
    )


@cache
def _pressure_counts() -> pd.DataFrame:
    cells = table("pressure_test").set_index("customer_id")["emails_per_month"]
    s = _sends()
    c = _contacts()
    p = c[c["campaign_id"].isin(s.index[s["programme"] == "test de pression"])]
    cell = p["customer_id"].map(cells)
    return pd.DataFrame({"clients": cells.groupby(cells).size(), "contacts": p.groupby(cell).size(),
                         "unsubscribed": p[p["unsubscribed"]].groupby(cell[p["unsubscribed"]]).size()}).fillna(0)


@question("10-q8", Ratio(decimals=4, percent_ok=True),
          concept="un taux de désabonnement par contact rapporte les désabonnés au nombre d'e-mails envoyés, pas "
                  "au nombre de clients de la cellule.",
          hints=["Les lignes du test de pression sont celles de `contacts` dont le programme est « test de "
                 "pression » ; la cellule de chaque client est dans `cells`.",
                 "Pour la cellule à 2 e-mails par mois, comptez les lignes (les e-mails envoyés) et les "
                 "désabonnements (`unsubscribed`).",
                 "Divisez les désabonnés par le nombre d'e-mails."])
def _unsubscribe_per_contact() -> Answer:
    p = _pressure_counts()
    return Answer(
        float(p.loc[2, "unsubscribed"] / p.loc[2, "contacts"]),
        mistake("par client de la cellule au lieu de par e-mail", float(p.loc[2, "unsubscribed"] / p.loc[2, "clients"])),
        mistake("la cellule à 4 e-mails par mois", float(p.loc[4, "unsubscribed"] / p.loc[4, "contacts"])),
        mistake("la cellule à 1 e-mail par mois", float(p.loc[1, "unsubscribed"] / p.loc[1, "contacts"])),
    )


def _best_profit(score: str, cost: float, value: float | None = None) -> float:
    rankings = {"x": _scores()[score]}
    curve = campaigns.targeting_profit(_effect_hold(), rankings, _value() if value is None else value, cost, steps=100)
    return float(curve["x"].max())


@question("10-q9", Euros(decimals=0),
          concept="le profit d'un ciblage à une profondeur donnée est valeur × commandes supplémentaires vraies − "
                  "coût × clients contactés ; on retient la profondeur qui le maximise.",
          hints=["Reprenez le calcul de profit du chapitre : l'effet vrai `effect_hold`, la valeur d'une réponse "
                 "`newsletter_value`, un classement par le score d'uplift des deux modèles (`uplift_2m`).",
                 "Le coût d'un contact est celui de l'énoncé ; `campaigns.targeting_profit` prend l'effet, un "
                 "dictionnaire {libellé: score}, la valeur, le coût et `steps=100`.",
                 "Le profit maximal est le maximum de la colonne du classement."])
def _personal_email_profit() -> Answer:
    return Answer(
        _best_profit("two_model", PERSONAL_EMAIL_COST),
        mistake("le classement par score de réponse au lieu de l'uplift", _best_profit("response", PERSONAL_EMAIL_COST)),
        mistake("le coût d'un e-mail ordinaire (0,05 €) au lieu de 0,20 €", _best_profit("two_model", 0.05)),
        mistake("la marge brute d'une commande au lieu de sa contribution",
                _best_profit("two_model", PERSONAL_EMAIL_COST, _value(column="gross_margin"))),
    )
