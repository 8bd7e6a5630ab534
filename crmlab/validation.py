"""Shared guards: validate inputs once, at the boundary, with French messages.

Every public function of ``crmlab`` that takes a table calls these guards, so a
student who passes a wrong table reads *what* is wrong (the column, the value,
the row) and *what to do*, instead of a stack trace from deep inside pandas.

>>> import pandas as pd
>>> require_columns(pd.DataFrame({"a": [1]}), ["a"], table="orders")
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = [
    "CrmlabError",
    "MissingColumnError",
    "EmptyTableError",
    "InvalidDateError",
    "NegativeValueError",
    "InvalidValueError",
    "DataNotFoundError",
    "require_dataframe",
    "require_columns",
    "require_nonempty",
    "require_non_negative",
    "require_numeric",
    "require_number",
    "parse_dates",
    "check_table",
]


class CrmlabError(Exception):
    """Base class of the errors raised by crmlab (message in French)."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class MissingColumnError(CrmlabError, KeyError):
    """A required column is absent from a table."""


class EmptyTableError(CrmlabError, ValueError):
    """A table has no row."""


class InvalidDateError(CrmlabError, ValueError):
    """A value of a date column cannot be read as a date."""


class NegativeValueError(CrmlabError, ValueError):
    """An amount or a count that must be >= 0 is negative."""


class InvalidValueError(CrmlabError, ValueError):
    """Any other invalid argument or value (message says which and why)."""


class DataNotFoundError(CrmlabError, FileNotFoundError):
    """A data file is missing: the datasets have not been generated yet."""


def _py(value: object) -> object:
    """A plain Python scalar (``-4.5``, not ``np.float64(-4.5)``) for messages."""
    return value.item() if hasattr(value, "item") and callable(value.item) else value


def _preview(values: Iterable, n: int = 8) -> str:
    values = [str(v) for v in values]
    more = f", … (+{len(values) - n})" if len(values) > n else ""
    return ", ".join(values[:n]) + more


def require_dataframe(obj: object, table: str = "données") -> pd.DataFrame:
    """Return ``obj`` if it is a DataFrame, else raise a French ``InvalidValueError``."""
    if not isinstance(obj, pd.DataFrame):
        raise InvalidValueError(
            f"la table « {table} » doit être un DataFrame pandas, "
            f"pas un objet de type {type(obj).__name__}."
        )
    return obj


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str = "données") -> None:
    """Raise ``MissingColumnError`` naming the first absent column and those present.

    >>> require_columns(pd.DataFrame({"x": [1]}), ["order_date"], table="orders")
    Traceback (most recent call last):
    ...
    crmlab.validation.MissingColumnError: la colonne 'order_date' est absente de la table « orders » (colonnes présentes : x).
    """
    require_dataframe(df, table)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        col = missing[0]
        others = f" (et aussi : {_preview(missing[1:])})" if len(missing) > 1 else ""
        raise MissingColumnError(
            f"la colonne '{col}' est absente de la table « {table} »{others} "
            f"(colonnes présentes : {_preview(df.columns, 12)})."
        )


def require_nonempty(df: pd.DataFrame, table: str = "données") -> None:
    """Raise ``EmptyTableError`` when ``df`` has no row."""
    require_dataframe(df, table)
    if len(df) == 0:
        raise EmptyTableError(
            f"la table « {table} » est vide : aucune ligne à analyser. "
            "Vérifiez le filtre appliqué juste avant (période, segment, canal…)."
        )


def require_numeric(df: pd.DataFrame, column: str, table: str = "données") -> None:
    """Raise ``InvalidValueError`` when ``column`` is not numeric (naming a bad value)."""
    require_columns(df, [column], table)
    if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
        bad = pd.to_numeric(df[column], errors="coerce").isna() & df[column].notna()
        example = df.loc[bad, column].iloc[0] if bad.any() else df[column].iloc[0]
        raise InvalidValueError(
            f"la colonne '{column}' de la table « {table} » doit être numérique ; "
            f"valeur non numérique rencontrée : {_py(example)!r}."
        )


def require_number(value: object, label: str, name: str | None = None):
    """``value`` (a number or an array of numbers) as a float array, or a French error.

    ``label`` is what a student reads (``"la marge"``), ``name`` the argument's name.

    >>> require_number(0.8, "le taux de rétention").item()
    0.8
    """
    import numpy as np

    who = f"{label} (`{name}`)" if name else label
    if isinstance(value, (bool, np.bool_, str)):
        raise InvalidValueError(f"{who} doit être un nombre, pas {value!r}.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{who} doit être un nombre, pas {_py(value)!r}.") from None
    if np.isnan(arr).any():
        raise InvalidValueError(f"{who} contient une valeur manquante (NaN).")
    return arr


def require_non_negative(df: pd.DataFrame, column: str, table: str = "données") -> None:
    """Raise ``NegativeValueError`` naming the first negative value of ``column`` and its row."""
    require_numeric(df, column, table)
    neg = df[column] < 0
    if neg.any():
        row = neg.to_numpy().nonzero()[0][0]
        raise NegativeValueError(
            f"la colonne '{column}' de la table « {table} » contient une valeur négative "
            f"({_py(df[column].iloc[row])!r}, ligne {row}, index {_py(df.index[row])!r}) ; "
            "un montant ou un nombre ne peut pas être négatif ici. "
            "Retirez les avoirs / retours ou traitez-les à part."
        )


def parse_dates(df: pd.DataFrame, column: str, table: str = "données") -> pd.Series:
    """Return ``df[column]`` as datetimes, or raise ``InvalidDateError`` with the first bad value.

    Dates already parsed are returned unchanged; strings must be ISO (``2024-03-12``).
    Missing values stay ``NaT``.
    """
    require_columns(df, [column], table)
    s = df[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    parsed = pd.to_datetime(s, errors="coerce", format="ISO8601")
    bad = parsed.isna() & s.notna() & (s.astype("string").str.strip() != "")
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise InvalidDateError(
            f"la colonne '{column}' de la table « {table} » contient une date illisible : "
            f"{_py(s.iloc[row])!r} (ligne {row}). Format attendu : AAAA-MM-JJ, par exemple 2024-03-12."
        )
    return parsed


def check_table(
    df: pd.DataFrame,
    table: str,
    columns: Iterable[str] = (),
    dates: Iterable[str] = (),
    non_negative: Iterable[str] = (),
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Run the usual guards in one call and return a copy with ``dates`` parsed.

    >>> t = check_table(pd.DataFrame({"d": ["2024-01-02"], "x": [3]}), "t", ["d", "x"], dates=["d"])
    >>> t["d"].dt.year.item()
    2024
    """
    require_dataframe(df, table)
    columns = list(columns)
    dates = list(dates)
    non_negative = list(non_negative)
    require_columns(df, list(dict.fromkeys(columns + dates + non_negative)), table)
    if not allow_empty:
        require_nonempty(df, table)
    out = df.copy()
    for col in dates:
        out[col] = parse_dates(out, col, table)
    for col in non_negative:
        require_non_negative(out, col, table)
    return out
