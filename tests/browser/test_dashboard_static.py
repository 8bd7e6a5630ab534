"""The chapter 13 dashboard in Chromium, both ways it is served alone:

- the static page, built as `make dashboard-static` builds it and opened from disk with every
  network request refused: its menus still switch the views (no kernel);
- the live page served by Voilà as `make dashboard` serves it: a menu change comes back as a new view.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium absent ({CHROMIUM}) : test du tableau de bord statique sauté."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright absent : test du tableau de bord statique sauté."
    return None


@pytest.fixture(scope="module")
def offline_browser(request):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    return request.getfixturevalue("browser")


@pytest.fixture(scope="module")
def static_page(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("dashboard") / "index.html"
    subprocess.run([sys.executable, "-m", "crmlab.dashboard", str(target)], cwd=ROOT, check=True, timeout=300)
    return target


def test_static_dashboard_switches_views_offline(static_page, offline_browser):
    page = offline_browser.new_page()
    requests = []

    def refuse(route):
        requests.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)   # no network at all: anything fetched over http(s) fails
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(static_page.as_uri())
        view = page.locator("#crm-view .crm-dashboard")
        view.wait_for(timeout=10_000)
        assert view.get_attribute("data-view") == "2025|Tous|Tous"
        before = page.locator("#crm-view").inner_text()
        assert "Clients actifs" in before and "€" in before
        page.select_option("#crm-segment", "or")
        page.wait_for_function("document.querySelector('#crm-view .crm-dashboard').dataset.view === '2025|or|Tous'",
                               timeout=5_000)
        after = page.locator("#crm-view").inner_text()
        assert after != before and "segment : or" in after
        page.select_option("#crm-period", "2024")
        page.wait_for_function("document.querySelector('#crm-view .crm-dashboard').dataset.view === '2024|or|Tous'",
                               timeout=5_000)
        charts = page.locator("#crm-view img.crm-chart")
        assert charts.count() == 2
        assert all(charts.nth(i).evaluate("im => im.complete && im.naturalWidth > 0") for i in range(2))
        assert requests == [] and errors == []
    finally:
        page.close()


def test_voila_dashboard_switches_views_live(offline_browser, tmp_path):
    """The same dashboard served live by Voilà (`make dashboard`): a menu change reaches the kernel and back."""
    import os
    import signal
    import socket
    import time
    import urllib.request

    voila = Path(sys.executable).with_name("voila")
    if not voila.exists():
        pytest.skip(f"voila absent ({voila})")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "voila.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(voila), "dashboard/tableau_de_bord.ipynb", "--no-browser", f"--port={port}",
                                 "--Voila.ip=127.0.0.1"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
                                start_new_session=True)
    page = offline_browser.new_page()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=5)
                break
            except urllib.error.HTTPError:
                break                      # the server answers
            except (ConnectionError, urllib.error.URLError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.skip("voila n'a pas pu démarrer :\n" + log.read_text(errors="replace")[-2000:])
                time.sleep(0.3)
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        view = page.locator(".crm-dashboard").first
        view.wait_for(timeout=120_000)
        assert view.get_attribute("data-view") == "2025|Tous|Tous"
        start = time.perf_counter()
        page.locator("select").nth(2).select_option(label="magasin")
        page.wait_for_function("document.querySelector('.crm-dashboard').dataset.view === '2025|Tous|magasin'",
                               timeout=5_000)
        print(f"Voilà : nouvelle vue affichée {1000 * (time.perf_counter() - start):.0f} ms après le changement")
        assert "canal : magasin" in page.locator(".crm-dashboard").first.inner_text()
    finally:
        page.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
