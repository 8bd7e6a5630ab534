"""Chapter 00 — Prise en main: the questions, their expected answers and plausible mistakes."""

from __future__ import annotations

import pandas as pd

from ..exercises import Answer, Choice, Count, Euros, Ratio, SeriesOf, mistake, question
from . import table

ONLINE = ["site web", "application"]
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


def _orders() -> pd.DataFrame:
    return table("orders")


def _year(year: int) -> pd.DataFrame:
    o = _orders()
    return o[o["order_date"].dt.year == year]


# The lesson of chapter 00 works this one in front of the student (section 5): it is a
# demonstration, not an exercise (its id is not of the NN-qK form).
@question("00-demo", Count(),
          concept="une commande = une ligne de la table `orders`.",
          hints=["Chaque ligne de `orders` est une commande : il s'agit de compter des lignes.",
                 "La longueur d'une table se lit avec `len(...)` ou avec l'attribut `.shape`."])
def _demo_n_orders() -> Answer:
    o = _orders()
    return Answer(len(o), mistake("le nombre de clients distincts au lieu du nombre de commandes",
                                  o["customer_id"].nunique()))


@question("00-q1", Count(),
          concept="filtrer une table, c'est garder les lignes qui vérifient une condition ; "
                  "une commande = une ligne de `orders`.",
          hints=["Gardez d'abord les commandes de l'année demandée, puis comptez les lignes qui restent.",
                 "L'année d'une date se lit avec `.dt.year` ; une condition entre crochets filtre les lignes.",
                 "Comptez les lignes du résultat filtré avec `len(...)`."])
def _orders_2024() -> Answer:
    o = _orders()
    return Answer(
        len(_year(2024)),
        mistake("toutes les commandes, sans filtrer l'année 2024", len(o)),
        mistake("les commandes de 2025 au lieu de 2024", len(_year(2025))),
        mistake("les clients distincts de 2024 au lieu des commandes", _year(2024)["customer_id"].nunique()),
    )


@question("00-q2", Count(),
          concept="un client actif en 2025 est un client **distinct** ayant passé au moins une commande en 2025.",
          hints=["Filtrez d'abord les commandes de 2025, puis comptez les clients **distincts**.",
                 "Un client peut commander plusieurs fois : ne comptez pas les lignes, mais les identifiants différents.",
                 "`.nunique()` compte les valeurs distinctes d'une colonne."])
def _active_2025() -> Answer:
    o = _orders()
    return Answer(
        _year(2025)["customer_id"].nunique(),
        mistake("le nombre de commandes de 2025 au lieu du nombre de clients distincts", len(_year(2025))),
        mistake("les clients distincts de toute la période, sans filtrer 2025", o["customer_id"].nunique()),
        mistake("les clients de 2024 au lieu de 2025", _year(2024)["customer_id"].nunique()),
    )


@question("00-q3", Euros(decimals=2),
          concept="le panier moyen est le montant moyen d'une commande : chiffre d'affaires / nombre de commandes, "
                  "ici sur les seules commandes passées en magasin.",
          hints=["Gardez d'abord les commandes du canal « magasin » (colonne `channel`).",
                 "Le montant payé de chaque commande est dans la colonne `amount` ; une moyenne sur une colonne : "
                 "`.mean()` (attention à ne pas la confondre avec la médiane).",
                 "C'est aussi la somme des montants des commandes en magasin divisée par leur nombre."])
def _store_basket() -> Answer:
    o = _orders()
    store = o[o["channel"] == "magasin"]
    return Answer(
        store["amount"].mean(),
        mistake("toutes les commandes, sans garder le seul canal « magasin »", o["amount"].mean()),
        mistake("la médiane au lieu de la moyenne", store["amount"].median()),
        mistake("la marge brute (`gross_margin`) au lieu du montant payé (`amount`)", store["gross_margin"].mean()),
        mistake("le chiffre d'affaires par client au lieu de par commande",
                store["amount"].sum() / store["customer_id"].nunique()),
    )


@question("00-q4", SeriesOf(Euros(decimals=2), index="le canal (`channel`)", labels_public=True),
          concept="le chiffre d'affaires d'un canal sur une année est la somme des montants de ses commandes "
                  "de cette année.",
          hints=["Deux étapes : garder les commandes de 2024, puis un total par canal (un regroupement).",
                 "`groupby` sur la colonne `channel` (avec `observed=True`, car c'est une catégorie), "
                 "puis la colonne `amount`.",
                 "Après le regroupement, l'agrégation est une somme (`.sum()`), pas une moyenne ni un comptage."])
def _sales_2024_by_channel() -> Answer:
    by = _year(2024).groupby("channel", observed=True)["amount"]
    total = by.sum()
    return Answer(
        total,
        mistake("toutes les années, sans garder 2024", _orders().groupby("channel", observed=True)["amount"].sum()),
        mistake("l'année 2025 au lieu de 2024", _year(2025).groupby("channel", observed=True)["amount"].sum()),
        mistake("le nombre de commandes par canal au lieu du chiffre d'affaires", by.size().astype(float)),
        mistake("le panier moyen par canal au lieu du total", by.mean()),
        mistake("la part de chaque canal au lieu de son montant", total / total.sum()),
    )


@question("00-q5", Ratio(decimals=3, percent_ok=True),
          concept="une part est le chiffre d'affaires du sous-ensemble divisé par le chiffre d'affaires total.",
          hints=["Les canaux en ligne sont « site web » et « application » ; la part porte sur les montants.",
                 "`.isin([...])` sélectionne plusieurs canaux à la fois.",
                 "Divisez la somme de `amount` des commandes en ligne par la somme de `amount` de toutes les commandes."])
def _online_share() -> Answer:
    o = _orders()
    online = o["channel"].isin(ONLINE)
    share = o.loc[online, "amount"].sum() / o["amount"].sum()
    return Answer(
        share,
        mistake("la part des commandes en nombre au lieu de la part du chiffre d'affaires", online.mean()),
        mistake("le seul canal « site web », sans l'application",
                o.loc[o["channel"] == "site web", "amount"].sum() / o["amount"].sum()),
        mistake("la part hors ligne au lieu de la part en ligne", 1 - share),
        mistake("le rapport en ligne / hors ligne au lieu de la part du total", share / (1 - share)),
    )


@question("00-q6", Choice(choices=MONTHS),
          concept="regrouper par mois du calendrier (1 à 12), toutes années confondues, et additionner les montants.",
          hints=["Le mois d'une date se lit avec `.dt.month` (1 = janvier).",
                 "Regroupez les montants par ce numéro de mois et additionnez-les ; `.idxmax()` donne "
                 "l'étiquette de la plus grande valeur.",
                 "Traduisez le numéro obtenu en nom de mois et répondez en texte, entre guillemets."])
def _peak_month() -> Answer:
    o = _orders()
    by_month = o.groupby(o["order_date"].dt.month)["amount"].sum()
    return Answer(MONTHS[int(by_month.idxmax()) - 1],
                  mistake("le mois le plus faible (`idxmin`) au lieu du plus fort", MONTHS[int(by_month.idxmin()) - 1]))
