"""Chapter 02 — IDIC et vue client unique: the questions, their expected answers and mistakes."""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import datasets, identity, warehouse
from ..exercises import Answer, Count, Euros, IdSet, Ratio, SeriesOf, mistake, question
from . import table

REGION = "Île-de-France"
SOURCE_EMAIL = "caisse"
ROLE = "payeur"


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
def _metrics(threshold: float) -> pd.Series:
    records, pairs = _scored()
    labels = identity.cluster_records(len(records), pairs, pairs["score"], threshold=threshold)
    return identity.pairwise_metrics(labels, _silos()["customer_id"])


@cache
def _warehouse():
    return warehouse.build_star_schema(warehouse.connect(), table("customers"), table("orders"))


@question("02-q1", Count(),
          concept="normaliser un e-mail, c'est retirer les espaces autour et tout passer en minuscules, "
                  "pour que deux écritures d'une même adresse deviennent identiques.",
          hints=["Gardez les fiches de la source « caisse » (colonne `source`), puis comptez les adresses distinctes "
                 "après les avoir mises sous une forme unique.",
                 "Les méthodes de texte de pandas sont sous `.str` : `.str.strip()` retire les espaces, "
                 "`.str.lower()` passe en minuscules.",
                 "`.nunique()` compte les valeurs distinctes (les valeurs vides ne comptent pas)."])
def _distinct_emails_till() -> Answer:
    s = _silos()
    email = s.loc[s["source"] == SOURCE_EMAIL, "email"]
    return Answer(
        int(identity.normalize_email(email).nunique()),
        mistake("toutes les sources au lieu de la seule source « caisse »",
                int(identity.normalize_email(s["email"]).nunique())),
        mistake("les adresses brutes, sans normalisation", int(email.nunique())),
        mistake("sans passer les adresses en minuscules", int(email.str.strip().nunique())),
        mistake("sans retirer les espaces autour des adresses", int(email.str.lower().nunique())),
        mistake("le nombre de fiches avec un e-mail, pas le nombre d'adresses distinctes", int(email.notna().sum())),
    )


@question("02-q2", Count(),
          concept="un téléphone normalisé n'a plus que ses dix chiffres (séparateurs retirés, +33 remplacé par 0) : "
                  "deux écritures d'un même numéro deviennent identiques.",
          hints=["Normalisez d'abord tous les téléphones de `silos`, puis comptez les numéros distincts.",
                 "`identity.normalize_phone` met chaque numéro sous une forme unique (NA s'il est absent ou illisible).",
                 "`.nunique()` compte les valeurs distinctes (les valeurs vides ne comptent pas)."])
def _distinct_phones() -> Answer:
    phone = _silos()["phone"]
    return Answer(
        int(identity.normalize_phone(phone).nunique()),
        mistake("les numéros bruts, sans normalisation", int(phone.nunique())),
        mistake("le nombre de fiches avec un téléphone, pas le nombre de numéros distincts",
                int(identity.normalize_phone(phone).notna().sum())),
        mistake("les seuls espaces retirés, sans traiter les points ni +33",
                int(phone.str.replace(" ", "", regex=False).nunique())),
    )


@question("02-q3", Ratio(decimals=3, percent_ok=True),
          concept="les fiches en trop sont celles qui disparaîtraient si chaque client réel n'avait qu'une fiche.",
          hints=["Il faut le nombre de fiches et le nombre de clients réels (la colonne `customer_id` de la "
                 "correspondance).",
                 "Le nombre de clients réels se compte avec `.nunique()` ; le nombre de fiches est la longueur de `silos`.",
                 "La part en trop se rapporte au nombre de **fiches** : 1 − (clients réels / fiches)."])
def _excess_records() -> Answer:
    s = _silos()
    n, real = len(s), s["customer_id"].nunique()
    return Answer(
        float(1 - real / n),
        mistake("la part des clients réels au lieu de la part des fiches en trop", real / n),
        mistake("rapporté au nombre de clients réels au lieu du nombre de fiches", (n - real) / real),
        mistake("le nombre de fiches en trop au lieu de leur part", float(n - real)),
    )


@question("02-q4", Ratio(decimals=3, percent_ok=True),
          concept="le rappel est la part des vraies paires (deux fiches d'un même client) que la règle réunit.",
          hints=["Appliquez la règle « même téléphone normalisé », puis comparez les groupes obtenus à la vraie "
                 "correspondance.",
                 "`identity.normalize_records` prépare les fiches ; `identity.candidate_pairs` avec pour seul bloc "
                 "la colonne `'phone_norm'` donne les paires qui partagent le téléphone ; `identity.cluster_records` "
                 "les regroupe (sans score, toutes les paires sont gardées).",
                 "`identity.pairwise_metrics(...)` mesure les groupes obtenus contre la vérité (la colonne `customer_id` de "
                 "`silos`) ; lisez sa valeur `'recall'`."])
def _phone_rule_recall() -> Answer:
    def metrics(block: str) -> pd.Series:
        records, _ = _scored()
        pairs = identity.candidate_pairs(records, blocks=[block], max_block_size=10**6)
        labels = identity.cluster_records(len(records), pairs)
        return identity.pairwise_metrics(labels, _silos()["customer_id"])

    m = metrics("phone_norm")
    return Answer(
        float(m["recall"]),
        mistake("la précision au lieu du rappel", float(m["precision"])),
        mistake("la règle « même e-mail » au lieu de « même téléphone »", float(metrics("email_norm")["recall"])),
        mistake("le rappel du rapprochement complet au seuil 0,85, pas de la seule règle « même téléphone »",
                float(_metrics(0.85)["recall"])),
    )


@question("02-q5", Count(),
          concept="au-dessus du seuil, deux fiches sont liées ; les clients unifiés sont les groupes de fiches "
                  "liées de proche en proche (composantes connexes).",
          hints=["Enchaînez les étapes du cours : normaliser, bloquer, comparer, noter, regrouper au seuil demandé.",
                 "`identity.normalize_records`, `identity.candidate_pairs`, `identity.compare_pairs`, "
                 "`identity.score_pairs`, puis `identity.cluster_records` avec `threshold=0.85`.",
                 "`cluster_records` renvoie une étiquette de groupe par fiche, numérotée à partir de 0 : "
                 "comptez les étiquettes distinctes."])
def _n_unified_085() -> Answer:
    return Answer(
        int(_metrics(0.85)["n_clusters"]),
        mistake("la plus grande étiquette sans ajouter 1 (les numéros commencent à 0)",
                int(_metrics(0.85)["n_clusters"]) - 1),
        mistake("un seuil de 0,7 au lieu de 0,85", int(_metrics(0.7)["n_clusters"])),
        mistake("un seuil de 0,9 au lieu de 0,85", int(_metrics(0.9)["n_clusters"])),
        mistake("le nombre de fiches, sans les regrouper", len(_silos())),
    )


def _sales_by_channel(where: str) -> pd.Series:
    out = warehouse.sql(_warehouse(), f"""
        SELECT ch.channel, SUM(f.amount) AS sales
        FROM fact_orders AS f
        JOIN dim_date AS d ON d.date_key = f.date_key
        JOIN dim_channel AS ch ON ch.channel_key = f.channel_key
        {where}
        GROUP BY ch.channel
    """)
    return out.set_index("channel")["sales"]


@question("02-q6", SeriesOf(Euros(decimals=2), index="le canal (`channel`)", labels_public=True),
          concept="le chiffre d'affaires d'un canal sur une année est la somme des montants de ses commandes "
                  "de cette année (jointure des faits avec les dimensions date et canal).",
          hints=["En SQL : les faits `fact_orders` joints à `dim_date` (pour l'année) et à `dim_channel` "
                 "(pour le nom du canal).",
                 "Un `WHERE` sur l'année de `dim_date`, puis un `GROUP BY` sur le canal et un `SUM` du montant.",
                 "`warehouse.sql(con, ...)` exécute une requête (une chaîne de caractères) et renvoie une DataFrame : "
                 "faites-en une série indexée par le canal avec `.set_index(...)` puis la colonne du total."])
def _sales_2025_by_channel() -> Answer:
    return Answer(
        _sales_by_channel("WHERE d.year = 2025"),
        mistake("toutes les années, sans filtre sur 2025", _sales_by_channel("")),
        mistake("l'année 2024 au lieu de 2025", _sales_by_channel("WHERE d.year = 2024")),
    )


def _top5(region: str | None, years: tuple[int, ...] = (), by: str = "SUM(f.amount)") -> list[str]:
    where = []
    if region:
        where.append(f"cu.region = '{region}'")
    if years:
        where.append(f"d.year IN ({', '.join(map(str, years))})")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    out = warehouse.sql(_warehouse(), f"""
        SELECT f.customer_id, {by} AS v, MIN(f.customer_id) AS tie
        FROM fact_orders AS f JOIN dim_customer AS cu ON cu.customer_id = f.customer_id
        JOIN dim_date AS d ON d.date_key = f.date_key
        {clause}
        GROUP BY f.customer_id ORDER BY v DESC, tie LIMIT 5
    """)
    return out["customer_id"].tolist()


@question("02-q7", IdSet(),
          concept="une fonction de fenêtre (RANK() OVER (PARTITION BY … ORDER BY …)) classe les clients "
                  "à l'intérieur de chaque région sans regrouper les lignes.",
          hints=["Calculez le chiffre d'affaires de chaque client d'Île-de-France sur les trois ans, puis gardez "
                 "les cinq premiers.",
                 "En SQL : joindre `fact_orders` à `dim_customer` pour connaître la région, filtrer la région, "
                 "regrouper par client, trier par total décroissant.",
                 "Une clause SQL de limite (`LIMIT`, ou `FETCH FIRST … ROWS ONLY`) garde les premières lignes du tri ; "
                 "en pandas, `.nlargest`."])
def _top5_idf() -> Answer:
    out = warehouse.sql(_warehouse(), """
        SELECT customer_id FROM (
            SELECT cu.region, f.customer_id,
                   RANK() OVER (PARTITION BY cu.region ORDER BY SUM(f.amount) DESC) AS rnk
            FROM fact_orders AS f JOIN dim_customer AS cu ON cu.customer_id = f.customer_id
            GROUP BY cu.region, f.customer_id) AS r
        WHERE region = 'Île-de-France' AND rnk <= 5
    """)
    return Answer(
        out["customer_id"].tolist(),
        mistake("les cinq meilleurs clients de toutes les régions, sans filtrer l'Île-de-France", _top5(None)),
        mistake("classés par nombre de commandes au lieu du chiffre d'affaires", _top5(REGION, by="COUNT(*)")),
        mistake("le chiffre d'affaires de 2025 seulement, pas des trois ans", _top5(REGION, years=(2025,))),
    )


@question("02-q8", Count(),
          concept="on ne peut écrire par SMS qu'à un client qui y a consenti et ne s'est pas désinscrit depuis.",
          hints=["Deux conditions à réunir dans la table `customers`.",
                 "Le consentement SMS est dans `consent_sms` ; une désinscription laisse une date dans "
                 "`unsubscribe_date` (vide sinon : `.isna()`).",
                 "Combinez les deux conditions avec `&` (chacune entre parenthèses), puis comptez les `True`."])
def _sms_reachable() -> Answer:
    c = table("customers")
    consent = c["consent_sms"].astype(bool)
    subscribed = c["unsubscribe_date"].isna()
    return Answer(
        int((consent & subscribed).sum()),
        mistake("le consentement e-mail au lieu du consentement SMS",
                int((c["consent_email"].astype(bool) & subscribed).sum())),
        mistake("le consentement seul, sans exclure les clients désinscrits", int(consent.sum())),
        mistake("les non-désinscrits seuls, sans vérifier le consentement", int(subscribed.sum())),
        mistake("« ou » au lieu de « et » entre les deux conditions", int((consent | subscribed).sum())),
    )


@question("02-q9", Ratio(decimals=3, percent_ok=True),
          concept="un rôle du groupe d'achat est couvert dans un compte si au moins un contact de ce compte "
                  "tient ce rôle ; les comptes sans aucun contact comptent comme non couverts.",
          hints=["Partez de la liste de **tous** les comptes (`accounts`), pas seulement de ceux qui ont des contacts.",
                 "Les comptes qui ont un payeur se lisent dans `contacts` (colonnes `role` et `account_id`) ; "
                 "`.isin(...)` dit, pour chaque compte, s'il en fait partie.",
                 "La part cherchée est celle des comptes **sans** payeur : le complément à 1."])
def _no_payer() -> Answer:
    accounts, contacts = table("b2b_accounts"), table("b2b_contacts")

    def covered(role: str) -> pd.Series:
        return accounts["account_id"].isin(contacts.loc[contacts["role"] == role, "account_id"])

    return Answer(
        float(1 - covered(ROLE).mean()),
        mistake("la part des comptes avec payeur, au lieu de ceux qui n'en ont pas", float(covered(ROLE).mean())),
        mistake("le rôle « prescripteur » au lieu de « payeur »", float(1 - covered("prescripteur").mean())),
        mistake("la part des contacts qui ne sont pas payeurs, au lieu d'une part de comptes",
                float((contacts["role"] != ROLE).mean())),
    )


@question("02-q10", Ratio(decimals=3, percent_ok=True),
          concept="la précision est la part des paires réunies qui sont vraiment le même client ; "
                  "elle monte quand le seuil monte.",
          hints=["Regroupez les fiches au seuil 0,7 (pipeline complet du cours), puis mesurez les groupes contre "
                 "la vraie correspondance.",
                 "`identity.cluster_records(..., threshold=0.7)` puis `identity.pairwise_metrics` avec la colonne "
                 "`customer_id` de `silos`.",
                 "Le résultat est une série : lisez sa valeur `'precision'`."])
def _precision_070() -> Answer:
    recall_070, precision_090 = float(_metrics(0.7)["recall"]), float(_metrics(0.9)["precision"])
    if abs(recall_070 - precision_090) < 5e-4:      # indistinguishable at the displayed precision: one feedback
        first = [mistake("le rappel au lieu de la précision, ou la précision au seuil 0,9 au lieu de 0,7", recall_070)]
    else:
        first = [mistake("le rappel au lieu de la précision", recall_070),
                 mistake("le seuil 0,9 au lieu de 0,7", precision_090)]
    return Answer(
        float(_metrics(0.7)["precision"]),
        *first,
        mistake("le seuil 0,85 au lieu de 0,7", float(_metrics(0.85)["precision"])),
    )
