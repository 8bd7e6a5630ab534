"""Loyalty, satisfaction and churn: the computations of chapter 08.

Contractual retention (a subscription, renewed or not each period):

- :func:`fit_sbg` — the shifted-beta-geometric model (Fader & Hardie, 2007, « How to
  project customer retention », *Journal of Interactive Marketing*) fitted by maximum
  likelihood on a cohort's survivor counts; :func:`fit_sbg_durations` on one row per
  subscriber (tenures censored at different ages); :func:`sbg_survival`,
  :func:`sbg_retention` — the projections. Each customer renews with his own
  probability ``1 − θ``, ``θ ~ Beta(α, β)``: the cohort's renewal rate *rises* with
  tenure although nobody's changes, because the likeliest to leave leave first.
- :func:`kaplan_meier` — the survival curve by hand (vectorised), with Greenwood's
  standard errors and log-log confidence intervals (checked against statsmodels'
  ``SurvfuncRight``); :func:`logrank_test` — the log-rank test by hand (checked
  against statsmodels' ``survdiff``).

Satisfaction and loyalty:

- :func:`nps` — the Net Promoter Score with its confidence interval (variance of a
  difference of two proportions of one multinomial sample), optionally weighted;
- :func:`dick_basu` — Dick & Basu's (1994) four cells, attitude × repeat purchase;
- :func:`relative_importance` — the share of R² of each driver (Shapley / LMG).

Churn prediction, evaluated the marketing way:

- :func:`gains_table` — gains and lift by decile of score;
- :func:`offer_gain` / :func:`targeting_profit` — the expected profit of a retention
  offer by targeting depth, for any ranking of the customers;
  :func:`targeting_widget` — the same, live.

>>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
>>> round(fit.alpha, 3), round(fit.beta, 3)
(0.704, 1.182)
>>> sbg_survival(fit.alpha, fit.beta, 3).round(3).tolist()
[1.0, 0.627, 0.474, 0.388]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .validation import (
    EmptyTableError,
    InvalidValueError,
    NegativeValueError,
    check_table,
    require_columns,
    require_number,
    require_numeric,
)

__all__ = [
    "SBGFit",
    "fit_sbg",
    "fit_sbg_durations",
    "sbg_survival",
    "sbg_retention",
    "retention_rates",
    "kaplan_meier",
    "logrank_test",
    "nps",
    "nps_categories",
    "dick_basu",
    "DICK_BASU",
    "relative_importance",
    "gains_table",
    "prob_no_purchase",
    "offer_gain",
    "targeting_profit",
    "targeting_figure",
    "targeting_widget",
]

DICK_BASU = {  # (attitude high, repeat high) -> cell, after Dick & Basu (1994)
    (True, True): "fidélité véritable",
    (True, False): "fidélité latente",
    (False, True): "fausse fidélité",
    (False, False): "infidélité",
}
TARGETING_TITLE = "Offre de rétention : profit espéré selon la profondeur de ciblage"


# ================================================================ guards
def _counts(alive, name: str = "alive") -> np.ndarray:
    """Survivor counts as a float array: ≥ 2 values, none negative, never increasing."""
    if isinstance(alive, pd.DataFrame):
        raise InvalidValueError(
            f"`{name}` doit être une suite de nombres de survivants (liste, tableau ou Series), "
            "pas un DataFrame : sélectionnez la colonne voulue, par exemple table['actifs']."
        )
    arr = require_number(alive, "les effectifs de survivants", name)
    if arr.ndim != 1 or arr.size == 0:
        raise EmptyTableError(
            f"les effectifs de survivants (`{name}`) sont vides : donnez l'effectif de départ "
            "de la cohorte puis les survivants de chaque période, par exemple [1000, 631, 468]."
        )
    if arr.size < 2:
        raise InvalidValueError(
            f"il faut au moins deux effectifs (`{name}`) : l'effectif de départ et les survivants "
            f"d'au moins une période (reçu : {arr.tolist()!r})."
        )
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise NegativeValueError(
            f"les effectifs de survivants (`{name}`) ne peuvent pas être négatifs "
            f"(valeur {arr[i]:g} à la période {i})."
        )
    if arr[0] <= 0:
        raise InvalidValueError(f"l'effectif de départ de la cohorte (`{name}[0]`) doit être > 0 (reçu : {arr[0]:g}).")
    up = np.flatnonzero(np.diff(arr) > 0)
    if up.size:
        i = int(up[0]) + 1
        raise InvalidValueError(
            f"les effectifs de survivants (`{name}`) ne peuvent pas augmenter : {arr[i - 1]:g} à la "
            f"période {i - 1}, puis {arr[i]:g} à la période {i}. Une cohorte ne gagne pas de membres ; "
            "vérifiez que vous donnez bien des survivants cumulés (pas des nouveaux abonnés)."
        )
    return arr


def _params(alpha, beta) -> tuple[float, float]:
    a = require_number(alpha, "le paramètre α", "alpha")
    b = require_number(beta, "le paramètre β", "beta")
    if a.ndim or b.ndim or a <= 0 or b <= 0:
        raise InvalidValueError(
            f"les paramètres α (`alpha`) et β (`beta`) doivent être deux nombres > 0 (reçu : {alpha!r}, {beta!r})."
        )
    return float(a), float(b)


def _n_periods(periods, name: str = "periods") -> int:
    if isinstance(periods, (bool, np.bool_)) or not isinstance(periods, (int, np.integer)) or periods < 0:
        raise InvalidValueError(f"le nombre de périodes (`{name}`) doit être un entier ≥ 0 (reçu : {periods!r}).")
    return int(periods)


def _share(value, name: str, label: str) -> float:
    arr = require_number(value, label, name)
    if arr.ndim or not 0 <= arr <= 1:
        raise InvalidValueError(f"{label} (`{name}`) doit être compris entre 0 et 1 (reçu : {value!r}). "
                                "Un taux de 30 % s'écrit 0.3.")
    return float(arr)


def _non_negative(value, name: str, label: str) -> float:
    arr = require_number(value, label, name)
    if arr.ndim:
        raise InvalidValueError(f"{label} (`{name}`) doit être un seul nombre (reçu : {value!r}).")
    if arr < 0:
        raise NegativeValueError(f"{label} (`{name}`) ne peut pas être négatif (reçu : {float(arr):g}).")
    return float(arr)


# ================================================================ sBG
@dataclass(frozen=True)
class SBGFit:
    """A fitted shifted-beta-geometric model: ``alpha``, ``beta`` and the fit's log-likelihood.

    ``theta ~ Beta(alpha, beta)`` is each customer's probability of leaving at each renewal;
    ``mean_churn`` is its mean ``alpha / (alpha + beta)`` (the churn of the first renewal).
    """

    alpha: float
    beta: float
    log_likelihood: float
    n_customers: float

    @property
    def mean_churn(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def survival(self, periods: int) -> np.ndarray:
        """S(0), …, S(periods): the share of the cohort still active after each renewal."""
        return sbg_survival(self.alpha, self.beta, periods)

    def retention(self, periods: int) -> np.ndarray:
        """r(1), …, r(periods): the renewal rate of those still active at each renewal."""
        return sbg_retention(self.alpha, self.beta, periods)

    def __repr__(self) -> str:
        return (f"SBGFit(alpha={self.alpha:.4f}, beta={self.beta:.4f}, "
                f"log_likelihood={self.log_likelihood:.2f}, n_customers={self.n_customers:g})")


def sbg_survival(alpha: float, beta: float, periods: int) -> np.ndarray:
    """S(t) = B(α, β + t) / B(α, β) for t = 0 … ``periods`` (S(0) = 1).

    Computed by the recursion S(t) = S(t − 1) · (β + t − 1) / (α + β + t − 1).

    >>> sbg_survival(1.0, 1.0, 3).round(4).tolist()   # uniform θ: S(t) = 1 / (t + 1)
    [1.0, 0.5, 0.3333, 0.25]
    """
    a, b = _params(alpha, beta)
    n = _n_periods(periods)
    return np.concatenate([[1.0], np.cumprod(sbg_retention(a, b, n))])


def sbg_retention(alpha: float, beta: float, periods: int) -> np.ndarray:
    """r(t) = (β + t − 1) / (α + β + t − 1), t = 1 … ``periods``: it rises with tenure.

    >>> sbg_retention(1.0, 1.0, 3).round(4).tolist()
    [0.5, 0.6667, 0.75]
    """
    a, b = _params(alpha, beta)
    t = np.arange(1, _n_periods(periods) + 1)
    return (b + t - 1) / (a + b + t - 1)


def retention_rates(alive) -> np.ndarray:
    """Observed renewal rates alive[t] / alive[t − 1], t = 1 … (the cohort's own figures).

    >>> retention_rates([1000, 631, 468]).round(3).tolist()
    [0.631, 0.742]
    """
    arr = _counts(alive)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(arr[:-1] > 0, arr[1:] / np.where(arr[:-1] > 0, arr[:-1], 1), np.nan)


def _sbg_mle(lost: np.ndarray, censored: np.ndarray) -> SBGFit:
    """Maximum likelihood of (α, β) from ``lost[t-1]`` = customers who leave at renewal t and
    ``censored[t-1]`` = customers still active, last seen after renewal t (t = 1 … n).

    log L = Σ_t lost_t · log P(T = t) + Σ_t censored_t · log S(t), with
    P(T = t) = B(α + 1, β + t − 1) / B(α, β) and S(t) = B(α, β + t) / B(α, β).
    Optimised on log α, log β (positive parameters) with L-BFGS-B.
    """
    from scipy.optimize import minimize
    from scipy.special import betaln

    t = np.arange(1, lost.size + 1, dtype=float)

    def negative_ll(x: np.ndarray) -> float:
        a, b = np.exp(x)
        base = betaln(a, b)
        return -float(lost @ (betaln(a + 1, b + t - 1) - base) + censored @ (betaln(a, b + t) - base))

    best = None
    for start in ((0.0, 0.0), (-1.0, 1.0), (1.0, 2.0)):  # a few starts: the surface is flat for large α, β
        res = minimize(negative_ll, np.array(start), method="L-BFGS-B", bounds=[(-10.0, 10.0)] * 2)
        if best is None or res.fun < best.fun:
            best = res
    a, b = np.exp(best.x)
    return SBGFit(float(a), float(b), float(-best.fun), float(lost.sum() + censored.sum()))


def fit_sbg(alive) -> SBGFit:
    """Fit the shifted-beta-geometric model to one cohort's survivor counts.

    ``alive[0]`` is the cohort's size at the start, ``alive[t]`` the customers still active
    after renewal t. The ``alive[t-1] − alive[t]`` customers lost at renewal t contribute
    P(T = t), the ``alive[-1]`` still active contribute S(n). Returns an :class:`SBGFit`
    (``.alpha``, ``.beta``, ``.survival(n)``, ``.retention(n)``).

    >>> fit = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491])   # Fader & Hardie's « high end »
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (0.668, 3.806)
    """
    arr = _counts(alive)
    lost = arr[:-1] - arr[1:]
    censored = np.zeros_like(lost)
    censored[-1] = arr[-1]
    return _sbg_mle(lost, censored)


def fit_sbg_durations(data: pd.DataFrame, tenure: str = "tenure", churned: str = "churned") -> SBGFit:
    """Fit the sBG on one row per customer, cohorts of different ages together.

    ``tenure`` is the number of periods the customer has paid (≥ 1). ``churned`` True: he
    did not renew after them (he left at renewal ``tenure``: contributes P(T = tenure));
    False: he is still a subscriber, his next renewal has not come yet (censored: all we
    know is that he renewed ``tenure − 1`` times, S(tenure − 1)). This is the convention of
    :func:`fit_sbg`, where ``alive[t]`` counts those who paid more than t periods.

    >>> d = pd.DataFrame({"tenure": [1, 1, 2, 3, 3], "churned": [True, False, True, True, False]})
    >>> fit_sbg_durations(d).n_customers
    5.0
    """
    df = check_table(data, "abonnés", [tenure, churned])
    require_numeric(df, tenure, "abonnés")
    t = df[tenure].to_numpy(dtype=float)
    bad = np.isnan(t) | (t < 1) | (t != np.round(t))
    if bad.any():
        raise InvalidValueError(
            f"la colonne '{tenure}' de la table « abonnés » doit contenir des nombres entiers de "
            f"périodes payées ≥ 1 (valeur rencontrée : {t[bad][0]:g}, ligne {int(np.flatnonzero(bad)[0])})."
        )
    c = df[churned]
    if c.isna().any() or not set(pd.unique(c)) <= {0, 1, True, False}:
        raise InvalidValueError(
            f"la colonne '{churned}' de la table « abonnés » doit être booléenne (True = parti, "
            "False = encore abonné), sans valeur manquante."
        )
    n = int(t.max())
    idx = t.astype(int) - 1
    gone = c.to_numpy(dtype=bool)
    lost = np.bincount(idx[gone], minlength=n).astype(float)            # lost[k-1]: P(T = k)
    active = np.bincount(idx[~gone], minlength=n).astype(float)         # active[k-1]: S(k - 1)
    censored = np.concatenate([active[1:], [0.0]])                      # censored[j-1]: S(j); S(0) = 1
    fit = _sbg_mle(lost, censored)
    return SBGFit(fit.alpha, fit.beta, fit.log_likelihood, float(len(df)))


# ================================================================ Kaplan–Meier
def _survival_table(data: pd.DataFrame, duration: str, event: str, table: str) -> tuple[np.ndarray, np.ndarray]:
    df = check_table(data, table, [duration, event])
    require_numeric(df, duration, table)
    if df[duration].isna().any():
        row = int(np.flatnonzero(df[duration].isna().to_numpy())[0])
        raise InvalidValueError(f"la colonne '{duration}' de la table « {table} » a une durée manquante (ligne {row}).")
    if (df[duration] < 0).any():
        row = int(np.flatnonzero((df[duration] < 0).to_numpy())[0])
        raise NegativeValueError(
            f"la colonne '{duration}' de la table « {table} » contient une durée négative "
            f"({df[duration].iloc[row]!r}, ligne {row}) : une durée se compte à partir du début."
        )
    e = df[event]
    values = set(pd.unique(e.dropna()))
    if e.isna().any() or not values <= {0, 1, True, False}:
        raise InvalidValueError(
            f"la colonne '{event}' de la table « {table} » doit valoir 1 / True (événement observé : "
            f"départ) ou 0 / False (censuré : encore actif à la fin de l'observation), sans valeur manquante."
        )
    return df[duration].to_numpy(dtype=float), e.to_numpy(dtype=float)


def kaplan_meier(data: pd.DataFrame, duration: str = "duration", event: str = "churned",
                 confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan–Meier survival curve, computed by hand (vectorised).

    One row per distinct time at which an event (a departure) occurs: ``at_risk``
    (customers still observed just before it), ``events``, ``censored`` (last seen at this
    time without leaving, including at an event time), ``survival`` = Π (1 − d / n),
    ``se`` (Greenwood: S · √Σ d / (n (n − d))), ``ci_low`` / ``ci_high`` (pointwise, on the
    log(−log S) scale, so they stay inside [0, 1]). The index is the time.

    >>> d = pd.DataFrame({"duration": [1, 2, 2, 3, 4, 5], "churned": [1, 1, 0, 1, 0, 1]})
    >>> kaplan_meier(d)["survival"].round(4).tolist()
    [0.8333, 0.6667, 0.4444, 0.0]
    """
    from scipy.stats import norm

    time, status = _survival_table(data, duration, event, "durées")
    _share(confidence, "confidence", "le niveau de confiance")
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=status, minlength=times.size)
    leaving = np.bincount(inverse, minlength=times.size).astype(float)
    at_risk = leaving[::-1].cumsum()[::-1]
    keep = deaths > 0
    n, d = at_risk[keep], deaths[keep]
    censored_all = leaving - deaths
    # censored between this event time (included) and the next one
    event_pos = np.flatnonzero(keep)
    bounds = np.append(event_pos[1:], times.size)
    cum = np.concatenate([[0.0], censored_all.cumsum()])
    censored = cum[bounds] - cum[event_pos]
    survival = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(d / (n * (n - d)))
        se = survival * np.sqrt(greenwood)
        z = norm.ppf(0.5 + confidence / 2)
        log_s = np.log(survival)
        half = z * np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(half)
        high = survival ** np.exp(-half)
    se = np.where(survival > 0, se, np.nan)
    low = np.where((survival > 0) & (survival < 1), low, np.where(survival >= 1, 1.0, np.nan))
    high = np.where((survival > 0) & (survival < 1), high, np.where(survival >= 1, 1.0, np.nan))
    out = pd.DataFrame({"at_risk": n.astype(int), "events": d.astype(int), "censored": censored.astype(int),
                        "survival": survival, "se": se, "ci_low": low, "ci_high": high},
                       index=pd.Index(times[keep], name=duration))
    return out


def logrank_test(data: pd.DataFrame, duration: str = "duration", event: str = "churned",
                 group: str = "group") -> pd.Series:
    """The log-rank test of equal survival curves across the groups of ``group``, by hand.

    At each event time, each group's expected events are d · n_g / n; the statistic is
    (O − E)ᵀ V⁻¹ (O − E) over all groups but one, χ² with (groups − 1) degrees of freedom.
    Returns ``chi2``, ``df``, ``p_value`` and each group's observed and expected events.
    """
    from scipy.stats import chi2 as chi2_dist

    require_columns(data, [duration, event, group], "durées")
    time, status = _survival_table(data, duration, event, "durées")
    labels, g = np.unique(data[group].astype(str).to_numpy(), return_inverse=True)
    if labels.size < 2:
        raise InvalidValueError(
            f"la colonne '{group}' ne contient qu'un groupe ({labels[0]!r}) : le test du log-rank compare "
            "au moins deux groupes."
        )
    times, inverse = np.unique(time, return_inverse=True)
    k, m = labels.size, times.size
    flat = g * m + inverse
    leaving = np.bincount(flat, minlength=k * m).reshape(k, m).astype(float)
    deaths = np.bincount(flat, weights=status, minlength=k * m).reshape(k, m)
    at_risk = leaving[:, ::-1].cumsum(axis=1)[:, ::-1]
    n, d = at_risk.sum(axis=0), deaths.sum(axis=0)
    keep = d > 0
    n, d, at_risk, deaths = n[keep], d[keep], at_risk[:, keep], deaths[:, keep]
    share = at_risk / n
    expected = (d * share).sum(axis=1)
    observed = deaths.sum(axis=1)
    factor = np.where(n > 1, d * (n - d) / np.where(n > 1, n - 1, 1), 0.0)
    cov = -(share * factor) @ share.T
    cov[np.diag_indices(k)] = (share * (1 - share) * factor).sum(axis=1)
    diff = (observed - expected)[:-1]
    stat = float(diff @ np.linalg.solve(cov[:-1, :-1], diff))
    out = {"chi2": stat, "df": k - 1, "p_value": float(chi2_dist.sf(stat, k - 1))}
    for lab, o, e in zip(labels, observed, expected):
        out[f"observed[{lab}]"] = float(o)
        out[f"expected[{lab}]"] = float(e)
    return pd.Series(out, name="test du log-rank")


# ================================================================ NPS
def nps_categories(scores) -> pd.Series:
    """« promoteur » (9–10), « passif » (7–8), « détracteur » (0–6) for 0–10 scores."""
    s = pd.Series(scores)
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    out[s >= 9] = "promoteur"
    out[(s >= 7) & (s <= 8)] = "passif"
    out[s <= 6] = "détracteur"
    return out


def nps(data, score: str | None = None, weights=None, confidence: float = 0.95) -> pd.Series:
    """The Net Promoter Score and its confidence interval, the standard way.

    NPS = 100 × (share of promoters, 9–10 − share of detractors, 0–6), in points. Its
    variance is that of a difference of two proportions of one sample:
    Var = [p_P + p_D − (p_P − p_D)²] / n, and the interval is NPS ± z · √Var (in points).
    ``data`` is a Series of 0–10 scores, or a DataFrame with the column ``score``; missing
    scores (non-respondents) are left out and counted. ``weights`` (a column name or an
    array), e.g. inverse response probabilities, gives a weighted NPS whose variance uses
    Kish's effective sample size (Σw)² / Σw².

    >>> nps(pd.Series([10, 9, 8, 3]))[["nps", "se"]].round(2).tolist()
    [25.0, 41.46]
    """
    from scipy.stats import norm

    if isinstance(data, pd.DataFrame):
        if score is None:
            raise InvalidValueError("donnez la colonne des notes de recommandation (`score=`, par exemple 'nps_score').")
        require_columns(data, [score] + ([weights] if isinstance(weights, str) else []), "enquête")
        s = data[score]
        w = data[weights] if isinstance(weights, str) else weights
    else:
        s = pd.Series(data)
        w = weights
    if len(s) == 0:
        raise EmptyTableError("aucune note de recommandation à analyser : la table est vide.")
    s = pd.to_numeric(s, errors="coerce").astype(float) if not pd.api.types.is_numeric_dtype(s) else s.astype(float)
    w = np.ones(len(s)) if w is None else require_number(np.asarray(w, dtype=float), "les poids", "weights")
    if w.shape != (len(s),):
        raise InvalidValueError(f"il faut un poids par note (reçu {w.size} poids pour {len(s)} notes).")
    if (w < 0).any():
        raise NegativeValueError("les poids (`weights`) ne peuvent pas être négatifs.")
    answered = s.notna().to_numpy()
    values = s.to_numpy()[answered]
    bad = (values < 0) | (values > 10) | (values != np.round(values))
    if bad.any():
        raise InvalidValueError(
            f"une note de recommandation doit être un entier de 0 à 10 (valeur rencontrée : {values[bad][0]:g})."
        )
    if values.size == 0:
        raise EmptyTableError("aucune note de recommandation renseignée : toutes les réponses sont manquantes.")
    w = w[answered]
    total = w.sum()
    p_p = float(w[values >= 9].sum() / total)
    p_d = float(w[values <= 6].sum() / total)
    n_eff = float(total**2 / (w**2).sum())
    var = (p_p + p_d - (p_p - p_d) ** 2) / n_eff
    z = float(norm.ppf(0.5 + _share(confidence, "confidence", "le niveau de confiance") / 2))
    value, se = 100 * (p_p - p_d), 100 * np.sqrt(var)
    return pd.Series({"respondents": int(values.size), "missing": int((~answered).sum()), "n_effective": n_eff,
                      "promoters": p_p, "passives": 1 - p_p - p_d, "detractors": p_d,
                      "nps": value, "se": float(se), "ci_low": value - z * se, "ci_high": value + z * se},
                     name="NPS")


# ================================================================ Dick & Basu
def dick_basu(data: pd.DataFrame, attitude: str, repeat: str, attitude_threshold: float | None = None,
              repeat_threshold: float | None = None) -> pd.Series:
    """Dick & Basu's (1994) cell of each customer: relative attitude × repeat purchase.

    High attitude = ``attitude`` ≥ ``attitude_threshold`` (default: the median), high
    repeat = ``repeat`` ≥ ``repeat_threshold`` (default: the median). Cells: « fidélité
    véritable » (both high), « fidélité latente » (attitude only), « fausse fidélité »
    (repeat only, inertia or circumstances), « infidélité » (neither). Rows with a missing
    attitude (non-respondents) get no cell (``<NA>``).
    """
    df = check_table(data, "clients", [attitude, repeat])
    require_numeric(df, attitude, "clients")
    require_numeric(df, repeat, "clients")
    a, r = df[attitude], df[repeat]
    ta = float(a.median()) if attitude_threshold is None else float(attitude_threshold)
    tr = float(r.median()) if repeat_threshold is None else float(repeat_threshold)
    high_a, high_r = (a >= ta).to_numpy(), (r >= tr).to_numpy()
    cells = np.where(high_a, np.where(high_r, DICK_BASU[True, True], DICK_BASU[True, False]),
                     np.where(high_r, DICK_BASU[False, True], DICK_BASU[False, False]))
    out = pd.Series(pd.Categorical(cells, categories=list(DICK_BASU.values())), index=df.index, name="dick_basu")
    out[(a.isna() | r.isna()).to_numpy()] = np.nan
    return out


# ================================================================ key drivers
def relative_importance(data: pd.DataFrame, target: str, drivers: Sequence[str]) -> pd.DataFrame:
    """Each driver's share of the R² of an OLS of ``target`` on ``drivers`` (Shapley / LMG).

    For each driver, the R² it adds, averaged over every order of entry of the drivers
    (Lindeman, Merenda & Gold, 1980): the shares add up to the full model's R², whatever
    the correlation between drivers. Also returns the standardised coefficient of the
    full model (``beta_std``). Rows with a missing value are dropped. At most 12 drivers
    (2¹² regressions).
    """
    from math import factorial

    drivers = list(drivers)
    if not drivers:
        raise InvalidValueError("donnez au moins un facteur explicatif (`drivers`).")
    if len(drivers) > 12:
        raise InvalidValueError(f"au plus 12 facteurs (reçu : {len(drivers)}) : 2^k régressions à estimer.")
    df = check_table(data, "enquête", [target, *drivers])
    for col in [target, *drivers]:
        require_numeric(df, col, "enquête")
    df = df[[target, *drivers]].dropna()
    if len(df) <= len(drivers) + 1:
        raise EmptyTableError(
            f"trop peu de lignes complètes ({len(df)}) pour estimer une régression à {len(drivers)} facteurs."
        )
    z = (df - df.mean()) / df.std(ddof=0)
    if z.isna().any().any():
        const = [c for c in df.columns if df[c].std(ddof=0) == 0][0]
        raise InvalidValueError(f"la colonne '{const}' est constante : elle ne peut rien expliquer.")
    y, x = z[target].to_numpy(), z[drivers].to_numpy()
    k = len(drivers)
    r2 = {(): 0.0}
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            coef, *_ = np.linalg.lstsq(x[:, subset], y, rcond=None)
            resid = y - x[:, subset] @ coef
            r2[subset] = 1.0 - resid @ resid / (y @ y)
    share = np.zeros(k)
    for subset, value in r2.items():
        if len(subset) == k:
            continue
        weight = factorial(len(subset)) * factorial(k - len(subset) - 1) / factorial(k)
        for j in set(range(k)) - set(subset):
            share[j] += weight * (r2[tuple(sorted((*subset, j)))] - value)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    full = r2[tuple(range(k))]
    return pd.DataFrame({"beta_std": coef, "r2_share": share, "importance": share / full if full > 0 else np.nan},
                        index=pd.Index(drivers, name="driver"))


# ================================================================ gains and lift
def gains_table(data: pd.DataFrame, score: str, target: str, bins: int = 10) -> pd.DataFrame:
    """Gains and lift by decile of ``score`` (decile 1 = the highest scores).

    Customers are ranked by decreasing score (ties in the order of the table) and cut into
    ``bins`` groups of equal size. Per group: ``customers``, ``positives`` (``target`` = 1,
    e.g. churners), ``rate``; cumulated: ``share_contacted``, ``gain`` (share of all
    positives found in the groups so far), ``lift`` (the group's rate / the overall
    rate) and ``cumulative_lift`` (gain / share contacted).
    """
    df = check_table(data, "scores", [score, target])
    require_numeric(df, score, "scores")
    y = df[target]
    if y.isna().any() or not set(pd.unique(y)) <= {0, 1, True, False}:
        raise InvalidValueError(f"la colonne '{target}' doit valoir 0 / 1 (ou False / True), sans valeur manquante.")
    if df[score].isna().any():
        raise InvalidValueError(f"la colonne '{score}' contient des scores manquants : complétez-les ou retirez ces lignes.")
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= len(df):
        raise InvalidValueError(f"le nombre de groupes (`bins`) doit être un entier entre 2 et {len(df)} (reçu : {bins!r}).")
    order = np.argsort(-df[score].to_numpy(dtype=float), kind="stable")
    group = np.arange(len(df)) * bins // len(df) + 1
    yy = y.to_numpy(dtype=float)[order]
    customers = np.bincount(group, minlength=bins + 1)[1:]
    positives = np.bincount(group, weights=yy, minlength=bins + 1)[1:]
    base = yy.mean()
    out = pd.DataFrame({"customers": customers, "positives": positives.astype(int)},
                       index=pd.Index(np.arange(1, bins + 1), name="decile"))
    out["rate"] = positives / customers
    out["share_contacted"] = customers.cumsum() / customers.sum()
    out["gain"] = positives.cumsum() / positives.sum() if positives.sum() else np.nan
    out["lift"] = out["rate"] / base if base else np.nan
    out["cumulative_lift"] = out["gain"] / out["share_contacted"]
    return out


def prob_no_purchase(params, frequency, recency, T, t: float):
    """BG/NBD probability that a customer makes **no** purchase in the next ``t`` periods.

    ``params``: the fitted BG/NBD (a ``lifetimes`` model, or a mapping with ``r``, ``alpha``,
    ``a``, ``b``); ``frequency`` (repeat purchases), ``recency`` and ``T`` in the model's
    time unit. Either the customer is gone (1 − P(alive)), or alive and silent for ``t``:
    his purchase rate given his history is Gamma(r + x, α + T), hence
    P = 1 − P(alive) + P(alive) · ((α + T) / (α + T + t))^(r + x). This is the BG/NBD's
    forecast of a churn label « no purchase in the next t » — unlike 1 − P(alive), which
    counts only the customers already gone.

    >>> round(float(prob_no_purchase({"r": 1, "alpha": 10, "a": 1, "b": 1}, 0, 0, 0, 10)), 3)
    0.5
    """
    p = getattr(params, "params_", params)
    try:
        r, alpha, a, b = (float(p[k]) for k in ("r", "alpha", "a", "b"))
    except (KeyError, TypeError):
        raise InvalidValueError("`params` doit être un BG/NBD ajusté (lifetimes) ou contenir r, alpha, a et b.") from None
    x = require_number(frequency, "le nombre d'achats répétés", "frequency")
    tx = require_number(recency, "la récence", "recency")
    age = require_number(T, "l'ancienneté", "T")
    horizon = _non_negative(t, "t", "l'horizon")
    if (x < 0).any() or (tx < 0).any() or (age < tx).any():
        raise InvalidValueError("il faut frequency ≥ 0 et 0 ≤ recency ≤ T pour chaque client.")
    ratio = ((alpha + age) / (alpha + tx)) ** (r + x)
    odds_dead = np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * ratio, 0.0)
    alive = 1.0 / (1.0 + odds_dead)
    silent = ((alpha + age) / (alpha + age + horizon)) ** (r + x)
    out = 1.0 - alive + alive * silent
    return float(out) if out.ndim == 0 else out


# ================================================================ retention offer
def offer_gain(churn_probability, value, contact_cost: float = 1.0, incentive: float = 10.0,
               success: float = 0.3) -> np.ndarray:
    """Expected gain of offering a retention incentive to each customer (€).

    A contacted customer costs ``contact_cost``; a would-be churner (probability p) is kept
    with probability ``success`` (a scalar or one value per customer) and then brings
    ``value``; every contacted customer who stays — the loyal ones who would have stayed
    anyway, and the rescued — takes the ``incentive``:

    gain = success · p · value − contact_cost − incentive · (1 − p + success · p).

    >>> offer_gain(0.5, 200.0, 1.0, 10.0, 0.3).round(2).item()   # 30 − 1 − 6.5
    22.5
    """
    p = require_number(churn_probability, "la probabilité d'attrition", "churn_probability")
    v = require_number(value, "la valeur du client", "value")
    g = require_number(success, "le taux de succès de l'offre", "success")
    if ((p < 0) | (p > 1)).any() or ((g < 0) | (g > 1)).any():
        raise InvalidValueError("les probabilités (attrition, succès de l'offre) doivent être comprises entre 0 et 1.")
    c = _non_negative(contact_cost, "contact_cost", "le coût d'un contact")
    d = _non_negative(incentive, "incentive", "le coût de l'incitation")
    return g * p * v - c - d * (1 - p + g * p)


def targeting_profit(data: pd.DataFrame, rank_by: str, churn: str = "churn_probability", value: str = "value",
                     contact_cost: float = 1.0, incentive: float = 10.0, success: float | str = 0.3,
                     steps: int = 100) -> pd.DataFrame:
    """Expected profit of a retention offer by targeting depth, customers ranked by ``rank_by``.

    The customers are sorted by decreasing ``rank_by`` (a risk score, an expected gain…);
    contacting the first share ``k`` of them earns the sum of their :func:`offer_gain`
    (computed with the ``churn`` probabilities and ``value``, which may be the truth or
    estimates). ``success`` is a number or a column (a per-customer rescue probability).
    Returns ``steps + 1`` rows: ``depth`` (0, 1/steps, …, 1), ``contacted`` (the first
    ``round(depth · n)`` customers) and ``profit`` (€).
    """
    cols = [rank_by, churn, value] + ([success] if isinstance(success, str) else [])
    df = check_table(data, "clients", cols)
    for col in dict.fromkeys(cols):
        require_numeric(df, col, "clients")
    g = df[success].to_numpy(dtype=float) if isinstance(success, str) else success
    gain = offer_gain(df[churn].to_numpy(dtype=float), df[value].to_numpy(dtype=float),
                      contact_cost, incentive, g)
    order = np.argsort(-df[rank_by].to_numpy(dtype=float), kind="stable")
    running = np.concatenate([[0.0], np.cumsum(gain[order])])
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidValueError(f"le nombre de pas (`steps`) doit être un entier ≥ 1 (reçu : {steps!r}).")
    depth = np.linspace(0.0, 1.0, steps + 1)
    contacted = np.round(depth * len(df)).astype(int)
    return pd.DataFrame({"depth": depth, "contacted": contacted, "profit": running[contacted]})


def targeting_figure(data: pd.DataFrame, rankings: dict[str, str], churn: str, value: str,
                     success: float | str = 0.3, steps: int = 200):
    """A live figure of the expected profit against the targeting depth, one curve per ranking.

    ``rankings`` maps a French label to a column to rank by (e.g. ``{"par risque": "p_churn",
    "par gain espéré": "gain"}``). Returns ``(view, update)``: ``update(contact_cost,
    incentive, depth)`` recomputes the curves (one cumulative sum per ranking, vectorised),
    marks ``depth`` and returns ``(title, caption)``.
    """
    from .style import fmt_eur, fmt_pct
    from .widgets import depth_profit_figure

    cols = [churn, value, *rankings.values()] + ([success] if isinstance(success, str) else [])
    df = check_table(data, "clients", cols)
    for col in dict.fromkeys(cols):
        require_numeric(df, col, "clients")
    p = df[churn].to_numpy(dtype=float)
    v = df[value].to_numpy(dtype=float)
    g = df[success].to_numpy(dtype=float) if isinstance(success, str) else float(success)
    n = len(df)
    positions = np.unique(np.round(np.linspace(0, n, steps + 1)).astype(int))
    depth = positions / n
    # the gain is linear in (contact_cost, incentive): gain = A − c − d · B, per customer
    a_part, b_part = g * p * v, 1 - p + g * p
    orders = {label: np.argsort(-df[col].to_numpy(dtype=float), kind="stable") for label, col in rankings.items()}
    cum_a = {k: np.concatenate([[0.0], np.cumsum(a_part[o])])[positions] for k, o in orders.items()}
    cum_b = {k: np.concatenate([[0.0], np.cumsum(np.broadcast_to(b_part, (n,))[o])])[positions]
             for k, o in orders.items()}
    view, draw = depth_profit_figure(depth, list(rankings), "Profit espéré de l'offre (€)", TARGETING_TITLE, 0.2)

    def update(contact_cost: float, incentive: float, depth_shown: float) -> tuple[str, str]:
        c = _non_negative(contact_cost, "contact_cost", "le coût d'un contact")
        d = _non_negative(incentive, "incentive", "le coût de l'incitation")
        k_shown = _share(depth_shown, "depth", "la profondeur de ciblage")
        shown, parts = draw({k: cum_a[k] - c * positions - d * cum_b[k] for k in rankings}, k_shown)
        title = f"contact {fmt_eur(c, 2)}, incitation {fmt_eur(d)}, profondeur {fmt_pct(shown, 0)}"
        return title, " ; ".join(parts)

    return view, update


def targeting_widget(data: pd.DataFrame, rankings: dict[str, str], churn: str, value: str,
                     success: float | str = 0.3, contact_cost: float = 1.0, incentive: float = 10.0,
                     depth: float = 0.2):
    """Sliders (contact cost, incentive, depth) → :func:`targeting_figure`. Returns the widget box."""
    from . import widgets

    view, update = targeting_figure(data, rankings, churn, value, success)
    controls = {
        "contact_cost": widgets.number("coût d'un contact", contact_cost, 0, 10, 0.5, decimals=1, unit="€"),
        "incentive": widgets.number("incitation", incentive, 0, 50, 1, unit="€"),
        "depth_shown": widgets.percent("profondeur", depth, 0.0, 1.0, 0.01),
    }
    return widgets.explorer(view, update, controls, name="ciblage d'une offre de rétention",
                            rows=[["contact_cost", "incentive"], ["depth_shown"]])
