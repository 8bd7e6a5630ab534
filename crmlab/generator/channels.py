"""Channels and costs: each order's channel, store and delivery mode; multichannel adoption and its
true effect; per-channel baskets and margins; the activity-based cost model (cost to serve).

Channel model (parameters in ``PARAMS["channels"]``):

* every customer has a **primary channel**, the channel of her first order (store, web and app
  recruits keep their acquisition channel, marketplace recruits buy on the web, referred customers
  draw one from preferences by age); until she becomes multichannel, every order goes there;
* **multichannel adoption** is self-selected: she adopts a second channel at a random time whose
  hazard rises with her purchase rate and engagement; her next purchase is placed in the second
  channel; afterwards her orders go to the second channel with a share rising with the time
  since adoption (channel migration), and her **purchase rate is multiplied by** ``1 + true_effect``
  (extra purchases, see :func:`adopt_multichannel`);
* the second channel leans digital for store customers (and the app for heavy buyers, the phone
  for the oldest), towards the store for digital customers (click & collect leads to the store);
* stores are closed on Sundays: a store order falling on a Sunday is moved to the Saturday before
  (to the Monday after for orders added after the purchase process);
* baskets and margins differ by channel (``basket_factor``, ``margin_points``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (AGE_BANDS, CHANNELS, DAYS, DELIVERY, N_DAYS, YEAR_DAYS, choice_rows, day_index)
from .customers import (random_store_in_region)

STORE, WEB, APP, PHONE = range(4)


# ----------------------------------------------------------------------- traits
def _z(x: np.ndarray) -> np.ndarray:
    """Standardised log (a scale-free measure of a customer's rate)."""
    lx = np.log(np.maximum(x, 1e-12))
    return (lx - lx.mean()) / max(lx.std(), 1e-12)


def channel_traits(rng: np.random.Generator, P: dict, c: pd.DataFrame) -> None:
    """Add the customers' channel traits to ``c`` (private columns, in place).

    ``_primary`` (channel index of the first order), ``_second`` (the channel she would adopt),
    ``_dl0``…``_dl2`` (delivery-mode logits), ``_advice`` (minutes of advice per store visit),
    ``_project_rate`` (free project appointments per year), ``_mc_day`` (adoption day, set later).
    """
    n = len(c)
    C = P["channels"]
    age = c["age_band"].map({a: i for i, a in enumerate(AGE_BANDS)}).to_numpy()
    zl = _z(c["_lambda"].to_numpy())
    acq = c["acquisition_channel"].to_numpy()
    # referred customers: preference by age (store for most, app for the young, phone for the oldest)
    pref = np.column_stack([np.full(n, 1.6), np.full(n, 0.7), 0.4 * (age <= 1) - 1.0 * (age >= 4),
                            np.where(age == 5, -0.8, -3.0)]) + rng.normal(0, 0.6, (n, 4))
    sunday = DAYS[c["_acq_day"].to_numpy()].day_of_week.to_numpy() == 6
    pref[sunday, STORE] = -np.inf  # a Sunday first order cannot be in a store
    drawn = choice_rows(rng, np.exp(pref))
    primary = pd.Series(acq).map({"magasin": STORE, "site web": WEB, "application": APP,
                                  "marketplace": WEB}).to_numpy()
    primary = np.where(pd.isna(primary), drawn, primary).astype(int)
    # second channel: digital for store customers (app if young or heavy buyer), store for digital ones
    sec = np.column_stack([np.full(n, 0.0), np.full(n, 0.0), 0.5 * zl + 0.6 * (age <= 2) - 1.2 * (age >= 4),
                           np.where(age == 5, -0.5, -3.5)])
    sec += np.array(C["second_channel_logits"])[primary]
    sec += rng.normal(0, 0.5, (n, 4))
    sec[np.arange(n), primary] = -np.inf
    second = choice_rows(rng, np.exp(sec))
    c["_primary"], c["_second"] = primary, second
    dl = np.column_stack([np.full(n, 0.2), np.full(n, 0.7), np.zeros(n)]) + rng.normal(0, 1.0, (n, 3))
    # home delivery is chosen for large baskets (free above a threshold); small ones are collected
    spend = 1.0 / c["_nu"].to_numpy()
    dl[:, 1] += C["home_delivery_slope_spend"] * np.log(spend / np.median(spend))
    for k in range(3):
        c[f"_dl{k}"] = dl[:, k]
    needy = c["_needy"].to_numpy()
    c["_advice"] = C["store_advice_minutes"] * needy * rng.lognormal(-0.125, 0.5, n)
    pr = C["project_appointments"]
    project = rng.random(n) < pr["share"]
    c["_project_rate"] = np.where(project, rng.gamma(2.0, pr["rate_per_year"] / 2.0, n), 0.0)
    c["_mc_day"] = np.inf


# ----------------------------------------------------------- multichannel effect
def adopt_multichannel(rng: np.random.Generator, P: dict, cal, c: pd.DataFrame, cust: np.ndarray,
                       u: np.ndarray, rnd: np.ndarray, death: np.ndarray) -> tuple:
    """Self-selected multichannel adoption and its true effect, in operational time.

    Each customer has an adoption time ``T = first purchase + Exp(hazard)``, the hazard (per
    operational year) rising with her purchase rate and engagement (self-selection). From ``T`` on,
    her purchase rate is multiplied by ``f = 1 + true_effect`` while she is active: each of her own
    inter-purchase intervals after ``T`` receives one extra purchase with probability ``f − 1``
    (pro rata of the part after ``T`` for the interval containing it), placed uniformly, and the
    open interval after her last purchase (until her death or the horizon) a Poisson number of
    extras at rate ``(f − 1) λ``. The extras do not change her drop-out (death) time. Her first
    purchase after ``T`` is placed in her second channel (the observable adoption).

    Returns ``cust, u, rnd`` with the extra purchases appended (round of the purchase that follows them,
    or last round + 1 after the last one: never 0) and ``is_mc``, True for each adoption purchase.
    """
    A = P["channels"]["adoption"]
    f = 1.0 + A["true_effect"]
    n = len(c)
    hazard = A["hazard_per_year"] * np.exp(A["slope_rate"] * _z(c["_lambda"].to_numpy())
                                          + A["slope_engagement"] * c["_engagement"].to_numpy())
    u0 = np.full(n, np.inf)
    np.minimum.at(u0, cust, u)
    T = u0 + rng.exponential(1.0 / hazard)
    order = np.lexsort((u, cust))
    cs, us, rs = cust[order], u[order], rnd[order]
    same = np.r_[False, cs[1:] == cs[:-1]]
    u_prev = np.r_[0.0, us[:-1]]
    Tc = T[cs]
    start = np.maximum(u_prev, Tc)
    frac = np.where(same & (us > Tc), (us - start) / np.maximum(us - u_prev, 1e-12), 0.0)
    extra = rng.random(cs.size) < (f - 1.0) * frac
    e_cust = cs[extra]
    e_u = start[extra] + rng.random(extra.sum()) * (us[extra] - start[extra])
    e_r = rs[extra]  # the round of the purchase that follows (never 0: round 0 stays the first order)
    # open tail after each customer's last purchase, until death or the horizon
    L = P["loyalty"]
    horizon = max(cal.cum[-1] + L["true_effect"] * (cal.cum[-1] - cal.cum[day_index(L["launch_date"])]),
                  float(u.max()))
    last = np.r_[cs[1:] != cs[:-1], True]
    lc, lu, lr = cs[last], us[last], rs[last]
    t0 = np.maximum(lu, T[lc])
    span = np.maximum(np.minimum(death[lc], horizon) - t0, 0.0)
    span = np.where(np.isfinite(span), span, 0.0)
    k = rng.poisson((f - 1.0) * c["_lambda"].to_numpy()[lc] * span)
    t_cust = np.repeat(lc, k)
    t_u = np.repeat(t0, k) + rng.random(k.sum()) * np.repeat(span, k)
    t_r = np.repeat(lr + 1, k)
    all_c = np.concatenate([cust, e_cust, t_cust])
    all_u = np.concatenate([u, e_u, t_u])
    after = all_u > T[all_c]
    first = np.full(n, np.inf)
    np.minimum.at(first, all_c[after], all_u[after])
    is_mc = after & (all_u == first[all_c])
    return all_c, all_u, np.concatenate([rnd, e_r, t_r]), is_mc


# ------------------------------------------------------------------- channels
def assign_channels(rng: np.random.Generator, P: dict, c: pd.DataFrame, stores: pd.DataFrame,
                    orders: pd.DataFrame, sunday_shift: int = -1) -> pd.DataFrame:
    """Channel, store and delivery mode of each order, and its day (store orders never on Sunday).

    ``orders`` needs ``_cust``, ``day`` and ``_mc`` (the adoption purchase; missing = False).
    Before the adoption day every order goes to the primary channel; the adoption order goes to
    the second channel; later orders go there with a share rising linearly from ``share_start``
    to ``share_end`` over ``share_years`` (migration). When ``_mc`` flags adoption orders, the
    adoption day of their customers is (re)written to ``c["_mc_day"]`` after the Sunday shift.
    Returns columns ``day``, ``channel``, ``store_id``, ``delivery_mode``.
    """
    C = P["channels"]
    cust = orders["_cust"].to_numpy()
    day = orders["day"].to_numpy().astype(int)
    n = len(cust)
    flag = (orders["_mc"].to_numpy() == True) if "_mc" in orders else np.zeros(n, dtype=bool)  # noqa: E712
    prim, sec = c["_primary"].to_numpy()[cust], c["_second"].to_numpy()[cust]
    mcd = c["_mc_day"].to_numpy()[cust].copy()
    if flag.any():  # adoption day = day of the adoption purchase
        mcd_c = np.full(len(c), np.inf)
        np.minimum.at(mcd_c, cust[flag], day[flag])
        mcd = np.minimum(mcd, mcd_c[cust])
    since = np.where(np.isfinite(mcd), day - np.where(np.isfinite(mcd), mcd, 0), -1.0)
    share = C["share_start"] + (C["share_end"] - C["share_start"]) * np.clip(since / (C["share_years"] * YEAR_DAYS), 0, 1)
    ch = np.where((since > 0) & (rng.random(n) < share), sec, prim)
    ch = np.where(flag, sec, ch)
    # stores are closed on Sundays: the visit happens the day before (or after)
    sunday = DAYS[np.minimum(day, N_DAYS - 1)].day_of_week.to_numpy() == 6
    move = sunday & (ch == STORE)
    moved = day + sunday_shift
    moved = np.where((moved < 0) | (moved >= N_DAYS), day - sunday_shift, moved)
    day = np.where(move, moved, day)
    if flag.any():
        mcd_c = np.full(len(c), np.inf)
        np.minimum.at(mcd_c, cust[flag], day[flag])
        c["_mc_day"] = np.minimum(c["_mc_day"].to_numpy(), mcd_c)
    home = c["home_store_id"].to_numpy()[cust]
    other = random_store_in_region(rng, c["region"].to_numpy()[cust], stores)
    store = np.where(rng.random(n) < 0.88, home, other)
    store = np.where(ch == STORE, store, "")
    dl = np.column_stack([c[f"_dl{k}"].to_numpy()[cust] for k in range(3)])
    dv = choice_rows(rng, np.exp(dl))
    delivery = np.where(ch == STORE, "", np.array(DELIVERY, dtype=object)[dv])
    return pd.DataFrame({"day": day, "channel": np.array(CHANNELS, dtype=object)[ch], "store_id": store,
                         "delivery_mode": delivery}, index=orders.index)


def basket_factor(P: dict, channel: np.ndarray) -> np.ndarray:
    """Multiplier of the order value by channel (store baskets smaller, web and phone ones larger)."""
    return pd.Series(channel).map(P["channels"]["basket_factor"]).to_numpy(dtype=float)


def margin_adjustment(P: dict, channel: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Margin adjustment (€) of each order: ``margin_points[channel] × pre-discount value``."""
    return pd.Series(channel).map(P["channels"]["margin_points"]).to_numpy(dtype=float) * value


# ------------------------------------------------------------------------ costs
def make_costs(rng: np.random.Generator, P: dict, c: pd.DataFrame, orders: pd.DataFrame, complaints: pd.DataFrame,
               contacts: pd.DataFrame, unsub: np.ndarray, campaigns: pd.DataFrame, death_day: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cost drivers per customer (``cost_to_serve``) and the activity cost pools (``activity_costs``).

    Each activity's pool is its unit cost (``PARAMS["unit_costs"]``) times the volume of the
    driver that causes it, and each driver is counted only on the channels that cause it:
    warehouse handling on remote orders (web, app, phone), delivery on delivered orders,
    click & collect on store pickups, return logistics on returned remote orders (a store return
    is taken back at the desk: store minutes), the store pool on the staff minutes spent with the
    customer in store (checkout, advice, returns at the desk). Service contacts come from remote
    orders and returns (more for « needy » customers), complaints, and phone orders (one call each).
    """
    n = len(c)
    uc = P["unit_costs"]
    cust = orders["_cust"].to_numpy()
    ch = orders["channel"].to_numpy()
    dm = orders["delivery_mode"].to_numpy()
    ret = orders["returned"].to_numpy() == 1
    store = ch == "magasin"

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cust[mask], minlength=n)

    n_orders = count(np.ones(len(orders), dtype=bool))
    n_store = count(store)
    n_remote = n_orders - n_store
    n_phone = count(ch == "téléphone")
    n_home = count(dm == "livraison domicile")
    n_relay = count(dm == "point relais")
    n_pickup = count(dm == "retrait magasin")
    n_ret = count(ret)
    n_ret_remote = count(ret & ~store)
    # store staff minutes: checkout, advice (a customer trait, more for bulky or project baskets), returns
    S = P["channels"]
    k_store = int(store.sum())
    advice = c["_advice"].to_numpy()[cust[store]] * rng.exponential(1.0, k_store)
    bulky = np.minimum(orders["_value"].to_numpy()[store] / 100.0, 4.0)
    minutes = S["store_checkout_minutes"] + advice * (0.5 + 0.5 * bulky) + S["store_return_minutes"] * ret[store]
    # free project appointments in store (kitchen, bathroom, garden design), booked under the customer's
    # name while she is active, whether or not a purchase follows
    pa = S["project_appointments"]
    acq = c["_acq_day"].to_numpy()
    end = np.minimum(np.nan_to_num(death_day, posinf=N_DAYS - 1), N_DAYS - 1)
    n_proj = rng.poisson(c["_project_rate"].to_numpy() * np.maximum(end - acq, 0) / YEAR_DAYS)
    proj_minutes = np.bincount(np.repeat(np.arange(n), n_proj), minlength=n,
                               weights=pa["min_minutes"] + rng.gamma(2.0, pa["extra_minutes"] / 2.0, n_proj.sum()))
    store_minutes = np.round(np.bincount(cust[store], weights=minutes, minlength=n) + proj_minutes).astype(int)
    n_comp = np.bincount(complaints["_cust"].to_numpy(), minlength=n)
    needy = c["_needy"].to_numpy()
    mu = needy * (0.12 * n_remote + 1.0 * n_ret_remote + 0.2 * n_home) + 1.5 * n_comp
    n_serv = rng.poisson(mu) + n_phone
    contacted = contacts[contacts["contacted"] == 1]
    n_mkt = np.bincount(contacted["_cust"].to_numpy(), minlength=n)
    n_cat = np.zeros(n, dtype=int)
    last_all = orders["day"].to_numpy()
    for y in (2023, 2024, 2025):  # one autumn catalogue per year to recent repeat buyers who accept mail
        d = day_index(f"{y}-09-01")
        past = last_all < d
        last = np.full(n, -10_000)
        np.maximum.at(last, cust[past], last_all[past])
        repeat = np.bincount(cust[past], minlength=n) >= 2
        n_cat += ((c["consent_post"].to_numpy() == 1) & (d - last <= 365) & repeat
                  & (np.nan_to_num(unsub, posinf=1e9) > d))
    cts = pd.DataFrame({"customer_id": c["customer_id"].to_numpy(), "n_orders": n_orders,
                        "n_home_deliveries": n_home, "n_relay_deliveries": n_relay, "n_returns": n_ret,
                        "n_service_contacts": n_serv, "n_marketing_contacts": n_mkt, "n_catalogues": n_cat,
                        "n_store_orders": n_store, "n_remote_orders": n_remote, "n_store_pickups": n_pickup,
                        "n_remote_returns": n_ret_remote, "n_store_returns": n_ret - n_ret_remote,
                        "n_project_appointments": n_proj, "store_minutes": store_minutes})
    # a returned order stays in ``amount`` and ``gross_margin`` (the sales ledger): the margin refunded on
    # returned goods is booked in the returns pools, with the reverse logistics of delivered orders
    # and the write-down of returned goods that cannot be sold again
    margin = orders["gross_margin"].to_numpy()
    value = orders["amount"].to_numpy() + orders["discount"].to_numpy()
    wd = S["return_writedown_rate"]
    rr, rs = ret & ~store, ret & store
    returns_pool = uc["retours"] * float(rr.sum()) + float(margin[rr].sum() + wd["remote"] * value[rr].sum())
    store_returns_pool = float(margin[rs].sum() + wd["store"] * value[rs].sum())
    cpc = campaigns.set_index("campaign_id")["cost_per_contact"]
    mkt_pool = float(contacted["campaign_id"].map(cpc).sum())

    def pool(key: str, volume: np.ndarray) -> float:
        return uc[key] * float(volume.sum())

    act = [
        ("traitement_commandes", "Préparation des commandes à distance (entrepôt)", pool("traitement_commandes", n_remote),
         "n_remote_orders", "direct"),
        ("livraison_domicile", "Livraison à domicile", pool("livraison_domicile", n_home), "n_home_deliveries", "direct"),
        ("livraison_relais", "Livraison en point relais", pool("livraison_relais", n_relay), "n_relay_deliveries",
         "direct"),
        ("retrait_magasin", "Retrait en magasin (transfert et remise au client)", pool("retrait_magasin", n_pickup),
         "n_store_pickups", "direct"),
        ("retours", "Retours des commandes livrées (logistique inverse, marge remboursée, démarque)", returns_pool,
         "n_remote_returns", "direct"),
        ("reprises_magasin", "Reprises en magasin (marge remboursée, démarque)", store_returns_pool, "n_store_returns", "direct"),
        ("vente_magasin", "Vente en magasin (encaissement, conseil, reprise)", pool("vente_magasin", store_minutes),
         "store_minutes", "direct"),
        ("service_client", "Contacts au service client", pool("service_client", n_serv), "n_service_contacts", "direct"),
        ("contacts_marketing", "Campagnes de marketing direct", mkt_pool, "n_marketing_contacts", "direct"),
        ("catalogues", "Envoi du catalogue annuel", pool("catalogues", n_cat), "n_catalogues", "direct"),
        ("animation_magasins", "Animation commerciale des magasins", pool("animation_magasins", n_store),
         "n_store_orders", "indirect"),
        # Common costs: the share of head office, brand advertising and IT borne by the
        # identified-customer business over the 3 years (anonymous store sales carry the
        # rest); no driver links them to a customer, they are not allocated.
        ("siege", "Siège et direction générale", 240_000.0, "", "commun"),
        ("publicite_marque", "Publicité de marque (TV, affichage)", 150_000.0, "", "commun"),
        ("systeme_information", "Système d'information et site web", 90_000.0, "", "commun"),
    ]
    act_df = pd.DataFrame(act, columns=["activity", "label_fr", "cost_pool_eur", "driver", "kind"])
    act_df["cost_pool_eur"] = act_df["cost_pool_eur"].round(2)
    return cts, act_df


def channel_truth(c: pd.DataFrame, death_day: np.ndarray) -> dict:
    """Ground-truth columns of the channel model (primary channel, multichannel adoption)."""
    mcd = c["_mc_day"].to_numpy()
    ok = np.isfinite(mcd) & (mcd < N_DAYS) & (mcd <= death_day)
    d = np.where(ok, mcd, 0).astype(int)
    return {"primary_channel": np.array(CHANNELS, dtype=object)[c["_primary"].to_numpy()],
            "multichannel_adoption_date": np.where(ok, DAYS[d].strftime("%Y-%m-%d"), ""),
            "multichannel_effect_applied": ok.astype(int)}
