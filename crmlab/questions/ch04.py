"""Chapter 04 — Segmenter par la valeur: the questions, their expected answers and mistakes."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import concentration, rfm
from ..exercises import Answer, Choice, Count, Days, Number, Ratio, SeriesOf, mistake, question
from . import table

REFERENCE = pd.Timestamp("2025-12-31")
CATEGORIES = ("maison", "cuisine", "jardin", "décoration", "textile", "jouets et loisirs", "bricolage")


def _orders() -> pd.DataFrame:
    return table("orders")


def _year(year: int) -> pd.DataFrame:
    o = _orders()
    return o[o["order_date"].dt.year == year]


@cache
def _sales() -> pd.Series:
    return _orders().groupby("customer_id")["amount"].sum()


@cache
def _segments(date: str, orders_until: str | None = None) -> pd.Series:
    o = _orders() if orders_until is None else _orders()[_orders()["order_date"] <= orders_until]
    return rfm.rfm_segments(rfm.rfm_scores(rfm.rfm_table(o, date)))


def _top_share(sales: pd.Series, top: float = 0.2, ascending: bool = False) -> float:
    ranked = sales.sort_values(ascending=ascending)
    return float(ranked.head(round(top * len(ranked))).sum() / ranked.sum())


@question("04-q1", Ratio(decimals=3, percent_ok=True),
          concept="la part des 5 % meilleurs clients = CA des 5 % de clients qui achètent le plus / CA total.",
          hints=["Il faut d'abord le chiffre d'affaires de chaque client, puis les trier du plus gros au plus petit.",
                 "Le nombre de clients du top 5 % est 5 % du nombre de clients, arrondi (`round`) ; `.head(...)` garde "
                 "les premiers d'une série triée.",
                 "Divisez la somme des n premiers par la somme de tous ; `concentration.top_share` donne le même "
                 "résultat."])
def _top5_share() -> Answer:
    by_orders = _orders().groupby("customer_id").size()
    return Answer(
        concentration.top_share(_sales(), 0.05),
        mistake("les 10 % meilleurs clients au lieu des 5 %", concentration.top_share(_sales(), 0.10)),
        mistake("les 5 % de clients qui achètent le moins (tri croissant)", _top_share(_sales(), 0.05, ascending=True)),
        mistake("le chiffre d'affaires de 2025 seulement, pas de 2023-2025",
                _top_share(_year(2025).groupby("customer_id")["amount"].sum(), 0.05)),
        mistake("les 5 % de clients qui commandent le plus souvent, au lieu de ceux qui dépensent le plus",
                float(_sales()[by_orders.sort_values(ascending=False, kind="stable")
                               .head(round(0.05 * len(by_orders))).index].sum() / _sales().sum())),
    )


@question("04-q2", Ratio(decimals=3),
          concept="le coefficient de Gini vaut 0 si tous les clients sont égaux et s'approche de 1 si un seul fait tout.",
          hints=["La grandeur à répartir est ici le **nombre de commandes** de chaque client, pas le montant.",
                 "Un nombre de commandes par client : `groupby('customer_id').size()`.",
                 "`concentration.gini` calcule le coefficient à partir de ces valeurs (ou la formule du cours, "
                 "valeurs triées par ordre croissant)."])
def _gini_orders() -> Answer:
    return Answer(
        concentration.gini(_orders().groupby("customer_id").size()),
        mistake("le Gini du chiffre d'affaires au lieu du nombre de commandes", concentration.gini(_sales())),
        mistake("le Gini de 2025 seulement, pas de 2023-2025",
                concentration.gini(_year(2025).groupby("customer_id").size())),
    )


@question("04-q3", Count(),
          concept="la classe A regroupe les meilleurs clients qui, ensemble, font les premiers 65 % du chiffre d'affaires.",
          hints=["On ne garde que les commandes de 2025, donc les clients qui ont acheté en 2025.",
                 "Un client est en A si la part du CA faite par les clients mieux classés que lui est inférieure à 65 %.",
                 "`concentration.abc_classes` sur le CA 2025 par client, avec `cuts=(0.65, 0.90)` ; comptez les « A »."])
def _class_a_2025() -> Answer:
    sales_2025 = _year(2025).groupby("customer_id")["amount"].sum()

    def n_a(sales: pd.Series, by: str = "value") -> int:
        return int((concentration.abc_classes(sales, cuts=(0.65, 0.90), by=by) == "A").sum())

    return Answer(
        n_a(sales_2025),
        mistake("sur les trois années au lieu de 2025", n_a(_sales())),
        mistake("les clients des classes A et B (jusqu'à 90 %) au lieu de la seule classe A",
                int((concentration.abc_classes(sales_2025, cuts=(0.65, 0.90)) != "C").sum())),
    )


@question("04-q4", Days(decimals=0),
          concept="la récence est le nombre de jours entre la dernière commande et la date de référence ; "
                  "les commandes postérieures à cette date sont ignorées.",
          hints=["Filtrez d'abord les commandes passées au plus tard le 31 décembre 2024.",
                 "Dernière commande de chaque client : `groupby('customer_id')['order_date'].max()` ; "
                 "un écart de dates en jours : `.dt.days`.",
                 "`rfm.rfm_table(orders, '2024-12-31')` calcule la récence de chaque client à cette date ; "
                 "prenez-en la médiane."])
def _median_recency_2024() -> Answer:
    o = _orders()
    last_all = o.groupby("customer_id")["order_date"].max()
    t = rfm.rfm_table(o, "2024-12-31")["recency"]
    return Answer(
        float(t.median()),
        mistake("la moyenne au lieu de la médiane", float(t.mean())),
        mistake("les commandes de 2025 gardées (récences négatives)",
                float((pd.Timestamp("2024-12-31") - last_all).dt.days.median())),
        mistake("la récence au 31 décembre 2025 au lieu du 31 décembre 2024",
                float(rfm.rfm_table(o, REFERENCE)["recency"].median())),
    )


def _f_counts(method: str, date: str = "2024-12-31") -> pd.Series:
    freq = _orders()[_orders()["order_date"] <= date].groupby("customer_id").size()
    score = 1 + np.floor((freq.rank(method=method) - 1) * 5 / len(freq)).astype(int)
    return score.value_counts().sort_index().astype(float)


@question("04-q5", SeriesOf(Count(), index="le score F (1 à 5)", labels_public=True),
          concept="avec `rank(method='min')`, les clients ex æquo reçoivent tous le score du premier d'entre eux, "
                  "donc les classes ne font pas exactement 20 %.",
          hints=["Le score F se calcule sur le nombre de commandes de chaque client au 31 décembre 2024 (les "
                 "commandes de 2025 ne comptent pas, les clients arrivés en 2025 non plus).",
                 "Score = 1 + partie entière de (rang − 1) × 5 / n, avec le rang `rank(method='min')`.",
                 "Comptez les clients par score avec `value_counts()`, puis rangez l'index avec `sort_index()` ; "
                 "`rfm.rfm_scores` donne les mêmes scores F."])
def _f_score_counts_2024() -> Answer:
    scores = rfm.rfm_scores(rfm.rfm_table(_orders(), "2024-12-31"))
    return Answer(
        scores["F"].value_counts().sort_index().astype(float),
        mistake("au 31 décembre 2025 au lieu du 31 décembre 2024", _f_counts("min", "2025-12-31")),
        mistake("des rangs sans ex æquo (`method='first'`) : des classes de taille égale", _f_counts("first")),
        mistake("le rang moyen des ex æquo (`method='average'`) au lieu de `method='min'`", _f_counts("average")),
    )


@question("04-q6", Ratio(decimals=3, percent_ok=True),
          concept="le chiffre d'affaires « en danger » est celui des segments qui achetaient beaucoup "
                  "mais plus récemment : « À risque » et « À ne pas perdre ».",
          hints=["Segmentez les clients au 31 décembre 2025 (RFM en 5 classes, puis segments nommés).",
                 "`rfm.segment_summary` donne, par segment, la part des clients et la part du chiffre d'affaires.",
                 "Additionnez la part du chiffre d'affaires (`revenue_share`) des deux segments demandés."])
def _revenue_at_risk() -> Answer:
    scores = rfm.rfm_scores(rfm.rfm_table(_orders(), REFERENCE))
    scores["segment"] = rfm.rfm_segments(scores)
    summary = rfm.segment_summary(scores)
    both = ["À risque", "À ne pas perdre"]
    return Answer(
        float(summary.loc[both, "revenue_share"].sum()),
        mistake("la part des clients au lieu de la part du chiffre d'affaires",
                float(summary.loc[both, "customer_share"].sum())),
        mistake("le seul segment « À risque »", float(summary.loc["À risque", "revenue_share"])),
        mistake("le seul segment « À ne pas perdre »", float(summary.loc["À ne pas perdre", "revenue_share"])),
    )


@question("04-q7", Ratio(decimals=3, percent_ok=True),
          concept="dans la lecture « par la valeur » du tableau ABC, on regarde quelle part des clients "
                  "il faut pour faire 65 % du chiffre d'affaires.",
          hints=["Le chiffre d'affaires par client porte sur la seule année 2025 (les clients qui ont acheté en 2025).",
                 "`concentration.abc_classes` avec `cuts=(0.65, 0.90)` donne la classe de chaque client.",
                 "La part des clients en « A » est la moyenne d'une condition vraie / fausse."])
def _class_a_share_2025() -> Answer:
    sales = _year(2025).groupby("customer_id")["amount"].sum()
    a = concentration.abc_classes(sales, cuts=(0.65, 0.90)) == "A"
    return Answer(
        float(a.mean()),
        mistake("le nombre de clients de la classe A au lieu de leur part", float(a.sum())),
        mistake("la part du chiffre d'affaires de la classe A au lieu de la part des clients",
                float(sales[a].sum() / sales.sum())),
        mistake("le chiffre d'affaires des trois années au lieu de 2025",
                float((concentration.abc_classes(_sales(), cuts=(0.65, 0.90)) == "A").mean())),
        mistake("rapporté à tous les clients de la table, pas aux clients de 2025", float(a.sum() / len(table("customers")))),
    )


@question("04-q8", Choice(choices=CATEGORIES),
          concept="dans FRAT, le type d'achat d'un client est ici la catégorie où il dépense le plus.",
          hints=["Il faut les lignes de commande (catégorie, montant) rattachées aux clients par `order_id`.",
                 "`rfm.purchase_type` donne la catégorie principale de chaque client ; croisez-la avec les segments "
                 "du 31 décembre 2025.",
                 "Parmi les clients du segment « Fidèles », la catégorie la plus fréquente est la première de "
                 "`value_counts()`."])
def _loyal_main_category() -> Answer:
    lines = table("order_lines").merge(_orders()[["order_id", "customer_id"]], on="order_id")
    main = rfm.purchase_type(lines)["main_category"]
    segment = _segments("2025-12-31")
    loyal = main.reindex(segment.index[segment == "Fidèles"])
    return Answer(str(loyal.value_counts().index[0]),
                  mistake("la catégorie la plus fréquente de tous les clients, pas des seuls Fidèles",
                          str(main.value_counts().index[0])))


@question("04-q9", Ratio(decimals=3, percent_ok=True),
          concept="la stabilité est la part des clients présents aux deux dates qui restent dans le même segment.",
          hints=["Calculez les segments RFM au 31 décembre 2023, puis au 31 décembre 2024, chacun avec les "
                 "seules commandes connues à sa date.",
                 "Les clients arrivés en 2024 n'ont pas de segment fin 2023 : ils ne comptent pas.",
                 "`rfm.stability` compare deux séries de segments indexées par client."])
def _stability_2024() -> Answer:
    before, after = _segments("2023-12-31"), _segments("2024-12-31")
    with_new = pd.concat({"b": before.astype(str), "a": after.astype(str)}, axis=1)
    return Answer(
        rfm.stability(before, after),
        mistake("les clients arrivés en 2024 comptés comme ayant changé de segment",
                float((with_new["b"] == with_new["a"]).mean())),
        mistake("fin 2024 → fin 2025 au lieu de fin 2023 → fin 2024",
                rfm.stability(_segments("2024-12-31"), _segments("2025-12-31"))),
        mistake("la part des clients qui ont changé de segment, au lieu de ceux qui sont restés",
                1 - rfm.stability(before, after)),
    )


@question("04-q10", Count(),
          concept="un client sous-développé a une rentabilité actuelle faible (sous la médiane) et un potentiel "
                  "fort (au-dessus de la médiane) ; le diagnostic se fait avec ce qu'on savait à la date choisie.",
          hints=["Placez-vous au 31 décembre 2024 : seules les commandes jusqu'à cette date comptent. Rentabilité "
                 "actuelle : marge brute 2024 (0 pour un client sans achat en 2024). Potentiel : marge brute totale "
                 "jusqu'à fin 2024 divisée par l'ancienneté en années, au moins 0,25 an.",
                 "Ancienneté = (31 décembre 2024 − date d'acquisition) en jours + 1, divisé par 365,25.",
                 "`concentration.value_potential_matrix(...)` classe chaque client à partir des deux séries (actuelle, "
                 "potentiel) ; comptez les « sous-développés »."])
def _underdeveloped_2024() -> Answer:
    end = pd.Timestamp("2024-12-31")
    o = _orders()
    known = o[o["order_date"] <= end]
    acquisition = table("customers").set_index("customer_id")["acquisition_date"]

    def count(orders: pd.DataFrame, current_year: int = 2024, floor: float | None = 0.25) -> int:
        margin_total = orders.groupby("customer_id")["gross_margin"].sum()
        tenure = ((end - acquisition.reindex(margin_total.index)).dt.days + 1) / 365.25
        tenure = tenure.clip(lower=floor) if floor else tenure
        current = (o[o["order_date"].dt.year == current_year].groupby("customer_id")["gross_margin"].sum()
                   .reindex(margin_total.index, fill_value=0.0))
        return int((concentration.value_potential_matrix(current, margin_total / tenure) == "sous-développés").sum())

    return Answer(
        count(known),
        mistake("les commandes de 2025 comptées dans le potentiel", count(o[o["customer_id"].isin(known["customer_id"])])),
        mistake("la rentabilité actuelle de 2025 au lieu de 2024", count(known, current_year=2025)),
        mistake("une ancienneté sans plancher de 0,25 an", count(known, floor=None)),
    )
