"""Verdane+ — the contractual line of business: a paid yearly home-delivery membership.

Launched on ``P["subscriptions"]["launch_date"]``, it is offered at checkout of every
home-delivered order: each such order converts a non-member with a fixed probability,
so heavier home-delivery users join more often (and earlier). The fee is paid for a
year; at the end of each year the member renews or cancels. Renewal follows the
shifted-beta-geometric model (sBG, Fader & Hardie 2007): each member has a constant
yearly cancellation probability ``θ_i ~ Beta(α, β)``; since the members who cancel
early are those with a high ``θ``, the aggregate renewal rate rises with tenure.
``θ`` is drawn from the Beta law and then allotted by rank to a noisy home-delivery
score (heavier users get the lower ``θ``): the marginal law stays exactly Beta(α, β).
Departures from the sBG: none planted — a member who stopped buying keeps paying until
his own ``θ`` makes him cancel (« abonnés fantômes »). Orders are not changed.

One row per subscription period; the periods not finished on 2025-12-31 are ``en cours``.
All draws come from ``stream("subscriptions")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import DAYS, N_DAYS, day_index, fmt_date, ids

STATUSES = ["renouvelé", "résilié", "en cours"]


def make_subscriptions(rng: np.random.Generator, P: dict, T: dict) -> tuple[pd.DataFrame, dict]:
    """The ``subscriptions`` table (one row per member and yearly period) and realised figures."""
    sp = P["subscriptions"]
    o = T["_orders"]
    n = len(T["_c"])
    launch = day_index(sp["launch_date"])
    home = o[(o["delivery_mode"] == "livraison domicile").to_numpy() & (o["day"].to_numpy() >= launch)]
    hc, hd = home["_cust"].to_numpy(), home["day"].to_numpy()
    hit = rng.random(len(home)) < sp["join_prob_per_home_order"]
    start = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(start, hc[hit], hd[hit])
    members = np.flatnonzero(start < N_DAYS)
    members = members[np.lexsort((members, start[members]))]  # ids in order of joining
    m = members.size
    n_home = np.bincount(hc, minlength=n)[members]
    score = np.log1p(n_home) + rng.normal(0, sp["theta_score_noise"], m)
    theta = np.sort(rng.beta(sp["alpha"], sp["beta"], m))
    th = np.empty(m)
    th[np.argsort(-score, kind="stable")] = theta  # the highest score gets the lowest θ
    rows_c, rows_k, rows_s, rows_st = [], [], [], []
    s0 = start[members]
    active = np.arange(m)
    k = 0
    while active.size:  # loop over yearly periods (3 at most in the window)
        k += 1
        ps = s0[active] + 365 * (k - 1)
        pe = ps + 364
        due = pe < N_DAYS - 1
        cancel = rng.random(active.size) < th[active]
        status = np.where(~due, 2, np.where(cancel, 1, 0))
        rows_c.append(active)
        rows_k.append(np.full(active.size, k))
        rows_s.append(ps)
        rows_st.append(status)
        active = active[status == 0]
    idx, per, ps, st = (np.concatenate(x) for x in (rows_c, rows_k, rows_s, rows_st))
    order = np.lexsort((per, idx))
    idx, per, ps, st = idx[order], per[order], ps[order], st[order]
    sub_id = ids("V", m, 5)
    cid = T["_c"]["customer_id"].to_numpy()
    dates = pd.date_range(DAYS[0], periods=N_DAYS + 365 * 4, freq="D")
    df = pd.DataFrame({
        "subscription_id": sub_id[idx],
        "customer_id": cid[members[idx]],
        "period": per,
        "period_start": fmt_date(dates[ps]).to_numpy(),
        "period_end": fmt_date(dates[ps + 364]).to_numpy(),
        "fee_eur": float(sp["fee_eur"]),
        "status": np.array(STATUSES, dtype=object)[st],
    })
    realised = {"n_members": int(m), "n_periods": int(len(df)),
                "mean_theta_realised": round(float(th.mean()), 4),
                "spearman_theta_home_orders": round(float(pd.Series(th).corr(pd.Series(n_home), method="spearman")), 3)}
    return df, realised
