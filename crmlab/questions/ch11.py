"""Chapter 11 — Parcours client et omnicanal: questions, answers, mistakes.

The lesson prints the quarter's funnel by channel, the most frequent paths, the transition
heatmap, the multichannel comparison on all customers, each model's shares on the whole
quarter and the share of the harvest channels by model: the exercises ask the same skills
on what it does not print (journeys with one channel, December sessions of the app,
November journeys, December conversions, other position weights, the customers of 2023,
another budget).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import journeys as jr
from ..exercises import Answer, Euros, Number, Ratio, mistake, question
from . import table

CHANNEL_Q1 = "affiliation"
FUNNEL_MONTH = 12                  # 11-q2: December sessions of the application
NOVEMBER = 11                      # 11-q3, 11-q6: journeys whose last contact is in November
HARVEST = ["recherche marque", "accès direct"]
U_WEIGHTS = (0.3, 0.3)             # 11-q5, 11-q8: a U model 30 / 40 / 30
BUDGET = 800_000                   # 11-q8


def _keep(values: list, answer: float, tol: float) -> list:
    """Listed mistakes must differ from the answer at the declared precision."""
    return [m for m in values if abs(float(m.value) - float(answer)) > tol]


@cache
def _tp() -> pd.DataFrame:
    tp = table("touchpoints")
    return tp.assign(channel=tp["channel"].astype(str))


def _month(month: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    js = table("journeys")
    js = js[js["last_touch_datetime"].dt.month == month]
    tp = _tp()
    return tp[tp["journey_id"].isin(js["journey_id"])], js


# ------------------------------------------------------------------ funnel and paths
@question("11-q1", Ratio(decimals=3, percent_ok=True),
          concept="le taux de conversion d'un groupe de parcours est la part de ses parcours qui se terminent par "
                  "une commande ; on compte des parcours, pas des points de contact.",
          hints=["Repérez dans `touchpoints` les parcours (`journey_id`) qui contiennent au moins un contact du canal "
                 "demandé.",
                 "Gardez ces parcours dans `journeys` avec `.isin(...)`, puis regardez la colonne `converted`.",
                 "La moyenne d'une colonne de booléens est une part."])
def _affiliation_rate() -> Answer:
    tp, js = _tp(), table("journeys")
    ids = tp.loc[tp["channel"] == CHANNEL_Q1, "journey_id"].unique()
    with_c = js["journey_id"].isin(ids)
    ans = float(js.loc[with_c, "converted"].mean())
    conv = js.set_index("journey_id")["converted"]
    touch_level = float(conv.reindex(tp.loc[tp["channel"] == CHANNEL_Q1, "journey_id"]).mean())
    return Answer(ans, *_keep([
        mistake("le taux de conversion de tous les parcours, pas seulement ceux qui passent par ce canal",
                float(js["converted"].mean())),
        mistake("la part des parcours convertis qui contiennent le canal (la probabilité inverse)",
                float(with_c[js["converted"]].mean())),
        mistake("un taux calculé sur les points de contact au lieu des parcours", touch_level),
        mistake("le taux des parcours qui ne passent pas par ce canal", float(js.loc[~with_c, "converted"].mean())),
    ], ans, 0.0005))


@question("11-q2", Ratio(decimals=3, percent_ok=True),
          concept="dans un tunnel, une session qui atteint une étape a franchi les précédentes : on compte pour "
                  "chaque session l'étape la plus avancée, puis on rapporte les sessions d'une étape à celles d'une "
                  "autre.",
          hints=["Gardez les événements de l'application (`channel`) datés de décembre (`event_datetime`).",
                 "`jr.funnel(...)` compte les sessions qui atteignent chaque étape ; regardez sa colonne `sessions`.",
                 "Divisez les sessions de l'étape « achat » (`purchase`) par celles de l'étape « ajout au panier » "
                 "(`add_to_cart`)."])
def _app_cart_to_purchase() -> Answer:
    ev = table("events")

    def rate(channel: str, month: int | None, start: str = "add_to_cart", end: str = "purchase") -> float:
        sub = ev[ev["channel"] == channel]
        if month:
            sub = sub[sub["event_datetime"].dt.month == month]
        f = jr.funnel(sub, steps=jr.FUNNEL_STEPS).set_index("step")["sessions"]
        return float(f[end] / f[start])

    ans = rate("application", FUNNEL_MONTH)
    cart = ev[(ev["channel"] == "application") & (ev["event_datetime"].dt.month == FUNNEL_MONTH)]
    raw = float(cart.loc[cart["event_type"] == "purchase", "session_id"].nunique()
                / cart.loc[cart["event_type"] == "add_to_cart", "session_id"].nunique())
    return Answer(ans, *_keep([
        mistake("le site web au lieu de l'application", rate("site web", FUNNEL_MONTH)),
        mistake("tout le trimestre au lieu de décembre", rate("application", None)),
        mistake("le passage du paiement à l'achat au lieu de l'ajout au panier à l'achat",
                rate("application", FUNNEL_MONTH, "checkout")),
        mistake("les achats rapportés à toutes les sessions au lieu des paniers",
                rate("application", FUNNEL_MONTH, "session_start")),
        mistake("la part des paniers abandonnés au lieu de celle des paniers achetés", 1 - ans),
        mistake("des sessions comptées événement par événement (une session qui achète sans ajout au panier "
                "enregistré n'est pas comptée au panier)", raw),
    ], ans, 0.0005))


@question("11-q3", Ratio(decimals=3, percent_ok=True),
          concept="la matrice de transition donne, pour chaque point de contact, la probabilité de l'état suivant : "
                  "un autre canal, la conversion ou l'abandon ; chaque ligne somme à 1.",
          hints=["Gardez les parcours dont le dernier contact (`last_touch_datetime`) est en novembre, dans "
                 "`journeys` et dans `touchpoints`.",
                 "`jr.transition_matrix(...)` prend les points de contact et les parcours ; ses lignes sont les "
                 "états de départ, ses colonnes les états suivants.",
                 "Lisez la ligne `\"e-mail\"`, colonne `\"(conversion)\"`."])
def _email_to_conversion() -> Answer:
    tp, js = _month(NOVEMBER)
    m = jr.transition_matrix(tp, js)
    ans = float(m.loc["e-mail", jr.CONVERSION])
    counts = jr.transition_matrix(tp, js, normalize=False)
    whole = jr.transition_matrix(_tp(), table("journeys"))
    return Answer(ans, *_keep([
        mistake("tout le trimestre au lieu des parcours de novembre", float(whole.loc["e-mail", jr.CONVERSION])),
        mistake("la colonne `(conversion)` rapportée à toutes les conversions (une lecture par colonne au lieu de "
                "par ligne)", float(counts.loc["e-mail", jr.CONVERSION] / counts[jr.CONVERSION].sum())),
        mistake("la probabilité d'abandon après un e-mail", float(m.loc["e-mail", jr.NULL])),
        mistake("la probabilité de passer de la conversion… à l'e-mail : ligne et colonne inversées",
                float(m.loc[jr.START, "e-mail"])),
    ], ans, 0.0005))


# ------------------------------------------------------------------ attribution
@question("11-q4", Ratio(decimals=3, percent_ok=True),
          concept="le modèle du dernier contact donne toute la conversion au dernier point de contact du parcours ; "
                  "la part d'un canal est son nombre de conversions attribuées divisé par le nombre de conversions.",
          hints=["Gardez les parcours convertis en décembre (`conversion_datetime`) et leurs points de contact.",
                 "`jr.attribute(...)` avec `model=\"last_touch\"` rend les conversions attribuées à chaque canal.",
                 "Divisez la valeur du canal `\"recherche marque\"` par la somme de la série."])
def _last_touch_brand_december() -> Answer:
    js = table("journeys")
    dec = js[js["converted"] & (js["conversion_datetime"].dt.month == 12)]
    tp = _tp()[lambda t: t["journey_id"].isin(dec["journey_id"])]
    share = {m: jr.attribute(tp, dec, model=m) for m in ("last_touch", "first_touch", "linear")}
    ans = float(share["last_touch"]["recherche marque"] / share["last_touch"].sum())
    whole = jr.attribute(_tp(), js, model="last_touch")
    return Answer(ans, *_keep([
        mistake("le premier contact au lieu du dernier",
                float(share["first_touch"]["recherche marque"] / share["first_touch"].sum())),
        mistake("le modèle linéaire au lieu du dernier contact",
                float(share["linear"]["recherche marque"] / share["linear"].sum())),
        mistake("tout le trimestre au lieu de décembre", float(whole["recherche marque"] / whole.sum())),
        mistake("la part des points de contact de ce canal, sans modèle d'attribution",
                float((tp["channel"] == "recherche marque").mean())),
    ], ans, 0.0005))


def _u_display(weights: tuple[float, float]) -> float:
    return float(jr.attribute(_tp(), table("journeys"), model="position", weights=weights)["display"])


@question("11-q5", Number(decimals=1),
          concept="le modèle en U donne une part fixe au premier et au dernier contact et partage le reste entre "
                  "les contacts du milieu ; avec deux contacts, la conversion se partage entre eux.",
          hints=["Le modèle « en U » de `jr.attribute` s'appelle `model=\"position\"`.",
                 "Ses poids se donnent par l'argument `weights` : (part du premier contact, part du dernier), en "
                 "proportions ; le milieu reçoit le reste.",
                 "Le résultat est une série de conversions par canal : lisez la valeur du canal `display`."])
def _u_model_display() -> Answer:
    ans = _u_display(U_WEIGHTS)
    return Answer(ans, *_keep([
        mistake("les poids par défaut 40 / 20 / 40 au lieu de 30 / 40 / 30", _u_display((0.4, 0.4))),
        mistake("le modèle linéaire au lieu du modèle en U",
                float(jr.attribute(_tp(), table("journeys"), model="linear")["display"])),
        mistake("des poids lus en pourcentages puis ramenés au premier et au milieu (0,3 et 0,4)",
                _u_display((0.3, 0.4))),
        mistake("la part du display au lieu de ses conversions attribuées",
                ans / float(table("journeys")["converted"].sum())),
    ], ans, 0.05))


@question("11-q6", Ratio(decimals=3, percent_ok=True),
          concept="l'effet de retrait d'un canal est la baisse relative de la probabilité de conversion de la "
                  "chaîne de Markov quand on supprime ce canal : 1 − P(conversion sans lui) / P(conversion).",
          hints=["Gardez les parcours dont le dernier contact (`last_touch_datetime`) est en novembre, dans "
                 "`journeys` et dans `touchpoints`.",
                 "`jr.markov_removal(...)` rend un tableau par canal.",
                 "La colonne demandée est `removal_effect` (l'effet), pas `share` (la part après normalisation)."])
def _markov_email_november() -> Answer:
    tp, js = _month(NOVEMBER)
    res = jr.markov_removal(tp, js)
    ans = float(res.loc["e-mail", "removal_effect"])
    whole = jr.markov_removal(_tp(), table("journeys"))
    return Answer(ans, *_keep([
        mistake("la part normalisée (`share`) au lieu de l'effet de retrait", float(res.loc["e-mail", "share"])),
        mistake("tout le trimestre au lieu des parcours de novembre", float(whole.loc["e-mail", "removal_effect"])),
        mistake("la probabilité de conversion sans l'e-mail au lieu de la baisse relative", 1 - ans),
        mistake("la baisse absolue de la probabilité de conversion au lieu de la baisse relative",
                ans * float(res.attrs["p_conversion"])),
    ], ans, 0.0005))


# ------------------------------------------------------------------ multichannel
@question("11-q7", Number(decimals=2),
          concept="la comparaison naïve rapporte une moyenne des clients multicanaux à celle des monocanaux ; un "
                  "client devient multicanal à sa première commande dans un canal autre que celui de sa première "
                  "commande.",
          hints=["Gardez les clients acquis en 2023 (`acquisition_date` dans `customers`) et leurs commandes.",
                 "Un client est multicanal si ses commandes passent par au moins deux canaux : `.nunique()` sur "
                 "`channel`, client par client.",
                 "Faites la moyenne du nombre de commandes par client dans chaque groupe, puis le rapport "
                 "multicanaux ÷ monocanaux."])
def _naive_orders_2023() -> Answer:
    orders, customers = table("orders"), table("customers")
    ids = customers.loc[customers["acquisition_date"].dt.year == 2023, "customer_id"]

    def ratio(sub: pd.DataFrame, what: str = "n") -> float:
        g = sub.groupby("customer_id")
        multi = g["channel"].nunique() > 1
        value = g.size() if what == "n" else g["amount"].sum()
        return float(value[multi].mean() / value[~multi].mean())

    o23 = orders[orders["customer_id"].isin(ids)]
    ans = ratio(o23)
    return Answer(ans, *_keep([
        mistake("tous les clients au lieu de ceux acquis en 2023", ratio(orders)),
        mistake("le chiffre d'affaires au lieu du nombre de commandes", ratio(o23, "amount")),
        mistake("le rapport inversé (monocanaux ÷ multicanaux)", 1 / ans),
    ], ans, 0.005))


@question("11-q8", Euros(decimals=0),
          concept="répartir un budget au prorata des parts d'un modèle d'attribution ; l'écart avec la répartition "
                  "selon les conversions incrémentales vraies est le budget mal placé.",
          hints=["Les conversions attribuées par le modèle en U 30 / 40 / 30 viennent de `jr.attribute(...)` avec "
                 "`model=\"position\"` et `weights` ; divisez-les par leur somme pour avoir des parts.",
                 "La vérité est la colonne `incremental_share` de `datasets.load_ground_truth(\"attribution\")`, "
                 "indexée par `channel`.",
                 "Additionnez les parts des deux canaux de récolte dans chaque répartition ; l'écart, multiplié par "
                 "le budget, est le montant cherché."])
def _harvest_overfunding() -> Answer:
    from .. import datasets

    truth = datasets.load_ground_truth("attribution").set_index("channel")["incremental_share"]

    def excess(weights, budget=BUDGET, channels=HARVEST) -> float:
        a = jr.attribute(_tp(), table("journeys"), model="position", weights=weights)
        return float(budget * (a[channels].sum() / a.sum() - truth[channels].sum()))

    ans = excess(U_WEIGHTS)
    a = jr.attribute(_tp(), table("journeys"), model="position", weights=U_WEIGHTS)
    return Answer(ans, *_keep([
        mistake("les poids par défaut 40 / 20 / 40 au lieu de 30 / 40 / 30", excess((0.4, 0.4))),
        mistake("un budget de 500 000 € au lieu de 800 000 €", excess(U_WEIGHTS, 500_000)),
        mistake("la seule recherche marque au lieu des deux canaux de récolte",
                excess(U_WEIGHTS, channels=["recherche marque"])),
        mistake("le budget donné aux canaux de récolte par le modèle, sans retirer leur part vraie",
                float(BUDGET * a[HARVEST].sum() / a.sum())),
    ], ans, 0.5))
