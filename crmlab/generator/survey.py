"""Survey and complaints: incidents on orders and their handling, the satisfaction and needs survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (DAYS, N_DAYS, REASONS_DELIVERY, REASONS_STORE, RESOLUTIONS, day_index, fmt_date)


def make_complaints(rng: np.random.Generator, P: dict, orders: pd.DataFrame) -> pd.DataFrame:
    """Critical incidents on orders: reason, channel, handling time, resolution, compensation."""
    n = len(orders)
    home = (orders["delivery_mode"] == "livraison domicile").to_numpy()
    store = (orders["channel"] == "magasin").to_numpy()
    prob = P["complaint_rate"] * np.where(home, 2.0, np.where(store, 0.6, 1.2))
    hit = np.flatnonzero(rng.random(n) < prob)
    o = orders.iloc[hit]
    k = len(o)
    st = (o["channel"] == "magasin").to_numpy()
    r_del = rng.choice(REASONS_DELIVERY, k, p=[0.35, 0.25, 0.15, 0.1, 0.15])
    r_sto = rng.choice(REASONS_STORE, k, p=[0.35, 0.35, 0.15, 0.15])
    reason = np.where(st, r_sto, r_del)
    delay = np.where(reason == "retard de livraison", rng.integers(5, 16, k), rng.integers(1, 21, k))
    cday = np.minimum(o["day"].to_numpy() + delay, N_DAYS - 1)
    chan = np.where(st & (rng.random(k) < 0.5), "magasin",
                    rng.choice(["téléphone", "e-mail", "magasin", "réseaux sociaux"], k, p=[0.5, 0.32, 0.06, 0.12]))
    handling = 1 + rng.negative_binomial(2, 0.28, k)
    q = 1.6 - 0.13 * handling + rng.normal(0, 0.9, k)
    res = np.where(q > 0.3, 0, np.where(q > -0.7, 1, 2))
    comp = np.where((res < 2) & (rng.random(k) < 0.45), rng.choice([5, 10, 15, 20, 30], k), 0).astype(float)
    return pd.DataFrame({"_cust": o["_cust"].to_numpy(), "_order_row": hit, "_day": cday,
                         "reason": reason, "channel": chan, "handling_days": handling,
                         "resolution": np.array(RESOLUTIONS, dtype=object)[res], "compensation_eur": comp})



SPECIFIC = ["need_security", "need_performance", "need_environment", "need_consideration", "need_image",
            "need_finances", "need_innovation", "need_comfort"]
CIVILE = ["civ_consideration", "civ_integration", "civ_valorisation", "civ_individualisation", "civ_limits",
          "civ_expression"]
# mean answer (1–5) by needs segment: économes, esthètes, pragmatiques, engagés
SPECIFIC_PROFILE = np.array([
    [3.0, 3.0, 2.0, 2.4, 1.8, 4.6, 2.0, 3.0],
    [2.5, 3.0, 2.8, 3.0, 4.5, 2.0, 4.4, 3.5],
    [4.3, 4.4, 2.5, 2.6, 2.2, 3.0, 2.8, 4.2],
    [3.0, 2.8, 4.6, 4.4, 2.6, 2.6, 3.0, 3.0],
])
CIVILE_PROFILE = np.array([
    [2.5, 2.5, 2.0, 2.5, 3.8, 2.2],
    [3.0, 3.5, 4.4, 4.0, 2.5, 4.0],
    [2.6, 2.5, 2.5, 2.6, 3.8, 2.4],
    [4.5, 4.2, 3.0, 3.2, 3.0, 4.3],
])


def _likert(rng: np.random.Generator, mean: np.ndarray, sd: float, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.round(mean + rng.normal(0, sd, mean.shape)), lo, hi).astype(int)


# ------------------------------------------------------------------------ survey
def survey_sample(rng: np.random.Generator, c: pd.DataFrame, death: np.ndarray, join: np.ndarray,
                  comp: pd.DataFrame) -> pd.DataFrame:
    """Respondents of the autumn-2024 survey and their latent satisfaction ``z``.

    ``z`` rises with engagement and falls after a badly handled complaint; the
    generator then makes dissatisfied respondents more likely to leave (see ``simulate``).
    """
    n = len(c)
    sday = rng.integers(day_index("2024-09-16"), day_index("2024-11-29") + 1, n)
    elig = np.flatnonzero((c["_acq_day"].to_numpy() < sday - 30) & (death > sday))
    pick = np.sort(rng.choice(elig, min(3000, elig.size), replace=False))
    bad = comp[comp["resolution"] != RESOLUTIONS[0]]
    first_bad = np.full(n, 10**6)
    np.minimum.at(first_bad, bad["_cust"].to_numpy(), bad["_day"].to_numpy())
    had_bad = (first_bad[pick] < sday[pick]).astype(float)
    eng = c["_engagement"].to_numpy()[pick]
    z = 0.45 * eng - 1.2 * had_bad + rng.normal(0, 0.8, pick.size)
    return pd.DataFrame({"_cust": pick, "_day": sday[pick], "_z": z,
                         "_member": (join[pick] >= 0) & (join[pick] <= sday[pick])})


def make_survey(rng: np.random.Generator, P: dict, T: dict) -> pd.DataFrame:
    """Satisfaction and needs survey of autumn 2024 (3,000 customers)."""
    c = T["_c"]
    sv = T["_survey_sample"]
    pick, sday, z = sv["_cust"].to_numpy(), sv["_day"].to_numpy(), sv["_z"].to_numpy()
    m = pick.size
    seg = c["_segment"].to_numpy()[pick]
    eng = c["_engagement"].to_numpy()[pick]
    member = sv["_member"].to_numpy()
    sat = np.clip(np.round(7.5 + 1.5 * z), 0, 10).astype(int)
    rec = np.clip(np.round(sat + 0.3 + rng.normal(0, 1.2, m)), 0, 10).astype(int)
    df = pd.DataFrame({
        "customer_id": c["customer_id"].to_numpy()[pick],
        "survey_date": fmt_date(DAYS[sday]).to_numpy(),
        "satisfaction": sat, "recommend": rec,
        "attitude": _likert(rng, 4.4 + 0.7 * z + 0.3 * eng, 0.8, 1, 7),
        "trust": _likert(rng, 4.6 + 0.6 * z, 0.9, 1, 7),
        "switching_costs": _likert(rng, 3.2 + 0.9 * member + 0.3 * eng, 1.1, 1, 7),
    })
    spec = _likert(rng, SPECIFIC_PROFILE[seg], 0.75, 1, 5)
    civ = _likert(rng, CIVILE_PROFILE[seg], 0.75, 1, 5)
    for j, col in enumerate(SPECIFIC):
        df[col] = spec[:, j]
    for j, col in enumerate(CIVILE):
        df[col] = civ[:, j]
    base = np.column_stack([3.6 + 0.6 * (seg == 0), 3.0 + 0.3 * z, 2.4 + 0.9 * (seg == 1)])
    ben = _likert(rng, base, 0.8, 1, 5).astype(float)
    ben[~member] = np.nan
    for j, col in enumerate(["benefit_functional", "benefit_hedonic", "benefit_symbolic"]):
        df[col] = pd.array(np.where(member, ben[:, j], np.nan)).astype("Int64")
    return df


# ------------------------------------------------------------------------ events
