"""crmlab.dashboard: KPIs worked by hand on a tiny company, French errors, the views, the static page, Voilà."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab import dashboard as d
from crmlab.validation import CrmlabError, MissingColumnError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def orders():
    # A: 2024 store + 2025 web; B: 2024 web only; C: 2025 store (new); D: 2024 and 2025 store
    return pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6"],
        "customer_id": ["A", "A", "B", "C", "D", "D"],
        "order_date": ["2024-02-01", "2025-03-01", "2024-05-01", "2025-06-01", "2024-07-01", "2025-07-01"],
        "channel": ["magasin", "site web", "site web", "magasin", "magasin", "magasin"],
        "amount": [100.0, 50.0, 80.0, 60.0, 40.0, 70.0],
        "gross_margin": [40.0, 20.0, 30.0, 20.0, 10.0, 25.0],
    })


@pytest.fixture
def cpo():
    return pd.Series({"A": 10.0, "B": 5.0, "C": 8.0, "D": 2.0})


@pytest.fixture
def segs():
    return pd.Series({"A": "or", "B": "non membre", "C": "non membre", "D": "or"})


def test_contribution_is_margin_minus_cost_per_order(orders, cpo):
    f = d.order_facts(orders, cost_per_order=cpo)
    assert f["contribution"].tolist() == [30.0, 10.0, 25.0, 12.0, 8.0, 23.0]
    assert f["first_order"].tolist() == [True, False, True, True, True, False]


def test_kpis_by_hand(orders, cpo, segs):
    k = d.kpi_table(d.order_facts(orders, cost_per_order=cpo, segments=segs),
                    complaints=pd.DataFrame({"order_id": ["O2", "O6"]}))
    all25 = k.loc[("2025", "Tous", "Tous")]
    assert all25["active_customers"] == 3 and all25["new_customers"] == 1      # A, C, D; C is new
    assert all25["retained_customers"] == 2 and all25["retention"] == pytest.approx(2 / 3)  # A, D of A, B, D
    assert all25["revenue"] == 180.0 and all25["contribution"] == 10.0 + 12.0 + 23.0
    assert all25["complaints_per_1000"] == pytest.approx(1000 * 2 / 3)
    m, r = 45.0 / 3, 2 / 3                                                   # the course's residual value
    assert all25["customer_equity"] == pytest.approx(3 * sum(m * r**t / 1.1**t for t in range(1, 11)))
    assert d.kpi_table(d.order_facts(orders, cost_per_order=cpo, segments=segs)).loc[
        ("2025", "or", "Tous"), "customer_equity"] > 0                        # retention 100 %: finite over 10 years
    # within a slice: in store, 2024 had A and D, 2025 has C and D → 1 retained of 2
    store = k.loc[("2025", "Tous", "magasin")]
    assert store["retained_customers"] == 1 and store["retention"] == pytest.approx(0.5)
    gold = k.loc[("2025", "or", "Tous")]
    assert gold["active_customers"] == 2 and gold["retention"] == 1.0
    assert np.isnan(k.loc[("2024", "Tous", "Tous"), "retention"])     # no previous period


def test_quarters_are_french(orders, cpo):
    f = d.order_facts(orders, cost_per_order=cpo, freq="Q")
    assert f["period"].iloc[0] == "2024 T1"


def test_kpi_tree_multiplies_back(orders, cpo):
    row = d.kpi_table(d.order_facts(orders, cost_per_order=cpo)).loc[("2025", "Tous", "Tous")]
    t = d.kpi_tree(row)
    assert t["active_customers"] * t["orders_per_customer"] * t["contribution_per_order"] == pytest.approx(t["contribution"])
    assert t["basket"] * t["margin_rate"] - t["cost_per_order"] == pytest.approx(t["contribution_per_order"])
    assert t["retained_customers"] + t["new_customers"] + t["returning_customers"] == t["active_customers"]


def test_french_errors(orders, cpo):
    with pytest.raises(MissingColumnError, match="gross_margin"):
        d.order_facts(orders.drop(columns="gross_margin"), cost_per_order=cpo)
    with pytest.raises(CrmlabError, match="'D'"):
        d.order_facts(orders, cost_per_order=cpo.drop("D"))
    with pytest.raises(CrmlabError, match="négati"):
        d.order_facts(orders.assign(amount=-orders["amount"]), cost_per_order=cpo)
    with pytest.raises(CrmlabError, match="segment"):
        d.order_facts(orders, cost_per_order=cpo, segments=pd.Series({"A": "or"}))
    with pytest.raises(CrmlabError, match="période inconnue"):
        d.order_facts(orders, cost_per_order=cpo, freq="M")
    with pytest.raises(CrmlabError, match="aucune commande"):
        d.kpi_table(d.order_facts(orders, cost_per_order=cpo).iloc[:0])
    with pytest.raises(CrmlabError, match="date"):
        d.order_facts(orders.assign(order_date="pas une date"), cost_per_order=cpo)


def test_views_switch_and_speak_french(orders, cpo, segs):
    facts = d.order_facts(orders, cost_per_order=cpo, segments=segs)
    y = d.kpi_table(facts)
    q = d.kpi_table(d.order_facts(orders, cost_per_order=cpo, segments=segs, freq="Q"))
    views, options = d.dashboard_views(y, q)
    assert options["period"] == ["2024", "2025"] and options["segment"][0] == "Tous"
    a, b = views["2025|Tous|Tous"], views["2025|or|Tous"]
    assert a != b and "180 €" in a.replace("\u202f", " ").replace("\xa0", " ")
    assert "Rétention" in a and a.count('src="data:image/svg+xml;base64,') == 2
    with pytest.raises(CrmlabError, match="aucune donnée"):
        d.render_view(y, q, "2030")


def test_widget_swaps_the_view(orders, cpo, segs):
    facts = d.order_facts(orders, cost_per_order=cpo, segments=segs)
    views, options = d.dashboard_views(d.kpi_table(facts),
                                       d.kpi_table(d.order_facts(orders, cost_per_order=cpo, segments=segs, freq="Q")))
    box = d.dashboard_widget(views, options)
    assert box._repr_mimebundle_()["text/plain"].startswith("Widget interactif « Tableau de bord »")
    before = box.output.value
    box.controls["segment"].value = "or"
    assert box.output.value != before and views["2025|or|Tous"] in box.output.value


def test_static_page_is_self_contained(orders, cpo, segs, tmp_path):
    facts = d.order_facts(orders, cost_per_order=cpo, segments=segs)
    views, options = d.dashboard_views(d.kpi_table(facts),
                                       d.kpi_table(d.order_facts(orders, cost_per_order=cpo, segments=segs, freq="Q")))
    page = d.write_static_page(views, options, tmp_path / "x" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)     # nothing fetched from the network
    blob = re.search(r'<script id="crm-views" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(blob) == views
    assert 'id="crm-segment"' in page and '<html lang="fr">' in page


# ------------------------------------------------------------------ Voilà
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_voila_serves_the_dashboard(tmp_path):
    voila = Path(sys.executable).with_name("voila")
    if not voila.exists():
        pytest.skip(f"voila absent ({voila}) : le test du tableau de bord servi est sauté")
    port = _free_port()
    log = tmp_path / "voila.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with open(log, "w") as out:
        proc = subprocess.Popen([str(voila), "dashboard/tableau_de_bord.ipynb", "--no-browser", f"--port={port}",
                                 "--Voila.ip=127.0.0.1"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        body = None
        while body is None:
            if proc.poll() is not None:
                pytest.skip("voila n'a pas pu démarrer :\n" + log.read_text(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=150) as r:
                    assert r.status == 200
                    body = r.read().decode("utf-8")
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail("voila n'a pas répondu en 180 s :\n" + log.read_text(errors="replace")[-2000:])
                time.sleep(0.5)
        assert "Tableau de bord de la relation client" in body
        assert "application/vnd.jupyter.widget-view+json" in body      # the dashboard widget itself
        assert "application/vnd.jupyter.stderr" not in body and "most recent call last" not in body  # no error output
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_nps_and_service_by_hand():
    survey = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "recommend": [10, 9, 7, 2],
                           "survey_date": ["2024-10-01"] * 4})
    t = d.nps_by_period(survey, pd.Series({"A": "or", "B": "or", "C": "or", "D": "bronze"}))
    assert t.loc[("2024", "Tous"), "nps"] == pytest.approx(100 * (2 / 4 - 1 / 4))
    assert t.loc[("2024", "or"), "nps"] == pytest.approx(100 * 2 / 3)
    assert t.loc[("2024", "bronze"), "respondents"] == 1
    calls = pd.DataFrame({"interval_start": ["2025-01-02 08:00", "2025-01-02 08:30"], "calls_offered": [10, 30],
                          "calls_answered": [10, 27], "calls_abandoned": [0, 3], "answered_within_20s": [9, 21],
                          "avg_speed_of_answer_s": [5.0, 20.0]})
    s = d.service_by_period(calls).loc["2025"]
    assert s["service_level"] == pytest.approx(30 / 40) and s["abandon_rate"] == pytest.approx(3 / 40)
    assert s["asa_s"] == pytest.approx((10 * 5 + 27 * 20) / 37)
    with pytest.raises(MissingColumnError, match="answered_within_20s"):
        d.service_by_period(calls.drop(columns="answered_within_20s"))


def test_kpi_tree_figure_and_errors(orders, cpo):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    row = d.kpi_table(d.order_facts(orders, cost_per_order=cpo)).loc[("2025", "Tous", "Tous")]
    fig, ax = plt.subplots()
    d.plot_kpi_tree(d.kpi_tree(row), drivers={"NPS": "12 points"}, ax=ax)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "Contribution" in texts and "45 €" in texts.replace("\u202f", " ").replace("\xa0", " ") and "NPS" in texts
    plt.close(fig)
    with pytest.raises(CrmlabError, match="contribution"):
        d.kpi_tree(row.drop("contribution"))
    with pytest.raises(CrmlabError, match="aucune commande"):
        d.kpi_tree(row.copy().set_axis(row.index).where(row.index != "orders", 0.0))
