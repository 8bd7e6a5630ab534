"""Chapter 00 — Prise en main: the questions and how their answers are computed."""

from __future__ import annotations


import pandas as pd

from ..exercises import question
from . import table

def _orders() -> pd.DataFrame:
    return table("orders")


@question("00-q1", kind="integer", concept="une commande = une ligne de la table orders.",
          hints=["Chaque ligne de `orders` est une commande.",
                 "La longueur d'une table se lit avec `len(...)` ou `.shape[0]`.",
                 "Méthode : `len(orders)`."])
def _n_orders() -> int:
    return len(_orders())


@question("00-q2", kind="integer",
          concept="un client actif en 2025 est un client distinct ayant passé au moins une commande en 2025.",
          hints=["Filtrez d'abord les commandes de 2025, puis comptez les clients distincts.",
                 "`orders['order_date'].dt.year == 2025` donne le filtre ; un client peut commander plusieurs fois.",
                 "Méthode : `orders[orders['order_date'].dt.year == 2025]['customer_id'].nunique()`."])
def _active_2025() -> int:
    o = _orders()
    return int(o.loc[o["order_date"].dt.year == 2025, "customer_id"].nunique())


@question("00-q3", kind="number", rtol=1e-3,
          concept="le panier moyen est le montant moyen d'une commande (chiffre d'affaires / nombre de commandes).",
          hints=["Le montant payé de chaque commande est dans la colonne `amount`.",
                 "Une moyenne sur une colonne : `.mean()`.",
                 "Méthode : `orders['amount'].mean()` (ou la somme divisée par le nombre de commandes)."])
def _average_basket() -> float:
    return float(_orders()["amount"].mean())


@question("00-q4", kind="series", rtol=1e-4,
          concept="le chiffre d'affaires d'un canal est la somme des montants de ses commandes.",
          hints=["Il faut un total par canal : c'est un regroupement.",
                 "`groupby('channel', observed=True)` puis la somme de `amount`.",
                 "Méthode : `orders.groupby('channel', observed=True)['amount'].sum()`."])
def _sales_by_channel() -> pd.Series:
    return _orders().groupby("channel", observed=True)["amount"].sum()


@question("00-q5", kind="number", rtol=1e-3, percent=True,
          concept="une part est le chiffre d'affaires du sous-ensemble divisé par le chiffre d'affaires total.",
          hints=["Les canaux en ligne sont « site web » et « application ».",
                 "`orders['channel'].isin([...])` sélectionne plusieurs canaux à la fois.",
                 "Méthode : somme de `amount` des commandes en ligne / somme de `amount` de toutes les commandes."])
def _online_share() -> float:
    o = _orders()
    return float(o.loc[o["channel"].isin(["site web", "application"]), "amount"].sum() / o["amount"].sum())


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


@question("00-q6", kind="choice", choices=MONTHS,
          concept="regrouper par mois du calendrier (1 à 12), toutes années confondues, et additionner les montants.",
          hints=["Le mois d'une date se lit avec `.dt.month` (1 = janvier).",
                 "`orders.groupby(orders['order_date'].dt.month)['amount'].sum()` donne un total par mois ; "
                 "`.idxmax()` donne le numéro du plus grand.",
                 "Méthode : le numéro renvoyé par `.idxmax()`, traduit en nom de mois, en texte (par ex. \"mars\")."])
def _peak_month() -> str:
    o = _orders()
    return MONTHS[int(o.groupby(o["order_date"].dt.month)["amount"].sum().idxmax()) - 1]
