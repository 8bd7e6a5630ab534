"""Direct-marketing campaigns: targeting, random test/control split, true uplift types, responses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (CONSENT, N_DAYS, day_index)


def run_campaigns(rng: np.random.Generator, P: dict, c: pd.DataFrame, orders: pd.DataFrame,
                  join_day: np.ndarray, death_day: np.ndarray) -> tuple:
    """Targeting, random test/témoin split, true heterogeneous uplift and unsubscribes.

    ``orders`` has columns ``_cust``, ``day``, ``kind``; natural orders of sleeping
    dogs may be removed and incremental orders of persuadables are added.
    Returns (orders, contacts, unsubscribe day per customer, realised truth per campaign).
    """
    n = len(c)
    unsub = np.full(n, np.inf)
    acq_day = c["_acq_day"].to_numpy()
    uplift = c["_uplift"].to_numpy()
    last_contacts: list[tuple[int, np.ndarray]] = []
    contacts, truth, new_orders = [], {}, []
    removed_total = np.zeros(len(orders), dtype=bool)
    for k, camp in enumerate(P["campaigns"]):
        send = day_index(camp["send_date"])
        live = orders[~removed_total]
        past = live[live["day"] < send]
        last = np.full(n, -10_000)
        np.maximum.at(last, past["_cust"].to_numpy(), past["day"].to_numpy())
        count = np.bincount(past["_cust"].to_numpy(), minlength=n)
        since = send - last
        ok = (acq_day < send) & (unsub > send) & (c[CONSENT[camp["channel"]]].to_numpy() == 1)
        obj = camp["objective"]
        if obj == "réactivation":
            ok &= (since >= 120) & (since <= 720)
        elif obj == "fidélisation":
            ok &= (join_day >= 0) & (join_day < send)
        elif obj == "cross-sell":
            ok &= (count >= 2) & (since <= 365)
        else:
            ok &= since <= 540
        target = np.flatnonzero(ok)
        if target.size > camp["max_targets"]:
            target = np.sort(rng.choice(target, camp["max_targets"], replace=False))
        m = target.size
        test = rng.random(m) >= camp["control_share"]
        recent = np.zeros(m)
        for d0, who in last_contacts:
            if send - d0 <= 90:
                recent += np.isin(target, who)
        typ = uplift[target]
        # persuadables: one incremental order if treated (and still alive on that day)
        pers = test & (typ == 0) & (rng.random(m) < camp["persuade_prob"])
        inc_day = send + 1 + np.minimum(rng.geometric(0.12, m) - 1, 28)
        pers &= (inc_day < N_DAYS) & (death_day[target] > inc_day)
        new = pd.DataFrame({"_cust": target[pers], "day": inc_day[pers], "kind": "campagne",
                            "campaign_id": camp["campaign_id"]})
        new_orders.append(new)
        # sleeping dogs: treated ones lose natural orders of the 30 days and unsubscribe more
        dogs = target[test & (typ == 3)]
        win = ((live["day"] > send) & (live["day"] <= send + 30) & live["_cust"].isin(dogs)
               & (live["kind"] == "naturelle") & ~live["is_join"] & (live["round"] > 0))
        drop_idx = live.index[win.to_numpy() & (rng.random(len(live)) < camp["dog_suppress_prob"])]
        removed_total[orders.index.get_indexer(drop_idx)] = True
        base = P["unsubscribe_base"][camp["channel"]] * (1 + P["unsubscribe_pressure"] * recent)
        p_un = np.where(typ == 3, np.maximum(base, camp["dog_unsubscribe_prob"]), base)
        un = test & (rng.random(m) < p_un)
        unsub[target[un]] = send + rng.integers(0, 4, un.sum())
        last_contacts.append((send, target[test]))
        contacts.append(pd.DataFrame({"campaign_id": camp["campaign_id"], "_cust": target,
                                      "group": np.where(test, "test", "témoin"),
                                      "contacted": test.astype(int), "unsubscribed": un.astype(int)}))
        truth[camp["campaign_id"]] = {"n_targeted": int(m), "n_test": int(test.sum()),
                                      "incremental_orders": int(pers.sum()),
                                      "suppressed_orders": int(len(drop_idx)),
                                      "net_extra_orders_per_treated": round(
                                          (int(pers.sum()) - len(drop_idx)) / max(int(test.sum()), 1), 4),
                                      "persuade_prob": camp["persuade_prob"],
                                      "dog_suppress_prob": camp["dog_suppress_prob"]}
    kept = orders[~removed_total]
    out = pd.concat([kept] + new_orders, ignore_index=True)
    out["is_join"] = out["is_join"].fillna(False).astype(bool)
    out["round"] = out["round"].fillna(-1).astype(int)
    out["campaign_id"] = out["campaign_id"].fillna("")
    return out, pd.concat(contacts, ignore_index=True), unsub, truth


# --------------------------------------------------------------- values and lines
