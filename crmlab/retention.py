"""Retention economics and the four macro-processes of the relationship.

Two halves:

- *the model* (no data): a cohort of customers acquired at period 0 at a cost
  ``acquisition_cost`` each; all of them buy in period 1, then a share
  ``retention`` of the previous period's customers stays each period; every
  active customer brings ``margin`` per period, cashed at the end of the period
  and discounted at ``discount`` per period — the course's timing convention
  (docs/conventions.md; values computed by :func:`crmlab.clv.clv`). From it: survivors, profit per
  period, cumulative discounted profit, break-even period, the effect of
  ``+k`` points of retention, the retention implied by "half lost in N years".
- *the company* (orders in): buyers of each month split into new, retained
  (some of them developing: first purchase in a new category) and reactivated
  customers, the customers lost each month and the active base; the retention
  rate from one year to the next.

>>> round(implied_retention(share_lost=0.5, periods=5), 4)
0.8706
>>> cohort_profit(0.8, 100, 150, 0.1, periods=3)["cumulative_profit"].round(2).tolist()
[-150.0, -59.09, 7.02, 55.11]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .validation import InvalidValueError, NegativeValueError, check_table, require_number

__all__ = [
    "implied_retention",
    "years_to_lose",
    "cohort_profit",
    "total_profit",
    "break_even_period",
    "retention_gain",
    "plot_cumulative_profit",
    "cumulative_profit_figure",
    "retention_widget",
    "portfolio_flows",
    "yearly_retention",
    "spend_growth",
    "plot_portfolio_flows",
    "relationship_phases",
    "PHASES",
]

PROFIT_TITLE = "Profit cumulé actualisé d'un client recruté"
PHASES = ["démarrage", "exploration", "croissance", "saturation", "déclin"]

PHASE_LABELS = {  # French labels of the flow columns (figures, tables)
    "new": "nouveaux (recruter)",
    "retained": "fidèles (retenir)",
    "developing": "dont nouvelle famille (vente croisée)",
    "reactivated": "réactivés (reconquérir)",
    "lost": "perdus",
    "active": "base active",
}


# ----------------------------------------------------------------- guards
def _number(value, name: str, label: str) -> np.ndarray:
    """``value`` as a float array, or a French error naming the argument."""
    return require_number(value, label, name)


def _rate(value, name: str, label: str, upper: float = 1.0) -> np.ndarray:
    arr = _number(value, name, label)
    bad = (arr < 0) | (arr > upper)
    if bad.any():
        raise InvalidValueError(
            f"{label} (`{name}`) doit être compris entre 0 et {upper:g} (reçu : {arr[bad].flat[0]:g}). "
            "Un taux de 85 % s'écrit 0.85."
        )
    return arr


def _non_negative(value, name: str, label: str, why: str = "") -> np.ndarray:
    arr = _number(value, name, label)
    if (arr < 0).any():
        raise NegativeValueError(f"{label} (`{name}`) ne peut pas être négatif (reçu : {arr[arr < 0].flat[0]:g}).{why}")
    return arr


def _growth(value) -> np.ndarray:
    g = _number(value, "growth", "la croissance annuelle de la marge")
    if ((g <= -1) | (g > 1)).any():
        raise InvalidValueError(
            f"la croissance annuelle de la marge (`growth`) s'exprime en fraction, entre −1 et 1 : "
            f"+5 % par an s'écrit 0.05 (reçu : {float(np.ravel(g)[0]):g})."
        )
    return g


def _periods(periods, name: str = "periods") -> int:
    if isinstance(periods, (bool, np.bool_)) or not isinstance(periods, (int, np.integer)) or periods < 1:
        raise InvalidValueError(
            f"le nombre de périodes (`{name}`) doit être un entier ≥ 1 (reçu : {periods!r})."
        )
    return int(periods)


def _scalar(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


# ----------------------------------------------------------------- the model
def implied_retention(share_lost: float = 0.5, periods: float = 5):
    """Constant retention rate that loses ``share_lost`` of a cohort in ``periods`` periods.

    ``(1 - share_lost) ** (1 / periods)``: "half the customers lost in 5 years"
    means an annual retention of about 87 %.

    >>> round(implied_retention(0.5, 5), 3)
    0.871
    """
    lost = _rate(share_lost, "share_lost", "la part de clients perdus")
    n = _number(periods, "periods", "la durée")
    if (n <= 0).any():
        raise InvalidValueError(f"la durée (`periods`) doit être strictement positive (reçu : {n.flat[0]:g}).")
    return _scalar((1.0 - lost) ** (1.0 / n))


def years_to_lose(retention: float, share_lost: float = 0.5):
    """Number of periods after which a cohort has lost ``share_lost`` of its customers.

    The inverse of :func:`implied_retention`: ``log(1 - share_lost) / log(retention)``
    (``inf`` when ``retention == 1``).

    >>> round(years_to_lose(0.8), 2)
    3.11
    """
    r = _rate(retention, "retention", "le taux de rétention")
    lost = _rate(share_lost, "share_lost", "la part de clients perdus")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log1p(-lost) / np.log(r)
    return _scalar(np.where(r == 1, np.inf, out))


def cohort_profit(
    retention: float,
    margin: float,
    acquisition_cost: float = 0.0,
    discount: float = 0.0,
    periods: int = 10,
    customers: float = 1.0,
    growth: float = 0.0,
) -> pd.DataFrame:
    """Period-by-period account of a cohort: survivors, profit, cumulative discounted profit.

    Period 0 is the acquisition (cost paid, no margin). In period ``t >= 1`` the
    ``customers * retention ** (t - 1)`` survivors each bring ``margin * (1 + growth) ** (t - 1)``
    (``growth``: yearly growth of a retained customer's margin with tenure, 0 by default;
    Reinartz & Kumar, 2000, question it), cashed at the end of the period and discounted
    by ``(1 + discount) ** t``.

    >>> cohort_profit(0.5, 10, periods=2)[["active", "profit"]].to_numpy().tolist()
    [[1.0, 0.0], [1.0, 10.0], [0.5, 5.0]]
    """
    r = float(_rate(retention, "retention", "le taux de rétention"))
    m = float(_number(margin, "margin", "la marge par client et par période"))
    ac = float(_non_negative(acquisition_cost, "acquisition_cost", "le coût d'acquisition"))
    d = float(_rate(discount, "discount", "le taux d'actualisation"))
    n = float(_non_negative(customers, "customers", "le nombre de clients"))
    g = float(_growth(growth))
    periods = _periods(periods)
    t = np.arange(periods + 1)
    active = n * np.where(t == 0, 1.0, r ** np.maximum(t - 1, 0))
    profit = np.where(t == 0, -ac * n, active * m * (1.0 + g) ** np.maximum(t - 1, 0)) + 0.0  # no "-0.0"
    factor = (1.0 + d) ** -t.astype(float)
    discounted = profit * factor
    return pd.DataFrame({
        "period": t,
        "active": active,
        "profit": profit,
        "discount_factor": factor,
        "discounted_profit": discounted,
        "cumulative_profit": np.cumsum(discounted),
    })


def total_profit(retention, margin, acquisition_cost=0.0, discount=0.0, periods: int | None = None,
                 *, first_margin: str = "end", growth=0.0):
    """Discounted profit of one acquired customer: :func:`crmlab.clv.clv` minus the acquisition cost.

    A thin call to the course's one CLV implementation (docs/conventions.md), with
    chapter 01's argument order and checks. ``first_margin="end"`` (default, the
    course's convention and the model of :func:`cohort_profit`): the first margin is
    cashed one period after the acquisition, so on an infinite horizon
    (``periods=None``) the profit is ``margin / (1 + discount − retention) −
    acquisition_cost``; ``"now"``: first margin at the acquisition,
    ``margin (1 + discount) / (1 + discount − retention) − acquisition_cost``.
    ``periods`` counts the margins (the rows 1…periods of :func:`cohort_profit`).
    ``growth`` (default 0) makes a retained customer's margin grow by that share each
    year of tenure: the margin of year ``t`` is ``margin (1 + growth) ** (t − 1)``, which
    is the constant-margin sum with ``retention (1 + growth)`` in place of ``retention``
    (on an infinite horizon it must stay below ``1 + discount``). Vectorised over arrays.

    >>> round(total_profit(0.8, 100, 150, 0.1), 2)
    183.33
    >>> round(total_profit(0.8, 100, 150, 0.1, periods=3), 2)
    55.11
    """
    from .clv import clv

    r = _rate(retention, "retention", "le taux de rétention")
    m = _number(margin, "margin", "la marge par client et par période")
    ac = _non_negative(acquisition_cost, "acquisition_cost", "le coût d'acquisition")
    d = _rate(discount, "discount", "le taux d'actualisation")
    g = _growth(growth)
    if first_margin not in ("end", "now"):
        raise InvalidValueError(
            f"`first_margin` vaut \"end\" (première marge une période après le recrutement) ou \"now\" "
            f"(première marge au recrutement) ; reçu : {first_margin!r}."
        )
    if periods is None:
        if (r >= 1).any():
            raise InvalidValueError(
                "sur un horizon infini, une rétention de 100 % suppose un client qui ne part jamais : son "
                "profit ne dépend plus que de l'actualisation (infini sans actualisation). Donnez un "
                "horizon (`periods=`) ou une rétention inférieure à 1."
            )
    else:
        periods = _periods(periods)
    if not np.any(g):
        value = clv(m, r, d, periods, first_margin=first_margin, acquisition_cost=ac)
        return _scalar(np.asarray(value, dtype=float))
    # growing margins: the same geometric sum with ratio q = r (1 + g) / (1 + d)
    rg = r * (1.0 + g)
    if periods is None and (rg >= 1 + d).any():
        raise InvalidValueError(
            "sur un horizon infini, une marge qui croît plus vite que les clients ne partent et que "
            "l'actualisation ne la réduit (r × (1 + croissance) ≥ 1 + d) donne une valeur infinie : "
            "donnez un horizon (`periods=`) ou une croissance plus faible."
        )
    lead = 1.0 + d if first_margin == "now" else 1.0
    q = rg / (1.0 + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        if periods is None:
            value = m * lead / (1.0 + d - rg)
        else:
            value = np.where(np.isclose(q, 1.0), m * lead / (1.0 + d) * periods,
                             m * lead * (1.0 - q ** periods) / (1.0 + d - rg))
    return _scalar(np.asarray(value - ac, dtype=float))


def break_even_period(retention, margin, acquisition_cost, discount=0.0, periods: int = 50):
    """First period at which the cohort's cumulative discounted profit reaches 0.

    ``None`` when it is not reached within ``periods`` periods (the acquisition is
    never paid back: retention or margin too low). Zero acquisition cost → 0.

    >>> break_even_period(0.8, 100, 150, 0.1)
    2
    """
    if float(np.min(_number(margin, "margin", "la marge par client et par période"))) < 0:
        raise NegativeValueError(
            "la marge par client et par période (`margin`) est négative : un client qui coûte "
            "plus qu'il ne rapporte ne rembourse jamais son coût d'acquisition."
        )
    table = cohort_profit(retention, margin, acquisition_cost, discount, periods)
    reached = table["cumulative_profit"].to_numpy() >= -1e-9
    return int(np.argmax(reached)) if reached.any() else None


def retention_gain(retention, points: float = 0.05, margin: float = 100.0, acquisition_cost: float = 0.0,
                   discount: float = 0.0, periods: int | None = None, *, first_margin: str = "end",
                   growth: float = 0.0) -> pd.DataFrame:
    """Profit of one customer at ``retention`` and at ``retention + points``, and the change.

    Profits from :func:`total_profit` (same ``first_margin`` timing, the course's
    convention by default; ``growth``: yearly growth of the margin with tenure). One row per value of ``retention`` (a number or an array): ``retention``,
    ``improved_retention``, ``profit``, ``improved_profit``, ``gain`` (€) and
    ``relative_gain`` (ratio; NaN when the base profit is not positive).

    >>> retention_gain(0.8, 0.05, 100, 150, 0.1)[["profit", "improved_profit"]].round(1).iloc[0].tolist()
    [183.3, 250.0]
    """
    r = np.atleast_1d(_rate(retention, "retention", "le taux de rétention"))
    k = float(_number(points, "points", "le gain de rétention"))
    if not -1 <= k <= 1:
        raise InvalidValueError(
            f"le gain de rétention (`points`) s'exprime en fraction : +5 points s'écrivent 0.05 (reçu : {k:g})."
        )
    improved = r + k
    if ((improved < 0) | (improved > 1)).any():
        bad = r[(improved < 0) | (improved > 1)][0]
        raise InvalidValueError(
            f"le taux de rétention amélioré sort de [0, 1] : {bad:g} + {k:g} = {bad + k:g}."
        )
    base = np.atleast_1d(total_profit(r, margin, acquisition_cost, discount, periods, first_margin=first_margin,
                                      growth=growth))
    new = np.atleast_1d(total_profit(improved, margin, acquisition_cost, discount, periods,
                                     first_margin=first_margin, growth=growth))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(base > 0, new / base - 1.0, np.nan)
    return pd.DataFrame({
        "retention": r,
        "improved_retention": improved,
        "profit": base,
        "improved_profit": new,
        "gain": new - base,
        "relative_gain": relative,
    })


# ----------------------------------------------------------------- the figure and widget
def _profit_artists(ax, periods: int, points: float, view=None):
    """Draw the empty cumulative-profit chart on ``ax``; return ``(update, moving)``.

    ``update(r, m, ac, d)`` moves the curves and the break-even mark and returns the
    one-line French summary; ``moving`` lists the artists it moves (for a live figure).
    With a live ``view`` (:class:`crmlab.widgets.LiveFigure`), the axes title, the summary
    line and the values in the legend are left out (the view shows them in its own title
    and caption) and the break-even text is one of its fast labels.
    """
    from . import style
    from .widgets import nice_limits

    periods = _periods(periods)
    c = style.COLORS
    t = np.arange(periods + 1)
    zeros = np.zeros(periods + 1)
    ax.axhline(0, color=c["neutral"], linewidth=1)
    (base_line,) = ax.plot(t, zeros, marker="o", color=c["primary"])
    (up_line,) = ax.plot(t, zeros, marker="o", linestyle="--", color=c["good"])
    be_line = ax.axvline(0, color=c["accent"], linestyle=":", linewidth=2)
    titles = view is None
    if titles:
        be_text = ax.text(0, 0, "", fontweight="bold", va="top", transform=ax.get_xaxis_transform())
    else:
        be_text = view.label(0, 0, "", weight="bold", ha="left", va="top", transform=ax.get_xaxis_transform())
    note = ax.text(0.0, 1.02, "", transform=ax.transAxes, color=c["neutral"], va="bottom", visible=titles)
    if titles:
        ax.set_title(PROFIT_TITLE, pad=26)
    ax.set_xlabel("période (année) après le recrutement")
    ax.set_ylabel("profit cumulé actualisé (€)")
    ax.set_xticks(t)
    ax.set_xlim(-0.3, periods + 0.3)
    style.format_axis(ax, y="eur")
    pts_label = style.fmt_number(100 * points, 0)
    legend = ax.legend([base_line, up_line], ["rétention r", f"rétention r + {pts_label} pts"], loc="lower right")

    def update(retention: float, margin: float, acquisition_cost: float, discount: float, growth: float = 0.0):
        r = float(_rate(retention, "retention", "le taux de rétention"))
        g = float(_growth(growth))
        better = min(r + points, 1.0)
        m = float(_number(margin, "margin", "la marge par client et par période"))
        ac = float(_non_negative(acquisition_cost, "acquisition_cost", "le coût d'acquisition"))
        d = float(_rate(discount, "discount", "le taux d'actualisation"))
        factor = (1.0 + d) ** -t.astype(float)
        # both curves at once: rows = retention rates, columns = periods
        rates = np.array([[r], [better]])
        flows = np.where(t == 0, -ac, m * (rates * (1.0 + g)) ** np.maximum(t - 1, 0)) * factor
        curves = np.cumsum(flows, axis=1)
        base_line.set_ydata(curves[0])
        up_line.set_ydata(curves[1])
        # round limits, kept while the curves fit: a live figure reuses its background
        ax.set_ylim(nice_limits(min(curves.min(), 0.0), max(curves.max(), 0.0), current=ax.get_ylim()))
        reached = curves[0] >= -1e-9
        if reached.any():
            be = int(np.argmax(reached))
            be_line.set_xdata([be, be])
            be_line.set_visible(True)
            be_text.set_position((be + 0.15, 0.97))
            be_text.set_text(f"point mort : période {be}")
            be_text.set_color(c["accent"])
        else:
            be_line.set_visible(False)
            be_text.set_position((0.0, 0.97))
            be_text.set_text(f"pas de point mort en {periods} périodes")
            be_text.set_color(c["bad"])
        pts = style.fmt_number(100 * (better - r), 0)
        labels = legend.get_texts()
        if titles:  # a live figure keeps fixed labels (the values are in its title)
            labels[0].set_text(f"rétention {style.fmt_pct(r, 0)}")
            labels[1].set_text(f"rétention {style.fmt_pct(better, 0)} (+{pts} pts)")
        end, end_up = curves[0, -1], curves[1, -1]
        text = (f"profit à {periods} périodes : {style.fmt_eur(end)} ; "
                f"avec +{pts} pts ({style.fmt_pct(better, 0)}) : {style.fmt_eur(end_up)}")
        if end > 0:
            text += f" ({'+' if end_up >= end else ''}{style.fmt_pct(end_up / end - 1, 0)})"
        note.set_text(text)
        return text

    return update, [base_line, up_line, be_line] + ([be_text] if titles else [])


def plot_cumulative_profit(retention: float = 0.8, margin: float = 100.0, acquisition_cost: float = 150.0,
                           discount: float = 0.1, periods: int = 10, points: float = 0.05, ax=None,
                           growth: float = 0.0):
    """Cumulative discounted profit of one customer at ``retention`` and ``retention + points``.

    The break-even period of the base curve is marked. Returns the Axes.

    >>> ax = plot_cumulative_profit(0.8, 100, 150, 0.1, periods=5)   # doctest: +SKIP
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    _profit_artists(ax, periods, points)[0](retention, margin, acquisition_cost, discount, growth)
    return ax


def cumulative_profit_figure(periods: int = 10, points: float = 0.05):
    """A live figure (:class:`crmlab.widgets.LiveFigure`) and its ``update``: returns ``(view, update)``.

    ``update(retention, margin, acquisition_cost, discount)`` moves the curves and the
    break-even mark and returns ``(title, summary)``: the title gives the values used,
    the summary the profit at the horizon with and without ``+points``.

    >>> view, update = cumulative_profit_figure(periods=5)
    >>> update(0.8, 100, 150, 0.1)[1]
    'profit à 5 périodes : 116\xa0€ ; avec +5 pts (85\xa0%) : 140\xa0€ (+21\xa0%)'
    """
    from . import style
    from .widgets import LiveFigure

    view = LiveFigure((8.5, 4.8), heading=PROFIT_TITLE)
    move, moving = _profit_artists(view.ax, periods, points, view=view)
    view.animate(*moving)

    def update(retention: float, margin: float, acquisition_cost: float, discount: float,
               growth: float = 0.0) -> tuple[str, str]:
        summary = move(retention, margin, acquisition_cost, discount, growth)
        title = (f"rétention {style.fmt_pct(retention, 0)}, marge {style.fmt_eur(margin)} par an, "
                 f"acquisition {style.fmt_eur(acquisition_cost)}, actualisation {style.fmt_pct(discount, 0)}")
        if growth:
            title += f", marge +{style.fmt_pct(growth, 0)} par an d'ancienneté"
        return title, summary

    return view, update


def retention_widget(retention: float = 0.8, margin: float = 100.0, acquisition_cost: float = 150.0,
                     discount: float = 0.1, periods: int = 10, growth: float = 0.0):
    """Sliders (retention, margin, acquisition cost, discount, margin growth) → cumulative profit curves.

    One live figure is kept and updated (see :func:`cumulative_profit_figure`); the widget
    box's ``view`` shows its current state. Display the box as the last expression of a cell.
    """
    from . import widgets

    view, update = cumulative_profit_figure(periods)
    controls = {
        "retention": widgets.percent("taux de rétention r", retention, 0.30, 0.95, 0.01),
        "margin": widgets.number("marge par an m", margin, 10, 300, 5, unit="€"),
        "acquisition_cost": widgets.number("coût d'acquisition", acquisition_cost, 0, 600, 10, unit="€"),
        "discount": widgets.percent("taux d'actualisation d", discount, 0.0, 0.30, 0.01),
        "growth": widgets.percent("croissance de la marge par an", growth, 0.0, 0.20, 0.01),
    }
    return widgets.explorer(view, update, controls, name="économie de la rétention")


# ----------------------------------------------------------------- the company
def _monthly_panel(orders: pd.DataFrame, customer_col: str, date_col: str, table: str):
    df = check_table(orders, table, [customer_col, date_col], dates=[date_col])
    df = df.dropna(subset=[customer_col, date_col])
    index = (df[date_col].dt.year * 12 + df[date_col].dt.month - 1).to_numpy(dtype=np.int64)
    start = int(index.min())
    months = pd.period_range(pd.Period(year=start // 12, month=start % 12 + 1, freq="M"),
                             periods=int(index.max()) - start + 1, freq="M")
    codes, customers = pd.factorize(df[customer_col], sort=True)
    return df, codes, customers, months, index - start


def portfolio_flows(
    orders: pd.DataFrame,
    inactive_after: int = 12,
    order_lines: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    order_col: str = "order_id",
    category_col: str = "category",
) -> pd.DataFrame:
    """Monthly flows of the customer portfolio: the four macro-processes in numbers.

    A customer is *active* at the end of a month when they bought in the last
    ``inactive_after`` months. The buyers of each month are ``new`` (first order),
    ``retained`` (previous order at most ``inactive_after`` months before) or
    ``reactivated`` (previous order longer ago); ``lost`` counts the customers who
    turn inactive that month. ``active[t] = active[t-1] + new + reactivated - lost``.
    With ``order_lines`` (``order_col``, ``category_col``), ``developing`` counts the
    retained buyers who buy in a category for the first time (cross-selling).
    Returns one row per month (index ``month``, a month-start Timestamp).

    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                   "order_date": ["2024-01-05", "2024-03-01", "2024-02-10"]})
    >>> portfolio_flows(o, inactive_after=1)[["new", "retained", "lost", "active"]].to_numpy().tolist()
    [[1, 0, 0, 1], [1, 0, 1, 1], [0, 0, 1, 1]]
    """
    if isinstance(inactive_after, (bool, np.bool_)) or not isinstance(inactive_after, (int, np.integer)) \
            or inactive_after < 1:
        raise InvalidValueError(
            f"`inactive_after` est un nombre de mois entier ≥ 1 (reçu : {inactive_after!r})."
        )
    L = int(inactive_after)
    df, codes, customers, months, col = _monthly_panel(orders, customer_col, date_col, "orders")
    n_c, n_m = len(customers), len(months)
    bought = np.zeros((n_c, n_m), dtype=bool)
    bought[codes, col] = True
    t = np.arange(n_m)
    # last purchase month up to and including t (-inf before the first purchase)
    last = np.maximum.accumulate(np.where(bought, t, -10**6), axis=1)
    prev = np.concatenate([np.full((n_c, 1), -10**6), last[:, :-1]], axis=1)  # strictly before t
    first = bought & (prev < 0)
    repeat = bought & ~first
    gap = t - prev
    retained = repeat & (gap <= L)
    reactivated = repeat & (gap > L)
    lost = ~bought & (last >= 0) & (t - last == L)
    active = (last >= 0) & (t - last < L)
    out = pd.DataFrame({
        "new": first.sum(axis=0),
        "retained": retained.sum(axis=0),
        "reactivated": reactivated.sum(axis=0),
        "lost": lost.sum(axis=0),
        "active": active.sum(axis=0),
    }, index=pd.Index(months.to_timestamp(), name="month"))
    if order_lines is not None:
        lines = check_table(order_lines, "order_lines", [order_col, category_col])
        if order_col not in df.columns:
            raise InvalidValueError(
                f"pour compter les clients en développement, la table « orders » doit contenir "
                f"la colonne '{order_col}' qui la relie à « order_lines »."
            )
        keyed = pd.DataFrame({order_col: df[order_col].to_numpy(), "_c": codes, "_m": col})
        cat = lines[[order_col, category_col]].merge(keyed, on=order_col, how="inner")
        firsts = cat.groupby(["_c", category_col], observed=True)["_m"].min().reset_index()
        new_cat = np.zeros((n_c, n_m), dtype=bool)
        new_cat[firsts["_c"].to_numpy(), firsts["_m"].to_numpy()] = True
        out.insert(2, "developing", (retained & new_cat).sum(axis=0))
    return out


def yearly_retention(orders: pd.DataFrame, customer_col: str = "customer_id",
                     date_col: str = "order_date") -> pd.DataFrame:
    """Year-over-year retention: share of the buyers of year ``y - 1`` who buy again in ``y``.

    One row per year (from the second): ``buyers_previous``, ``retained``,
    ``retention_rate``.

    >>> o = pd.DataFrame({"customer_id": ["a", "b", "a"],
    ...                   "order_date": ["2024-03-01", "2024-05-01", "2025-01-10"]})
    >>> yearly_retention(o)["retention_rate"].tolist()
    [0.5]
    """
    df = check_table(orders, "orders", [customer_col, date_col], dates=[date_col])
    pairs = pd.DataFrame({"c": df[customer_col], "y": df[date_col].dt.year}).dropna().drop_duplicates()
    years = np.arange(int(pairs["y"].min()), int(pairs["y"].max()) + 1)
    if len(years) < 2:
        raise InvalidValueError(
            "il faut au moins deux années d'achats pour mesurer une rétention d'une année sur l'autre "
            f"(années présentes : {', '.join(map(str, years))})."
        )
    nxt = pairs.assign(y=pairs["y"] - 1)  # a purchase in y seen from y - 1
    both = pairs.merge(nxt, on=["c", "y"], how="inner")
    base = pairs.groupby("y").size().reindex(years, fill_value=0)
    kept = both.groupby("y").size().reindex(years, fill_value=0)
    out = pd.DataFrame({
        "buyers_previous": base.to_numpy()[:-1],
        "retained": kept.to_numpy()[:-1],
    }, index=pd.Index(years[1:], name="year"))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["retention_rate"] = out["retained"] / out["buyers_previous"].where(out["buyers_previous"] > 0)
    return out


def spend_growth(orders: pd.DataFrame, year: int, customer_col: str = "customer_id",
                 date_col: str = "order_date", amount_col: str = "amount") -> pd.DataFrame:
    """« Développer » measured as spend growth: the retained customers' spend, year on year.

    One row per customer who bought in both ``year - 1`` and ``year`` (index
    ``customer_col``): ``previous`` (spend of ``year - 1``), ``current`` (spend of
    ``year``), ``change`` (``current - previous``), ``growth`` (``current / previous - 1``)
    and ``developing`` (``True`` when the spend grew). Customers who bought in only
    one of the two years are retained or lost, not developed: they are left out.

    >>> o = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"], "amount": [10.0, 15.0, 5.0, 40.0, 30.0, 9.0],
    ...                   "order_date": ["2024-02-01", "2025-03-01", "2025-06-01", "2024-05-01", "2025-05-01",
    ...                                  "2025-01-01"]})
    >>> spend_growth(o, 2025)[["previous", "current", "developing"]].to_dict("index")
    {'a': {'previous': 10.0, 'current': 20.0, 'developing': True}, 'b': {'previous': 40.0, 'current': 30.0, 'developing': False}}
    """
    df = check_table(orders, "orders", [customer_col, date_col, amount_col], dates=[date_col],
                     non_negative=[amount_col])
    if isinstance(year, (bool, np.bool_)) or not float(require_number(year, "l'année `year`")).is_integer():
        raise InvalidValueError(f"`year` est une année entière, par exemple 2025 (reçu : {year!r}).")
    year = int(year)
    years = df[date_col].dt.year
    present = sorted(years.dropna().unique().astype(int))
    for y in (year - 1, year):
        if y not in present:
            raise InvalidValueError(
                f"aucune commande en {y} : la croissance de la dépense {year} compare {year - 1} et {year} "
                f"(années présentes : {', '.join(map(str, present))})."
            )
    both = df[years.isin([year - 1, year])]
    spend = (both.groupby([both[customer_col], years.loc[both.index].rename("_y")], observed=True)[amount_col]
             .sum().unstack("_y"))
    spend = spend.dropna()          # bought in both years
    out = pd.DataFrame({"previous": spend[year - 1].astype(float), "current": spend[year].astype(float)})
    out["change"] = out["current"] - out["previous"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth"] = out["current"] / out["previous"].where(out["previous"] > 0) - 1
    out["developing"] = out["current"] > out["previous"]
    out.index.name = customer_col
    return out


def plot_portfolio_flows(data: pd.DataFrame, start=None, axes=None):
    """Portfolio-flow figure from :func:`portfolio_flows`: two panels sharing the months.

    Top: the buyers of each month, stacked (new, retained, reactivated), with the
    customers lost drawn below zero. Bottom: the active base. Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    from . import style

    df = data if start is None else data.loc[pd.Timestamp(start):]
    if axes is None:
        _, axes = plt.subplots(2, 1, sharex=True, figsize=(9, 6.5), height_ratios=[2, 1])
    top, bottom = axes
    x = df.index
    width = 25
    c = style.COLORS
    retained = df["retained"].to_numpy()
    layers = [("new", df["new"].to_numpy(), c["primary"]),
              ("retained", retained, c["good"]),
              ("reactivated", df["reactivated"].to_numpy(), c["accent"])]
    bottom_stack = np.zeros(len(df))
    for key, values, color in layers:
        top.bar(x, values, width=width, bottom=bottom_stack, color=color, label=PHASE_LABELS[key])
        if key == "retained" and "developing" in df:
            top.bar(x, df["developing"], width=width, bottom=bottom_stack, color=color,
                    edgecolor="white", hatch="///", linewidth=0, label=PHASE_LABELS["developing"])
        bottom_stack = bottom_stack + values
    top.bar(x, -df["lost"].to_numpy(), width=width, color=c["bad"], label=PHASE_LABELS["lost"])
    top.axhline(0, color=c["neutral"], linewidth=1)
    top.set_title("Les quatre macro-processus, mois par mois")
    top.set_ylabel("clients par mois")
    style.format_axis(top, y="num")
    top.legend(loc="upper left", ncols=2, fontsize="small")
    bottom.plot(x, df["active"], color=c["primary"])
    bottom.set_ylabel("base active (clients)")
    bottom.set_xlabel("mois")
    style.format_axis(bottom, y="num")
    style.month_axis(bottom)
    bottom.set_ylim(0, None)
    return top, bottom


def relationship_phases(
    orders: pd.DataFrame,
    as_of=None,
    window_months: int = 12,
    start_months: int = 3,
    tolerance: float = 0.2,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """The phase of each customer's relationship at ``as_of`` (a reading grid, by rule).

    Compares the spend of the last ``window_months`` months (``recent``) with the
    ``window_months`` before (``previous``):

    - ``démarrage``: first order less than ``start_months`` months ago;
    - ``exploration``: first order less than ``window_months`` months ago;
    - ``croissance``: recent > (1 + tolerance) × previous;
    - ``déclin``: recent < (1 - tolerance) × previous (no order at all: déclin too);
    - ``saturation``: otherwise (spend stable within ± tolerance).

    Returns one row per customer (index ``customer_col``): ``first_order``,
    ``recent``, ``previous``, ``phase`` (ordered categorical, :data:`PHASES`).
    Orders after ``as_of`` are ignored; ``as_of`` defaults to the last order date.

    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 30.0, 5.0],
    ...                   "order_date": ["2024-03-01", "2025-03-01", "2025-11-20"]})
    >>> relationship_phases(o, as_of="2025-12-31")["phase"].tolist()
    ['croissance', 'démarrage']
    """
    df = check_table(orders, "orders", [customer_col, date_col, amount_col], dates=[date_col],
                     non_negative=[amount_col])
    for name, value in (("window_months", window_months), ("start_months", start_months)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidValueError(f"`{name}` est un nombre de mois entier ≥ 1 (reçu : {value!r}).")
    if start_months > window_months:
        raise InvalidValueError(
            f"`start_months` ({start_months}) doit être inférieur ou égal à `window_months` ({window_months})."
        )
    tol = float(_rate(tolerance, "tolerance", "la tolérance"))
    end = df[date_col].max() if as_of is None else pd.Timestamp(as_of)
    if pd.isna(end) or end < df[date_col].min():
        raise InvalidValueError(
            f"la date d'analyse `as_of` ({as_of}) précède la première commande "
            f"({df[date_col].min():%Y-%m-%d}) : choisissez une date dans la période des données."
        )
    df = df[df[date_col] <= end]
    cut1 = end - pd.DateOffset(months=window_months)
    cut2 = end - pd.DateOffset(months=2 * window_months)
    start_cut = end - pd.DateOffset(months=start_months)
    d = df[date_col]
    g = pd.DataFrame({
        "c": df[customer_col].to_numpy(),
        "d": d.to_numpy(),
        "recent": df[amount_col].where(d > cut1, 0.0).to_numpy(),
        "previous": df[amount_col].where((d > cut2) & (d <= cut1), 0.0).to_numpy(),
    }).groupby("c", observed=True).agg(first_order=("d", "min"), recent=("recent", "sum"),
                                       previous=("previous", "sum"))
    phase = np.select(
        [g["first_order"] > start_cut,
         g["first_order"] > cut1,
         g["recent"] > (1 + tol) * g["previous"],
         (g["recent"] < (1 - tol) * g["previous"]) | (g["recent"] == 0)],
        ["démarrage", "exploration", "croissance", "déclin"],
        default="saturation",
    ) if len(g) else np.array([], dtype=object)
    g["phase"] = pd.Categorical(phase, categories=PHASES, ordered=True)
    g.index.name = customer_col
    return g
