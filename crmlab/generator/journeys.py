"""Journeys.

v1 ``events``: web/app sessions ending (or not) in the orders, and store visits (kept as is).
v2 ``journeys`` and ``touchpoints`` (``make_journeys``): paid and owned marketing touchpoints
before a web/app conversion, with each channel's true incremental effect (chapter 11).
"""

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


# ---------------------------------------------------------- marketing journeys (v2)
# Touchpoints with paid and owned channels before a web/app conversion (chapter 11).
# Built in build() from the published tables ``orders`` and ``customers``; draws only
# from ``stream("journeys")``. Model and planted effects: PARAMS["journeys"], datasets/README.md.

def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix000001``… (vectorised ``reference.ids``)."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _journey_pool(rng: np.random.Generator, J: dict, email_ok: bool, size: int) -> dict:
    """``size`` candidate journeys drawn from the model (touch counts, latent intent, outcome)."""
    ch = J["channels"]
    names = list(ch)
    rate = np.array([ch[k]["rate"] for k in names])
    kap = np.array([ch[k]["intent_loading"] for k in names])
    beta = np.array([ch[k]["logit_effect"] for k in names])
    if not email_ok:
        rate = np.where(np.array(names) == "e-mail", 0.0, rate)
    z = rng.normal(size=size)  # latent purchase intent, created outside the tracked touchpoints
    n = np.minimum(rng.poisson(rate * np.exp(np.outer(z, kap) - kap ** 2 / 2)), J["max_touches_per_channel"])
    u = rng.random(size)  # common random number of the journey's outcome
    keep = n.sum(axis=1) > 0
    n, z, u = n[keep], z[keep], u[keep]
    x = np.log2(1 + n)  # diminishing returns: the first touch adds the full effect
    logit = J["intercept"] + J["intent_effect"] * z + x @ beta
    return {"n": n, "z": z, "u": u, "x": x, "logit": logit, "conv": u < 1 / (1 + np.exp(-logit))}


def _pool_until(rng: np.random.Generator, J: dict, email_ok: bool, needed: int) -> dict:
    """Candidate journeys in draw order up to the ``needed``-th conversion (a negative-binomial stop)."""
    parts, got = [], 0
    while got < needed or not parts:
        p = _journey_pool(rng, J, email_ok, max(6 * (needed - got) + 200, 1000))
        parts.append(p)
        got += int(p["conv"].sum())
    pool = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    if needed == 0:
        return {k: v[:0] for k, v in pool.items()}
    stop = np.flatnonzero(pool["conv"])[needed - 1] + 1
    return {k: v[:stop] for k, v in pool.items()}


def make_journeys(rng: np.random.Generator, P: dict, T: dict
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Journeys, touchpoints, the true incremental conversions per channel and the realised window.

    Every web/app order of the window closes one converting journey (its ``order_id``);
    non-converting journeys come in the proportion the model implies. The truth is the
    number of the window's conversions that would not have happened without the
    channel's touches, everything else equal (same latent intent, same random number).
    """
    J = P["journeys"]
    names = list(J["channels"])
    C = len(names)
    o, cu = T["orders"], T["customers"]
    w0, w1 = np.datetime64(J["window"][0]), np.datetime64(J["window"][1]) + np.timedelta64(1, "D")
    odt = pd.to_datetime(o["order_datetime"], format="%Y-%m-%d %H:%M:%S").to_numpy()
    online = o["channel"].isin(["site web", "application"]).to_numpy()
    # a larger company shortens the window (later start) to keep at most max_conversions journeys
    per_day = pd.Series(odt[online & (odt >= w0) & (odt < w1)]).dt.normalize().value_counts().sort_index()
    after = per_day[::-1].cumsum()[::-1]  # conversions from each day to the end of the window
    if len(after) and after.iloc[0] > J["max_conversions"]:
        w0 = after.index[after.to_numpy() <= J["max_conversions"]][0].to_datetime64()
    web = online & (odt >= w0) & (odt < w1)
    ow = o[web]
    # e-mail reaches customers who consent and have not unsubscribed from marketing by the window's end
    unsub = pd.to_datetime(cu["unsubscribe_date"], format="%Y-%m-%d").to_numpy()
    emailable = (cu["consent_email"].to_numpy() == 1) & ~(unsub < w1)
    o_ok = ow["customer_id"].map(pd.Series(emailable, index=cu["customer_id"])).to_numpy().astype(bool)
    camps = T["campaigns"]
    email_camps = set(camps.loc[camps["channel"] == "e-mail", "campaign_id"])
    o_mail = ow["campaign_id"].isin(email_camps).to_numpy() & o_ok
    # candidate customers of non-converting journeys: acquired before the window, an order in the last year
    acq = pd.to_datetime(cu["acquisition_date"], format="%Y-%m-%d").to_numpy()
    recent = o.loc[odt >= w0 - np.timedelta64(365, "D"), "customer_id"].value_counts()
    activity = cu["customer_id"].map(recent).fillna(0).to_numpy()
    cand_w = np.where(acq < w0, activity + 0.5, 0.0)
    pools, cust, end, oid = [], [], [], []
    for ok in (True, False):
        rows = np.flatnonzero(o_ok == ok)
        # orders triggered by an e-mail campaign get the converting journeys that include an e-mail
        rows = np.concatenate([rows[o_mail[rows]], rows[~o_mail[rows]]])
        pool = _pool_until(rng, J, ok, len(rows))
        conv = np.flatnonzero(pool["conv"])
        has_mail = pool["n"][conv, names.index("e-mail")] > 0
        conv = np.concatenate([conv[has_mail], conv[~has_mail]])
        m = len(pool["z"])
        j_cust = np.empty(m, dtype=object)
        j_end = np.empty(m, dtype="datetime64[s]")
        j_oid = np.full(m, "", dtype=object)
        j_cust[conv] = ow["customer_id"].to_numpy()[rows]
        j_end[conv] = odt[web][rows].astype("datetime64[s]")
        j_oid[conv] = ow["order_id"].to_numpy()[rows]
        lost = np.flatnonzero(~pool["conv"])
        wts = cand_w * (emailable == ok)
        j_cust[lost] = cu["customer_id"].to_numpy()[rng.choice(len(cu), len(lost), p=wts / wts.sum())]
        # abandoned journeys follow the season of the conversions (an order time ± 3 days)
        ref = odt[web][rng.integers(0, web.sum(), len(lost))].astype("datetime64[s]")
        shift = (rng.uniform(-3, 3, len(lost)) * 86400).astype("timedelta64[s]")
        lo, hi = w0.astype("datetime64[s]"), (w1 - np.timedelta64(1, "s")).astype("datetime64[s]")
        j_end[lost] = np.clip(ref + shift, lo, hi)
        pools.append(pool)
        cust.append(j_cust)
        end.append(j_end)
        oid.append(j_oid)
    pool = {k: np.concatenate([p[k] for p in pools]) for k in pools[0]}
    cust, end, oid = np.concatenate(cust), np.concatenate(end), np.concatenate(oid)
    m = len(cust)
    conv = pool["conv"]

    # touches: one row per (journey, channel, repetition), ordered by the channel's funnel stage
    n = pool["n"]
    pair = np.repeat(np.arange(m * C), n.ravel())
    j, c = pair // C, pair % C
    stage = np.array([J["channels"][k]["stage"] for k in names])
    score = stage[c] + rng.normal(0, J["stage_noise"], len(c))
    order = np.lexsort((score, j))
    j, c = j[order], c[order]
    n_t = n.sum(axis=1)
    start = np.concatenate([[0], np.cumsum(n_t)[:-1]])
    pos = np.arange(len(j)) - start[j]
    span = np.minimum(rng.gamma(1.2, J["mean_span_days"] / 1.2, m), J["max_span_days"]) * 86400  # seconds
    frac = rng.random(len(j))
    frac = frac[np.lexsort((frac, j))]  # sorted within each journey
    frac[start + n_t - 1] = 1.0  # the last touch closes the journey
    lag = np.where(conv, rng.uniform(60, 1200, m), 0.0)  # last touch → order: the buying session
    t = end[j] - ((span[j] * (1 - frac) + lag[j]) * 1000).astype("timedelta64[ms]")
    cost = np.array([J["channels"][k]["cost_per_touch_eur"] for k in names])
    kind = np.array([J["channels"][k]["type"] for k in names], dtype=object)

    # journeys in chronological order of their first touch; touches numbered within their journey
    first_t = t[start]
    chrono = np.lexsort((np.arange(m), first_t))
    rank = np.empty(m, dtype=int)
    rank[chrono] = np.arange(m)
    jid = _ids("J", m, 6)[rank]
    by = np.argsort(rank[j], kind="stable")  # touches already in order within each journey
    tp = pd.DataFrame({"journey_id": jid[j][by], "touch_no": pos[by] + 1, "customer_id": cust[j][by],
                       "touch_datetime": fmt_datetime(t[by].astype("datetime64[s]")).to_numpy(),
                       "channel": np.array(names, dtype=object)[c[by]], "channel_type": kind[c[by]],
                       "cost_eur": cost[c[by]]})
    last_t = t[start + n_t - 1]
    jr = pd.DataFrame({"journey_id": jid, "customer_id": cust,
                       "first_touch_datetime": fmt_datetime(first_t.astype("datetime64[s]")).to_numpy(),
                       "last_touch_datetime": fmt_datetime(last_t.astype("datetime64[s]")).to_numpy(),
                       "n_touchpoints": n_t, "converted": conv.astype(int), "order_id": oid,
                       "conversion_datetime": np.where(conv, fmt_datetime(end).to_numpy(), "")})
    jr = jr.iloc[chrono].reset_index(drop=True)

    # truth: conversions lost when a channel's touches are removed (same intent, same random number)
    rows = []
    for k, name in enumerate(names):
        logit_wo = pool["logit"] - J["channels"][name]["logit_effect"] * pool["x"][:, k]
        conv_wo = pool["u"] < 1 / (1 + np.exp(-logit_wo))
        p_full, p_wo = 1 / (1 + np.exp(-pool["logit"])), 1 / (1 + np.exp(-logit_wo))
        rows.append({"channel": name, "channel_type": J["channels"][name]["type"],
                     "n_touchpoints": int(n[:, k].sum()), "n_journeys": int((n[:, k] > 0).sum()),
                     "n_converting_journeys": int(((n[:, k] > 0) & conv).sum()),
                     "conversions_without_channel": int(conv_wo.sum()),
                     "incremental_conversions": int((conv & ~conv_wo).sum()),
                     "expected_incremental_conversions": round(float((p_full - p_wo).sum()), 1),
                     "logit_effect": J["channels"][name]["logit_effect"],
                     "intent_loading": J["channels"][name]["intent_loading"]})
    truth = pd.DataFrame(rows)
    truth["incremental_share"] = (truth["incremental_conversions"] / truth["incremental_conversions"].sum()).round(4)
    realised = {"window_start": str(w0.astype("datetime64[D]")), "window_end": J["window"][1],
                "n_journeys": int(m), "n_conversions": int(conv.sum()), "n_touchpoints": int(len(tp))}
    return jr, tp, truth, realised
