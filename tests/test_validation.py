"""The shared guards give French messages naming the column, the value and the row."""

import pandas as pd
import pytest

from crmlab import validation as v


def test_missing_column_names_column_table_and_present_ones():
    df = pd.DataFrame({"customer_id": [1], "amount": [3.0]})
    with pytest.raises(v.MissingColumnError, match=r"la colonne 'order_date' est absente de la table « orders »") as err:
        v.require_columns(df, ["customer_id", "order_date"], table="orders")
    assert "customer_id, amount" in str(err.value)
    assert isinstance(err.value, KeyError)  # ordinary `except KeyError` works
    assert not str(err.value).startswith("'")  # not KeyError's quoted repr


def test_empty_table_is_refused():
    with pytest.raises(v.EmptyTableError, match="est vide"):
        v.require_nonempty(pd.DataFrame({"a": []}), "orders")


def test_negative_amount_names_value_and_row():
    df = pd.DataFrame({"amount": [10.0, -4.5, 3.0]}, index=[7, 8, 9])
    with pytest.raises(v.NegativeValueError, match=r"-4\.5, ligne 1, index 8"):
        v.require_non_negative(df, "amount", "orders")


def test_non_numeric_column_names_a_bad_value():
    df = pd.DataFrame({"amount": ["12", "douze"]})
    with pytest.raises(v.InvalidValueError, match="'douze'"):
        v.require_numeric(df, "amount", "orders")


def test_unparsable_date_names_first_bad_value_and_row():
    df = pd.DataFrame({"order_date": ["2024-01-03", "2024-02-30", "hier"]})
    with pytest.raises(v.InvalidDateError, match=r"'2024-02-30' \(ligne 1\)"):
        v.parse_dates(df, "order_date", "orders")


def test_dates_are_parsed_and_missing_stay_nat():
    df = pd.DataFrame({"d": ["2024-01-03", None, ""]})
    out = v.parse_dates(df, "d", "t")
    assert out.iloc[0] == pd.Timestamp("2024-01-03")
    assert out.iloc[1:].isna().all()


def test_not_a_dataframe():
    with pytest.raises(v.InvalidValueError, match="pas un objet de type list"):
        v.require_columns([1, 2], ["a"], "orders")


def test_check_table_returns_parsed_copy_and_leaves_input_unchanged():
    df = pd.DataFrame({"d": ["2024-05-01"], "amount": [5]})
    out = v.check_table(df, "orders", columns=["amount"], dates=["d"], non_negative=["amount"])
    assert str(out["d"].dtype).startswith("datetime64")
    assert df["d"].dtype == object or str(df["d"].dtype).startswith("str")
