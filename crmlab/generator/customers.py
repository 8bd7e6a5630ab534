"""Customers and purchases: stores, customers, the purchase process, products, order lines and times.

The purchase process (v2) is a **shifted BG/NBD** in each customer's own clock:

- traits: ``λ_i ~ Gamma(r, α)`` and ``p_i ~ Beta(a, b)``, then multiplied by the
  acquisition channel's effect (``λ × rate multiplier``, dropout odds ``p/(1-p) ×
  odds multiplier``) and, for the professional / project buyers, by their own factors;
- the drop-out coin is tossed after **every** purchase, the first one included: a
  customer can be lost before any repeat purchase (one-and-done);
- relationship trend: a share of customers buy more and more often with tenure
  (``λ(τ) = λ min(e^{g τ}, M)``, « croissance »), a share less and less (``λ(τ) = λ e^{-d τ}``,
  « déclin »), the rest at a constant rate (« stable »). Purchases are drawn at rate
  ``λ`` on the warped clock ``w(τ) = ∫ λ(s)/λ ds`` and mapped back to tenure ``τ``;
- spend: Gamma-Gamma (``ν_i ~ Gamma(q, γ)``, value ~ ``Gamma(p, ν_i)``), except the
  professionals, whose mean basket rises with their purchase rate
  (``mean = ref × (λ / λ_ref)^elasticity``); growing relationships also spend a little
  more per order and spread to new categories with tenure.

See ``crmlab.generator`` for the rest of the model. Functions take random generators and the
parameter dict ``P`` and return numpy arrays / DataFrames; all loops run over purchase
rounds or categories, never over customers or orders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (ACQ_CHANNELS, AGE_BANDS, CATEGORIES, CATEGORY_SEASON, CITIES, Calendar, DAYS, EMAIL_DOMAINS, MARGIN_RATE, N_DAYS, ORDER_HOURS, PRODUCTS, SEGMENTS, SEGMENT_CATEGORY, START, YEAR_DAYS, ascii_slug, choice_rows, day_index, ids, phone_numbers, sigmoid)


TREND_CLASSES = ["croissance", "stable", "déclin"]


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
    bg, gg, pu = P["bgnbd"], P["gamma_gamma"], P["purchases"]
    lam0 = rng.gamma(bg["r"], 1.0 / bg["alpha_years"], n)
    p0 = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)
    eng_noise = rng.standard_normal(n)
    pro = rng.random(n) < pu["pro_share"]
    trend_cls = rng.choice(len(TREND_CLASSES), n, p=[pu["trend_shares"][k] for k in TREND_CLASSES])
    trend_u = rng.random(n)
    pro_noise = rng.lognormal(0.0, pu["pro_spend_sd_log"], n)

    c = pd.DataFrame({"customer_id": ids("C", n, 6)})
    gender = np.where(rng.random(n) < 0.56, "F", "M")
    fem = gender == "F"
    first = np.where(fem, rng.choice(names["female"], n), rng.choice(names["male"], n))
    last = rng.choice(names["last"], n)
    c["first_name"], c["last_name"] = first, last
    # e-mail: first.last or initial+last, plus digits when needed, one domain
    # slugs computed once per distinct name (a loop over the name pools, not over customers)
    uf, inv_f = np.unique(first, return_inverse=True)
    ul, inv_l = np.unique(last, return_inverse=True)
    slug_first = np.array([ascii_slug(x) for x in uf], dtype=object)[inv_f.ravel()]
    slug_last = np.array([ascii_slug(x).replace("-", "") for x in ul], dtype=object)[inv_l.ravel()]
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
    lam, p_drop, nu = purchase_traits(P, acq, lam0, p0, nu, pro, pro_noise, trend_cls)
    z = (np.log(lam) - np.log(lam).mean()) / np.log(lam).std()
    engagement = 0.6 * z + 0.8 * eng_noise
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
    c["_pro"] = pro
    c["_trend_class"] = trend_cls
    lo_g, hi_g = pu["growth_per_year"]
    lo_d, hi_d = pu["decline_per_year"]
    c["_growth"] = np.where(trend_cls == 0, lo_g + (hi_g - lo_g) * trend_u, 0.0)
    c["_decline"] = np.where(trend_cls == 2, lo_d + (hi_d - lo_d) * trend_u, 0.0)
    c["_growth_cap"] = np.full(n, float(pu["growth_cap"]))
    c["_age"] = age
    # a store acquisition cannot happen on a Sunday (stores closed): move it to Saturday
    sunday = (DAYS[acq_day].day_of_week.to_numpy() == 6) & (acq == 0)
    acq_day = np.where(sunday, np.where(acq_day > 0, acq_day - 1, acq_day + 6), acq_day)
    c["acquisition_date"] = DAYS[acq_day]
    c["_acq_day"] = acq_day
    seg_p = np.array(P["needs_segment_shares"])
    c["_segment"] = rng.choice(len(SEGMENTS), n, p=seg_p)
    # "home" category: where the relationship starts (professionals: DIY or garden)
    home_cat = choice_rows(rng, SEGMENT_CATEGORY[c["_segment"].to_numpy()])
    pro_cat = np.where(rng.random(n) < 0.5, CATEGORIES.index("bricolage"), CATEGORIES.index("jardin"))
    c["_home_cat"] = np.where(pro, pro_cat, home_cat)
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


# ------------------------------------------------------------------ purchase traits
def purchase_traits(P: dict, acq: np.ndarray, lam0: np.ndarray, p0: np.ndarray, nu: np.ndarray,
                    pro: np.ndarray, pro_noise: np.ndarray,
                    trend_cls: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Purchase rate, dropout probability and spend rate of each customer.

    The BG/NBD draws ``lam0`` and ``p0`` are shifted by the acquisition channel (rate
    multiplier, dropout odds multiplier), by the relationship trend (growing relationships
    are more committed: lower dropout odds; declining ones higher) and by the
    professional group; a professional's mean basket rises with the purchase rate, so
    ``nu`` (Gamma-Gamma rate) is replaced for them by ``p_gg / mean``.
    """
    pu, gg = P["purchases"], P["gamma_gamma"]
    rate_mult = np.array([pu["channel_rate_multiplier"][k] for k in ACQ_CHANNELS])[acq]
    odds_mult = np.array([pu["channel_dropout_odds_multiplier"][k] for k in ACQ_CHANNELS])[acq]
    rate_mult = rate_mult * np.where(pro, pu["pro_rate_multiplier"], 1.0)
    odds_mult = odds_mult * np.where(pro, pu["pro_dropout_odds_multiplier"], 1.0)
    odds_mult = odds_mult * np.array([pu["trend_dropout_odds_multiplier"][k] for k in TREND_CLASSES])[trend_cls]
    lam = lam0 * rate_mult
    odds = p0 / np.maximum(1.0 - p0, 1e-12) * odds_mult
    p = odds / (1.0 + odds)
    pro_mean = pu["pro_spend_ref_eur"] * (lam / pu["pro_spend_rate_ref"]) ** pu["pro_spend_elasticity"] * pro_noise
    pro_mean = np.clip(pro_mean, 40.0, 1500.0)
    nu = np.where(pro, gg["p"] / pro_mean, nu)
    return lam, p, nu


def _trend_arrays(c: pd.DataFrame, idx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Growth rate g, decline rate d and growth cap M of the customers ``idx`` (all if None)."""
    g = c["_growth"].to_numpy()
    d = c["_decline"].to_numpy()
    cap = c["_growth_cap"].to_numpy()
    if idx is not None:
        g, d, cap = g[idx], d[idx], cap[idx]
    return g, d, cap


def warp(c: pd.DataFrame, tau: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
    """Cumulative purchase intensity ``w(τ) = ∫_0^τ λ(s)/λ ds`` at tenure ``τ`` (op years).

    Growth (``_growth`` = g > 0): ``λ(τ) = λ min(e^{g τ}, M)`` (``M`` = ``_growth_cap``);
    decline (``_decline`` = d > 0): ``λ(τ) = λ e^{-d τ}``; stable: constant.
    """
    g, d, cap = _trend_arrays(c, idx)
    g_safe, d_safe = np.where(g > 0, g, 1.0), np.where(d > 0, d, 1.0)
    tau_c = np.log(cap) / g_safe  # tenure at which growth reaches its cap
    grow = np.where(tau <= tau_c, np.expm1(g_safe * np.minimum(tau, tau_c)) / g_safe,
                    (cap - 1.0) / g_safe + cap * (tau - tau_c))
    return np.where(d > 0, -np.expm1(-d_safe * tau) / d_safe, np.where(g > 0, grow, tau))


def unwarp(c: pd.DataFrame, w: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Inverse of :func:`warp`: the tenure ``τ`` at which cumulative intensity ``w`` is reached."""
    g, d, cap = _trend_arrays(c, idx)
    g_safe, d_safe = np.where(g > 0, g, 1.0), np.where(d > 0, d, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dec = -np.log1p(-np.minimum(d_safe * w, 1.0 - 1e-15)) / d_safe
    w_c = (cap - 1.0) / g_safe
    grow = np.where(w <= w_c, np.log1p(g_safe * w) / g_safe, np.log(cap) / g_safe + (w - w_c) / cap)
    return np.where(d > 0, dec, np.where(g > 0, grow, w))


def rate_multiplier(c: pd.DataFrame, tau: np.ndarray) -> np.ndarray:
    """``λ(τ) / λ`` of each customer at tenure ``τ`` (op years)."""
    g, d, cap = _trend_arrays(c, None)
    return np.minimum(np.exp(g * tau), np.where(g > 0, cap, 1.0)) * np.exp(-d * tau)


# ------------------------------------------------------------------ shifted BG/NBD purchases
def simulate_purchases(rng: np.random.Generator, P: dict, cal: Calendar, c: pd.DataFrame) -> tuple:
    """Shifted BG/NBD story in operational time, vectorised over customers, looping over rounds.

    The first purchase happens at acquisition; after it and after every later purchase
    the customer drops out with probability ``p_i``. Repeat purchases are Poisson at rate
    ``λ_i`` on the customer's warped clock (relationship trend, see :func:`warp`).
    Returns the purchases ``(customer index, op time, round)`` up to a horizon long
    enough for the loyalty acceleration, and each customer's op time of death (the
    time of the last purchase before dropping out; ``inf`` if the customer does not drop
    out within the horizon).
    """
    n = len(c)
    lam, p = c["_lambda"].to_numpy(), c["_p"].to_numpy()
    acq_day = c["_acq_day"].to_numpy()
    u0 = cal.op(acq_day, rng.random(n))
    launch = day_index(P["loyalty"]["launch_date"])
    eff = P["loyalty"]["true_effect"]
    horizon = cal.cum[-1] + eff * (cal.cum[-1] - cal.cum[launch]) + 1e-6
    w_end = warp(c, np.maximum(horizon - u0, 0.0))
    cust, times, rounds = [np.arange(n)], [u0.copy()], [np.zeros(n, dtype=int)]
    death = np.full(n, np.inf)
    dies0 = rng.random(n) < p  # the coin is tossed after the first purchase too
    death[dies0] = u0[dies0]
    w = np.zeros(n)
    active = np.flatnonzero(~dies0)
    k = 0
    while active.size:
        k += 1
        w_new = w[active] + rng.exponential(1.0 / lam[active])
        keep = w_new <= w_end[active]
        active, w_new = active[keep], w_new[keep]
        dies = rng.random(active.size) < p[active]
        u_new = u0[active] + unwarp(c, w_new, active)
        cust.append(active)
        times.append(u_new)
        rounds.append(np.full(active.size, k))
        death[active[dies]] = u_new[dies]
        w[active] = w_new
        active = active[~dies]
    return np.concatenate(cust), np.concatenate(times), np.concatenate(rounds), death


def expected_next_year(P: dict, cal: Calendar, c: pd.DataFrame, alive: np.ndarray,
                       join_day: np.ndarray, multichannel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True purchase rate at the end of the window and expected purchases over the next year.

    For a customer still alive on 2025-12-31 at tenure ``τ`` (operational years since her
    first purchase), the next year adds ``Δw = w(τ + 1) - w(τ)`` to her trend-warped clock
    and she buys ``(1 - e^{-λ p Δw}) / p`` times in expectation (shifted BG/NBD: a coin
    after each purchase). The loyalty programme (members) and multichannel adoption
    (adopters) add extra purchases while she is active: × (1 + their true effects).
    Departures caused by complaints, the survey or campaigns in 2026 are not included.
    Returns ``(rate at end, expected purchases in 2026)`` (per year, before the programme
    and multichannel effects for the rate).
    """
    lam, p = c["_lambda"].to_numpy(), c["_p"].to_numpy()
    end_u = cal.cum[-1]
    u0 = cal.op(c["_acq_day"].to_numpy(), 0.5)  # mid-day: the exact first-purchase time is not kept
    tau = np.maximum(end_u - u0, 0.0)
    dw = warp(c, tau + 1.0) - warp(c, tau)
    expected = np.where(alive, -np.expm1(-lam * p * dw) / np.maximum(p, 1e-12), 0.0)
    boost = (1.0 + P["loyalty"]["true_effect"] * (join_day >= 0)) \
        * (1.0 + P["channels"]["adoption"]["true_effect"] * multichannel)
    return lam * rate_multiplier(c, tau), expected * boost


def order_values(rng: np.random.Generator, P: dict, c: pd.DataFrame, cust: np.ndarray,
                 day: np.ndarray) -> np.ndarray:
    """Pre-discount target value of each order: Gamma(p, ν_i), times a spend trend for growers."""
    nu = c["_nu"].to_numpy()[cust]
    value = rng.gamma(P["gamma_gamma"]["p"], 1.0 / nu)
    tenure = np.maximum(day - c["_acq_day"].to_numpy()[cust], 0) / YEAR_DAYS
    growing = c["_growth"].to_numpy()[cust] > 0
    return value * np.where(growing, np.exp(P["purchases"]["growth_spend_per_year"] * tenure), 1.0)



def make_products(rng: np.random.Generator) -> pd.DataFrame:
    """Product catalogue with list prices and margin rates by category."""
    rows = [(cat, name, float(price)) for cat in CATEGORIES for name, price in PRODUCTS[cat]]
    df = pd.DataFrame(rows, columns=["category", "product_name", "list_price"])
    df.insert(0, "product_id", ids("PR", len(df), 3))
    base = df["category"].map(MARGIN_RATE).to_numpy()
    df["margin_rate"] = np.round(base + rng.uniform(-0.05, 0.05, len(df)), 3)
    return df[["product_id", "product_name", "category", "list_price", "margin_rate"]]


def make_lines(rng: np.random.Generator, P: dict, orders: pd.DataFrame, c: pd.DataFrame,
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
    cust = orders["_cust"].to_numpy()[order_row]
    seg = c["_segment"].to_numpy()[cust]
    season = np.array([CATEGORY_SEASON[k] for k in CATEGORIES]).T  # (12, 7)
    # category breadth: other categories than the customer's "home" one weigh `breadth`;
    # growing relationships start narrow and spread to new categories with tenure
    br = P["purchases"]["category_breadth"]
    tenure = np.maximum(orders["day"].to_numpy()[order_row] - c["_acq_day"].to_numpy()[cust], 0) / YEAR_DAYS
    growing = c["_growth"].to_numpy()[cust] > 0
    breadth = np.where(growing, np.minimum(br["growth_start"] + br["growth_per_year"] * tenure, 1.0), br["other"])
    home = np.zeros((nl, len(CATEGORIES)), dtype=bool)
    home[np.arange(nl), c["_home_cat"].to_numpy()[cust]] = True
    cat = choice_rows(rng, SEGMENT_CATEGORY[seg] * season[month - 1] * np.where(home, 1.0, breadth[:, None]))
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



def order_times(rng: np.random.Generator, channel: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Datetime of each order: day + an hour drawn from the channel's daily profile."""
    secs = np.zeros(len(day))
    for ch, w in ORDER_HOURS.items():
        sel = channel == ch
        w = np.array(w, dtype=float)
        hour = rng.choice(24, sel.sum(), p=w / w.sum())
        secs[sel] = hour * 3600 + rng.integers(0, 3600, sel.sum())
    return (START + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs.astype(int), unit="s")).to_numpy()
