"""The static dashboard (chapter 13) in Chromium: built as `make dashboard-static` builds it, opened
from disk with every network request refused, its menus still switch the views (no kernel)."""

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
