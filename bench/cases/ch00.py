"""Chapter 00: one update of the sales explorer widget (table lookup + redraw), as in the notebook."""

import matplotlib.pyplot as plt

from crmlab import datasets, sales


def _setup():
    orders = datasets.load_orders()
    customers = datasets.load_customers()[["customer_id", "region", "age_band"]]
    fig, ax = plt.subplots(layout="none")
    fig.subplots_adjust(left=0.12, right=0.98, top=0.91, bottom=0.12)
    data = orders.merge(customers, on="customer_id", how="left")
    # the notebook computes the 12 tables once, when the explorer opens
    tables = {(by, metric): sales.monthly_sales(data, by=by, metric=metric)
              for by in ("channel", "region", "age_band") for metric in sales.METRICS}
    return tables, fig, ax


def _update(state, by="region", metric="amount"):
    tables, fig, ax = state
    table = tables[(by, metric)]
    ax.clear()
    sales.plot_monthly_sales(table, metric=metric, ax=ax)
    fig.canvas.draw()


CASES = [
    ("explorateur des ventes mensuelles (région, CA)", _setup, _update, 0.15),
    ("explorateur des ventes mensuelles (canal, clients actifs)", _setup,
     lambda s: _update(s, by="channel", metric="customers"), 0.15),
]
