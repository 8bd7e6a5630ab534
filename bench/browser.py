"""Widget latency as a student sees it: from a control's change to the new image on screen.

Drives Debian's Chromium (Playwright, headless) on a JupyterLab served from the
repository root (``tests/browser/lab.py``): opens a lesson, runs it top to bottom,
then, for each widget of the lesson, moves each control several times, one change
at a time, and measures in the page the time from the change (the key press on a
slider, the new option of a menu) to the new image displayed (the image's ``load``
event, then the next animation frame, i.e. once it is painted).

    python bench/browser.py                          # every lesson → a table on stdout
    python bench/browser.py notebooks/04_*.ipynb     # some lessons

``make bench`` calls :func:`measure_lessons` and writes the medians to bench/RESULTS.md.
Nothing here asserts: it is a measurement.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.lab import (  # noqa: E402
    chromium_page, close_notebook, kernel_print, open_notebook, run_all, running_lab, show_cell, skip_reason,
    widget_cells)

# JavaScript installed in the page: a change stamp (capture phase, before any widget code)
# and a log of every image (re)load inside widget outputs, stamped after the next paint.
WATCH_JS = r"""
() => {
  if (window.__crm) return;
  const crm = window.__crm = {changes: [], images: [], seq: 0};
  const stamp = () => crm.changes.push(performance.now());
  document.addEventListener('keydown', stamp, true);
  document.addEventListener('change', e => { if (e.target.tagName === 'SELECT') stamp(); }, true);
  const seen = new WeakSet();
  const hook = img => {
    if (seen.has(img)) return;
    seen.add(img);
    img.addEventListener('load', () => {
      const t = performance.now();
      requestAnimationFrame(() => crm.images.push({src_set: img.__srcSet || t, load: t, paint: performance.now(),
        w: img.naturalWidth, h: img.naturalHeight, src: img.currentSrc.slice(0, 80), id: img.dataset.crmId}));
    });
  };
  const tag = img => { if (!img.dataset.crmId) img.dataset.crmId = String(++crm.seq); hook(img); };
  new MutationObserver(muts => {
    const now = performance.now();
    for (const m of muts) {
      if (m.type === 'attributes' && m.target.tagName === 'IMG') { m.target.__srcSet = now; tag(m.target); }
      for (const n of m.addedNodes || []) {
        if (n.tagName === 'IMG') tag(n);
        else if (n.querySelectorAll) n.querySelectorAll('img').forEach(tag);
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  document.querySelectorAll('img').forEach(tag);
}
"""


@dataclass
class WidgetTiming:
    lesson: str
    index: int            # widget number in the lesson (1, 2, …)
    label: str            # its first control's description
    name: str = ""        # its name in crmlab.widgets (the kernel's record)
    samples: list[float] = field(default_factory=list)   # ms, change → new image painted
    missed: int = 0       # changes that produced no new image within the timeout
    sizes: set = field(default_factory=set)               # (width, height) of the images seen
    kernel: list[float] = field(default_factory=list)     # ms, update + render + PNG in the kernel
    decode: list[float] = field(default_factory=list)     # ms, new image source → painted
    burst: tuple | None = None  # (ms from the last of 10 quick presses to the last image, images received)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def kernel_median(self) -> float:
        return statistics.median(self.kernel) if self.kernel else float("nan")


KERNEL_TIMES = ("import json\nfrom crmlab import widgets as _w\n"
                "print(json.dumps({k: list(v) for k, v in _w.UPDATE_TIMES.items()}))")


def update_times(page) -> dict[str, list[float]]:
    """Kernel-side durations of every widget update so far (``crmlab.widgets.UPDATE_TIMES``), in s."""
    import json

    text = kernel_print(page, KERNEL_TIMES).strip()
    return json.loads(text) if text else {}


def open_lesson(page, base_url: str, token: str, path: str) -> None:
    """Open a lesson, install the timing hooks, run all its cells."""
    open_notebook(page, base_url, token, path)
    page.evaluate(WATCH_JS)
    run_all(page)


def _controls(root):
    """Every slider handle and menu of one widget, with its description."""
    out = []
    for box in root.locator(".widget-slider, .widget-dropdown").all():
        if not box.is_visible():
            continue
        label = box.locator(".widget-label").first.inner_text().strip() if box.locator(".widget-label").count() else ""
        if box.locator("select").count():
            out.append(("menu", label, box.locator("select").first))
        elif box.locator(".noUi-handle").count():
            out.append(("slider", label, box.locator(".noUi-handle").first))
    return out


def _wait_image(page, n_before: int, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n = page.evaluate("() => window.__crm.images.length")
        if n > n_before:
            page.wait_for_timeout(40)  # a second image (a redraw after a bound change) would land now
            return page.evaluate(f"() => window.__crm.images.slice({n_before})")
        page.wait_for_timeout(5)
    return None


def burst(page, controls, timeout_s: float, presses: int = 10, gap_ms: int = 30):
    """Drag-like: ``presses`` key presses ``gap_ms`` apart on the first slider. Returns (ms from the
    last press to the last image, images received): the browser keeps one change in flight and
    sends the latest value when the kernel is free, so fewer images than presses, none stale."""
    rooms = []
    for kind, _label, handle in controls:  # the slider with the most room
        if kind == "slider":
            now, low, high = (float(handle.get_attribute(a) or 0) for a in
                              ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            rooms.append((max(high - now, now - low), high - now >= now - low, handle))
    if not rooms:
        return None
    room, right, handle = max(rooms, key=lambda r: r[0])
    presses = int(min(presses, room))
    if presses < 3:
        return None
    key = "ArrowRight" if right else "ArrowLeft"
    n_before = page.evaluate("() => window.__crm.images.length")
    handle.focus()
    for _ in range(presses):
        handle.press(key)
        page.wait_for_timeout(gap_ms)
    last_press = page.evaluate("() => window.__crm.changes[window.__crm.changes.length - 1]")
    deadline, seen, quiet_since = time.monotonic() + timeout_s, n_before, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.6:  # until 600 ms without image
        n = page.evaluate("() => window.__crm.images.length")
        if n != seen:
            seen, quiet_since = n, time.monotonic()
        page.wait_for_timeout(20)
    images = page.evaluate(f"() => window.__crm.images.slice({n_before})")
    if not images or images[-1]["paint"] < last_press:
        # no image, or the last presses drew the very same image (the kernel sends no new one: chapter
        # 09's simulator at some settings): the burst cannot be timed on this slider
        return None
    return images[-1]["paint"] - last_press, len(images)


def move_and_time(page, root, lesson: str, index: int, moves: int = 6, timeout_s: float = 5.0,
                  pause_ms: int = 250) -> WidgetTiming:
    """Change each control of one widget ``moves`` times (one change at a time) and time each change."""
    before = update_times(page)
    controls = _controls(root)
    timing = WidgetTiming(lesson, index, controls[0][1] if controls else "?")
    for kind, _label, handle in controls:
        if kind == "menu":
            options = handle.locator("option").all_inner_texts()
            current = handle.input_value()
            values = handle.locator("option").evaluate_all("os => os.map(o => o.value)")
            order = [v for v in values if v != current] + [current]
            steps = [order[i % len(order)] for i in range(min(moves, max(2, len(options))))]
        else:  # fresh values where the slider has room, towards its freer side
            now, low, high = (float(handle.get_attribute(a) or 0) for a in
                              ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            right = int(round(high - now))  # in steps: noUiSlider's aria values are indices here or
            left = int(round(now - low))    # values with step 1; a larger step only makes fewer room
            if right >= moves or right >= left:
                steps = ["ArrowRight"] * min(moves, right) + ["ArrowLeft"] * max(0, moves - right)
            else:
                steps = ["ArrowLeft"] * min(moves, left) + ["ArrowRight"] * max(0, moves - left)
        for step in steps:
            page.wait_for_timeout(pause_ms)
            n_before = page.evaluate("() => window.__crm.images.length")
            c_before = page.evaluate("() => window.__crm.changes.length")
            if kind == "menu":
                handle.select_option(step)
            else:
                handle.focus()
                handle.press(step)
            images = _wait_image(page, n_before, timeout_s)
            if not images:
                timing.missed += 1
                continue
            t0 = page.evaluate(f"() => window.__crm.changes[{c_before}]")
            if t0 is None:
                timing.missed += 1
                continue
            last = images[-1]
            timing.samples.append(last["paint"] - t0)
            timing.decode.append(last["paint"] - last["src_set"])
            timing.sizes.update((im["w"], im["h"]) for im in images)
    timing.burst = burst(page, controls, timeout_s) if controls else None
    page.wait_for_timeout(pause_ms)
    after = update_times(page)
    for name, times in after.items():  # the widget moved is the one with new entries
        new = times[len(before.get(name, [])):]
        if new:
            timing.name = name
            timing.kernel.extend(1000 * t for t in new)
    return timing


def measure_lessons(paths: list[str], moves: int = 6, verbose: bool = True, root: Path = ROOT) -> list[WidgetTiming]:
    """Open each lesson, run it, time every widget's controls; return one record per widget."""
    results: list[WidgetTiming] = []
    with running_lab(root) as (base_url, token), chromium_page() as page:
        for path in paths:
            t = time.perf_counter()
            open_lesson(page, base_url, token, path)
            if verbose:
                print(f"{path}: exécuté dans le navigateur en {time.perf_counter() - t:.1f} s", flush=True)
            for i, index in enumerate(widget_cells(page), start=1):
                root = show_cell(page, index).locator(".jupyter-widgets").first
                timing = move_and_time(page, root, Path(path).stem, i, moves=moves)
                results.append(timing)
                if verbose:
                    print(f"  widget {i} « {timing.name} » : médiane {timing.median:.0f} ms dans le navigateur "
                          f"(noyau : {timing.kernel_median:.0f} ms ; nouvelle image → affichée : "
                          f"{statistics.median(timing.decode or [float('nan')]):.0f} ms) sur {len(timing.samples)} changements, "
                          f"{timing.missed} sans nouvelle image, tailles {sorted(timing.sizes)}"
                          + (f" ; rafale de 10 : dernière image {timing.burst[0]:.0f} ms après la dernière "
                             f"touche, {timing.burst[1]} images" if timing.burst else ""), flush=True)
            close_notebook(page)
    return results


def main(argv: list[str]) -> int:
    reason = skip_reason()
    if reason:
        print(reason)
        return 0
    paths = argv or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    measure_lessons(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
