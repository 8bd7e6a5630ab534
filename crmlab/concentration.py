"""Concentration of value: Pareto / Lorenz curve, top-x % share, Gini, ABC classes, value × potential.

>>> import pandas as pd
>>> sales = pd.Series([50.0, 30.0, 10.0, 5.0, 5.0])
>>> round(top_share(sales, 0.2), 2)
0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.validation import InvalidValueError, NegativeValueError

__all__ = [
    "pareto_curve",
    "top_share",
    "gini",
    "abc_classes",
    "abc_summary",
    "value_potential_matrix",
    "MATRIX_ACTIONS",
    "plot_pareto",
]


def _values(values, name: str = "valeurs") -> np.ndarray:
    """Validate a 1-D collection of amounts (numeric, no NaN, ≥ 0, total > 0)."""
    s = pd.Series(values)
    if len(s) == 0:
        raise InvalidValueError(f"aucune valeur à analyser : la série « {name} » est vide.")
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise InvalidValueError(f"la série « {name} » doit être numérique (des montants en euros).")
    x = s.to_numpy(dtype=np.float64)
    if np.isnan(x).any():
        raise InvalidValueError(
            f"la série « {name} » contient des valeurs manquantes (NaN) : remplacez-les par 0 "
            "(client sans achat) ou retirez ces clients."
        )
    if (x < 0).any():
        raise NegativeValueError(
            f"la série « {name} » contient un montant négatif ({x[x < 0][0]!r}) : la concentration "
            "se mesure sur des montants ≥ 0. Analysez les marges négatives à part (courbe de la baleine)."
        )
    if x.sum() == 0:
        raise InvalidValueError(f"la somme de la série « {name} » est nulle : rien à répartir.")
    return x


def pareto_curve(values) -> pd.DataFrame:
    """Cumulative share of customers vs cumulative share of value, best customers first.

    Starts at (0, 0) and ends at (1, 1); one row per customer plus the origin. (The
    Lorenz curve is the same curve read from the smallest customers: y_L(p) = 1 − y_P(1 − p).)

    >>> pareto_curve([3.0, 1.0]).round(2).values.tolist()
    [[0.0, 0.0], [0.5, 0.75], [1.0, 1.0]]
    """
    x = np.sort(_values(values))[::-1]
    n = len(x)
    return pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / n,
            "value_share": np.concatenate([[0.0], np.cumsum(x) / x.sum()]),
        }
    )


def top_share(values, top: float = 0.2) -> float:
    """Share of the total made by the best ``top`` fraction of customers (interpolated).

    >>> top_share([40.0, 30.0, 20.0, 10.0], top=0.25)
    0.4
    """
    if not 0 < top <= 1:
        raise InvalidValueError(f"la part de clients « top » doit être comprise entre 0 et 1 (exclu), pas {top!r}.")
    curve = pareto_curve(values)
    return float(np.interp(top, curve["customer_share"], curve["value_share"]))


def gini(values) -> float:
    """Gini coefficient: 0 = everybody buys the same, → 1 = one customer makes everything.

    G = Σ (2i − n − 1) x_(i) / (n Σ x), values sorted ascending, i = 1..n
    (twice the area between the diagonal and the Lorenz curve).

    >>> gini([1.0, 2.0, 3.0, 4.0])
    0.25
    """
    x = np.sort(_values(values))
    n = len(x)
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def abc_classes(values: pd.Series, cuts: tuple[float, float] = (0.65, 0.90), by: str = "value") -> pd.Series:
    """ABC class of each customer (ordered categorical "A" > "B" > "C").

    ``by="value"``: A = the best customers who together make the first ``cuts[0]``
    of the value, B up to ``cuts[1]``, C the rest (a customer straddling a cut
    goes to the better class). ``by="customers"``: A = the best ``cuts[0]`` of
    customers, B up to ``cuts[1]``, C the rest — the reading of the rule of thumb
    10 / 25 / 65 % of customers (``cuts=(0.10, 0.35)``). Ties are ordered by index.

    >>> abc_classes(pd.Series({"a": 70.0, "b": 20.0, "c": 6.0, "d": 4.0})).tolist()
    ['A', 'B', 'C', 'C']
    """
    s = pd.Series(values)
    x = _values(s)
    lo, hi = cuts
    if not 0 < lo < hi < 1:
        raise InvalidValueError(f"les seuils ABC doivent vérifier 0 < A < B < 1, pas {cuts!r}.")
    if by not in ("value", "customers"):
        raise InvalidValueError(f"by doit valoir 'value' ou 'customers', pas {by!r}.")
    order = np.argsort(-x, kind="stable")
    n = len(x)
    if by == "value":
        before = (np.cumsum(x[order]) - x[order]) / x.sum()  # value share of the better customers
    else:
        before = np.arange(n) / n
    ranked = np.where(before < lo - 1e-12, "A", np.where(before < hi - 1e-12, "B", "C"))
    labels = np.empty(n, dtype=object)
    labels[order] = ranked
    return pd.Series(pd.Categorical(labels, categories=["A", "B", "C"], ordered=True), index=s.index, name="abc")


def abc_summary(values: pd.Series, classes: pd.Series) -> pd.DataFrame:
    """Per class: customers, share of customers, value, share of value.

    >>> v = pd.Series([70.0, 20.0, 10.0]); abc_summary(v, abc_classes(v))["value_share"].tolist()
    [0.7, 0.2, 0.1]
    """
    x = pd.Series(_values(values), index=pd.Series(values).index)
    g = x.groupby(pd.Series(classes).reindex(x.index), observed=False).agg(["size", "sum"])
    g.columns = ["customers", "value"]
    g["customer_share"] = g["customers"] / g["customers"].sum()
    g["value_share"] = g["value"] / g["value"].sum()
    g.index = g.index.astype(str)
    g.index.name = "classe"
    return g[["customers", "customer_share", "value", "value_share"]]


MATRIX_ACTIONS = pd.DataFrame(
    [
        ("sous-développés", 1, "faible", "forte", "développer : ventes croisées, montée en gamme, contact dédié"),
        ("désirables", 2, "forte", "forte", "fidéliser et protéger : meilleur niveau de service"),
        ("mûrs", 3, "forte", "faible", "entretenir à coût maîtrisé : préserver la marge"),
        ("indésirables", 4, "faible", "faible", "servir à moindre coût (canaux automatisés), après vérifications"),
    ],
    columns=["quadrant", "priority", "current", "potential", "action"],
).set_index("quadrant")


def value_potential_matrix(
    current: pd.Series,
    potential: pd.Series,
    current_threshold: float | None = None,
    potential_threshold: float | None = None,
) -> pd.Series:
    """Quadrant of each customer on current × potential profitability (Mayol's matrix).

    High = strictly above the threshold (default: the median of each axis).
    Quadrants: « désirables » (high, high), « sous-développés » (low current, high
    potential), « mûrs » (high current, low potential), « indésirables » (low, low).

    >>> value_potential_matrix(pd.Series([10, 1, 10, 1]), pd.Series([5, 5, 0, 0]), 5, 2).tolist()
    ['désirables', 'sous-développés', 'mûrs', 'indésirables']
    """
    c = pd.Series(current)
    p = pd.Series(potential)
    if len(c) != len(p) or not c.index.equals(p.index):
        p = p.reindex(c.index)
    cv = c.to_numpy(dtype=np.float64)
    pv = p.to_numpy(dtype=np.float64)
    if np.isnan(cv).any() or np.isnan(pv).any():
        raise InvalidValueError(
            "rentabilité actuelle ou potentielle manquante pour certains clients : "
            "vérifiez que les deux séries ont le même index (customer_id)."
        )
    ct = float(np.median(cv)) if current_threshold is None else float(current_threshold)
    pt = float(np.median(pv)) if potential_threshold is None else float(potential_threshold)
    high_c, high_p = cv > ct, pv > pt
    labels = np.where(high_p, np.where(high_c, "désirables", "sous-développés"),
                      np.where(high_c, "mûrs", "indésirables"))
    return pd.Series(pd.Categorical(labels, categories=MATRIX_ACTIONS.index), index=c.index, name="quadrant")


def plot_pareto(data: pd.DataFrame | pd.Series, value_col: str | None = None, top: float = 0.2,
                cuts: tuple[float, float] | None = (0.65, 0.90), ax=None):
    """Pareto curve of ``data[value_col]`` with the diagonal, the top-``top`` point and ABC bands.

    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from crmlab.style import COLORS, fmt_pct, format_axis

    values = data if value_col is None else data[value_col]
    curve = pareto_curve(values)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    xs, ys = curve["customer_share"].to_numpy(), curve["value_share"].to_numpy()
    if cuts is not None:
        shades = ["#0072B2", "#56B4E9", "#D9D9D9"]
        bounds = [0.0, *cuts, 1.0]
        for k, name in enumerate("ABC"):
            x0 = float(np.interp(bounds[k], ys, xs))
            x1 = float(np.interp(bounds[k + 1], ys, xs))
            ax.axvspan(x0, x1, color=shades[k], alpha=0.18, lw=0)
            ax.text((x0 + x1) / 2, 0.04, name, ha="center", fontsize=12, fontweight="bold", color="#333333")
    ax.plot(xs, ys, color=COLORS["primary"], lw=2.5, label="Courbe de Pareto (clients triés du meilleur au moins bon)")
    ax.plot([0, 1], [0, 1], color=COLORS["neutral"], ls="--", lw=1, label="Égalité parfaite")
    share = top_share(values, top)
    ax.plot([top, top, 0], [0, share, share], color=COLORS["accent"], lw=1.2, ls=":")
    ax.scatter([top], [share], color=COLORS["accent"], zorder=5,
               label=f"{fmt_pct(top, 0)} des clients → {fmt_pct(share, 0)} du chiffre d'affaires")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    format_axis(ax, x="pct", y="pct")
    ax.set_xlabel("Part cumulée des clients (du plus gros au plus petit)")
    ax.set_ylabel("Part cumulée du chiffre d'affaires")
    ax.set_title("Concentration du chiffre d'affaires (courbe de Pareto)")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.09), fontsize=9)
    return ax
