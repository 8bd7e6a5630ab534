"""Customer profitability: cost to serve, direct profit, whale curve.

Activity-based allocation (Mayol): each cost pool of the company is divided by
the total volume of its driver (orders, home deliveries, returns, service
contacts…) to give a unit rate; a customer's cost to serve is the sum of their
driver volumes times the rates. Direct and indirect pools are allocated, common
costs (head office…) are not: no driver links them to a customer.

    commercial margin − cost to serve = direct profit per customer

>>> import pandas as pd
>>> pools = pd.DataFrame({"activity": ["picking"], "cost_pool_eur": [30.0],
...                       "driver": ["n_orders"], "kind": ["direct"]})
>>> volumes = pd.DataFrame({"customer_id": ["A", "B"], "n_orders": [1, 2]})
>>> allocate_costs(volumes, pools)["cost_to_serve"].tolist()
[10.0, 20.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import fmt_eur
from .validation import (
    InvalidValueError,
    check_table,
    require_columns,
    require_non_negative,
    require_numeric,
)

__all__ = [
    "KINDS",
    "activity_rates",
    "allocate_costs",
    "direct_profit",
    "cost_per_order",
    "whale_curve",
    "whale_summary",
    "plot_whale_curve",
    "apply_scenario",
]

KINDS = ("direct", "indirect", "commun")


def activity_rates(
    activity_costs: pd.DataFrame,
    cost_to_serve: pd.DataFrame,
    *,
    activity: str = "activity",
    pool: str = "cost_pool_eur",
    driver: str = "driver",
    kind: str = "kind",
) -> pd.DataFrame:
    """Unit cost of each activity: its pool divided by the total volume of its driver.

    Returns one row per activity (index ``activity``) with the other columns of
    ``activity_costs`` plus ``driver_volume``, ``rate_eur`` and ``allocated``
    (False and NaN rate for the ``commun`` pools, which are not allocated).

    >>> pools = pd.DataFrame({"activity": ["picking", "siege"], "cost_pool_eur": [30.0, 99.0],
    ...                       "driver": ["n_orders", None], "kind": ["direct", "commun"]})
    >>> activity_rates(pools, pd.DataFrame({"n_orders": [1, 2]}))["rate_eur"].tolist()
    [10.0, nan]
    """
    costs = check_table(activity_costs, "activity_costs", [activity, driver, kind], non_negative=[pool])
    volumes = check_table(cost_to_serve, "cost_to_serve")
    bad = ~costs[kind].isin(KINDS)
    if bad.any():
        raise InvalidValueError(
            f"la colonne '{kind}' de la table « activity_costs » contient la valeur "
            f"{costs.loc[bad, kind].iloc[0]!r} ; valeurs admises : {', '.join(KINDS)}."
        )
    allocated = (costs[kind] != "commun").to_numpy()
    drivers = costs.loc[allocated, driver]
    if drivers.isna().any():
        name = costs.loc[allocated & costs[driver].isna().to_numpy(), activity].iloc[0]
        raise InvalidValueError(
            f"l'activité {name!r} est de type direct ou indirect mais n'a pas d'inducteur "
            f"(colonne '{driver}' vide) : impossible de la répartir entre les clients."
        )
    require_columns(volumes, list(dict.fromkeys(drivers)), "cost_to_serve")
    for col in dict.fromkeys(drivers):
        require_non_negative(volumes, col, "cost_to_serve")
    out = costs.set_index(activity)
    out["driver_volume"] = np.nan
    out.loc[allocated, "driver_volume"] = volumes[drivers.tolist()].sum().to_numpy(dtype=float)
    empty = allocated & (out["driver_volume"].to_numpy() == 0)
    if empty.any():
        name = out.index[empty][0]
        raise InvalidValueError(
            f"l'inducteur de l'activité {name!r} vaut 0 pour tous les clients : "
            "le coût de cette activité ne peut pas être réparti (division par zéro)."
        )
    out["rate_eur"] = out[pool] / out["driver_volume"]
    out["allocated"] = allocated
    return out


def allocate_costs(
    cost_to_serve: pd.DataFrame,
    activity_costs: pd.DataFrame,
    *,
    customer: str = "customer_id",
    activity: str = "activity",
    pool: str = "cost_pool_eur",
    driver: str = "driver",
    kind: str = "kind",
) -> pd.DataFrame:
    """Cost to serve of each customer, activity by activity (euros).

    Returns one row per customer (index ``customer``): one column per allocated
    activity, then ``direct_cost``, ``indirect_cost`` and ``cost_to_serve`` (their
    sum). Common costs are left out. The columns add up to the allocated pools.

    >>> pools = pd.DataFrame({"activity": ["picking"], "cost_pool_eur": [30.0],
    ...                       "driver": ["n_orders"], "kind": ["direct"]})
    >>> allocate_costs(pd.DataFrame({"customer_id": ["A", "B"], "n_orders": [1, 2]}), pools).loc["B", "picking"]
    np.float64(20.0)
    """
    require_columns(cost_to_serve, [customer], "cost_to_serve")
    rates = activity_rates(activity_costs, cost_to_serve, activity=activity, pool=pool,
                           driver=driver, kind=kind)
    rates = rates[rates["allocated"]]
    volumes = cost_to_serve[rates[driver].tolist()].to_numpy(dtype=float)
    per_activity = volumes * rates["rate_eur"].to_numpy()
    out = pd.DataFrame(per_activity, columns=rates.index.tolist(),
                       index=pd.Index(cost_to_serve[customer], name=customer))
    kinds = rates[kind].to_numpy()
    out["direct_cost"] = per_activity[:, kinds == "direct"].sum(axis=1)
    out["indirect_cost"] = per_activity[:, kinds == "indirect"].sum(axis=1)
    out["cost_to_serve"] = out["direct_cost"] + out["indirect_cost"]
    return out


def direct_profit(
    orders: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    customer: str = "customer_id",
    margin: str = "gross_margin",
    cost: str = "cost_to_serve",
) -> pd.DataFrame:
    """Commercial margin minus cost to serve, per customer (Mayol's « profit direct »).

    ``orders`` has one row per order (margins are summed per customer); ``costs``
    is the output of :func:`allocate_costs` (indexed by customer). A customer
    found in only one of the two tables gets 0 for what is missing.

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "gross_margin": [30.0, 20.0, 5.0]})
    >>> costs = pd.DataFrame({"cost_to_serve": [10.0, 15.0]}, index=pd.Index(["A", "B"], name="customer_id"))
    >>> direct_profit(orders, costs)["direct_profit"].tolist()
    [40.0, -10.0]
    """
    orders = check_table(orders, "orders", [customer, margin])
    require_numeric(orders, margin, "orders")
    require_columns(costs, [cost], "coûts par client")
    margins = orders.groupby(customer, sort=True)[margin].sum().rename("gross_margin")
    keep = [c for c in ("direct_cost", "indirect_cost") if c in costs.columns] + [cost]
    out = pd.concat([margins, costs[keep]], axis=1).fillna(0.0)
    out.index.name = customer
    out = out.rename(columns={cost: "cost_to_serve"})
    out["direct_profit"] = out["gross_margin"] - out["cost_to_serve"]
    return out.sort_index()


def cost_per_order(
    costs: pd.DataFrame,
    volumes: pd.DataFrame,
    *,
    customer: str = "customer_id",
    orders: str = "n_orders",
    cost: str = "cost_to_serve",
) -> pd.Series:
    """Cost to serve per order of each customer: their cost to serve / their number of orders.

    ``costs`` is the output of :func:`allocate_costs` (indexed by customer), ``volumes``
    the ``cost_to_serve`` table (a ``customer`` column and the ``orders`` count). All
    the allocated costs of a customer (deliveries, returns, contacts, catalogues…) are
    spread over their orders: the cost that comes with an order of that customer, used
    to value expected orders at their contribution (:func:`crmlab.btyd.expected_contribution`,
    docs/conventions.md). A customer without an order gets the base's average
    (total cost / total orders). Returns a Series indexed by customer.

    >>> costs = pd.DataFrame({"cost_to_serve": [30.0, 5.0, 0.0]},
    ...                      index=pd.Index(["A", "B", "C"], name="customer_id"))
    >>> volumes = pd.DataFrame({"customer_id": ["A", "B", "C"], "n_orders": [3, 1, 0]})
    >>> cost_per_order(costs, volumes).tolist()   # 30/3, 5/1, (30 + 5)/(3 + 1)
    [10.0, 5.0, 8.75]
    """
    require_columns(costs, [cost], "coûts par client")
    table = check_table(volumes, "cost_to_serve", [customer, orders], non_negative=[orders])
    n = table.set_index(customer)[orders].astype(float)
    c = costs[cost].astype(float)
    missing = c.index.difference(n.index)
    if len(missing):
        raise InvalidValueError(
            f"le client {missing[0]!r} a un coût de service mais aucune ligne dans la table "
            f"« cost_to_serve » (colonne '{orders}') : vérifiez que les deux tables portent les mêmes clients."
        )
    n = n.reindex(c.index)
    if n.sum() <= 0:
        raise InvalidValueError(f"aucune commande dans la colonne '{orders}' : pas de coût par commande à calculer.")
    average = c.sum() / n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n.to_numpy() > 0, c.to_numpy() / n.to_numpy(), average)
    return pd.Series(out, index=c.index, name="cost_per_order")


def whale_curve(data: pd.DataFrame | pd.Series, profit: str = "direct_profit") -> pd.DataFrame:
    """Cumulative profit against customers ranked from the most to the least profitable.

    Returns one row per customer, in rank order: ``rank`` (1 = most profitable),
    ``customer_share`` (rank / n), ``profit``, ``cumulative_profit`` and
    ``cumulative_share`` (cumulative profit / total profit; above 1 when the
    losses of the last customers eat part of what the first ones bring). Ties
    keep the order of the index, so the curve is reproducible.

    >>> whale_curve(pd.Series([50.0, 30.0, -10.0, 20.0, -40.0]))["cumulative_share"].tolist()
    [1.0, 1.6, 2.0, 1.8, 1.0]
    """
    values = _profit_series(data, profit)
    total = float(values.sum())
    if total <= 0:
        raise InvalidValueError(
            f"le profit total vaut {fmt_eur(total)} : la courbe « baleine » exprime chaque point "
            "en % du profit total, ce qui n'a de sens que si ce total est positif."
        )
    ranked = values.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    n = len(ranked)
    cumulative = ranked.cumsum()
    return pd.DataFrame({
        "rank": np.arange(1, n + 1),
        "customer_share": np.arange(1, n + 1) / n,
        "profit": ranked.to_numpy(dtype=float),
        "cumulative_profit": cumulative.to_numpy(dtype=float),
        "cumulative_share": cumulative.to_numpy(dtype=float) / total,
    }, index=ranked.index)


def whale_summary(data: pd.DataFrame | pd.Series, profit: str = "direct_profit",
                  top: float = 0.2) -> pd.Series:
    """Key figures of the whale curve, as a Series.

    ``peak_share`` (height of the peak, in share of total profit),
    ``peak_customer_share`` (share of customers at the peak), ``n_unprofitable``
    and ``unprofitable_share`` (profit < 0), ``unprofitable_loss`` (their summed
    profit, ≤ 0), ``top_share`` (share of profit made by the best ``top`` of
    customers, interpolated between ranks) and ``total_profit``.

    >>> whale_summary(pd.Series([50.0, 30.0, -10.0, 20.0, -40.0]))["peak_share"]
    np.float64(2.0)
    """
    if not 0 < top <= 1:
        raise InvalidValueError(f"top doit être une part de clients entre 0 et 1 (reçu : {top!r}).")
    curve = whale_curve(data, profit)
    peak = int(np.argmax(curve["cumulative_share"].to_numpy()))
    negative = curve["profit"] < 0
    x = np.concatenate([[0.0], curve["customer_share"].to_numpy()])
    y = np.concatenate([[0.0], curve["cumulative_share"].to_numpy()])
    return pd.Series({
        "n_customers": float(len(curve)),
        "total_profit": float(curve["profit"].sum()),
        "peak_share": float(curve["cumulative_share"].iloc[peak]),
        "peak_customer_share": float(curve["customer_share"].iloc[peak]),
        "n_unprofitable": float(negative.sum()),
        "unprofitable_share": float(negative.mean()),
        "unprofitable_loss": float(curve.loc[negative, "profit"].sum()),
        "top_share": float(np.interp(top, x, y)),
    })


def plot_whale_curve(
    data: pd.DataFrame | pd.Series,
    profit: str = "direct_profit",
    *,
    band: tuple[float, float] | None = (1.5, 3.0),
    ax=None,
):
    """Draw the whale curve (x: share of customers, y: cumulative share of profit).

    The peak is marked and, if ``band`` is given, the range quoted by Selden
    (top customers = 150–300 % of profit) is shaded for comparison. Returns the Axes.

    >>> ax = plot_whale_curve(pd.Series([50.0, 30.0, -10.0, 20.0, -40.0]))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    from .style import COLORS, fmt_pct, format_axis

    curve = whale_curve(data, profit)
    summary = whale_summary(data, profit)
    if ax is None:
        _, ax = plt.subplots()
    x = np.concatenate([[0.0], curve["customer_share"].to_numpy()])
    y = np.concatenate([[0.0], curve["cumulative_share"].to_numpy()])
    if band is not None:
        ax.axhspan(band[0], band[1], color=COLORS["neutral"], alpha=0.12, lw=0,
                   label=f"Fourchette citée par Selden ({fmt_pct(band[0], 0)} – {fmt_pct(band[1], 0)})")
    ax.axhline(1.0, color=COLORS["neutral"], lw=1, ls="--")
    px, py = summary["peak_customer_share"], summary["peak_share"]
    ax.axvspan(px, 1.0, color=COLORS["bad"], alpha=0.08, lw=0, label="Clients non rentables")
    ax.plot(x, y, color=COLORS["primary"], label="Profit cumulé")
    ax.plot([px], [py], "o", color=COLORS["accent"], ms=9, zorder=3)
    ax.annotate(f"Sommet : {fmt_pct(py, 0)} du profit\navec {fmt_pct(px, 0)} des clients",
                xy=(px, py), xytext=(-20, 28), textcoords="offset points", ha="right", va="bottom",
                arrowprops={"arrowstyle": "->", "color": COLORS["neutral"]})
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(py * 1.25, band[1] * 1.05 if band else 0, 1.1))
    ax.set_xlabel("Part cumulée des clients, du plus au moins rentable")
    ax.set_ylabel("Profit direct cumulé (% du total)")
    ax.set_title("Courbe « baleine » : profit cumulé par client")
    ax.legend(loc="lower right")
    format_axis(ax, x="pct", y="pct")
    return ax


def apply_scenario(
    data: pd.DataFrame,
    target: pd.Series | np.ndarray,
    *,
    revenue: float | pd.Series = 0.0,
    saving: float | pd.Series = 0.0,
    churn: float = 0.0,
    stranded: float = 0.0,
    profit: str = "direct_profit",
    fixed: str = "indirect_cost",
) -> pd.Series:
    """Total direct profit before and after an action aimed at the ``target`` customers.

    For each targeted customer, the action brings ``revenue`` (e.g. a fee) and
    saves ``saving`` (e.g. a lighter service level), per customer, euros; but a
    share ``churn`` of them leaves. A customer who leaves takes away their
    margin and their costs, except a share ``stranded`` of their column
    ``fixed`` (by default the indirect cost), which stays with the company:
    fixed costs do not vanish with the customer. Ending the relationship is
    ``churn=1``.

    >>> d = pd.DataFrame({"direct_profit": [100.0, -20.0], "indirect_cost": [10.0, 30.0]})
    >>> apply_scenario(d, d["direct_profit"] < 0, churn=1.0, stranded=0.5)["change"]
    np.float64(5.0)
    """
    require_columns(data, [profit] + ([fixed] if stranded else []), "profits par client")
    for name, value in (("churn", churn), ("stranded", stranded)):
        if not 0 <= value <= 1:
            raise InvalidValueError(f"{name} doit être une part entre 0 et 1 (reçu : {value!r}).")
    mask = _per_customer(target, data, "la cible", bool)
    base = data[profit].to_numpy(dtype=float)
    rev = _per_customer(revenue, data, "revenue", float)
    sav = _per_customer(saving, data, "saving", float)
    kept = np.zeros_like(base) if not stranded else data[fixed].to_numpy(dtype=float)
    after_target = (1 - churn) * (base + rev + sav) - churn * stranded * kept
    after = np.where(mask, after_target, base)
    before_total, after_total = float(base.sum()), float(after.sum())
    return pd.Series({
        "n_targeted": float(mask.sum()),
        "profit_before": before_total,
        "profit_after": after_total,
        "change": after_total - before_total,
    })


def _per_customer(value, data: pd.DataFrame, name: str, dtype) -> np.ndarray:
    """One value per row of ``data``: a Series is aligned on the index, a scalar broadcast."""
    if isinstance(value, pd.Series):
        missing = data.index.difference(value.index)
        if len(missing):
            raise InvalidValueError(f"{name} n'a pas de valeur pour le client {missing[0]!r} : "
                                    "donnez une valeur par client (même index que la table des profits).")
        return value.reindex(data.index).to_numpy(dtype=dtype)
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        return np.full(len(data), arr, dtype=dtype)
    if arr.shape != (len(data),):
        raise InvalidValueError(f"{name} doit avoir une valeur par client ({len(data)} attendues, "
                                f"{arr.size} reçues).")
    return arr


def _profit_series(data: pd.DataFrame | pd.Series, profit: str) -> pd.Series:
    if isinstance(data, pd.Series):
        values = data
        name = data.name or profit
    else:
        require_numeric(data, profit, "profits par client")
        values = data[profit]
        name = profit
    if len(values) == 0:
        raise InvalidValueError("la table des profits est vide : aucun client à classer.")
    if values.isna().any():
        raise InvalidValueError(f"la colonne '{name}' contient des valeurs manquantes (NaN) : "
                                "complétez-les (par 0 ?) avant de tracer la courbe.")
    return values.astype(float)
