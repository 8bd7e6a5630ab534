"""Notebooks as a student and an instructor meet them.

- lint: what ../shared/tools/check_notebooks.py checks, kept here so that the
  project tests itself without ../shared (users do not have it);
- exercises/ is exactly what tools/make_exercises.py makes from solutions/;
- an exercise notebook, as handed out, runs top to bottom and every check says
  « pas encore tenté »;
- every registered question appears in a solution, whose stored output says it
  passes (nbval re-runs the solutions and compares those outputs);
- run as handed out, no output prints the answer of one of the chapter's questions.
(The checks' own rules are in test_exercises.py.)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab import exercises

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ("notebooks", "solutions")
ALL = ("notebooks", "solutions", "exercises")
ABS_PATH = re.compile(r"(?<![\w:/.~])/(?:[A-Za-z_][\w.-]*/){2,}|[A-Z]:\\\\Users")
WARNING = re.compile(r"\b(\w*Warning)\b")
IGNORE = re.compile(r"NBVAL_(IGNORE_OUTPUT|SKIP)")


def _notebooks(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).glob("[0-9]*.ipynb"))]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(_text(out.get("text")))
        parts.extend(_text(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
        parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def _problems(path: Path) -> list[str]:
    kind = path.parent.name
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if nb.get("nbformat") != 4:
        problems.append("not nbformat 4")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec is not python3")
    cells = nb.get("cells", [])
    code = [c for c in cells if c["cell_type"] == "code"]
    first_md = next((_text(c["source"]) for c in cells if c["cell_type"] == "markdown"), "")
    if kind == "notebooks" and ("En résumé" not in first_md or "Insight" not in first_md):
        problems.append("first markdown cell lacks 'En résumé' and/or 'Insight'")
    if kind in EXECUTED:
        counts = [c.get("execution_count") for c in code if _text(c["source"]).strip()]
        if any(n is None for n in counts):
            problems.append("code cell(s) never run")
        elif counts != list(range(1, len(counts) + 1)):
            problems.append("execution counts are not 1..n")
        for i, c in enumerate(code):
            for out in c.get("outputs", []):
                if out.get("output_type") == "error":
                    problems.append(f"code cell {i}: error output")
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    if WARNING.search(_text(out.get("text"))):
                        problems.append(f"code cell {i}: warning printed to students")
    if kind == "exercises" and any(c.get("outputs") for c in code):
        problems.append("exercise stored with outputs")
    for i, c in enumerate(cells):
        if ABS_PATH.search(_text(c["source"]) + "\n" + _outputs_text(c)):
            problems.append(f"cell {i}: absolute machine path")
    if path.stat().st_size > 2_000_000:
        problems.append("over 2 MB")
    return problems


@pytest.mark.parametrize("path", _notebooks(*ALL), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_lint(path):
    assert _problems(path) == []


def test_every_chapter_has_lesson_solution_and_exercise():
    chapters = {f: {p.name[:2] for p in _notebooks(f)} for f in ALL}
    every = set().union(*chapters.values())
    missing = {ch: [f for f in ALL if ch not in chapters[f]] for ch in every}
    assert {ch: m for ch, m in missing.items() if m} == {}
    assert "00" in every


def test_ignored_output_cells_stay_rare():
    code = [c for p in _notebooks(*EXECUTED) for c in nbformat.read(p, 4).cells if c.cell_type == "code"]
    ignored = [c for c in code if IGNORE.search(c.source)]
    assert len(ignored) < 0.10 * len(code), f"{len(ignored)} of {len(code)} code cells ignored by nbval"


def test_exercises_are_in_sync_with_solutions():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "make_exercises.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_solution_markers_are_balanced():
    for path in _notebooks("solutions"):
        for cell in nbformat.read(path, 4).cells:
            begin = cell.source.count("BEGIN SOLUTION")
            assert begin == cell.source.count("END SOLUTION"), f"{path.name}: unbalanced markers"


@pytest.mark.parametrize("path", _notebooks("exercises"), ids=lambda p: p.name)
def test_exercise_runs_as_handed_out_and_every_check_is_not_attempted(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and re.search(r"^check\(", c.source, re.M)]
    assert checks, "an exercise notebook without any check"
    for cell in checks:
        text = _outputs_text(cell)
        assert "pas encore tenté" in text, f"{path.name}: {cell.source[-80:]!r} → {text!r}"
        assert "❌" not in text and "✅" not in text
    # run as handed out, no cell prints the answer of a question of the chapter (≥ 3 significant digits)
    from test_exercises import leaked

    printed = [(qid, hit) for cell in nb.cells if cell.cell_type == "code"
               for qid in exercises.questions(path.name[:2])
               for hit in leaked(qid, _outputs_text(cell), min_sig=3)
               if not isinstance(exercises.expected_answer(qid), pd.Series)]
    assert printed == [], f"{path.name}: outputs print exercise answers {printed}"


def test_every_question_is_in_a_solution_and_passes_there():
    stored = {}
    for path in _notebooks("solutions"):
        for cell in nbformat.read(path, 4).cells:
            if cell.cell_type == "code":
                for qid in re.findall(r'check\("(\d\d-q\d+)"', cell.source):
                    stored[qid] = (path.name, _outputs_text(cell))
    missing = [q for q in exercises.questions() if q not in stored]
    assert missing == [], f"questions never asked in a solution: {missing}"
    for qid, (name, text) in stored.items():
        assert f"✅ {qid}" in text, f"{name}: the solution of {qid} does not pass its own check: {text!r}"
