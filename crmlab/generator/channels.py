"""Channels: each order's channel, store and delivery mode (preferences drifting with tenure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (CHANNELS, DAYS, DELIVERY, N_DAYS, YEAR_DAYS, choice_rows)
from .customers import (random_store_in_region)


def assign_channels(rng: np.random.Generator, c: pd.DataFrame, stores: pd.DataFrame,
                    cust: np.ndarray, day: np.ndarray, first: np.ndarray | None = None) -> pd.DataFrame:
    """Channel, store and delivery mode of each order (preference drifting to web/app with tenure).

    The ``first`` (acquisition) orders take the channel of acquisition (a marketplace
    customer's first order is counted as a web order; a referral follows the preference).
    """
    n = len(cust)
    chl = np.stack(c["_chan_logits"].to_numpy())[cust]
    tenure = (day - c["_acq_day"].to_numpy()[cust]) / YEAR_DAYS
    chl = chl + tenure[:, None] * np.array([-0.25, 0.3, 0.5, 0.0]) + (day / N_DAYS)[:, None] * np.array([0, 0, 0.6, 0])
    probs = np.exp(chl)
    sunday = DAYS[np.minimum(day, N_DAYS - 1)].day_of_week.to_numpy() == 6
    probs[sunday, 0] = 0.0
    probs[sunday, 3] = 0.0
    ch = choice_rows(rng, probs)
    if first is not None:
        acq_ch = c["acquisition_channel"].map({"magasin": 0, "site web": 1, "application": 2,
                                               "marketplace": 1}).to_numpy()[cust]
        forced = first & ~np.isnan(acq_ch)
        ch[forced] = acq_ch[forced].astype(int)
    home = c["home_store_id"].to_numpy()[cust]
    other = random_store_in_region(rng, c["region"].to_numpy()[cust], stores)
    store = np.where(rng.random(n) < 0.88, home, other)
    store = np.where(ch == 0, store, "")
    dl = np.stack(c["_deliv_logits"].to_numpy())[cust]
    dv = choice_rows(rng, np.exp(dl))
    delivery = np.where(ch == 0, "", np.array(DELIVERY, dtype=object)[dv])
    return pd.DataFrame({"channel": np.array(CHANNELS, dtype=object)[ch], "store_id": store,
                         "delivery_mode": delivery})


# ---------------------------------------------------------------------- complaints
