"""Chapter 00: one update of the sales explorer widget (compute + draw)."""

import matplotlib.pyplot as plt

from crmlab import datasets, sales


def _setup():
    orders = datasets.load_orders()
    customers = datasets.load_customers()[["customer_id", "region", "age_band"]]
    return orders.merge(customers, on="customer_id", how="left")


def _update(data, by="region", metric="amount"):
    table = sales.monthly_sales(data, by=by, metric=metric)
    fig, ax = plt.subplots()
    sales.plot_monthly_sales(table, metric=metric, ax=ax)
    fig.canvas.draw()
    plt.close(fig)


CASES = [
    ("explorateur des ventes mensuelles (région, CA)", _setup, _update, 0.15),
    ("explorateur des ventes mensuelles (canal, clients actifs)", _setup,
     lambda d: _update(d, by="channel", metric="customers"), 0.15),
]
