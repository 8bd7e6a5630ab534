"""Tables built around the core model (private): survey, events, calls, B2B, silos, prospects.

* **survey** — 3,000 customers alive in autumn 2024; needs-based latent segments
  drive the SPECIFIC and CIVILE items; a latent satisfaction (engagement, badly
  handled complaints) drives satisfaction, recommendation, attitude and trust, and
  dissatisfied respondents are more likely to leave in the following months.
* **events** — Oct–Dec 2025 web/app journeys (e-mail → session → views → cart →
  checkout → purchase) ending in the orders of ``orders``, abandoned journeys, and
  store visits.
* **calls** — 15-minute intervals of 2025, Poisson arrivals around a daily, weekly
  and seasonal profile with peaks after campaigns; staffing planned on the
  forecast without the campaign peaks, waits from Erlang C.
* **b2b** — accounts (Faker company names) and their buying-group contacts.
* **silos** — records of a subset of customers in 5 source systems with noise.
* **prospects** — sign-ups, some of whom became customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._gen_base import (CATEGORIES, DAYS, N_DAYS, REGIONS, ascii_slug, fmt_date, fmt_datetime,
                        format_phone, ids, phone_numbers)
from ._gen_company import AGE_BANDS, ORDER_HOURS, RESOLUTIONS, day_index

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
def _journeys(rng: np.random.Generator, end_dt: np.ndarray, cust: np.ndarray, channel: np.ndarray,
              main_cat: np.ndarray, from_email: np.ndarray, n_views: np.ndarray, n_cart: np.ndarray,
              checkout: np.ndarray, purchase: np.ndarray, order_id: np.ndarray) -> pd.DataFrame:
    """Event rows of journeys, built backwards from each journey's last event time."""
    m = len(end_dt)
    n_ev = 2 * from_email + 1 + n_views + n_cart + checkout + purchase
    j = np.repeat(np.arange(m), n_ev)
    start = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(len(j)) - start[j]
    e = 2 * from_email[j]
    b1, b2 = e + 1, e + 1 + n_views[j]
    b3 = b2 + n_cart[j]
    b4 = b3 + checkout[j]
    etype = np.select(
        [pos < e - 1, pos < e, pos < b1, pos < b2, pos < b3, pos < b4],
        ["email_open", "email_click", "session_start", "product_view", "add_to_cart", "checkout"],
        "purchase").astype(object)
    gap = np.select([etype == "email_open", etype == "email_click", etype == "session_start"],
                    [0.0, rng.uniform(1, 600, len(j)), rng.uniform(0.05, 0.3, len(j))],
                    rng.uniform(0.3, 3.5, len(j)))  # minutes since the previous event
    cum = np.cumsum(gap)
    cum = cum - (cum[start] - gap[start])[j]
    total = cum[start + n_ev - 1][j]
    dt = end_dt[j] - ((total - cum) * 60_000).astype("timedelta64[ms]")
    other = rng.choice(len(CATEGORIES), len(j))
    cat = np.where(rng.random(len(j)) < 0.7, main_cat[j], np.array(CATEGORIES, dtype=object)[other])
    cat = np.where(np.isin(etype, ["product_view"]), cat, main_cat[j])
    cat = np.where(np.isin(etype, ["email_open", "email_click", "session_start"]), "", cat)
    ch = np.where(np.isin(etype, ["email_open", "email_click"]), "e-mail", channel[j])
    oid = np.where(etype == "purchase", order_id[j], "")
    return pd.DataFrame({"_j": j, "_pos": pos, "customer_id": cust[j], "event_datetime": dt, "channel": ch,
                         "event_type": etype, "category": cat, "order_id": oid})


def make_events(rng: np.random.Generator, P: dict, T: dict) -> pd.DataFrame:
    """Event log of Oct–Dec 2025: purchase journeys, abandoned journeys, store visits."""
    o = T["_orders"]
    lines = T["_lines"]
    main = lines[lines["line_no"] == 1].set_index("_row")["category"]
    q_start = day_index("2025-10-01")
    q4 = o[o["day"] >= q_start]
    cat_q4 = main.reindex(q4.index).fillna("maison").to_numpy()
    web = q4["channel"].isin(["site web", "application"]).to_numpy()
    w = q4[web]
    m = len(w)
    parts = []
    parts.append(_journeys(rng, w["_dt"].to_numpy().astype("datetime64[ms]"), w["customer_id"].to_numpy(),
                           w["channel"].to_numpy(), cat_q4[web], (rng.random(m) < 0.25).astype(int),
                           1 + rng.poisson(3, m), 1 + (rng.random(m) < 0.3), np.ones(m, dtype=int),
                           np.ones(m, dtype=int), w["order_id"].to_numpy()))
    # abandoned journeys of customers alive in the quarter (more for frequent buyers)
    c = T["_c"]
    alive = np.flatnonzero((T["_death_day"] > q_start) & (c["_acq_day"].to_numpy() < N_DAYS - 1))
    k = 2 * m
    lam = c["_lambda"].to_numpy()[alive]
    who = rng.choice(alive, k, p=lam / lam.sum())
    acq = c["_acq_day"].to_numpy()[who]
    day = np.maximum(rng.integers(q_start, N_DAYS, k), acq)
    hours = np.array(ORDER_HOURS["site web"], dtype=float)
    secs = rng.choice(24, k, p=hours / hours.sum()) * 3600 + rng.integers(0, 3600, k)
    end_dt = (np.datetime64("2023-01-01", "ms") + day.astype("timedelta64[D]") + secs.astype("timedelta64[s]"))
    cart = (rng.random(k) < 0.35).astype(int)
    chk = cart * (rng.random(k) < 0.45)
    chan = np.where(rng.random(k) < 0.4, "application", "site web").astype(object)
    parts.append(_journeys(rng, end_dt, c["customer_id"].to_numpy()[who], chan,
                           np.array(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), k)],
                           (rng.random(k) < 0.15).astype(int), 1 + rng.poisson(2, k), cart, chk,
                           np.zeros(k, dtype=int), np.full(k, "", dtype=object)))
    parts[1]["_j"] += m
    # store visits (with and without purchase)
    s = q4[q4["channel"] == "magasin"]
    ns = len(s)
    vis = pd.DataFrame({"_j": m + k + np.repeat(np.arange(ns), 2), "_pos": np.tile([0, 1], ns),
                        "customer_id": np.repeat(s["customer_id"].to_numpy(), 2),
                        "event_datetime": np.repeat(s["_dt"].to_numpy().astype("datetime64[ms]"), 2)
                        - np.tile([1, 0], ns) * (rng.uniform(5, 40, 2 * ns) * 60_000).astype("timedelta64[ms]"),
                        "channel": "magasin", "event_type": np.tile(["store_visit", "purchase"], ns),
                        "category": np.repeat(cat_q4[(q4["channel"] == "magasin").to_numpy()], 2),
                        "order_id": np.where(np.tile([0, 1], ns) == 1, np.repeat(s["order_id"].to_numpy(), 2), "")})
    vis.loc[vis["event_type"] == "store_visit", "category"] = ""
    nv = ns // 2
    vwho = rng.choice(alive, nv)
    vday = np.maximum(rng.integers(q_start, N_DAYS, nv), c["_acq_day"].to_numpy()[vwho])
    vsec = rng.integers(9 * 3600, 19 * 3600, nv)
    sunday = DAYS[vday].day_of_week.to_numpy() == 6
    vday = np.where(sunday & (vday > q_start), vday - 1, vday)
    vis2 = pd.DataFrame({"_j": m + k + ns + np.arange(nv), "_pos": 0,
                         "customer_id": c["customer_id"].to_numpy()[vwho],
                         "event_datetime": np.datetime64("2023-01-01", "ms") + vday.astype("timedelta64[D]")
                         + vsec.astype("timedelta64[s]"),
                         "channel": "magasin", "event_type": "store_visit", "category": "", "order_id": ""})
    ev = pd.concat(parts + [vis, vis2], ignore_index=True)
    ev = ev[ev["event_datetime"] >= np.datetime64("2025-10-01")]
    ev = ev.sort_values(["event_datetime", "_j", "_pos"], kind="stable").reset_index(drop=True)
    sess = pd.factorize(ev["_j"])[0]
    ev.insert(0, "event_id", ids("E", len(ev), 7))
    ev.insert(2, "session_id", np.array([f"SE{x + 1:06d}" for x in sess], dtype=object))
    ev["event_datetime"] = fmt_datetime(ev["event_datetime"].dt.floor("s")).to_numpy()
    return ev[["event_id", "customer_id", "session_id", "event_datetime", "channel", "event_type", "category",
               "order_id"]]


# ------------------------------------------------------------------------- calls
HOLIDAYS_2025 = ["2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09",
                 "2025-07-14", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"]


def _erlang_c(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Probability of waiting (Erlang C), vectorised; 1 when agents ≤ traffic."""
    b = np.ones_like(traffic)
    out = np.ones_like(traffic)
    for k in range(1, int(agents.max()) + 1):
        b = traffic * b / (k + traffic * b)
        at = agents == k
        out[at] = b[at]
    ok = agents > traffic
    c = np.ones_like(traffic)
    c[ok] = agents[ok] * out[ok] / (agents[ok] - traffic[ok] * (1 - out[ok]))
    return np.clip(c, 0, 1)


def make_calls(rng: np.random.Generator, P: dict) -> pd.DataFrame:
    """Contact-centre activity of 2025 per 15-minute interval (Mon–Sat 08:00–20:00)."""
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    days = days[(days.day_of_week < 6) & ~days.isin(pd.DatetimeIndex(HOLIDAYS_2025))]
    slots = np.arange(48)  # 08:00 … 19:45
    d = np.repeat(np.arange(len(days)), 48)
    s = np.tile(slots, len(days))
    h = 8 + s / 4
    intraday = 0.55 + 0.9 * np.exp(-0.5 * ((h - 10.8) / 1.2) ** 2) + 0.7 * np.exp(-0.5 * ((h - 14.8) / 1.5) ** 2) \
        - 0.25 * (h >= 18.5)
    intraday = intraday / intraday[:48].sum() * 48
    dow = np.array([1.3, 1.05, 1.0, 0.95, 0.95, 0.65])[days.day_of_week.to_numpy()][d]
    month = np.array([1.25, 1.0, 0.95, 0.95, 0.95, 0.95, 1.05, 0.8, 0.95, 1.0, 1.15, 1.35])[days.month.to_numpy() - 1][d]
    base = 9.0 * intraday * dow * month  # expected calls per 15 min without campaigns
    boost = np.ones(len(days))
    dd = (days - pd.Timestamp("2025-01-01")).days.to_numpy()
    for camp in P["campaigns"]:
        send = (pd.Timestamp(camp["send_date"]) - pd.Timestamp("2025-01-01")).days
        if send >= 0:
            lag = dd - send
            boost += np.where(lag >= 0, 0.45 * np.exp(-lag / 2.5), 0.0)
    mean = base * boost[d]
    offered = rng.poisson(mean)
    aht = np.clip(300 * (1 + 0.08 * (days.month.to_numpy()[d] == 12)) + rng.normal(0, 25, len(d)), 180, 480)
    # staffing planned on the forecast without campaign peaks, for 80 % answered within 20 s
    a_plan = base * 300 / 900
    agents = np.ones_like(a_plan)
    for _ in range(40):
        pw = _erlang_c(a_plan, agents)
        sl = 1 - pw * np.exp(-(agents - a_plan) * 20 / 300)
        need = (sl < 0.8) | (agents <= a_plan)
        if not need.any():
            break
        agents = agents + need
    agents = agents + (rng.random(len(d)) < 0.1) - (rng.random(len(d)) < 0.1)
    agents = np.maximum(agents, 1)
    traffic = mean * aht / 900  # offered load of the interval (the rate, not the Poisson count)
    pw = _erlang_c(traffic, agents)
    asa = np.where(agents > traffic, pw * aht / np.maximum(agents - traffic, 1e-9), 600.0)
    asa = np.minimum(asa * rng.lognormal(0, 0.15, len(d)), 900)
    aband = np.clip(asa / (asa + 420), 0, 0.6)
    answered = offered - rng.binomial(offered, aband)
    start = (days.to_numpy()[d] + (s * 15 * 60 + 8 * 3600).astype("timedelta64[s]"))
    return pd.DataFrame({"interval_start": fmt_datetime(start).to_numpy(), "calls_offered": offered,
                         "calls_answered": answered,
                         "avg_handle_time_s": np.where(answered > 0, np.round(aht, 1), 0.0),
                         "avg_wait_s": np.where(offered > 0, np.round(asa, 1), 0.0),
                         "agents_scheduled": agents.astype(int)})


# -------------------------------------------------------------------------- B2B
SECTORS = ["paysagisme", "hôtellerie-restauration", "BTP", "collectivité", "santé", "éducation", "commerce",
           "bureaux et services"]
ROLE_TITLES = {  # (masculine, feminine) job titles by buying-group role
    "décideur": [("Gérant", "Gérante"), ("Directeur général", "Directrice générale"),
                 ("Directeur d'établissement", "Directrice d'établissement")],
    "acheteur": [("Acheteur", "Acheteuse"), ("Responsable achats", "Responsable achats")],
    "payeur": [("Comptable", "Comptable"), ("Directeur administratif et financier", "Directrice administrative et financière"),
               ("Responsable comptabilité", "Responsable comptabilité")],
    "prescripteur": [("Chef de chantier", "Cheffe de chantier"), ("Responsable technique", "Responsable technique"),
                     ("Architecte paysagiste", "Architecte paysagiste"),
                     ("Responsable des services généraux", "Responsable des services généraux")],
    "utilisateur": [("Jardinier", "Jardinière"), ("Agent d'entretien", "Agente d'entretien"),
                    ("Employé polyvalent", "Employée polyvalente"), ("Chef d'équipe", "Cheffe d'équipe")],
    "stratège": [("Directeur de la stratégie", "Directrice de la stratégie"), ("Responsable RSE", "Responsable RSE"),
                 ("Directeur du développement", "Directrice du développement")],
}
ROLE_INFLUENCE = {"décideur": 4.6, "stratège": 4.0, "prescripteur": 3.5, "acheteur": 3.0, "payeur": 2.2,
                  "utilisateur": 1.6}


def make_b2b(rng: np.random.Generator, names: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Verdane Pro accounts and their contacts with buying-group roles."""
    n = 300
    company = rng.choice(names["company"], n, replace=False)
    size = rng.choice(["TPE", "PME", "ETI"], n, p=[0.55, 0.35, 0.10])
    rev = np.select([size == "TPE", size == "PME"], [rng.lognormal(np.log(6000), 0.6, n),
                                                      rng.lognormal(np.log(40000), 0.6, n)],
                    rng.lognormal(np.log(250000), 0.5, n))
    since = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 12 * 365, n), unit="D")
    acc = pd.DataFrame({"account_id": ids("A", n, 4), "company_name": company,
                        "sector": rng.choice(SECTORS, n), "size_band": size,
                        "region": rng.choice(REGIONS, n), "annual_revenue_eur": np.round(rev, 2),
                        "account_manager": rng.choice(names["manager"], n),
                        "since_date": fmt_date(since).to_numpy()})
    n_c = np.select([size == "TPE", size == "PME"], [rng.integers(2, 4, n), rng.integers(4, 7, n)],
                    rng.integers(6, 11, n))
    a = np.repeat(np.arange(n), n_c)
    pos = np.arange(len(a)) - np.repeat(np.cumsum(n_c) - n_c, n_c)
    order = np.array(["décideur", "acheteur", "payeur", "prescripteur", "utilisateur", "stratège"], dtype=object)
    extra = rng.choice(["utilisateur", "prescripteur", "acheteur"], len(a), p=[0.6, 0.25, 0.15])
    role = np.where(pos < 6, order[np.minimum(pos, 5)], extra)
    role = np.where((pos == 5) & (size[a] != "ETI"), "utilisateur", role)
    m = len(a)
    fem = rng.random(m) < 0.45
    first = np.where(fem, rng.choice(names["female"], m), rng.choice(names["male"], m))
    last = rng.choice(names["last"], m)
    titles = np.array([ROLE_TITLES[r][int(u * len(ROLE_TITLES[r]))][int(f)] for r, u, f in zip(role, rng.random(m), fem)],
                      dtype=object)
    domain = np.array([ascii_slug(x).replace(".", "")[:20].strip("-") or "entreprise" for x in company], dtype=object)
    email = np.array([f"{ascii_slug(f)}.{ascii_slug(l).replace('-', '')}@{domain[i]}.fr"
                      for f, l, i in zip(first, last, a)], dtype=object)
    phones = [format_phone(p) for p in phone_numbers(rng, m)]
    infl = np.clip(np.round(np.array([ROLE_INFLUENCE[r] for r in role]) + rng.normal(0, 0.6, m)), 1, 5).astype(int)
    pref = rng.choice(["e-mail", "téléphone", "rendez-vous", "LinkedIn"], m, p=[0.45, 0.3, 0.15, 0.1])
    con = pd.DataFrame({"contact_id": ids("B", m, 5), "account_id": acc["account_id"].to_numpy()[a],
                        "first_name": first, "last_name": last, "job_title": titles, "role": role,
                        "email": email, "phone": phones, "preferred_channel": pref, "influence": infl})
    return acc, con


# ------------------------------------------------------------------------- silos
SOURCES = ["caisse", "site web", "application", "centre de contact", "carte fidélité"]
SOURCE_PREFIX = {"caisse": "CAI", "site web": "WEB", "application": "APP", "centre de contact": "CRC",
                 "carte fidélité": "FID"}
NICKNAMES = {
    "Alexandre": "Alex", "Nicolas": "Nico", "Christophe": "Chris", "Frédéric": "Fred", "Sébastien": "Seb",
    "Maximilien": "Max", "Maxime": "Max", "Thomas": "Tom", "Philippe": "Phil", "Dominique": "Dom",
    "Catherine": "Cathy", "Isabelle": "Isa", "Stéphanie": "Steph", "Élisabeth": "Babeth", "Jean-Baptiste": "JB",
    "Guillaume": "Guigui", "Benjamin": "Ben", "Mathieu": "Matt", "Valentin": "Val", "Alexandra": "Alex",
    "Caroline": "Caro", "Virginie": "Virgi", "Patricia": "Pat", "Sylvie": "Sylv", "Timothée": "Tim",
    "Anthony": "Tony", "Antoine": "Toinou", "Margaux": "Margot", "Élodie": "Élo", "Véronique": "Véro",
    "Jacqueline": "Jacky", "Jacques": "Jacky", "Robert": "Bob", "Emmanuel": "Manu", "Emmanuelle": "Manue",
    "Françoise": "Fanfan", "Julien": "Ju", "Charlotte": "Charlie", "Louis": "Loulou", "Mathilde": "Mathou",
}
ACCENTS = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÂÎÔÙÇ", "eeeeaaaiioouuucEEEAAIOUC")


def _typo(s: str, u: float, k: int) -> str:
    """One typing error at a position chosen by ``u``: delete, double, swap or replace."""
    if len(s) < 3:
        return s
    i = 1 + int(u * (len(s) - 2))
    if k == 0:
        return s[:i] + s[i + 1:]
    if k == 1:
        return s[:i] + s[i] + s[i:]
    if k == 2:
        return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]
    return s.translate(ACCENTS) if s.translate(ACCENTS) != s else s[:i] + "e" + s[i + 1:]


def make_silos(rng: np.random.Generator, T: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer records in 5 source systems, with realistic noise, and their true mapping."""
    cu = T["customers"]
    c = T["_c"]
    truth = T["customers_truth"]
    n = len(cu)
    pick = np.sort(rng.choice(n, 3000, replace=False))
    # first day each customer used each source (inf if never): store till, web, app, contact centre, card
    o = T["_orders"]
    first_use = np.full((n, len(SOURCES)), np.inf)
    for j, ch in enumerate(["magasin", "site web", "application", "téléphone"]):
        sel = (o["channel"] == ch).to_numpy()
        np.minimum.at(first_use[:, j], o["_cust"].to_numpy()[sel], o["day"].to_numpy()[sel])
    comp = T["_complaints"]
    np.minimum.at(first_use[:, 3], comp["_cust"].to_numpy(), comp["_day"].to_numpy())
    join = T["_join_day"]
    first_use[join >= 0, 4] = join[join >= 0]
    used = np.isfinite(first_use[pick])
    # a source holds a record when the customer used it (sometimes also without: account, call)
    p_src = np.where(used, [0.92, 0.9, 0.9, 0.85, 0.97], [0.03, 0.12, 0.05, 0.3, 0.0])
    has = rng.random(p_src.shape) < p_src
    has[has.sum(axis=1) == 0, np.argmax(used, axis=1)[has.sum(axis=1) == 0]] = True
    ci, si = np.nonzero(has)
    dup = rng.random(ci.size) < 0.1
    ci = np.concatenate([ci, ci[dup]])
    si = np.concatenate([si, si[dup]])
    dup_flag = np.concatenate([np.zeros(has.sum(), dtype=bool), np.ones(dup.sum(), dtype=bool)])
    order = np.lexsort((ci, si))
    ci, si, dup_flag = ci[order], si[order], dup_flag[order]
    r = len(ci)
    cust = pick[ci]
    src = np.array(SOURCES, dtype=object)[si]
    first = cu["first_name"].to_numpy()[cust].astype(object)
    last = cu["last_name"].to_numpy()[cust].astype(object)
    email = cu["email"].to_numpy()[cust].astype(object)
    phone = cu["phone"].to_numpy()[cust].astype(object)
    postcode = cu["postcode"].to_numpy()[cust].astype(object)
    city = cu["city"].to_numpy()[cust].astype(object)
    birth = truth["birth_date"].to_numpy()[cust].astype(object)
    U = rng.random((r, 14))
    K = rng.integers(0, 4, (r, 2))
    typo_rate = {"caisse": 0.08, "site web": 0.04, "application": 0.03, "centre de contact": 0.15, "carte fidélité": 0.03}
    trate = np.array([typo_rate[s] for s in src])
    f_out, l_out, e_out, p_out, b_out, pc_out, city_out = [], [], [], [], [], [], []
    styles = {"caisse": "spaces", "site web": "intl", "application": "plain", "centre de contact": "dots",
              "carte fidélité": "spaces"}
    for i in range(r):  # ~7,000 short string edits
        s, f, l = src[i], first[i], last[i]
        if U[i, 0] < (0.25 if s in ("application", "centre de contact") else 0.08) and f in NICKNAMES:
            f = NICKNAMES[f]
        if U[i, 1] < trate[i]:
            f = _typo(f, U[i, 2], K[i, 0])
        if U[i, 3] < trate[i]:
            l = _typo(l, U[i, 4], K[i, 1])
        if s == "caisse":
            l = l.upper()
            if U[i, 5] < 0.3:
                f = f.translate(ACCENTS)
        if U[i, 6] < (0.06 if s == "centre de contact" else 0.015):
            f, l = l, f
        e = email[i]
        if U[i, 7] < 0.25:
            e = e.capitalize() if U[i, 8] < 0.5 else e.upper()
        if U[i, 8] < 0.12:
            e = " " + e if U[i, 9] < 0.5 else e + " "
        if U[i, 9] < (0.45 if s in ("caisse", "centre de contact") else 0.02):
            e = ""
        style = styles[s] if U[i, 10] > 0.25 else ("spaces", "intl", "plain", "dots")[K[i, 0]]
        p = format_phone(phone[i], style) if U[i, 11] > (0.25 if s == "site web" else 0.08) else ""
        b = birth[i] if U[i, 12] < (0.9 if s == "carte fidélité" else 0.3) else ""
        if b and U[i, 13] < 0.05:  # day and month swapped
            y, mth, d = b.split("-")
            b = f"{y}-{d}-{mth}" if int(d) <= 12 else b
        pc = postcode[i] if U[i, 13] > 0.1 or s == "carte fidélité" else ""
        f_out.append(f)
        l_out.append(l)
        e_out.append(e)
        p_out.append(p)
        b_out.append(b)
        pc_out.append(pc)
        city_out.append(city[i].upper() if s == "caisse" else city[i])
    acq = c["_acq_day"].to_numpy()[cust]
    fu = first_use[cust, si]
    later = acq + rng.exponential(120, r).astype(int)  # record without use: created some time after acquisition
    created = np.minimum(np.where(np.isfinite(fu), fu, later), N_DAYS - 1).astype(int)
    created = np.where(dup_flag, np.minimum(created + rng.integers(30, 400, r), N_DAYS - 1), created)
    rec_id = np.empty(r, dtype=object)
    for s in SOURCES:  # 5 sources
        sel = src == s
        num = rng.choice(900_000, sel.sum(), replace=False) + 100_000
        rec_id[sel] = np.array([f"{SOURCE_PREFIX[s]}-{x}" for x in num], dtype=object)
    silos = pd.DataFrame({"source": src, "source_record_id": rec_id, "first_name": f_out, "last_name": l_out,
                          "email": e_out, "phone": p_out, "postcode": pc_out, "city": city_out,
                          "birth_date": b_out, "created_date": fmt_date(DAYS[created]).to_numpy()})
    mapping = pd.DataFrame({"source": src, "source_record_id": rec_id,
                            "customer_id": cu["customer_id"].to_numpy()[cust]})
    order = np.lexsort((rec_id, src))
    return silos.iloc[order].reset_index(drop=True), mapping.iloc[order].reset_index(drop=True)


# ---------------------------------------------------------------------- prospects
def make_prospects(rng: np.random.Generator, T: dict) -> pd.DataFrame:
    """Sign-ups without purchase; about a quarter later became customers."""
    cu = T["customers"]
    c = T["_c"]
    acq = c["_acq_day"].to_numpy()
    n_conv, n_other = 1250, 3750
    cand = np.flatnonzero(acq >= 20)
    conv = np.sort(rng.choice(cand, n_conv, replace=False))
    s_conv = np.maximum(acq[conv] - 1 - rng.exponential(45, n_conv).astype(int), 0)
    s_other = np.sort(rng.choice(N_DAYS, n_other, p=np.linspace(1, 1.6, N_DAYS) / np.linspace(1, 1.6, N_DAYS).sum()))
    ch_conv = rng.choice(["site web", "application", "magasin", "jeu concours"], n_conv, p=[0.45, 0.25, 0.2, 0.1])
    ch_other = rng.choice(["site web", "application", "magasin", "jeu concours"], n_other, p=[0.35, 0.17, 0.13, 0.35])
    df = pd.DataFrame({
        "_day": np.concatenate([s_conv, s_other]),
        "signup_channel": np.concatenate([ch_conv, ch_other]),
        "region": np.concatenate([cu["region"].to_numpy()[conv], rng.choice(REGIONS, n_other)]),
        "age_band": np.concatenate([cu["age_band"].to_numpy()[conv],
                                    rng.choice(AGE_BANDS, n_other, p=[0.14, 0.2, 0.2, 0.18, 0.15, 0.13])]),
        "consent_email": np.concatenate([(rng.random(n_conv) < 0.85), (rng.random(n_other) < 0.7)]).astype(int),
        "converted_customer_id": np.concatenate([cu["customer_id"].to_numpy()[conv], np.full(n_other, "")]),
    })
    df = df.sort_values(["_day", "converted_customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "prospect_id", ids("P", len(df), 6))
    df.insert(1, "signup_date", fmt_date(DAYS[df["_day"].to_numpy()]).to_numpy())
    return df.drop(columns="_day")
