"""Digital journeys: web/app sessions ending (or not) in the orders, and store visits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (CATEGORIES, DAYS, N_DAYS, ORDER_HOURS, day_index, fmt_datetime, ids)


def _journeys(rng: np.random.Generator, end_dt: np.ndarray, cust: np.ndarray, channel: np.ndarray,
              main_cat: np.ndarray, from_email: np.ndarray, n_views: np.ndarray, n_cart: np.ndarray,
              checkout: np.ndarray, purchase: np.ndarray, order_id: np.ndarray) -> pd.DataFrame:
    """Event rows of journeys, built backwards from each journey's last event time."""
    m = len(end_dt)
    n_ev = 2 * from_email + 1 + n_views + n_cart + checkout + purchase
    j = np.repeat(np.arange(m), n_ev)
    start = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(len(j)) - start[j]
    e = 2 * from_email[j]
    b1, b2 = e + 1, e + 1 + n_views[j]
    b3 = b2 + n_cart[j]
    b4 = b3 + checkout[j]
    etype = np.select(
        [pos < e - 1, pos < e, pos < b1, pos < b2, pos < b3, pos < b4],
        ["email_open", "email_click", "session_start", "product_view", "add_to_cart", "checkout"],
        "purchase").astype(object)
    gap = np.select([etype == "email_open", etype == "email_click", etype == "session_start"],
                    [0.0, rng.uniform(1, 600, len(j)), rng.uniform(0.05, 0.3, len(j))],
                    rng.uniform(0.3, 3.5, len(j)))  # minutes since the previous event
    cum = np.cumsum(gap)
    cum = cum - (cum[start] - gap[start])[j]
    total = cum[start + n_ev - 1][j]
    dt = end_dt[j] - ((total - cum) * 60_000).astype("timedelta64[ms]")
    other = rng.choice(len(CATEGORIES), len(j))
    cat = np.where(rng.random(len(j)) < 0.7, main_cat[j], np.array(CATEGORIES, dtype=object)[other])
    cat = np.where(np.isin(etype, ["product_view"]), cat, main_cat[j])
    cat = np.where(np.isin(etype, ["email_open", "email_click", "session_start"]), "", cat)
    ch = np.where(np.isin(etype, ["email_open", "email_click"]), "e-mail", channel[j])
    oid = np.where(etype == "purchase", order_id[j], "")
    return pd.DataFrame({"_j": j, "_pos": pos, "customer_id": cust[j], "event_datetime": dt, "channel": ch,
                         "event_type": etype, "category": cat, "order_id": oid})


def make_events(rng: np.random.Generator, P: dict, T: dict) -> pd.DataFrame:
    """Event log of Oct–Dec 2025: purchase journeys, abandoned journeys, store visits."""
    o = T["_orders"]
    lines = T["_lines"]
    main = lines[lines["line_no"] == 1].set_index("_row")["category"]
    q_start = day_index("2025-10-01")
    q4 = o[o["day"] >= q_start]
    cat_q4 = main.reindex(q4.index).fillna("maison").to_numpy()
    web = q4["channel"].isin(["site web", "application"]).to_numpy()
    w = q4[web]
    m = len(w)
    parts = []
    parts.append(_journeys(rng, w["_dt"].to_numpy().astype("datetime64[ms]"), w["customer_id"].to_numpy(),
                           w["channel"].to_numpy(), cat_q4[web], (rng.random(m) < 0.25).astype(int),
                           1 + rng.poisson(3, m), 1 + (rng.random(m) < 0.3), np.ones(m, dtype=int),
                           np.ones(m, dtype=int), w["order_id"].to_numpy()))
    # abandoned journeys of customers alive in the quarter (more for frequent buyers)
    c = T["_c"]
    alive = np.flatnonzero((T["_death_day"] > q_start) & (c["_acq_day"].to_numpy() < N_DAYS - 1))
    k = 2 * m
    lam = c["_lambda"].to_numpy()[alive]
    who = rng.choice(alive, k, p=lam / lam.sum())
    acq = c["_acq_day"].to_numpy()[who]
    day = np.maximum(rng.integers(q_start, N_DAYS, k), acq)
    hours = np.array(ORDER_HOURS["site web"], dtype=float)
    secs = rng.choice(24, k, p=hours / hours.sum()) * 3600 + rng.integers(0, 3600, k)
    end_dt = (np.datetime64("2023-01-01", "ms") + day.astype("timedelta64[D]") + secs.astype("timedelta64[s]"))
    cart = (rng.random(k) < 0.35).astype(int)
    chk = cart * (rng.random(k) < 0.45)
    chan = np.where(rng.random(k) < 0.4, "application", "site web").astype(object)
    parts.append(_journeys(rng, end_dt, c["customer_id"].to_numpy()[who], chan,
                           np.array(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), k)],
                           (rng.random(k) < 0.15).astype(int), 1 + rng.poisson(2, k), cart, chk,
                           np.zeros(k, dtype=int), np.full(k, "", dtype=object)))
    parts[1]["_j"] += m
    # store visits (with and without purchase)
    s = q4[q4["channel"] == "magasin"]
    ns = len(s)
    vis = pd.DataFrame({"_j": m + k + np.repeat(np.arange(ns), 2), "_pos": np.tile([0, 1], ns),
                        "customer_id": np.repeat(s["customer_id"].to_numpy(), 2),
                        "event_datetime": np.repeat(s["_dt"].to_numpy().astype("datetime64[ms]"), 2)
                        - np.tile([1, 0], ns) * (rng.uniform(5, 40, 2 * ns) * 60_000).astype("timedelta64[ms]"),
                        "channel": "magasin", "event_type": np.tile(["store_visit", "purchase"], ns),
                        "category": np.repeat(cat_q4[(q4["channel"] == "magasin").to_numpy()], 2),
                        "order_id": np.where(np.tile([0, 1], ns) == 1, np.repeat(s["order_id"].to_numpy(), 2), "")})
    vis.loc[vis["event_type"] == "store_visit", "category"] = ""
    nv = ns // 2
    vwho = rng.choice(alive, nv)
    vday = np.maximum(rng.integers(q_start, N_DAYS, nv), c["_acq_day"].to_numpy()[vwho])
    vsec = rng.integers(9 * 3600, 19 * 3600, nv)
    sunday = DAYS[vday].day_of_week.to_numpy() == 6
    vday = np.where(sunday & (vday > q_start), vday - 1, vday)
    vis2 = pd.DataFrame({"_j": m + k + ns + np.arange(nv), "_pos": 0,
                         "customer_id": c["customer_id"].to_numpy()[vwho],
                         "event_datetime": np.datetime64("2023-01-01", "ms") + vday.astype("timedelta64[D]")
                         + vsec.astype("timedelta64[s]"),
                         "channel": "magasin", "event_type": "store_visit", "category": "", "order_id": ""})
    ev = pd.concat(parts + [vis, vis2], ignore_index=True)
    ev = ev[ev["event_datetime"] >= np.datetime64("2025-10-01")]
    ev = ev.sort_values(["event_datetime", "_j", "_pos"], kind="stable").reset_index(drop=True)
    sess = pd.factorize(ev["_j"])[0]
    ev.insert(0, "event_id", ids("E", len(ev), 7))
    ev.insert(2, "session_id", np.array([f"SE{x + 1:06d}" for x in sess], dtype=object))
    ev["event_datetime"] = fmt_datetime(ev["event_datetime"].dt.floor("s")).to_numpy()
    return ev[["event_id", "customer_id", "session_id", "event_datetime", "channel", "event_type", "category",
               "order_id"]]


# ------------------------------------------------------------------------- calls
