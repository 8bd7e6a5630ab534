"""Contact centre.

v1 ``calls``: 15-minute intervals whose waits come from the Erlang C formula (kept as is).
v2 ``call_intervals`` and ``call_log`` (``make_contact_centre``): calls simulated one by one
(Poisson arrivals driven by the orders, FCFS queue, exponential patience) so that Erlang C
can be compared with the observed service.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (HOLIDAYS_2025, choice_rows, fmt_datetime, ids)


def _erlang_c(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Probability of waiting (Erlang C), vectorised; 1 when agents ≤ traffic."""
    b = np.ones_like(traffic)
    out = np.ones_like(traffic)
    for k in range(1, int(agents.max()) + 1):
        b = traffic * b / (k + traffic * b)
        at = agents == k
        out[at] = b[at]
    ok = agents > traffic
    c = np.ones_like(traffic)
    c[ok] = agents[ok] * out[ok] / (agents[ok] - traffic[ok] * (1 - out[ok]))
    return np.clip(c, 0, 1)


def make_calls(rng: np.random.Generator, P: dict) -> pd.DataFrame:
    """Contact-centre activity of 2025 per 15-minute interval (Mon–Sat 08:00–20:00)."""
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    days = days[(days.day_of_week < 6) & ~days.isin(pd.DatetimeIndex(HOLIDAYS_2025))]
    slots = np.arange(48)  # 08:00 … 19:45
    d = np.repeat(np.arange(len(days)), 48)
    s = np.tile(slots, len(days))
    h = 8 + s / 4
    intraday = 0.55 + 0.9 * np.exp(-0.5 * ((h - 10.8) / 1.2) ** 2) + 0.7 * np.exp(-0.5 * ((h - 14.8) / 1.5) ** 2) \
        - 0.25 * (h >= 18.5)
    intraday = intraday / intraday[:48].sum() * 48
    dow = np.array([1.3, 1.05, 1.0, 0.95, 0.95, 0.65])[days.day_of_week.to_numpy()][d]
    month = np.array([1.25, 1.0, 0.95, 0.95, 0.95, 0.95, 1.05, 0.8, 0.95, 1.0, 1.15, 1.35])[days.month.to_numpy() - 1][d]
    base = 9.0 * intraday * dow * month  # expected calls per 15 min without campaigns
    boost = np.ones(len(days))
    dd = (days - pd.Timestamp("2025-01-01")).days.to_numpy()
    for camp in P["campaigns"]:
        send = (pd.Timestamp(camp["send_date"]) - pd.Timestamp("2025-01-01")).days
        if send >= 0:
            lag = dd - send
            boost += np.where(lag >= 0, 0.45 * np.exp(-lag / 2.5), 0.0)
    mean = base * boost[d]
    offered = rng.poisson(mean)
    aht = np.clip(300 * (1 + 0.08 * (days.month.to_numpy()[d] == 12)) + rng.normal(0, 25, len(d)), 180, 480)
    # staffing planned on the forecast without campaign peaks, for 80 % answered within 20 s
    a_plan = base * 300 / 900
    agents = np.ones_like(a_plan)
    for _ in range(40):
        pw = _erlang_c(a_plan, agents)
        sl = 1 - pw * np.exp(-(agents - a_plan) * 20 / 300)
        need = (sl < 0.8) | (agents <= a_plan)
        if not need.any():
            break
        agents = agents + need
    agents = agents + (rng.random(len(d)) < 0.1) - (rng.random(len(d)) < 0.1)
    agents = np.maximum(agents, 1)
    traffic = mean * aht / 900  # offered load of the interval (the rate, not the Poisson count)
    pw = _erlang_c(traffic, agents)
    asa = np.where(agents > traffic, pw * aht / np.maximum(agents - traffic, 1e-9), 600.0)
    asa = np.minimum(asa * rng.lognormal(0, 0.15, len(d)), 900)
    aband = np.clip(asa / (asa + 420), 0, 0.6)
    answered = offered - rng.binomial(offered, aband)
    start = (days.to_numpy()[d] + (s * 15 * 60 + 8 * 3600).astype("timedelta64[s]"))
    return pd.DataFrame({"interval_start": fmt_datetime(start).to_numpy(), "calls_offered": offered,
                         "calls_answered": answered,
                         "avg_handle_time_s": np.where(answered > 0, np.round(aht, 1), 0.0),
                         "avg_wait_s": np.where(offered > 0, np.round(asa, 1), 0.0),
                         "agents_scheduled": agents.astype(int)})


# -------------------------------------------------------------------------- B2B


# --------------------------------------------------- contact centre, call by call (v2)
# 30-minute intervals of 2025 simulated call by call: Poisson arrivals driven by the
# orders (order follow-up, deliveries, returns), first-come-first-served queue with the
# agents scheduled, exponential patience (a caller hangs up when the wait exceeds it).
# Built in build() from the published ``orders``; draws only from ``stream("contact_centre")``.

def _agents_for(traffic: np.ndarray, aht: float, target_s: float, target_sl: float,
                max_agents: int = 200) -> np.ndarray:
    """Fewest agents whose Erlang C service level (share answered within ``target_s``) reaches ``target_sl``."""
    b = np.ones_like(traffic)  # Erlang B, by recursion on the number of agents
    need = np.zeros(traffic.shape, dtype=int)
    for k in range(1, max_agents + 1):
        b = traffic * b / (k + traffic * b)
        ok = k > traffic
        c = np.where(ok, k * b / np.maximum(k - traffic * (1 - b), 1e-12), 1.0)
        sl = np.where(ok, 1 - c * np.exp(-(k - traffic) * target_s / aht), 0.0)
        need = np.where((need == 0) & (sl >= target_sl), k, need)
        if (need > 0).all():
            break
    return need


def _daily_drivers(P: dict, orders: pd.DataFrame, days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Expected calls per day by reason, in proportion to what causes them (orders, deliveries, returns)."""
    CC = P["contact_centre"]
    odt = pd.to_datetime(orders["order_date"])
    day0 = np.datetime64("2024-10-01")
    n = (np.datetime64("2026-01-01") - day0).astype(int)
    idx = ((odt.to_numpy() - day0) // np.timedelta64(1, "D")).astype(int)
    ok = (idx >= 0) & (idx < n)

    def daily(mask: np.ndarray, lags: tuple[int, int]) -> np.ndarray:
        cnt = np.bincount(idx[ok & mask], minlength=n).astype(float)
        lo, hi = lags
        kern = np.zeros(hi + 1)
        kern[lo:] = 1.0 / (hi + 1 - lo)
        lagged = np.convolve(cnt, kern)[:n]  # calls come lo..hi days after the cause
        sel = lagged[(days.to_numpy() - day0) // np.timedelta64(1, "D")]
        return sel / sel.mean() if sel.mean() > 0 else np.ones(len(days))

    ch = orders["channel"].to_numpy()
    delivered = orders["delivery_mode"].isin(["livraison domicile", "point relais"]).to_numpy()
    remote = np.isin(ch, ["site web", "application", "téléphone"])
    returned = orders["returned"].to_numpy() == 1
    season = np.array(CC["month_level"])[days.month.to_numpy() - 1]
    drivers = {"suivi de commande": daily(remote, (1, 6)), "livraison": daily(delivered, (2, 8)),
               "retour et remboursement": daily(returned, (6, 20)), "conseil produit": season,
               "carte de fidélité": season, "réclamation": daily(remote | returned, (3, 15))}
    return drivers


def make_contact_centre(rng: np.random.Generator, P: dict, T: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """30-minute interval table of 2025, the call log of a few weeks, and the realised truth."""
    CC = P["contact_centre"]
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    days = days[(days.day_of_week < 6) & ~days.isin(pd.DatetimeIndex(HOLIDAYS_2025))]
    D, I, L = len(days), CC["n_intervals"], CC["interval_s"]
    reasons = list(CC["reasons"])
    drivers = _daily_drivers(P, T["orders"], days)
    share = np.array([CC["reasons"][r]["share"] for r in reasons])
    dow = np.array(CC["weekday_level"])[days.day_of_week.to_numpy()]
    h = 8 + (np.arange(I) + 0.5) * L / 3600
    intraday = 0.45 + np.exp(-0.5 * ((h - 10.7) / 1.1) ** 2) + 0.8 * np.exp(-0.5 * ((h - 14.6) / 1.4) ** 2) \
        + 0.25 * np.exp(-0.5 * ((h - 18.0) / 0.8) ** 2)
    intraday = intraday / intraday.mean()
    by_reason = np.stack([drivers[r] for r in reasons], axis=1) * share  # D × R, relative
    day_noise = rng.gamma(1 / CC["day_noise_cv"] ** 2, CC["day_noise_cv"] ** 2, D)
    daily = CC["mean_calls_per_day"] * dow * by_reason.sum(axis=1) * day_noise
    lam = daily[:, None] * intraday[None, :] / I  # expected calls per interval (D × I)
    # staffing: Erlang C for 80 % within 20 s on a forecast that knows the month, the weekday and
    # the hour, but not the day-to-day peaks of orders, campaigns and returns
    true_aht = float(np.sum(share * np.array([CC["reasons"][r]["mean_handle_s"] for r in reasons])))
    mean_aht = CC["planning_aht_s"]  # the planners' handle time, shorter than today's true one
    fc_month = pd.Series(daily / day_noise).groupby(days.month.to_numpy()).transform("mean").to_numpy()
    dow_mean = pd.Series(dow).groupby(days.month.to_numpy()).transform("mean").to_numpy()
    forecast = (fc_month * dow / dow_mean)[:, None] * intraday[None, :] / I
    load_fc = forecast * mean_aht / L
    agents = _agents_for(load_fc, mean_aht, CC["target_s"], CC["target_sl"])
    agents = agents + rng.integers(-1, 2, agents.shape) * (rng.random(agents.shape) < CC["staffing_noise"])
    agents = np.maximum(agents, CC["min_agents"]).astype(int)

    # arrivals, reasons, handle times and patience, call by call
    cnt = rng.poisson(lam)
    k_day = cnt.sum(axis=1)
    dcall = np.repeat(np.repeat(np.arange(D), I), cnt.ravel())
    arr = np.repeat(np.tile(np.arange(I), D), cnt.ravel()) * L + rng.uniform(0, L, len(dcall))
    order = np.lexsort((arr, dcall))
    dcall, arr = dcall[order], arr[order]
    n = len(arr)
    rp = by_reason[dcall] / by_reason[dcall].sum(axis=1, keepdims=True)
    reason = choice_rows(rng, rp)
    mh = np.array([CC["reasons"][r]["mean_handle_s"] for r in reasons])[reason]
    cv = CC["handle_cv"]
    s2 = np.log(1 + cv ** 2)
    handle = np.round(rng.lognormal(np.log(mh) - s2 / 2, np.sqrt(s2)))
    handle = np.maximum(handle, 20)
    patience = rng.exponential(CC["mean_patience_s"], n)
    # FCFS queue: loop over the rank of the call within its day, vectorised over the days that
    # still have calls (days sorted by volume, so the live days are a prefix)
    byvol = np.argsort(-k_day, kind="stable")
    pos_day = np.empty(D, dtype=int)
    pos_day[byvol] = np.arange(D)
    K = int(k_day.max())
    first = np.concatenate([[0], np.cumsum(k_day)[:-1]])
    rank = np.arange(n) - first[dcall]
    prow = pos_day[dcall]
    A = np.zeros((D, K))
    A[prow, rank] = arr
    H = np.zeros((D, K))
    H[prow, rank] = handle
    PT = np.zeros((D, K))
    PT[prow, rank] = patience
    ext = np.concatenate([agents, np.repeat(agents[:, -1:], 8, axis=1)], axis=1)[byvol]  # stay to clear the queue
    NA, IE = int(agents.max()), ext.shape[1]
    on = np.arange(NA)[None, :, None] < ext[:, None, :]  # day × agent × interval: agent j works when j < agents
    t_on = np.where(on, np.arange(IE)[None, None, :] * float(L), np.inf)
    next_on = np.minimum.accumulate(t_on[..., ::-1], axis=-1)[..., ::-1].reshape(-1)  # next on-duty start
    base = (np.arange(D)[:, None] * NA + np.arange(NA)[None, :]) * IE
    free = np.zeros((D, NA))  # when each agent finishes the current call
    W = np.zeros((D, K))
    AB = np.zeros((D, K), dtype=bool)
    n_live = (k_day[byvol][None, :] > np.arange(K)[:, None]).sum(axis=1)
    rows = np.arange(D)
    inv_l = 1.0 / L
    for k in range(K):
        m = n_live[k]
        a, r = A[:m, k], rows[:m]
        tt = np.maximum(free[:m], a[:, None])
        iv = (tt * inv_l).astype(np.intp)
        np.minimum(iv, IE - 1, out=iv)
        e = np.maximum(tt, next_on[base[:m] + iv])  # earliest time each agent can take the call
        best = e.argmin(axis=1)
        s = e[r, best]
        pt = PT[:m, k]
        ab = s - a > pt
        W[:m, k] = np.minimum(s - a, pt)  # abandoned calls waited their whole patience
        AB[:m, k] = ab
        free[r, best] = np.where(ab, free[r, best], s + H[:m, k])
    wait = np.round(W[prow, rank], 1)  # as published: the interval figures add up from the call log
    aband = AB[prow, rank]

    # interval table
    cell = dcall * I + (arr // L).astype(int)
    ans = ~aband

    def tot(x):
        return np.bincount(cell, weights=x, minlength=D * I).reshape(D, I)

    offered = tot(np.ones(n)).astype(int)
    answered = tot(ans.astype(float)).astype(int)
    within = tot((ans & (wait <= CC["target_s"])).astype(float)).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        asa = np.where(answered > 0, tot(np.where(ans, wait, 0.0)) / answered, 0.0)
        aht = np.where(answered > 0, tot(np.where(ans, handle, 0.0)) / answered, 0.0)
        ab_wait = np.where(offered > answered, tot(np.where(aband, wait, 0.0)) / np.maximum(offered - answered, 1), 0.0)
        sl = np.where(offered > 0, within / np.maximum(offered, 1), 1.0)
    istart = days.to_numpy()[:, None] + (np.arange(I) * L + 8 * 3600).astype("timedelta64[s]")[None, :]
    intervals = pd.DataFrame({
        "interval_start": fmt_datetime(istart.ravel()).to_numpy(), "calls_offered": offered.ravel(),
        "calls_answered": answered.ravel(), "calls_abandoned": (offered - answered).ravel(),
        "answered_within_20s": within.ravel(), "service_level": np.round(sl.ravel(), 4),
        "avg_speed_of_answer_s": np.round(asa.ravel(), 1), "avg_abandon_wait_s": np.round(ab_wait.ravel(), 1),
        "avg_handle_time_s": np.round(aht.ravel(), 1), "calls_forecast": np.round(forecast.ravel(), 1),
        "agents_scheduled": agents.ravel()})
    # call log of a few weeks
    lo, hi = np.datetime64(CC["call_log_window"][0]), np.datetime64(CC["call_log_window"][1])
    cday = days.to_numpy()[dcall]
    sel = (cday >= lo) & (cday <= hi)
    arr_dt = cday[sel] + (np.floor(arr[sel]) + 8 * 3600).astype("timedelta64[s]")
    log = pd.DataFrame({"call_id": ids("A", int(sel.sum()), 7), "arrival_datetime": fmt_datetime(arr_dt).to_numpy(),
                        "reason": np.array(reasons, dtype=object)[reason[sel]],
                        "wait_s": wait[sel], "abandoned": aband[sel].astype(int),
                        "handle_time_s": np.where(aband[sel], 0.0, handle[sel]),
                        "agents_scheduled": agents[dcall[sel], (arr[sel] // L).astype(int)]})
    truth = {"n_calls": int(n), "mean_patience_s_realised": round(float(patience.mean()), 2),
             "abandon_rate": round(float(aband.mean()), 4),
             "mean_handle_time_s_realised": round(float(handle[ans].mean()), 2),
             "peak_agents": int(agents.max()), "expected_handle_time_s": round(true_aht, 2)}
    return intervals, log, truth
