"""RFM: recency, frequency, monetary value — tables, scores, named segments.

Two views of the same purchase history:

* ``rfm_table`` / ``rfm_scores`` / ``rfm_segments``: the marketer's RFM at a
  reference date (days since the last order, number of orders, total spent),
  scored in quantile classes and mapped to named segments with an action;
* ``customer_summary``: the modeller's summary (``frequency``, ``recency``,
  ``T``, ``monetary_value``) exactly as ``lifetimes`` defines it, vectorised
  (the input of BG/NBD and Gamma-Gamma fitters, chapter 07).

>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2],
...                    "order_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-05"]),
...                    "amount": [10.0, 30.0, 20.0]})
>>> customer_summary(tx, "customer_id", "order_date", "amount").loc[1].tolist()
[1.0, 10.0, 10.0, 30.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.validation import (
    InvalidDateError,
    InvalidValueError,
    parse_dates,
    require_columns,
    require_dataframe,
    require_non_negative,
    require_nonempty,
)

__all__ = [
    "customer_summary",
]

# Length of one period, in seconds, for the frequencies ``customer_summary`` accepts.
_PERIOD_SECONDS = {"D": 86_400, "W": 7 * 86_400, "h": 3_600, "min": 60, "s": 1}


def _period_index(values: np.ndarray, freq: str) -> np.ndarray:
    """Integer index of the period (pandas' ``to_period(freq)``) of datetime64 values.

    Weeks are pandas' default ``W`` = ``W-SUN`` periods, which start on Monday;
    1970-01-01 (day 0) is a Thursday, hence the shift of 3 days.
    """
    unit, _ = np.datetime_data(values.dtype)
    if unit not in ("s", "ms", "us", "ns"):
        values, unit = values.astype("datetime64[s]"), "s"
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    ticks = values.view("i8")
    if freq == "W":
        return (ticks // (86_400 * per_second) + 3) // 7
    return ticks // (_PERIOD_SECONDS[freq] * per_second)


def customer_summary(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    observation_period_end=None,
    freq: str = "D",
) -> pd.DataFrame:
    """Per-customer ``frequency``, ``recency``, ``T`` [, ``monetary_value``], as ``lifetimes``.

    Same arguments and same result as
    ``lifetimes.utils.summary_data_from_transaction_data``, computed with a
    single sort of (customer, period) keys instead of several pandas groupbys:

    * purchases are counted on distinct periods (``freq``: "D", "W", "h", "min",
      "s"); several transactions in one period count once, their values summed;
    * ``frequency`` = number of distinct purchase periods − 1 (repeat purchases);
    * ``recency`` = periods between the first and the last purchase period;
    * ``T`` = periods between the first purchase and ``observation_period_end``
      (default: the last transaction); later transactions are ignored;
    * ``monetary_value`` = mean of the per-period totals over repeat periods
      only, 0 when ``frequency`` is 0.

    Returned indexed by customer id (sorted), all columns ``float64``.

    >>> tx = pd.DataFrame({"c": ["a", "a", "a"], "d": ["2024-01-01", "2024-01-01", "2024-01-08"],
    ...                    "v": [5.0, 5.0, 12.0]})
    >>> customer_summary(tx, "c", "d", "v", observation_period_end="2024-01-15").loc["a"].to_dict()
    {'frequency': 1.0, 'recency': 7.0, 'T': 14.0, 'monetary_value': 12.0}
    """
    table = "transactions"
    require_dataframe(transactions, table)
    columns = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    require_columns(transactions, columns, table)
    require_nonempty(transactions, table)
    if freq not in _PERIOD_SECONDS:
        raise InvalidValueError(
            f"fréquence {freq!r} non prise en charge : choisissez parmi "
            f"{', '.join(repr(f) for f in _PERIOD_SECONDS)} (jour, semaine, heure, minute, seconde)."
        )
    dates = parse_dates(transactions, datetime_col, table)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    if dates.isna().any():
        row = int(dates.isna().to_numpy().nonzero()[0][0])
        raise InvalidDateError(
            f"la colonne '{datetime_col}' de la table « {table} » contient une date manquante "
            f"(ligne {row}) ; retirez ces lignes ou complétez la date."
        )
    period = _period_index(dates.to_numpy(), freq)
    if monetary_value_col:
        require_non_negative(transactions, monetary_value_col, table)

    if observation_period_end is None:
        end = int(period.max())
    else:
        try:
            end_ts = pd.Timestamp(observation_period_end)
        except (ValueError, TypeError):
            raise InvalidDateError(
                f"date de fin d'observation illisible : {observation_period_end!r}. "
                "Format attendu : AAAA-MM-JJ, par exemple 2024-03-12."
            ) from None
        if end_ts.tzinfo is not None:
            end_ts = end_ts.tz_localize(None)
        end = int(_period_index(np.array([end_ts.to_datetime64()]), freq)[0])
        first_date = dates.min()
        if end < period.min():
            raise InvalidValueError(
                f"la date de fin d'observation ({end_ts.date()}) est antérieure au premier achat "
                f"de la table « {table} » ({first_date.date()}) : aucun client à résumer. "
                "Choisissez une date postérieure au début des données."
            )

    # Customers as non-negative integer codes, ordered like sorted ids.
    ids = transactions[customer_id_col]
    start = int(period.min())
    span = end - start + 1
    id_values = ids.to_numpy()
    direct = False
    if pd.api.types.is_integer_dtype(ids.dtype) and not isinstance(id_values, pd.api.extensions.ExtensionArray):
        lo, hi = int(id_values.min()), int(id_values.max())
        direct = (hi - lo + 1) * span < 2**62
    if direct:
        codes = id_values.astype(np.int64) - lo
        keep = period <= end
    else:
        codes, uniques = pd.factorize(ids, sort=True)
        codes = codes.astype(np.int64)
        keep = (period <= end) & (codes >= 0)
    if not keep.all():
        codes, period = codes[keep], period[keep]
    key = codes * span + (period - start)

    # One sort of the (customer, period) keys: runs of equal keys are the purchase
    # periods; runs of equal customers among them are the customers.
    if monetary_value_col:
        # argsort through a plain sort: pack the row number in the low bits of the key
        # (np.sort is about twice as fast as np.argsort on int64).
        bits = max(int(len(key) - 1).bit_length(), 1)
        if span * (int(codes.max()) + 1) < 2 ** (62 - bits):
            packed = np.sort((key << bits) | np.arange(len(key), dtype=np.int64))
            order = packed & ((1 << bits) - 1)
            skey = packed >> bits
        else:
            order = np.argsort(key)
            skey = key[order]
    else:
        skey = np.sort(key)
    new_pair = np.empty(len(skey), dtype=bool)
    new_pair[:1] = True
    np.not_equal(skey[1:], skey[:-1], out=new_pair[1:])
    pair_start = np.flatnonzero(new_pair)
    pair_key = skey[pair_start]
    pair_customer, pair_period = np.divmod(pair_key, span)
    new_customer = np.empty(len(pair_key), dtype=bool)
    new_customer[:1] = True
    np.not_equal(pair_customer[1:], pair_customer[:-1], out=new_customer[1:])
    first = np.flatnonzero(new_customer)
    last = np.append(first[1:], len(pair_key)) - 1
    n_periods = last - first + 1

    out = {
        "frequency": (n_periods - 1).astype(np.float64),
        "recency": (pair_period[last] - pair_period[first]).astype(np.float64),
        "T": ((end - start) - pair_period[first]).astype(np.float64),
    }
    if monetary_value_col:
        values = transactions[monetary_value_col].to_numpy(dtype=np.float64)
        if not keep.all():
            values = values[keep]
        period_total = np.add.reduceat(values[order], pair_start)
        period_total[first] = 0.0  # the first purchase period is not a repeat
        repeat_total = np.add.reduceat(period_total, first)
        frequency = out["frequency"]
        out["monetary_value"] = np.divide(
            repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0
        )

    if direct:
        index = pd.Index((pair_customer[first] + lo).astype(id_values.dtype), name=customer_id_col)
    else:
        index = uniques.take(pair_customer[first])
        index = pd.Index(index, name=customer_id_col)
    return pd.DataFrame(out, index=index)
