"""Customer journeys: funnels, paths, transitions and multi-touch attribution.

Two views of the same quarter (datasets/README.md): ``events`` (sessions, step by
step: the **funnel**) and ``touchpoints`` + ``journeys`` (the marketing contacts
before a conversion or an abandon: **paths**, the **transition matrix** and
**attribution**). Attribution shares one conversion between the channels of its
journey; every function here returns credited conversions per channel, to compare
with the true incremental conversions the generator knows.

- :func:`funnel` — sessions reaching each step, the rate from the step before, the drop-off;
- :func:`path_counts` — the most frequent paths (``display > e-mail > recherche marque``);
- :func:`transition_matrix` — from each state to the next, with ``(début)``, ``(conversion)``
  and ``(abandon)``;
- :func:`attribute` — rule-based models: ``"last_touch"``, ``"first_touch"``, ``"linear"``,
  ``"position"`` (40 / 20 / 40);
- :func:`markov_removal` — the removal effect of each channel, computed exactly on the
  absorbing Markov chain (fundamental matrix ``N = (I − Q)⁻¹``), not by simulation;
- :func:`shapley` — exact Shapley values of the game « conversions of the journeys whose
  channels all belong to the coalition »: each journey is a unanimity game on its distinct
  channels, so the Shapley value equals linear attribution over each journey's **distinct**
  channels (``attribute(..., model="linear", distinct=True)``) — a built-in check;
- :func:`compare_models` — every model's shares side by side; :func:`budget_widget` —
  the budget each model would recommend, against the truth.

>>> tp = pd.DataFrame({"journey_id": ["J1", "J1", "J2"], "touch_no": [1, 2, 1],
...                    "channel": ["display", "e-mail", "e-mail"]})
>>> js = pd.DataFrame({"journey_id": ["J1", "J2"], "converted": [True, False]})
>>> attribute(tp, js, model="last_touch").to_dict()
{'display': 0.0, 'e-mail': 1.0}
>>> attribute(tp, js, model="linear").to_dict()
{'display': 0.5, 'e-mail': 0.5}
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .validation import InvalidValueError, check_table, require_columns, require_dataframe

__all__ = [
    "FUNNEL_STEPS", "MODELS", "START", "CONVERSION", "NULL",
    "funnel", "journey_paths", "path_counts", "transition_matrix",
    "attribute", "markov_removal", "shapley", "compare_models",
    "budget_figure", "budget_widget",
]

FUNNEL_STEPS = ["session_start", "product_view", "add_to_cart", "checkout", "purchase"]
START, CONVERSION, NULL = "(début)", "(conversion)", "(abandon)"
MODELS = {"last_touch": "dernier contact", "first_touch": "premier contact", "linear": "linéaire",
          "position": "en U (40/20/40)"}
MAX_SHAPLEY_CHANNELS = 16


# ------------------------------------------------------------------ input guards
def _touchpoints(touchpoints: pd.DataFrame) -> pd.DataFrame:
    tp = check_table(touchpoints, "touchpoints", ["journey_id", "touch_no", "channel"])
    if tp["channel"].isna().any():
        row = int(tp["channel"].isna().to_numpy().nonzero()[0][0])
        raise InvalidValueError(f"la colonne 'channel' de la table « touchpoints » a une valeur manquante "
                                f"(ligne {row}) : chaque point de contact doit avoir un canal.")
    tp["channel"] = tp["channel"].astype(str)
    return tp.sort_values(["journey_id", "touch_no"], kind="stable").reset_index(drop=True)


def _outcomes(tp: pd.DataFrame, journeys: pd.DataFrame | None) -> pd.Series:
    """``converted`` per journey of ``tp``, from ``journeys`` or from a ``converted`` column of ``tp``."""
    if journeys is None:
        if "converted" not in tp.columns:
            raise InvalidValueError("donnez la table des parcours (`journeys=...`, avec la colonne 'converted') "
                                    "ou une colonne 'converted' dans la table « touchpoints ».")
        conv = tp.groupby("journey_id", sort=True)["converted"].first()
    else:
        js = check_table(journeys, "journeys", ["journey_id", "converted"])
        conv = js.drop_duplicates("journey_id").set_index("journey_id")["converted"]
        ids = tp["journey_id"].unique()
        unknown = ~pd.Index(ids).isin(conv.index)
        if unknown.any():
            raise InvalidValueError(f"le parcours {ids[unknown][0]!r} de la table « touchpoints » est absent de la "
                                    "table « journeys » : filtrez les deux tables de la même façon.")
        conv = conv.reindex(sorted(ids))
    if not pd.api.types.is_bool_dtype(conv):
        bad = conv[~conv.isin([True, False])]
        if len(bad):
            raise InvalidValueError(f"la colonne 'converted' doit être vraie ou fausse ; valeur rencontrée : "
                                    f"{bad.iloc[0]!r} (parcours {bad.index[0]!r}).")
        conv = conv.astype(bool)
    return conv


def _positions(tp: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each touch in its journey (0, 1, …) and the journey's number of touches."""
    pos = tp.groupby("journey_id", sort=False).cumcount().to_numpy()
    n = tp.groupby("journey_id", sort=False)["channel"].transform("size").to_numpy()
    return pos, n


# ------------------------------------------------------------------ funnel
def funnel(events: pd.DataFrame, steps: Sequence[str] = FUNNEL_STEPS, by: str | Sequence[str] | None = None,
           session: str = "session_id", step: str = "event_type") -> pd.DataFrame:
    """Sessions reaching each step of ``steps`` (a session that reached a later step counts for the earlier ones).

    Columns: ``by`` (if given), ``step``, ``sessions``, ``from_previous`` (share of the sessions of the step
    before), ``from_start`` (share of the first step's), ``drop_off`` (1 − ``from_previous``). Sessions with
    none of the steps are left out.

    >>> ev = pd.DataFrame({"session_id": ["a", "a", "b"], "event_type": ["session_start", "purchase", "session_start"]})
    >>> funnel(ev, ["session_start", "purchase"])["sessions"].tolist()
    [2, 1]
    """
    by = [by] if isinstance(by, str) else list(by or [])
    steps = list(steps)
    if len(steps) < 2 or len(set(steps)) != len(steps):
        raise InvalidValueError("le tunnel doit avoir au moins deux étapes, toutes différentes (`steps`).")
    ev = check_table(events, "events", [session, step, *by])
    rank = ev[step].astype(str).map({s: i for i, s in enumerate(steps)})
    ev = ev.assign(_rank=rank).dropna(subset=["_rank"])
    if ev.empty:
        raise InvalidValueError(f"aucune des étapes {steps} n'apparaît dans la colonne '{step}'.")
    reached = ev.groupby([*by, session], observed=True)["_rank"].max().astype(int).reset_index()
    rows = []
    groups = reached.groupby(by, observed=True) if by else [((), reached)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        counts = np.array([(g["_rank"] >= i).sum() for i in range(len(steps))])
        prev = np.concatenate([[counts[0]], counts[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            from_prev = np.where(prev > 0, counts / np.maximum(prev, 1), np.nan)
        for i, s in enumerate(steps):
            rows.append({**dict(zip(by, key)), "step": s, "sessions": int(counts[i]),
                         "from_previous": float(from_prev[i]), "from_start": counts[i] / counts[0],
                         "drop_off": 1 - float(from_prev[i])})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ paths and transitions
def journey_paths(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None, sep: str = " > ",
                  collapse: bool = False) -> pd.DataFrame:
    """One row per journey: its ``path`` (channels in order), ``n_touchpoints`` and ``converted``.

    ``collapse=True`` merges repeated consecutive channels (``e-mail > e-mail`` → ``e-mail``).
    """
    tp = _touchpoints(touchpoints)
    conv = _outcomes(tp, journeys)
    if collapse:
        same = (tp["journey_id"] == tp["journey_id"].shift()) & (tp["channel"] == tp["channel"].shift())
        tp = tp[~same.to_numpy()]
    g = tp.groupby("journey_id", sort=True)["channel"]
    out = pd.DataFrame({"path": g.agg(sep.join), "n_touchpoints": g.size()})
    out["converted"] = conv.reindex(out.index).to_numpy()
    return out.reset_index()


def path_counts(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None, top: int | None = 10,
                sep: str = " > ", collapse: bool = False) -> pd.DataFrame:
    """The most frequent paths: ``path``, ``journeys``, ``conversions``, ``conversion_rate`` (most frequent first).

    >>> tp = pd.DataFrame({"journey_id": ["J1", "J2"], "touch_no": [1, 1], "channel": ["e-mail", "e-mail"]})
    >>> path_counts(tp, pd.DataFrame({"journey_id": ["J1", "J2"], "converted": [True, False]}))["conversion_rate"].item()
    0.5
    """
    p = journey_paths(touchpoints, journeys, sep=sep, collapse=collapse)
    out = (p.groupby("path").agg(journeys=("journey_id", "size"), conversions=("converted", "sum"))
           .reset_index().sort_values(["journeys", "path"], ascending=[False, True], kind="stable"))
    out["conversion_rate"] = out["conversions"] / out["journeys"]
    out["conversions"] = out["conversions"].astype(int)
    return (out.head(top) if top else out).reset_index(drop=True)


def _transition_counts(tp: pd.DataFrame, conv: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    channels = sorted(tp["channel"].unique())
    nxt = tp.groupby("journey_id", sort=False)["channel"].shift(-1)
    last = nxt.isna()
    outcome = np.where(conv.reindex(tp["journey_id"]).to_numpy(), CONVERSION, NULL)
    to = np.where(last, outcome, nxt.astype(object))
    first = tp.groupby("journey_id", sort=False).cumcount() == 0
    frm = pd.concat([pd.Series(START, index=range(int(first.sum()))), tp["channel"]], ignore_index=True)
    to = pd.concat([tp.loc[first.to_numpy(), "channel"], pd.Series(to)], ignore_index=True)
    counts = pd.crosstab(frm, to).reindex(index=[START, *channels], columns=[*channels, CONVERSION, NULL],
                                          fill_value=0)
    return counts, channels


def transition_matrix(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None,
                      normalize: bool = True) -> pd.DataFrame:
    """First-order transitions between states: rows ``(début)`` and each channel, columns each channel,
    ``(conversion)`` and ``(abandon)``. Row shares if ``normalize`` (each row sums to 1), else counts.

    >>> tp = pd.DataFrame({"journey_id": ["J1", "J1"], "touch_no": [1, 2], "channel": ["display", "e-mail"]})
    >>> transition_matrix(tp, pd.DataFrame({"journey_id": ["J1"], "converted": [True]})).loc["e-mail", "(conversion)"]
    np.float64(1.0)
    """
    tp = _touchpoints(touchpoints)
    counts, _ = _transition_counts(tp, _outcomes(tp, journeys))
    if not normalize:
        return counts
    return counts.div(counts.sum(axis=1).replace(0, 1), axis=0)


# ------------------------------------------------------------------ rule-based attribution
def attribute(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None, model: str = "last_touch",
              weights: tuple[float, float] = (0.4, 0.4), distinct: bool = False) -> pd.Series:
    """Conversions credited to each channel by a rule-based ``model`` (one conversion per converted journey).

    ``"last_touch"`` / ``"first_touch"``: all to the last / first contact; ``"linear"``: equal shares of
    the contacts (``distinct=True``: of the journey's distinct channels); ``"position"``: ``weights`` (first,
    last; 40 % / 40 % by default) to the first and last contacts, the rest shared by the middle ones (two
    contacts: split in the ratio of the two weights). Returns a Series indexed by every channel of
    ``touchpoints`` (0 when never credited), summing to the number of conversions.
    """
    if model not in MODELS:
        raise InvalidValueError(f"modèle d'attribution inconnu : {model!r} (choisir parmi {', '.join(MODELS)} ; "
                                "pour la chaîne de Markov et Shapley : `markov_removal`, `shapley`).")
    tp = _touchpoints(touchpoints)
    channels = sorted(tp["channel"].unique())
    conv = _outcomes(tp, journeys)
    tp = tp[conv.reindex(tp["journey_id"]).to_numpy()].reset_index(drop=True)
    if distinct:
        tp = tp.drop_duplicates(["journey_id", "channel"]).reset_index(drop=True)
    pos, n = _positions(tp)
    if model == "last_touch":
        credit = (pos == n - 1).astype(float)
    elif model == "first_touch":
        credit = (pos == 0).astype(float)
    elif model == "linear":
        credit = 1.0 / n
    else:
        w_first, w_last = (float(w) for w in weights)
        if w_first < 0 or w_last < 0 or w_first + w_last > 1 or w_first + w_last == 0:
            raise InvalidValueError(f"poids du modèle en U invalides : {weights} (deux parts positives, premier et "
                                    "dernier contact, de somme comprise entre 0 et 1).")
        middle = (1 - w_first - w_last) / np.maximum(n - 2, 1)
        credit = np.select([n == 1, (n == 2) & (pos == 0), n == 2, pos == 0, pos == n - 1],
                           [1.0, w_first / (w_first + w_last), w_last / (w_first + w_last), w_first, w_last],
                           middle)
    out = pd.Series(credit, index=tp.index).groupby(tp["channel"]).sum()
    return out.reindex(channels, fill_value=0.0).astype(float).rename("conversions").rename_axis("channel")


# ------------------------------------------------------------------ Markov chain, exactly
def _conversion_probability(q: np.ndarray, r: np.ndarray) -> float:
    """P(absorbed in conversion | start) on an absorbing chain: row 0 of N R, with N = (I − Q)⁻¹."""
    n = np.linalg.solve(np.eye(len(q)) - q, r)  # N @ R without forming N
    return float(n[0, 0])


def markov_removal(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None) -> pd.DataFrame:
    """Markov-chain attribution by removal effect, computed exactly on the absorbing chain.

    States: ``(début)``, each channel (transient), ``(conversion)`` and ``(abandon)`` (absorbing), with the
    first-order transition shares of :func:`transition_matrix`. With Q the transient-to-transient block and R
    the transient-to-absorbing one, the fundamental matrix N = (I − Q)⁻¹ gives P(conversion) = (N R)[début,
    conversion]. Removing a channel sends every transition into it to ``(abandon)``; its removal effect is
    1 − P(conversion without it) / P(conversion). Shares are removal effects divided by their sum, and
    ``conversions`` = share × observed conversions. Columns: ``removal_effect``, ``share``, ``conversions``;
    attribute ``p_conversion`` holds the chain's conversion probability.
    """
    tp = _touchpoints(touchpoints)
    conv = _outcomes(tp, journeys)
    counts, channels = _transition_counts(tp, conv)
    probs = counts.div(counts.sum(axis=1).replace(0, 1), axis=0).to_numpy(dtype=float)
    k = len(channels) + 1                                   # transient: start + channels
    q = np.zeros((k, k))
    q[:, 1:] = probs[:, :len(channels)]
    r = probs[:, len(channels):]                            # columns: conversion, abandon
    base = _conversion_probability(q, r)
    if base <= 0:
        raise InvalidValueError("aucun parcours converti : l'effet de retrait n'est pas défini sans conversion.")
    effects = []
    for i in range(1, k):
        q2, r2 = q.copy(), r.copy()
        r2[:, 1] += q2[:, i]                                # going into the removed channel = abandon
        q2[:, i] = 0.0
        effects.append(1 - _conversion_probability(q2, r2) / base)
    eff = pd.Series(effects, index=pd.Index(channels, name="channel"))
    out = pd.DataFrame({"removal_effect": eff, "share": eff / eff.sum()})
    out["conversions"] = out["share"] * float(conv.sum())
    out.attrs["p_conversion"] = base
    return out


# ------------------------------------------------------------------ Shapley, exactly
def shapley(touchpoints: pd.DataFrame, journeys: pd.DataFrame | None = None) -> pd.Series:
    """Exact Shapley values of the channels, in conversions.

    The game: v(S) = number of converted journeys whose distinct channels all belong to coalition S. Each
    φᵢ = Σ over S not containing i of |S|! (n − |S| − 1)! / n! × (v(S ∪ {i}) − v(S)), summed over all 2ⁿ
    coalitions (n channels, at most 16). For this game φ equals linear attribution over each journey's
    distinct channels — the test suite checks it.
    """
    tp = _touchpoints(touchpoints)
    channels = sorted(tp["channel"].unique())
    n = len(channels)
    if n > MAX_SHAPLEY_CHANNELS:
        raise InvalidValueError(f"trop de canaux pour un calcul exact de Shapley : {n} (au plus "
                                f"{MAX_SHAPLEY_CHANNELS} ; regroupez des canaux).")
    conv = _outcomes(tp, journeys)
    tp = tp[conv.reindex(tp["journey_id"]).to_numpy()].drop_duplicates(["journey_id", "channel"])
    bit = tp["channel"].map({c: 1 << i for i, c in enumerate(channels)}).to_numpy(dtype=np.int64)
    masks = pd.Series(bit).groupby(tp["journey_id"].to_numpy()).sum().to_numpy()
    size = 1 << n
    v = np.bincount(masks, minlength=size).astype(float)   # journeys whose channel set is exactly S
    all_s = np.arange(size)
    for i in range(n):                                      # subset sums: v(S) = Σ over T ⊆ S
        has = (all_s >> i) & 1 == 1
        v[has] += v[all_s[has] ^ (1 << i)]
    popcount = np.array([bin(s).count("1") for s in range(size)])
    fact = np.array([math.factorial(m) for m in range(n + 1)], dtype=float)
    phi = []
    for i in range(n):
        s = all_s[(all_s >> i) & 1 == 0]
        w = fact[popcount[s]] * fact[n - popcount[s] - 1] / fact[n]
        phi.append(float((w * (v[s | (1 << i)] - v[s])).sum()))
    return pd.Series(phi, index=pd.Index(channels, name="channel"), name="conversions")


# ------------------------------------------------------------------ all models at once
def compare_models(touchpoints: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
    """Share of the conversions credited to each channel by every model (one column per model, each sums to 1).

    Columns (French labels, for display): the four rule-based models of :data:`MODELS`, « chaîne de
    Markov » and « Shapley ».
    """
    require_dataframe(journeys, "journeys")
    if "converted" in journeys.columns and not journeys["converted"].astype(bool).any():
        raise InvalidValueError("aucun parcours converti : il n'y a rien à attribuer.")
    out = {label: attribute(touchpoints, journeys, model=m) for m, label in MODELS.items()}
    out["chaîne de Markov"] = markov_removal(touchpoints, journeys)["conversions"]
    out["Shapley"] = shapley(touchpoints, journeys)
    table = pd.DataFrame(out)
    return table / table.sum()


# ------------------------------------------------------------------ widget: the budget each model recommends
BUDGET_TITLE = "Budget recommandé par le modèle d'attribution, comparé à la vérité"


def budget_figure(shares: pd.DataFrame, truth: pd.Series):
    """The live figure of :func:`budget_widget` and its ``update(model, budget)``; returns ``(view, update)``.

    ``shares``: channels × models (each column sums to 1, as :func:`compare_models`); ``truth``: the true
    incremental share of each channel. The bars are the budget split by the chosen model and by the truth;
    the caption gives the budget sent to the wrong channels (½ Σ |model − truth| × budget).
    """
    from .style import COLORS, NBSP, fmt_eur, fmt_number, fmt_pct, format_axis
    from .widgets import LiveFigure

    require_dataframe(shares, "parts par modèle")
    truth = truth.reindex(shares.index)
    if truth.isna().any():
        raise InvalidValueError(f"le canal {truth.index[truth.isna()][0]!r} n'a pas de part vraie (`truth`).")
    arr = shares.to_numpy(dtype=float)                     # precomputed once: an update only indexes it
    true = truth.to_numpy(dtype=float) / truth.sum()
    order = np.argsort(-true)
    channels = [shares.index[i] for i in order]
    arr, true = arr[order], true[order]
    y = np.arange(len(channels))
    view = LiveFigure((9, 4.6), heading=BUDGET_TITLE)
    ax = view.ax
    model_bars = ax.barh(y - 0.2, np.zeros(len(y)), height=0.4, color=COLORS["primary"], label="Modèle choisi")
    truth_bars = ax.barh(y + 0.2, np.zeros(len(y)), height=0.4, color=COLORS["good"],
                         label="Vérité (conversions incrémentales)")
    ax.set_yticks(y, channels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1 * max(arr.max(), true.max()))
    ax.set_xlabel("Part du budget")
    format_axis(ax, x="pct")
    ax.legend(loc="lower right", fontsize="small")
    view.animate(*model_bars, *truth_bars)
    for bar, t in zip(truth_bars, true):
        bar.set_width(t)
    labels = [view.label(0, yy - 0.2, "", transform=ax.transData, ha="left", va="center", offset=(4, 0),
                         size="small") for yy in y]
    cols = list(shares.columns)

    def update(model: str, budget: float) -> tuple[str, str]:
        if model not in cols:
            raise InvalidValueError(f"modèle inconnu : {model!r} (choisir parmi {', '.join(cols)}).")
        if budget <= 0:
            raise InvalidValueError("le budget doit être positif.")
        s = arr[:, cols.index(model)]
        for bar, lab, v in zip(model_bars, labels, s):
            bar.set_width(v)
            lab.set_position((v, lab.y))
            lab.set_text(f"{fmt_number(v * budget / 1000)}{NBSP}k€")
        wrong = 0.5 * np.abs(s - true).sum()
        title = f"Modèle : {model} — budget {fmt_eur(budget)}"
        worst = int(np.argmax(s - true))
        caption = (f"Budget mal placé par rapport à la vérité : {fmt_eur(wrong * budget)} ({fmt_pct(wrong, 0)}). "
                   f"Canal le plus surfinancé : {channels[worst]} ({fmt_pct(s[worst], 0)} du budget pour "
                   f"{fmt_pct(true[worst], 0)} des conversions incrémentales).")
        return title, caption

    return view, update


def budget_widget(shares: pd.DataFrame, truth: pd.Series, model: str | None = None, budget: float = 500_000):
    """A menu of attribution models and a budget slider → :func:`budget_figure`. Returns the widget box."""
    from . import widgets

    view, update = budget_figure(shares, truth)
    controls = {"model": widgets.choice("Modèle", list(shares.columns), model or shares.columns[0]),
                "budget": widgets.number("Budget", budget, 100_000, 2_000_000, 50_000, unit="€")}
    return widgets.explorer(view, update, controls, name="budget par modèle d'attribution")
