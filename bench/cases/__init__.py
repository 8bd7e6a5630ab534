"""Benchmark cases, one module per chapter (``ch00.py``, …).

Each module defines ``CASES``: a list of ``(label, setup, run, budget_s)`` where
``setup()`` returns a state (data loaded once, outside the timing) and
``run(state)`` does the timed work — for a widget, one complete update: compute
and draw on a matplotlib figure (Agg backend, ``fig.canvas.draw()``).
``budget_s`` is the budget shown in bench/RESULTS.md (0.15 for a widget update).
"""
