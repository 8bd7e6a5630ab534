"""Survey and complaints: incidents on orders and their handling, the satisfaction and needs survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (DAYS, N_DAYS, REASONS_DELIVERY, REASONS_STORE, RESOLUTIONS, day_index, fmt_date, sigmoid)


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
DRIVERS = ["satisfaction", "attitude", "switching_costs", "trust"]


def _truncate(orders: pd.DataFrame, comp: pd.DataFrame, last_day: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop each customer's orders (and complaints) after ``last_day`` (inf: keep all)."""
    orders = orders[orders["day"].to_numpy() <= last_day[orders["_cust"].to_numpy()]].reset_index(drop=True)
    keep = comp["_order_key"].isin(orders["_key"]) & (comp["_day"].to_numpy() <= last_day[comp["_cust"].to_numpy()])
    return orders, comp[keep].reset_index(drop=True)


def _depart(orders, comp, death_day, join_day, trunc_new, trunc):
    """Apply provoked departures: truncate orders, move the true death and cancel later loyalty joins."""
    orders, comp = _truncate(orders, comp, trunc_new)
    trunc = np.minimum(trunc, trunc_new)
    death_day = np.minimum(death_day, trunc)
    join_day = np.where((join_day >= 0) & (join_day > trunc), -1, join_day)
    return orders, comp, death_day, join_day, trunc


def complaint_departures(rng: np.random.Generator, P: dict, orders: pd.DataFrame, death_day: np.ndarray,
                         join_day: np.ndarray) -> tuple:
    """Complaints on orders; a badly handled one makes the customer leave with a known probability."""
    n = len(death_day)
    comp = make_complaints(rng, P, orders)
    comp["_order_key"] = orders["_key"].to_numpy()[comp["_order_row"].to_numpy()]
    bad = (comp["resolution"] != RESOLUTIONS[0]).to_numpy()
    leave = bad & (rng.random(len(comp)) < P["complaint_effects"]["bad_handling_dropout_prob"])
    trunc = np.full(n, np.inf)
    np.minimum.at(trunc, comp["_cust"].to_numpy()[leave], comp["_day"].to_numpy()[leave])
    return _depart(orders, comp, death_day, join_day, trunc, np.full(n, np.inf))


def recovery_orders(rng: np.random.Generator, P: dict, orders: pd.DataFrame, comp: pd.DataFrame,
                    death_day: np.ndarray, trunc: np.ndarray) -> pd.DataFrame:
    """Well-handled complaints sometimes bring an extra order 10–90 days later (mild recovery paradox)."""
    good = comp[(comp["resolution"] == RESOLUTIONS[0]).to_numpy()]
    gc = good["_cust"].to_numpy()
    rec_day = good["_day"].to_numpy() + rng.integers(10, 91, len(good))
    rec = (rng.random(len(good)) < P["complaint_effects"]["recovery_order_prob"]) & (rec_day < N_DAYS) \
        & (death_day[gc] > rec_day) & ~np.isfinite(trunc[gc])
    rec_orders = pd.DataFrame({"_cust": gc[rec], "day": rec_day[rec], "round": -1, "is_join": False,
                               "kind": "récupération", "campaign_id": ""})
    return pd.concat([orders, rec_orders], ignore_index=True)


def _std(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def survey_departures(rng: np.random.Generator, P: dict, c: pd.DataFrame, orders: pd.DataFrame,
                      comp: pd.DataFrame, death_day: np.ndarray, join_day: np.ndarray, trunc: np.ndarray) -> tuple:
    """The autumn-2024 survey: invitations, latent constructs, response, and the departures they drive.

    Invited: a random share of the customers acquired at least 30 days before their
    invitation day who bought in the 365 days before it (what a company can see; some of
    them have already silently left). Four latent constructs, standardised over the
    invited: satisfaction (engagement, a badly handled complaint), trust (mostly
    satisfaction), attitude (partly satisfaction), switching costs (loyalty
    membership, engagement). Each invited customer — respondent or not — leaves
    (later orders dropped) with probability ``sigmoid(b0 + Σ w_k · construct_k)``
    between 15 and 240 days after the invitation: the true driver weights ``w`` are in
    ``P["survey_effects"]``. Response probability rises with satisfaction and
    engagement (non-response bias). Items are drawn in ``make_survey``.
    """
    se = P["survey_effects"]
    n = len(c)
    sday = rng.integers(day_index("2024-09-16"), day_index("2024-11-29") + 1, n)
    last = np.full(n, -10**6)
    before = orders["day"].to_numpy() < sday[orders["_cust"].to_numpy()]
    np.maximum.at(last, orders["_cust"].to_numpy()[before], orders["day"].to_numpy()[before])
    elig = np.flatnonzero((c["_acq_day"].to_numpy() < sday - 30) & (sday - last <= 365))
    pick = np.sort(rng.choice(elig, int(round(se["invite_share"] * elig.size)), replace=False))
    m = pick.size
    bad = comp[comp["resolution"] != RESOLUTIONS[0]]
    first_bad = np.full(n, 10**6)
    np.minimum.at(first_bad, bad["_cust"].to_numpy(), bad["_day"].to_numpy())
    had_bad = (first_bad[pick] < sday[pick]).astype(float)
    eng = c["_engagement"].to_numpy()[pick]
    member = (join_day[pick] >= 0) & (join_day[pick] <= sday[pick])
    sat = _std(0.5 * eng - 1.2 * had_bad + rng.normal(0, 0.85, m))
    trust = _std(0.75 * sat + rng.normal(0, 0.65, m))
    att = _std(0.6 * sat + rng.normal(0, 0.8, m))
    switch = _std(0.3 * member + 0.2 * eng + rng.normal(0, 0.9, m))
    X = np.column_stack([sat, att, switch, trust])
    w = np.array([se["driver_weights"][k] for k in DRIVERS])
    p_leave = sigmoid(se["leave_intercept"] + X @ w)
    leave = rng.random(m) < p_leave
    lo, hi = se["leave_delay_days"]
    leave_day = sday[pick] + rng.integers(lo, hi + 1, m)
    trunc_sv = np.full(n, np.inf)
    trunc_sv[pick[leave]] = np.minimum(leave_day[leave], N_DAYS - 1)
    r = se["response"]
    respond = rng.random(m) < sigmoid(r["intercept"] + r["slope_satisfaction"] * sat + r["slope_engagement"] * eng)
    delay = rng.integers(0, 11, m)
    sv = pd.DataFrame({"_cust": pick, "_invite_day": sday[pick], "_day": np.minimum(sday[pick] + delay, N_DAYS - 1),
                       "_z": sat, "_trust": trust, "_attitude": att, "_switching": switch, "_member": member,
                       "_responded": respond, "_p_leave": p_leave, "_left": leave & (leave_day < N_DAYS),
                       "_had_bad": had_bad.astype(bool)})
    out = _depart(orders, comp, death_day, join_day, trunc_sv, trunc)
    return (*out, sv)


def make_survey(rng: np.random.Generator, P: dict, T: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items of the autumn-2024 survey: the respondents' answers and the truth on every invited customer.

    Items are drawn for every invited customer (what each would have answered); only
    respondents' answers are published. Returns ``(survey, survey_truth)``.
    """
    c = T["_c"]
    sv = T["_survey_sample"]
    pick = sv["_cust"].to_numpy()
    m = pick.size
    sat_l, att_l, sw_l, tr_l = (sv[k].to_numpy() for k in ["_z", "_attitude", "_switching", "_trust"])
    seg = c["_segment"].to_numpy()[pick]
    member = sv["_member"].to_numpy()
    sat = np.clip(np.round(7.0 + 1.6 * sat_l + rng.normal(0, 0.7, m)), 0, 10).astype(int)
    rec = np.clip(np.round(6.6 + 1.3 * sat_l + 0.9 * att_l + rng.normal(0, 1.1, m)), 0, 10).astype(int)
    df = pd.DataFrame({
        "customer_id": c["customer_id"].to_numpy()[pick],
        "survey_date": fmt_date(DAYS[sv["_day"].to_numpy()]).to_numpy(),
        "satisfaction": sat, "recommend": rec,
        "attitude": _likert(rng, 4.6 + 1.1 * att_l, 0.6, 1, 7),
        "trust": _likert(rng, 4.8 + 1.0 * tr_l, 0.6, 1, 7),
        "switching_costs": _likert(rng, 3.6 + 1.2 * sw_l, 0.6, 1, 7),
    })
    spec = _likert(rng, SPECIFIC_PROFILE[seg], 0.75, 1, 5)
    civ = _likert(rng, CIVILE_PROFILE[seg], 0.75, 1, 5)
    for j, col in enumerate(SPECIFIC):
        df[col] = spec[:, j]
    for j, col in enumerate(CIVILE):
        df[col] = civ[:, j]
    base = np.column_stack([3.6 + 0.6 * (seg == 0), 3.0 + 0.3 * sat_l, 2.4 + 0.9 * (seg == 1)])
    ben = _likert(rng, base, 0.8, 1, 5).astype(float)
    for j, col in enumerate(["benefit_functional", "benefit_hedonic", "benefit_symbolic"]):
        df[col] = pd.array(np.where(member, ben[:, j], np.nan)).astype("Int64")
    resp = sv["_responded"].to_numpy()
    truth = pd.DataFrame({
        "customer_id": df["customer_id"].to_numpy(),
        "invitation_date": fmt_date(DAYS[sv["_invite_day"].to_numpy()]).to_numpy(),
        "responded": resp.astype(int),
        "satisfaction_latent": np.round(sat_l, 3), "attitude_latent": np.round(att_l, 3),
        "switching_costs_latent": np.round(sw_l, 3), "trust_latent": np.round(tr_l, 3),
        "satisfaction_answer": sat,
        "leave_prob": np.round(sv["_p_leave"].to_numpy(), 4),
        "left_after_survey": sv["_left"].to_numpy().astype(int),
    })
    return df[resp].reset_index(drop=True), truth
