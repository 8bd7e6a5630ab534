"""Loyalty programme: self-selected enrolment, its true effect on purchase rates, points earned, burned and expired."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (Calendar, N_DAYS, day_index, sigmoid)


def apply_loyalty(rng: np.random.Generator, P: dict, cal: Calendar, c: pd.DataFrame,
                  cust: np.ndarray, u: np.ndarray, rnd: np.ndarray, death: np.ndarray) -> tuple:
    """Self-selected enrolment and the true programme effect (extra purchases while active).

    Customers recruited before the launch are invited at the launch: a customer signs up
    (online, in store or in the app) ``Exponential(signup_delay_days)`` days after the
    launch with a probability rising with what she did before the launch — her number of
    purchases in the previous 12 months, a purchase in the previous 6 months — and with
    her e-mail consent (engagement): heavier, more engaged customers join. Enrolment does
    not depend on whether she will buy again (lapsed customers sign up too). Customers
    recruited after the launch decide at their first purchase (one purchase, recent).
    True effect: after joining, each of the member's purchases brings an extra purchase
    with probability ``true_effect``, placed uniformly between her previous purchase (or
    her join date) and that one. Her purchase rate is multiplied by ``1 + true_effect``
    whatever its shape (trend, season), and her departure is not hastened.
    Returns the purchases with the extra ones appended (customer index, round — -2 for
    an extra purchase —, calendar day, op time), the join day (-1 if never), the calendar
    death day (inf if alive at the end), whether each purchase is the joining one, and
    ``src``: for each returned purchase, the index of the input purchase it comes from
    (itself, or the purchase an extra one was drawn with), so that a caller can carry
    per-purchase attributes over (``attr = attr[src]``).
    """
    n = len(c)
    L = P["loyalty"]
    launch = day_index(L["launch_date"])
    end_u = cal.cum[-1]
    acq_day = c["_acq_day"].to_numpy()
    # what the shop sees at the launch: purchases of the last 12 months, a purchase in the last 6 months
    pday = cal.day(u)
    x12 = np.bincount(cust[(pday >= launch - 365) & (pday < launch)], minlength=n)
    recent = np.bincount(cust[(pday >= launch - 182) & (pday < launch)], minlength=n) > 0
    new_cust = acq_day >= launch
    x12 = np.where(new_cust, 1, x12)
    recent = recent | new_cust
    prob = sigmoid(L["join_intercept"] + L["join_slope_frequency"] * np.log1p(x12)
                   + L["join_slope_recent"] * recent + L["join_slope_consent"] * (c["consent_email"].to_numpy() == 1))
    draw = rng.random(n)
    delay = np.floor(rng.exponential(L["signup_delay_days"], n)).astype(int)
    join_day = np.where(acq_day < launch, launch + delay, acq_day)
    joins = (draw < prob) & (join_day < N_DAYS)
    join_day = np.where(joins, join_day, -1)
    u_join = np.where(joins, cal.op(np.maximum(join_day, 0)), np.inf)
    # extra purchases of members: one per purchase after joining with probability true_effect
    order = np.lexsort((u, cust))
    cs, us = cust[order], u[order]
    prev = np.concatenate([[-np.inf], us[:-1]])
    prev[np.concatenate([[True], cs[1:] != cs[:-1]])] = -np.inf
    lo = np.maximum(prev, u_join[cs])
    extra = (us > u_join[cs]) & (rng.random(cs.size) < L["true_effect"])
    x_cust = cs[extra]
    src = np.concatenate([np.arange(cust.size), order[extra]])
    x_u = lo[extra] + rng.random(x_cust.size) * (us[extra] - lo[extra])
    cust = np.concatenate([cust, x_cust])
    u = np.concatenate([u, x_u])
    rnd = np.concatenate([rnd, np.full(x_cust.size, -2)])
    day = cal.day(u)
    death_day = np.where(death <= end_u, cal.day(np.minimum(death, end_u)), np.inf)
    is_join = joins[cust] & (acq_day[cust] >= launch) & (rnd == 0)
    return cust, rnd, day, u, join_day, death_day, is_join, src


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


def points_truth(P: dict, earned: np.ndarray, redeemed: np.ndarray, expiry: pd.DataFrame,
                 member: np.ndarray) -> dict:
    """The programme's points economics at the end of the window, from the generator's own ledger.

    Breakage = share of settled points (redeemed or expired) that expired; the liability
    is the euro value of the points still outstanding on the reference date, at face
    value and net of the breakage rate (the accounting estimate of what will be redeemed).
    """
    L = P["loyalty"]
    exp_in = expiry[expiry["day"] <= N_DAYS - 1]
    e, r, x = int(earned.sum()), int(redeemed.sum()), int(exp_in["points"].sum())
    outstanding = e - r - x
    value = L["burn_value_eur"] / L["burn_points"]
    breakage = x / max(r + x, 1)
    return {"n_members": int(member.sum()), "points_earned": e, "points_redeemed": r, "points_expired": x,
            "points_outstanding_end": outstanding, "eur_per_point": value,
            "breakage_rate": round(breakage, 4),
            "liability_face_value_eur": round(outstanding * value, 2),
            "liability_net_of_breakage_eur": round(outstanding * value * (1 - breakage), 2),
            "true_effect_note": "each purchase of a member after her join date brings an extra purchase with "
                                "probability true_effect: purchase rate x (1 + true_effect) while active"}
