"""Customers and their purchases: the core of the generative model (private).

See ``crmlab.generator`` for the model. Functions here take random generators and
the parameter dict ``P`` and return plain numpy arrays / DataFrames; the writing
and formatting happen in ``crmlab.generator``. All loops run over purchase
rounds, campaigns or categories, never over customers or orders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._gen_base import (CATEGORIES, CATEGORY_SEASON, CITIES, DAYS, MARGIN_RATE, N_DAYS, PRODUCTS,
                        START, YEAR_DAYS, ascii_slug, choice_rows, ids, phone_numbers, season_profile,
                        sigmoid)

CHANNELS = ["magasin", "site web", "application", "téléphone"]
DELIVERY = ["retrait magasin", "livraison domicile", "point relais"]
ACQ_CHANNELS = ["magasin", "site web", "application", "parrainage", "marketplace"]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
SEGMENTS = ["économes", "esthètes", "pragmatiques", "engagés"]
UPLIFT_TYPES = ["persuadable", "acquis", "perdu d'avance", "chien qui dort"]
EMAIL_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr",
                 "outlook.fr", "yahoo.fr", "wanadoo.fr", "icloud.com"]
# category preference by needs segment (rows: SEGMENTS, columns: CATEGORIES)
SEGMENT_CATEGORY = np.array([
    [1.2, 1.2, 1.0, 0.6, 1.0, 1.0, 1.0],
    [1.0, 0.9, 0.7, 2.0, 1.6, 0.8, 0.5],
    [1.0, 1.0, 1.3, 0.6, 0.7, 0.9, 2.0],
    [1.0, 1.1, 1.8, 0.9, 0.9, 1.0, 0.8],
])


class Calendar:
    """Seasonal time warp: operational time (years) ↔ calendar day index."""

    def __init__(self) -> None:
        self.s = season_profile(DAYS)
        self.cum = np.concatenate([[0.0], np.cumsum(self.s) / YEAR_DAYS])

    def op(self, day: np.ndarray, frac: np.ndarray | float = 0.0) -> np.ndarray:
        """Operational time of a point ``frac`` of the way into calendar day ``day``."""
        day = np.asarray(day)
        return self.cum[day] + frac * self.s[day] / YEAR_DAYS

    def day(self, u: np.ndarray) -> np.ndarray:
        """Calendar day index (may be ``N_DAYS`` or more when beyond the window) of op time ``u``."""
        return np.searchsorted(self.cum, u, side="right") - 1


def day_index(date: str) -> int:
    """Index of an ISO date in the window."""
    return (pd.Timestamp(date) - START).days


# --------------------------------------------------------------------------- stores
def make_stores(rng: np.random.Generator) -> pd.DataFrame:
    """Verdane's stores (one row per store)."""
    rows = []
    suffixes = ["Centre", "Nord", "Sud"]
    for city, postcode, region, _, n in CITIES:
        for k in range(n):
            name = f"Verdane {city}" + (f" {suffixes[k]}" if n > 1 else "")
            rows.append((name, city, region))
    df = pd.DataFrame(rows, columns=["store_name", "city", "region"])
    df.insert(0, "store_id", ids("S", len(df), 2))
    opening = pd.Timestamp("2006-01-01") + pd.to_timedelta(rng.integers(0, 16 * 365, len(df)), unit="D")
    df["opening_date"] = opening
    df["surface_m2"] = (rng.integers(18, 46, len(df)) * 100).astype(int)
    return df


# ------------------------------------------------------------------------- customers
def random_store_in_region(rng: np.random.Generator, regions: np.ndarray, stores: pd.DataFrame) -> np.ndarray:
    """A store drawn uniformly among the stores of each row's region."""
    groups = stores.groupby("region", sort=True)["store_id"].agg(list)
    width = max(len(v) for v in groups)
    mat = np.array([(v * width)[:width] for v in groups], dtype=object)
    cnt = groups.map(len).to_numpy()
    code = pd.Index(groups.index).get_indexer(regions)
    idx = np.floor(rng.random(len(regions)) * cnt[code]).astype(int)
    return mat[code, idx]


def make_customers(rng: np.random.Generator, P: dict, cal: Calendar, stores: pd.DataFrame,
                   names: dict) -> pd.DataFrame:
    """Customers with their latent traits (columns starting with ``_`` are not published)."""
    n = P["n_customers"]
    growth = 1.0 + P["acquisition_growth"] * np.arange(N_DAYS) / N_DAYS
    w = cal.s * growth
    acq_day = np.sort(rng.choice(N_DAYS, size=n, p=w / w.sum()))
    bg, gg = P["bgnbd"], P["gamma_gamma"]
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha_years"], n)
    p_drop = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)
    z = (np.log(lam) - np.log(lam).mean()) / np.log(lam).std()
    engagement = 0.6 * z + 0.8 * rng.standard_normal(n)

    c = pd.DataFrame({"customer_id": ids("C", n, 6)})
    gender = np.where(rng.random(n) < 0.56, "F", "M")
    fem = gender == "F"
    first = np.where(fem, rng.choice(names["female"], n), rng.choice(names["male"], n))
    last = rng.choice(names["last"], n)
    c["first_name"], c["last_name"] = first, last
    # e-mail: first.last or initial+last, plus digits when needed, one domain
    slug_first = np.array([ascii_slug(x) for x in first], dtype=object)
    slug_last = np.array([ascii_slug(x).replace("-", "") for x in last], dtype=object)
    style = rng.integers(0, 3, n)
    digits = rng.integers(1, 99, n)
    local = np.where(style == 0, slug_first + "." + slug_last,
                     np.where(style == 1, np.array([f[0] for f in slug_first], dtype=object) + slug_last,
                              slug_first + "." + slug_last + digits.astype(str)))
    domain = rng.choice(EMAIL_DOMAINS, n, p=[0.34, 0.16, 0.1, 0.07, 0.1, 0.05, 0.07, 0.04, 0.04, 0.03])
    email = pd.Series(local + "@" + domain)
    dup = email.duplicated().to_numpy()
    while dup.any():  # a few rounds: add three digits to the later duplicates
        email[dup] = local[dup] + rng.integers(100, 1000, dup.sum()).astype(str) + "@" + domain[dup]
        dup = email.duplicated().to_numpy()
    c["email"] = email.to_numpy()
    c["phone"] = phone_numbers(rng, n)

    city_w = np.array([ci[3] for ci in CITIES], dtype=float)
    city_idx = rng.choice(len(CITIES), n, p=city_w / city_w.sum())
    c["postcode"] = [CITIES[i][1] for i in city_idx]
    c["city"] = [CITIES[i][0] for i in city_idx]
    c["region"] = [CITIES[i][2] for i in city_idx]
    c["gender"] = gender
    age = rng.choice(len(AGE_BANDS), n, p=[0.08, 0.17, 0.21, 0.2, 0.18, 0.16])
    c["age_band"] = np.array(AGE_BANDS)[age]
    low = np.array([18, 25, 35, 45, 55, 65])[age]
    high = np.array([24, 34, 44, 54, 64, 85])[age]
    age_years = low + rng.random(n) * (high - low + 1)
    c["_birth_date"] = pd.Timestamp("2024-01-01") - pd.to_timedelta(np.floor(age_years * YEAR_DAYS), unit="D")
    c["acquisition_date"] = DAYS[acq_day]
    c["_acq_day"] = acq_day
    # acquisition channel: app grows over time, seniors rarely by app
    t = acq_day / N_DAYS
    logits = np.column_stack([np.full(n, 1.2) - 0.4 * t, np.full(n, 0.75), -0.4 + 0.8 * t - 1.2 * (age >= 4),
                              np.full(n, -0.3), np.full(n, -0.5)])
    acq = choice_rows(rng, np.exp(logits))
    c["acquisition_channel"] = np.array(ACQ_CHANNELS)[acq]
    cost_mean = np.array([P["acquisition_cost"][k] for k in ACQ_CHANNELS])[acq]
    c["acquisition_cost"] = np.round(cost_mean * rng.lognormal(-0.045, 0.3, n), 2)
    # home store: a store of the same city, else a random store of the region
    st_city = stores.groupby("city")["store_id"].first()
    in_region = random_store_in_region(rng, c["region"].to_numpy(), stores)
    c["home_store_id"] = c["city"].map(st_city).fillna(pd.Series(in_region, index=c.index)).to_numpy()
    c["consent_email"] = (rng.random(n) < sigmoid(0.9 + 0.5 * engagement)).astype(int)
    c["consent_sms"] = (rng.random(n) < sigmoid(-0.5 + 0.4 * engagement)).astype(int)
    c["consent_post"] = (rng.random(n) < sigmoid(-0.2 + 0.3 * engagement + 0.6 * (age >= 4))).astype(int)
    # latent traits
    c["_lambda"], c["_p"], c["_nu"], c["_engagement"] = lam, p_drop, nu, engagement
    c["_age"] = age
    # a store acquisition cannot happen on a Sunday (stores closed): move it to Saturday
    sunday = (DAYS[acq_day].day_of_week.to_numpy() == 6) & (acq == 0)
    acq_day = np.where(sunday, np.where(acq_day > 0, acq_day - 1, acq_day + 6), acq_day)
    c["acquisition_date"] = DAYS[acq_day]
    c["_acq_day"] = acq_day
    seg_p = np.array(P["needs_segment_shares"])
    c["_segment"] = rng.choice(len(SEGMENTS), n, p=seg_p)
    up = np.array(P["uplift_shares"])[None, :] * np.exp(np.column_stack(
        [np.zeros(n), 0.6 * z, -0.6 * z, np.zeros(n)]))
    c["_uplift"] = choice_rows(rng, up)
    deal = rng.beta(1.0, 6.0, n)
    c["_deal"] = np.where(c["_segment"] == 0, np.minimum(deal * 2.5, 0.9), deal)
    c["_returner"] = rng.normal(0, 1.3, n)
    c["_needy"] = np.minimum(rng.gamma(0.8, 1 / 0.8, n), 5.0)
    dlog = np.column_stack([np.full(n, 0.2), np.full(n, 0.7), np.zeros(n)]) + rng.normal(0, 1.0, (n, 3))
    c["_deliv_logits"] = list(dlog)  # kept as rows of a 2-D array below
    base = {0: [2.3, 0.4, -0.3, -1.4], 1: [0.2, 2.0, 0.5, -1.6], 2: [-0.2, 0.7, 2.3, -2.2],
            3: [1.3, 1.0, 0.5, -1.4], 4: [-0.3, 2.0, 0.2, -1.8]}
    chl = np.array([base[k] for k in acq]) + rng.normal(0, 0.7, (n, 4))
    chl[:, 3] += 1.3 * (age == 5)
    chl[:, 2] += np.select([age <= 1, age >= 4], [0.8, -1.5], 0.0)
    c["_chan_logits"] = list(chl)
    c = c.iloc[np.argsort(acq_day, kind="stable")].reset_index(drop=True)  # ids in acquisition order
    c["customer_id"] = ids("C", n, 6)
    return c


# ------------------------------------------------------------------ BG/NBD purchases
def simulate_purchases(rng: np.random.Generator, P: dict, cal: Calendar, c: pd.DataFrame) -> tuple:
    """BG/NBD story in operational time, vectorised over customers, looping over purchase rounds.

    Returns the purchases ``(customer index, op time, round)`` up to a horizon long
    enough for the loyalty acceleration, and each customer's op time of death
    (``inf`` if the customer never drops out within the horizon).
    """
    n = len(c)
    lam, p = c["_lambda"].to_numpy(), c["_p"].to_numpy()
    acq_day = c["_acq_day"].to_numpy()
    u = cal.op(acq_day, rng.random(n))
    launch = day_index(P["loyalty"]["launch_date"])
    eff = P["loyalty"]["true_effect"]
    horizon = cal.cum[-1] + eff * (cal.cum[-1] - cal.cum[launch]) + 1e-6
    cust, times, rounds = [np.arange(n)], [u.copy()], [np.zeros(n, dtype=int)]
    death = np.full(n, np.inf)
    active = np.arange(n)
    k = 0
    while active.size:
        k += 1
        u_new = u[active] + rng.exponential(1.0 / lam[active])
        keep = u_new <= horizon
        active, u_new = active[keep], u_new[keep]
        dies = rng.random(active.size) < p[active]
        cust.append(active)
        times.append(u_new)
        rounds.append(np.full(active.size, k))
        death[active[dies]] = u_new[dies]
        u[active] = u_new
        active = active[~dies]
    return np.concatenate(cust), np.concatenate(times), np.concatenate(rounds), death


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
REASONS_DELIVERY = ["retard de livraison", "produit défectueux", "erreur de commande", "remboursement", "facturation"]
REASONS_STORE = ["accueil en magasin", "produit défectueux", "remboursement", "facturation"]
RESOLUTIONS = ["résolue – satisfait", "résolue – insatisfait", "non résolue"]


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


# ---------------------------------------------------------------------- campaigns
CONSENT = {"e-mail": "consent_email", "SMS": "consent_sms", "courrier": "consent_post"}


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
def make_products(rng: np.random.Generator) -> pd.DataFrame:
    """Product catalogue with list prices and margin rates by category."""
    rows = [(cat, name, float(price)) for cat in CATEGORIES for name, price in PRODUCTS[cat]]
    df = pd.DataFrame(rows, columns=["category", "product_name", "list_price"])
    df.insert(0, "product_id", ids("PR", len(df), 3))
    base = df["category"].map(MARGIN_RATE).to_numpy()
    df["margin_rate"] = np.round(base + rng.uniform(-0.05, 0.05, len(df)), 3)
    return df[["product_id", "product_name", "category", "list_price", "margin_rate"]]


def make_lines(rng: np.random.Generator, orders: pd.DataFrame, c: pd.DataFrame,
               products: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Order lines summing to each order's pre-discount value (Gamma-Gamma draw).

    Returns the lines, the exact pre-discount value and the line margin of each order.
    """
    value = orders["_value"].to_numpy()
    n_lines = 1 + np.minimum(rng.poisson(value / 110.0), 7)
    order_row = np.repeat(np.arange(len(orders)), n_lines)
    starts = np.concatenate([[0], np.cumsum(n_lines)[:-1]])
    nl = len(order_row)
    g = rng.gamma(3.0, 1.0, nl)
    share = g / np.add.reduceat(g, starts)[order_row]
    target = value[order_row] * share
    month = orders["_month"].to_numpy()[order_row]
    seg = c["_segment"].to_numpy()[orders["_cust"].to_numpy()[order_row]]
    season = np.array([CATEGORY_SEASON[k] for k in CATEGORIES]).T  # (12, 7)
    cat = choice_rows(rng, SEGMENT_CATEGORY[seg] * season[month - 1])
    qty = 1 + rng.poisson(0.3, nl)
    jitter = rng.normal(0, 0.08, nl)
    prod_idx = np.zeros(nl, dtype=int)
    for j, name in enumerate(CATEGORIES):  # 7 categories
        sel = cat == j
        pc = products.index[products["category"] == name].to_numpy()
        prices = products["list_price"].to_numpy()[pc]
        order_p = np.argsort(prices)
        pc, lp = pc[order_p], np.log(prices[order_p])
        q = np.maximum(qty[sel], np.ceil(target[sel] / (prices.max() * 1.1)).astype(int))
        qty[sel] = q
        want = np.log(target[sel] / q) + jitter[sel]
        mid = (lp[1:] + lp[:-1]) / 2
        prod_idx[sel] = pc[np.searchsorted(mid, want)]
    unit = np.maximum(np.round(target / qty, 2), 0.5)
    line_amount = np.round(unit * qty, 2)
    mr = products["margin_rate"].to_numpy()[prod_idx]
    lines = pd.DataFrame({"_row": order_row, "line_no": np.arange(nl) - starts[order_row] + 1,
                          "product_id": products["product_id"].to_numpy()[prod_idx],
                          "category": np.array(CATEGORIES, dtype=object)[cat],
                          "quantity": qty, "unit_price": unit, "line_amount": line_amount})
    exact_value = np.round(np.bincount(order_row, weights=line_amount, minlength=len(orders)), 2)
    line_margin = np.bincount(order_row, weights=line_amount * mr, minlength=len(orders))
    return lines, exact_value, line_margin


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


ORDER_HOURS = {  # relative weight of each hour 0–23 by channel
    "magasin": [0] * 9 + [3, 6, 8, 6, 5, 6, 7, 8, 9, 7, 3] + [0] * 4,
    "site web": [1, 0.5, 0.2, 0.1, 0.1, 0.2, 0.6, 1.5, 2.5, 3, 3.2, 3.2, 3.5, 3.5, 3.2, 3.2, 3.3, 3.8, 4.5, 5.5, 6.5, 6, 4.5, 2.5],
    "application": [1.5, 0.8, 0.3, 0.1, 0.1, 0.3, 1, 2.2, 2.5, 2.5, 2.6, 2.8, 3.8, 3.5, 2.8, 2.8, 3, 3.5, 4.5, 5.8, 7, 7, 5.5, 3],
    "téléphone": [0] * 8 + [4, 6, 7, 6, 4, 4, 6, 6, 5, 4, 3, 2] + [0] * 4,
}


def order_times(rng: np.random.Generator, channel: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Datetime of each order: day + an hour drawn from the channel's daily profile."""
    secs = np.zeros(len(day))
    for ch, w in ORDER_HOURS.items():
        sel = channel == ch
        w = np.array(w, dtype=float)
        hour = rng.choice(24, sel.sum(), p=w / w.sum())
        secs[sel] = hour * 3600 + rng.integers(0, 3600, sel.sum())
    return (START + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs.astype(int), unit="s")).to_numpy()
