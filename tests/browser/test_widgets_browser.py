"""Each lesson's widget, moved in a real browser: the image changes, the layout does not.

JupyterLab serves the repository root (tests/browser/lab.py); Debian's Chromium, driven
by Playwright, opens each lesson, runs it top to bottom, then moves the first control of
its first widget. A behaviour test, not a timing test (``make bench`` times the widgets).
Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lab import (ROOT, chromium_page, close_notebook, open_notebook, run_all, running_lab, show_cell, skip_reason,
                 widget_cells)

REASON = skip_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
LESSONS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))

# what the first widget of the lesson shows: its image (sha-256 of its bytes), sizes, a control
STATE_JS = r"""
async (root) => {
  const img = root.querySelector('img');
  if (!img || !img.currentSrc || !img.complete || !img.naturalWidth) return null;
  const bytes = await (await fetch(img.currentSrc)).arrayBuffer();
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
    .map(b => b.toString(16).padStart(2, '0')).join('');
  const box = img.getBoundingClientRect();
  return {src: img.currentSrc, hash, natural: [img.naturalWidth, img.naturalHeight],
          shown: [Math.round(box.width), Math.round(box.height)]};
}
"""


@pytest.fixture(scope="module")
def lab_page():
    with running_lab() as (base_url, token), chromium_page() as page:
        yield page, base_url, token


def _move_first_control(root) -> str:
    """Change the first control of a widget; return what was done (for the failure message)."""
    menu = root.locator(".widget-dropdown select")
    slider = root.locator(".widget-slider .noUi-handle")
    first_menu = menu.first if menu.count() else None
    first_slider = slider.first if slider.count() else None
    if first_menu is not None and (first_slider is None or
                                   first_menu.bounding_box()["y"] <= first_slider.bounding_box()["y"]):
        values = first_menu.locator("option").evaluate_all("os => os.map(o => o.value)")
        other = next(v for v in values if v != first_menu.input_value())
        first_menu.select_option(other)
        return f"menu → {other}"
    now = float(first_slider.get_attribute("aria-valuenow"))
    key = "ArrowLeft" if now >= float(first_slider.get_attribute("aria-valuemax")) else "ArrowRight"
    first_slider.focus()
    first_slider.press(key)
    return f"curseur {key}"


def _new_image(page, handle, old_hash: str, timeout_s: float = 30.0):
    """The widget's state once a new image is loaded and stays (two equal reads), or None."""
    deadline, last = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        state = page.evaluate(STATE_JS, handle)  # None while an image is loading
        if state is not None and state["hash"] != old_hash:
            if last is not None and state == last:
                return state
            last = state
        page.wait_for_timeout(100)
    return None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: Path(p).stem)
def test_widget_redraws_with_the_same_layout(lab_page, lesson):
    page, base_url, token = lab_page
    open_notebook(page, base_url, token, lesson)
    try:
        run_all(page)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, f"{lesson} : une cellule finit en erreur dans le navigateur"
        cells = widget_cells(page)
        assert cells, f"{lesson} : aucun widget affiché après « Tout exécuter »"
        root = show_cell(page, cells[0]).locator(".jupyter-widgets").first
        handle = root.element_handle()
        before = _new_image(page, handle, "")  # the image shown after « Tout exécuter », loaded
        assert before is not None, f"{lesson} : le widget n'affiche pas d'image"
        action = _move_first_control(root)
        after = _new_image(page, handle, before["hash"])
        assert after is not None, f"{lesson} ({action}) : l'image n'a pas changé en 30 s"
        assert after["natural"] == before["natural"], f"{lesson} ({action}) : la taille de la figure a changé"
        assert after["shown"] == before["shown"], f"{lesson} ({action}) : la mise en page a bougé"
        assert after["shown"][0] <= after["natural"][0], f"{lesson} : l'image est étirée (floue)"
    finally:
        close_notebook(page)
