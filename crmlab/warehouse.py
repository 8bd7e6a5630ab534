"""A small data warehouse in DuckDB: star schema and the analyst's everyday queries.

DuckDB is an analytical database that runs inside Python (nothing to install or
to administer): it reads pandas DataFrames and CSV files directly. Here it holds a
*star schema* — one fact table (the orders) surrounded by dimensions (customer,
date, channel) — built in memory; nothing is written to disk.

    con = warehouse.connect()
    warehouse.build_star_schema(con, customers, orders)
    warehouse.sql(con, warehouse.QUERIES["sales_by_channel_month"])

The SQL in ``QUERIES`` is standard (it would run unchanged on PostgreSQL or a
cloud warehouse); DuckDB's own conveniences are kept apart in ``DUCKDB_ONLY``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .validation import InvalidValueError, check_table

__all__ = ["connect", "build_star_schema", "sql", "schema_summary", "QUERIES", "DUCKDB_ONLY"]

CUSTOMER_COLUMNS = ["customer_id", "region", "age_band", "acquisition_date", "acquisition_channel",
                    "loyalty_member", "loyalty_tier", "consent_email"]
ORDER_COLUMNS = ["order_id", "customer_id", "order_date", "channel", "amount", "gross_margin", "n_items"]

#: type of each sales channel (a dimension attribute the raw orders do not carry)
CHANNEL_TYPES = {"magasin": "physique", "site web": "digital", "application": "digital",
                 "téléphone": "à distance"}


def connect(tables: Mapping[str, pd.DataFrame] | None = None):
    """An in-memory DuckDB connection, with ``tables`` (name → DataFrame) registered as views.

    >>> con = connect({"t": pd.DataFrame({"x": [1, 2]})})
    >>> sql(con, "SELECT COUNT(*) AS n FROM t")["n"].tolist()
    [2]
    """
    import duckdb

    con = duckdb.connect(":memory:")
    for name, df in (tables or {}).items():
        con.register(name, check_table(df, name, allow_empty=True))
    return con


def sql(con, query: str, params: list | None = None) -> pd.DataFrame:
    """Run ``query`` and return the result as a pandas DataFrame (French error on bad SQL).

    >>> sql(connect(), "SELECT 1 + 1 AS deux")["deux"].tolist()
    [2]
    """
    import duckdb

    if not isinstance(query, str) or not query.strip():
        raise InvalidValueError("la requête SQL est vide : écrivez une instruction SELECT … FROM ….")
    try:
        return con.execute(query, params or []).df()
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise InvalidValueError(f"la requête SQL a échoué : {first} "
                                "(vérifiez les noms de tables et de colonnes, les virgules et les guillemets).") from None


def build_star_schema(con, customers: pd.DataFrame, orders: pd.DataFrame):
    """Create the star schema in ``con``: ``fact_orders`` and ``dim_customer``, ``dim_date``, ``dim_channel``.

    Privacy by design: ``dim_customer`` keeps no name, e-mail or phone — an analyst
    needs none to count, sum or segment. Returns the connection.

    >>> c = pd.DataFrame({"customer_id": ["C1"], "region": ["Bretagne"], "age_band": ["25-34"],
    ...     "acquisition_date": ["2024-01-02"], "acquisition_channel": ["magasin"], "loyalty_member": [0],
    ...     "loyalty_tier": [None], "consent_email": [1]})
    >>> o = pd.DataFrame({"order_id": ["O1"], "customer_id": ["C1"], "order_date": ["2024-01-02"],
    ...     "channel": ["magasin"], "amount": [50.0], "gross_margin": [20.0], "n_items": [2]})
    >>> sorted(schema_summary(build_star_schema(connect(), c, o))["table"])
    ['dim_channel', 'dim_customer', 'dim_date', 'fact_orders']
    """
    cust = check_table(customers, "customers", CUSTOMER_COLUMNS, dates=["acquisition_date"])
    ords = check_table(orders, "orders", ORDER_COLUMNS, dates=["order_date"], non_negative=["amount"])
    unknown = set(ords["customer_id"].astype(str)) - set(cust["customer_id"].astype(str))
    if unknown:
        raise InvalidValueError(
            f"{len(unknown)} commande(s) portent un customer_id absent de la table « customers » "
            f"(par ex. {sorted(unknown)[0]}) : les deux tables ne viennent pas de la même source."
        )
    for col in ("region", "age_band", "acquisition_channel", "loyalty_tier", "customer_id"):
        cust[col] = cust[col].astype("string")
    for col in ("channel", "customer_id", "order_id"):
        ords[col] = ords[col].astype("string")
    channels = pd.DataFrame({"channel": sorted(ords["channel"].dropna().unique())})
    channels["channel_type"] = channels["channel"].map(CHANNEL_TYPES).fillna("autre")
    con.register("_raw_customers", cust)
    con.register("_raw_orders", ords)
    con.register("_raw_channels", channels)
    # DuckDB's own here: CREATE OR REPLACE TABLE (PostgreSQL: DROP TABLE IF EXISTS, then
    # CREATE TABLE … AS), range() for the calendar and EXTRACT(ISODOW …) (also PostgreSQL's).
    first = ords["order_date"].min().strftime("%Y-01-01")
    last = ords["order_date"].max().strftime("%Y-12-31")
    con.execute("""
        CREATE OR REPLACE TABLE dim_customer AS
        SELECT customer_id, region, age_band,
               CAST(acquisition_date AS DATE) AS acquisition_date, acquisition_channel,
               COALESCE(loyalty_tier, 'non membre') AS loyalty_status,
               CAST(consent_email AS INTEGER) AS consent_email
        FROM _raw_customers
    """)
    con.execute("""
        CREATE OR REPLACE TABLE dim_channel AS
        SELECT CAST(ROW_NUMBER() OVER (ORDER BY channel) AS INTEGER) AS channel_key, channel, channel_type
        FROM _raw_channels
    """)
    # range() makes the calendar (PostgreSQL: generate_series)
    con.execute(f"""
        CREATE OR REPLACE TABLE dim_date AS
        SELECT CAST(d AS DATE) AS date_key,
               CAST(EXTRACT(YEAR FROM d) AS INTEGER) AS year,
               CAST(EXTRACT(QUARTER FROM d) AS INTEGER) AS quarter,
               CAST(EXTRACT(MONTH FROM d) AS INTEGER) AS month,
               CAST(EXTRACT(ISODOW FROM d) AS INTEGER) AS iso_day_of_week
        FROM range(DATE '{first}', DATE '{last}' + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d)
    """)
    con.execute("""
        CREATE OR REPLACE TABLE fact_orders AS
        SELECT o.order_id, o.customer_id, CAST(o.order_date AS DATE) AS date_key, ch.channel_key,
               CAST(o.amount AS DOUBLE) AS amount, CAST(o.gross_margin AS DOUBLE) AS gross_margin,
               CAST(o.n_items AS INTEGER) AS n_items
        FROM _raw_orders AS o
        JOIN dim_channel AS ch ON ch.channel = o.channel
    """)
    for name in ("_raw_customers", "_raw_orders", "_raw_channels"):
        con.unregister(name)
    return con


def schema_summary(con) -> pd.DataFrame:
    """The tables of the star schema: role (fait / dimension), rows and columns.

    >>> schema_summary(connect()).empty
    True
    """
    tables = sql(con, """
        SELECT table_name AS "table", COUNT(*) AS n_columns
        FROM information_schema.columns
        WHERE table_name LIKE 'fact_%' OR table_name LIKE 'dim_%'
        GROUP BY table_name ORDER BY table_name
    """)
    if tables.empty:
        return pd.DataFrame(columns=["table", "role", "n_rows", "n_columns"])
    counts = " UNION ALL ".join(f"SELECT '{t}' AS \"table\", COUNT(*) AS n_rows FROM {t}" for t in tables["table"])
    out = tables.merge(sql(con, counts), on="table")
    out["role"] = out["table"].str.startswith("fact_").map({True: "fait", False: "dimension"})
    return out[["table", "role", "n_rows", "n_columns"]]


#: everyday queries in standard SQL (they run unchanged on PostgreSQL or a cloud warehouse)
QUERIES: dict[str, str] = {
    "sales_by_channel_month": """
SELECT d.year, d.month, ch.channel,
       SUM(f.amount) AS sales, COUNT(*) AS n_orders
FROM fact_orders AS f
JOIN dim_date    AS d  ON d.date_key = f.date_key
JOIN dim_channel AS ch ON ch.channel_key = f.channel_key
GROUP BY d.year, d.month, ch.channel
ORDER BY d.year, d.month, ch.channel
""",
    "customers_by_status": """
SELECT cu.loyalty_status,
       COUNT(DISTINCT cu.customer_id)                          AS n_customers,
       SUM(f.amount) / COUNT(DISTINCT cu.customer_id)          AS sales_per_customer
FROM dim_customer AS cu
LEFT JOIN fact_orders AS f ON f.customer_id = cu.customer_id
GROUP BY cu.loyalty_status
ORDER BY n_customers DESC
""",
    "top_customers": """
SELECT f.customer_id, cu.region,
       SUM(f.amount) AS sales, COUNT(*) AS n_orders
FROM fact_orders AS f
JOIN dim_customer AS cu ON cu.customer_id = f.customer_id
GROUP BY f.customer_id, cu.region
ORDER BY sales DESC, f.customer_id
FETCH FIRST 10 ROWS ONLY
""",
    "top_customer_by_region": """
SELECT region, customer_id, sales, rank_in_region
FROM (
    SELECT cu.region, f.customer_id, SUM(f.amount) AS sales,
           RANK() OVER (PARTITION BY cu.region ORDER BY SUM(f.amount) DESC) AS rank_in_region
    FROM fact_orders AS f
    JOIN dim_customer AS cu ON cu.customer_id = f.customer_id
    GROUP BY cu.region, f.customer_id
) AS ranked
WHERE rank_in_region = 1
ORDER BY region
""",
}

#: the same kind of work with DuckDB's own shortcuts (not portable as written)
DUCKDB_ONLY: dict[str, str] = {
    "read_csv": "SELECT channel, COUNT(*) AS n_orders FROM read_csv('{path}') GROUP BY ALL ORDER BY n_orders DESC",
    "qualify": """
SELECT cu.region, f.customer_id, SUM(f.amount) AS sales
FROM fact_orders AS f JOIN dim_customer AS cu USING (customer_id)
GROUP BY cu.region, f.customer_id
QUALIFY RANK() OVER (PARTITION BY cu.region ORDER BY SUM(f.amount) DESC) = 1
ORDER BY cu.region
""",
}
