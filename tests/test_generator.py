"""Realism and reproducibility of the synthetic company (crmlab.generator).

The data are rebuilt once per session into a temporary folder (session fixture
``built``) and compared byte for byte with ``datasets/SHA256SUMS``; the realism
tests then read that fresh copy. Tolerances are stated in each test (and in
datasets/README.md); none is derived from the generated output.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab import datasets, generator

REPO_SUMS = Path(datasets.__file__).resolve().parent.parent / "datasets" / "SHA256SUMS"


@pytest.fixture(scope="session")
def company(built) -> dict:
    """The freshly built tables, read with the course loaders (env var set only while loading)."""
    names = ["customers", "orders", "order_lines", "campaign_contacts", "campaigns", "cost_to_serve",
             "activity_costs", "events", "complaints", "survey", "silos", "loyalty_points", "prospects",
             "stores", "products", "calls", "b2b_accounts", "b2b_contacts"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CRMLAB_DATA_DIR", str(built))
        out = {name: getattr(datasets, f"load_{name}")() for name in names}
        out["truth"] = datasets.load_ground_truth("customers")
        out["silo_mapping"] = datasets.load_ground_truth("silo_mapping")
        out["params"] = datasets.load_ground_truth("parameters")
    return out


# ------------------------------------------------------------- reproducibility
def test_build_is_byte_for_byte_reproducible(built, capsys):
    assert REPO_SUMS.exists(), "datasets/SHA256SUMS manque : lancez python -m crmlab.datasets build"
    listed = {line.split(maxsplit=1)[1] for line in REPO_SUMS.read_text().splitlines() if line.strip()}
    written = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert listed == written
    assert generator.check_checksums(built, sums=REPO_SUMS) == 0, capsys.readouterr().out


def test_check_checksums_reports_a_changed_file(built, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    with open(copy / "stores.csv", "a", encoding="utf-8") as f:
        f.write("S99,Verdane Test,Paris,Île-de-France,2020-01-01,1000\n")
    assert generator.check_checksums(copy, sums=REPO_SUMS) == 1
    out = capsys.readouterr().out
    assert "stores.csv" in out and "contenu différent" in out


def test_build_into_unwritable_folder_gives_french_message(tmp_path):
    blocker = tmp_path / "un_fichier"
    blocker.write_text("x")
    target = blocker / "donnees"  # a folder cannot be created inside a file
    with pytest.raises(generator.OutputNotWritableError, match="impossible d'écrire") as exc:
        generator.build(target)
    assert str(target) in str(exc.value)


def test_cli_build_into_unwritable_folder_exits_1_without_traceback(tmp_path, capsys):
    blocker = tmp_path / "un_fichier"
    blocker.write_text("x")
    assert datasets._main(["build", "--out", str(blocker / "d")]) == 1
    err = capsys.readouterr().err
    assert "impossible d'écrire" in err and "Traceback" not in err


# ------------------------------------------------------------------ BG/NBD
def _bgnbd_summary(orders: pd.DataFrame, customers: pd.DataFrame, cal_end: str) -> pd.DataFrame:
    """frequency / recency / T in weeks for the 2023 cohort, natural orders only, one purchase per day."""
    cohort = customers.loc[customers["acquisition_date"] < "2024-01-01", "customer_id"]
    x = orders[orders["customer_id"].isin(cohort) & (orders["order_date"] <= cal_end)
               & orders["campaign_id"].isna()].drop_duplicates(["customer_id", "order_date"])
    g = x.groupby("customer_id")["order_date"]
    first, last = g.min(), g.max()
    return pd.DataFrame({"frequency": g.size() - 1, "recency": (last - first).dt.days / 7,
                         "T": (pd.Timestamp(cal_end) - first).dt.days / 7})


def _import_beta_geo():
    with warnings.catch_warnings():
        # the one known warning of ``import lifetimes`` under pandas 3 (a deprecated option)
        warnings.filterwarnings("ignore", message=r".*mode\.chained_assignment",
                                category=pd.errors.Pandas4Warning)
        from lifetimes import BetaGeoFitter
    return BetaGeoFitter


def test_bgnbd_ranks_repeat_buyers_but_cannot_see_one_time_buyers_leave(company):
    """v2 (issue 11): the purchases follow a *shifted* BG/NBD (the dropout coin is also tossed
    after the first purchase), so the BG/NBD is misspecified: it no longer recovers the
    generating parameters (v1 pinned them), but still ranks repeat buyers.

    Tolerances: fitted r < 0.6 (strong heterogeneity; true r = 0.4); among repeat buyers
    P(alive) ranks the truly alive above the departed (AUC > 0.70); for one-time buyers the
    BG/NBD says P(alive) = 1 while at most 75 % of them are truly alive.
    """
    from sklearn.metrics import roc_auc_score

    cal_end = "2024-06-30"
    s = _bgnbd_summary(company["orders"], company["customers"], cal_end)
    model = _import_beta_geo()(penalizer_coef=0.0).fit(s["frequency"], s["recency"], s["T"])
    assert model.params_["r"] < 0.6
    p_alive = model.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    truth = company["truth"].set_index("customer_id").loc[s.index]
    alive = (truth["death_date"].isna() | (truth["death_date"] > cal_end)).to_numpy()
    repeat = (s["frequency"] > 0).to_numpy()
    assert roc_auc_score(alive[repeat], p_alive[repeat]) > 0.70
    assert np.allclose(p_alive[~repeat], 1.0)
    assert alive[~repeat].mean() < 0.75


def test_gamma_gamma_recovers_spend_parameters(company):
    """Tolerance ±20 % on p, q and gamma, fitted on the pre-discount value of repeat natural orders
    of the customers outside the professional group (v2: in that group, planted on purpose,
    spend depends on frequency and the Gamma-Gamma assumption fails)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*mode\.chained_assignment",
                                category=pd.errors.Pandas4Warning)
        from lifetimes import GammaGammaFitter
    o = company["orders"]
    o = o[o["campaign_id"].isna()].sort_values("order_datetime")
    value = (o["amount"] + o["discount"]).rename("value")
    repeat = value[o.groupby("customer_id").cumcount().to_numpy() > 0]
    g = repeat.groupby(o.loc[repeat.index, "customer_id"]).agg(["mean", "size"])
    pro = company["truth"].set_index("customer_id")["pro_buyer"]
    g = g[~pro.reindex(g.index).to_numpy(dtype=bool)]
    fitted = GammaGammaFitter(penalizer_coef=0.0).fit(g["size"], g["mean"]).params_
    true = company["params"]["gamma_gamma"]
    assert fitted["p"] == pytest.approx(true["p"], rel=0.20)
    assert fitted["q"] == pytest.approx(true["q"], rel=0.20)
    assert fitted["v"] == pytest.approx(true["gamma"], rel=0.20)


# ---------------------------------------------------------------- value
def test_top_20_percent_make_55_to_80_percent_of_sales(company):
    sales = company["orders"].groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    share = sales.iloc[: int(0.2 * len(sales))].sum() / sales.sum()
    assert 0.55 <= share <= 0.80


def test_whale_curve_peaks_between_130_and_300_percent(company):
    cts = company["cost_to_serve"].set_index("customer_id")
    act = company["activity_costs"]
    allocated = act[act["kind"] != "commun"]
    cost = sum(cts[a.driver] * a.cost_pool_eur / cts[a.driver].sum() for a in allocated.itertuples())
    margin = company["orders"].groupby("customer_id")["gross_margin"].sum().reindex(cts.index, fill_value=0)
    profit = (margin - cost).sort_values(ascending=False)
    peak = (profit.cumsum() / profit.sum()).max()
    assert 1.3 <= peak <= 3.0
    assert 0.10 <= (profit < 0).mean() <= 0.60


def test_order_lines_sum_to_pre_discount_value(company):
    o = company["orders"].set_index("order_id")
    lines = company["order_lines"].groupby("order_id")["line_amount"].sum()
    diff = (lines.reindex(o.index) - (o["amount"] + o["discount"])).abs()
    assert diff.max() < 0.02
    assert (o["amount"] >= 0).all() and (o["discount"] >= 0).all()


# ---------------------------------------------------------------- loyalty
def test_naive_member_comparison_overstates_the_true_effect(company):
    c, o = company["customers"], company["orders"]
    base = c[c["acquisition_date"] < "2024-07-01"].set_index("customer_id")
    after = o[o["order_date"] >= "2024-07-01"].groupby("customer_id").size().reindex(base.index, fill_value=0)
    naive = after[base["loyalty_member"]].mean() / after[~base["loyalty_member"]].mean()
    true = 1 + company["params"]["loyalty"]["true_effect"]
    assert naive > true + 0.5  # self-selection: heavy buyers join


def test_points_balance_never_negative(company):
    lp = company["loyalty_points"].copy()
    lp["_o"] = lp["type"].map({"gain": 0, "expiration": 1, "utilisation": 2}).astype(int)
    lp = lp.sort_values(["customer_id", "date", "_o"])
    balance = lp.groupby("customer_id")["points"].cumsum()
    assert balance.min() >= 0
    members = company["customers"].loc[company["customers"]["loyalty_member"], "customer_id"]
    assert set(lp["customer_id"]) <= set(members)


# -------------------------------------------------------------- campaigns
def test_test_and_control_groups_are_balanced_on_prior_spend(company):
    cc, camp, o = company["campaign_contacts"], company["campaigns"], company["orders"]
    parts = []
    for k in camp.itertuples():
        prior = o[(o["order_date"] < k.send_date) & (o["order_date"] >= k.send_date - pd.Timedelta(days=365))]
        spend = prior.groupby("customer_id")["amount"].sum()
        x = cc[cc["campaign_id"] == k.campaign_id]
        v = spend.reindex(x["customer_id"]).fillna(0).to_numpy()
        parts.append(pd.DataFrame({"group": x["group"].to_numpy(), "v": v - v.mean()}))
    d = pd.concat(parts)
    t, w = d.loc[d["group"] == "test", "v"], d.loc[d["group"] == "témoin", "v"]
    smd = abs(t.mean() - w.mean()) / np.sqrt((t.var() + w.var()) / 2)
    assert smd < 0.05  # pooled within-campaign standardised difference
    shares = cc.groupby("campaign_id", observed=True)["group"].apply(lambda g: (g == "témoin").mean())
    prog = camp.set_index("campaign_id")["programme"].reindex(shares.index)
    assert shares[prog == "opération"].between(0.05, 0.25).all()  # each operation's own control group
    size = camp.set_index("campaign_id")["n_targeted"].reindex(shares.index)
    routine = prog.isin(["lettre d'information", "SMS mensuel", "courrier trimestriel"]) & (size >= 500)
    assert shares[routine].between(0.02, 0.10).all()  # the permanent 5 % holdout of the regular programme
    assert shares[prog == "test d'uplift"].between(0.45, 0.55).all()


def test_uplift_is_heterogeneous_by_true_type(company):
    cc = company["campaign_contacts"].merge(company["truth"][["customer_id", "uplift_type"]], on="customer_id")
    prog = company["campaigns"].set_index("campaign_id")["programme"]
    offers = cc[cc["campaign_id"].map(prog).isin(["opération", "test d'uplift"]).to_numpy()]  # one-off offers
    rate = offers.groupby(["uplift_type", "group"], observed=True)["responded"].mean().unstack()
    uplift = rate["test"] - rate["témoin"]
    assert uplift["persuadable"] > 0.10
    assert uplift["chien qui dort"] < 0
    unsub = cc.groupby(["uplift_type", "group"], observed=True)["unsubscribed"].mean().unstack()["test"]
    assert unsub["chien qui dort"] > 2 * unsub["acquis"]
    inc = company["orders"].dropna(subset=["campaign_id"])
    contacted = cc[cc["contacted"]][["campaign_id", "customer_id"]]
    assert len(inc.merge(contacted, on=["campaign_id", "customer_id"])) == len(inc)  # only treated customers


def test_contact_pressure_raises_unsubscribes(company):
    """Treated customers contacted in the previous 90 days unsubscribe at least 1.2 times as often."""
    cc = company["campaign_contacts"].merge(company["campaigns"][["campaign_id", "send_date"]], on="campaign_id")
    sent = cc.loc[cc["contacted"], ["customer_id", "send_date"]]
    pairs = cc.merge(sent, on="customer_id", suffixes=("", "_prev"))
    recent = pairs[(pairs["send_date_prev"] < pairs["send_date"])
                   & (pairs["send_date_prev"] >= pairs["send_date"] - pd.Timedelta(days=90))]
    keys = set(zip(recent["campaign_id"], recent["customer_id"]))
    treated = cc[cc["contacted"]]
    pressed = np.array([k in keys for k in zip(treated["campaign_id"], treated["customer_id"])])
    assert treated.loc[pressed, "unsubscribed"].mean() > 1.2 * treated.loc[~pressed, "unsubscribed"].mean()


# ---------------------------------------------------------- survey, complaints
def test_survey_needs_segments_are_recoverable(company):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    s = company["survey"].merge(company["truth"][["customer_id", "needs_segment"]], on="customer_id")
    items = [c for c in s.columns if c.startswith(("need_", "civ_"))]
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(s[items].to_numpy(float))
    assert adjusted_rand_score(s["needs_segment"].astype(str), labels) > 0.5


def test_satisfied_customers_keep_buying_after_the_survey(company):
    s, o = company["survey"], company["orders"]
    later = o.merge(s[["customer_id", "survey_date"]], on="customer_id")
    later = later[(later["order_date"] > later["survey_date"] + pd.Timedelta(days=180))
                  & (later["order_date"] <= later["survey_date"] + pd.Timedelta(days=365))]
    buys = s["customer_id"].isin(later["customer_id"])  # still buying 6 to 12 months after the survey
    satisfied, dissatisfied = s["satisfaction"] >= 9, s["satisfaction"] <= 5
    assert buys[satisfied].mean() > buys[dissatisfied].mean() + 0.15
    assert s.loc[buys, "attitude"].mean() > s.loc[~buys, "attitude"].mean()


def test_badly_handled_complaints_raise_later_dropout(company):
    comp, o = company["complaints"], company["orders"]
    comp = comp[comp["complaint_date"] < "2025-06-30"]
    later = o.merge(comp[["customer_id", "complaint_date"]], on="customer_id")
    later = later[later["order_date"] > later["complaint_date"]]
    buys = comp["customer_id"].isin(later["customer_id"])
    good = comp["resolution"] == "résolue – satisfait"
    assert buys[good].mean() > buys[~good].mean() + 0.1


# ------------------------------------------------------------------- keys
def test_keys_are_unique_and_join(company):
    c, o, lines = company["customers"], company["orders"], company["order_lines"]
    ids = set(c["customer_id"])
    assert c["customer_id"].is_unique and o["order_id"].is_unique
    assert not c["email"].duplicated().any() and not c["phone"].duplicated().any()
    assert set(o["customer_id"]) <= ids
    assert set(lines["order_id"]) == set(o["order_id"])
    assert not lines.duplicated(["order_id", "line_no"]).any()
    assert set(lines["product_id"]) <= set(company["products"]["product_id"])
    stores = set(company["stores"]["store_id"])
    assert set(c["home_store_id"]) <= stores and set(o["store_id"].dropna()) <= stores
    assert (o["store_id"].notna() == (o["channel"] == "magasin")).all()
    assert (o["delivery_mode"].isna() == (o["channel"] == "magasin")).all()
    first = o.groupby("customer_id")["order_date"].min()
    assert (first.reindex(c["customer_id"]).to_numpy() == c["acquisition_date"].to_numpy()).all()
    cts = company["cost_to_serve"].set_index("customer_id")
    assert (cts["n_orders"] == o.groupby("customer_id").size().reindex(cts.index, fill_value=0)).all()
    cc = company["campaign_contacts"]
    assert set(cc["customer_id"]) <= ids and not cc.duplicated(["campaign_id", "customer_id"]).any()
    assert set(cc["campaign_id"]) <= set(company["campaigns"]["campaign_id"])
    comp = company["complaints"].merge(o[["order_id", "customer_id", "order_date"]], on="order_id",
                                       suffixes=("", "_o"))
    assert len(comp) == len(company["complaints"]) and (comp["customer_id"] == comp["customer_id_o"]).all()
    assert (comp["complaint_date"] >= comp["order_date"]).all()
    lp = company["loyalty_points"]
    assert set(lp["order_id"].dropna()) <= set(o["order_id"])
    members = c[c["loyalty_member"]]
    assert members["loyalty_join_date"].notna().all() and members["loyalty_tier"].notna().all()
    assert (members["loyalty_join_date"] >= "2024-07-01").all()


def test_no_order_after_the_true_departure(company):
    truth = company["truth"].dropna(subset=["death_date"])[["customer_id", "death_date"]]
    last = company["orders"].groupby("customer_id")["order_date"].max()
    assert (last.reindex(truth["customer_id"]).to_numpy() <= truth["death_date"].to_numpy()).all()
    assert set(truth["customer_id"]) <= set(last.index)


def test_events_end_in_existing_orders(company):
    ev, o = company["events"], company["orders"]
    assert ev["event_id"].is_unique
    buy = ev[ev["event_type"] == "purchase"]
    assert buy["order_id"].notna().all() and buy["order_id"].is_unique
    assert ev.loc[ev["event_type"] != "purchase", "order_id"].isna().all()
    m = buy.merge(o[["order_id", "customer_id", "channel"]], on="order_id", suffixes=("", "_o"))
    assert len(m) == len(buy) and (m["customer_id"] == m["customer_id_o"]).all()
    q4web = o[(o["order_date"] >= "2025-10-01") & o["channel"].isin(["site web", "application", "magasin"])]
    assert set(q4web["order_id"]) == set(buy["order_id"])
    assert ev["event_datetime"].between("2025-10-01", "2026-01-01").all()
    sessions = ev.groupby("session_id")["customer_id"].nunique()
    assert (sessions == 1).all()


def test_silo_mapping_covers_every_record(company):
    silos, mapping = company["silos"], company["silo_mapping"]
    assert not silos.duplicated(["source", "source_record_id"]).any()
    keys = ["source", "source_record_id"]
    m = silos[keys].merge(mapping, on=keys, how="left")
    assert m["customer_id"].notna().all()
    assert set(m["customer_id"]) <= set(company["customers"]["customer_id"])
    per_customer = mapping.groupby("customer_id").size()
    assert (per_customer >= 2).mean() > 0.6  # most customers appear in several records


def test_prospects_convert_after_signing_up(company):
    p, c = company["prospects"], company["customers"].set_index("customer_id")
    conv = p.dropna(subset=["converted_customer_id"])
    assert 0.1 < len(conv) / len(p) < 0.5
    acq = c.loc[conv["converted_customer_id"], "acquisition_date"].to_numpy()
    assert (acq > conv["signup_date"].to_numpy()).all()


def test_calls_follow_opening_hours_and_weekly_pattern(company):
    calls = company["calls"]
    t = calls["interval_start"]
    assert (t.dt.day_of_week < 6).all() and t.dt.hour.between(8, 19).all()
    assert (calls["calls_answered"] <= calls["calls_offered"]).all()
    daily = calls.groupby(t.dt.date)["calls_offered"].sum()
    dow = pd.Series(daily.to_numpy(), index=pd.to_datetime(daily.index).day_of_week).groupby(level=0).mean()
    assert dow[0] > dow[5]  # Monday busier than Saturday
    aht = (calls["avg_handle_time_s"] * calls["calls_answered"]).sum() / calls["calls_answered"].sum()
    assert 240 <= aht <= 360


def test_b2b_accounts_have_a_buying_group(company):
    acc, con = company["b2b_accounts"], company["b2b_contacts"]
    assert set(con["account_id"]) == set(acc["account_id"])
    roles = con.groupby("account_id", observed=True)["role"].apply(set)
    assert roles.map(lambda r: "décideur" in r).all()
    assert con.groupby("role", observed=True)["influence"].mean()["décideur"] > \
        con.groupby("role", observed=True)["influence"].mean()["utilisateur"]
