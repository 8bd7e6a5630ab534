"""Probabilistic customer-base models ("buy till you die"): a thin shim around ``lifetimes``.

``lifetimes`` fits the BG/NBD (Fader, Hardie & Lee, 2005, *Marketing Science*) and the
Gamma-Gamma spend model (Fader, Hardie & Lee, 2005, *JMR*) well under pandas 3; this
module adds only what it lacks or breaks:

- ``_import_lifetimes``: the import, with the one known ``Pandas4Warning`` it raises
  under pandas 3 caught locally (never a global filter);
- ``calibration_and_holdout``: the calibration / holdout split (lifetimes' own version
  fails on pandas 3 without a monetary column), built on ``crmlab.rfm.customer_summary``;
- ``fit_bgnbd`` / ``fit_gamma_gamma``: input checks with French messages, then the
  lifetimes fitters;
- ``alive_matrix`` / ``purchases_matrix`` / ``plot_matrix``: the frequency × recency
  matrices drawn with French labels (``lifetimes.plotting`` is partly broken on pandas 3);
- ``holdout_comparison``: predicted vs actual holdout purchases per frequency class;
- ``expected_purchases_by_month`` / ``discounted_clv``: a discounted CLV whose
  discounting is a cheap matrix product (a widget can re-discount without refitting);
- ``contribution_per_order`` / ``expected_contribution``: the 12-month residual value at
  contribution after cost to serve, the value base of docs/conventions.md (section 3).

>>> from crmlab import btyd                                   # doctest: +SKIP
>>> cal = btyd.calibration_and_holdout(tx, "customer_id", "date",
...                                    "1997-09-30", "1998-06-30", freq_multiplier=7)  # doctest: +SKIP
>>> model = btyd.fit_bgnbd(cal, "frequency_cal", "recency_cal", "T_cal")  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .clv import DISCOUNT_RATE
from .style import COLORS, fmt_number, fmt_pct
from .validation import InvalidValueError, check_table, require_columns, require_non_negative, require_number

__all__ = [
    "calibration_and_holdout",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "model_params",
    "alive_matrix",
    "purchases_matrix",
    "plot_matrix",
    "holdout_comparison",
    "expected_purchases_by_month",
    "discounted_clv",
    "contribution_per_order",
    "expected_contribution",
    "plot_customer_profile",
    "check_profile",
    "customer_profile_figure",
    "profile_widget",
    "DAYS_PER_MONTH",
]

DAYS_PER_MONTH = 365.25 / 12

# The only warning ``import lifetimes`` emits under pandas 3: lifetimes/utils.py sets the
# option 'mode.chained_assignment', deprecated since pandas 3.0 (no effect any more).
_IMPORT_WARNING_MESSAGE = r".*mode\.chained_assignment"


def _import_lifetimes() -> Any:
    """Import ``lifetimes`` with its one known pandas-3 deprecation warning caught here only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_IMPORT_WARNING_MESSAGE,
                                category=pd.errors.Pandas4Warning)
        import lifetimes
    return lifetimes


def _timestamp(value: Any, name: str) -> pd.Timestamp:
    """A date argument as a Timestamp, or a French error naming the argument."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if value is None or pd.isna(ts):
        raise InvalidValueError(
            f"la date « {name} » est illisible ou absente : {value!r}. "
            "Format attendu : AAAA-MM-JJ, par exemple 2024-12-31."
        )
    return ts


# ------------------------------------------------------------------ the split
def calibration_and_holdout(
    transactions: pd.DataFrame,
    customer_id_col: str = "customer_id",
    datetime_col: str = "order_date",
    calibration_period_end: Any = None,
    observation_period_end: Any = None,
    freq: str = "D",
    monetary_value_col: str | None = None,
    freq_multiplier: float = 1,
) -> pd.DataFrame:
    """Summarise each customer over a calibration period, and count their holdout purchases.

    Customers are those with a purchase on or before ``calibration_period_end``. The
    calibration columns are ``customer_summary``'s (``frequency_cal``, ``recency_cal``,
    ``T_cal``, ``monetary_value_cal``); the holdout ones are ``frequency_holdout`` (number
    of periods with a purchase in (calibration end, observation end]),
    ``monetary_value_holdout`` (mean spend per purchase period, 0 if none) and
    ``duration_holdout``. Times are in ``freq`` units divided by ``freq_multiplier``
    (``freq="D", freq_multiplier=7``: weeks, counted in days).

    >>> tx = pd.DataFrame({"customer_id": ["A", "A", "A"],
    ...                    "order_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-02-05"])})
    >>> calibration_and_holdout(tx, calibration_period_end="2024-01-31",
    ...                         observation_period_end="2024-02-29").loc["A"].tolist()
    [1.0, 10.0, 30.0, 1.0, 29.0]
    """
    from .rfm import customer_summary

    columns = [customer_id_col] + ([monetary_value_col] if monetary_value_col else [])
    tx = check_table(transactions, "transactions", columns, dates=[datetime_col],
                     non_negative=[monetary_value_col] if monetary_value_col else [])
    cal_end = _timestamp(calibration_period_end, "calibration_period_end")
    obs_end = _timestamp(observation_period_end, "observation_period_end")
    if cal_end >= obs_end:
        raise InvalidValueError(
            f"la fin de la période de calibration ({cal_end.date()}) doit précéder la fin "
            f"de l'observation ({obs_end.date()}) : sinon il n'y a pas de période de test "
            "(holdout). Choisissez une date de calibration plus ancienne."
        )
    if not freq_multiplier or freq_multiplier <= 0:
        raise InvalidValueError(f"freq_multiplier doit être strictement positif, pas {freq_multiplier!r}.")
    dates = tx[datetime_col]
    if dates.isna().any():
        row = int(dates.isna().to_numpy().nonzero()[0][0])
        raise InvalidValueError(
            f"la colonne '{datetime_col}' de la table « transactions » a une date manquante "
            f"(ligne {row}) : retirez ces lignes ou complétez la date."
        )
    if (dates > cal_end).all():
        raise InvalidValueError(
            f"aucun achat n'a lieu avant la fin de la calibration ({cal_end.date()}) : "
            f"le premier achat date du {dates.min().date()}. Choisissez une date plus tardive."
        )

    calibration = tx.loc[dates <= cal_end]
    summary = customer_summary(calibration, customer_id_col, datetime_col,
                               monetary_value_col=monetary_value_col,
                               observation_period_end=cal_end, freq=freq)
    if customer_id_col in summary.columns:
        summary = summary.set_index(customer_id_col)
    keep = ["frequency", "recency", "T"] + (["monetary_value"] if monetary_value_col else [])
    out = summary[keep].astype(float)
    out[["recency", "T"]] = out[["recency", "T"]] / freq_multiplier
    out.columns = [f"{c}_cal" for c in out.columns]

    holdout = tx.loc[(dates > cal_end) & (dates <= obs_end)]
    periods = holdout[datetime_col].dt.to_period(freq)
    key = [holdout[customer_id_col], periods.rename("_period")]
    if monetary_value_col:
        per_period = holdout[monetary_value_col].groupby(key).sum()
    else:
        per_period = pd.Series(1.0, index=holdout.index).groupby(key).sum()
    grouped = per_period.groupby(level=0)
    out["frequency_holdout"] = grouped.size().reindex(out.index, fill_value=0).astype(float)
    if monetary_value_col:
        out["monetary_value_holdout"] = grouped.mean().reindex(out.index, fill_value=0.0).astype(float)
    n_periods = (pd.Period(obs_end, freq) - pd.Period(cal_end, freq)).n
    out["duration_holdout"] = n_periods / freq_multiplier
    out.index.name = customer_id_col
    return out


# ------------------------------------------------------------------ fitting
def _check_summary(summary: pd.DataFrame, frequency_col: str, recency_col: str, T_col: str) -> None:
    table = "résumé client"
    require_columns(summary, [frequency_col, recency_col, T_col], table)
    for col in (frequency_col, recency_col, T_col):
        require_non_negative(summary, col, table)
    f, r, t = (summary[c].to_numpy(dtype=float) for c in (frequency_col, recency_col, T_col))
    if len(f) == 0:
        raise InvalidValueError("le résumé client est vide : aucun client à modéliser.")
    if np.any(f != np.round(f)):
        raise InvalidValueError(f"la colonne '{frequency_col}' doit compter des achats répétés (nombres entiers).")
    if np.any(r > t + 1e-9):
        row = int(np.argmax(r > t + 1e-9))
        raise InvalidValueError(
            f"la récence ('{recency_col}' = {r[row]:g}) dépasse l'ancienneté ('{T_col}' = {t[row]:g}) "
            f"à la ligne {row} : la date de fin d'observation précède-t-elle un achat ?"
        )
    if np.any((f == 0) & (r != 0)):
        raise InvalidValueError(
            f"un client sans achat répété ('{frequency_col}' = 0) doit avoir une récence nulle : "
            "la récence se mesure ici du premier au dernier achat."
        )


def fit_bgnbd(
    summary: pd.DataFrame,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    penalizer_coef: float = 0.0,
) -> Any:
    """Fit the BG/NBD model (lifetimes' ``BetaGeoFitter``) on a customer summary.

    Returns the fitted lifetimes model (``.params_``: r, alpha, a, b; methods
    ``conditional_probability_alive``, ``conditional_expected_number_of_purchases_up_to_time``…).

    >>> model = fit_bgnbd(summary)          # doctest: +SKIP
    >>> model.params_["r"]                  # doctest: +SKIP
    """
    _check_summary(summary, frequency_col, recency_col, T_col)
    lifetimes = _import_lifetimes()
    model = lifetimes.BetaGeoFitter(penalizer_coef=penalizer_coef)
    # lifetimes' likelihood calls warnings.simplefilter(...) at every evaluation:
    # catch_warnings() restores the caller's filters afterwards (no global side effect).
    with warnings.catch_warnings():
        model.fit(summary[frequency_col].to_numpy(dtype=float), summary[recency_col].to_numpy(dtype=float),
                  summary[T_col].to_numpy(dtype=float), index=summary.index)
    return model


def fit_gamma_gamma(
    summary: pd.DataFrame,
    frequency_col: str = "frequency",
    monetary_value_col: str = "monetary_value",
    penalizer_coef: float = 0.0,
) -> Any:
    """Fit the Gamma-Gamma spend model on the customers with at least one repeat purchase.

    Returns lifetimes' fitted ``GammaGammaFitter`` (``.params_``: p, q, v — v is the
    paper's gamma); ``conditional_expected_average_profit(frequency, monetary_value)``
    gives each customer's expected spend per purchase.

    >>> gg = fit_gamma_gamma(summary)       # doctest: +SKIP
    """
    table = "résumé client"
    require_columns(summary, [frequency_col, monetary_value_col], table)
    require_non_negative(summary, frequency_col, table)
    require_non_negative(summary, monetary_value_col, table)
    repeat = summary.loc[summary[frequency_col] > 0]
    if len(repeat) < 2:
        raise InvalidValueError("il faut au moins deux clients avec un achat répété pour ajuster le modèle Gamma-Gamma.")
    if (repeat[monetary_value_col] <= 0).any():
        raise InvalidValueError(
            f"la colonne '{monetary_value_col}' doit être strictement positive pour les clients "
            "ayant racheté : retirez les achats à 0 € ou traitez-les à part."
        )
    lifetimes = _import_lifetimes()
    model = lifetimes.GammaGammaFitter(penalizer_coef=penalizer_coef)
    with warnings.catch_warnings():  # see fit_bgnbd
        model.fit(repeat[frequency_col].to_numpy(dtype=float), repeat[monetary_value_col].to_numpy(dtype=float))
    return model


def model_params(model: Any) -> pd.Series:
    """The fitted parameters with the papers' names (Gamma-Gamma's ``v`` becomes ``gamma``)."""
    return model.params_.rename({"v": "gamma"}).astype(float)


# ------------------------------------------------------------------ matrices
def _grid(max_frequency: int, max_recency: float, n_recency: int | None) -> tuple[np.ndarray, np.ndarray]:
    if max_frequency < 0 or max_recency <= 0:
        raise InvalidValueError("max_frequency doit être ≥ 0 et max_recency > 0.")
    freq = np.arange(int(max_frequency) + 1, dtype=float)
    rec = np.linspace(0, max_recency, n_recency) if n_recency else np.arange(int(max_recency) + 1, dtype=float)
    return freq, rec


def _matrix(values: np.ndarray, freq: np.ndarray, rec: np.ndarray) -> pd.DataFrame:
    values = np.where((freq[:, None] == 0) & (rec[None, :] > 0), np.nan, values)  # impossible cells
    return pd.DataFrame(values, index=pd.Index(freq.astype(int), name="frequency"),
                        columns=pd.Index(np.round(rec, 6), name="recency"))


def alive_matrix(model: Any, T: float, max_frequency: int = 20, max_recency: float | None = None,
                 n_recency: int | None = None) -> pd.DataFrame:
    """P(alive) for every (frequency, recency) of a customer of age ``T``.

    Rows: frequency 0…max_frequency; columns: recency 0…max_recency (default ``T``).
    A frequency of 0 is only possible with a recency of 0 (other cells are NaN).

    >>> alive_matrix(model, T=39).loc[5, 39.0]    # doctest: +SKIP
    """
    freq, rec = _grid(max_frequency, T if max_recency is None else max_recency, n_recency)
    f, r = np.meshgrid(freq, rec, indexing="ij")
    return _matrix(model.conditional_probability_alive(f, r, T), freq, rec)


def purchases_matrix(model: Any, T: float, t: float = 1, max_frequency: int = 20,
                     max_recency: float | None = None, n_recency: int | None = None) -> pd.DataFrame:
    """Expected purchases in the next ``t`` periods for every (frequency, recency) at age ``T``."""
    freq, rec = _grid(max_frequency, T if max_recency is None else max_recency, n_recency)
    f, r = np.meshgrid(freq, rec, indexing="ij")
    return _matrix(model.conditional_expected_number_of_purchases_up_to_time(t, f, r, T), freq, rec)


def plot_matrix(matrix: pd.DataFrame, ax=None, title: str = "", colorbar_label: str = "",
                xlabel: str = "Récence : âge au dernier achat", ylabel: str = "Fréquence : achats répétés",
                cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None):
    """Draw a frequency × recency matrix as a heat map (frequency up, recency right).

    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    rec = matrix.columns.to_numpy(dtype=float)
    freq = matrix.index.to_numpy(dtype=float)
    dr = rec[1] - rec[0] if len(rec) > 1 else 1.0
    image = ax.imshow(matrix.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap,
                      vmin=vmin, vmax=vmax, interpolation="nearest",
                      extent=(rec[0] - dr / 2, rec[-1] + dr / 2, freq[0] - 0.5, freq[-1] + 0.5))
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(colorbar_label)
    ax.grid(False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


# ------------------------------------------------------------------ validation
def holdout_comparison(
    data: pd.DataFrame,
    model: Any,
    max_frequency: int = 7,
    frequency_col: str = "frequency_cal",
    recency_col: str = "recency_cal",
    T_col: str = "T_cal",
    holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases per calibration frequency class.

    Classes are 0, 1, …, ``max_frequency - 1`` and ``"max_frequency+"``; a last row
    ``"Total"`` gives the sums over every customer. Columns: ``n_customers``,
    ``actual``, ``predicted`` (means per customer; sums in the Total row).

    >>> holdout_comparison(cal, model).loc["Total", "predicted"]   # doctest: +SKIP
    """
    require_columns(data, [frequency_col, recency_col, T_col, holdout_col, duration_col], "calibration / holdout")
    predicted = model.conditional_expected_number_of_purchases_up_to_time(
        data[duration_col].to_numpy(dtype=float), data[frequency_col].to_numpy(dtype=float),
        data[recency_col].to_numpy(dtype=float), data[T_col].to_numpy(dtype=float))
    f = data[frequency_col].to_numpy(dtype=int)
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    cls = pd.Categorical(np.array(labels, dtype=object)[np.minimum(f, max_frequency)], categories=labels)
    frame = pd.DataFrame({"cls": cls, "actual": data[holdout_col].to_numpy(dtype=float), "predicted": predicted})
    table = frame.groupby("cls", observed=False).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
    table.loc["Total"] = [len(frame), frame["actual"].sum(), frame["predicted"].sum()]
    table["n_customers"] = table["n_customers"].astype(int)
    table.index = pd.Index(list(table.index), name="frequency_class")
    return table


# ------------------------------------------------------------------ value
def expected_purchases_by_month(
    model: Any,
    data: pd.DataFrame,
    months: int = 12,
    period_days: float = 7,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
) -> pd.DataFrame:
    """Expected purchases of each customer in each of the next ``months`` months.

    ``period_days`` is the length of the model's time unit in days (7 when recency
    and T are in weeks). One column per month (1…months), one row per customer.
    """
    require_columns(data, [frequency_col, recency_col, T_col], "résumé client")
    if months < 1:
        raise InvalidValueError("l'horizon doit compter au moins un mois.")
    f, r, t = (data[c].to_numpy(dtype=float)[:, None] for c in (frequency_col, recency_col, T_col))
    horizon = np.arange(0, months + 1, dtype=float)[None, :] * DAYS_PER_MONTH / period_days
    cumulative = model.conditional_expected_number_of_purchases_up_to_time(horizon, f, r, t)
    cumulative[:, 0] = 0.0
    return pd.DataFrame(np.diff(cumulative, axis=1), index=data.index,
                        columns=pd.RangeIndex(1, months + 1, name="month"))


def discounted_clv(
    monthly_purchases: pd.DataFrame,
    value_per_purchase: pd.Series | np.ndarray | float,
    annual_discount_rate: float = 0.10,
    months: int | None = None,
) -> pd.Series:
    """Discounted value: sum over months of purchases × value per purchase / (1 + d)^(month/12).

    ``monthly_purchases`` comes from :func:`expected_purchases_by_month`; give a margin
    per purchase (spend × margin rate) for a value in margin. ``months`` keeps the first
    months only (default: all). Cheap (one matrix product): fit to re-discount live.

    >>> discounted_clv(pd.DataFrame({1: [1.0], 2: [1.0]}), 100.0, 0.0).tolist()
    [200.0]
    """
    if annual_discount_rate <= -1:
        raise InvalidValueError("le taux d'actualisation doit être supérieur à -100 %.")
    purchases = monthly_purchases if months is None else monthly_purchases.iloc[:, :months]
    m = np.asarray(purchases.columns, dtype=float)
    factors = (1.0 + annual_discount_rate) ** (-m / 12.0)
    value = np.asarray(value_per_purchase, dtype=float)
    return pd.Series(purchases.to_numpy() @ factors * value, index=purchases.index, name="clv")


def _per_customer(value, index: pd.Index, label: str) -> np.ndarray:
    """A number, an array in ``index`` order, or a Series aligned on ``index`` (French error if a customer lacks one)."""
    if isinstance(value, pd.Series):
        missing = index.difference(value.index)
        if len(missing):
            raise InvalidValueError(
                f"{label} manque pour le client {missing[0]!r} (et {len(missing) - 1} autre(s)) : "
                "la série doit être indexée par l'identifiant client, comme les achats attendus."
            )
        value = value.reindex(index)
    arr = require_number(value, label)
    if arr.ndim and arr.shape != (len(index),):
        raise InvalidValueError(f"{label} doit donner un nombre par client ({len(index)}), pas {arr.shape[0]}.")
    return arr


def contribution_per_order(
    spend: pd.Series | np.ndarray | float,
    margin_rate: float | pd.Series,
    cost_per_order: pd.Series | np.ndarray | float = 0.0,
):
    """Contribution of an order after cost to serve: ``margin_rate × spend − cost_per_order``.

    The value base of docs/conventions.md (section 3): ``spend`` is the expected spend
    per order (Gamma-Gamma), ``margin_rate`` the gross margin rate (gross margin / sales,
    0.35 for 35 %), ``cost_per_order`` the cost to serve per order (chapter 06,
    :func:`crmlab.profitability.cost_per_order`). It may be negative: an order can cost
    more to serve than its margin. A Series in (``spend``) gives a Series out, aligned on it.

    >>> contribution_per_order(100.0, 0.35, 12.0)
    23.0
    """
    index = spend.index if isinstance(spend, pd.Series) else None
    s = require_number(spend, "la dépense attendue par commande")
    if (s < 0).any():
        raise InvalidValueError("la dépense attendue par commande ne peut pas être négative.")
    if index is not None:
        rate = _per_customer(margin_rate, index, "le taux de marge brute")
        cost = _per_customer(cost_per_order, index, "le coût de service par commande")
    else:
        rate = require_number(margin_rate, "le taux de marge brute")
        cost = require_number(cost_per_order, "le coût de service par commande")
    if ((rate < 0) | (rate > 1)).any():
        bad = rate[(rate < 0) | (rate > 1)].flat[0]
        raise InvalidValueError(
            f"le taux de marge brute est une part du chiffre d'affaires, entre 0 et 1 (reçu : {bad:g}) : "
            "35 % s'écrit 0.35."
        )
    if (cost < 0).any():
        raise InvalidValueError(
            f"le coût de service par commande ne peut pas être négatif (reçu : {cost[cost < 0].flat[0]:g})."
        )
    value = rate * s - cost
    if index is not None:
        return pd.Series(np.broadcast_to(value, (len(index),)), index=index, name="contribution_per_order")
    return float(value) if value.ndim == 0 else value


def expected_contribution(
    monthly_purchases: pd.DataFrame,
    spend: pd.Series | np.ndarray | float,
    margin_rate: float | pd.Series,
    cost_per_order: pd.Series | np.ndarray | float = 0.0,
    discount: float = DISCOUNT_RATE,
    months: int = 12,
) -> pd.Series:
    """Residual value of each current customer over the next ``months`` months, at contribution.

    Named for what it sums (the discounted contribution of the expected orders) so it is not
    confused with :func:`crmlab.clv.residual_value`, the retention-model residual value
    ``m r / (1 + d − r)`` of chapter 06; both are residual values in the sense of
    docs/conventions.md (the customer's value from now on, not a lifetime value).

    ``sum over months k = 1..months of purchases_k × contribution / (1 + d) ** (k / 12)``:
    the expected purchases of month ``k`` (:func:`expected_purchases_by_month`) times the
    contribution of an order after cost to serve (:func:`contribution_per_order`), booked
    at the end of their month and discounted at the monthly rate equivalent to the annual
    rate ``discount`` (docs/conventions.md, sections 4 to 6). This is the value of the
    customer's next ``months`` months, not a lifetime value. ``spend`` and
    ``cost_per_order`` are numbers or Series aligned on the customers (index of
    ``monthly_purchases``).

    >>> purchases = pd.DataFrame({1: [1.0], 2: [1.0]}, index=["a"])
    >>> expected_contribution(purchases, 100.0, 0.35, 12.0, discount=0.0, months=2).tolist()   # 2 × (35 − 12)
    [46.0]
    """
    if not isinstance(monthly_purchases, pd.DataFrame):
        raise InvalidValueError("les achats attendus doivent être un tableau clients × mois "
                                "(résultat de btyd.expected_purchases_by_month).")
    if isinstance(months, (bool, np.bool_)) or not float(months).is_integer() or months < 1:
        raise InvalidValueError(f"l'horizon `months` est un nombre entier de mois ≥ 1 (reçu : {months!r}).")
    months = int(months)
    if months > monthly_purchases.shape[1]:
        raise InvalidValueError(
            f"les achats attendus couvrent {monthly_purchases.shape[1]} mois, pas {months} : "
            f"relancez btyd.expected_purchases_by_month(..., months={months})."
        )
    d = float(require_number(discount, "le taux d'actualisation"))
    if d < 0:
        raise InvalidValueError(f"le taux d'actualisation doit être positif ou nul (reçu : {d:g}), 0.1 pour 10 % par an.")
    index = monthly_purchases.index
    per_order = np.broadcast_to(_per_customer(spend, index, "la dépense attendue par commande"), (len(index),))
    contribution = contribution_per_order(pd.Series(per_order, index=index), margin_rate, cost_per_order)
    value = discounted_clv(monthly_purchases, contribution.to_numpy(dtype=float), d, months=months)
    return value.rename("expected_contribution")


# ------------------------------------------------------------------ widget
def check_profile(frequency: float, recency: float, T: float, unit: str = "semaines") -> float:
    """The recency a BG/NBD profile uses, or a French error for an impossible profile.

    ``recency`` is the age at the last repeat purchase: it cannot exceed the age ``T``
    (nobody buys after today) and is 0 by definition without a repeat purchase (any
    other value is then ignored: the returned recency is 0).

    >>> check_profile(0, 30, 52)
    0.0
    >>> check_profile(3, 60, 52)
    Traceback (most recent call last):
    ...
    crmlab.validation.InvalidValueError: profil impossible : un dernier achat à 60 semaines d'âge pour un client de 52 semaines d'ancienneté (la récence ne peut pas dépasser l'ancienneté : on n'achète pas après aujourd'hui).
    """
    for label, value in (("le nombre d'achats répétés", frequency), ("la récence", recency), ("l'ancienneté", T)):
        if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(float(value)) or value < 0:
            raise InvalidValueError(f"{label} doit être un nombre positif ou nul (reçu : {value!r}).")
    if T <= 0:
        raise InvalidValueError(f"l'ancienneté doit être positive (reçu : {T!r}) : le client a fait son premier achat.")
    if frequency == 0:
        return 0.0
    if recency > T:
        raise InvalidValueError(
            f"profil impossible : un dernier achat à {fmt_number(recency)} {unit} d'âge pour un client de "
            f"{fmt_number(T)} {unit} d'ancienneté (la récence ne peut pas dépasser l'ancienneté : "
            "on n'achète pas après aujourd'hui).")
    return float(recency)


def _profile_artists(model: Any, axes, horizon: float, unit: str, view=None):
    """Draw the two profile panels once; return ``(update, moving)``.

    ``update(frequency, recency, T)`` checks the profile (:func:`check_profile`), moves the
    artists of both panels and returns ``(p_alive, expected, recency_used)``; ``moving``
    lists the artists it moves (for a live figure). The panel titles give P(alive) and the
    expected purchases, or, for a live ``view`` (:class:`crmlab.widgets.LiveFigure`), what
    each panel shows (the view puts the values in its own title: fixed texts are drawn
    once, changing ones are its fast labels).
    """
    from .widgets import nice_limits

    ax_alive, ax_buy = axes
    (curve,) = ax_alive.plot([], [], color=COLORS["primary"])
    (point,) = ax_alive.plot([], [], "o", color=COLORS["accent"], markersize=11, zorder=3)
    live = view is not None
    future = ax_alive.axvspan(0, 0, color=COLORS["neutral"], alpha=0.15, lw=0)  # ages after today
    text = dict(transform=ax_alive.get_xaxis_transform(), rotation=90, color=COLORS["neutral"])
    future_text = (view.label(0, 0.5, "après aujourd'hui", va="center", **text) if live else
                   ax_alive.text(0, 0.5, "après aujourd'hui", ha="center", va="center", **text))
    ax_alive.set(ylim=(0, 1.05), xlabel=f"Récence : âge au dernier achat ({unit})",
                 ylabel="Probabilité d'être encore client")
    (mine_line,) = ax_buy.plot([], [], color=COLORS["accent"], label="ce profil")
    (new_line,) = ax_buy.plot([], [], color=COLORS["neutral"], linestyle="--", label="sans achat répété (même âge)")
    ax_buy.set(xlim=(0, horizon), xlabel=f"Horizon ({unit})", ylabel="Achats attendus (cumul)")
    ax_buy.legend(loc="upper left")
    t = np.linspace(0.0, horizon, 60)
    rec_unit = np.linspace(0.0, 1.0, 120)

    def update(frequency: int, recency: float, T: float) -> tuple[float, float, float]:
        rec_used = check_profile(frequency, recency, T, unit)
        age, f = float(T), float(frequency)
        rec = rec_unit * age
        alive = model.conditional_probability_alive(np.full_like(rec, f), rec, age)
        p_alive = float(np.asarray(model.conditional_probability_alive(f, rec_used, age)).ravel()[0])
        curve.set_data(rec, alive)
        point.set_data([rec_used], [p_alive])
        # round limits (kept while the age fits): most moves reuse the background
        high = nice_limits(0.0, age, current=ax_alive.get_xlim(), margin=0.0)[1]
        ax_alive.set_xlim(0, high)
        future.set_x(age)
        future.set_width(max(high - age, 0.0))
        future_text.set_position((age + (high - age) / 2, 0.5))
        future_text.set_visible(high - age > 0.06 * high)
        if not live:
            ax_alive.set_title(f"P(actif) = {fmt_pct(p_alive, 0)}")
        mine = model.conditional_expected_number_of_purchases_up_to_time(t, f, rec_used, age)
        new = model.conditional_expected_number_of_purchases_up_to_time(t, 0.0, 0.0, age)
        mine_line.set_data(t, mine)
        new_line.set_data(t, new)
        ax_buy.set_ylim(nice_limits(0.0, max(1.0, float(np.max(mine)), float(np.max(new))),
                                    current=ax_buy.get_ylim()))
        if not live:
            ax_buy.set_title(f"{fmt_number(mine[-1], 1)} achats attendus en {fmt_number(horizon)} {unit}")
        return p_alive, float(mine[-1]), rec_used

    if live:
        ax_alive.set_title("Probabilité d'être encore client")
        ax_buy.set_title(f"Achats attendus dans les {fmt_number(horizon)} {unit}")
    return update, [future, curve, point, mine_line, new_line]


def _profile_title(frequency: int, recency: float, T: float, unit: str) -> str:
    bought = ("aucun achat répété (récence 0)" if frequency == 0 else
              f"{fmt_number(frequency)} achat{'s' if frequency > 1 else ''} répété{'s' if frequency > 1 else ''}, "
              f"dernier à {fmt_number(recency)} {unit} d'âge")
    return f"{bought}, ancienneté {fmt_number(T)} {unit}"


def plot_customer_profile(model: Any, frequency: int, recency: float, T: float, horizon: float = 52,
                          axes=None, unit: str = "semaines"):
    """Two panels for one customer profile: P(alive) against recency, expected purchases ahead.

    Left: P(alive) of a customer with ``frequency`` repeat purchases and age ``T`` for
    every possible recency (the chosen one marked; ages after today shaded). Right:
    expected cumulative purchases over the next ``horizon`` periods, for this customer and
    for a customer who has not bought again (frequency 0, same age). An impossible profile
    (``recency`` > ``T``) raises a French ``InvalidValueError``; without a repeat purchase
    the recency is 0. Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    _profile_artists(model, axes, horizon, unit)[0](frequency, recency, T)
    return axes


def customer_profile_figure(model: Any, horizon: float = 52, unit: str = "semaines"):
    """A live figure (:class:`crmlab.widgets.LiveFigure`) of a customer profile and its ``update``.

    ``update(frequency, recency, T)`` moves the curves and the point of the two panels and
    returns the figure title: the profile actually used (recency 0 without a repeat
    purchase), then P(alive) and the expected purchases. Returns ``(view, update)``.
    """
    from .widgets import LiveFigure

    view = LiveFigure((12, 5.0), ncols=2, heading="Profil d'un client selon le modèle BG/NBD", title_lines=2)
    move, moving = _profile_artists(model, view.axes, horizon, unit, view=view)
    view.animate(*moving)

    def update(frequency: int, recency: float, T: float) -> str:
        p_alive, expected, used = move(frequency, recency, T)
        return (f"{_profile_title(frequency, used, T, unit)}\nP(actif) = {fmt_pct(p_alive, 0)} ; "
                f"{fmt_number(expected, 1)} achat{'s' if expected >= 2 else ''} attendu{'s' if expected >= 2 else ''} "
                f"en {fmt_number(horizon)} {unit}")

    return view, update


def profile_widget(model: Any, frequency: int = 5, recency: float = 60, T: float = 104,
                   max_age: int = 156, horizon: float = 52):
    """Sliders (repeat purchases, age at last purchase, age) → P(alive) and expected purchases.

    One live figure is kept and updated (see :func:`customer_profile_figure`); the model is
    never refitted. A last purchase placed after today (recency above the age) is shown as
    an impossible profile, in French, over the greyed figure. Returns the widget box
    (display it as the last expression of a cell); its ``view`` shows the current state.
    """
    from . import widgets

    view, update = customer_profile_figure(model, horizon)
    controls = {
        "frequency": widgets.integer("Achats répétés", frequency, 0, 30),
        "recency": widgets.integer("Âge au dernier achat (sem.)", int(recency), 0, max_age),
        "T": widgets.integer("Ancienneté (sem.)", int(T), 1, max_age),
    }
    return widgets.explorer(view, update, controls, name="profil d'un client (BG/NBD)",
                            rows=[["frequency"], ["recency", "T"]])
