"""The course website (``make site``): built here from the stored notebooks, then read as a visitor does.

The build runs once per module, into a temporary folder, with the very script ``make site``
runs. The first tests read the generated files (no browser needed); the last ones open the
site in Debian's headless Chromium (the harness of ``conftest.py``), served from
127.0.0.1 and then from disk, with every request that is neither to that server nor a
``data:`` / ``file:`` URL blocked and recorded: none may be needed.

Which pages the browser opens is found, not named: the first lesson with both a formula
and a saved widget view, and that chapter's exercises.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import re
import runpy
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("website_build", ROOT / "website" / "build.py")
site_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site_build)

CONF = runpy.run_path(str(ROOT / "website" / "conf.py"))
CHAPTERS = site_build.chapters()
REMOTE_ASSET = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built as ``make site`` builds it (website/build.py), in a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    proc = subprocess.run([sys.executable, str(ROOT / "website" / "build.py"), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (out.parent / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return out


def _page(site: Path, source: Path) -> Path:
    return site / source.relative_to(ROOT).with_suffix(".html")


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _featured(site: Path) -> dict:
    """The first chapter whose lesson page has a formula and a saved widget view."""
    for ch in CHAPTERS:
        text = _html(_page(site, ch["lesson"]))
        if 'class="math' in text and "crmlab-widget-static" in text and ch["exercises"]:
            return ch
    pytest.fail("no lesson with both a formula and a saved widget view")


# =========================================================== the generated files
def test_the_build_reports_no_warning_and_no_error(site):
    log = (site.parent / "build.log").read_text(encoding="utf-8")
    assert "Site : " in log
    problems = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|CRITICAL|Traceback", line)]
    assert problems == [], "\n".join(problems)


def test_every_chapter_page_of_the_repository_is_on_the_site(site):
    sources = [p for ch in CHAPTERS for k in ("lesson", "exercises", "solutions", "instructor")
               if (p := ch[k]) is not None]
    sources += sorted((ROOT / "instructor").glob("*.md"))
    assert len(sources) >= 3 * len(CHAPTERS) > 0
    missing = [str(p.relative_to(ROOT)) for p in sources if not _page(site, p).is_file()]
    assert missing == []
    for page in ("index.html", "docs/conventions.html", "datasets/README.html", "search.html", "searchindex.js"):
        assert (site / page).is_file(), page


def _pages(site: Path) -> list[Path]:
    """The site's pages (not the theme's template fragments in _static/)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def test_every_page_is_in_french(site):
    pages = _pages(site)
    assert len(pages) > 3 * len(CHAPTERS)
    assert [p.name for p in pages if '<html lang="fr"' not in _html(p)] == []
    assert "LANGUAGE: 'fr'" in _html(site / "_static" / "documentation_options.js").replace('"', "'")


def test_no_page_loads_anything_from_the_network(site):
    found = {str(p.relative_to(site)): REMOTE_ASSET.findall(_html(p)) for p in site.rglob("*.html")}
    assert {k: v for k, v in found.items() if v} == {}
    css = {str(p.relative_to(site)) for p in site.rglob("*.css")
           if re.search(r"@import\s+url\(\s*['\"]?https?:|url\(\s*['\"]?https?:", p.read_text(errors="replace"))}
    assert css == set()
    assert (site / "_static" / "mathjax" / "tex-svg.js").is_file()


def test_the_home_page_is_the_readme_with_every_chapter_in_the_navigation(site):
    home = _html(site / "index.html")
    title = re.search(r"^# (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.M).group(1)
    assert title.split(" — ")[0] in home
    for ch in CHAPTERS:
        assert f'href="{ch["lesson"].relative_to(ROOT).with_suffix(".html").as_posix()}"' in home, ch["nn"]
    assert "badge_logo.svg" not in home           # README's Binder badge: a remote image, left out
    assert f"{CONF['REPOSITORY_URL']}/blob/HEAD/LICENSE" in home   # files the site lacks: on the repository


def test_each_lesson_links_to_its_exercises_solution_and_notes(site):
    for ch in CHAPTERS:
        lesson = _page(site, ch["lesson"])
        text = _html(lesson)
        for key in ("exercises", "solutions", "instructor"):
            if ch[key] is not None:
                target = Path("..") / ch[key].relative_to(ROOT).with_suffix(".html")
                assert f'href="{target.as_posix()}"' in text, (ch["nn"], key)
        if ch["exercises"] is not None:
            back = f'href="../{ch["lesson"].relative_to(ROOT).with_suffix(".html").as_posix()}"'
            assert back in _html(_page(site, ch["exercises"])), ch["nn"]


def test_each_notebook_has_a_binder_button_opening_it_at_the_course_root(site):
    org_repo = CONF["REPOSITORY_URL"].removeprefix("https://github.com/")
    for ch in CHAPTERS:
        for key in ("lesson", "exercises", "solutions"):
            if ch[key] is None:
                continue
            path = ch[key].relative_to(ROOT).as_posix()
            url = f"{CONF['BINDERHUB_URL']}/v2/gh/{org_repo}/HEAD?urlpath=lab/tree/{path}"
            assert f'href="{url}"' in _html(_page(site, ch[key])), path


def test_the_repository_is_named_in_one_place():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"mybinder\.org/v2/gh/([^/\s]+/[^/\s]+)/", readme).group(1)
    assert CONF["REPOSITORY_URL"] == f"https://github.com/{badge}", "README's Binder badge and website/conf.py"
    assert badge not in (ROOT / "website" / "build.py").read_text(encoding="utf-8")


def test_saved_widgets_are_drawn_statically_with_their_figure(site):
    lessons = [ch["lesson"] for ch in CHAPTERS if '"application/vnd.jupyter.widget-view+json"'
               in ch["lesson"].read_text(encoding="utf-8")]
    assert lessons, "no lesson stores a widget view"
    for lesson in lessons:
        text = _html(_page(site, lesson))
        views = re.findall(r'<div class="crmlab-widget-static">(.*?)<p class="crmlab-widget-note">', text, flags=re.S)
        assert views, lesson.name
        # the figure is in one of them (a menu bar and its figure may be two views, as in chapter 00):
        # a kept matplotlib figure, or the charts the dashboard of chapter 13 draws inside its HTML view
        assert any('<img class="crmlab-w-image" src="data:image/' in v
                   or re.search(r'<div class="crmlab-w-html">.*<img class="crm-chart"[^>]*src="data:image/svg\+xml;base64,', v, flags=re.S)
                   for v in views), lesson.name
        assert "widget-view+json" not in text and "widget-state+json" not in text
        assert not re.search(r"[HV]Box\(children=", text), lesson.name


def test_a_widget_state_renders_controls_at_their_saved_values():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_d", "IPY_MODEL_o",
                                                                  "IPY_MODEL_hidden"]}},
        "s": {"model_name": "FloatSliderModel", "state": {"description": "rétention r", "value": 0.8, "min": 0.5,
                                                          "max": 0.95, "step": 0.05, "readout_format": ".2f"}},
        "d": {"model_name": "DropdownModel", "state": {"description": "Canal", "index": 1,
                                                       "_options_labels": ["magasin", "web <b>"]}},
        "o": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}]}},
        "hidden": {"model_name": "LabelModel", "state": {"value": "caché", "layout": "IPY_MODEL_l"}},
        "l": {"model_name": "LayoutModel", "state": {"display": "none"}},
    }
    out = site_build.render_widget(state, state["box"])
    assert '<span class="crmlab-w-label">rétention r</span>' in out
    assert 'value="0.8"' in out and ">0,80<" in out                      # French readout
    assert "<option selected>web &lt;b&gt;</option>" in out             # labels escaped
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out and "caché" not in out


def test_links_to_files_the_site_lacks_point_to_the_repository(tmp_path):
    source = ROOT / "notebooks" / "00_x.ipynb"
    pages = {ROOT / "exercises" / "00_x.ipynb"}
    text = ("[ex](../exercises/00_x.ipynb#q1) [lic](../LICENSE) [home](../README.md#les-données) "
            "[web](https://example.org/a) [top](#haut)")
    out = site_build.rewrite_links(text, source, pages, "https://github.com/o/r")
    assert out == ("[ex](../exercises/00_x.ipynb#q1) [lic](https://github.com/o/r/blob/HEAD/LICENSE) "
                   "[home](../index.md#les-données) [web](https://example.org/a) [top](#haut)")


# ==================================================================== in Chromium
def _browser_skip_reason() -> str | None:
    if not Path("/usr/bin/chromium").exists():
        return "Chromium absent (/usr/bin/chromium) : tests du site en navigateur sautés."
    if importlib.util.find_spec("playwright") is None:
        return "Playwright absent : tests du site en navigateur sautés."
    return None


@pytest.fixture(scope="module")
def served(site):
    """The site on a local HTTP server (127.0.0.1, free port)."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Visit:
    """A Chromium tab where only ``allowed`` URL prefixes load; everything else is blocked and recorded."""

    def __init__(self, browser, allowed: tuple[str, ...]):
        self.page = browser.new_page()
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.allowed = allowed + ("data:",)

    def _route(self, route):
        if route.request.url.startswith(self.allowed):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def check_offline(self):
        assert self.blocked == [], f"requêtes vers l'extérieur : {self.blocked}"
        assert self.failed == [], f"fichiers introuvables : {self.failed}"
        assert self.errors == [], f"erreurs JavaScript : {self.errors}"


@pytest.fixture(scope="module")
def visit(request, served):
    reason = _browser_skip_reason()
    if reason:
        pytest.skip(reason)
    tab = Visit(request.getfixturevalue("browser"), (served,))
    yield tab
    tab.page.close()


def _assert_math_rendered(page):
    page.locator("mjx-container svg").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('.math:not(:has(mjx-container))')", timeout=30_000)
    math = page.locator(".math")
    assert math.count() > 0
    assert page.locator(".math mjx-container").count() >= math.count()
    raw = page.evaluate("() => [...document.querySelectorAll('.math')].map(e => e.innerText)"
                        ".filter(t => /\\\\\\(|\\\\\\[|\\$/.test(t))")
    assert raw == [], raw
    assert not re.search(r"\$[^$\s][^$]*\$", page.locator("article").inner_text())


def _assert_widget_drawn(page):
    view = page.locator(".crmlab-widget-static").first
    view.scroll_into_view_if_needed()
    image = view.locator("img").first
    image.wait_for(state="visible")
    assert page.evaluate("img => img.complete && img.naturalWidth > 100", image.element_handle())
    assert view.locator("input[type=range], select").count() > 0
    outputs = "\n".join(page.locator("article .cell_output").all_inner_texts())
    assert not re.search(r"\b[HV]?Box\(|Output\(\)", outputs)   # a widget's repr, not its view


def test_in_chromium_the_home_page_lists_the_chapters(visit, served):
    page = visit.page
    page.goto(served + "index.html")
    assert page.locator("html").get_attribute("lang") == "fr"
    nav = page.locator("nav.bd-docs-nav")
    for ch in CHAPTERS:
        title = site_build.notebook_title(ch["lesson"])
        assert nav.get_by_role("link", name=title, exact=True).count() == 1, title
    visit.check_offline()


def test_in_chromium_a_lesson_shows_its_formulas_and_its_widget(visit, served, site):
    ch = _featured(site)
    page = visit.page
    page.goto(served + ch["lesson"].relative_to(ROOT).with_suffix(".html").as_posix())
    _assert_math_rendered(page)
    _assert_widget_drawn(page)
    binder = page.locator(f'a[href*="urlpath=lab/tree/{ch["lesson"].relative_to(ROOT).as_posix()}"]')
    assert binder.count() >= 1
    visit.check_offline()


def test_in_chromium_the_lesson_leads_to_its_exercises(visit, served, site):
    ch = _featured(site)
    page = visit.page
    page.goto(served + ch["lesson"].relative_to(ROOT).with_suffix(".html").as_posix())
    page.locator("article .admonition").get_by_role("link", name="les exercices").click()
    page.wait_for_url(re.compile(re.escape(ch["exercises"].relative_to(ROOT).with_suffix(".html").as_posix())))
    assert "Exercices" in page.locator("article h1").first.inner_text()
    assert page.locator("article .cell_input").filter(has_text="check(").count() >= 3
    visit.check_offline()


def test_in_chromium_search_works_offline(visit, served):
    page = visit.page
    page.goto(served + "search.html?q=r%C3%A9tention")
    page.locator("#search-results li").first.wait_for(timeout=30_000)
    assert page.locator("#search-results li").count() >= 3
    visit.check_offline()


def test_in_chromium_a_lesson_opened_from_disk_renders_offline(request, site):
    reason = _browser_skip_reason()
    if reason:
        pytest.skip(reason)
    ch = _featured(site)
    tab = Visit(request.getfixturevalue("browser"), (site.as_uri(),))
    try:
        tab.page.goto(_page(site, ch["lesson"]).as_uri())
        _assert_math_rendered(tab.page)
        _assert_widget_drawn(tab.page)
        tab.check_offline()
    finally:
        tab.page.close()
