"""Contact centre: 15-minute intervals, arrivals, staffing and waits (Erlang C)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (HOLIDAYS_2025, fmt_datetime)


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
