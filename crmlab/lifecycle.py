"""The customer lifecycle: statuses from purchase data, flows between them, Markov projection.

A customer's status at a date comes from two durations only (Boîte à outils de la
relation client, outil 1):

- *ancienneté*: days since the first purchase → ``nouveau`` while ≤ ``new_days`` (the
  welcome period);
- *récence*: days since the last purchase → ``dormant`` beyond ``dormant_days``,
  ``perdu`` beyond ``lost_days``;
- and a *second purchase*: ``actif`` requires one (a purchase on a second day). A
  one-time buyer past the welcome period stays ``nouveau`` — the welcome has not yet
  worked — until his silence makes him ``dormant``. Passing from ``nouveau`` to ``actif``
  is therefore a repeat purchase, never the mere passing of time.

A sign-up without purchase is a ``prospect``; before that, the person is a
*suspect*, outside the base (absent from the data: the status is missing).

The work is split so that a widget can move the thresholds cheaply: ``purchase_history``
does the heavy pass over the orders once (last purchase date at every snapshot
date, as a customers × dates integer matrix), ``status_codes`` only re-bins it.

>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
...                        "order_date": ["2024-01-10", "2024-03-01", "2024-01-20"]})
>>> customer_status(orders, ["2024-01-31", "2024-12-31"], dormant_days=120, lost_days=320,
...                 new_days=30).astype(str).to_numpy().tolist()
[['nouveau', 'dormant'], ['nouveau', 'perdu']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .validation import (
    InvalidDateError,
    InvalidValueError,
    check_table,
    require_columns,
    require_dataframe,
)

__all__ = [
    "STATUSES",
    "STATUS_COLORS",
    "PurchaseHistory",
    "inter_purchase_gaps",
    "gap_thresholds",
    "month_ends",
    "purchase_history",
    "status_codes",
    "statuses",
    "customer_status",
    "portfolio",
    "transition_matrix",
    "sojourn_times",
    "flows",
    "status_value",
    "project",
    "winback_candidates",
    "plot_portfolio",
    "status_view",
    "status_widget",
]

STATUSES: tuple[str, ...] = ("prospect", "nouveau", "actif", "dormant", "perdu")
STATUS_COLORS: dict[str, str] = {
    "prospect": "#BBBBBB",  # grey: not yet a customer
    "nouveau": "#56B4E9",   # sky blue
    "actif": "#009E73",     # green: the healthy core
    "dormant": "#E69F00",   # orange: warning
    "perdu": "#D55E00",     # vermillion: gone
}
_NONE = np.iinfo(np.int64).min // 4  # "no purchase yet" (far in the past, no overflow on subtraction)
_NEVER = np.iinfo(np.int64).max // 4  # "never signed up"
_NS_PER_DAY = 86_400 * 10**9


# ------------------------------------------------------------------ helpers
def _to_days(values) -> np.ndarray:
    """Datetimes → integer days since 1970-01-01 (NaT must have been removed)."""
    return pd.DatetimeIndex(values).as_unit("ns").asi8 // _NS_PER_DAY


def _parse_snapshot_dates(dates) -> pd.DatetimeIndex:
    """One date or a list of dates → a sorted DatetimeIndex, with a French error when unreadable."""
    values = [dates] if isinstance(dates, (str, pd.Timestamp)) or not np.iterable(dates) else list(dates)
    if len(values) == 0:
        raise InvalidValueError("la liste de dates est vide : donnez au moins une date d'observation.")
    parsed = []
    for value in values:
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError):
            ts = pd.NaT
        if pd.isna(ts):
            raise InvalidDateError(
                f"date d'observation illisible : {value!r}. Format attendu : AAAA-MM-JJ, "
                "par exemple 2024-12-31."
            )
        parsed.append(ts.normalize())
    index = pd.DatetimeIndex(parsed)
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise InvalidValueError("les dates d'observation doivent être croissantes et distinctes.")
    return index


def _check_thresholds(dormant_days: float, lost_days: float, new_days: float) -> None:
    for name, value in (("new_days", new_days), ("dormant_days", dormant_days), ("lost_days", lost_days)):
        if not np.isscalar(value) or isinstance(value, (str, bool)) or not np.isfinite(value) or value <= 0:
            raise InvalidValueError(f"le seuil {name} doit être un nombre de jours positif (reçu : {value!r}).")
    if not new_days <= dormant_days < lost_days:
        raise InvalidValueError(
            "les seuils sont dans le mauvais ordre : il faut new_days ≤ dormant_days < lost_days "
            f"(reçu : new_days={new_days}, dormant_days={dormant_days}, lost_days={lost_days}). "
            "Un client devient dormant avant d'être perdu."
        )


# ------------------------------------------------------------------ thresholds
def inter_purchase_gaps(
    orders: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date"
) -> pd.DataFrame:
    """Days between two consecutive purchase days of the same customer.

    Several orders on the same day count as one purchase day (no zero gaps).
    Returns ``customer_id``, ``order_date`` (the later purchase) and ``gap_days``.

    >>> o = pd.DataFrame({"customer_id": ["A", "A", "A"], "order_date": ["2024-01-01", "2024-01-11", "2024-01-11"]})
    >>> inter_purchase_gaps(o)["gap_days"].tolist()
    [10]
    """
    df = check_table(orders, "orders", [customer_col], dates=[date_col], allow_empty=True)
    days = df[[customer_col, date_col]].dropna()
    days = days.assign(**{date_col: days[date_col].dt.normalize()}).drop_duplicates()
    days = days.sort_values([customer_col, date_col], kind="stable")
    same = days[customer_col].eq(days[customer_col].shift())
    gap = days[date_col].diff().dt.days
    out = days.loc[same, [customer_col, date_col]].assign(gap_days=gap[same].astype("int64"))
    return out.reset_index(drop=True)


def gap_thresholds(
    gaps: pd.DataFrame, dormant_q: float = 0.85, lost_q: float = 0.97, gap_col: str = "gap_days"
) -> pd.Series:
    """Dormant and lost thresholds (days) as quantiles of the inter-purchase gaps, rounded up.

    ``dormant_q = 0.85``: 85 % of the returns happen within ``dormant_days``; past it, a
    silence is unusual. Returns a Series ``dormant_days``, ``lost_days`` (pass it as
    ``**thresholds``).

    >>> gap_thresholds(pd.DataFrame({"gap_days": range(1, 101)}), 0.5, 0.9).tolist()
    [51, 91]
    """
    df = check_table(gaps, "écarts entre achats", [gap_col], non_negative=[gap_col])
    for name, q in (("dormant_q", dormant_q), ("lost_q", lost_q)):
        if not 0 < q < 1:
            raise InvalidValueError(f"le quantile {name} doit être strictement entre 0 et 1 (reçu : {q!r}).")
    if not dormant_q < lost_q:
        raise InvalidValueError(
            f"les quantiles sont dans le mauvais ordre : dormant_q ({dormant_q}) doit être "
            f"inférieur à lost_q ({lost_q})."
        )
    values = np.ceil(df[gap_col].quantile([dormant_q, lost_q]).to_numpy()).astype(int)
    return pd.Series(values, index=["dormant_days", "lost_days"], name="seuil (jours)")


def month_ends(start: str, end: str) -> pd.DatetimeIndex:
    """Month-end dates from ``start`` to ``end`` (the snapshot dates of the chapter).

    >>> len(month_ends("2023-01-01", "2025-12-31"))
    36
    """
    return pd.date_range(_parse_snapshot_dates(start)[0], _parse_snapshot_dates(end)[0], freq="ME")


# ------------------------------------------------------------------ statuses
@dataclass(frozen=True)
class PurchaseHistory:
    """What the statuses need, computed once: for each person and snapshot date,
    the day of the last purchase on or before it (integer days since 1970)."""

    ids: pd.Index            # customers, then prospects who never converted
    dates: pd.DatetimeIndex  # snapshot dates (columns)
    first_day: np.ndarray    # (n,) first purchase day, or a far-future value if none
    last_day: np.ndarray     # (n, m) last purchase day ≤ date, or a far-past value
    signup_day: np.ndarray   # (n,) prospect sign-up day, or a far-future value
    second_day: np.ndarray   # (n,) day of the second distinct purchase day, or a far-future value

    @property
    def recency(self) -> np.ndarray:
        """Days since the last purchase at each date (huge before the first purchase)."""
        return _to_days(self.dates)[None, :] - self.last_day


def purchase_history(
    orders: pd.DataFrame,
    dates,
    prospects: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> PurchaseHistory:
    """One vectorised pass over the orders: last purchase day per customer at each date.

    ``prospects`` (optional: ``prospect_id``, ``signup_date``, ``converted_customer_id``)
    adds the prospect status: a customer who signed up first is a prospect from the
    sign-up to the first purchase; a prospect who never bought gets a row of its own.

    >>> h = purchase_history(pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-10"]}),
    ...                      ["2024-01-31"])
    >>> h.recency.tolist()
    [[21]]
    """
    df = check_table(orders, "orders", [customer_col], dates=[date_col], allow_empty=True)
    df = df[df[date_col].notna()]
    snap = _parse_snapshot_dates(dates)
    snap_days = _to_days(snap)
    codes, ids = pd.factorize(df[customer_col], sort=True)
    ids = pd.Index(ids, name=customer_col)
    day = _to_days(df[date_col])
    n, m = len(ids), len(snap)

    first = np.full(n, _NEVER, dtype=np.int64)
    np.minimum.at(first, codes, day)
    # each purchase counts from the first snapshot date on or after it
    col = np.searchsorted(snap_days, day, side="left")
    keep = col < m
    last = np.full((n, m), _NONE, dtype=np.int64)
    np.maximum.at(last, (codes[keep], col[keep]), day[keep])
    last = np.maximum.accumulate(last, axis=1)
    signup = np.full(n, _NEVER, dtype=np.int64)
    # second distinct purchase day: sort the (customer, day) pairs, keep each customer's second
    pairs = np.unique(np.column_stack([codes, day]), axis=0) if len(day) else np.empty((0, 2), np.int64)
    second = np.full(n, _NEVER, dtype=np.int64)
    if len(pairs):
        is_first = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
        is_second = np.r_[False, is_first[:-1]] & ~is_first
        second[pairs[is_second, 0]] = pairs[is_second, 1]

    if prospects is not None:
        p = check_table(prospects, "prospects", ["prospect_id", "converted_customer_id"],
                        dates=["signup_date"], allow_empty=True)
        p = p[p["signup_date"].notna()]
        converted = p["converted_customer_id"].notna() & p["converted_customer_id"].isin(ids)
        pos = ids.get_indexer(p.loc[converted, "converted_customer_id"])
        np.minimum.at(signup, pos, _to_days(p.loc[converted, "signup_date"]))
        pending = p[~converted]
        k = len(pending)
        ids = ids.append(pd.Index(pending["prospect_id"].astype(str))).rename("id")
        first = np.concatenate([first, np.full(k, _NEVER, dtype=np.int64)])
        last = np.vstack([last, np.full((k, m), _NONE, dtype=np.int64)])
        signup = np.concatenate([signup, _to_days(pending["signup_date"])])
        second = np.concatenate([second, np.full(k, _NEVER, dtype=np.int64)])
    return PurchaseHistory(ids, snap, first, last, signup, second)


def status_codes(
    history: PurchaseHistory, dormant_days: float, lost_days: float, new_days: float = 90
) -> np.ndarray:
    """Status of everyone at every date as small integers: index in ``STATUSES``, -1 outside the base.

    This is the cheap step (pure numpy): call it again to move the thresholds.
    """
    _check_thresholds(dormant_days, lost_days, new_days)
    snap = _to_days(history.dates)[None, :]
    recency = snap - history.last_day
    bought = history.last_day > _NONE
    # 2 = actif, + 1 past the dormant threshold, + 1 past the lost threshold
    out = (recency > dormant_days).astype(np.int8)
    out += recency > lost_days
    out += 2
    # nouveau: in the welcome period, or not yet a second purchase (while not dormant)
    single = history.second_day[:, None] > snap
    out[((snap - history.first_day[:, None]) <= new_days) | (single & (out == 2))] = 1
    never = ~bought
    out[never] = np.where(history.signup_day[:, None] <= snap, 0, -1)[never]
    return out


def statuses(
    history: PurchaseHistory, dormant_days: float, lost_days: float, new_days: float = 90
) -> pd.DataFrame:
    """Wide table of statuses: one row per person, one column per date (categorical, missing outside the base)."""
    codes = status_codes(history, dormant_days, lost_days, new_days)
    data = {d: pd.Categorical.from_codes(codes[:, j], categories=list(STATUSES))
            for j, d in enumerate(history.dates)}
    out = pd.DataFrame(data, index=history.ids)
    out.columns = pd.DatetimeIndex(history.dates, name="date")
    return out


def customer_status(
    orders: pd.DataFrame,
    dates,
    dormant_days: float,
    lost_days: float,
    new_days: float = 90,
    prospects: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> pd.DataFrame:
    """Status of every customer (and prospect) at each date: ``purchase_history`` then ``statuses``.

    >>> o = pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-10"]})
    >>> customer_status(o, "2024-06-30", dormant_days=100, lost_days=200).iloc[0, 0]
    'dormant'
    """
    _check_thresholds(dormant_days, lost_days, new_days)
    history = purchase_history(orders, dates, prospects, customer_col, date_col)
    return statuses(history, dormant_days, lost_days, new_days)


# ------------------------------------------------------------------ portfolio and flows
def _codes_of(status: pd.DataFrame, table: str = "statuts") -> np.ndarray:
    """Wide status table → integer matrix (-1 outside the base), with a French error on unknown labels."""
    require_dataframe(status, table)
    if status.shape[1] == 0:
        raise InvalidValueError(f"la table « {table} » n'a aucune colonne de date.")
    cats = list(STATUSES)
    if all(isinstance(dt, pd.CategoricalDtype) and list(dt.categories) == cats for dt in status.dtypes):
        return np.column_stack([status[c].cat.codes.to_numpy() for c in status.columns]).astype(np.int8)
    values = status.to_numpy(dtype=object)
    codes = np.full(values.shape, -1, dtype=np.int8)
    known = pd.isna(values)
    for k, name in enumerate(STATUSES):
        hit = values == name
        codes[hit] = k
        known |= hit
    if not known.all():
        bad = values[~known][0]
        raise InvalidValueError(
            f"statut inconnu dans la table « {table} » : {bad!r} "
            f"(statuts attendus : {', '.join(STATUSES)}, ou vide hors de la base)."
        )
    return codes


def portfolio(status: pd.DataFrame) -> pd.DataFrame:
    """Number of people in each status at each date (dates in rows, statuses in columns).

    >>> s = pd.DataFrame({"2024-01-31": ["actif", "dormant", None]})
    >>> portfolio(s).iloc[0].tolist()
    [0, 0, 1, 1, 0]
    """
    codes = _codes_of(status)
    k = len(STATUSES)
    counts = np.stack([np.bincount(c[c >= 0], minlength=k) for c in codes.T])
    return pd.DataFrame(counts, index=pd.Index(status.columns, name="date"),
                        columns=pd.Index(STATUSES, name="statut"))


def transition_matrix(status: pd.DataFrame, normalize: bool = True) -> pd.DataFrame:
    """Transitions between statuses from one date (column) to the next, pooled over all dates.

    Rows: status at *t*; columns: status at *t + 1*. ``normalize=True`` gives the share
    of each row (a Markov transition matrix; a row never observed is left empty, NaN).
    People outside the base at *t* are not counted (their entry is a recruitment).

    >>> s = pd.DataFrame({"t0": ["actif", "actif"], "t1": ["actif", "dormant"]})
    >>> transition_matrix(s).loc["actif", ["actif", "dormant"]].tolist()
    [0.5, 0.5]
    """
    codes = _codes_of(status)
    if codes.shape[1] < 2:
        raise InvalidValueError("il faut au moins deux dates (deux colonnes) pour compter des transitions.")
    k = len(STATUSES)
    src, dst = codes[:, :-1].ravel(), codes[:, 1:].ravel()
    ok = (src >= 0) & (dst >= 0)
    counts = np.bincount(src[ok].astype(np.int64) * k + dst[ok], minlength=k * k).reshape(k, k)
    out = pd.DataFrame(counts, index=pd.Index(STATUSES, name="de"), columns=pd.Index(STATUSES, name="vers"))
    if normalize:
        totals = out.sum(axis=1)
        out = out.div(totals.where(totals > 0), axis=0)
    return out


def sojourn_times(matrix: pd.DataFrame) -> pd.Series:
    """Expected consecutive periods spent in each status: ``1 / (1 − p_ss)`` (geometric stay).

    >>> P = pd.DataFrame([[0.75, 0.25], [0.0, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> sojourn_times(P).tolist()
    [4.0, inf]
    """
    P = _check_matrix(matrix)
    stay = np.diag(P.to_numpy())
    with np.errstate(divide="ignore"):
        values = 1.0 / (1.0 - stay)
    return pd.Series(values, index=P.index, name="durée moyenne (périodes)")


def flows(status: pd.DataFrame) -> pd.DataFrame:
    """Flows of each period (from one column to the next) that change the size of the base.

    Columns: ``acquired`` (first purchase: from outside or from prospect to ``nouveau``),
    ``won_back`` (``perdu`` → buying again), ``lost`` (→ ``perdu``), ``net`` =
    acquired + won_back − lost (= change in the number of living customers:
    nouveau + actif + dormant), and ``reactivated`` (``dormant`` → ``actif``).
    """
    codes = _codes_of(status)
    if codes.shape[1] < 2:
        raise InvalidValueError("il faut au moins deux dates (deux colonnes) pour compter des flux.")
    src, dst = codes[:, :-1], codes[:, 1:]
    new, active, dormant, lost = 1, 2, 3, 4
    out = pd.DataFrame({
        "acquired": ((src < new) & (dst == new)).sum(axis=0),
        "won_back": ((src == lost) & (dst >= new) & (dst < lost)).sum(axis=0),
        "lost": ((src >= new) & (src < lost) & (dst == lost)).sum(axis=0),
        "reactivated": ((src == dormant) & (dst == active)).sum(axis=0),
    }, index=pd.Index(status.columns[1:], name="date"))
    out.insert(3, "net", out["acquired"] + out["won_back"] - out["lost"])
    return out


def status_value(
    status: pd.DataFrame,
    orders: pd.DataFrame,
    value_col: str = "gross_margin",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> pd.Series:
    """Average value per person and per month in each status (e.g. gross margin, €).

    The columns of ``status`` must be month-ends; the value of a month (its calendar
    month, up to the date) is credited to the status held at the end of that month.

    >>> s = pd.DataFrame({pd.Timestamp("2024-01-31"): ["actif", "dormant"]}, index=["A", "B"])
    >>> o = pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-05"], "gross_margin": [30.0]})
    >>> status_value(s, o)[["actif", "dormant"]].tolist()
    [30.0, 0.0]
    """
    codes = _codes_of(status)
    df = check_table(orders, "orders", [customer_col, value_col], dates=[date_col], allow_empty=True)
    cols = _parse_snapshot_dates(status.columns)
    month = df[date_col].dt.to_period("M")
    col = pd.Index(cols.to_period("M")).get_indexer(month)
    row = status.index.get_indexer(df[customer_col])
    inside = (col >= 0) & (row >= 0) & (df[date_col] <= cols[np.clip(col, 0, None)]).to_numpy()
    k = len(STATUSES)
    who = codes[row[inside], col[inside]]
    amounts = df.loc[inside, value_col].to_numpy(dtype=float)
    ok = who >= 0
    total = np.bincount(who[ok].astype(np.int64), weights=amounts[ok], minlength=k)
    count = np.bincount(codes[codes >= 0].astype(np.int64), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.Series(values, index=pd.Index(STATUSES, name="statut"), name=f"{value_col} par mois")


def _check_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    P = require_dataframe(matrix, "matrice de transition")
    if P.shape[0] != P.shape[1] or list(P.index) != list(P.columns):
        raise InvalidValueError(
            "la matrice de transition doit être carrée, avec les mêmes statuts en lignes et en colonnes."
        )
    values = P.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise InvalidValueError(
            "la matrice de transition contient des valeurs manquantes ou négatives : "
            "chaque ligne doit donner des probabilités (≥ 0)."
        )
    sums = values.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        row = P.index[int(np.argmax(np.abs(sums - 1)))]
        raise InvalidValueError(
            f"la ligne « {row} » de la matrice de transition ne somme pas à 1 "
            f"(somme : {sums[P.index.get_loc(row)]:.3f}) : normalisez chaque ligne."
        )
    return P


def project(
    initial: pd.Series,
    matrix: pd.DataFrame,
    n_steps: int,
    inflow: pd.Series | None = None,
    index=None,
) -> pd.DataFrame:
    """Markov projection of a portfolio: ``n(t+1) = n(t) · P + inflow`` for ``n_steps`` periods.

    ``initial`` and ``inflow`` (new people per period, e.g. into ``nouveau``) are Series
    indexed by status; missing statuses count as 0. Rows: step 1…n (or ``index``).

    >>> P = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> project(pd.Series({"a": 100}), P, 2)["a"].tolist()
    [50.0, 25.0]
    """
    P = _check_matrix(matrix)
    if not isinstance(n_steps, (int, np.integer)) or isinstance(n_steps, bool) or n_steps < 1:
        raise InvalidValueError(f"n_steps doit être un entier ≥ 1 (reçu : {n_steps!r}).")
    states = list(P.index)

    def as_vector(s: pd.Series | None, name: str) -> np.ndarray:
        if s is None:
            return np.zeros(len(states))
        s = pd.Series(s)
        unknown = [k for k in s.index if k not in states]
        if unknown:
            raise InvalidValueError(f"statut inconnu dans « {name} » : {unknown[0]!r} "
                                    f"(statuts de la matrice : {', '.join(map(str, states))}).")
        v = s.reindex(states).fillna(0).to_numpy(dtype=float)
        if (v < 0).any():
            raise InvalidValueError(f"« {name} » contient un effectif négatif.")
        return v

    n, add, p = as_vector(initial, "initial"), as_vector(inflow, "inflow"), P.to_numpy(dtype=float)
    rows = []
    for _ in range(int(n_steps)):  # a loop over periods, not over customers
        n = n @ p + add
        rows.append(n)
    idx = index if index is not None else pd.RangeIndex(1, n_steps + 1, name="étape")
    if len(idx) != n_steps:
        raise InvalidValueError(f"l'index doit avoir {n_steps} éléments (reçu : {len(idx)}).")
    return pd.DataFrame(np.array(rows), index=idx, columns=pd.Index(states, name="statut"))


# ------------------------------------------------------------------ win-back
def winback_candidates(
    status_at: pd.Series,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    as_of,
    value_col: str = "gross_margin",
    top_share: float = 0.25,
    consent_cols: tuple[str, ...] = ("consent_email", "consent_sms"),
) -> pd.DataFrame:
    """Dormant customers worth a win-back campaign: high past value and reachable.

    Keeps the customers ``dormant`` in ``status_at`` (statuses at ``as_of``) whose past
    value (sum of ``value_col`` up to ``as_of``) is in the top ``top_share`` of the
    dormant customers, who gave at least one consent in ``consent_cols`` and had not
    unsubscribed by ``as_of``. Sorted by past value, highest first.
    """
    require_dataframe(customers, "customers")
    cust = check_table(customers, "customers", ["customer_id", *consent_cols], allow_empty=True)
    o = check_table(orders, "orders", ["customer_id", value_col], dates=["order_date"], allow_empty=True)
    when = _parse_snapshot_dates(as_of)[0]
    if not 0 < top_share <= 1:
        raise InvalidValueError(f"top_share doit être une part entre 0 et 1 (reçu : {top_share!r}).")
    if not isinstance(status_at, pd.Series):
        raise InvalidValueError("status_at doit être une série pandas (les statuts à une date, indexés par client).")
    past = o[o["order_date"] <= when].groupby("customer_id").agg(
        n_orders=("order_date", "size"), past_value=(value_col, "sum"), last_order=("order_date", "max"))
    dormant = past.loc[past.index.intersection(status_at.index[status_at.astype(object) == "dormant"])]
    if dormant.empty:
        return dormant.assign(recency_days=pd.Series(dtype="int64"))
    cutoff = dormant["past_value"].quantile(1 - top_share)
    cust = cust.set_index("customer_id")
    reachable = cust[list(consent_cols)].fillna(0).astype(bool).any(axis=1)
    if "unsubscribe_date" in cust.columns:
        unsub = pd.to_datetime(cust["unsubscribe_date"], errors="coerce")
        reachable &= ~(unsub <= when)
    reach = reachable.reindex(dormant.index, fill_value=False)
    out = dormant[(dormant["past_value"] >= cutoff) & reach].copy()
    out["recency_days"] = (when - out["last_order"]).dt.days
    return out.sort_values(["past_value", "recency_days"], ascending=[False, True])


# ------------------------------------------------------------------ plots
def plot_portfolio(data: pd.DataFrame, ax=None, statuses: tuple[str, ...] = STATUSES,
                   title: str = "Portefeuille par statut"):
    """Stacked areas: number of people in each status over time (``data`` from :func:`portfolio`)."""
    import matplotlib.pyplot as plt

    require_columns(data, statuses, "portefeuille")
    if ax is None:
        ax = plt.gca()
    x = pd.DatetimeIndex(data.index)
    ax.stackplot(x, *[data[s].to_numpy(dtype=float) for s in statuses],
                 labels=list(statuses), colors=[STATUS_COLORS[s] for s in statuses], alpha=0.9)
    ax.set_title(title)
    ax.set_xlabel("fin de mois")
    ax.set_ylabel("nombre de personnes")
    ax.set_xlim(x.min(), x.max())
    ax.legend(loc="upper left", reverse=True, fontsize="small")
    from . import style

    style.format_axis(ax, y="num")
    style.month_axis(ax)
    return ax


def _widget_counts(history: PurchaseHistory, dormant_days: float, lost_days: float, new_days: float):
    """Portfolio counts (dates × statuses) and monthly flows for the widget, in numpy only."""
    codes = status_codes(history, dormant_days, lost_days, new_days)
    k = len(STATUSES)
    # one bincount over (date, status) pairs: no Python loop over dates
    m = codes.shape[1]
    flat = (np.arange(m)[None, :] * k + codes.astype(np.int64))[codes >= 0]
    counts = np.bincount(flat, minlength=m * k).reshape(m, k)
    src, dst = codes[:, :-1], codes[:, 1:]
    acquired = ((src < 1) & (dst == 1)).sum(axis=0)
    lost = ((src >= 1) & (src < 4) & (dst == 4)).sum(axis=0)
    won_back = ((src == 4) & (dst >= 1) & (dst < 4)).sum(axis=0)
    return counts, acquired, lost, won_back


def _threshold_counts(history: PurchaseHistory, new_days: float = 90):
    """``counts(dormant_days, lost_days)`` → what :func:`_widget_counts` gives, in well under 1 ms.

    The thresholds only cut the recency of the people who have bought: sorted once per
    date, the recencies give every count by binary search. One-time buyers past the welcome
    period are « nouveau » while their recency ≤ the dormant threshold (one more sorted
    array per date). New customers in the welcome period (recency ≤
    ``new_days`` ≤ the dormant threshold) and prospects do not depend on the thresholds;
    a move to « perdu » between two dates is a recency ≤ the threshold before and > after,
    counted as (≤ before) − (≤ before and after), and a return the other way round.
    """
    snap = _to_days(history.dates)
    m = len(snap)
    bought = history.last_day > _NONE
    recency = snap[None, :] - history.last_day
    new = bought & ((snap[None, :] - history.first_day[:, None]) <= new_days)
    prospects = (~bought & (history.signup_day[:, None] <= snap[None, :])).sum(axis=0)
    n_new = new.sum(axis=0)
    by_date = [np.sort(recency[bought[:, j], j]) for j in range(m)]
    # one-time buyers past the welcome period: « nouveau » while their recency ≤ the dormant threshold
    late_single = bought & ~new & (history.second_day[:, None] > snap[None, :])
    single_by_date = [np.sort(recency[late_single[:, j], j]) for j in range(m)]
    before, after, both = [], [], []
    for j in range(1, m):
        had = bought[:, j - 1]  # bought before j - 1: lost or back at j depends on the thresholds
        r0, r1 = recency[had, j - 1], recency[had, j]
        before.append(np.sort(r0))
        after.append(np.sort(r1))
        both.append(np.sort(np.maximum(r0, r1)))
    codes = status_codes(history, new_days, new_days + 1, new_days)  # conquests do not depend on them
    acquired = ((codes[:, :-1] < 1) & (codes[:, 1:] == 1)).sum(axis=0)

    def counts(dormant_days: float, lost_days: float):
        _check_thresholds(dormant_days, lost_days, new_days)
        out = np.zeros((m, len(STATUSES)), dtype=np.int64)
        out[:, 0], out[:, 1] = prospects, n_new
        for j, r in enumerate(by_date):
            active, kept = np.searchsorted(r, [dormant_days, lost_days], side="right")
            waiting = np.searchsorted(single_by_date[j], dormant_days, side="right")
            out[j, 1] = n_new[j] + waiting
            out[j, 2:] = active - n_new[j] - waiting, kept - active, len(r) - kept
        stay = np.array([np.searchsorted(b, lost_days, side="right") for b in both], dtype=np.int64)
        lost = np.array([np.searchsorted(b, lost_days, side="right") for b in before], dtype=np.int64) - stay
        back = np.array([np.searchsorted(a, lost_days, side="right") for a in after], dtype=np.int64) - stay
        return out, acquired, lost, back

    return counts


def status_view(history: PurchaseHistory, new_days: float = 90):
    """A live figure of customers by status (left) and monthly flows (right): ``(view, update)``.

    Built once: axes, legends, the fixed scale of the stock of customers. ``update(dormant_days,
    lost_days)`` only re-bins the precomputed ``history`` (numpy), moves the areas and the
    lines, and returns the title (the thresholds used); thresholds in the wrong order raise
    the French ``InvalidValueError``.

    >>> o = pd.DataFrame({"customer_id": ["A", "B"], "order_date": ["2024-01-10", "2024-02-05"]})
    >>> view, update = status_view(purchase_history(o, month_ends("2024-01-01", "2024-12-31")))
    >>> update(dormant_days=120, lost_days=240)
    'dormant après 120 jours sans achat, perdu après 240 jours'
    >>> view.png()[:4]
    b'\\x89PNG'
    """
    import matplotlib.dates as mdates

    from . import style
    from .widgets import LiveFigure, nice_limits

    view = LiveFigure((12, 4.6), ncols=2, heading="Portefeuille et flux selon les seuils du cycle de vie")
    ax_stock, ax_flow = view.axes
    x = pd.DatetimeIndex(history.dates)
    xnum = mdates.date2num(np.asarray(x.to_numpy(), dtype="datetime64[ns]"))
    zeros = np.zeros(len(x))
    polys = [ax_stock.fill_between(x, zeros, zeros, color=STATUS_COLORS[s], alpha=0.9, label=s, linewidth=0)
             for s in STATUSES[1:]]
    handles, labels = ax_stock.get_legend_handles_labels()
    ax_stock.legend(handles[::-1], labels[::-1], loc="upper left", fontsize="small")
    ax_stock.set(title="Clients par statut", xlabel="fin de mois", ylabel="nombre de clients",
                 xlim=(x.min(), x.max()))
    xf = x[1:]
    lines = [
        ax_flow.plot(xf, zeros[1:], color=STATUS_COLORS["nouveau"], label="conquêtes")[0],
        ax_flow.plot(xf, zeros[1:], color=STATUS_COLORS["perdu"], label="pertes (→ perdu)")[0],
        ax_flow.plot(xf, zeros[1:], color=style.COLORS["neutral"], linestyle="--", label="retours de perdus")[0],
    ]
    ax_flow.set(title="Flux mensuels", xlabel="fin de mois", ylabel="clients par mois", xlim=(xf.min(), xf.max()))
    ax_flow.legend(loc="upper left", fontsize="small")
    for ax in (ax_stock, ax_flow):
        style.format_axis(ax, y="num")
        style.month_axis(ax)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    counts_at = _threshold_counts(history, new_days)
    # the stock of customers (all statuses) does not depend on the thresholds: fixed scale
    total = counts_at(new_days, new_days + 1)[0][:, 1:].sum(axis=1)
    ax_stock.set_ylim(0, max(1.0, float(total.max())) * 1.05)
    ax_flow.set_ylim(0, 1)
    # legends stay in the background (upper left, where the areas never reach: the stack of
    # all customers starts small); the areas and lines are repainted over it
    view.animate(*polys, *lines)

    def update(dormant_days: float, lost_days: float) -> str:
        counts, acquired, lost, won_back = counts_at(dormant_days, lost_days)
        tops = np.cumsum(counts[:, 1:], axis=1).astype(float)
        bottom = np.zeros(len(xnum))
        for j, poly in enumerate(polys):
            top = tops[:, j]
            poly.set_verts([np.concatenate([np.column_stack([xnum, bottom]),
                                            np.column_stack([xnum[::-1], top[::-1]])])])
            bottom = top
        for line, y in zip(lines, (acquired, lost, won_back)):
            line.set_ydata(y)
        high = float(max(acquired.max(), lost.max(), won_back.max(), 1))
        ax_flow.set_ylim(nice_limits(0, high, current=ax_flow.get_ylim()))
        return (f"dormant après {style.fmt_number(dormant_days)} jours sans achat, "
                f"perdu après {style.fmt_number(lost_days)} jours")

    return view, update


def status_widget(history: PurchaseHistory, dormant_days: float, lost_days: float, new_days: float = 90,
                  step: int = 10, max_days: int = 720):
    """Sliders « dormant après » / « perdu après » → portfolio by status and monthly flows.

    The « perdu » slider is bounded below by the « dormant » one (a customer becomes dormant
    before being lost), the « dormant » one by ``new_days``. Returns the widget box (display
    it as the last expression of a cell); its ``view`` shows the current state.
    """
    from . import widgets

    view, update = status_view(history, new_days)
    low = int(np.ceil(new_days / step) * step)
    dormant = widgets.integer("dormant après (jours)", int(dormant_days), low, max_days - step, step)
    lost = widgets.integer("perdu après (jours)", int(lost_days), dormant.value + step, max_days, step)

    def adjust(controls, change) -> None:
        controls["lost_days"].min = controls["dormant_days"].value + step  # lost after dormant

    return widgets.explorer(view, update, {"dormant_days": dormant, "lost_days": lost}, adjust=adjust,
                            name="seuils dormant et perdu")
