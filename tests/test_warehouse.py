"""crmlab.warehouse: the DuckDB star schema and its queries, checked against pandas."""

import pandas as pd
import pytest

from crmlab import warehouse
from crmlab.validation import InvalidValueError, MissingColumnError


@pytest.fixture
def tiny():
    """Three customers, five orders: values small enough to sum on paper."""
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3"], "region": ["Bretagne", "Bretagne", "Occitanie"],
        "age_band": ["25-34", "65+", "45-54"],
        "acquisition_date": ["2024-01-05", "2024-02-01", "2024-03-10"],
        "acquisition_channel": ["magasin", "site web", "magasin"], "loyalty_member": [1, 0, 1],
        "loyalty_tier": ["or", None, "bronze"], "consent_email": [1, 0, 1],
        "email": ["a@x.fr", "b@x.fr", "c@x.fr"],
    })
    orders = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5"],
        "customer_id": ["C1", "C1", "C2", "C3", "C3"],
        "order_date": ["2024-01-05", "2024-02-10", "2024-02-01", "2024-03-10", "2024-03-20"],
        "channel": ["magasin", "site web", "site web", "magasin", "magasin"],
        "amount": [100.0, 40.0, 60.0, 30.0, 20.0], "gross_margin": [40.0, 10.0, 20.0, 9.0, 6.0],
        "n_items": [3, 1, 2, 1, 1],
    })
    return customers, orders


@pytest.fixture
def con(tiny):
    return warehouse.build_star_schema(warehouse.connect(), *tiny)


def test_star_schema_has_one_fact_and_three_dimensions(con):
    summary = warehouse.schema_summary(con).set_index("table")
    assert summary.loc["fact_orders", "n_rows"] == 5
    assert summary.loc["dim_customer", "n_rows"] == 3
    assert summary.loc["dim_date", "n_rows"] == 366  # 2024 is a leap year
    assert summary.loc["dim_channel", "n_rows"] == 2
    assert (summary["role"] == "fait").sum() == 1


def test_customer_dimension_carries_no_direct_identifier(con):
    cols = warehouse.sql(con, "SELECT * FROM dim_customer").columns
    assert not {"email", "phone", "first_name", "last_name"} & set(cols)


def test_sales_by_channel_month_by_hand(con):
    out = warehouse.sql(con, warehouse.QUERIES["sales_by_channel_month"])
    got = {(r.month, r.channel): r.sales for r in out.itertuples()}
    assert got == {(1, "magasin"): 100.0, (2, "site web"): 100.0, (3, "magasin"): 50.0}


def test_customers_by_status_by_hand(con):
    out = warehouse.sql(con, warehouse.QUERIES["customers_by_status"]).set_index("loyalty_status")
    assert out["n_customers"].to_dict() == {"or": 1, "non membre": 1, "bronze": 1}
    assert out.loc["or", "sales_per_customer"] == 140.0


def test_top_customers_and_window_rank_by_hand(con):
    top = warehouse.sql(con, warehouse.QUERIES["top_customers"])
    assert top["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert top["sales"].tolist() == [140.0, 60.0, 50.0]
    best = warehouse.sql(con, warehouse.QUERIES["top_customer_by_region"])
    assert best[["region", "customer_id"]].values.tolist() == [["Bretagne", "C1"], ["Occitanie", "C3"]]
    qualify = warehouse.sql(con, warehouse.DUCKDB_ONLY["qualify"])
    assert qualify["customer_id"].tolist() == best["customer_id"].tolist()


def test_sql_and_pandas_give_identical_results(tiny, con):
    customers, orders = tiny
    o = orders.assign(order_date=pd.to_datetime(orders["order_date"]))
    expected = (o.assign(year=o["order_date"].dt.year, month=o["order_date"].dt.month)
                .groupby(["year", "month", "channel"], as_index=False)
                .agg(sales=("amount", "sum"), n_orders=("order_id", "size")))
    got = warehouse.sql(con, warehouse.QUERIES["sales_by_channel_month"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_orders_of_unknown_customers_are_refused_in_french(tiny):
    customers, orders = tiny
    bad = pd.concat([orders, orders.head(1).assign(order_id="O9", customer_id="C99")])
    with pytest.raises(InvalidValueError, match="customer_id absent"):
        warehouse.build_star_schema(warehouse.connect(), customers, bad)


def test_missing_columns_and_bad_sql_get_french_messages(tiny):
    customers, orders = tiny
    with pytest.raises(MissingColumnError, match="'amount' est absente"):
        warehouse.build_star_schema(warehouse.connect(), customers, orders.drop(columns="amount"))
    with pytest.raises(InvalidValueError, match="la requête SQL a échoué"):
        warehouse.sql(warehouse.connect(), "SELECT * FROM table_qui_n_existe_pas")
    with pytest.raises(InvalidValueError, match="requête SQL est vide"):
        warehouse.sql(warehouse.connect(), "   ")


def test_sql_and_pandas_agree_on_the_company_data():
    from crmlab import datasets

    customers, orders = datasets.load_customers(), datasets.load_orders()
    con = warehouse.build_star_schema(warehouse.connect(), customers, orders)
    got = warehouse.sql(con, warehouse.QUERIES["sales_by_channel_month"])
    expected = (orders.assign(year=orders["order_date"].dt.year, month=orders["order_date"].dt.month,
                              channel=orders["channel"].astype(str))
                .groupby(["year", "month", "channel"], as_index=False)
                .agg(sales=("amount", "sum"), n_orders=("order_id", "size"))
                .sort_values(["year", "month", "channel"], ignore_index=True))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    status = warehouse.sql(con, warehouse.QUERIES["customers_by_status"]).set_index("loyalty_status")
    tiers = customers["loyalty_tier"].astype(str).where(customers["loyalty_tier"].notna(), "non membre")
    assert status["n_customers"].to_dict() == tiers.value_counts().to_dict()


def test_duckdb_reads_a_csv_file_directly(tmp_path):
    path = tmp_path / "orders.csv"
    pd.DataFrame({"channel": ["magasin", "site web", "magasin"], "amount": [10.0, 20.0, 5.0]}).to_csv(path, index=False)
    out = warehouse.sql(warehouse.connect(), warehouse.DUCKDB_ONLY["read_csv"].format(path=path.as_posix()))
    assert out.set_index("channel")["n_orders"].to_dict() == {"magasin": 2, "site web": 1}


def test_connect_registers_dataframes_as_tables():
    con = warehouse.connect({"clients": pd.DataFrame({"customer_id": ["C1", "C2", "C3"]})})
    assert warehouse.sql(con, "SELECT COUNT(*) AS n FROM clients")["n"].item() == 3
    assert warehouse.schema_summary(con).empty  # no fact_ / dim_ table yet
