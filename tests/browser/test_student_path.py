"""The student's path, in a real browser: JupyterLab started as the README starts it, Chromium.

A student opens the course (``make lab``: chapter 00 opens), finds the folders in the file
browser, opens chapter 00 and an exercise notebook by double-clicking through folders,
runs them (« Exécution → Exécuter toutes les cellules »), moves a widget, answers a
question wrongly and asks for a hint. Nothing is saved: autosave is off in the test server.

The server-side test (``test_server_serves_the_course_root``) needs no browser; the others
are skipped, with the reason printed, where Chromium or Playwright is missing.
Assertions on the exercise engine's output test behaviour (French, shown once), not its
format.
"""

from __future__ import annotations

import re
import time

import pytest

from crmlab import exercises

CHAPTER = "00_prise_en_main.ipynb"
QUESTION = re.compile(r"check\(\"\d\d-q\d+\"")  # in a cell's source, not its output
RUN_ALL = ("Exécution", "Exécuter toutes les cellules")  # the path chapter 00 teaches
FRENCH_WORDS = {"le", "la", "les", "de", "des", "du", "un", "une", "est", "pas", "votre", "vous", "à", "en",
                "et", "que", "qui", "dans", "pour", "sur", "au", "aux", "ce", "cette"}
ENGLISH_WORDS = {"the", "is", "your", "of", "and", "error", "traceback", "expected", "wrong", "answer", "not"}
# engine v2 (issue 10): check and hint show rich output once, progress() exists


def looks_french(text: str) -> bool:
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.lower())
    return len(FRENCH_WORDS.intersection(words)) >= 3 and not ENGLISH_WORDS.intersection(words)


# ------------------------------------------------------------------ what a student does

def current_panel(page):
    """The notebook of the current tab."""
    return page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)")


def menu(page, *path: str) -> None:
    """Click through the menu bar: ``menu(page, "Exécution", "Exécuter toutes les cellules")``."""
    page.locator(".lm-MenuBar-item", has=page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(
        f"^{re.escape(path[0])}$"))).click()
    for depth, label in enumerate(path[1:], start=1):
        item = page.locator(".lm-Menu").nth(depth - 1).locator(
            ".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")))
        if depth < len(path) - 1:
            item.hover()
            page.locator(".lm-Menu").nth(depth).wait_for()
        else:
            item.click()


def wait_for_current_tab(page, path: str, timeout: float = 30) -> None:
    """Wait until the current tab is the document at ``path`` (its tooltip names the path)."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    deadline = time.monotonic() + timeout
    while f"Chemin : {path}" not in (tab.get_attribute("title") or ""):
        assert time.monotonic() < deadline, f"l'onglet courant n'est pas {path} : {tab.get_attribute('title')!r}"
        time.sleep(0.2)


def open_from_file_browser(page, *parts: str) -> None:
    """Go to the root of the file browser and double-click through ``parts`` (folders, then a file)."""
    home = page.locator("#filebrowser .jp-BreadCrumbs-home")
    if not home.is_visible():  # the file browser panel is closed: open it
        page.locator(".jp-SideBar [data-id='filebrowser']").click()
    home.click()
    for part in parts:
        item = page.locator("#filebrowser .jp-DirListing-item", has=page.locator(
            ".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(part)}$")))
        item.dblclick()
    wait_for_current_tab(page, "/".join(parts))
    current_panel(page).locator(".jp-Notebook").wait_for()


def wait_until_idle(page, timeout: float = 60) -> None:
    """Wait until the kernel of the current notebook is « Inactif » (status bar)."""
    page.locator("#jp-main-statusbar", has_text="Inactif").wait_for(timeout=timeout * 1000)


def texts(locator) -> list[str]:
    """The text of each element, rendered or not (cells out of view are not rendered)."""
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def prompts(panel) -> list[str]:
    return texts(panel.locator(".jp-CodeCell .jp-InputPrompt"))


def run_all(page, timeout: float = 120) -> None:
    """« Exécution → Exécuter toutes les cellules », then wait until every code cell has run."""
    panel = current_panel(page)
    wait_until_idle(page)
    menu(page, *RUN_ALL)
    deadline = time.monotonic() + timeout
    while True:
        shown = [t.strip() for t in prompts(panel)]
        if shown and all(re.fullmatch(r"\[\d+\]:", t) for t in shown):
            break
        assert time.monotonic() < deadline, f"exécution inachevée après {timeout} s : {shown}"
        time.sleep(0.5)
    wait_until_idle(page)


def error_outputs(panel) -> list[str]:
    """Tracebacks and anything written to stderr, as the student sees them."""
    return texts(panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))


def replace_source(page, cell, source: str) -> None:
    """Click in the cell, select its code, type ``source`` instead (as a paste)."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)


def run_cell(page, cell, timeout: float = 30) -> None:
    """Shift + Enter in ``cell``, then wait for its new execution count."""
    before = cell.locator(".jp-InputPrompt").inner_text().strip()
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    deadline = time.monotonic() + timeout
    while True:
        now = cell.locator(".jp-InputPrompt").inner_text().strip()
        if re.fullmatch(r"\[\d+\]:", now) and now != before:
            break
        assert time.monotonic() < deadline, f"cellule non exécutée en {timeout} s ({now})"
        time.sleep(0.2)
    wait_until_idle(page)


# ------------------------------------------------------------------ the course root

def test_server_serves_the_course_root(lab):
    """The README's command serves the repository root and opens chapter 00 (no browser needed)."""
    names = {item["name"] for item in lab.api("contents")["content"]}
    assert {"notebooks", "exercises", "solutions", "datasets", "README.md"} <= names, sorted(names)
    opening = lab.open_file().read_text(encoding="utf-8")
    assert f"/lab/tree/notebooks/{CHAPTER}" in opening, opening


# ------------------------------------------------------------------ in the browser

@pytest.fixture(scope="module")
def chapter00(page):
    """Chapter 00 opened from the file browser and run top to bottom; yields its panel."""
    open_from_file_browser(page, "notebooks", CHAPTER)
    run_all(page)
    return current_panel(page)


@pytest.fixture(scope="module")
def exercise(page, chapter00):
    """The exercise notebook of chapter 00, opened from the file browser and run top to bottom."""
    open_from_file_browser(page, "exercises", CHAPTER)
    run_all(page)
    return current_panel(page)


def test_make_lab_opens_chapter00_with_the_course_folders_in_the_file_browser(page):
    assert page.url.split("?")[0].endswith(f"/lab/tree/notebooks/{CHAPTER}"), page.url
    wait_for_current_tab(page, f"notebooks/{CHAPTER}")
    page.locator("#filebrowser .jp-BreadCrumbs-home").click()
    listing = page.locator("#filebrowser .jp-DirListing-itemText")
    listing.filter(has_text="exercises").wait_for()
    names = set(listing.all_inner_texts())
    assert {"notebooks", "exercises", "solutions", "datasets", "README.md"} <= names, sorted(names)


def test_the_ui_is_in_french(page):
    labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert labels[:5] == ["Fichier", "Édition", "Affichage", "Exécution", "Noyau"], labels
    assert "Mode : Commande" in page.locator("#jp-main-statusbar").inner_text()


def test_chapter00_runs_in_the_browser_without_error(chapter00):
    assert error_outputs(chapter00) == []
    assert not chapter00.get_by_text(re.compile(r"^HBox\(")).count(), "widget shown as raw text"


def test_chapter00_widget_redraws_when_a_control_moves(page, chapter00):
    cell = chapter00.locator(".jp-CodeCell", has=page.locator(".widget-dropdown select, .widget-slider")).first
    cell.scroll_into_view_if_needed()
    images = cell.locator(".jp-OutputArea img")
    images.first.wait_for()
    before = images.evaluate_all("imgs => imgs.map(i => i.src)")
    selects = cell.locator(".widget-dropdown select")
    if selects.count():  # a menu: choose another option
        select = selects.last
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        select.select_option(label=next(o for o in options if o != current))
    else:  # a slider: one step with the keyboard
        cell.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 15
    while images.evaluate_all("imgs => imgs.map(i => i.src)") in (before, []):
        assert time.monotonic() < deadline, "la figure du widget n'a pas été redessinée en 15 s"
        time.sleep(0.1)
    wait_until_idle(page)
    assert error_outputs(chapter00) == []


def test_exercise_notebook_runs_and_every_question_waits_for_an_answer(exercise):
    assert error_outputs(exercise) == []
    questions = exercise.locator(".jp-CodeCell").filter(has=exercise.page.locator(".cm-content", has_text=QUESTION))
    assert questions.count() >= 3
    for i in range(questions.count()):
        feedback = " ".join(texts(questions.nth(i).locator(".jp-OutputArea-output")))
        assert "pas encore tenté" in feedback, feedback


def _first_question(exercise) -> tuple[object, str, str]:
    """The first question cell, its question id and its source."""
    cell = exercise.locator(".jp-CodeCell").filter(has=exercise.page.locator(".cm-content", has_text=QUESTION)).first
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content", has_text=QUESTION)
    editor.wait_for()  # JupyterLab renders a cell's editor once it is scrolled into view
    # The text of CodeMirror's lines, not inner_text: a cell JupyterLab has not laid out yet
    # (content-visibility) has an empty inner text, which a slow machine shows.
    source = "\n".join(editor.locator(".cm-line").all_text_contents())
    found = re.search(r'check\("(\d\d-q\d+)"', source)
    assert found, f"no question id in the first question's source: {source!r}"
    return cell, found.group(1), source


def test_a_wrong_answer_gets_french_feedback(page, exercise):
    cell, qid, source = _first_question(exercise)
    name = re.search(r"^(\w+) = None$", source, flags=re.MULTILINE).group(1)
    replace_source(page, cell, source.replace(f"{name} = None", f"{name} = 0", 1))  # 0: surely wrong
    run_cell(page, cell)
    text = "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())
    assert error_outputs(cell) == [], text
    assert text.strip(), "no feedback"
    assert "✅" not in text and "pas encore tenté" not in text, text  # judged, and not accepted
    assert looks_french(text), text


def test_a_hint_shows_once(page, exercise):
    cell, qid, _ = _first_question(exercise)
    cell.locator(".cm-content").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below, as chapter 00 teaches
    active = exercise.locator(".jp-Cell").evaluate_all(
        "cells => cells.findIndex(c => c.classList.contains('jp-mod-active'))")
    new = exercise.locator(".jp-Cell").nth(active)
    page.keyboard.press("Enter")
    page.keyboard.insert_text(f'hint("{qid}")')
    run_cell(page, new)
    outputs = new.locator(".jp-OutputArea-output")
    text = "\n".join(outputs.all_inner_texts())
    assert looks_french(text), text
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 20]
    assert lines, text
    assert all(text.count(line) == 1 for line in lines), f"the hint shows more than once:\n{text}"
    assert outputs.count() == 1, f"{outputs.count()} outputs:\n{text}"


def test_the_lesson_links_to_its_exercises(page, chapter00):
    page.locator("#jp-main-dock-panel .lm-TabBar-tab[title*='notebooks/" + CHAPTER + "']").click()
    panel = current_panel(page)
    link = panel.locator(f'a[href*="/exercises/{CHAPTER}"]')  # the relative link, resolved by JupyterLab
    panel.locator(".jp-Notebook").hover()
    deadline = time.monotonic() + 30
    while not link.count():  # cells are rendered as they scroll into view: read to the end
        assert time.monotonic() < deadline, "pas de lien vers les exercices en fin de chapitre"
        page.mouse.wheel(0, 2000)
        time.sleep(0.1)
    link.scroll_into_view_if_needed()
    link.click()
    wait_for_current_tab(page, f"exercises/{CHAPTER}")
    current_panel(page).locator(".jp-Notebook").wait_for()
