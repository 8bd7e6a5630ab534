"""The instructor's grader, run as an instructor runs it, on deliberately broken submissions.

The submissions are built here from the course's real notebooks (the first chapter that
has both a solution and an exercise notebook, and another chapter's exercises): one
all-correct (the solution), one with wrong answers and a hint, one raising in a
question and probing the network, one looping forever, one of another chapter, and
files that are not notebooks at all, an empty notebook and a notebook without any exercise.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmlab import exercises, grade

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 25  # seconds per notebook: the real ones take a few; the looping one uses all of it
CHAPTERS = sorted(p.name[:2] for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")
                  if (ROOT / "exercises" / p.name).exists())


def _notebook(folder: str, chapter: str) -> nbformat.NotebookNode:
    path = sorted((ROOT / folder).glob(f"{chapter}_*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _question_cell(nb, qid: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and re.search(rf"""check\(\s*["']{qid}["']""", c.source))


def _code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


NETWORK_PROBE = '''import socket, sys, urllib.request
from ipykernel.kernelapp import IPKernelApp
print("python :", sys.executable)
print("transport :", IPKernelApp.instance().transport)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
socket.create_connection(server.getsockname(), timeout=5).close()
print("boucle locale : ok")
for attempt in (lambda: socket.create_connection(("192.0.2.1", 80), timeout=5),
                lambda: urllib.request.urlopen("http://example.org/", timeout=5)):
    try:
        attempt()
        print("réseau : atteint")
    except OSError as exc:
        print("réseau : refusé :", exc)
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run ``python -m crmlab.grade`` once over every kind of submission."""
    assert CHAPTERS, "no chapter with both solutions/ and exercises/"
    ch = CHAPTERS[0]
    qids = exercises.questions(ch)
    assert len(qids) >= 3, f"chapter {ch} needs at least three graded questions for this test"
    rendus = tmp_path_factory.mktemp("grade") / "rendus"
    rendus.mkdir()
    stem = sorted((ROOT / "exercises").glob(f"{ch}_*.ipynb"))[0].name

    # all correct: the solution notebook as it is
    nbformat.write(_notebook("solutions", ch), rendus / f"juste_alice__{stem}")

    # wrong answers (every question but the last), a hint and a solution asked for
    nb = _notebook("exercises", ch)
    for qid in qids[:-1]:
        cell = nb.cells[_question_cell(nb, qid)]
        cell.source = re.sub(r"^(\w+) = None$", r"\1 = -1", cell.source, count=1, flags=re.M)
    nb.cells.append(_code(f'hint("{qids[0]}")\nhint("{qids[0]}")\nsolution("{qids[1]}")'))
    (rendus / "faux_bob").mkdir()
    nbformat.write(nb, rendus / "faux_bob" / stem)  # a folder per student

    # raising in the second question's cell, and probing the network
    nb = _notebook("solutions", ch)
    i = _question_cell(nb, qids[1])
    nb.cells[i].source = "1 / 0\n" + nb.cells[i].source
    nb.cells.insert(i + 1, _code(NETWORK_PROBE))
    nbformat.write(nb, rendus / f"erreur_chloe__{stem}")

    # looping forever after the first question
    nb = _notebook("solutions", ch)
    nb.cells.insert(_question_cell(nb, qids[0]) + 1, _code("while True:\n    pass"))
    nbformat.write(nb, rendus / f"boucle_david__{stem}")

    # not notebooks, and another chapter's exercises under this chapter's name
    (rendus / f"texte_emma__{stem}").write_text("Voici mes réponses : 42.", encoding="utf-8")
    (rendus / f"json_farid__{stem}").write_text(json.dumps({"reponses": [1, 2]}), encoding="utf-8")
    (rendus / f"vide_gaston__{stem}").write_bytes(b"")
    # notebooks that are not exercises: no code cell at all, and code without any check
    empty = nbformat.v4.new_notebook()
    empty.cells = [nbformat.v4.new_markdown_cell("Mes réponses : voir le fichier joint."),
                   nbformat.v4.new_code_cell("   ")]
    nbformat.write(empty, rendus / f"blanc_ines__{stem}")
    nbformat.write(nbformat.v4.new_notebook(cells=[_code("print('bonjour')")]), rendus / f"autre_jules__{stem}")
    if len(CHAPTERS) > 1:
        nbformat.write(_notebook("exercises", CHAPTERS[1]), rendus / f"autre_hugo__{stem}")
    # skipped: checkpoints, and another chapter's file when --chapter is given
    (rendus / ".ipynb_checkpoints").mkdir()
    nbformat.write(_notebook("solutions", ch), rendus / ".ipynb_checkpoints" / f"juste_alice__{stem}")
    if len(CHAPTERS) > 1:
        nbformat.write(_notebook("exercises", CHAPTERS[1]),
                       rendus / f"juste_alice__{CHAPTERS[1]}_autre.ipynb")

    out = rendus.parent / "resultats"
    proc = subprocess.run([sys.executable, "-m", "crmlab.grade", str(rendus), "--chapter", ch,
                           "--out", str(out), "--timeout", str(TIMEOUT)],
                          capture_output=True, text=True, timeout=600, cwd=rendus.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with (out / f"correction_{ch}.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {row["etudiant"]: row for row in csv.DictReader(f, delimiter=";")}
    return {"ch": ch, "qids": qids, "rows": rows, "out": out, "stdout": proc.stdout,
            "stderr": proc.stderr, "html": (out / "correction.html").read_text(encoding="utf-8")}


def test_every_submission_is_listed_once_and_nothing_else(graded):
    expected = {"juste_alice", "faux_bob", "erreur_chloe", "boucle_david", "texte_emma", "json_farid",
                "vide_gaston", "blanc_ines", "autre_jules"} | ({"autre_hugo"} if len(CHAPTERS) > 1 else set())
    assert set(graded["rows"]) == expected
    assert "Traceback" not in graded["stdout"] + graded["stderr"]
    assert "WARNING" not in graded["stderr"]  # the kernels' own noise stays in their log


def test_the_solution_gets_every_question_right(graded):
    row = graded["rows"]["juste_alice"]
    assert row["statut"] == grade.RAN
    assert [row[q] for q in graded["qids"]] == [grade.CORRECT] * len(graded["qids"])
    assert row["justes"] == str(len(graded["qids"])) and row["erreurs"] == "0"


def test_wrong_answers_are_tried_and_the_untouched_one_is_not(graded):
    row, qids = graded["rows"]["faux_bob"], graded["qids"]
    assert row["statut"] == grade.RAN
    assert row["fichier"].startswith("faux_bob/")
    assert [row[q] for q in qids[:-1]] == [grade.TRIED] * (len(qids) - 1)
    assert row[qids[-1]] == grade.NOT_TRIED
    assert (row["indices"], row["solutions_vues"]) == ("2", "1")


def test_a_raising_cell_is_an_error_and_the_rest_is_still_graded(graded):
    row, qids = graded["rows"]["erreur_chloe"], graded["qids"]
    assert row["statut"] == grade.RAN_WITH_ERRORS
    assert "ZeroDivisionError" in row["detail"]
    assert row[qids[1]] == grade.ERROR
    assert [row[q] for q in qids if q != qids[1]] == [grade.CORRECT] * (len(qids) - 1)


def test_the_kernel_runs_the_course_python_without_network(graded):
    nb = nbformat.read(graded["out"] / "notebooks" / next(
        p.name for p in (graded["out"] / "notebooks").iterdir() if p.name.startswith("erreur_chloe")), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert f"python : {sys.executable}\n" in text
    assert f"transport : {'ipc' if os.name == 'posix' else 'tcp'}\n" in text   # no TCP port on POSIX
    assert "boucle locale : ok" in text                    # loopback still works (the kernel needs it)
    refused = re.findall(r"réseau : refusé : .*réseau désactivé pendant la correction", text)
    assert len(refused) == 2, text                         # a connection and a name lookup, both ours
    assert "réseau : atteint" not in text


def test_a_loop_hits_the_time_limit_and_keeps_what_came_before(graded):
    row, qids = graded["rows"]["boucle_david"], graded["qids"]
    assert row["statut"] == grade.TIMED_OUT
    assert f"{TIMEOUT} s" in row["detail"]
    assert row[qids[0]] == grade.CORRECT
    assert [row[q] for q in qids[1:]] == [grade.NOT_TRIED] * (len(qids) - 1)
    assert float(row["duree_s"]) < TIMEOUT + 15


@pytest.mark.parametrize("student, status", [("texte_emma", grade.NOT_JSON), ("json_farid", grade.NOT_NOTEBOOK),
                                             ("vide_gaston", grade.EMPTY_FILE), ("blanc_ines", grade.EMPTY_NOTEBOOK),
                                             ("autre_jules", grade.NO_EXERCISE), ("autre_hugo", grade.WRONG_CHAPTER)])
def test_what_is_not_this_chapters_notebook_gets_a_status(graded, student, status):
    if student not in graded["rows"]:
        pytest.skip("a single chapter exists")
    row = graded["rows"][student]
    assert row["statut"] == status
    assert all(row[q] == "" for q in graded["qids"])
    assert row["justes"] == "0"


def test_the_html_summary_in_french_with_totals(graded):
    page, qids = graded["html"], graded["qids"]
    assert '<html lang="fr">' in page
    for student in graded["rows"]:
        assert f">{student}</td>" in page
    # right answers per question: alice everywhere, chloe except q2 (her cell raised), david q1 only
    totals = re.search(r"Total justes</td>(.*?)</tr>", page).group(1)
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", totals)]
    assert counts == [3, 1] + [2] * (len(qids) - 2)
    errors = re.search(r"Total erreurs</td>(.*?)</tr>", page).group(1)
    assert [int(n) for n in re.findall(r"<td>(\d+)</td>", errors)] == [0, 1] + [0] * (len(qids) - 2)


def test_student_and_chapter_from_names():
    assert grade.student_and_chapter(Path("Dupont_Marie__03_cycle_de_vie.ipynb")) == ("Dupont_Marie", "03")
    assert grade.student_and_chapter(Path("dupont/03_cycle_de_vie.ipynb")) == ("dupont", "03")
    assert grade.student_and_chapter(Path("dupont/copie.ipynb")) == ("dupont", None)
    assert grade.student_and_chapter(Path("dupont__devoir.ipynb")) == ("dupont", None)


def test_bad_arguments_get_a_french_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crmlab.grade", str(tmp_path / "absent")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "n'existe pas" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "crmlab.grade", str(tmp_path), "--chapter", "trois"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "deux chiffres" in proc.stderr
