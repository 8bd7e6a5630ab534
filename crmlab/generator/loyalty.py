"""Loyalty programme: self-selected enrolment, its true effect on purchase rates, points earned, burned and expired."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (Calendar, N_DAYS, day_index, sigmoid)


def apply_loyalty(rng: np.random.Generator, P: dict, cal: Calendar, c: pd.DataFrame,
                  cust: np.ndarray, u: np.ndarray, death: np.ndarray) -> tuple:
    """Self-selected enrolment and the true programme effect, through the time warp.

    A customer may join at her first purchase after the launch (probability rising
    with the purchase rate and the engagement). After joining, her operational
    clock runs ``1 + true_effect`` times faster, i.e. she buys that much more often.
    Returns the calendar day and warped op time of each purchase (day ≥ N_DAYS if
    beyond the window), the join day (-1 if never), the calendar death day (inf if
    alive at the end) and whether each purchase is the joining one.
    """
    n = len(c)
    L = P["loyalty"]
    launch_u = cal.cum[day_index(L["launch_date"])]
    end_u = cal.cum[-1]
    cand = (u >= launch_u) & (u <= end_u)
    first_after = np.full(n, np.inf)
    np.minimum.at(first_after, cust[cand], u[cand])
    z = np.log(c["_lambda"].to_numpy() / np.exp(np.log(c["_lambda"]).mean()))
    prob = sigmoid(L["join_intercept"] + L["join_slope_rate"] * z + L["join_slope_engagement"] * c["_engagement"].to_numpy())
    joins = np.isfinite(first_after) & (rng.random(n) < prob)
    u_join = np.where(joins, first_after, np.inf)
    factor = 1.0 + L["true_effect"]
    uj_safe = np.where(joins, u_join, 0.0)
    uj = uj_safe[cust]
    u_cal = np.where(joins[cust] & (u > uj), uj + (u - uj) / factor, u)
    with np.errstate(invalid="ignore"):  # inf death times stay inf
        d_death = np.where(joins & (death > uj_safe), uj_safe + (death - uj_safe) / factor, death)
    day = cal.day(u_cal)
    death_day = np.where(d_death <= end_u, cal.day(np.minimum(d_death, end_u)), np.inf)
    join_day = np.where(joins, cal.day(np.where(joins, u_join, 0.0)), -1)
    is_join = joins[cust] & (u == u_join[cust])
    return day, u_cal, join_day, death_day, is_join


# ------------------------------------------------------------------ order channels

def loyalty_points(rng: np.random.Generator, P: dict, orders: pd.DataFrame,
                   join_dt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Points earned / redeemed per order (FIFO lots, 12-month expiry), vectorised over members.

    Returns points_earned, points_redeemed, the redemption discount (€) per order
    and the expiration rows (customer index, day, points).
    """
    L = P["loyalty"]
    n = len(orders)
    earned = np.zeros(n, dtype=int)
    redeemed = np.zeros(n, dtype=int)
    cust = orders["_cust"].to_numpy()
    elig = join_dt[cust] <= orders["_dt"].to_numpy()
    rows = np.flatnonzero(elig)  # orders are sorted by customer then datetime
    if rows.size == 0:
        return earned, redeemed, np.zeros(n), pd.DataFrame(columns=["_cust", "day", "points"])
    mc = cust[rows]
    members, m_idx = np.unique(mc, return_inverse=True)
    first = np.concatenate([[0], np.flatnonzero(np.diff(m_idx)) + 1])
    rank = np.arange(rows.size) - np.repeat(first, np.diff(np.concatenate([first, [rows.size]])))
    K = rank.max() + 1
    rem = np.zeros((len(members), K))
    eday = np.full((len(members), K), 10**6)
    days = orders["day"].to_numpy()
    pre = orders["_value"].to_numpy() - orders["_promo"].to_numpy()
    mult = orders["_points_mult"].to_numpy() if "_points_mult" in orders else np.ones(n)
    discount_pts = np.zeros(n)
    exp_rows = []
    step, eur = L["burn_points"], L["burn_value_eur"]
    for k in range(K):
        sel = rank == k
        r, m = rows[sel], m_idx[sel]
        t = days[r]
        sub_rem, sub_day = rem[m, :k], eday[m, :k]
        expired = (sub_day + L["expiry_days"] <= t[:, None]) & (sub_rem > 0)
        if expired.any():
            mi, ki = np.nonzero(expired)
            exp_rows.append(pd.DataFrame({"_cust": members[m[mi]], "day": sub_day[mi, ki] + L["expiry_days"],
                                          "points": sub_rem[mi, ki]}))
            sub_rem = np.where(expired, 0.0, sub_rem)
        balance = sub_rem.sum(axis=1)
        cap = np.floor(0.5 * pre[r] / eur) * step
        pts = np.minimum(np.floor(balance / step) * step, cap)
        pts = np.where(rng.random(r.size) < L["redeem_prob"], pts, 0.0)
        before = np.cumsum(sub_rem, axis=1) - sub_rem
        take = np.clip(pts[:, None] - before, 0, sub_rem)
        rem[m, :k] = sub_rem - take
        redeemed[r] = pts.astype(int)
        discount_pts[r] = pts / step * eur
        amount = np.maximum(pre[r] - discount_pts[r], 0)
        e = np.floor(amount * L["earn_per_eur"] * mult[r])
        earned[r] = e.astype(int)
        rem[m, k], eday[m, k] = e, t
    left = (eday + L["expiry_days"] <= N_DAYS - 1) & (rem > 0)
    mi, ki = np.nonzero(left)
    exp_rows.append(pd.DataFrame({"_cust": members[mi], "day": eday[mi, ki] + L["expiry_days"],
                                  "points": rem[mi, ki]}))
    exp = pd.concat(exp_rows, ignore_index=True)
    exp["points"] = exp["points"].astype(int)
    return earned, redeemed, discount_pts, exp
