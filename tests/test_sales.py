"""Monthly sales: known values, empty months, bad input."""

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import sales  # noqa: E402
from crmlab.validation import InvalidDateError, MissingColumnError, NegativeValueError  # noqa: E402


@pytest.fixture()
def orders():
    return pd.DataFrame({
        "order_date": ["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-09"],
        "channel": ["magasin", "site web", "magasin", "magasin"],
        "customer_id": ["C1", "C2", "C1", "C1"],
        "amount": [10.0, 5.0, 7.0, 3.0],
        "gross_margin": [4.0, 2.0, 3.0, -1.0],
    })


def test_sums_by_channel_with_empty_month_as_zero(orders):
    t = sales.monthly_sales(orders, by="channel")
    assert list(t.index.strftime("%Y-%m")) == ["2024-01", "2024-02", "2024-03"]
    assert t["magasin"].tolist() == [10.0, 0.0, 10.0]
    assert t["site web"].tolist() == [5.0, 0.0, 0.0]


def test_other_metrics(orders):
    assert sales.monthly_sales(orders, metric="orders")["total"].tolist() == [2, 0, 2]
    assert sales.monthly_sales(orders, metric="customers")["total"].tolist() == [2, 0, 1]
    assert sales.monthly_sales(orders, metric="gross_margin")["total"].tolist() == [6.0, 0.0, 2.0]


def test_bad_input_in_french(orders):
    with pytest.raises(MissingColumnError, match="'channel'"):
        sales.monthly_sales(orders.drop(columns="channel"), by="channel")
    bad = orders.assign(order_date=["2024-01-05", "31/01/2024", "2024-03-02", "2024-03-09"])
    with pytest.raises(InvalidDateError, match="31/01/2024"):
        sales.monthly_sales(bad)
    with pytest.raises(NegativeValueError, match="-2"):
        sales.monthly_sales(orders.assign(amount=[1.0, -2.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match="indicateur inconnu"):
        sales.monthly_sales(orders, metric="profit")


def test_plot_returns_axes_with_french_labels(orders):
    ax = sales.plot_monthly_sales(sales.monthly_sales(orders, by="channel"))
    assert ax.get_ylabel() == "Chiffre d'affaires (€)"
    assert "par mois" in ax.get_title()
    assert len(ax.get_lines()) == 2
