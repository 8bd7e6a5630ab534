"""Benchmark cases, one module per chapter (``ch00.py``, …).

Each module defines ``CASES``: a list of ``(label, setup, run, budget_s)`` where
``setup()`` returns a state (data loaded once, outside the timing) and
``run(state)`` does the timed work. For a widget, one complete update as the kernel
does it when a control moves: the control's new value → the chapter's ``update`` →
repaint (over the cached background when possible) → PNG bytes into the image widget
(``crmlab.widgets.explorer``). The time to the browser is measured apart, in Chromium
(bench/browser.py). ``budget_s`` is the budget shown in bench/RESULTS.md (0.15 for a
widget update, as the student sees it).
"""


def stepper(control, start: int | None = None):
    """A function that moves ``control`` to a new value at each call (as when dragging).

    Sliders with options (SelectionSlider) and menus walk their options; integer sliders
    walk their range; at the end they come back from the start.
    """
    import itertools

    if hasattr(control, "options"):
        values = [v for _, v in control.options]
    else:
        values = list(range(control.min, control.max + 1, control.step))
    order = itertools.cycle(values[start:] + values[:start] if start else values)
    current = control.value

    def step():
        nonlocal current
        value = next(order)
        while value == current:  # always a change
            value = next(order)
        control.value = current = value

    return step
