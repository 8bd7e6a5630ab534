"""Simple customer lifetime value (CLV), residual value and customer equity (« capital client »).

A customer brings a margin ``m`` per period (a year) while they stay; each period
they stay with probability ``r`` (retention); a euro of period ``t`` is worth
``1 / (1 + d) ** t`` today. Which margins are counted, and when, is the *timing*
(docs/conventions.md, section 4; Fader & Hardie, 2012, « Reconciling and Clarifying
CLV Formulas »), the ``first_margin`` argument of :func:`clv`:

- ``first_margin="end"`` — **the course's convention** (:data:`FIRST_MARGIN`): a new
  customer, every margin booked at the end of the period it is earned in, the first
  one a period after the acquisition:
  ``sum over t = 1..T of m r**(t-1) / (1+d)**t  →  m / (1 + d − r)``;
- ``first_margin="now"``: a new customer whose first margin falls at the acquisition,
  not discounted: ``sum over t = 0..T-1 of m r**t / (1+d)**t  →  m (1 + d) / (1 + d − r)``;
- ``first_margin=None`` (the default of :func:`clv`, :func:`residual_value`): no first
  margin — the residual value of a current customer whose margin of the period just
  ended is booked: ``sum over t = 1..T of m r**t / (1+d)**t  →  m r / (1 + d − r)``
  (Gupta & Lehmann, 2003).

``horizon`` is always the number of margins counted (``None``: infinite). Every
function here is vectorised: margins, retentions and discount rates may be arrays
(one value per customer or per segment) and broadcast together.

>>> round(float(clv(100, 0.8, 0.1)), 2)                      # a current customer
266.67
>>> round(float(clv(100, 0.8, 0.1, first_margin="end")), 2)  # a new customer (course)
333.33
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .validation import InvalidValueError, check_table, require_number

__all__ = [
    "DISCOUNT_RATE",
    "FIRST_MARGIN",
    "TIMINGS",
    "clv",
    "residual_value",
    "period_rate",
    "clv_table",
    "breakeven_retention",
    "retention_rate",
    "reliability_score",
    "weight_by_reliability",
    "customer_equity",
    "clv_sensitivity_figure",
    "clv_widget",
]


DISCOUNT_RATE = 0.10
"""The course's annual discount rate (docs/conventions.md, section 5)."""

FIRST_MARGIN = "end"
"""The course's timing for a new customer (docs/conventions.md, section 4): first margin a period later."""

TIMINGS = ("end", "now", None)
"""The values of ``first_margin``: end of the first period, at the acquisition, none (residual value)."""

_UNSET = object()


def _timing(first_margin, include_first_year) -> str | None:
    """``first_margin`` checked, with the old ``include_first_year=True`` read as ``"now"``."""
    if include_first_year not in (None, False, True):
        raise InvalidValueError(f"`include_first_year` vaut True ou False (reçu : {include_first_year!r}).")
    if first_margin is _UNSET:
        return "now" if include_first_year else None
    if first_margin not in TIMINGS:
        raise InvalidValueError(
            f"`first_margin` vaut \"end\" (première marge un an après le recrutement, actualisée : la "
            f"convention du cours), \"now\" (première marge au recrutement, non actualisée) ou None "
            f"(pas de première marge : valeur résiduelle d'un client actuel) ; reçu : {first_margin!r}."
        )
    if include_first_year and first_margin != "now":
        raise InvalidValueError(
            f"`include_first_year=True` est l'ancien nom de first_margin=\"now\" : il contredit "
            f"first_margin={first_margin!r}. Ne donnez que `first_margin`."
        )
    return first_margin


def _as_array(value, name: str) -> np.ndarray:
    return require_number(value, name)


def _check_inputs(margin, retention, discount, horizon):
    m = _as_array(margin, "la marge")
    r = _as_array(retention, "le taux de rétention")
    d = _as_array(discount, "le taux d'actualisation")
    if ((r < 0) | (r > 1)).any():
        bad = r[(r < 0) | (r > 1)].flat[0]
        raise InvalidValueError(
            f"le taux de rétention doit être compris entre 0 et 1 (reçu : {bad!r}) : "
            "c'est une probabilité de rester client d'une année sur l'autre (0,8 pour 80 %)."
        )
    if (d < 0).any():
        raise InvalidValueError(
            f"le taux d'actualisation doit être positif ou nul (reçu : {d[d < 0].flat[0]!r}), "
            "par exemple 0,1 pour 10 % par an."
        )
    infinite = horizon is None or (isinstance(horizon, float) and math.isinf(horizon))
    if infinite:
        if (r >= 1).any():
            raise InvalidValueError(
                "un taux de rétention de 100 % sur un horizon infini suppose un client qui ne part "
                "jamais : sa valeur ne dépend plus que de l'actualisation et n'est pas réaliste. "
                "Prenez une rétention inférieure à 1 ou un horizon fini (horizon=5, par exemple)."
            )
        return m, r, d, None
    if isinstance(horizon, bool) or not float(horizon).is_integer() or horizon < 1:
        raise InvalidValueError(
            f"l'horizon doit être un nombre entier d'années ≥ 1, ou None pour un horizon infini "
            f"(reçu : {horizon!r})."
        )
    return m, r, d, int(horizon)


def clv(
    margin: float | np.ndarray | pd.Series,
    retention: float | np.ndarray | pd.Series,
    discount: float | np.ndarray | pd.Series = DISCOUNT_RATE,
    horizon: int | None = None,
    *,
    first_margin=_UNSET,
    include_first_year: bool | None = None,
    acquisition_cost: float | np.ndarray | pd.Series = 0.0,
):
    """Discounted value of a customer's margins under a constant retention rate.

    ``horizon`` is the number of margins counted (``None``: infinite, the closed
    form). ``first_margin`` says which margins and when (module docstring,
    docs/conventions.md): ``"end"`` a new customer, the course's convention
    (:data:`FIRST_MARGIN`), ``m / (1 + d − r)``; ``"now"`` a new customer whose first
    margin falls at the acquisition, ``m (1 + d) / (1 + d − r)``; ``None`` (default)
    the residual value of a current customer, ``m r / (1 + d − r)``.
    ``include_first_year=True`` is the former name of ``first_margin="now"``.
    ``acquisition_cost`` (≥ 0) is subtracted once, at t = 0. The margin may be
    negative (a customer who costs more than they bring has a negative value).
    Inputs broadcast (numpy); a pandas Series in gives a Series out.

    >>> round(float(clv(100, 0.8, 0.1, horizon=2)), 2)                    # 80/1.1 + 64/1.21
    125.62
    >>> round(float(clv(100, 0.8, 0.1, horizon=2, first_margin="end")), 2)  # 100/1.1 + 80/1.21
    157.02
    >>> round(float(clv(100, 0.8, 0.1, horizon=2, first_margin="now")), 2)  # 100 + 80/1.1
    172.73
    """
    timing = _timing(first_margin, include_first_year)
    index = next((v.index for v in (margin, retention, discount, acquisition_cost)
                  if isinstance(v, pd.Series)), None)
    m, r, d, t = _check_inputs(margin, retention, discount, horizon)
    cost = _as_array(acquisition_cost, "le coût d'acquisition")
    if (cost < 0).any():
        raise InvalidValueError(
            f"le coût d'acquisition ne peut pas être négatif (reçu : {cost[cost < 0].flat[0]:g}) : "
            "c'est une dépense, retranchée une fois au recrutement."
        )
    # every timing is m × lead × (1 − q^T) / (1 + d − r), q = r / (1 + d):
    # the first margin counted is worth m × lead / (1 + d) (None: r/(1+d); "end": 1/(1+d); "now": 1)
    lead = {None: r, "end": 1.0, "now": 1.0 + d}[timing]
    q = r / (1 + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        if t is None:
            value = m * lead / (1 + d - r)
        else:
            # q == 1 only when r = 1 and d = 0: each of the T margins is worth m
            value = np.where(np.isclose(q, 1.0), m * t, m * lead * (1 - q ** t) / (1 + d - r))
    value = value - cost
    if index is not None:
        return pd.Series(np.broadcast_to(value, (len(index),)), index=index, name="clv")
    return value[()] if isinstance(value, np.ndarray) else value


def residual_value(
    margin: float | np.ndarray | pd.Series,
    retention: float | np.ndarray | pd.Series,
    discount: float | np.ndarray | pd.Series = DISCOUNT_RATE,
    horizon: int | None = None,
):
    """Expected residual value E(RLV) of a current customer, after this year's margin.

    Evaluated at the end of a period, once that period's margin is booked
    (docs/conventions.md, section 4; Fader & Hardie, 2012): the periods to come are
    worth ``sum over t = 1..T of m r**t / (1 + d)**t``, that is ``m r / (1 + d − r)``
    on an infinite horizon (Gupta & Lehmann, 2003). :func:`clv` with ``first_margin=None``.
    A new customer under the course's convention is worth
    ``(margin + residual_value(...)) / (1 + d)`` (``clv(..., first_margin="end")``).

    >>> round(float(residual_value(100, 0.8, 0.1)), 2)
    266.67
    """
    return clv(margin, retention, discount, horizon, first_margin=None)


def period_rate(annual_rate: float, periods_per_year: int) -> float:
    """The rate per period equivalent to an annual rate: ``(1 + d) ** (1 / n) − 1``.

    A monthly or weekly cash flow is discounted with this rate, not ``d / n``.

    >>> round(period_rate(0.10, 12), 6)
    0.007974
    """
    d = float(require_number(annual_rate, "le taux d'actualisation annuel"))
    if d <= -1:
        raise InvalidValueError(f"un taux d'actualisation annuel doit être supérieur à −100 % (reçu : {d!r}).")
    if isinstance(periods_per_year, bool) or not float(periods_per_year).is_integer() or periods_per_year < 1:
        raise InvalidValueError(f"le nombre de périodes par an doit être un entier ≥ 1 (reçu : {periods_per_year!r}).")
    return (1 + d) ** (1 / int(periods_per_year)) - 1


def clv_table(margin: float, retention: float, discount: float = DISCOUNT_RATE, horizon: int = 10,
              *, first_margin=None) -> pd.DataFrame:
    """The explicit sum behind :func:`clv`, margin by margin (finite ``horizon``).

    One row per margin counted (``horizon`` rows). Columns: ``year`` (when the margin
    is booked: 1…T, or 0…T−1 with ``first_margin="now"``), ``survival`` (chance the
    customer is still there to bring it: r**t, r**(t−1) with ``"end"``),
    ``expected_margin`` (m × survival), ``discount_factor`` (1/(1+d)**year),
    ``discounted_margin`` and ``cumulative_clv``; the last value equals
    ``clv(margin, retention, discount, horizon, first_margin=first_margin)``.

    >>> clv_table(100, 0.8, 0.1, 2)["cumulative_clv"].round(2).tolist()
    [72.73, 125.62]
    >>> clv_table(100, 0.8, 0.1, 2, first_margin="end")["cumulative_clv"].round(2).tolist()
    [90.91, 157.02]
    """
    timing = _timing(first_margin, None)
    if horizon is None:
        raise InvalidValueError("le tableau année par année demande un horizon fini (horizon=10, par exemple).")
    m, r, d, t = _check_inputs(margin, retention, discount, horizon)
    if m.ndim or r.ndim or d.ndim:
        raise InvalidValueError("le tableau année par année se calcule pour un seul client : "
                                "marge, rétention et actualisation doivent être des nombres.")
    years = np.arange(1, t + 1) - (timing == "now")
    survival = float(r) ** (years - (timing == "end"))
    factor = 1 / (1 + float(d)) ** years
    discounted = float(m) * survival * factor
    return pd.DataFrame({
        "year": years,
        "survival": survival,
        "expected_margin": float(m) * survival,
        "discount_factor": factor,
        "discounted_margin": discounted,
        "cumulative_clv": discounted.cumsum(),
    })


def breakeven_retention(
    margin: float | np.ndarray | pd.Series,
    acquisition_cost: float | np.ndarray | pd.Series,
    discount: float | np.ndarray | pd.Series = DISCOUNT_RATE,
    *,
    first_margin=_UNSET,
    include_first_year: bool | None = None,
):
    """Retention rate at which a new customer just pays back their acquisition cost.

    Infinite horizon: solves ``clv(m, r, d, first_margin=...) = acquisition_cost``
    for ``r``: ``r* = 1 + d − m / cost`` with ``"end"`` (the course's convention),
    ``r* = (1 + d)(1 − m / cost)`` with ``"now"``, ``r* = cost (1 + d) / (m + cost)``
    with ``None``. Without ``first_margin``, ``include_first_year`` (default True, the
    former behaviour) chooses ``"now"``, False ``None``. A result ≤ 0 means the first
    margin already pays the cost (0 is returned); a result ≥ 1 means no retention
    can (the value is returned as is, to be read as « inatteignable »).

    >>> round(float(breakeven_retention(50, 100, 0.1)), 2)
    0.55
    >>> round(float(breakeven_retention(50, 100, 0.1, first_margin="end")), 2)
    0.6
    """
    if first_margin is _UNSET and include_first_year is None:
        include_first_year = True  # the former default
    timing = _timing(first_margin, include_first_year)
    index = next((v.index for v in (margin, acquisition_cost, discount) if isinstance(v, pd.Series)), None)
    m = _as_array(margin, "la marge")
    c = _as_array(acquisition_cost, "le coût d'acquisition")
    d = _as_array(discount, "le taux d'actualisation")
    if (m <= 0).any():
        raise InvalidValueError("la marge annuelle doit être positive : un client qui coûte chaque année "
                                "ne rembourse jamais son coût d'acquisition, quelle que soit sa fidélité.")
    if (c < 0).any() or (d < 0).any():
        raise InvalidValueError("le coût d'acquisition et le taux d'actualisation doivent être positifs ou nuls.")
    with np.errstate(divide="ignore", invalid="ignore"):
        if timing == "now":
            r = (1 + d) * (1 - m / c)
        elif timing == "end":
            r = 1 + d - m / c
        else:
            r = c * (1 + d) / (m + c)
    r = np.where(c == 0, 0.0, np.maximum(r, 0.0))
    if index is not None:
        return pd.Series(np.broadcast_to(r, (len(index),)), index=index, name="breakeven_retention")
    return r[()]


def retention_rate(
    orders: pd.DataFrame,
    by: pd.Series | None = None,
    *,
    customer: str = "customer_id",
    date: str = "order_date",
) -> float | pd.Series:
    """Yearly retention: share of the customers active in a year who buy again the next year.

    Pooled over consecutive pairs of calendar years (2023→2024, 2024→2025…).
    ``by`` maps each customer id to a group (e.g. the acquisition channel); then
    one rate per group is returned (a Series).

    >>> o = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...                   "order_date": ["2024-03-01", "2025-02-01", "2024-06-01", "2025-01-05"]})
    >>> retention_rate(o)   # A stays, B leaves; C is new in 2025
    0.5
    """
    orders = check_table(orders, "orders", [customer, date], dates=[date])
    years = orders[date].dt.year
    active = pd.crosstab(orders[customer], years).gt(0)
    if active.shape[1] < 2:
        raise InvalidValueError("le taux de rétention annuel demande des commandes sur au moins "
                                "deux années civiles consécutives.")
    cols = active.columns.to_numpy()
    pairs = [(a, b) for a, b in zip(cols[:-1], cols[1:]) if b == a + 1]
    if not pairs:
        raise InvalidValueError("le taux de rétention annuel demande des commandes sur au moins "
                                "deux années civiles consécutives (aucune paire d'années qui se suivent).")
    start = active[[a for a, _ in pairs]].to_numpy()
    stayed = start & active[[b for _, b in pairs]].to_numpy()
    counts = pd.DataFrame({"start": start.sum(axis=1), "stayed": stayed.sum(axis=1)}, index=active.index)
    if by is None:
        return float(counts["stayed"].sum() / counts["start"].sum())
    groups = by.reindex(counts.index)
    if groups.isna().any():
        missing = groups.index[groups.isna()][0]
        raise InvalidValueError(f"le client {missing!r} n'a pas de groupe dans la série « by » "
                                "(vérifiez qu'elle est indexée par l'identifiant client).")
    sums = counts.groupby(groups.to_numpy(), observed=True, sort=True).sum()
    rate = (sums["stayed"] / sums["start"]).rename("retention")
    rate.index.name = by.name
    return rate


def reliability_score(
    data: pd.DataFrame,
    returns: str = "n_returns",
    orders: str = "n_orders",
) -> pd.Series:
    """A simple proxy of a customer's financial reliability: 1 − share of orders returned.

    1 for a customer who never returns anything, 0 for one who returns every
    order. Used to weight a CLV (Mayol: the LTV « pondérée » by a reliability score).

    >>> reliability_score(pd.DataFrame({"n_returns": [0, 1], "n_orders": [4, 4]})).tolist()
    [1.0, 0.75]
    """
    data = check_table(data, "cost_to_serve", [returns, orders], non_negative=[returns, orders])
    n = data[orders].to_numpy(dtype=float)
    k = data[returns].to_numpy(dtype=float)
    if ((n == 0) & (k > 0)).any() or (k > n).any():
        raise InvalidValueError(f"un client a plus de retours ('{returns}') que de commandes ('{orders}') : "
                                "vérifiez les deux colonnes.")
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(n > 0, 1 - k / n, 1.0)
    return pd.Series(score, index=data.index, name="reliability")


def weight_by_reliability(value, score):
    """Risk-weighted value: gains are multiplied by the reliability score, losses kept whole.

    An unreliable customer makes a future gain less certain, but does not make a
    loss smaller: negative values are left as they are. ``score`` is in [0, 1].

    >>> weight_by_reliability(np.array([100.0, -40.0]), np.array([0.5, 0.5])).tolist()
    [50.0, -40.0]
    """
    if isinstance(value, pd.Series) and isinstance(score, pd.Series):
        score = score.reindex(value.index)  # align on the customers; a missing score gives a French error
    s = _as_array(score, "le score de fiabilité")
    v = _as_array(value, "la valeur")
    if ((s < 0) | (s > 1)).any():
        raise InvalidValueError("le score de fiabilité doit être compris entre 0 (pas fiable) et 1 (fiable).")
    out = np.where(v > 0, v * s, v)
    if isinstance(value, pd.Series):
        return pd.Series(out, index=value.index, name=value.name)
    return out[()] if out.ndim == 0 else out


def customer_equity(data: pd.DataFrame, value: str = "clv", by: str | None = None) -> pd.DataFrame:
    """Customer equity (« capital client »): the sum of the customers' values.

    Returns ``n_customers``, ``mean_value``, ``equity`` (sum) and ``equity_share``,
    for the whole base (one row, index « Total ») or per group of column ``by``.

    >>> customer_equity(pd.DataFrame({"clv": [100.0, 50.0]}))["equity"].item()
    150.0
    """
    cols = [value] + ([by] if by else [])
    data = check_table(data, "valeurs par client", cols)
    if by is None:
        grouped = data[value].agg(["count", "mean", "sum"]).to_frame("Total").T
    else:
        grouped = data.groupby(by, observed=True, sort=True)[value].agg(["count", "mean", "sum"])
    out = grouped.rename(columns={"count": "n_customers", "mean": "mean_value", "sum": "equity"})
    out["n_customers"] = out["n_customers"].astype(int)
    total = data[value].sum()
    out["equity_share"] = out["equity"] / total if total else np.nan
    return out


# ----------------------------------------------------------------------------- plots
SENSITIVITY_TITLE = "Sensibilité de la valeur à vie (CLV) d'un nouveau client"


def clv_sensitivity_figure(max_horizon: int = 30, grid: np.ndarray | None = None):
    """A two-panel live figure (:class:`crmlab.widgets.LiveFigure`) and its ``update``.

    The value shown is a new customer's CLV under the course's timing
    (``clv(..., first_margin="end")``, docs/conventions.md): the margin of year ``t``
    is ``m r**(t-1)``, discounted by ``(1 + d)**t``.
    Left: the discounted margin of each year (bars) and the cumulative CLV (line),
    with the infinite-horizon value; right: the CLV against the retention rate,
    the current rate marked. ``update(margin, retention, discount, horizon)`` moves
    the artists of the same figure and returns ``(title, summary)``: the values used,
    and a one-line French summary. Returns ``(view, update)``.

    >>> view, update = clv_sensitivity_figure()
    >>> update(100, 0.8, 0.1, 2)[1]   # 100/1.1 + 80/1.21; 100/0.3; 100/0.25 = 400 = +20 %
    'CLV sur 2\xa0ans : 157,02\xa0€ ; horizon infini : 333,33\xa0€ ; +5 points de rétention : +20\xa0% (horizon infini)'
    """
    from matplotlib.ticker import FixedLocator, MaxNLocator

    from .style import COLORS, NBSP, fmt_eur, fmt_pct, format_axis
    from .widgets import LiveFigure, nice_limits

    grid = np.linspace(0.0, 0.95, 96) if grid is None else np.asarray(grid, dtype=float)
    years = np.arange(1, max_horizon + 1)
    view = LiveFigure((11, 4.6), ncols=2, heading=SENSITIVITY_TITLE)
    left, right = view.axes
    bars = left.bar(years, np.zeros(max_horizon), color=COLORS["primary"], alpha=0.55,
                    label="Marge actualisée")
    (cumulative,) = left.plot(years, np.zeros(max_horizon), "-o", color=COLORS["good"], ms=4,
                              label="CLV cumulée")
    limit = left.axhline(0.0, color=COLORS["neutral"], ls="--", lw=1.2, label="Horizon infini")
    left.set_title("CLV année par année")
    left.set_xlabel("Année de la relation")
    left.set_ylabel("Valeur actualisée (€)")
    left.legend(loc="lower right", fontsize="small")  # where the years past the horizon are empty
    format_axis(left, y="eur")
    (curve,) = right.plot(grid, np.zeros_like(grid), color=COLORS["primary"])
    (point,) = right.plot([0.0], [0.0], "o", color=COLORS["accent"], ms=9, zorder=3)
    right.set_title("CLV selon la rétention")
    right.set_xlabel("Taux de rétention annuel")
    right.set_ylabel("CLV (€)")
    right.set_xlim(grid.min(), grid.max())
    format_axis(right, x="pct", y="eur")
    left.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    right.xaxis.set_major_locator(FixedLocator([0.0, 0.2, 0.4, 0.6, 0.8]))
    view.animate(*bars, cumulative, limit, curve, point)

    def update(margin: float, retention: float, discount: float, horizon: int) -> tuple[str, str]:
        m, r, d, t = _check_inputs(margin, retention, discount, horizon)
        if t is None or t > max_horizon:
            raise InvalidValueError(f"l'horizon de cette figure va de 1 à {max_horizon} ans (reçu : {horizon!r}).")
        discounted = float(m) * float(r) ** (years - 1) / (1 + float(d)) ** years
        discounted[t:] = 0.0
        running = np.cumsum(discounted)
        for bar, height in zip(bars, discounted):
            bar.set_height(height)
        cumulative.set_data(years[:t], running[:t])
        value = float(running[t - 1])
        infinite = float(clv(m, r, d, first_margin=FIRST_MARGIN)) if r < 1 else np.nan
        limit.set_ydata([infinite, infinite])
        limit.set_visible(bool(r < 1))
        # round limits that the horizon does not move (the infinite-horizon values bound every
        # horizon): most updates reuse the cached background
        left.set_xlim(0.4, min(max_horizon, 5 * int(np.ceil(t / 5))) + 0.6)
        top = np.nanmax([value, infinite if r < 1 else value, float(discounted[0])])
        left.set_ylim(nice_limits(min(0.0, float(running.min())), top if top > 0 else 1.0, current=left.get_ylim()))
        values = clv(m, grid, d, t, first_margin=FIRST_MARGIN)
        curve.set_ydata(values)
        point.set_data([float(r)], [value])
        bound = float(clv(m, grid.max(), d, first_margin=FIRST_MARGIN)) if grid.max() < 1 else float(values.max())
        right.set_ylim(nice_limits(float(min(values.min(), value, 0.0)), max(bound, float(values.max()), value),
                                   current=right.get_ylim()))
        plus = float(clv(m, min(float(r) + 0.05, 0.99), d, first_margin=FIRST_MARGIN)) / infinite - 1 if r < 1 and infinite else np.nan
        unit = "an" if t == 1 else "ans"
        text = f"CLV sur {t}{NBSP}{unit} : {fmt_eur(value, 2)}"
        if r < 1:
            text += f" ; horizon infini : {fmt_eur(infinite, 2)}"
            if not np.isnan(plus):
                text += f" ; +5 points de rétention : {'+' if plus >= 0 else ''}{fmt_pct(plus, 0)} (horizon infini)"
        title = (f"marge {fmt_eur(float(m))} par an, rétention {fmt_pct(float(r), 0)}, "
                 f"actualisation {fmt_pct(float(d), 0)}, horizon {t}{NBSP}{unit}")
        return title, text

    return view, update


def clv_widget(margin: float = 100.0, retention: float = 0.8, discount: float = 0.1, horizon: int = 10):
    """Sliders (margin, retention, discount, horizon) → the sensitivity figure of a new customer's CLV.

    One live figure is kept and updated (see :func:`clv_sensitivity_figure`). Returns the
    widget box (display it as the last expression of a cell); its ``view`` shows the
    current state.
    """
    from . import widgets

    view, update = clv_sensitivity_figure()
    controls = {
        "margin": widgets.number("marge par an m", margin, 5, 300, 1, unit="€"),
        "retention": widgets.percent("rétention r", retention, 0.30, 0.95, 0.01),
        "discount": widgets.percent("actualisation d", discount, 0.0, 0.25, 0.01),
        "horizon": widgets.integer("horizon T (ans)", horizon, 1, 30),
    }
    return widgets.explorer(view, update, controls, name="sensibilité de la CLV")
