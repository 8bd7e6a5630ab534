"""Identity sources: records of customers in the source systems (silos) with the true mapping, prospects, B2B accounts and contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reference import (ACCENTS, AGE_BANDS, DAYS, NICKNAMES, N_DAYS, REGIONS, SOURCES, SOURCE_PREFIX, ascii_slug, fmt_date, format_phone, ids, phone_numbers)


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


STREETS = ["rue des Lilas", "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur",
           "rue du Moulin", "chemin des Vignes", "rue de la Gare", "allée des Tilleuls", "rue Jules Ferry",
           "avenue de la Libération", "rue des Écoles", "impasse des Roses", "rue du Général de Gaulle",
           "place de l'Église", "rue Pierre Curie", "boulevard Gambetta", "rue des Peupliers", "route de Paris",
           "rue Jean Moulin", "avenue Foch", "rue des Acacias", "rue de la Paix", "chemin du Lavoir"]
ABBREVIATIONS = {"rue ": "r. ", "avenue ": "av. ", "boulevard ": "bd ", "chemin ": "ch. ", "allée ": "all. "}
LANDLINE_PREFIX = {"Île-de-France": "01", "Bretagne": "02", "Pays de la Loire": "02", "Hauts-de-France": "03",
                   "Grand Est": "03", "Auvergne-Rhône-Alpes": "04", "Provence-Alpes-Côte d'Azur": "04",
                   "Nouvelle-Aquitaine": "05", "Occitanie": "05"}


def make_households(rng: np.random.Generator, P: dict, cu: pd.DataFrame, c: pd.DataFrame,
                    pick: np.ndarray) -> pd.DataFrame:
    """Households of the persons seen in the silos (from ``stream("households")``).

    A share of the persons live with another one of them (same city, close age, paired
    after a random shuffle): they share a street address, a landline and a family
    e-mail, and in some couples the second member uses the first one's last name
    (« nom d'usage »). Everybody else lives alone at an address of their own.
    Returns one row per picked person: household number, rank in the household,
    address, landline, family e-mail (empty for one-person households), usage last name.
    """
    hp = P["households"]
    m = pick.size
    city = cu["city"].to_numpy()[pick]
    age = c["_age"].to_numpy()[pick]
    shared = rng.random(m) < hp["share_in_couples"]
    order = np.lexsort((rng.random(m), age, city))
    order = order[shared[order]]
    grp = pd.Series(city[order]).groupby(city[order]).cumcount().to_numpy() // 2
    key = pd.Series(city[order]).astype(str) + "|" + pd.Series(grp).astype(str)
    size = key.map(key.value_counts()).to_numpy()
    order, key = order[size == 2], key[size == 2]
    hh = np.arange(m)  # one-person households by default: the person's own index
    codes, _ = pd.factorize(key)
    hh[order] = m + codes
    _, hh = np.unique(hh, return_inverse=True)  # households numbered 0.. in order of their first member
    rank = pd.Series(np.arange(m)).groupby(hh).cumcount().to_numpy()
    n_hh = hh.max() + 1
    spot = rng.choice(200 * len(STREETS), n_hh, replace=False)  # one street address per household
    number, street = 1 + spot // len(STREETS), spot % len(STREETS)
    address = np.array([f"{a} {STREETS[b]}" for a, b in zip(number, street)], dtype=object)[hh]
    region = cu["region"].to_numpy()[pick]
    body = rng.choice(100_000_000, n_hh, replace=False)
    landline = np.array([f"{LANDLINE_PREFIX[r]}{b:08d}" for r, b in zip(region, body[hh])], dtype=object)
    first = cu["first_name"].to_numpy()[pick]
    last = cu["last_name"].to_numpy()[pick]
    head = np.zeros(n_hh, dtype=int)
    head[hh[rank == 0]] = np.flatnonzero(rank == 0)
    usage = (rank == 1) & (rng.random(m) < hp["usage_name_prob"])
    usage_last = np.where(usage, last[head[hh]], last)
    dom = rng.choice(["orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "gmail.com"], n_hh)
    hsize = np.bincount(hh, minlength=n_hh)
    fam = np.array([f"famille.{ascii_slug(last[head[h]]).replace('-', '')}.{h}@{dom[h]}" if hsize[h] > 1 else ""
                    for h in hh], dtype=object)
    # a few households share one family e-mail address, which its members give in some records
    fam_user = (rng.random(n_hh) < hp["family_email_household_prob"]) & (hsize > 1)
    return pd.DataFrame({"hh": hh, "rank": rank, "size": hsize[hh], "address": address, "landline": landline,
                         "family_email": fam, "family_email_user": fam_user[hh], "usage_last": usage_last})


def make_silos(rng: np.random.Generator, T: dict, hh_rng: np.random.Generator, P: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer records in 5 source systems, with realistic noise, households, and their true mapping."""
    cu = T["customers"]
    c = T["_c"]
    truth = T["customers_truth"]
    n = len(cu)
    pick = np.sort(rng.choice(n, 3000, replace=False))
    house = make_households(hh_rng, P, cu, c, pick)
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
    # households: usage last name, family e-mail or landline on some records, shared street address
    hp = P["households"]
    h = house.iloc[ci]
    in_hh = h["size"].to_numpy() > 1
    last = h["usage_last"].to_numpy().astype(object)
    V = hh_rng.random((r, 3))
    fam_mail = in_hh & h["family_email_user"].to_numpy() & (V[:, 0] < hp["family_email_record_prob"])
    email = np.where(fam_mail, h["family_email"].to_numpy(), email)
    phone = np.where(in_hh & ~fam_mail & (V[:, 1] < hp["landline_prob"]), h["landline"].to_numpy(), phone)
    miss_addr = {"caisse": 0.5, "site web": 0.05, "application": 0.4, "centre de contact": 0.3, "carte fidélité": 0.02}
    addr = h["address"].to_numpy().astype(object)
    abbrev = V[:, 2] < 0.2
    a_out = []
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
        a = addr[i]
        if abbrev[i]:
            for full, short in ABBREVIATIONS.items():
                a = a.replace(full, short)
        a_out.append(a.upper() if s == "caisse" else a)
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
    a_out = np.where(hh_rng.random(r) < np.array([miss_addr[x] for x in src]), "", np.array(a_out, dtype=object))
    silos = pd.DataFrame({"source": src, "source_record_id": rec_id, "first_name": f_out, "last_name": l_out,
                          "email": e_out, "phone": p_out, "address": a_out, "postcode": pc_out, "city": city_out,
                          "birth_date": b_out, "created_date": fmt_date(DAYS[created]).to_numpy()})
    mapping = pd.DataFrame({"source": src, "source_record_id": rec_id,
                            "customer_id": cu["customer_id"].to_numpy()[cust],
                            "household_id": ids("F", int(house["hh"].max()) + 1, 4)[h["hh"].to_numpy()]})
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
