"""Benchmark of the course: run ``make bench``; writes bench/RESULTS.md.

``python bench/run.py --widgets`` measures only the widgets (kernel cases, then the
browser) and prints the figures without writing RESULTS.md.

Measures, on this machine:
- the import time of ``crmlab`` (fresh interpreter);
- the time to generate the company's data (into a temporary folder);
- every notebook of notebooks/ and solutions/ executed headless in a fresh kernel:
  wall time and peak memory (RSS of the kernel, sampled every 20 ms);
- every case of bench/cases/ (widget updates and the speed figures the issues name):
  median of several runs; a case may name a reference to beat (``lifetimes`` for
  ``customer_summary``): its speed-up is reported, and its budget tightened to match;
- every widget of every lesson in a real browser (bench/browser.py: JupyterLab and
  Debian's Chromium): the median time from a control's change to the new image on
  screen, next to the kernel's own time for the same updates, and how busy the machine
  was meanwhile (other processes' CPU use, load average).
A benchmark is not a test: nothing here asserts; budgets are shown beside figures.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOTEBOOK_BUDGET_S = 30.0
NOTEBOOK_BUDGET_MB = 1024.0


def import_time() -> float:
    code = ("import time; t = time.perf_counter(); import crmlab, crmlab.datasets, crmlab.style, "
            "crmlab.exercises, crmlab.validation; print(time.perf_counter() - t)")
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(3)]
    return statistics.median(runs)


def data_time() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "crmlab.datasets", "build", "--out", tmp],
                       check=True, capture_output=True)
        return time.perf_counter() - t


def run_notebook(path: Path) -> tuple[float, float, str]:
    """Execute one notebook in a fresh kernel; return (seconds, peak MB, status)."""
    import nbformat
    import psutil
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        me = psutil.Process()
        while not done.is_set():
            try:
                rss = sum(c.memory_info().rss for c in me.children(recursive=True))
                peak[0] = max(peak[0], rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t = time.perf_counter()
    status = "ok"
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - reported in the table
        status = f"erreur : {type(exc).__name__}"
    seconds = time.perf_counter() - t
    done.set()
    thread.join()
    return seconds, peak[0], status


def run_cases() -> list[tuple[str, float, float]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import bench.cases as pkg
    from crmlab import style

    style.set_style()  # the look the notebooks use (layout engine, fonts): widgets draw with it

    rows = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"bench.cases.{info.name}")
        for label, setup, run, budget, *reference in getattr(module, "CASES", []):
            state = setup()
            run(state)  # warm-up (first draw, caches)
            times = []
            for _ in range(7):
                t = time.perf_counter()
                run(state)
                times.append(time.perf_counter() - t)
            if reference:
                label, budget = against_reference(*reference, state, statistics.median(times), label, budget)
            rows.append((f"{info.name} — {label}", statistics.median(times), budget))
            plt.close("all")
    return rows


def against_reference(reference, min_speedup: float, state, median: float, label: str, budget: float):
    """Time ``reference`` on the same state (median of 3); return the label with the speed-up, and
    the budget that also asks for ``min_speedup`` times the reference's speed."""
    times = []
    for _ in range(3):
        t = time.perf_counter()
        reference(state)
        times.append(time.perf_counter() - t)
    ref = statistics.median(times)
    label += f" — {ref / median:.1f}× faster than the reference ({ref * 1000:.0f} ms; ≥ {min_speedup:g}× required)"
    return label, min(budget, ref / min_speedup)


def other_cpu() -> float:
    """CPU seconds used so far by the processes that are not this benchmark (nor its children)."""
    import psutil

    mine = {psutil.Process().pid, *(c.pid for c in psutil.Process().children(recursive=True))}
    total = 0.0
    for proc in psutil.process_iter(["pid", "cpu_times"]):
        if proc.info["pid"] in mine or proc.info["cpu_times"] is None:
            continue
        total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


def run_browser(cases: list[tuple[str, float, float]]) -> list[str]:
    """Widget latency in Chromium for every lesson; the lines of its section in RESULTS.md."""
    from bench.browser import measure_lessons
    from tests.browser.lab import skip_reason

    lines = ["## Widgets in the browser (JupyterLab + Chromium: change of a control → new image painted)", ""]
    reason = skip_reason()
    if reason:
        print(reason)
        return lines + [f"Not measured: {reason}", ""]
    lessons = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    load_before, cpu_before, t = os.getloadavg()[0], other_cpu(), time.perf_counter()
    timings = measure_lessons(lessons)
    elapsed = time.perf_counter() - t
    others = (other_cpu() - cpu_before) / elapsed
    load_after = os.getloadavg()[0]
    lines += [
        "Each control of each widget moved 6 times, one change at a time (fresh values where the "
        "slider has room); the latency runs from the key press or the new menu option to the new image's "
        "`load` event and the next frame. *kernel* is the kernel's own time for the same updates "
        "(`crmlab.widgets.UPDATE_TIMES`: update + repaint + PNG); *kernel-only bench* is the median of the "
        "chapter's widget cases above (Agg, no browser).", "",
        f"Machine load meanwhile: other processes used {others:.1f} of the {os.cpu_count()} cores on average "
        f"over the {elapsed:.0f} s of the run; load average {load_before:.1f} before, {load_after:.1f} after "
        "(the kernel, JupyterLab and Chromium of the run included).", "",
        "*burst*: 10 key presses 30 ms apart on the slider with the most room: time from the last press "
        "to the last image, and how many images came (the browser keeps one change in flight and sends "
        "the latest value when the kernel is free: fewer images than presses, none queued).", "",
        "| lesson | widget | browser median | kernel (same run) | kernel-only bench | changes timed | burst | "
        "within 150 ms |",
        "|---|---|---|---|---|---|---|---|"]
    for timing in timings:
        chapter = f"ch{timing.lesson[:2]}"
        bench = [sec for label, sec, budget in cases if label.startswith(chapter) and budget == 0.15
                 and ("widget" in label or "explorateur" in label)]
        bench_ms = f"{statistics.median(bench) * 1000:.0f} ms" if bench else "–"
        ok = "oui" if timing.median <= 150 else "**non**"
        row = (f"| {timing.lesson} | {timing.name or timing.label} | {timing.median:.0f} ms | "
               f"{timing.kernel_median:.0f} ms | {bench_ms} | {len(timing.samples)}"
               f"{f' ({timing.missed} sans image)' if timing.missed else ''} | "
               f"{f'{timing.burst[0]:.0f} ms, {timing.burst[1]} images' if timing.burst else '–'} | {ok} |")
        lines.append(row)
        print(row, flush=True)
    return lines + [""]


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def main(argv: list[str]) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    if "--widgets" in argv:  # a quick look while working: widget cases and browser only, not written
        cases = run_cases()
        for label, seconds, _budget in cases:
            print(f"{label}: {seconds * 1000:.0f} ms", flush=True)
        print("\n".join(run_browser(cases)))
        return 0
    lines = ["# Benchmark", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"run on {time.strftime('%Y-%m-%d %H:%M')} by `make bench`.", ""]
    imp = import_time()
    gen = data_time()
    lines += ["| what | measured | budget |", "|---|---|---|",
              f"| `import crmlab` (fresh interpreter) | {fmt(imp, 3)} s | 1 s |",
              f"| data generation (`python -m crmlab.datasets build`) | {fmt(gen, 1)} s | 30 s |", ""]
    print(lines[-3], lines[-2], sep="\n")
    lines += ["## Notebooks (fresh kernel each)", "",
              "| notebook | wall time | peak memory | status | within budget |", "|---|---|---|---|---|"]
    total = 0.0
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("[0-9]*.ipynb")):
            seconds, mb, status = run_notebook(path)
            total += seconds
            ok = "oui" if seconds <= NOTEBOOK_BUDGET_S and mb <= NOTEBOOK_BUDGET_MB and status == "ok" else "**non**"
            row = f"| {folder}/{path.name} | {fmt(seconds, 1)} s | {mb:.0f} MB | {status} | {ok} |"
            lines.append(row)
            print(row, flush=True)
    lines += [f"| **total** | {fmt(total, 1)} s | | | |", "",
              f"Budgets: {NOTEBOOK_BUDGET_S:.0f} s and {NOTEBOOK_BUDGET_MB:.0f} MB per notebook.", "",
              "## Widget updates and speed figures in the kernel (median of 7 runs, after a warm-up)", "",
              "A widget case moves one control of the widget as built in its lesson: update, repaint, PNG.", "",
              "| case | median | budget | within budget |", "|---|---|---|---|"]
    cases = run_cases()
    for label, seconds, budget in cases:
        row = f"| {label} | {seconds * 1000:.0f} ms | {budget * 1000:.0f} ms | {'oui' if seconds <= budget else '**non**'} |"
        lines.append(row)
        print(row, flush=True)
    lines += ["", *run_browser(cases)]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("→ bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
