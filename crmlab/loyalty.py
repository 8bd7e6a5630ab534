"""Loyalty programmes: points economics (breakage, liability, IFRS 15) and the programme's effect.

Two halves, as in chapter 09:

- **economics** — :func:`points_summary` reads a points ledger (gains > 0, uses and
  expiries < 0), :func:`breakage_rate`, :func:`liability` (outstanding points at face value
  and net of breakage), :func:`deferred_revenue` (IFRS 15: the price of a sale is split
  between the goods and the points by their stand-alone selling prices), and a small
  steady-state simulator of a points scheme, :func:`simulate_programme`, with its widget
  (:func:`simulator_widget`: earn rate, burn value, expiry → cost, liability, breakage);
- **effect** — :func:`did` (difference-in-differences, statsmodels OLS with errors clustered
  by customer), :func:`propensity_match` (nearest neighbour on a propensity score) and
  :func:`balance_table` (standardised mean differences), :func:`plot_estimates` (several
  estimates against the truth).

>>> breakage_rate(expired=200, redeemed=800)
0.2
>>> liability(10_000, eur_per_point=0.02, breakage=0.2)["net"]
160.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .validation import (InvalidDateError, InvalidValueError, check_table, require_columns, require_number,
                         require_numeric)

__all__ = ["points_summary", "breakage_rate", "liability", "deferred_revenue", "simulate_programme",
           "simulator_figure", "simulator_widget", "did", "propensity_scores", "propensity_match",
           "balance_table", "plot_estimates", "GAIN", "USE", "EXPIRY", "SIMULATOR_TITLE"]

GAIN, USE, EXPIRY = "gain", "utilisation", "expiration"
SIMULATOR_TITLE = "Ce que coûte un programme à points (modèle simplifié, un an en régime de croisière)"


# ------------------------------------------------------------------ guards
def _scalar(value, label: str, name: str, low: float | None = 0.0, high: float | None = None,
            strict: bool = False) -> float:
    arr = require_number(value, label, name)
    if arr.ndim:
        raise InvalidValueError(f"{label} (`{name}`) doit être un seul nombre, pas une liste.")
    x = float(arr)
    if low is not None and (x < low or (strict and x == low)):
        raise InvalidValueError(f"{label} (`{name}`) doit être {'>' if strict else '≥'} "
                                f"{low:g} : valeur reçue {x:g}.")
    if high is not None and x > high:
        raise InvalidValueError(f"{label} (`{name}`) doit être ≤ {high:g} : valeur reçue {x:g}.")
    return x


def _no_missing(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """A French error naming the first column with a missing value, and its row."""
    for col in columns:
        miss = df[col].isna().to_numpy()
        if miss.any():
            row = int(np.flatnonzero(miss)[0])
            raise InvalidValueError(f"la colonne '{col}' de la table « {table} » contient une valeur manquante "
                                    f"(ligne {row}, index {df.index[row]!r}) : complétez-la (par exemple 0 achat) "
                                    "ou retirez la ligne avant l'estimation.")


# ------------------------------------------------------------------ economics
def points_summary(points: pd.DataFrame, as_of: str | pd.Timestamp | None = None, date: str = "date",
                   kind: str = "type", amount: str = "points") -> pd.Series:
    """Points earned, redeemed, expired and outstanding in a ledger, with the breakage rate.

    ``points`` has one row per movement: ``kind`` ∈ « gain », « utilisation », « expiration »
    and a **signed** ``amount`` (> 0 for a gain, < 0 otherwise); movements after ``as_of``
    are ignored. Breakage = expired / (expired + redeemed): the share of the points that
    left the scheme without being used.

    >>> ledger = pd.DataFrame({"date": ["2025-01-05", "2025-02-01", "2026-01-05"],
    ...                        "type": ["gain", "utilisation", "expiration"], "points": [900, -500, -400]})
    >>> float(points_summary(ledger, as_of="2025-12-31")["outstanding"])
    400.0
    """
    df = check_table(points, "points", [kind, amount], dates=[date])
    require_numeric(df, amount, "points")
    unknown = sorted(set(df[kind].dropna().astype(str)) - {GAIN, USE, EXPIRY})
    if unknown or df[kind].isna().any():
        bad = unknown[0] if unknown else None
        raise InvalidValueError(f"la colonne '{kind}' de la table « points » contient un type inconnu : {bad!r} "
                                f"(types attendus : « {GAIN} », « {USE} », « {EXPIRY} »).")
    gains = df[kind] == GAIN
    wrong = (gains & (df[amount] < 0)) | (~gains & (df[amount] > 0))
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise InvalidValueError(f"la colonne '{amount}' de la table « points » a un signe inattendu ligne {row} "
                                f"({df[kind].iloc[row]} de {df[amount].iloc[row]:g} points) : un gain est positif, "
                                "une utilisation ou une expiration négative.")
    if as_of is not None:
        try:
            cut = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            cut = pd.NaT
        if pd.isna(cut):
            raise InvalidDateError(f"date `as_of` illisible : {as_of!r}. Format attendu : AAAA-MM-JJ, "
                                   "par exemple \"2025-12-31\".")
        df = df[df[date] <= cut]
    total = df.groupby(kind)[amount].sum().reindex([GAIN, USE, EXPIRY], fill_value=0).astype(float)
    earned, redeemed, expired = total[GAIN], -total[USE], -total[EXPIRY]
    return pd.Series({"earned": earned, "redeemed": redeemed, "expired": expired,
                      "outstanding": earned - redeemed - expired,
                      "breakage_rate": breakage_rate(expired, redeemed) if expired + redeemed else np.nan})


def breakage_rate(expired: float, redeemed: float) -> float:
    """Expired / (expired + redeemed): the share of settled points that were never used.

    >>> breakage_rate(1, 3)
    0.25
    """
    x = _scalar(expired, "les points expirés", "expired")
    r = _scalar(redeemed, "les points utilisés", "redeemed")
    if x + r == 0:
        raise InvalidValueError("aucun point utilisé ni expiré : le taux de breakage n'est pas défini.")
    return x / (x + r)


def liability(outstanding: float, eur_per_point: float, breakage: float = 0.0) -> dict[str, float]:
    """The programme's debt to its members: outstanding points at face value, and net of breakage.

    Face value = points × value of a point; net = face × (1 − breakage), the points the firm
    expects to honour. Returns ``{"face": …, "net": …}`` in euros.

    >>> liability(1000, 0.02, 0.25)
    {'face': 20.0, 'net': 15.0}
    """
    pts = _scalar(outstanding, "les points encore dus", "outstanding")
    value = _scalar(eur_per_point, "la valeur d'un point", "eur_per_point")
    b = _scalar(breakage, "le taux de breakage", "breakage", 0.0, 1.0)
    face = pts * value
    return {"face": round(face, 10), "net": round(face * (1 - b), 10)}


def deferred_revenue(sales: float, points_issued: float, eur_per_point: float,
                     redemption_rate: float) -> dict[str, float]:
    """IFRS 15: split a sale's price between the goods and the points it earns.

    The points are a separate promise: their stand-alone selling price is points × value ×
    expected redemption rate (1 − breakage). The price paid, ``sales``, is allocated in
    proportion to the stand-alone prices of goods (``sales``) and points; the points' share is
    **deferred** (a contract liability) until the points are used or expire.

    >>> d = deferred_revenue(1000, 1000, 0.02, 0.8)     # points worth 16 € → 1000 × 16 / 1016
    >>> round(d["points"], 2), round(d["goods"], 2)
    (15.75, 984.25)
    """
    s = _scalar(sales, "le chiffre d'affaires", "sales")
    p = _scalar(points_issued, "les points émis", "points_issued")
    v = _scalar(eur_per_point, "la valeur d'un point", "eur_per_point")
    q = _scalar(redemption_rate, "le taux d'utilisation attendu", "redemption_rate", 0.0, 1.0)
    ssp = p * v * q
    if s + ssp == 0:
        raise InvalidValueError("le chiffre d'affaires et les points émis sont nuls : rien à répartir.")
    points_part = s * ssp / (s + ssp)
    return {"standalone_points": ssp, "points": points_part, "goods": s - points_part}


def simulate_programme(spend, earn_rate: float = 1.0, eur_per_point: float = 0.02, expiry_months: float = 12,
                       threshold: float = 500, capture: float = 0.5) -> dict[str, float]:
    """One year of a points scheme in steady state, for members with annual spends ``spend`` (€).

    A simplified, transparent model (not the generator's): member *i* earns
    p = ``earn_rate`` × spend points a year. She can use points only once she holds
    ``threshold`` of them, which she reaches before they expire only if
    p × expiry / 12 ≥ threshold; then her points are used at the rate λ = ``capture`` × p /
    threshold per year (``capture`` = share of the occasions she seizes), so that a point is
    used before expiring with probability 1 − exp(−λ W), W = expiry in years; otherwise it
    expires. Outstanding points = points earned a year × their mean time in the scheme
    (Little's law). Returns the totals: points earned, redeemed, expired, outstanding,
    ``cost`` (€ of rewards), ``sales``, ``cost_share`` (cost / sales), ``breakage``,
    ``liability_face`` and ``liability_net`` (€), and ``share_reaching`` (members who can
    ever use their points).

    >>> r = simulate_programme([1000.0], earn_rate=1, eur_per_point=0.02, expiry_months=12, threshold=500)
    >>> round(r["breakage"], 3), round(r["cost_share"], 4)      # λ = 1, W = 1 → 1 − e^(−1) used
    (0.368, 0.0126)
    """
    s = require_number(spend, "les dépenses annuelles des membres", "spend").ravel()
    if s.size == 0:
        raise InvalidValueError("les dépenses annuelles des membres (`spend`) sont vides : aucun membre à simuler.")
    if (s < 0).any():
        raise InvalidValueError(f"les dépenses annuelles des membres (`spend`) contiennent un montant négatif "
                                f"({s[s < 0][0]:g} €).")
    earn = _scalar(earn_rate, "le taux de gain (points par euro)", "earn_rate")
    value = _scalar(eur_per_point, "la valeur d'un point", "eur_per_point")
    w = _scalar(expiry_months, "la durée de validité des points (mois)", "expiry_months", 0, strict=True) / 12
    t = _scalar(threshold, "le seuil d'utilisation (points)", "threshold", 0, strict=True)
    q = _scalar(capture, "la part des occasions saisies", "capture", 0.0, 1.0)
    p = earn * s
    reach = (p * w >= t) & (p > 0) & (q > 0)
    lam = np.where(reach, q * p / t, 0.0)
    used = np.where(reach, -np.expm1(-lam * w), 0.0)              # share of each member's points used
    life = np.where(reach, used / np.where(reach, lam, 1.0), w)     # mean years a point stays
    earned, redeemed = p.sum(), (p * used).sum()
    expired, outstanding = earned - redeemed, (p * life).sum()
    breakage = expired / earned if earned else 0.0
    cost, sales = redeemed * value, s.sum()
    debt = liability(outstanding, value, breakage)
    out = {"earned": earned, "redeemed": redeemed, "expired": expired, "outstanding": outstanding,
           "cost": cost, "sales": sales, "cost_share": cost / sales if sales else 0.0, "breakage": breakage,
           "liability_face": debt["face"], "liability_net": debt["net"], "share_reaching": reach.mean()}
    return {k: float(v) for k, v in out.items()}


def simulator_figure(spend, threshold: float = 500, capture: float = 0.5, band: tuple[float, float] = (0.01, 0.03)):
    """A live figure of :func:`simulate_programme`: where a year's points go, and the cost as a % of sales.

    Left: the points earned in a year, split into used / expired, and the outstanding stock
    at year end (in millions of points). Right: the rewards' cost as a % of the members'
    sales, against ``band`` (the 1–3 % the sources cite). Returns ``(view, update)``;
    ``update(earn_rate, burn_value, expiry_months)`` takes the burn value in € per 100 points.
    """
    from .style import COLORS, fmt_eur, fmt_number, fmt_pct, format_axis
    from .widgets import LiveFigure

    s = require_number(spend, "les dépenses annuelles des membres", "spend").ravel()
    simulate_programme(s, threshold=threshold, capture=capture)      # validates once
    view = LiveFigure((9.5, 4.6), ncols=2, heading=SIMULATOR_TITLE, title_lines=2,
                      gridspec_kw={"width_ratios": [3, 2]})
    left, right = view.axes
    bars = left.barh(["utilisés", "expirés\n(breakage)"], [0, 0], color=[COLORS["good"], COLORS["bad"]], height=0.6)
    left.invert_yaxis()
    left.set_xlim(0, 1)                                   # fixed scales: the background is drawn once
    left.set_xlabel("Part des points gagnés dans l'année")
    format_axis(left, x="pct")
    shares = [view.label(0.0, 0.0, "", transform=left.transData, ha="left", va="center", offset=(6.0, 0.0),
                         weight="bold") for _ in bars]
    top = 12.0                                            # % of sales shown; above, the bar is cut and says so
    right.axhspan(band[0] * 100, band[1] * 100, color=COLORS["neutral"], alpha=0.25, lw=0)
    right.text(0.98, band[1] * 100 + 0.2, "repère des\nsources :\n1 à 3 %\ndu CA", va="bottom", ha="right",
               fontsize="small", color=COLORS["neutral"])
    cost_bar = right.bar([0.35], [0], color=COLORS["primary"], width=0.4)[0]
    right.set_xlim(0, 1)
    right.set_xticks([0.35], ["coût des récompenses"])
    right.set_ylim(0, top)
    right.set_ylabel("% du chiffre d'affaires des membres")
    format_axis(right, y="num", decimals=0)
    cost_text = view.label(0.35, 0.0, "", transform=right.transData, va="bottom", offset=(0.0, 4.0), weight="bold")
    view.animate(*bars, cost_bar)

    def update(earn_rate: float, burn_value: float, expiry_months: float) -> tuple[str, str]:
        r = simulate_programme(s, earn_rate=earn_rate, eur_per_point=burn_value / 100, expiry_months=expiry_months,
                               threshold=threshold, capture=capture)
        for bar, lab, v in zip(bars, shares, (1 - r["breakage"], r["breakage"])):
            bar.set_width(v)
            lab.set_text(fmt_pct(v))
            lab.set_position((min(v, 0.8), bar.get_y() + bar.get_height() / 2))
        pct = r["cost_share"] * 100
        cost_bar.set_height(min(pct, top))
        cost_text.set_text(fmt_pct(r["cost_share"], 1) + (" ↑" if pct > top else ""))
        cost_text.set_position((0.35, min(pct, top * 0.9)))
        title = (f"{fmt_number(earn_rate, 1)} point par euro, 100 points = {fmt_eur(burn_value, 2)}, "
                 f"validité {fmt_number(expiry_months)} mois\n"
                 f"coût {fmt_pct(r['cost_share'], 2)} du CA · breakage {fmt_pct(r['breakage'])} · "
                 f"passif {fmt_eur(r['liability_face'])} (net {fmt_eur(r['liability_net'])})")
        caption = (f"{fmt_pct(r['share_reaching'])} des membres atteignent le seuil de {fmt_number(threshold)} points "
                   f"avant l'expiration ; coût des récompenses {fmt_eur(r['cost'])} pour {fmt_eur(r['sales'])} d'achats.")
        return title, caption

    return view, update


def simulator_widget(spend, earn_rate: float = 1.0, burn_value: float = 2.0, expiry_months: int = 12,
                     threshold: float = 500, capture: float = 0.5):
    """Sliders (earn rate, burn value per 100 points, expiry in months) → :func:`simulator_figure`."""
    from . import widgets

    view, update = simulator_figure(spend, threshold=threshold, capture=capture)
    controls = {
        "earn_rate": widgets.number("points par euro", earn_rate, 0.5, 5, 0.5, decimals=1),
        "burn_value": widgets.number("valeur de 100 points", burn_value, 0.5, 5, 0.5, decimals=1, unit="€"),
        "expiry_months": widgets.integer("validité (mois)", expiry_months, 6, 36, 6),
    }
    return widgets.explorer(view, update, controls, name="simulateur de programme à points",
                            rows=[["earn_rate", "burn_value"], ["expiry_months"]])


# ------------------------------------------------------------------ effect
def did(panel: pd.DataFrame, outcome: str, treated: str = "treated", post: str = "post",
        cluster: str = "customer_id") -> pd.Series:
    """Difference-in-differences: OLS of ``outcome`` on treated, post and treated × post.

    ``panel`` has one row per customer and period; ``treated`` and ``post`` are 0 / 1 (or
    booleans). Standard errors are clustered by ``cluster`` (a customer's periods are not
    independent). Returns ``estimate`` (the treated × post coefficient, in the outcome's
    unit), ``se``, ``ci_low``, ``ci_high`` (95 %), ``p_value``, ``counterfactual`` (the treated
    group's post mean minus the estimate: what it would have done without the programme if
    the trends were parallel) and ``relative`` = estimate / counterfactual.
    """
    import statsmodels.formula.api as smf

    df = check_table(panel, "panel", [outcome, treated, post, cluster])
    _no_missing(df, [outcome, treated, post, cluster], "panel")
    require_numeric(df.assign(**{treated: df[treated].astype(float) if df[treated].dtype == bool else df[treated],
                                 post: df[post].astype(float) if df[post].dtype == bool else df[post]}),
                    outcome, "panel")
    data = pd.DataFrame({"y": df[outcome].astype(float), "d": df[treated].astype(float),
                         "t": df[post].astype(float)})
    for col, label in ((treated, "d"), (post, "t")):
        if not data[label].isin([0.0, 1.0]).all():
            bad = df.loc[~data[label].isin([0.0, 1.0]), col].iloc[0]
            raise InvalidValueError(f"la colonne '{col}' de la table « panel » doit valoir 0 ou 1 (ou vrai / faux) : "
                                    f"valeur reçue {bad!r}.")
    cells = data.groupby(["d", "t"]).size()
    if len(cells) < 4:
        raise InvalidValueError("le panel doit contenir les quatre cases (traités / témoins × avant / après) ; "
                                f"il en manque : seules {', '.join(f'{int(d)}/{int(t)}' for d, t in cells.index)} "
                                "sont présentes (traité/après).")
    groups = pd.factorize(df[cluster])[0]
    fit = smf.ols("y ~ d + t + d:t", data=data).fit(cov_type="cluster", cov_kwds={"groups": groups})
    est, se = float(fit.params["d:t"]), float(fit.bse["d:t"])
    low, high = (float(v) for v in fit.conf_int().loc["d:t"])
    treated_post = float(data.loc[(data["d"] == 1) & (data["t"] == 1), "y"].mean())
    cf = treated_post - est
    return pd.Series({"estimate": est, "se": se, "ci_low": low, "ci_high": high, "p_value": float(fit.pvalues["d:t"]),
                      "counterfactual": cf, "relative": est / cf if cf else np.nan, "n_clusters": int(groups.max() + 1)})


def propensity_scores(data: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> pd.Series:
    """P(treated | covariates) by a logistic regression (scikit-learn, covariates standardised)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = check_table(data, "clients", [treatment, *covariates])
    _no_missing(df, [treatment, *covariates], "clients")
    for col in covariates:
        require_numeric(df.assign(**{col: df[col].astype(float) if df[col].dtype == bool else df[col]}), col, "clients")
    d = df[treatment].astype(bool).to_numpy()
    if d.all() or not d.any():
        raise InvalidValueError(f"la colonne '{treatment}' doit contenir des traités et des non-traités : "
                                f"ici, {'tous' if d.all() else 'aucun'} sont traités.")
    x = df[list(covariates)].astype(float).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, d)
    return pd.Series(model.predict_proba(x)[:, 1], index=df.index, name="propensity")


def propensity_match(data: pd.DataFrame, treatment: str, covariates: Sequence[str],
                     caliper: float | None = None) -> pd.DataFrame:
    """Match each treated row to the control with the nearest propensity score (with replacement).

    Returns one row per matched treated: ``treated`` and ``control`` (index labels of
    ``data``), their scores and the ``distance``. ``caliper`` (in score units) drops the
    treated whose nearest control is farther: the rest are said to be off support.
    """
    from sklearn.neighbors import NearestNeighbors

    ps = propensity_scores(data, treatment, covariates)
    d = data[treatment].astype(bool).to_numpy()
    controls, treated = ps[~d], ps[d]
    nn = NearestNeighbors(n_neighbors=1).fit(controls.to_numpy().reshape(-1, 1))
    dist, idx = nn.kneighbors(treated.to_numpy().reshape(-1, 1))
    out = pd.DataFrame({"treated": treated.index, "control": controls.index[idx[:, 0]],
                        "ps_treated": treated.to_numpy(), "ps_control": controls.to_numpy()[idx[:, 0]],
                        "distance": dist[:, 0]})
    if caliper is not None:
        c = _scalar(caliper, "l'écart maximal de score", "caliper", 0, strict=True)
        out = out[out["distance"] <= c].reset_index(drop=True)
    return out


def balance_table(data: pd.DataFrame, treatment: str, covariates: Sequence[str],
                  matches: pd.DataFrame | None = None) -> pd.DataFrame:
    """Standardised mean differences of ``covariates`` between treated and controls.

    SMD = (mean treated − mean controls) / √((var treated + var controls) / 2), with the
    variances of the full sample (so that before and after share a denominator). With
    ``matches`` (from :func:`propensity_match`), the controls are the matched ones, counted
    as often as they are used. |SMD| < 0,1 is the usual threshold of a good balance.
    """
    df = check_table(data, "clients", [treatment, *covariates])
    d = df[treatment].astype(bool)
    x = df[list(covariates)].astype(float)
    sd = np.sqrt((x[d].var() + x[~d].var()) / 2).replace(0, np.nan)
    out = pd.DataFrame({"mean_treated": x[d].mean(), "mean_control": x[~d].mean()})
    out["smd_before"] = (out["mean_treated"] - out["mean_control"]) / sd
    if matches is not None:
        require_columns(matches, ["treated", "control"], "appariements")
        mt, mc = x.loc[matches["treated"]].mean(), x.loc[matches["control"]].mean()
        out["mean_matched_treated"], out["mean_matched_control"] = mt, mc
        out["smd_after"] = (mt - mc) / sd
    return out


def plot_estimates(estimates: pd.DataFrame, truth: float, value: str = "relative", low: str | None = "ci_low",
                   high: str | None = "ci_high", ax=None, title: str = "Effet du programme : quatre estimations",
                   xmax: float | None = None):
    """Horizontal bars of several estimates (rows of ``estimates``, labelled by its index) against ``truth``.

    Values are relative effects (0,15 for +15 %), written at the end of each bar; optional
    ``low`` / ``high`` columns draw 95 % intervals. ``xmax`` cuts the axis there: a longer
    bar is drawn to the edge, with its value and an arrow. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from .style import COLORS, format_axis

    cols = [value] + [c for c in (low, high) if c]
    df = check_table(estimates, "estimations", cols)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.9 * len(df) + 1.6))
    from .style import fmt_pct

    y = np.arange(len(df))
    v = df[value].to_numpy(dtype=float)
    top = xmax if xmax is not None else max(float(np.nanmax(v)), truth) * 1.15
    ax.barh(y, np.minimum(v, top), color=COLORS["primary"], height=0.6)
    if low and high:
        lo, hi = df[low].to_numpy(dtype=float), df[high].to_numpy(dtype=float)
        ok = ~np.isnan(lo) & ~np.isnan(hi)
        ax.errorbar(v[ok], y[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="none", ecolor="black", capsize=5, lw=1.5)
    for yi, vi in zip(y, v):
        cut = vi > top
        ax.text(top * 0.98 if cut else max(vi, 0) + top * 0.01, yi - 0.36, fmt_pct(vi, 0) + (" →" if cut else ""),
                ha="right" if cut else "left", va="bottom", fontweight="bold")
    ax.set_xlim(min(0.0, float(np.nanmin(v)) * 1.1), top)
    ax.axvline(truth, color=COLORS["accent"], lw=3, ls="--", label="effet vrai (générateur)")
    ax.set_yticks(y, df.index)
    ax.invert_yaxis()
    ax.set_xlabel("Effet estimé sur le nombre d'achats (en % d'achats en plus)")
    format_axis(ax, x="pct")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return ax
