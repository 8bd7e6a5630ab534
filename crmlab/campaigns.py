"""Direct marketing: the computations of chapter 10 (campaigns, test vs control, targeting).

Campaign economics and tests:

- :func:`break_even_rate` — the response rate at which a send pays for itself;
- :func:`incremental_response` — test vs control (« témoin »): response rates, their
  difference and its 95 % confidence interval (statsmodels' ``confint_proportions_2indep``),
  for one send or per send (``by=``);
- :func:`sample_size` — the size of the test group needed to detect a given lift
  (statsmodels' ``NormalIndPower`` and ``proportion_effectsize``).

Targeting:

- :func:`decile_table` — gains and lift by decile of a response score (the table of
  :func:`crmlab.churn.gains_table`, called on two arrays);
- :func:`uplift_two_model` / :func:`uplift_class_transform` — the predicted uplift
  (extra response probability if contacted) with scikit-learn, two models or one model
  on the transformed class (Jaskowski & Jaroszewicz, 2012);
- :func:`qini_curve` / :func:`qini_coefficient` — the Qini curve written by hand
  (Radcliffe, 2007): incremental responses found when targeting the best-scored first;
- :func:`targeting_profit` — profit by targeting depth for several rankings, given each
  customer's incremental response; :func:`targeting_figure` / :func:`targeting_widget` —
  the same, live.

>>> round(break_even_rate(1.20, 30.0), 3)
0.04
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .validation import InvalidValueError, check_table, require_columns, require_number, require_numeric

__all__ = [
    "break_even_rate",
    "incremental_response",
    "sample_size",
    "decile_table",
    "uplift_two_model",
    "uplift_class_transform",
    "qini_curve",
    "qini_coefficient",
    "targeting_profit",
    "targeting_figure",
    "targeting_widget",
]


# ================================================================ helpers
def _scalar(value, label: str, name: str, low: float | None = None, high: float | None = None,
            strict_low: bool = False, strict_high: bool = False) -> float:
    arr = require_number(value, label, name)
    if arr.ndim != 0:
        raise InvalidValueError(f"{label} (`{name}`) doit être un seul nombre, pas une liste.")
    x = float(arr)
    if not np.isfinite(x):
        raise InvalidValueError(f"{label} (`{name}`) doit être un nombre fini (reçu : {x!r}).")
    if low is not None and (x < low or (strict_low and x == low)):
        sign = ">" if strict_low else "≥"
        raise InvalidValueError(f"{label} (`{name}`) doit être {sign} {low:g} (reçu : {x:g}).")
    if high is not None and (x > high or (strict_high and x == high)):
        sign = "<" if strict_high else "≤"
        raise InvalidValueError(f"{label} (`{name}`) doit être {sign} {high:g} (reçu : {x:g}).")
    return x


def _binary(values, label: str, name: str) -> np.ndarray:
    """A 0/1 (or False/True) vector as a float array, or a French error."""
    s = pd.Series(np.asarray(values).ravel()) if not isinstance(values, pd.Series) else values.reset_index(drop=True)
    if len(s) == 0:
        raise InvalidValueError(f"{label} (`{name}`) est vide : aucune ligne à analyser.")
    if s.isna().any():
        raise InvalidValueError(f"{label} (`{name}`) contient une valeur manquante (ligne {int(s.isna().to_numpy().argmax())}).")
    bad = ~s.isin([0, 1, True, False])
    if bad.any():
        raise InvalidValueError(f"{label} (`{name}`) doit valoir 0 / 1 (ou False / True) ; "
                                f"valeur rencontrée : {s[bad].iloc[0]!r}.")
    return s.to_numpy(dtype=float)


def _scores(values, label: str, name: str, n: int | None = None) -> np.ndarray:
    arr = require_number(values, label, name).ravel()
    if arr.size == 0:
        raise InvalidValueError(f"{label} (`{name}`) est vide : aucune ligne à analyser.")
    if n is not None and arr.size != n:
        raise InvalidValueError(f"{label} (`{name}`) a {arr.size} valeurs, il en faut une par client ({n}).")
    return arr


# ================================================================ economics and tests
def break_even_rate(cost_per_contact: float, margin_per_response: float) -> float:
    """Response rate at which a send breaks even: cost per contact / value of a response.

    ``margin_per_response`` is what one **extra** response brings, at its contribution
    (gross margin of the order minus its cost to serve, docs/conventions.md). Compared with
    the *incremental* response rate (test − control), not with the raw rate of the test group.

    >>> break_even_rate(0.03, 12.0)      # an e-mail at 3 cents, 12 € per extra order
    0.0025
    """
    cost = _scalar(cost_per_contact, "le coût par contact", "cost_per_contact", low=0)
    margin = _scalar(margin_per_response, "la valeur d'une réponse", "margin_per_response", low=0, strict_low=True)
    return cost / margin


def incremental_response(contacts: pd.DataFrame, group_col: str = "group", response_col: str = "responded",
                         treated: str = "test", control: str = "témoin", by: str | None = None,
                         confidence: float = 0.95, method: str = "wald") -> pd.DataFrame:
    """Response rates of the test and control groups, their difference and its confidence interval.

    One row (or one per value of ``by``, e.g. ``"campaign_id"``) with ``n_test``,
    ``n_control``, ``responses_test``, ``responses_control``, ``rate_test``,
    ``rate_control``, ``difference`` (the incremental response rate, test − control),
    ``ci_low``, ``ci_high`` (statsmodels' ``confint_proportions_2indep``; ``method="wald"``
    is p̂₁ − p̂₂ ± z·√(p̂₁(1−p̂₁)/n₁ + p̂₂(1−p̂₂)/n₂), ``"newcomb"`` behaves better on small
    groups) and ``significant`` (the interval excludes 0). A group without a row gives NaN.

    >>> t = pd.DataFrame({"group": ["test"] * 4 + ["témoin"] * 4, "responded": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> incremental_response(t)["difference"].item()
    0.25
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    cols = [group_col, response_col] + ([by] if by is not None else [])
    require_columns(contacts, cols, "contacts")
    df = check_table(contacts[list(dict.fromkeys(cols))], "contacts", cols)
    y = _binary(df[response_col], f"la colonne '{response_col}'", response_col)
    groups = df[group_col].astype(str).to_numpy()
    known = np.isin(groups, [treated, control])
    if not known.all():
        raise InvalidValueError(f"la colonne '{group_col}' contient {groups[~known][0]!r} : seules les valeurs "
                                f"{treated!r} (test) et {control!r} (témoin) sont attendues.")
    level = _scalar(confidence, "le niveau de confiance", "confidence", low=0, high=1, strict_low=True, strict_high=True)
    if method not in ("wald", "agresti-caffo", "newcomb", "score"):
        raise InvalidValueError(f"méthode d'intervalle inconnue : {method!r} (choix : 'wald', 'newcomb', 'agresti-caffo', 'score').")
    work = pd.DataFrame({"key": df[by].to_numpy() if by is not None else "tous", "test": groups == treated, "y": y})
    agg = work.groupby(["key", "test"], sort=True, observed=True)["y"].agg(["size", "sum"]).unstack("test")
    agg = agg.reindex(columns=pd.MultiIndex.from_product([["size", "sum"], [True, False]]))
    out = pd.DataFrame({
        "n_test": agg[("size", True)], "n_control": agg[("size", False)],
        "responses_test": agg[("sum", True)], "responses_control": agg[("sum", False)],
    }).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_test"] = out["responses_test"] / out["n_test"].where(out["n_test"] > 0)
        out["rate_control"] = out["responses_control"] / out["n_control"].where(out["n_control"] > 0)
    out["difference"] = out["rate_test"] - out["rate_control"]
    ok = (out["n_test"] > 0) & (out["n_control"] > 0)
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    if ok.any():
        sub = out[ok]
        import warnings

        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a group at 0 % or 100 % (Wald: zero variance)
            lo, hi = confint_proportions_2indep(sub["responses_test"].to_numpy(), sub["n_test"].to_numpy(),
                                                sub["responses_control"].to_numpy(), sub["n_control"].to_numpy(),
                                                method=method, compare="diff", alpha=1 - level)
        low[ok.to_numpy()] = lo
        high[ok.to_numpy()] = hi
    out["ci_low"] = low
    out["ci_high"] = high
    out["significant"] = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    out.index.name = by if by is not None else None
    if by is None:
        out = out.reset_index(drop=True)
    return out


def sample_size(p_control: float, lift: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0) -> int:
    """Size of the **test** group needed to detect a lift of ``lift`` (in proportion points).

    ``p_control``: the response rate expected without the send; ``lift``: the smallest
    incremental rate worth detecting (0.01 = one point); two-sided test at level ``alpha``
    with the given ``power``; ``ratio`` = size of the control group / size of the test group
    (0.05 / 0.95 for a 5 % control). Cohen's effect size h = 2·asin√p₁ − 2·asin√p₀
    (``proportion_effectsize``) and the normal power of ``NormalIndPower``. The control
    group then needs ``ratio ×`` this size.

    >>> sample_size(0.05, 0.01)
    8143
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = _scalar(p_control, "le taux de réponse du témoin (une proportion : 0,05 pour 5 %)", "p_control", low=0, high=1, strict_low=True, strict_high=True)
    d = _scalar(lift, "l'écart à détecter", "lift")
    if d == 0 or not 0 < p0 + d < 1:
        raise InvalidValueError(f"l'écart à détecter (`lift`) doit être non nul et garder p_control + lift entre 0 et 1 "
                                f"(reçu : {f'{d:g}'.replace('.', ',')} avec p_control = {f'{p0:g}'.replace('.', ',')}) ; "
                                "en proportion : 0,01 pour un point.")
    a = _scalar(alpha, "le risque alpha", "alpha", low=0, high=1, strict_low=True, strict_high=True)
    pw = _scalar(power, "la puissance", "power", low=0, high=1, strict_low=True, strict_high=True)
    r = _scalar(ratio, "le rapport témoin / test", "ratio", low=0, strict_low=True)
    h = proportion_effectsize(p0 + d, p0)
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=a, power=pw, ratio=r, alternative="two-sided")
    return int(math.ceil(float(np.asarray(n).item()) - 1e-9))


# ================================================================ response scoring
def decile_table(score, outcome, n: int = 10) -> pd.DataFrame:
    """Gains and lift by decile of ``score`` (decile 1 = the best scores), for two arrays.

    Per decile: ``customers``, ``positives`` (``outcome`` = 1), ``rate``, ``lift`` (the
    decile's rate / the overall rate); cumulated: ``share_contacted``, ``gain`` (share of
    all responders found so far), ``cumulative_lift``. The same table as
    :func:`crmlab.churn.gains_table` (chapter 08), which it calls.

    >>> decile_table([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0], n=2)["gain"].tolist()
    [1.0, 1.0]
    """
    from .churn import gains_table

    s = _scores(score, "le score", "score")
    y = _binary(outcome, "la réponse observée", "outcome")
    if len(y) != len(s):
        raise InvalidValueError(f"le score a {len(s)} valeurs et la réponse {len(y)} : il faut une valeur de chaque par client.")
    return gains_table(pd.DataFrame({"score": s, "outcome": y.astype(int)}), "score", "outcome", bins=n)


# ================================================================ uplift
def _features(X, name: str = "features") -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        if X.empty:
            raise InvalidValueError(f"la table des variables (`{name}`) est vide.")
        for col in X.columns:
            require_numeric(X, col, "variables du modèle")
        arr = X.to_numpy(dtype=float)
    else:
        arr = require_number(X, "les variables du modèle", name)
        if arr.ndim == 1:
            arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise InvalidValueError(f"les variables du modèle (`{name}`) doivent former un tableau clients × variables non vide.")
    if np.isnan(arr).any():
        raise InvalidValueError(f"les variables du modèle (`{name}`) contiennent des valeurs manquantes : complétez-les d'abord.")
    return arr


def _default_estimator():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _uplift_inputs(features, treated, outcome, new):
    X = _features(features)
    t = _binary(treated, "l'indicateur de traitement", "treated")
    y = _binary(outcome, "la réponse observée", "outcome")
    if not len(t) == len(y) == len(X):
        raise InvalidValueError(f"les variables ({len(X)} lignes), le traitement ({len(t)}) et la réponse ({len(y)}) "
                                "doivent avoir une ligne par client.")
    for g, label in ((1, "test"), (0, "témoin")):
        yy = y[t == g]
        if len(yy) == 0 or yy.min() == yy.max():
            raise InvalidValueError(f"le groupe {label} doit contenir des répondants et des non-répondants pour "
                                    "qu'un modèle apprenne quelque chose.")
    Xn = X if new is None else _features(new, "new")
    if Xn.shape[1] != X.shape[1]:
        raise InvalidValueError(f"`new` a {Xn.shape[1]} variables, le modèle en a appris {X.shape[1]}.")
    return X, t, y, Xn


def uplift_two_model(features, treated, outcome, new=None, estimator=None) -> np.ndarray:
    """Predicted uplift by two models: P(response | contacted, x) − P(response | not contacted, x).

    One classifier (``estimator``, default a standardised logistic regression) is fitted on
    the test group, a clone on the control group; the uplift of each row of ``new``
    (default: ``features``) is the difference of their predicted probabilities.

    >>> rng = np.random.default_rng(0); x = rng.normal(size=(4000, 1)); t = rng.integers(0, 2, 4000)
    >>> y = rng.random(4000) < 0.1 + 0.1 * t * (x[:, 0] > 0)
    >>> u = uplift_two_model(x, t, y); bool(u[x[:, 0] > 1].mean() > u[x[:, 0] < -1].mean())
    True
    """
    from sklearn.base import clone

    X, t, y, Xn = _uplift_inputs(features, treated, outcome, new)
    base = estimator if estimator is not None else _default_estimator()
    m1 = clone(base).fit(X[t == 1], y[t == 1].astype(int))
    m0 = clone(base).fit(X[t == 0], y[t == 0].astype(int))
    return m1.predict_proba(Xn)[:, 1] - m0.predict_proba(Xn)[:, 1]


def uplift_class_transform(features, treated, outcome, new=None, estimator=None) -> np.ndarray:
    """Predicted uplift by class transformation (Jaskowski & Jaroszewicz, 2012).

    The new class z = 1 for a responder of the test group or a non-responder of the
    control group, 0 otherwise. With test and control weighted equally (each group's rows
    weighted by 0.5 / its share, so any split works), uplift(x) = 2·P(z = 1 | x) − 1:
    **one** classifier (``estimator``, default a standardised logistic regression).
    """
    X, t, y, Xn = _uplift_inputs(features, treated, outcome, new)
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    z = (y * t + (1 - y) * (1 - t)).astype(int)
    share = t.mean()
    w = np.where(t == 1, 0.5 / share, 0.5 / (1 - share))
    model = clone(estimator if estimator is not None else _default_estimator())
    if isinstance(model, Pipeline):
        model.fit(X, z, **{f"{model.steps[-1][0]}__sample_weight": w})
    else:
        model.fit(X, z, sample_weight=w)
    return 2 * model.predict_proba(Xn)[:, 1] - 1


def qini_curve(uplift_score, treated, outcome, steps: int | None = None) -> pd.DataFrame:
    """The Qini curve by hand (Radcliffe, 2007): customers ranked by decreasing ``uplift_score``.

    For the first k customers of the ranking, with Rₜ(k), R_c(k) the responders and
    Nₜ(k), N_c(k) the customers of the test and control groups among them, the
    incremental responses are Q(k) = Rₜ(k) − R_c(k) · Nₜ(k) / N_c(k) (the control's rate
    applied to the test customers). Returns ``share`` (k / n), ``targeted`` (k),
    ``qini`` (Q(k)) and ``random`` (the straight line from 0 to Q(n): a random ranking),
    with ``steps + 1`` points (default: every customer). :func:`qini_coefficient` is the
    area between the two.

    >>> qini_curve([3, 2, 1, 0], [1, 0, 1, 0], [1, 0, 0, 0])["qini"].tolist()
    [0.0, 1.0, 1.0, 1.0, 1.0]
    """
    s = _scores(uplift_score, "le score d'uplift", "uplift_score")
    t = _binary(treated, "l'indicateur de traitement", "treated")
    y = _binary(outcome, "la réponse observée", "outcome")
    if not len(s) == len(t) == len(y):
        raise InvalidValueError(f"le score ({len(s)}), le traitement ({len(t)}) et la réponse ({len(y)}) "
                                "doivent avoir une valeur par client.")
    if t.min() == t.max():
        raise InvalidValueError("il faut des clients des deux groupes (test et témoin) pour tracer une courbe de Qini.")
    n = len(s)
    order = np.argsort(-s, kind="stable")
    tt, yy = t[order], y[order]
    nt = np.concatenate([[0.0], np.cumsum(tt)])
    nc = np.concatenate([[0.0], np.cumsum(1 - tt)])
    rt = np.concatenate([[0.0], np.cumsum(yy * tt)])
    rc = np.concatenate([[0.0], np.cumsum(yy * (1 - tt))])
    with np.errstate(divide="ignore", invalid="ignore"):
        q = rt - np.where(nc > 0, rc * nt / nc, 0.0)
    k = np.arange(n + 1)
    if steps is not None:
        if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise InvalidValueError(f"le nombre de pas (`steps`) doit être un entier ≥ 1 (reçu : {steps!r}).")
        k = np.unique(np.round(np.linspace(0, n, steps + 1)).astype(int))
    return pd.DataFrame({"share": k / n, "targeted": k, "qini": q[k], "random": q[n] * k / n})


def qini_coefficient(uplift_score, treated, outcome) -> float:
    """Area between the Qini curve and the random line, per customer (x: share targeted, y: Q / n).

    Positive when the ranking finds the extra responders earlier than chance; 0 for a
    ranking no better than random; comparable between samples of different sizes.
    """
    c = qini_curve(uplift_score, treated, outcome)
    n = c["targeted"].iloc[-1]
    gap = (c["qini"] - c["random"]).to_numpy() / n
    x = c["share"].to_numpy()
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))


# ================================================================ profit by depth
def targeting_profit(effect, rankings: dict, value_per_response: float, cost_per_contact: float,
                     steps: int = 100) -> pd.DataFrame:
    """Profit of a send by targeting depth, customers ranked by each score of ``rankings``.

    ``effect``: each customer's **incremental** response if contacted (true y₁ − y₀, or an
    expected value); ``rankings``: a French label → a score (higher = contacted first).
    Contacting the first k customers earns value × Σ effect − cost × k. Returns ``depth``
    (share contacted), ``contacted`` and one profit column (€) per ranking.
    """
    e = _scores(effect, "l'effet incrémental", "effect")
    v = _scalar(value_per_response, "la valeur d'une réponse", "value_per_response", low=0)
    c = _scalar(cost_per_contact, "le coût par contact", "cost_per_contact", low=0)
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidValueError(f"le nombre de pas (`steps`) doit être un entier ≥ 1 (reçu : {steps!r}).")
    n = len(e)
    k = np.unique(np.round(np.linspace(0, n, steps + 1)).astype(int))
    out = pd.DataFrame({"depth": k / n, "contacted": k})
    for label, score in rankings.items():
        s = _scores(score, f"le score « {label} »", "rankings", n)
        cum = np.concatenate([[0.0], np.cumsum(e[np.argsort(-s, kind="stable")])])
        out[label] = v * cum[k] - c * k
    return out


TARGETING_TITLE = "Profit d'un envoi selon la profondeur de ciblage"


def targeting_figure(effect, rankings: dict, steps: int = 200):
    """A live figure: profit against depth, one curve per ranking, for a cost and a value.

    Returns ``(view, update)``; ``update(cost_per_contact, value_per_response, depth)``
    redraws (profit = value × cumulated effect − cost × contacted, vectorised) and returns
    ``(title, caption)``.
    """
    from .style import fmt_eur, fmt_pct
    from .widgets import depth_profit_figure

    e = _scores(effect, "l'effet incrémental", "effect")
    n = len(e)
    positions = np.unique(np.round(np.linspace(0, n, steps + 1)).astype(int))
    depth = positions / n
    cum = {}
    for label, score in rankings.items():
        s = _scores(score, f"le score « {label} »", "rankings", n)
        cum[label] = np.concatenate([[0.0], np.cumsum(e[np.argsort(-s, kind="stable")])])[positions]
    view, draw = depth_profit_figure(depth, list(rankings), "Profit de l'envoi (€)", TARGETING_TITLE, 0.3)

    def update(cost_per_contact: float, value_per_response: float, depth_shown: float) -> tuple[str, str]:
        c = _scalar(cost_per_contact, "le coût par contact", "cost_per_contact", low=0)
        v = _scalar(value_per_response, "la valeur d'une réponse", "value_per_response", low=0)
        k_shown = _scalar(depth_shown, "la profondeur de ciblage", "depth", low=0, high=1)
        shown, parts = draw({k: v * cum[k] - c * positions for k in rankings}, k_shown)
        title = f"contact {fmt_eur(c, 2)}, réponse {fmt_eur(v)}, profondeur {fmt_pct(shown, 0)}"
        return title, " ; ".join(parts)

    return view, update


def targeting_widget(effect, rankings: dict, cost_per_contact: float = 0.5, value_per_response: float = 20.0,
                     depth: float = 0.3):
    """Sliders (cost per contact, value of a response, depth) → :func:`targeting_figure`."""
    from . import widgets

    view, update = targeting_figure(effect, rankings)
    controls = {
        "cost_per_contact": widgets.number("coût d'un contact", cost_per_contact, 0, 3, 0.05, decimals=2, unit="€"),
        "value_per_response": widgets.number("valeur d'une réponse", value_per_response, 0, 60, 1, unit="€"),
        "depth_shown": widgets.percent("profondeur", depth, 0.0, 1.0, 0.01),
    }
    return widgets.explorer(view, update, controls, name="ciblage d'un envoi",
                            rows=[["cost_per_contact", "value_per_response"], ["depth_shown"]])
