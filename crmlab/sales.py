"""Sales over time: the first computation of the course, reused by later chapters.

>>> import pandas as pd
>>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-02"]),
...                        "channel": ["magasin", "site web", "magasin"], "amount": [10.0, 5.0, 7.0]})
>>> monthly_sales(orders, by="channel").to_dict("list")["magasin"]
[10.0, 7.0]
"""

from __future__ import annotations

import pandas as pd

from .validation import InvalidValueError, check_table

# French labels of the columns a student may split sales by (legend titles).
BY_LABELS = {"channel": "Canal", "region": "Région", "age_band": "Tranche d'âge",
             "acquisition_channel": "Canal d'acquisition", "category": "Catégorie"}

METRICS = {
    "amount": "Chiffre d'affaires (€)",
    "gross_margin": "Marge brute (€)",
    "orders": "Nombre de commandes",
    "customers": "Nombre de clients actifs",
}


def monthly_sales(
    orders: pd.DataFrame,
    by: str | None = None,
    metric: str = "amount",
    date_col: str = "order_date",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """One row per month (month start), one column per value of ``by`` (or ``total``).

    ``metric`` is ``"amount"`` or ``"gross_margin"`` (sums), ``"orders"`` (count of
    rows) or ``"customers"`` (distinct customers). Months without sales are 0.
    """
    if metric not in METRICS:
        raise InvalidValueError(f"indicateur inconnu : {metric!r} (choisir parmi {', '.join(METRICS)}).")
    needed = [date_col] + ([by] if by else []) + ([metric] if metric in {"amount", "gross_margin"} else [])
    needed += [customer_col] if metric == "customers" else []
    data = check_table(orders, "orders", columns=needed, dates=[date_col],
                       non_negative=[metric] if metric == "amount" else [])
    month = data[date_col].dt.to_period("M").dt.to_timestamp()
    keys = [month] + ([data[by]] if by else [])
    grouped = data.groupby(keys, observed=True)
    if metric == "orders":
        values = grouped.size()
    elif metric == "customers":
        values = grouped[customer_col].nunique()
    else:
        values = grouped[metric].sum()
    table = values.unstack(fill_value=0) if by else values.to_frame("total")
    full = pd.date_range(month.min(), month.max(), freq="MS")
    table = table.reindex(full, fill_value=0)
    table.index.name = "month"
    table.columns = [str(c) for c in table.columns]
    table.columns.name = by
    return table.astype(float)


def plot_monthly_sales(table: pd.DataFrame, metric: str = "amount", title: str | None = None, ax=None):
    """Lines of a ``monthly_sales`` table, French labels and formats; returns the Axes.

    ``title=None`` gives the default title (« Chiffre d'affaires par mois »…), ``""`` none.
    """
    import matplotlib.pyplot as plt

    from . import style

    if ax is None:
        _, ax = plt.subplots()
    for i, col in enumerate(table.columns):
        ax.plot(table.index, table[col], label=col, color=style.PALETTE[i % len(style.PALETTE)])
    label = METRICS.get(metric, metric)
    ax.set_title(f"{label.split(' (')[0]} par mois" if title is None else title)  # "" = no title
    ax.set_xlabel("Mois")
    ax.set_ylabel(METRICS.get(metric, metric))
    style.format_axis(ax, y="keur" if metric in {"amount", "gross_margin"} else "num")
    style.month_axis(ax)
    ax.set_ylim(bottom=0)
    if table.shape[1] > 1:
        name = table.columns.name
        ax.legend(title=BY_LABELS.get(name, name) if name else None, loc="upper left")
    return ax
