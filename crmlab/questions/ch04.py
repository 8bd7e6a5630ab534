"""Chapter 04 — Segmenter par la valeur: the questions and how their answers are computed."""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import concentration, datasets, rfm
from ..exercises import question
from . import table

REFERENCE = pd.Timestamp("2025-12-31")
CATEGORIES = ("maison", "cuisine", "jardin", "décoration", "textile", "jouets et loisirs", "bricolage")


def _orders() -> pd.DataFrame:
    return table("orders")


@cache
def _sales() -> pd.Series:
    return _orders().groupby("customer_id")["amount"].sum()


@cache
def _segments(date: str) -> pd.Series:
    return rfm.rfm_segments(rfm.rfm_scores(rfm.rfm_table(_orders(), date)))


@question("04-q1", kind="number", rtol=1e-3, percent=True,
          concept="la part des 20 % meilleurs clients = CA des 20 % de clients qui achètent le plus / CA total.",
          hints=["Il faut d'abord le chiffre d'affaires de chaque client, puis les trier du plus gros au plus petit.",
                 "Le nombre de clients du top 20 % est `round(0.2 * nombre de clients)` ; `.head(n)` garde les n premiers.",
                 "Méthode : `groupby('customer_id')['amount'].sum().sort_values(ascending=False)`, somme des n "
                 "premiers divisée par la somme totale (ou `concentration.top_share`)."])
def _top20_share() -> float:
    return concentration.top_share(_sales(), 0.20)


@question("04-q2", kind="number", rtol=2e-3,
          concept="le coefficient de Gini vaut 0 si tous les clients sont égaux et s'approche de 1 si un seul fait tout.",
          hints=["La grandeur à répartir est ici le nombre de commandes de chaque client, pas le montant.",
                 "Un nombre de commandes par client : `groupby('customer_id').size()` (ou `['order_id'].count()`).",
                 "Méthode : `concentration.gini(...)` sur ce nombre de commandes par client, ou la formule "
                 "Σ(2i − n − 1)·x₍ᵢ₎ / (n·Σx) avec les valeurs triées par ordre croissant."])
def _gini_orders() -> float:
    return concentration.gini(_orders().groupby("customer_id").size())


@question("04-q3", kind="integer",
          concept="la classe A regroupe les meilleurs clients qui, ensemble, font les premiers 65 % du chiffre d'affaires.",
          hints=["On ne garde que les commandes de 2025, donc les clients qui ont acheté en 2025.",
                 "Un client est en A si la part du CA faite par les clients mieux classés que lui est inférieure à 65 %.",
                 "Méthode : CA 2025 par client, puis `concentration.abc_classes(ca, cuts=(0.65, 0.90))` et "
                 "compter les « A »."])
def _class_a_2025() -> int:
    o = _orders()
    sales_2025 = o[o["order_date"].dt.year == 2025].groupby("customer_id")["amount"].sum()
    return int((concentration.abc_classes(sales_2025, cuts=(0.65, 0.90)) == "A").sum())


@question("04-q4", kind="number", rtol=1e-6, atol=0.5,
          concept="la récence est le nombre de jours entre la dernière commande et la date de référence ; "
                  "les commandes postérieures à cette date sont ignorées.",
          hints=["Filtrez d'abord les commandes passées au plus tard le 31 décembre 2024.",
                 "Dernière commande de chaque client : `groupby('customer_id')['order_date'].max()` ; "
                 "un écart de dates en jours : `(date - dernière).dt.days`.",
                 "Méthode : `rfm.rfm_table(orders, '2024-12-31')['recency'].median()`, ou la même chose à la main."])
def _median_recency_2024() -> float:
    return float(rfm.rfm_table(_orders(), "2024-12-31")["recency"].median())


@question("04-q5", kind="series", rtol=0, atol=0.5,
          concept="avec rank(method='min'), les clients ex æquo reçoivent tous le score du premier d'entre eux, "
                  "donc les classes ne font pas exactement 20 %.",
          hints=["Le score F se calcule sur le nombre de commandes de chaque client au 31 décembre 2025.",
                 "Score = 1 + partie entière de (rang − 1) × 5 / n, avec `rank(method='min')`.",
                 "Méthode : `rfm.rfm_scores(rfm.rfm_table(orders, '2025-12-31'))['F'].value_counts().sort_index()`."])
def _f_score_counts() -> pd.Series:
    scores = rfm.rfm_scores(rfm.rfm_table(_orders(), REFERENCE))
    return scores["F"].value_counts().sort_index()


@question("04-q6", kind="number", rtol=1e-3, percent=True,
          concept="le chiffre d'affaires « en danger » est celui des segments qui achetaient beaucoup "
                  "mais plus récemment : « À risque » et « À ne pas perdre ».",
          hints=["Segmentez les clients au 31 décembre 2025 (RFM en 5 classes, puis segments nommés).",
                 "`rfm.segment_summary` donne la part du CA de chaque segment.",
                 "Méthode : somme des `revenue_share` des lignes « À risque » et « À ne pas perdre »."])
def _revenue_at_risk() -> float:
    scores = rfm.rfm_scores(rfm.rfm_table(_orders(), REFERENCE))
    scores["segment"] = rfm.rfm_segments(scores)
    summary = rfm.segment_summary(scores)
    return float(summary.loc[["À risque", "À ne pas perdre"], "revenue_share"].sum())


@question("04-q7", kind="number", rtol=1e-3, percent=True,
          concept="dans la lecture « par la valeur » du tableau ABC, on regarde quelle part des clients "
                  "il faut pour faire 65 % du chiffre d'affaires.",
          hints=["Le chiffre d'affaires par client porte sur les trois années.",
                 "`concentration.abc_classes(ca, cuts=(0.65, 0.90))` puis la part des clients en « A ».",
                 "Méthode : `(abc == 'A').mean()`."])
def _class_a_share() -> float:
    return float((concentration.abc_classes(_sales(), cuts=(0.65, 0.90)) == "A").mean())


@question("04-q8", kind="choice", choices=CATEGORIES,
          concept="dans FRAT, le type d'achat d'un client est ici la catégorie où il dépense le plus.",
          hints=["Il faut les lignes de commande (catégorie, montant) rattachées aux clients par `order_id`.",
                 "`rfm.purchase_type(lignes)` donne la catégorie principale de chaque client ; "
                 "joignez-la aux segments du 31 décembre 2025.",
                 "Méthode : parmi les clients du segment « Fidèles », la catégorie principale la plus fréquente "
                 "(`value_counts().index[0]`)."])
def _loyal_main_category() -> str:
    lines = datasets.load_order_lines().merge(_orders()[["order_id", "customer_id"]], on="order_id")
    main = rfm.purchase_type(lines)["main_category"]
    segment = _segments("2025-12-31")
    loyal = main.reindex(segment.index[segment == "Fidèles"])
    return str(loyal.value_counts().index[0])


@question("04-q9", kind="number", rtol=1e-3, percent=True,
          concept="la stabilité est la part des clients présents aux deux dates qui restent dans le même segment.",
          hints=["Calculez les segments RFM au 31 décembre 2024, puis au 31 décembre 2025, chacun avec les "
                 "seules commandes connues à sa date.",
                 "Les clients arrivés en 2025 n'ont pas de segment fin 2024 : ils ne comptent pas.",
                 "Méthode : `rfm.stability(segments_2024, segments_2025)`."])
def _stability() -> float:
    return rfm.stability(_segments("2024-12-31"), _segments("2025-12-31"))


@question("04-q10", kind="integer",
          concept="un client sous-développé a une rentabilité actuelle faible (sous la médiane) et un potentiel "
                  "fort (au-dessus de la médiane).",
          hints=["Rentabilité actuelle : marge brute 2025 (0 pour un client sans achat en 2025). Potentiel : marge "
                 "brute totale divisée par l'ancienneté en années, au moins 0,25 an.",
                 "Ancienneté = (31 décembre 2025 − date d'acquisition) en jours + 1, divisé par 365,25.",
                 "Méthode : `concentration.value_potential_matrix(actuelle, potentiel)` puis compter "
                 "« sous-développés »."])
def _underdeveloped() -> int:
    o = _orders()
    margin_total = o.groupby("customer_id")["gross_margin"].sum()
    acquisition = datasets.load_customers().set_index("customer_id")["acquisition_date"].reindex(margin_total.index)
    tenure = ((REFERENCE - acquisition).dt.days + 1) / 365.25
    potential = margin_total / tenure.clip(lower=0.25)
    current = (o[o["order_date"].dt.year == 2025].groupby("customer_id")["gross_margin"].sum()
               .reindex(margin_total.index, fill_value=0.0))
    return int((concentration.value_potential_matrix(current, potential) == "sous-développés").sum())
