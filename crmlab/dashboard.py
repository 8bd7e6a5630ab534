"""Steering the customer relationship: KPIs by period × segment × channel, a KPI tree, the dashboard.

Three layers, each usable alone (chapter 13, reused by the case study of chapter 14):

- :func:`order_facts` — one row per order with its period, the customer's segment and its
  **contribution** (gross margin − the customer's cost to serve per order, the course's
  convention: docs/conventions.md, :func:`crmlab.profitability.cost_per_order`);
- :func:`kpi_table` — the customer KPIs of each period × segment × channel, « Tous » rows
  included: active, new and retained customers, retention, orders, revenue, contribution,
  complaints per 1 000 orders; :func:`nps_by_period` and :func:`service_by_period` add the
  survey's NPS (:func:`crmlab.churn.nps`) and the contact centre's service;
- :func:`kpi_tree` / :func:`plot_kpi_tree` — how the customer metrics multiply into the
  contribution; :func:`dashboard_views` renders every filter combination once as HTML
  (figures in inline SVG), so that :func:`dashboard_widget` (notebook, Voilà) only swaps a
  string (≪ 150 ms) and :func:`write_static_page` writes a page whose menus switch the same
  views with a few lines of plain JavaScript — no kernel, no network.

Build the company's whole dashboard with :func:`company_dashboard`; write the static page
with ``python -m crmlab.dashboard _build/dashboard/index.html``.

>>> o = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_date": ["2024-02-01", "2025-03-01", "2024-05-01"],
...                   "channel": ["magasin", "magasin", "site web"], "amount": [100.0, 50.0, 80.0],
...                   "gross_margin": [40.0, 20.0, 30.0]})
>>> f = order_facts(o, cost_per_order=pd.Series({"A": 10.0, "B": 5.0}))
>>> f["contribution"].tolist()
[30.0, 10.0, 25.0]
"""

from __future__ import annotations

import base64
import html
import json
import time
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import clv, style
from .validation import InvalidValueError, check_table, require_columns

__all__ = ["ALL", "KPI_LABELS", "order_facts", "kpi_table", "nps_by_period", "service_by_period", "kpi_tree",
           "plot_kpi_tree", "render_view", "dashboard_views", "dashboard_widget", "write_static_page",
           "company_dashboard", "loyalty_segments"]

ALL = "Tous"
HORIZON = 10   # years, the horizon of the customer equity shown (docs/conventions.md §6)
FREQS = {"Y": "année", "Q": "trimestre"}

# What each KPI column means, in French, for the displays.
KPI_LABELS = {
    "active_customers": "Clients actifs",
    "new_customers": "Nouveaux clients",
    "retained_customers": "Clients retenus",
    "retention": "Rétention",
    "orders": "Commandes",
    "revenue": "Chiffre d'affaires",
    "gross_margin": "Marge brute",
    "cost_to_serve": "Coût de service",
    "contribution": "Contribution",
    "orders_per_customer": "Commandes par client actif",
    "basket": "Panier moyen",
    "contribution_per_order": "Contribution par commande",
    "contribution_per_customer": "Contribution par client actif",
    "residual_value_per_customer": "Valeur résiduelle par client actif",
    "customer_equity": "Capital client (valeurs résiduelles)",
    "complaints": "Réclamations",
    "complaints_per_1000": "Réclamations pour 1 000 commandes",
}


# ------------------------------------------------------------------ facts
def _period(dates: pd.Series, freq: str) -> pd.Series:
    if freq not in FREQS:
        raise InvalidValueError(f"période inconnue : {freq!r} ; valeurs admises : 'Y' (année) ou 'Q' (trimestre).")
    p = dates.dt.to_period(freq)
    return p.astype(str).str.replace("Q", " T", regex=False)  # « 2024 T3 »: French quarters


def order_facts(orders: pd.DataFrame, *, cost_per_order: pd.Series, segments: pd.Series | None = None,
                freq: str = "Y", customer: str = "customer_id", date: str = "order_date",
                channel: str = "channel", amount: str = "amount", margin: str = "gross_margin") -> pd.DataFrame:
    """One row per order: ``customer_id``, ``period``, ``segment``, ``channel``, amounts and contribution.

    ``cost_per_order`` maps each customer to their cost to serve per order
    (:func:`crmlab.profitability.cost_per_order`): the contribution of an order is its gross
    margin minus that cost (docs/conventions.md). ``segments`` maps each customer to a
    segment label (default: one segment, « Tous »). ``freq`` is ``"Y"`` (years, « 2024 »)
    or ``"Q"`` (quarters, « 2024 T3 »).
    """
    orders = check_table(orders, "orders", [customer, date, channel, amount, margin], dates=[date],
                         non_negative=[amount])
    if not isinstance(cost_per_order, pd.Series):
        raise InvalidValueError("`cost_per_order` doit être une série indexée par client "
                                "(profitability.cost_per_order).")
    cost = cost_per_order.reindex(orders[customer]).to_numpy(dtype=float)
    if np.isnan(cost).any():
        missing = orders[customer].to_numpy()[np.isnan(cost)][0]
        raise InvalidValueError(f"le client {missing!r} n'a pas de coût de service par commande dans "
                                "`cost_per_order` : calculez-le pour tous les clients de la table « orders ».")
    if segments is None:
        seg = np.full(len(orders), ALL, dtype=object)
    else:
        seg = segments.reindex(orders[customer]).to_numpy(dtype=object)
        if pd.isna(seg).any():
            missing = orders[customer].to_numpy()[pd.isna(seg)][0]
            raise InvalidValueError(f"le client {missing!r} n'a pas de segment dans `segments` "
                                    "(une série indexée par l'identifiant client).")
    out = pd.DataFrame({
        "customer_id": orders[customer].to_numpy(),
        "order_date": orders[date].to_numpy(),
        "period": _period(orders[date], freq).to_numpy(),
        "segment": seg.astype(str),
        "channel": orders[channel].astype(str).to_numpy(),
        "amount": orders[amount].to_numpy(dtype=float),
        "gross_margin": orders[margin].to_numpy(dtype=float),
        "cost_to_serve": cost,
    }, index=orders.index)
    if "order_id" in orders.columns:
        out.insert(0, "order_id", orders["order_id"].to_numpy())
    out["contribution"] = out["gross_margin"] - out["cost_to_serve"]
    # a customer's first order ever (on a tie, the first row)
    ranked = out.sort_values("order_date", kind="stable")
    out["first_order"] = (~ranked["customer_id"].duplicated()).reindex(out.index).to_numpy()
    return out


def _with_totals(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts four times: as they are, all segments, all channels, both — for the « Tous » rows."""
    parts = [facts, facts.assign(segment=ALL), facts.assign(channel=ALL), facts.assign(segment=ALL, channel=ALL)]
    if (facts["segment"] == ALL).all():
        parts = [facts, facts.assign(channel=ALL)]
    return pd.concat(parts, ignore_index=True)


def kpi_table(facts: pd.DataFrame, complaints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customer KPIs for each period × segment × channel (index), « Tous » rows included.

    ``facts`` comes from :func:`order_facts`. Within a slice (a segment, a channel):
    *active* customers bought in the period; *new* ones made their first order ever in it;
    *retained* ones bought in the period and in the previous one, and ``retention`` is
    retained / active of the previous period (missing for the first period). Money columns
    are sums in euros; ``complaints`` (a table with ``order_id``) is counted on the order
    complained about, per 1 000 orders of the slice.

    >>> o = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_date": ["2024-02-01", "2025-03-01", "2024-05-01"],
    ...                   "channel": ["magasin"] * 3, "amount": [100.0, 50.0, 80.0], "gross_margin": [40.0, 20.0, 30.0]})
    >>> k = kpi_table(order_facts(o, cost_per_order=pd.Series({"A": 10.0, "B": 5.0})))
    >>> k.loc[("2025", "Tous", "Tous"), ["active_customers", "retention"]].tolist()
    [1.0, 0.5]
    """
    require_columns(facts, ["customer_id", "period", "segment", "channel", "amount", "gross_margin",
                            "cost_to_serve", "contribution", "first_order"], "faits de commande")
    if len(facts) == 0:
        raise InvalidValueError("aucune commande dans la table des faits : pas d'indicateur à calculer.")
    f = _with_totals(facts)
    keys = ["period", "segment", "channel"]
    g = f.groupby(keys, sort=True)
    out = g.agg(active_customers=("customer_id", "nunique"), orders=("customer_id", "size"),
                revenue=("amount", "sum"), gross_margin=("gross_margin", "sum"),
                cost_to_serve=("cost_to_serve", "sum"), contribution=("contribution", "sum"))
    out["new_customers"] = f[f["first_order"]].groupby(keys).size().reindex(out.index, fill_value=0)
    # retention: active in the previous period of the same slice, and again in this one
    periods = sorted(f["period"].unique())
    previous = dict(zip(periods[1:], periods[:-1]))
    active = f[keys + ["customer_id"]].drop_duplicates()
    shifted = active[active["period"].isin(previous.values())].copy()
    shifted["period"] = shifted["period"].map({v: k for k, v in previous.items()})
    both = active.merge(shifted, on=keys + ["customer_id"])
    out["retained_customers"] = both.groupby(keys).size().reindex(out.index, fill_value=0)
    base = shifted.groupby(keys).size()
    out["retention"] = (out["retained_customers"] / base.reindex(out.index)).where(
        out.index.get_level_values("period").isin(previous))
    out["orders_per_customer"] = out["orders"] / out["active_customers"]
    out["basket"] = out["revenue"] / out["orders"]
    out["contribution_per_order"] = out["contribution"] / out["orders"]
    out["contribution_per_customer"] = out["contribution"] / out["active_customers"]
    # customer equity, the course's convention (docs/conventions.md §4, §6): residual value over HORIZON years,
    # Σ m r^t / (1 + d)^t, of each active customer, m = contribution per active customer, r = the slice's retention
    # (a stated horizon: a slice retained at 100 % has no finite value over an infinite one)
    known = out["retention"].notna().to_numpy()
    value = np.full(len(out), np.nan)
    if known.any():
        value[known] = clv.residual_value(out["contribution_per_customer"].to_numpy()[known],
                                          out["retention"].to_numpy(dtype=float)[known], clv.DISCOUNT_RATE,
                                          horizon=HORIZON)
    out["residual_value_per_customer"] = value
    out["customer_equity"] = out["active_customers"] * out["residual_value_per_customer"]
    if complaints is not None:
        complaints = check_table(complaints, "complaints", ["order_id"])
        if "order_id" not in f.columns:
            raise InvalidValueError("pour compter les réclamations, la table des faits doit garder 'order_id' "
                                    "(passez une table « orders » qui a cette colonne à order_facts).")
        hit = f[f["order_id"].isin(complaints["order_id"])]
        out["complaints"] = hit.groupby(keys).size().reindex(out.index, fill_value=0)
        out["complaints_per_1000"] = 1000 * out["complaints"] / out["orders"]
    out = out.astype({c: float for c in out.columns})
    return out


def nps_by_period(survey: pd.DataFrame, segments: pd.Series | None = None, *, score: str = "recommend",
                  date: str = "survey_date", freq: str = "Y") -> pd.DataFrame:
    """NPS (points) and respondents per period × segment, « Tous » included (:func:`crmlab.churn.nps`).

    The survey has no channel: its NPS is shown for every channel of a segment.
    """
    from .churn import nps

    survey = check_table(survey, "survey", ["customer_id", score, date], dates=[date])
    seg = ALL if segments is None else segments.reindex(survey["customer_id"]).fillna(ALL).to_numpy()
    t = pd.DataFrame({"period": _period(survey[date], freq).to_numpy(), "segment": seg, "score": survey[score]})
    t = pd.concat([t, t.assign(segment=ALL)]) if segments is not None else t
    rows = {k: nps(g["score"])[["nps", "respondents", "ci_low", "ci_high"]] for k, g in t.groupby(["period", "segment"])}
    out = pd.DataFrame(rows).T
    out.index.names = ["period", "segment"]
    return out.astype(float)


def service_by_period(calls: pd.DataFrame, *, freq: str = "Y") -> pd.DataFrame:
    """Contact-centre service per period: ``service_level`` (answered within 20 s / offered),
    ``abandon_rate`` and ``asa_s`` (mean wait of answered calls), from the ``call_intervals`` table."""
    need = ["interval_start", "calls_offered", "calls_answered", "calls_abandoned", "answered_within_20s",
            "avg_speed_of_answer_s"]
    calls = check_table(calls, "call_intervals", need, dates=["interval_start"],
                        non_negative=["calls_offered", "calls_answered"])
    t = calls.assign(period=_period(calls["interval_start"], freq),
                     wait=calls["avg_speed_of_answer_s"] * calls["calls_answered"])
    s = t.groupby("period")[["calls_offered", "calls_answered", "calls_abandoned", "answered_within_20s", "wait"]].sum()
    return pd.DataFrame({"calls": s["calls_offered"], "service_level": s["answered_within_20s"] / s["calls_offered"],
                         "abandon_rate": s["calls_abandoned"] / s["calls_offered"],
                         "asa_s": s["wait"] / s["calls_answered"]})


# ------------------------------------------------------------------ the KPI tree
def kpi_tree(row: pd.Series | Mapping) -> dict[str, float]:
    """The KPI tree of one slice: contribution = active customers × orders per customer × contribution per order.

    Active customers = retained + new + returning (bought before, not in the previous
    period); contribution per order = basket × margin rate − cost to serve per order.
    Returns the values of every node (euros, counts, ratios); the products hold exactly.
    """
    r = dict(row)
    for c in ("active_customers", "retained_customers", "new_customers", "orders", "revenue", "gross_margin",
              "cost_to_serve", "contribution"):
        if c not in r:
            raise InvalidValueError(f"l'indicateur '{c}' manque pour construire l'arbre des indicateurs.")
    if r["orders"] <= 0:
        raise InvalidValueError("aucune commande dans ce périmètre : l'arbre des indicateurs est vide.")
    return {
        "contribution": r["contribution"],
        "active_customers": r["active_customers"],
        "retained_customers": r["retained_customers"],
        "new_customers": r["new_customers"],
        "returning_customers": r["active_customers"] - r["retained_customers"] - r["new_customers"],
        "orders_per_customer": r["orders"] / r["active_customers"],
        "contribution_per_order": r["contribution"] / r["orders"],
        "basket": r["revenue"] / r["orders"],
        "margin_rate": r["gross_margin"] / r["revenue"],
        "cost_per_order": r["cost_to_serve"] / r["orders"],
        "retention": r.get("retention", np.nan),
    }


def plot_kpi_tree(tree: Mapping[str, float], drivers: Mapping[str, str] | None = None, ax=None, title: str | None = None):
    """Draw the KPI tree (boxes and links), values the French way; ``drivers`` adds the customer
    metrics assumed upstream (label → value text), linked by dashed arrows (hypotheses). Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6.2))
    t = tree
    n = style.fmt_number
    nodes = {  # key: (x, y, text)
        "contribution": (0.50, 0.90, f"Contribution\n{style.fmt_eur(t['contribution'])}"),
        "active": (0.17, 0.62, f"Clients actifs\n{n(t['active_customers'])}"),
        "freq": (0.50, 0.62, f"Commandes par client\n{n(t['orders_per_customer'], 2)}"),
        "cpo": (0.83, 0.62, f"Contribution par commande\n{style.fmt_eur(t['contribution_per_order'], 2)}"),
        "retained": (0.06, 0.30, f"Retenus\n{n(t['retained_customers'])}"
                     + (f"\n(rétention {style.fmt_pct(t['retention'])})" if pd.notna(t.get('retention')) else "")),
        "new": (0.19, 0.30, f"Nouveaux\n{n(t['new_customers'])}"),
        "back": (0.32, 0.30, f"Réactivés\n{n(t['returning_customers'])}"),
        "basket": (0.66, 0.30, f"Panier moyen\n{style.fmt_eur(t['basket'], 2)}"),
        "rate": (0.82, 0.30, f"Taux de marge\n{style.fmt_pct(t['margin_rate'])}"),
        "cost": (0.96, 0.30, f"Coût de service\npar commande\n{style.fmt_eur(t['cost_per_order'], 2)}"),
    }
    links = [("contribution", "active"), ("contribution", "freq"), ("contribution", "cpo"), ("active", "retained"),
             ("active", "new"), ("active", "back"), ("cpo", "basket"), ("cpo", "rate"), ("cpo", "cost")]
    box = dict(boxstyle="round,pad=0.45", fc="white", ec=style.COLORS["primary"], lw=1.6)
    for a, b in links:
        ax.annotate("", xy=nodes[b][:2], xytext=nodes[a][:2], xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="-", color=style.COLORS["neutral"], lw=1.2, shrinkA=22, shrinkB=22))
    for key, (x, y, text) in nodes.items():
        fc = style.COLORS["primary"] if key == "contribution" else "white"
        ax.text(x, y, text, transform=ax.transAxes, ha="center", va="center", fontsize=11,
                color="white" if key == "contribution" else "black", bbox={**box, "fc": fc})
    for sign, x in (("×", 0.335), ("×", 0.665)):
        ax.text(x, 0.62, sign, transform=ax.transAxes, ha="center", va="center", fontsize=16, weight="bold")
    if drivers:
        xs = np.linspace(0.10, 0.90, len(drivers))
        for x, (label, value) in zip(xs, drivers.items()):
            ax.text(x, 0.04, f"{label}\n{value}", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                    bbox=dict(boxstyle="round,pad=0.4", fc="#fff6e0",
                              ec=style.COLORS["accent"], lw=1.2, ls="--"))
        for x in xs:
            ax.annotate("", xy=(x, 0.14), xytext=(x, 0.08), xycoords="axes fraction",
                        arrowprops=dict(arrowstyle="->", color=style.COLORS["accent"], lw=1.2, ls="--"))
        for target in ("retained", "freq"):
            ax.annotate("", xy=nodes[target][:2], xytext=(0.5 if target == "freq" else 0.3, 0.19),
                        xycoords="axes fraction", arrowprops=dict(arrowstyle="->", color=style.COLORS["accent"],
                                                                  lw=1.2, ls="--", shrinkB=26))
        ax.text(0.5, 0.165, "Hypothèses de la chaîne de service-profit (indicateurs clients en amont, à tester)",
                transform=ax.transAxes, ha="center", va="center", fontsize=10, style="italic",
                color=style.COLORS["accent"])
    ax.set_axis_off()
    ax.set_title(title or "Arbre des indicateurs : des clients à la contribution")
    return ax


# ------------------------------------------------------------------ the dashboard views
def _svg_bars(labels: Sequence[str], values: Sequence[float], highlight: Sequence[bool], title: str,
              fmt=style.fmt_eur, width: int = 560, height: int = 190) -> str:
    """A small bar chart as inline SVG (no matplotlib: instant, and the static page needs no image)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    lo, hi = min(0.0, float(finite.min()) if finite.size else 0.0), max(0.0, float(finite.max()) if finite.size else 0.0)
    left, top_y, bottom_y = 10, 34, height - 28
    scale = (bottom_y - top_y) / max(hi - lo, 1e-9)
    zero = top_y + hi * scale                      # the bars start at zero: a negative value goes down
    step = (width - 2 * left) / max(len(values), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="DejaVu Sans, Arial, sans-serif"><text x="{left}" y="18" font-size="15" font-weight="bold">'
             f'{html.escape(title)}</text>']
    for i, (lab, v, on) in enumerate(zip(labels, values, highlight)):
        v = 0.0 if not np.isfinite(v) else v
        y0, y1 = sorted((zero, zero - v * scale))
        x = left + i * step + step * 0.12
        colour = (style.COLORS["bad"] if v < 0 else style.COLORS["primary"]) if on else "#b8c4cc"
        parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{step * 0.76:.1f}" height="{y1 - y0:.1f}" fill="{colour}">'
                     f'<title>{html.escape(lab)} : {html.escape(fmt(v))}</title></rect>')
        parts.append(f'<text x="{x + step * 0.38:.1f}" y="{bottom_y + 16}" font-size="11" text-anchor="middle">'
                     f'{html.escape(lab.replace("20", "", 1) if len(labels) > 6 else lab)}</text>')
    if hi > 0:   # the scale: a light line at the highest bar, with its value (the SVG's tooltips do not show)
        parts.append(f'<line x1="{left}" x2="{width - left}" y1="{top_y}" y2="{top_y}" stroke="#8a99a4" '
                     f'stroke-width="0.8" stroke-dasharray="3 3"/><text x="{width - left}" y="{top_y - 4}" '
                     f'font-size="12" text-anchor="end">{html.escape(fmt(hi))}</text>')
    if lo < 0:
        parts.append(f'<line x1="{left}" x2="{width - left}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#1d2a33" '
                     f'stroke-width="1"/><text x="{width - left}" y="{zero - 4:.1f}" font-size="11" '
                     f'text-anchor="end">0</text>')
    parts.append("</svg>")
    # an <img> (not inline SVG): the browser paints it as one image, as the course's other widgets
    data = base64.b64encode("".join(parts).encode("utf-8")).decode("ascii")
    return (f'<img class="crm-chart" alt="{html.escape(title)}" width="{width}" height="{height}" '
            f'style="max-width: 100%; height: auto" src="data:image/svg+xml;base64,{data}">')


def _card(label: str, value: str, note: str = "") -> str:
    note = f'<div class="crm-note">{html.escape(note)}</div>' if note else ""
    return (f'<div class="crm-card"><div class="crm-label">{html.escape(label)}</div>'
            f'<div class="crm-value">{html.escape(value)}</div>{note}</div>')


def _change(now: float, before: float | None) -> str:
    if before is None or not np.isfinite(before) or before == 0 or not np.isfinite(now):
        return ""
    return f"{'+' if now >= before else '−'}{style.fmt_pct(abs(now / before - 1))} sur un an"


def render_view(yearly: pd.DataFrame, quarterly: pd.DataFrame, period: str, segment: str = ALL, channel: str = ALL,
                nps: pd.DataFrame | None = None, service: pd.DataFrame | None = None) -> str:
    """The dashboard of one filter combination, as an HTML fragment: KPI cards and two charts.

    ``yearly`` and ``quarterly`` are :func:`kpi_table` outputs (``freq="Y"`` and ``"Q"``);
    ``nps`` (:func:`nps_by_period`) and ``service`` (:func:`service_by_period`) are optional.
    """
    key = (period, segment, channel)
    if key not in yearly.index:
        raise InvalidValueError(f"aucune donnée pour la période {period!r}, le segment {segment!r} et le canal "
                                f"{channel!r} : choisissez des valeurs présentes dans la table des indicateurs.")
    r = yearly.loc[key]
    periods = sorted(yearly.index.get_level_values("period").unique())
    i = periods.index(period)
    prev = yearly.loc[(periods[i - 1], segment, channel)] if i > 0 and (periods[i - 1], segment, channel) in yearly.index else None

    def was(c):
        return None if prev is None else float(prev[c])

    cards = [
        _card("Clients actifs", style.fmt_number(r["active_customers"]), _change(r["active_customers"], was("active_customers"))),
        _card("Nouveaux clients", style.fmt_number(r["new_customers"]), _change(r["new_customers"], was("new_customers"))),
        _card("Rétention", "—" if pd.isna(r["retention"]) else style.fmt_pct(r["retention"]),
              "rachat l'année suivante" if pd.isna(r["retention"]) else "clients de l'an passé qui rachètent"),
        _card("Chiffre d'affaires", style.fmt_eur(r["revenue"]), _change(r["revenue"], was("revenue"))),
        _card("Contribution", style.fmt_eur(r["contribution"]), "marge brute − coût de service"),
        _card("Capital client", "—" if pd.isna(r["customer_equity"]) else style.fmt_eur(r["customer_equity"]),
              "valeurs résiduelles des actifs sur 10 ans, d = 10 %" if pd.notna(r["customer_equity"])
              else "demande la rétention de l'année"),
        _card("Contribution par client", style.fmt_eur(r["contribution_per_customer"], 2),
              f"{style.fmt_number(r['orders_per_customer'], 2)} commande(s) × "
              f"{style.fmt_eur(r['contribution_per_order'], 2)}"),
    ]
    if "complaints_per_1000" in r.index:
        cards.append(_card("Réclamations pour 1 000 commandes", style.fmt_number(r['complaints_per_1000'], 1),
                           f"{style.fmt_number(r['complaints'])} pour {style.fmt_number(r['orders'])} commandes"))
    if nps is not None:
        k = (period, segment)
        cards.append(_card("NPS (enquête)", f"{style.fmt_number(nps.loc[k, 'nps'], 0)} points", 
                           f"{style.fmt_number(nps.loc[k, 'respondents'])} répondants, tous canaux")
                     if k in nps.index else _card("NPS (enquête)", "—", "pas d'enquête cette année"))
    if service is not None:
        cards.append(_card("Service du centre d'appels", style.fmt_pct(service.loc[period, "service_level"])
                           if period in service.index else "—",
                           f"en 20 s ; abandons {style.fmt_pct(service.loc[period, 'abandon_rate'])}, toute l'entreprise"
                           if period in service.index else "pas de mesure cette année"))
    q = quarterly.xs((segment, channel), level=("segment", "channel"))
    labels = list(q.index)
    hi = [lab.startswith(period) for lab in labels]
    chart1 = _svg_bars(labels, q["contribution"], hi, "Contribution par trimestre (€)")
    chart2 = _svg_bars(labels, q["active_customers"], hi, "Clients actifs par trimestre",
                       fmt=lambda v: style.fmt_number(v))
    scope = f"{period} · segment : {segment} · canal : {channel}"
    return (f'<div class="crm-dashboard" data-view="{html.escape(period)}|{html.escape(segment)}|{html.escape(channel)}">'
            f'<h3 class="crm-scope">Verdane — {html.escape(scope)}</h3>'
            f'<div class="crm-cards">{"".join(cards)}</div>'
            f'<div class="crm-charts"><div>{chart1}</div><div>{chart2}</div></div></div>')


CSS = """
.crm-dashboard { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2a33; max-width: 1180px; line-height: 1.3; }
.crm-dashboard div { line-height: 1.3; }
.crm-scope { font-size: 1.25em; margin: 0.3em 0 0.6em; }
.crm-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; }
.crm-card { border: 1px solid #c9d3da; border-radius: 8px; padding: 8px 12px; background: #fafcfd; }
.crm-label { font-size: 0.9em; color: #4a5a66; }
.crm-value { font-size: 1.6em; font-weight: bold; margin: 2px 0; }
.crm-note { font-size: 0.8em; color: #5d6d78; }
.crm-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; margin-top: 12px; }
.crm-presentation .crm-dashboard { font-size: 20px; max-width: none; }
"""


def dashboard_views(yearly: pd.DataFrame, quarterly: pd.DataFrame, nps: pd.DataFrame | None = None,
                    service: pd.DataFrame | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every filter combination rendered once: ``({"2025|Tous|Tous": html, …}, options)``.

    ``options`` lists the values of each menu (``period``, ``segment``, ``channel``), « Tous » first.
    """
    idx = yearly.index
    periods = sorted(idx.get_level_values("period").unique())

    def values(level):
        v = sorted(set(idx.get_level_values(level)) - {ALL})
        return [ALL] + v if ALL in set(idx.get_level_values(level)) else v

    options = {"period": periods, "segment": values("segment"), "channel": values("channel")}
    views = {f"{p}|{s}|{c}": render_view(yearly, quarterly, p, s, c, nps=nps, service=service)
             for (p, s, c) in idx}
    return views, options


def _presentation() -> bool:
    return style.is_presentation()


WIDGET_NAME = "tableau de bord"


def dashboard_widget(views: Mapping[str, str], options: Mapping[str, Sequence[str]], period: str | None = None):
    """The dashboard as a notebook widget: three menus (période, segment, canal) and the view.

    A change only swaps a precomputed HTML string (a dictionary look-up): well under the
    150 ms of a widget update. The box has ``.controls`` and ``.output`` (the HTML widget).
    """
    import ipywidgets as w

    from . import widgets

    period = period or options["period"][-1]
    controls = {"period": widgets.choice("Période", list(options["period"]), period),
                "segment": widgets.choice("Segment", list(options["segment"]), options["segment"][0]),
                "channel": widgets.choice("Canal", list(options["channel"]), options["channel"][0])}
    label, width = widgets._sizes(compact=True)          # short labels: three menus on one row
    for c in controls.values():
        c.style.description_width, c.layout.width = label, width
    out = w.HTML()

    def refresh(change=None):
        start = time.perf_counter()
        key = "|".join(str(c.value) for c in controls.values())
        out.value = f"<style>{CSS}</style>" + views.get(
            key, "<p>Pas de données pour cette combinaison de filtres.</p>")
        widgets.UPDATE_TIMES.setdefault(WIDGET_NAME, deque(maxlen=500)).append(time.perf_counter() - start)

    for c in controls.values():
        c.observe(refresh, names="value")
    refresh()
    box = widgets._explorer_class()([w.HBox(list(controls.values()), layout={"flex_flow": "row wrap"}), out])
    box.about = ("Widget interactif « Tableau de bord » (Période, Segment, Canal). Il s'anime dans JupyterLab ou "
                 "Voilà, une fois le notebook exécuté ; la cellule précédente montre sa vue par défaut.")
    if _presentation():
        box.add_class("crm-presentation")
    box.controls, box.output, box.refresh = controls, out, refresh
    return box


# ------------------------------------------------------------------ the static page
_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>body { margin: 1.5em; font-family: "DejaVu Sans", Arial, sans-serif; }
.crm-filters { display: flex; gap: 1.5em; flex-wrap: wrap; margin-bottom: 0.8em; font-size: 1.05em; }
.crm-filters select { font-size: 1em; margin-left: 0.4em; }
footer { margin-top: 1.5em; font-size: 0.85em; color: #5d6d78; }
__CSS__</style></head>
<body><h1>__TITLE__</h1>
<div class="crm-filters">__SELECTS__</div>
<div id="crm-view"></div>
<footer>__NOTE__</footer>
<script id="crm-views" type="application/json">__VIEWS__</script>
<script>
(function () {
  var views = JSON.parse(document.getElementById("crm-views").textContent);
  var names = ["period", "segment", "channel"];
  function show() {
    var key = names.map(function (n) { return document.getElementById("crm-" + n).value; }).join("|");
    document.getElementById("crm-view").innerHTML = views[key] || "<p>Pas de données pour cette combinaison de filtres.</p>";
  }
  names.forEach(function (n) { document.getElementById("crm-" + n).addEventListener("change", show); });
  show();
})();
</script></body></html>
"""


def write_static_page(views: Mapping[str, str], options: Mapping[str, Sequence[str]], path: str | Path,
                      title: str = "Tableau de bord de la relation client — Verdane", note: str = "") -> Path:
    """Write a self-contained HTML page: three menus that switch the precomputed views.

    A few lines of plain JavaScript pick the view of the chosen filters among those
    embedded in the page: no kernel, no network, no widget library.
    """
    labels = {"period": "Période", "segment": "Segment", "channel": "Canal"}
    selects = []
    for name, label in labels.items():
        opts = list(options[name])
        chosen = opts[-1] if name == "period" else opts[0]
        items = "".join(f'<option value="{html.escape(o)}"{" selected" if o == chosen else ""}>{html.escape(o)}</option>'
                        for o in opts)
        selects.append(f'<label for="crm-{name}">{label}<select id="crm-{name}">{items}</select></label>')
    blob = json.dumps(dict(views), ensure_ascii=False).replace("</", "<\\/")
    page = (_PAGE.replace("__TITLE__", html.escape(title)).replace("__CSS__", CSS)
            .replace("__SELECTS__", "".join(selects)).replace("__NOTE__", html.escape(note))
            .replace("__VIEWS__", blob))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the company's dashboard
SEGMENT_ORDER = ["non membre", "bronze", "argent", "or"]


def loyalty_segments(customers: pd.DataFrame) -> pd.Series:
    """Segment of each customer: their loyalty tier at the end of 2025, or « non membre »."""
    customers = check_table(customers, "customers", ["customer_id", "loyalty_tier"])
    tier = customers["loyalty_tier"].astype("object").where(customers["loyalty_tier"].notna(), "non membre")
    return pd.Series(tier.to_numpy(), index=customers["customer_id"], name="segment")


def company_dashboard() -> dict:
    """Everything the company's dashboard needs, computed once from the course's data.

    Returns a dict: ``facts`` (yearly), ``yearly`` and ``quarterly`` KPI tables, ``nps``,
    ``service``, ``views`` and ``options`` (for :func:`dashboard_widget` and
    :func:`write_static_page`).
    """
    from . import datasets, profitability

    customers, orders = datasets.load_customers(), datasets.load_orders()
    volumes = datasets.load_cost_to_serve()
    costs = profitability.allocate_costs(volumes, datasets.load_activity_costs())
    cpo = profitability.cost_per_order(costs, volumes)
    seg = loyalty_segments(customers)
    complaints = datasets.load_complaints()
    yearly_facts = order_facts(orders, cost_per_order=cpo, segments=seg, freq="Y")
    yearly = kpi_table(yearly_facts, complaints)
    quarterly = kpi_table(order_facts(orders, cost_per_order=cpo, segments=seg, freq="Q"), complaints)
    nps_table = nps_by_period(datasets.load_survey(), seg)
    service = service_by_period(datasets.load_call_intervals())
    views, options = dashboard_views(yearly, quarterly, nps_table, service)
    options["segment"] = [ALL] + [s for s in SEGMENT_ORDER if s in options["segment"]]
    return {"facts": yearly_facts, "yearly": yearly, "quarterly": quarterly, "nps": nps_table, "service": service,
            "views": views, "options": options, "cost_per_order": cpo, "segments": seg}


def _main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "_build/dashboard/index.html")
    board = company_dashboard()
    path = write_static_page(board["views"], board["options"], target,
                             note="Page statique : chaque combinaison de filtres est calculée à l'avance "
                                  "(crmlab.dashboard) ; elle s'ouvre sans noyau ni réseau. Segments : niveau du "
                                  "programme de fidélité fin 2025. Contribution = marge brute − coût de service.")
    print(f"Tableau de bord statique écrit : {path} ({len(board['views'])} vues, "
          f"{style.fmt_number(path.stat().st_size / 1024)} Ko).")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
