"""The instructor's grader: run the students' exercise notebooks, tabulate every ``check``.

    python -m crmlab.grade RENDUS/ [--chapter NN] [--out DOSSIER] [--timeout S]

Run it with the course's Python (``.venv/bin/python -m crmlab.grade …`` after
``make setup``): the kernels it starts use that very interpreter, hence the course's
pinned packages, ``crmlab`` and its generated data.

Naming the submissions (``RENDUS/`` is searched recursively; hidden files and
``.ipynb_checkpoints`` are skipped):

- ``RENDUS/nom_prenom__03_cycle_de_vie.ipynb``: the student is what comes before the
  double underscore, the chapter the two digits after it;
- ``RENDUS/nom_prenom/03_cycle_de_vie.ipynb``: a folder per student (the folder is the
  student, the file name gives the chapter);
- any other name: the student is the file name, the chapter is read from the notebook
  (its ``exercises.start("NN")`` and ``check("NN-qK", …)`` calls).

Each notebook runs top to bottom in a fresh kernel, in a temporary folder, with a time
limit for the whole notebook (``--timeout``, 120 s by default) and no network: the
kernel's ``PYTHONPATH`` starts with a ``sitecustomize`` that makes every socket
connection, datagram and name lookup fail unless it targets the machine itself
(loopback); on Linux and macOS the kernel itself talks to the grader over Unix sockets,
not TCP ports. It is best effort, not a sandbox: a program the notebook starts in a
subprocess is not covered, nor is a student who sets out to fool the grader. A cell
that raises does not stop the run (the next questions are still graded); a loop that
exceeds the time limit does. The student's progress file is not touched
(``CRMLAB_PROGRESS`` points to a temporary file).

The statuses come from the exercise engine itself, not from the text it shows: the
grader sets ``CRMLAB_GRADE_LOG`` and ``crmlab.exercises.check`` appends one JSON line
per call (question, status), as ``hint`` and ``solution`` do. The last ``check`` of a
question counts. Categories: correct → « juste »; incorrect or « trop arrondie » →
« tentée »; « pas encore tenté » or never checked → « pas tentée »; « erreur »
(check's own, or the question's cell raised) → « erreur ».

A submission that cannot be graded (empty file, not JSON, not a notebook, no exercise,
another chapter, kernel died…) gets a status in the table; the grader never stops on it.

Writes, in ``--out`` (default: ``RENDUS_correction/`` next to ``RENDUS/``):
``correction_NN.csv`` per chapter (``;``-separated, UTF-8 with BOM: opens in a French
spreadsheet), ``correction.html`` (the summary: student × question, totals per student
and per question) and ``notebooks/``, each submission as executed (to read an error).
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import exercises as engine

DEFAULT_TIMEOUT = 120

# categories of a question, in the table
CORRECT, TRIED, NOT_TRIED, ERROR = "juste", "tentée", "pas tentée", "erreur"
CATEGORY = {engine.CORRECT: CORRECT, engine.INCORRECT: TRIED, engine.ROUNDED: TRIED,
            engine.NOT_ATTEMPTED: NOT_TRIED, engine.ERROR: ERROR}
ICON = {CORRECT: "✓", TRIED: "✗", NOT_TRIED: "○", ERROR: "⚠"}   # in every usual font (no emoji needed)

# statuses of a submission
RAN = "exécuté"
RAN_WITH_ERRORS = "exécuté, avec erreurs"
TIMED_OUT = "délai dépassé"
KERNEL_DIED = "noyau arrêté"
NOT_RUN = "exécution impossible"
EMPTY_FILE = "fichier vide"
NOT_JSON = "pas du JSON"
NOT_NOTEBOOK = "pas un notebook"
EMPTY_NOTEBOOK = "notebook vide"
NO_EXERCISE = "pas un notebook d'exercices"
WRONG_CHAPTER = "mauvais chapitre"
EXECUTED = (RAN, RAN_WITH_ERRORS, TIMED_OUT, KERNEL_DIED)

CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d-q\d+)["']""")
START_CALL = re.compile(r"""\bstart\(\s*["']?(\d{1,2})["']?\s*\)""")
NAME_CHAPTER = re.compile(r"^(\d\d)(?=[_.\s-]|$)")

# Installed as sitecustomize.py on the kernels' PYTHONPATH (see the module docstring).
NO_NETWORK = '''"""Written by crmlab.grade: no network for the notebook being graded (loopback only)."""
import errno
import ipaddress
import socket

_MESSAGE = "réseau désactivé pendant la correction (crmlab.grade) : {}"


def _local(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%")[0]
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(sock, address):
    if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
        return True
    return isinstance(address, tuple) and _local(address[0])


def _refuse(address):
    return OSError(errno.ENETUNREACH, _MESSAGE.format(address))


_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if not _allowed(self, address):
        raise _refuse(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(self, address):
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    if not _allowed(self, address):
        raise _refuse(address)
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        raise socket.gaierror(socket.EAI_NONAME, _MESSAGE.format(host))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
'''


@dataclass
class Submission:
    """One graded file: who, which chapter, what happened, and each question's status."""

    path: Path
    name: str                 # path relative to the submissions folder
    student: str
    chapter: str | None
    status: str = NOT_RUN
    detail: str = ""
    statuses: dict[str, str] = field(default_factory=dict)   # qid → engine status
    hints: Counter = field(default_factory=Counter)           # qid → hints asked
    solutions: set[str] = field(default_factory=set)          # qids whose solution was shown
    seconds: float = 0.0

    def category(self, qid: str) -> str | None:
        """« juste », « tentée », « pas tentée », « erreur », or None when nothing ran."""
        if self.status not in EXECUTED:
            return None
        return CATEGORY.get(self.statuses.get(qid, engine.NOT_ATTEMPTED), ERROR)

    def totals(self, qids: list[str]) -> Counter:
        return Counter(self.category(q) or NOT_TRIED for q in qids)


# ======================================================================= finding
def student_and_chapter(relative: Path) -> tuple[str, str | None]:
    """(student, chapter or None) from a submission's path relative to the submissions folder.

    >>> student_and_chapter(Path("dupont_marie__03_cycle_de_vie.ipynb"))
    ('dupont_marie', '03')
    >>> student_and_chapter(Path("dupont_marie/03_cycle_de_vie.ipynb"))
    ('dupont_marie', '03')
    >>> student_and_chapter(Path("devoir.ipynb"))
    ('devoir', None)
    """
    stem = relative.name.split(".")[0] if not relative.name.startswith(".") else relative.name
    if "__" in stem:
        student, rest = stem.split("__", 1)
    elif len(relative.parts) > 1:
        student, rest = relative.parts[0], stem
    else:
        student, rest = stem, stem
    match = NAME_CHAPTER.match(rest)
    return student.strip() or stem, match.group(1) if match else None


def find_submissions(folder: Path, out: Path | None = None) -> list[Path]:
    """Every regular, non-hidden file under ``folder`` (not in checkpoints, nor in ``out``)."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(p.startswith(".") for p in relative.parts):
            continue
        if out is not None and out.resolve() in path.resolve().parents:
            continue
        found.append(path)
    return found


# ====================================================================== running
def _read(sub: Submission, expected: str | None):
    """The notebook to run, or None with ``sub.status`` set (empty, not JSON, wrong chapter…)."""
    import nbformat

    raw = sub.path.read_bytes()
    if not raw.strip():
        sub.status, sub.detail = EMPTY_FILE, "le fichier ne contient rien"
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        sub.status, sub.detail = NOT_JSON, f"illisible comme notebook ({type(exc).__name__})"
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "nbformat" not in data:
        sub.status, sub.detail = NOT_NOTEBOOK, "du JSON, mais pas au format d'un notebook Jupyter"
        return None
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        for cell in nb.cells:
            cell.setdefault("metadata", {})
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    except Exception as exc:  # noqa: BLE001 - any malformed notebook
        sub.status, sub.detail = NOT_NOTEBOOK, f"notebook mal formé ({type(exc).__name__})"
        return None
    code = [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if not code:
        sub.status, sub.detail = EMPTY_NOTEBOOK, "aucune cellule de code"
        return None
    found = Counter(q[:2] for src in code for q in CHECK_CALL.findall(src))
    found.update(m.zfill(2) for src in code for m in START_CALL.findall(src))
    if not found:
        sub.status, sub.detail = NO_EXERCISE, "aucun appel à check(...) ni exercises.start(...)"
        return None
    chapter = expected or sub.chapter or found.most_common(1)[0][0]
    if chapter not in found:
        sub.status = WRONG_CHAPTER
        sub.detail = (f"chapitre {chapter} attendu, le notebook est celui du chapitre "
                      f"{found.most_common(1)[0][0]}")
        sub.chapter = chapter
        return None
    sub.chapter = chapter
    if not engine.questions(chapter):
        sub.status, sub.detail = WRONG_CHAPTER, f"le chapitre {chapter} n'a pas de questions notées"
        return None
    return nb


def _kernel_manager_class(sockets: Path | None = None):
    """A kernel manager that always starts the grader's own Python (``sys.executable``).

    With ``sockets`` (POSIX), the kernel talks to the grader over Unix sockets in that
    folder rather than TCP ports: no port to collide with a server running alongside.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import default

    class CourseKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _default_kernel_spec_manager(self):
            # no kernel folder: the native "python3" spec, i.e. this interpreter, never
            # another Python a user-level kernel spec might point to
            return KernelSpecManager(kernel_dirs=[])

        if sockets is not None:
            @default("transport")
            def _default_transport(self):
                return "ipc"

            @default("ip")
            def _default_ip(self):
                return str(sockets / "kernel")

    return CourseKernelManager


def run(sub: Submission, nb, timeout: float, workdir: Path, keep: Path | None = None) -> None:
    """Execute ``nb`` in a fresh kernel; fill ``sub``'s status and question statuses."""
    import os

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "sitecustomize"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    log = workdir / "checks.jsonl"
    log.write_text("", encoding="utf-8")
    cwd = workdir / "notebook"
    cwd.mkdir(exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    env[engine.GRADE_LOG_ENV] = str(log)
    env[engine.PROGRESS_ENV] = str(workdir / "progression.json")
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    deadline = time.monotonic() + timeout
    current = {"cell": None}

    def remaining(cell) -> int:
        current["cell"] = cell
        return max(1, int(deadline - time.monotonic() + 0.999))

    sockets = workdir if os.name == "posix" else None
    client = NotebookClient(nb, kernel_name="python3", kernel_manager_class=_kernel_manager_class(sockets),
                            timeout_func=remaining, allow_errors=True, record_timing=False,
                            shutdown_kernel="immediate", startup_timeout=60)
    start = time.monotonic()
    try:
        with (workdir / "kernel.log").open("wb") as kernel_log:  # the kernel's own warnings, not the grader's
            client.execute(cwd=str(cwd), env=env, stdout=kernel_log, stderr=kernel_log)
        sub.status = RAN
    except CellTimeoutError:
        sub.status = TIMED_OUT
        sub.detail = f"arrêté après {timeout:g} s, à la cellule de code n° {_code_index(nb, current['cell'])}"
    except DeadKernelError:
        sub.status, sub.detail = KERNEL_DIED, "le noyau s'est arrêté (mémoire épuisée ? sortie de Python ?)"
    except Exception as exc:  # noqa: BLE001 - the grader goes on with the next submission
        sub.status, sub.detail = NOT_RUN, f"{type(exc).__name__} : {exc}"[:300]
    sub.seconds = time.monotonic() - start
    _collect(sub, nb, log)
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, keep)


def _code_index(nb, cell) -> str:
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, c in enumerate(code, 1):
        if c is cell:
            return str(i)
    return "?"


def _collect(sub: Submission, nb, log: Path) -> None:
    """Question statuses from the engine's log, then the cells that raised."""
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        qid = str(event.get("qid", ""))
        if event.get("event") == "check" and event.get("status") in CATEGORY:
            sub.statuses[qid] = event["status"]
        elif event.get("event") == "hint":
            sub.hints[qid] = max(sub.hints[qid], int(event.get("n") or 0))
        elif event.get("event") == "solution":
            sub.solutions.add(qid)
    raised = []
    for i, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        raised.append(f"cellule {i} : {errors[0].get('ename', '?')}")
        for qid in CHECK_CALL.findall(cell.source):
            sub.statuses.setdefault(qid, engine.ERROR)
    if raised and sub.status == RAN:
        sub.status = RAN_WITH_ERRORS
    if raised:
        sub.detail = "; ".join(filter(None, [sub.detail, ", ".join(raised[:5])
                                             + (" …" if len(raised) > 5 else "")]))


def grade(folder: Path, chapter: str | None = None, out: Path | None = None,
          timeout: float = DEFAULT_TIMEOUT, echo=print) -> list[Submission]:
    """Grade every submission under ``folder``; write the CSV and HTML summaries to ``out``."""
    folder = Path(folder)
    out = Path(out) if out is not None else folder.resolve().parent / f"{folder.resolve().name}_correction"
    chapter = str(chapter).zfill(2) if chapter is not None else None
    paths = find_submissions(folder, out)
    subs, skipped = [], 0
    for path in paths:
        relative = path.relative_to(folder)
        student, named = student_and_chapter(relative)
        if chapter is not None and named is not None and named != chapter:
            skipped += 1  # another chapter's file: not part of this run
            continue
        subs.append(Submission(path, relative.as_posix(), student, named))
    if skipped:
        echo(f"{skipped} fichier(s) d'un autre chapitre ignoré(s).")
    notebooks = out / "notebooks"
    with tempfile.TemporaryDirectory(prefix="crmlab-grade-") as tmp:
        for i, sub in enumerate(subs, 1):
            try:
                nb = _read(sub, chapter)
            except OSError as exc:
                sub.status, sub.detail, nb = NOT_RUN, f"fichier illisible ({exc.strerror})", None
            if nb is not None:
                run(sub, nb, timeout, Path(tmp) / str(i), keep=notebooks / Path(sub.name).with_suffix(".ipynb"))
            qids = engine.questions(sub.chapter) if sub.chapter else []
            score = f" — {sub.totals(qids)[CORRECT]} juste(s) sur {len(qids)}" if sub.status in EXECUTED else ""
            echo(f"[{i}/{len(subs)}] {sub.student} ({sub.name}) : {sub.status}{score}")
    write_reports(subs, out, timeout)
    echo(f"Résultats : {out}")
    return subs


# ====================================================================== reports
def _by_chapter(subs: list[Submission]) -> dict[str, list[Submission]]:
    chapters: dict[str, list[Submission]] = {}
    for sub in sorted(subs, key=lambda s: (s.student.lower(), s.name)):
        chapters.setdefault(sub.chapter or "??", []).append(sub)
    return dict(sorted(chapters.items()))


def write_reports(subs: list[Submission], out: Path, timeout: float) -> None:
    """``correction_NN.csv`` per chapter and ``correction.html``, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("correction_*.csv"):
        old.unlink()
    for chapter, rows in _by_chapter(subs).items():
        qids = engine.questions(chapter) if chapter != "??" else []
        with (out / f"correction_{chapter}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(["etudiant", "fichier", "chapitre", "statut", "detail", *qids,
                             "justes", "tentees", "pas_tentees", "erreurs", "indices", "solutions_vues",
                             "duree_s"])
            for sub in rows:
                n = sub.totals(qids)
                writer.writerow([sub.student, sub.name, chapter, sub.status, sub.detail,
                                 *[sub.category(q) or "" for q in qids],
                                 n[CORRECT], n[TRIED], n[NOT_TRIED], n[ERROR],
                                 sum(sub.hints[q] for q in qids), len(sub.solutions & set(qids)),
                                 f"{sub.seconds:.1f}"])
    (out / "correction.html").write_text(summary_html(subs, timeout), encoding="utf-8")


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#1f2328}
table{border-collapse:collapse;margin:.8em 0 1.6em}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:center;font-size:14px}
th{background:#f6f8fa}td.nom,th.nom{text-align:left}
td.juste{background:#e6f4ea;color:#1a7f37}td.tentée{background:#fdecea;color:#b42318}
td.pas-tentée{background:#f6f8fa;color:#57606a}td.erreur{background:#fff4e0;color:#9a6700}td.statut{text-align:left;font-size:13px}
tfoot td{background:#f6f8fa;font-weight:600}small{color:#57606a}
"""


def summary_html(subs: list[Submission], timeout: float) -> str:
    """The French HTML summary: one table per chapter, student × question, with totals."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
             "<title>Correction des exercices</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Correction des exercices</h1>",
             f"<p>{len(subs)} rendu(s). Chaque notebook a été exécuté du début à la fin dans un noyau "
             f"neuf, sans réseau, avec une limite de {timeout:g} s. Légende : "
             + " ; ".join(f"{ICON[c]} {c}" for c in (CORRECT, TRIED, NOT_TRIED, ERROR))
             + " ; « ind. n » : indices demandés ; « sol. » : solution affichée ; « — » : notebook non exécuté "
             "(voir son statut).</p>"]
    for chapter, rows in _by_chapter(subs).items():
        qids = engine.questions(chapter) if chapter != "??" else []
        parts.append(f"<h2>Chapitre {e(chapter)}</h2>" if chapter != "??" else "<h2>Chapitre inconnu</h2>")
        head = "".join(f"<th>{e(q[3:])}</th>" for q in qids)
        parts.append(f'<table><thead><tr><th class="nom">Étudiant·e</th><th>Statut</th>{head}'
                     "<th>Justes</th><th>Tentées</th><th>Pas tentées</th><th>Erreurs</th></tr></thead><tbody>")
        for sub in rows:
            cells = []
            for q in qids:
                cat = sub.category(q)
                if cat is None:
                    cells.append("<td>—</td>")
                    continue
                extra = (f" <small>ind. {sub.hints[q]}</small>" if sub.hints[q] else "") + (
                    " <small>sol.</small>" if q in sub.solutions else "")
                title = sub.statuses.get(q, engine.NOT_ATTEMPTED)
                cells.append(f'<td class="{cat.replace(" ", "-")}" title="{e(q)} : {e(title)}">'
                             f"{ICON[cat]}{extra}</td>")
            n = sub.totals(qids)
            status = e(sub.status) + (f"<br><small>{e(sub.detail)}</small>" if sub.detail else "")
            parts.append(f'<tr><td class="nom" title="{e(sub.name)}">{e(sub.student)}</td>'
                         f'<td class="statut">{status}</td>{"".join(cells)}'
                         f"<td>{n[CORRECT]}</td><td>{n[TRIED]}</td><td>{n[NOT_TRIED]}</td><td>{n[ERROR]}</td></tr>")
        parts.append("</tbody><tfoot>")
        for label, cat in (("justes", CORRECT), ("tentées", TRIED), ("pas tentées", NOT_TRIED),
                           ("erreurs", ERROR)):
            counts = "".join(f"<td>{sum(1 for s in rows if (s.category(q) or NOT_TRIED) == cat)}</td>"
                             for q in qids)
            parts.append(f'<tr><td class="nom" colspan="2">Total {label}</td>{counts}<td colspan="4"></td></tr>')
        parts.append("</tfoot></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ========================================================================== CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crmlab.grade",
        description="Corrige les notebooks d'exercices rendus : exécution dans un noyau neuf, sans réseau, "
                    "avec une limite de temps ; tableau des résultats en CSV et en HTML.")
    parser.add_argument("rendus", type=Path, help="dossier des rendus (nom_prenom__NN_….ipynb, ou un dossier "
                                                  "par étudiant·e)")
    parser.add_argument("--chapter", "--chapitre", dest="chapter", help="ne corriger que ce chapitre (NN)")
    parser.add_argument("--out", "--sortie", dest="out", type=Path,
                        help="dossier des résultats (par défaut : RENDUS_correction, à côté de RENDUS)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"limite de temps par notebook, en secondes (par défaut : {DEFAULT_TIMEOUT})")
    args = parser.parse_args(argv)
    if not args.rendus.is_dir():
        parser.error(f"le dossier des rendus {str(args.rendus)!r} n'existe pas")
    if args.chapter is not None and not re.fullmatch(r"\d{1,2}", args.chapter):
        parser.error(f"--chapter attend un numéro de chapitre sur deux chiffres (par ex. 03), pas {args.chapter!r}")
    if args.timeout <= 0:
        parser.error("--timeout doit être un nombre de secondes positif")
    subs = grade(args.rendus, args.chapter, args.out, args.timeout)
    if not subs:
        print("Aucun rendu trouvé dans ce dossier.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
