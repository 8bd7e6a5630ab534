"""Direct marketing: a regular e-mail / SMS / mail programme, 12 one-off operations, an e-mail
pressure test and a large randomised uplift test; true uplift, fatigue and unsubscribes.

Every send is a row of the ``campaigns`` table; ``campaign_contacts`` has one row per
targeted customer (test and control). The sends are processed in date order, one
vectorised step per send (never a loop over customers):

* **targeting** — consent for the channel, not unsubscribed, recruited before the send,
  plus the programme's rule (recent buyers for the regular programme, lapsed customers
  for a reactivation, members for a loyalty operation…);
* **control groups** — a permanent holdout (``holdout_share`` of the customers, drawn
  once) never receives the regular programme but is listed as ``témoin`` in each send it
  is eligible for; the operations draw their own control share; the uplift test splits
  its base 50/50; the pressure test draws a cell (0, 1, 2 or 4 e-mails a month);
* **true response** — a persuadable customer who receives a send places an extra order
  (tagged ``campaign_id``) with probability ``tau × h(x) × exp(-fatigue × m)``, where, for
  the operations and the uplift test (``h = 1`` for routine sends),
  ``h(x) = exp(Σ effect_index · x)`` depends on features the course observes (recency
  90–365 days, age under 45, 4 orders or more) and ``m`` is the number of marketing
  contacts she received in the previous 28 days; a sleeping dog who receives it loses
  each natural order of the response window with probability ``dog_suppress`` and
  unsubscribes more; sure things and lost causes do not react;
* **unsubscribes** — probability ``unsubscribe_base[channel] × exp(unsubscribe_pressure × m)``
  per contact (× ``dog_unsubscribe_multiplier`` for sleeping dogs); an unsubscribed
  customer receives nothing afterwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (CONSENT, N_DAYS, day_index)

_KEY = 4096  # > N_DAYS: order key = customer * _KEY + day

PROGRAMME_LABELS = {"operation": "opération", "newsletter": "lettre d'information", "sms": "SMS mensuel",
                    "mail": "courrier trimestriel", "pressure": "test de pression", "uplift": "test d'uplift"}


def schedule(P: dict) -> pd.DataFrame:
    """Every send of the three years (one row per campaign), in date order."""
    M = P["marketing"]
    rows = []
    for k in P["campaigns"]:
        rows.append({**{x: k[x] for x in ["campaign_id", "name", "channel", "send_date", "objective", "offer",
                                           "offer_rate", "cost_per_contact", "control_share"]},
                     "programme": "operation", "response_days": M["operation_response_days"],
                     "tau": k["persuade_prob"] * M["operation_tau_scale"], "dog_suppress": k["dog_suppress_prob"],
                     "points_multiplier": k.get("points_multiplier", 1)})
    quiet_lo = day_index(M["uplift_test"]["send_date"]) - M["uplift_test"]["quiet_days_before"]
    quiet_hi = quiet_lo + M["uplift_test"]["response_days"]
    for prog, key, freq, prefix in [("newsletter", "newsletter", "2W-THU", "N"), ("sms", "sms", "WOM-1TUE", "S"),
                                    ("mail", "mail", None, "C")]:
        cfg = M[key]
        if freq:
            dates = pd.date_range(cfg["first"], "2025-12-20", freq=freq)
        else:
            dates = pd.date_range(cfg["first"], "2025-12-20", freq="3MS") + pd.Timedelta(days=9)
        dates = [d for d in dates if not (quiet_lo <= day_index(str(d.date())) <= quiet_hi)]  # clean test
        for i, d in enumerate(dates, 1):
            rows.append({"campaign_id": f"{prefix}{i:03d}" if prefix == "N" else f"{prefix}{i:02d}",
                         "name": f"{cfg['name']} {d.strftime('%m/%Y')}", "channel": cfg["channel"],
                         "send_date": str(d.date()), "objective": "promotion", "offer": cfg["offer"],
                         "offer_rate": cfg["offer_rate"], "cost_per_contact": cfg["cost_per_contact"],
                         "control_share": M["holdout_share"], "programme": prog,
                         "response_days": M["response_days"][cfg["channel"]], "tau": cfg["tau"],
                         "dog_suppress": cfg["dog_suppress"], "points_multiplier": 1})
    pt = M["pressure_test"]
    start = pd.Timestamp(pt["start"])
    nl = M["newsletter"]
    for w in range(pt["weeks"]):
        d = start + pd.Timedelta(weeks=w)
        rows.append({"campaign_id": f"P{w + 1:02d}", "name": f"Test de pression, semaine {w + 1}",
                     "channel": "e-mail", "send_date": str(d.date()), "objective": "promotion",
                     "offer": nl["offer"], "offer_rate": nl["offer_rate"], "cost_per_contact": nl["cost_per_contact"],
                     "control_share": 0.0, "programme": "pressure", "response_days": M["response_days"]["e-mail"],
                     "tau": nl["tau"], "dog_suppress": nl["dog_suppress"], "points_multiplier": 1})
    ut = M["uplift_test"]
    rows.append({"campaign_id": "U01", "name": ut["name"], "channel": "e-mail", "send_date": ut["send_date"],
                 "objective": "promotion", "offer": ut["offer"], "offer_rate": ut["offer_rate"],
                 "cost_per_contact": ut["cost_per_contact"], "control_share": 1 - ut["treat_share"],
                 "programme": "uplift", "response_days": ut["response_days"], "tau": ut["tau"],
                 "dog_suppress": ut["dog_suppress"], "points_multiplier": 1})
    s = pd.DataFrame(rows)
    s["day"] = [day_index(d) for d in s["send_date"]]
    return s.sort_values(["day", "campaign_id"], kind="stable").reset_index(drop=True)


def run_campaigns(rng: np.random.Generator, P: dict, c: pd.DataFrame, orders: pd.DataFrame,
                  join_day: np.ndarray, death_day: np.ndarray) -> tuple:
    """Run every send in date order (see the module docstring).

    ``orders`` has columns ``_cust``, ``day``, ``round``, ``kind``, ``is_join``; natural
    orders of treated sleeping dogs may be removed and incremental orders are added.
    Returns (orders, contacts, unsubscribe day per customer, truth dict with the
    schedule ``meta``, per-campaign ``per_campaign``, ``pressure_cells`` and ``uplift_test``).
    """
    M = P["marketing"]
    n = len(c)
    sched = schedule(P)
    acq_day = c["_acq_day"].to_numpy()
    uplift = c["_uplift"].to_numpy()
    young = c["_age"].to_numpy() <= 2
    consent = {ch: c[col].to_numpy() == 1 for ch, col in CONSENT.items()}
    unsub = np.full(n, np.inf)
    hist = np.full((n, 8), -10_000)  # days of the last 8 marketing contacts
    holdout = rng.random(n) < M["holdout_share"]
    # pressure test: cells drawn on the e-mail base at the start
    pt = M["pressure_test"]
    pt_lo = day_index(pt["start"])
    pt_hi = pt_lo + 7 * pt["weeks"]
    cell = np.full(n, -1)
    ut = M["uplift_test"]

    oc, od = orders["_cust"].to_numpy(), orders["day"].to_numpy()
    order = np.lexsort((od, oc))
    keys = oc[order] * _KEY + od[order]
    o_round = orders["round"].to_numpy()[order]
    o_join = orders["is_join"].to_numpy()[order]
    o_nat = (orders["kind"].to_numpy()[order] == "naturelle") & (o_round != 0) & ~o_join
    removed = np.zeros(len(orders), dtype=bool)  # in sorted order
    start_idx = np.searchsorted(keys, np.arange(n) * _KEY)
    eff = M["effect_index"]
    contacts, truth, new_orders = [], {}, []
    uplift_truth = None
    pt_sum = {k: [0.0, 0, 0] for k in pt["cells"]}
    pend = np.full(n, 10**6)  # day of each customer's latest incremental order not yet in her history
    inc_n, inc_last = np.zeros(n, dtype=int), np.full(n, -10_000)  # Σ p_incremental of contacts, contacts, unsubscribes
    for s in sched.itertuples(index=False):
        send, ch, prog = s.day, s.channel, s.programme
        idx = np.searchsorted(keys, np.arange(n) * _KEY + send)
        done = pend < send  # incremental orders count in recency and frequency once placed
        inc_last[done], pend[done] = pend[done], 10**6
        inc_n += done
        count = idx - start_idx + inc_n
        last = np.maximum(np.where(idx > start_idx, keys[np.maximum(idx - 1, 0)] % _KEY, -10_000), inc_last)
        since = send - last
        ok = (acq_day < send) & (unsub > send) & consent[ch]
        in_pt = (cell != -1) & (send >= pt_lo) & (send < pt_hi)  # the test base gets no newsletter
        if prog == "operation":
            obj = s.objective
            if obj == "réactivation":
                ok &= (since >= 120) & (since <= 720)
            elif obj == "fidélisation":
                ok &= (join_day >= 0) & (join_day < send)
            elif obj == "cross-sell":
                ok &= (count >= 2) & (since <= 365)
            else:
                ok &= since <= 540
            target = np.flatnonzero(ok)
            cfg = next(k for k in P["campaigns"] if k["campaign_id"] == s.campaign_id)
            if target.size > cfg["max_targets"]:
                target = np.sort(rng.choice(target, cfg["max_targets"], replace=False))
            test = rng.random(target.size) >= s.control_share
        elif prog in ("newsletter", "sms", "mail"):
            ok &= since <= M[prog]["recency_days"]
            if prog == "newsletter":
                ok &= ~in_pt
            target = np.flatnonzero(ok)
            test = ~holdout[target]
        elif prog == "pressure":
            if send == pt_lo:  # draw the cells on the e-mail base of the start date
                elig = ok & (since <= pt["recency_days"])
                base = np.flatnonzero(elig & ~holdout)
                cell[base] = rng.choice(pt["cells"], base.size, p=pt["shares"])
                cell[elig & holdout] = -2  # their holdout twins are set aside too: newsletters stay randomised
            w = (send - pt_lo) // 7
            sends = {1: w % 4 == 0, 2: w % 2 == 0, 4: True}
            mask = np.zeros(n, dtype=bool)
            for k_cell, yes in sends.items():
                if yes:
                    mask |= cell == k_cell
            target = np.flatnonzero(ok & mask)
            test = np.ones(target.size, dtype=bool)
        else:  # uplift test: the whole consenting base, split at random
            target = np.flatnonzero(ok)
            test = rng.random(target.size) < ut["treat_share"]
        m = target.size
        win = s.response_days
        mm = ((send - hist[target]) <= 28).sum(axis=1)  # contacts in the previous 28 days
        h = np.exp(eff["recency_90_365"] * ((since[target] >= 90) & (since[target] <= 365))
                   + eff["age_under_45"] * young[target] + eff["orders_4_or_more"] * (count[target] >= 4))
        if prog not in ("operation", "uplift"):  # a routine send persuades alike whoever receives it
            h = np.ones(m)
        p_inc = np.where(uplift[target] == 0,
                         np.minimum(s.tau * h * np.exp(-M["fatigue_per_contact"] * mm), M["max_p_incremental"]), 0.0)
        geo = 0.35 if ch != "courrier" else 0.1
        inc_day = send + 1 + np.minimum(rng.geometric(geo, m) - 1, win - 1)
        alive = (death_day[target] > inc_day) & (inc_day < N_DAYS)
        inc_all = (rng.random(m) < p_inc) & alive  # potential outcome if treated
        inc = inc_all & test
        pend[target[inc]] = inc_day[inc]
        new_orders.append(pd.DataFrame({"_cust": target[inc], "day": inc_day[inc], "kind": "campagne",
                                        "campaign_id": s.campaign_id}))
        # sleeping dogs: natural orders of the window lost with probability dog_suppress
        lo = np.searchsorted(keys, target * _KEY + send + 1)
        hi = np.searchsorted(keys, target * _KEY + send + win + 1)
        nwin = hi - lo
        rows = np.repeat(lo, nwin) + np.arange(nwin.sum()) - np.repeat(np.cumsum(nwin) - nwin, nwin)
        who = np.repeat(np.arange(m), nwin)
        live_o = ~removed[rows]
        drop_all = live_o & o_nat[rows] & (uplift[target][who] == 3) & (rng.random(rows.size) < s.dog_suppress)
        drop = drop_all & test[who]
        removed[rows[drop]] = True
        # unsubscribes
        p_un = M["unsubscribe_base"][ch] * np.exp(M["unsubscribe_pressure"] * mm)
        p_un = np.where(uplift[target] == 3, p_un * M["dog_unsubscribe_multiplier"], p_un)
        un = test & (rng.random(m) < p_un)
        unsub[target[un]] = send + rng.integers(0, 4, un.sum())
        tt = target[test]
        hist[tt] = np.column_stack([np.full(tt.size, send), hist[tt, :-1]])
        contacts.append(pd.DataFrame({"campaign_id": s.campaign_id, "_cust": target, "_day": send,
                                      "group": np.where(test, "test", "témoin"),
                                      "contacted": test.astype(int), "unsubscribed": un.astype(int)}))
        truth[s.campaign_id] = {"n_targeted": int(m), "n_test": int(test.sum()),
                                "incremental_orders": int(inc.sum()), "suppressed_orders": int(drop.sum()),
                                "net_extra_orders_per_treated": round((int(inc.sum()) - int(drop.sum()))
                                                                      / max(int(test.sum()), 1), 4),
                                "mean_p_incremental_treated": round(float(p_inc[test].mean()) if test.any()
                                                                    else 0.0, 5)}
        if prog == "pressure":
            for k_cell in pt["cells"]:
                sel = cell[target] == k_cell
                pt_sum[k_cell][0] += float(np.where(alive, p_inc, 0.0)[sel].sum())
                pt_sum[k_cell][1] += int(sel.sum())
                pt_sum[k_cell][2] += int(un[sel].sum())
        if prog == "uplift":
            y0w = np.bincount(who[live_o], minlength=m) > 0
            lost = np.bincount(who[drop_all], minlength=m)
            kept = np.bincount(who[live_o], minlength=m) - lost
            y1w = (kept > 0) | inc_all
            uplift_truth = pd.DataFrame({"_cust": target, "group": np.where(test, "test", "témoin"),
                                         "p_incremental": np.round(np.where(alive, p_inc, 0.0), 4),
                                         "y0": y0w.astype(int), "y1": y1w.astype(int)})
    kept = np.ones(len(orders), dtype=bool)
    kept[order[removed]] = False
    out = pd.concat([orders[kept]] + new_orders, ignore_index=True)
    out["is_join"] = out["is_join"].fillna(False).astype(bool)
    out["round"] = out["round"].fillna(-1).astype(int)
    out["campaign_id"] = out["campaign_id"].fillna("")
    cells = pd.DataFrame({"_cust": np.flatnonzero(cell >= 0), "emails_per_month": cell[cell >= 0]})
    summary = {
        "fatigue": "p_incremental = tau x h(x) x exp(-fatigue_per_contact x m), m = marketing contacts in the "
                   "previous 28 days; unsubscribe = unsubscribe_base[channel] x exp(unsubscribe_pressure x m)",
        "fatigue_per_contact": M["fatigue_per_contact"], "unsubscribe_pressure": M["unsubscribe_pressure"],
        "pressure_test_cells": {str(k): {"n_customers": int((cell == k).sum()), "n_contacts": v[1],
                                         "expected_incremental_orders_per_contact": round(v[0] / max(v[1], 1), 5),
                                         "unsubscribes": v[2]} for k, v in pt_sum.items()},
        "uplift_test": {"n_test": int((uplift_truth["group"] == "test").sum()),
                        "n_control": int((uplift_truth["group"] == "témoin").sum()),
                        "true_ate": round(float((uplift_truth["y1"] - uplift_truth["y0"]).mean()), 5),
                        "by_type_mean_effect": {}},
    }
    ut_types = uplift[uplift_truth["_cust"].to_numpy()]
    for j, name in enumerate(["persuadable", "acquis", "perdu d'avance", "chien qui dort"]):
        sel = ut_types == j
        d = (uplift_truth["y1"] - uplift_truth["y0"]).to_numpy()[sel]
        summary["uplift_test"]["by_type_mean_effect"][name] = round(float(d.mean()) if sel.any() else 0.0, 5)
    return out, pd.concat(contacts, ignore_index=True), unsub, {
        "meta": sched, "per_campaign": truth, "pressure_cells": cells, "uplift_test": uplift_truth,
        "summary": summary}


def publish_tables(P: dict, meta: pd.DataFrame, contacts: pd.DataFrame, truth: dict, cid: np.ndarray) -> tuple:
    """The ``campaigns`` and ``pressure_test`` tables and the uplift test's ground truth."""
    n_t = contacts.groupby("campaign_id").size()
    camp = meta[["campaign_id", "name", "channel", "send_date", "objective", "offer", "cost_per_contact",
                 "control_share"]].copy()
    camp.insert(7, "n_targeted", camp["campaign_id"].map(n_t).fillna(0).astype(int))
    camp["programme"] = meta["programme"].map(PROGRAMME_LABELS).to_numpy()
    camp["response_days"] = meta["response_days"].astype(int).to_numpy()
    camp["control_share"] = camp["control_share"].round(3)
    camp["cost_per_contact"] = camp["cost_per_contact"].round(2)
    cells = truth["pressure_cells"]
    pt = pd.DataFrame({"customer_id": cid[cells["_cust"].to_numpy()],
                       "emails_per_month": cells["emails_per_month"].to_numpy()})
    ut = truth["uplift_test"]
    types = np.array(["persuadable", "acquis", "perdu d'avance", "chien qui dort"], dtype=object)
    utt = pd.DataFrame({"customer_id": cid[ut["_cust"].to_numpy()], "group": ut["group"].to_numpy(),
                        "p_incremental": ut["p_incremental"].to_numpy(), "y0": ut["y0"].to_numpy(),
                        "y1": ut["y1"].to_numpy(), "individual_effect": (ut["y1"] - ut["y0"]).to_numpy()})
    return camp.reset_index(drop=True), pt, {"uplift_test_truth": utt}


def contact_responses(contacts: pd.DataFrame, meta: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """``responded``, ``response_amount`` and ``response_margin`` of each contact row: the orders of the
    customer in ``send_date`` < day ≤ ``send_date`` + ``response_days`` (vectorised with cumulative sums)."""
    oc, od = orders["_cust"].to_numpy(), orders["day"].to_numpy()
    order = np.lexsort((od, oc))
    keys = oc[order] * _KEY + od[order]
    amt = np.concatenate([[0.0], np.cumsum(orders["amount"].to_numpy()[order])])
    mar = np.concatenate([[0.0], np.cumsum(orders["gross_margin"].to_numpy()[order])])
    win = contacts["campaign_id"].map(meta.set_index("campaign_id")["response_days"]).to_numpy()
    base = contacts["_cust"].to_numpy() * _KEY + contacts["_day"].to_numpy()
    lo = np.searchsorted(keys, base + 1)
    hi = np.searchsorted(keys, base + win + 1)
    return pd.DataFrame({"responded": (hi > lo).astype(int), "response_amount": np.round(amt[hi] - amt[lo], 2),
                         "response_margin": np.round(mar[hi] - mar[lo], 2)}, index=contacts.index)
