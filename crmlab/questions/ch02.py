"""Chapter 02 — IDIC et vue client unique: the questions and how their answers are computed."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import datasets, identity, warehouse
from ..exercises import question


@cache
def _silos() -> pd.DataFrame:
    silos = datasets.load_silos()
    mapping = datasets.load_ground_truth("silo_mapping")
    return silos.merge(mapping, on=["source", "source_record_id"], how="left")


@cache
def _scored() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalised records and their scored candidate pairs (crmlab defaults)."""
    records = identity.normalize_records(_silos())
    pairs = identity.candidate_pairs(records)
    pairs = pairs.assign(score=identity.score_pairs(identity.compare_pairs(records, pairs)))
    return records, pairs


@cache
def _warehouse():
    return warehouse.build_star_schema(warehouse.connect(), datasets.load_customers(), datasets.load_orders())


@question("02-q1", kind="integer",
          concept="normaliser un e-mail, c'est retirer les espaces autour et tout passer en minuscules, "
                  "pour que deux écritures d'une même adresse deviennent identiques.",
          hints=["Comptez les adresses distinctes après les avoir mises sous une forme unique.",
                 "`.str.strip()` retire les espaces, `.str.lower()` passe en minuscules ; "
                 "`.nunique()` compte les valeurs distinctes (les vides ne comptent pas).",
                 "Méthode : `silos['email'].str.strip().str.lower().nunique()`."])
def _distinct_emails() -> int:
    return int(identity.normalize_email(_silos()["email"]).nunique())


@question("02-q2", kind="number", rtol=1e-3, percent=True,
          concept="un téléphone est exploitable quand, une fois les séparateurs retirés et +33 remplacé par 0, "
                  "il reste exactement dix chiffres commençant par 0.",
          hints=["Normalisez d'abord les téléphones, puis mesurez la part des fiches où le résultat est exploitable.",
                 "`identity.normalize_phone` met à vide (NA) les numéros absents ou illisibles.",
                 "Méthode : `identity.normalize_phone(silos['phone']).notna().mean()` — une part sur toutes les fiches."])
def _phone_usable() -> float:
    return float(identity.normalize_phone(_silos()["phone"]).notna().mean())


@question("02-q3", kind="number", rtol=1e-3, percent=True,
          concept="les fiches en trop sont celles qui disparaîtraient si chaque client réel n'avait qu'une fiche : "
                  "1 − clients réels / fiches.",
          hints=["Il faut le nombre de fiches et le nombre de clients réels (la colonne `customer_id` de la correspondance).",
                 "`silos['customer_id'].nunique()` compte les clients réels ; `len(silos)` les fiches.",
                 "Méthode : `1 - silos['customer_id'].nunique() / len(silos)`."])
def _excess_records() -> float:
    s = _silos()
    return float(1 - s["customer_id"].nunique() / len(s))


@question("02-q4", kind="number", rtol=1e-3, percent=True,
          concept="le rappel est la part des vraies paires (deux fiches d'un même client) que la règle réunit.",
          hints=["Appliquez la règle « même e-mail normalisé », puis comparez les groupes obtenus à la vraie "
                 "correspondance avec `identity.pairwise_metrics`.",
                 "`fiches = identity.normalize_records(silos)`, puis "
                 "`identity.candidate_pairs(fiches, blocks=['email_norm'])` donne les paires qui partagent l'e-mail ; "
                 "`identity.cluster_records(len(fiches), paires)` les regroupe (sans score, toutes sont gardées).",
                 "Méthode : `identity.pairwise_metrics(groupes, silos['customer_id'])['recall']`."])
def _email_rule_recall() -> float:
    records, _ = _scored()
    pairs = identity.candidate_pairs(records, blocks=["email_norm"], max_block_size=10**6)
    labels = identity.cluster_records(len(records), pairs)
    return float(identity.pairwise_metrics(labels, _silos()["customer_id"])["recall"])


@question("02-q5", kind="integer",
          concept="au-dessus du seuil, deux fiches sont liées ; les clients unifiés sont les groupes de fiches "
                  "liées de proche en proche (composantes connexes).",
          hints=["Enchaînez les étapes du cours : normaliser, bloquer, comparer, noter, regrouper au seuil demandé.",
                 "`identity.normalize_records`, `identity.candidate_pairs`, `identity.compare_pairs`, "
                 "`identity.score_pairs`, puis `identity.cluster_records(..., threshold=0.85)`.",
                 "Méthode : le nombre de groupes est `etiquettes.max() + 1` (ou `len(set(etiquettes))`)."])
def _n_unified_085() -> int:
    records, pairs = _scored()
    labels = identity.cluster_records(len(records), pairs, pairs["score"], threshold=0.85)
    return int(len(np.unique(labels)))


@question("02-q6", kind="series", rtol=1e-6,
          concept="le chiffre d'affaires d'un canal sur une année est la somme des montants de ses commandes "
                  "de cette année (jointure des faits avec les dimensions date et canal).",
          hints=["En SQL : les faits `fact_orders` joints à `dim_date` (pour l'année) et à `dim_channel` (pour le canal).",
                 "`WHERE d.year = 2025` puis `GROUP BY ch.channel` ; `warehouse.sql(con, requete)` renvoie une "
                 "DataFrame, dont on fait une série indexée par le canal avec `.set_index('channel')['ventes']`.",
                 "Méthode : `SELECT ch.channel, SUM(f.amount) AS ventes FROM fact_orders f JOIN dim_date d "
                 "ON d.date_key = f.date_key JOIN dim_channel ch ON ch.channel_key = f.channel_key "
                 "WHERE d.year = 2025 GROUP BY ch.channel`."])
def _sales_2025_by_channel() -> pd.Series:
    out = warehouse.sql(_warehouse(), """
        SELECT ch.channel, SUM(f.amount) AS sales
        FROM fact_orders AS f
        JOIN dim_date AS d ON d.date_key = f.date_key
        JOIN dim_channel AS ch ON ch.channel_key = f.channel_key
        WHERE d.year = 2025
        GROUP BY ch.channel
    """)
    return out.set_index("channel")["sales"]


@question("02-q7", kind="set",
          concept="une fonction de fenêtre (RANK() OVER (PARTITION BY … ORDER BY …)) classe les clients "
                  "à l'intérieur de chaque région sans regrouper les lignes.",
          hints=["Calculez le chiffre d'affaires de chaque client d'Île-de-France sur les trois ans, puis gardez les "
                 "cinq premiers.",
                 "En SQL : joindre `fact_orders` à `dim_customer`, filtrer `region = 'Île-de-France'`, "
                 "`GROUP BY customer_id`, `ORDER BY SUM(amount) DESC`, `FETCH FIRST 5 ROWS ONLY` "
                 "(ou un `RANK() OVER (PARTITION BY region …)` ≤ 5).",
                 "Méthode pandas équivalente : fusionner commandes et clients, filtrer la région, "
                 "`groupby('customer_id')['amount'].sum().nlargest(5).index`."])
def _top5_idf() -> list[str]:
    out = warehouse.sql(_warehouse(), """
        SELECT customer_id FROM (
            SELECT cu.region, f.customer_id,
                   RANK() OVER (PARTITION BY cu.region ORDER BY SUM(f.amount) DESC) AS rnk
            FROM fact_orders AS f JOIN dim_customer AS cu ON cu.customer_id = f.customer_id
            GROUP BY cu.region, f.customer_id) AS r
        WHERE region = 'Île-de-France' AND rnk <= 5
    """)
    return out["customer_id"].tolist()


@question("02-q8", kind="integer",
          concept="on ne peut écrire par e-mail qu'à un client qui y a consenti et ne s'est pas désinscrit depuis.",
          hints=["Deux conditions à réunir dans la table `customers`.",
                 "`consent_email` doit être vrai et `unsubscribe_date` vide (`.isna()`) ; combinez avec `&`.",
                 "Méthode : `len(customers[(customers['consent_email'] == 1) & customers['unsubscribe_date'].isna()])`."])
def _emailable() -> int:
    c = datasets.load_customers()
    return int(((c["consent_email"] == 1) & c["unsubscribe_date"].isna()).sum())


@question("02-q9", kind="number", rtol=1e-3, percent=True,
          concept="un rôle du groupe d'achat est couvert dans un compte si au moins un contact de ce compte "
                  "tient ce rôle ; les comptes sans aucun contact comptent comme non couverts.",
          hints=["Partez de la liste de tous les comptes (`b2b_accounts`), pas seulement de ceux qui ont des contacts.",
                 "Les comptes qui ont un prescripteur : `contacts.loc[contacts['role'] == 'prescripteur', 'account_id']`"
                 " ; `accounts['account_id'].isin(...)` dit, pour chaque compte, s'il en fait partie.",
                 "Méthode : `1 - accounts['account_id'].isin(comptes_avec_prescripteur).mean()`."])
def _no_prescriber() -> float:
    accounts = datasets.load_b2b_accounts()
    contacts = datasets.load_b2b_contacts()
    with_role = contacts.loc[contacts["role"] == "prescripteur", "account_id"]
    return float(1 - accounts["account_id"].isin(with_role).mean())


@question("02-q10", kind="number", rtol=1e-3, percent=True,
          concept="la précision est la part des paires réunies qui sont vraiment le même client ; "
                  "elle monte quand le seuil monte.",
          hints=["Regroupez les fiches au seuil 0,7 (pipeline du cours), puis mesurez-le contre la vraie correspondance.",
                 "`identity.cluster_records(..., threshold=0.7)` puis `identity.pairwise_metrics(etiquettes, "
                 "silos['customer_id'])`.",
                 "Méthode : la valeur `['precision']` de ce résultat."])
def _precision_070() -> float:
    records, pairs = _scored()
    labels = identity.cluster_records(len(records), pairs, pairs["score"], threshold=0.7)
    return float(identity.pairwise_metrics(labels, _silos()["customer_id"])["precision"])
