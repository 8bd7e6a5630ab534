"""The exercise engine judges like a good teacher: right answers in every form the course
shows are accepted, plausible mistakes are rejected and named, nothing leaks the answer.

Two parts: the engine's rules on small toy questions, then every declared question of the
course (``crmlab/questions/chNN.py``) against its own expected value, its listed mistakes,
generic wrong answers, its hints, its statement and the lessons' printed outputs.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from crmlab import exercises as ex

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ex.questions()
LIBRARIES = {"np", "pd", "numpy", "pandas", "sklearn", "scipy", "crmlab", "math", "datasets", "style"}


# ============================================================ number tokens
_NUM = re.compile(r"(?<![\w.,])([-−])?(\d{1,3}(?:[  \u202f]\d{3})+|\d+)(?:([.,])(\d+))?(?![\w])(\s?%)?")


def number_tokens(text: str) -> list[tuple[float, int, str]]:
    """Numbers as a French or English reader sees them: (value, significant digits, raw text).

    ``53 %`` is read as 0.53; ``1 234,5`` as 1234.5; question ids and customer ids are ignored.
    """
    text = re.sub(r"\b\d\d-q\d+\b", " ", text)
    text = re.sub(r"\b[A-Z]\d{3,}\b", " ", text)
    out = []
    for m in _NUM.finditer(text):
        sign, whole, _, frac, pct = m.groups()
        whole = re.sub(r"[  \u202f]", "", whole)
        value = float(whole + ("." + frac if frac else "")) * (-1 if sign else 1)
        digits = (whole + (frac or "")).lstrip("0")
        sig = len(digits) if frac else len(digits.rstrip("0"))
        out.append((value / 100 if pct else value, max(sig, 1), m.group(0)))
    return out


def test_number_tokens_read_french_and_english_numbers():
    values = [(v, s) for v, s, _ in number_tokens("0,53 ; 53 % ; 1 234,5 € ; 614 ; 0.841 ; C001234 ; 03-q1")]
    assert values == [(0.53, 2), (0.53, 2), (1234.5, 5), (614.0, 3), (0.841, 3)]


def _scalar_values(value) -> list[float]:
    if isinstance(value, pd.Series):
        return [float(v) for v in value]
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return [float(value)]
    return []


def _element_unit(q: ex.Question):
    return q.unit.unit if isinstance(q.unit, ex.SeriesOf) else q.unit


def leaked(qid: str, text: str, min_sig: int = 2) -> list[str]:
    """The tokens of ``text`` that a student could read as the expected value of ``qid``."""
    q = ex._REGISTRY[qid]
    unit = _element_unit(q)
    if not isinstance(unit, ex.Quantity):
        return []
    found = []
    for e in _scalar_values(ex.expected_answer(qid)):
        for v, sig, raw in number_tokens(text):
            if sig >= min_sig and unit.matches(v, e):
                found.append(raw)
    return found


# ================================================================== toy questions
@pytest.fixture()
def toy(tmp_path, monkeypatch):
    """Toy questions registered for one test; progress in a temporary file."""
    monkeypatch.setenv(ex.PROGRESS_ENV, str(tmp_path / "progress.json"))
    ex._load_all()
    before = dict(ex._REGISTRY)
    hints = ["Le concept.", "Où regarder : la colonne `amount`.", "Quelle fonction : `.mean()`."]
    ex.question("zz-q1", ex.Ratio(decimals=3, percent_ok=True), concept="une part.", hints=hints)(
        lambda: ex.Answer(0.8409, ex.mistake("la médiane au lieu de la moyenne", 0.7)))
    ex.question("zz-q2", ex.Ratio(decimals=3), concept="un ratio.", hints=hints)(lambda: 1.7)
    ex.question("zz-q3", ex.Count(), concept="un comptage.", hints=hints)(
        lambda: ex.Answer(614, ex.mistake("les commandes au lieu des clients", 1534)))
    ex.question("zz-q4", ex.Euros(decimals=0), concept="un montant.", hints=hints)(lambda: 126445.13)
    ex.question("zz-q5", ex.SeriesOf(ex.Count(), index="le canal", labels_public=True), concept="par canal.",
                hints=hints)(lambda: ex.Answer(pd.Series({"magasin": 10.0, "site web": 5.0}),
                                               ex.mistake("l'année 2024", pd.Series({"magasin": 4.0, "site web": 2.0}))))
    ex.question("zz-q6", ex.IdSet(), concept="une liste.", hints=hints)(
        lambda: ex.Answer(["C1", "C2", "C3"], ex.mistake("sans le filtre", ["C1", "C2", "C3", "C9"])))
    ex.question("zz-q7", ex.Choice(choices=("désirables", "mûrs")), concept="la matrice.", hints=hints)(
        lambda: "désirables")
    ex.question("zz-q8", ex.YesNo(), concept="vrai ou faux.", hints=hints)(lambda: False)
    ex.question("zz-q9", ex.Number(decimals=2), concept="une corrélation.", hints=hints)(lambda: 0.0213)
    ex.question("zz-q10", ex.Days(decimals=0), concept="une durée.", hints=hints)(lambda: 44.0)
    ex.question("zz-q11", ex.Percent(decimals=1), concept="un pourcentage.", hints=hints)(lambda: 58.3)
    ex.question("zz-q13", ex.Number(decimals=3), concept="un indice.", hints=hints)(lambda: 1.2389)
    ex.question("zz-q12", ex.Number(decimals=2), concept="un écart.", hints=hints,
                on_collection="Sélectionnez la cellule voulue avec `.loc[ligne, colonne]`.")(lambda: -0.42)
    yield
    ex._REGISTRY.clear()
    ex._REGISTRY.update(before)
    for k in [k for k in ex._CACHE if k.startswith("zz-")]:
        del ex._CACHE[k]
    for store in (ex._HINTS_GIVEN, ex._SESSION):
        for k in [k for k in store if k.startswith("zz-")]:
            del store[k]


def judge(qid, answer) -> ex.Result:
    return ex.check(qid, answer, quiet=True)


def test_precision_rule_accepts_display_precision_or_three_significant_digits(toy):
    # 0.8409: the full value, 3 decimals, 84.1 % (the statement accepts %), numpy, one-element Series
    for good in (0.8409, 0.841, 84.1, 84.09, np.float64(0.8409), pd.Series([0.841]), pd.DataFrame({"a": [0.841]})):
        assert judge("zz-q1", good).ok, good
    assert judge("zz-q4", 126000).ok and judge("zz-q4", 126445).ok        # 3 significant digits of 126 445
    assert judge("zz-q9", 0.02).ok and judge("zz-q9", 0.0213).ok          # displayed with 2 decimals
    assert judge("zz-q3", 614).ok and judge("zz-q3", 614.0).ok and judge("zz-q3", np.int64(614)).ok
    assert not judge("zz-q3", 615).ok                                     # a count is exact


def test_a_small_ratio_given_in_percent_as_displayed_is_accepted(toy, monkeypatch):
    # 0.0944 shown « 9,4 % » (3 decimals as a ratio = 1 decimal in %): 9.4 is right, like 0.094;
    # 0.0069 shown « 0,69 % » (4 decimals): 0.69 is right. Wrong values stay wrong.
    ex.question("zz-q14", ex.Ratio(decimals=3, percent_ok=True), concept="une part.", hints=["a", "b"])(lambda: 0.094364)
    ex.question("zz-q15", ex.Ratio(decimals=4, percent_ok=True), concept="une part.", hints=["a", "b"])(lambda: 0.006894)
    assert judge("zz-q14", 0.094).ok and judge("zz-q14", 9.4).ok and judge("zz-q14", 9.44).ok
    assert not judge("zz-q14", 9.6).ok and not judge("zz-q14", 0.096).ok
    assert judge("zz-q15", 0.0069).ok and judge("zz-q15", 0.69).ok
    assert not judge("zz-q15", 0.71).ok
    assert "signe" in judge("zz-q15", -0.69).message


def test_a_french_decimal_comma_is_explained(toy):
    # ``x = 84,1`` is the pair (84, 1) in Python: say so, with a point, not « aggregate your list »
    for qid in ("zz-q1", "zz-q3", "zz-q4", "zz-q12"):
        r = judge(qid, (84, 1))
        assert not r.ok and "point" in r.message and "`84.1`" in r.message and "Agrégez" not in r.message, r.message
    r = judge("zz-q12", (-0, 42))
    assert "`0.42`" in r.message
    r = judge("zz-q1", "84,1 %")                           # the displayed value typed as text
    assert not r.ok and "guillemets" in r.message and "point" in r.message
    r = judge("zz-q1", "")
    assert not r.ok and "texte vide" in r.message
    r = judge("zz-q8", 0.5)                                 # a number where yes / no is expected
    assert "un nombre" in r.message and "float" not in r.message
    r = judge("zz-q12", (1, 2, 3))                          # a real collection keeps its advice
    assert "un seul nombre est attendu" in r.message.lower()


def test_coarser_answers_are_too_rounded_and_told_the_precision(toy):
    for coarse, phrase in ((0.84, "au moins 3 décimales"), (84, "au moins 1 décimale"), (0.8, "au moins 3 décimales")):
        r = judge("zz-q1", coarse)
        assert r.status == ex.ROUNDED and "trop arrondie" in r.message and phrase in r.message, r.message
    r = judge("zz-q4", 130000)
    assert r.status == ex.ROUNDED and "au millier près" in r.message
    assert judge("zz-q10", 44.4).ok                  # days shown as whole days: 44.4 rounds to 44
    r = judge("zz-q10", 44.6)                        # wrong, and written more precisely than needed
    assert r.status == ex.INCORRECT and "trop grande" in r.message
    r = judge("zz-q13", 1.23)                        # 1.2389 truncated instead of rounded to 1.24
    assert r.status == ex.ROUNDED and "tronquée" in r.message


def test_scale_errors_are_named_on_the_right_side(toy):
    r = judge("zz-q2", 170)                               # a ratio answered in %: named, not accepted
    assert not r.ok and "vous avez répondu en %" in r.message and "un ratio" in r.message
    r = judge("zz-q2", 1.5)                               # a ratio of 1.5, too small: not « lu en % »
    assert "trop petite" in r.message and "%" not in r.message.split("Rappel")[0]
    r = judge("zz-q2", 2.5)
    assert "trop grande" in r.message and "lue en %" not in r.message
    r = judge("zz-q1", 85.5)                              # % accepted here: judged on the % scale
    assert "trop grande" in r.message and "lue en %" in r.message
    r = judge("zz-q11", 0.583)                            # a percentage answered as a proportion
    assert not r.ok and "proportion entre 0 et 1" in r.message and "pourcentage" in r.message
    r = judge("zz-q10", 44 / 7)                           # days vs weeks
    assert "semaines" in r.message


def test_sign_is_mentioned_only_when_the_size_is_right(toy):
    assert "signe" in judge("zz-q12", 0.42).message
    for wrong in (0.5, -0.5, 0.1):
        assert "signe" not in judge("zz-q12", wrong).message, wrong


def test_listed_mistakes_are_named_without_the_value(toy):
    r = judge("zz-q1", 0.7)
    assert r.status == ex.INCORRECT and "la médiane au lieu de la moyenne" in r.message
    assert not leaked("zz-q1", r.message)
    r = judge("zz-q3", 1534)
    assert "les commandes au lieu des clients" in r.message and "614" not in r.message
    r = judge("zz-q5", pd.Series({"site web": 2, "magasin": 4}))
    assert "l'année 2024" in r.message
    r = judge("zz-q6", ["C9", "C3", "C2", "C1"])
    assert "sans le filtre" in r.message


def test_shape_messages_fit_the_question(toy):
    r = judge("zz-q12", pd.Series([0.1, 0.2, 0.3, 0.4, 0.5]))
    assert "un seul nombre est attendu" in r.message.lower() and "5 valeurs" in r.message and ".loc[ligne, colonne]" in r.message
    assert "agréger" not in r.message
    table = pd.DataFrame({"customer_id": [f"C{i}" for i in range(614)]})
    r = judge("zz-q3", table)                             # its size is the answer: never echoed
    assert "614" not in r.message and "len(" in r.message
    r = judge("zz-q3", pd.Series([True] * 614 + [False] * 10))
    assert "614" not in r.message and "624" not in r.message and ".sum()" in r.message
    r = judge("zz-q5", pd.Series({"magasin": 10.0}))
    assert "il manque des étiquettes attendues" in r.message and "site web" in r.message   # public labels
    r = judge("zz-q5", pd.Series({"magasin": 10.0, "site web": 5.0, "2025-01-31": 1.0}))
    assert "inattendues" in r.message and "2025-01-31" in r.message and "Regroupez" not in r.message
    r = judge("zz-q5", pd.Series({"magasin": 10.0, "site web": 6.0}))
    assert "site web" in r.message and "magasin" not in r.message.split("pour :")[1]


def test_sets_never_give_sizes_or_missing_items(toy):
    for answer in (["C1", "C2"], ["C1", "C2", "C3", "C4", "C5"], ["C1", "C4"], ["C1", "C1", "C2", "C3"]):
        r = judge("zz-q6", answer)
        assert not r.ok
        body = r.message.split("Rappel")[0]
        assert "C2" not in body or "C2" not in [*set(["C1", "C2", "C3"]) - set(answer)]
        assert not [t for t in number_tokens(body)], body          # no count at all
    r = judge("zz-q6", ["C1", "C4"])
    assert "C4" in r.message and "il manque des identifiants" in r.message and "C3" not in r.message
    assert judge("zz-q6", pd.Series(["C3", "C2", "C1"])).ok and judge("zz-q6", pd.Index(["C1", "C2", "C3"])).ok


JUNK = [None, ..., "abc", "", "0,84", float("nan"), math.inf, -math.inf, [], {}, (), object(), True, -1, 0,
        pd.DataFrame(), pd.Series(dtype=float), pd.Series(["a", "b"]), np.array([1.0, 2.0]), pd.NA, pd.NaT,
        pd.DataFrame({"a": [1, 2], "b": [3, 4]}), {"x": 1}, [None], pd.Timedelta(days=3), pd.Timestamp("2025-01-01")]


@pytest.mark.parametrize("qid", [f"zz-q{i}" for i in range(1, 13)])
def test_junk_gets_french_feedback_never_an_exception(toy, qid):
    for junk in JUNK:
        r = judge(qid, junk)
        assert isinstance(r, ex.Result) and r.message and not r.ok, (qid, junk)
        assert r.status in {ex.INCORRECT, ex.NOT_ATTEMPTED, ex.ROUNDED}, (qid, junk, r.message)
        assert "Traceback" not in r.message and "Error" not in r.message


def test_timedelta_is_read_as_days_for_a_duration_in_days(toy):
    assert judge("zz-q10", pd.Timedelta(days=44)).ok
    assert "Timedelta" in judge("zz-q9", pd.Timedelta(days=1)).message


def test_unknown_question_and_failing_expected_value(toy):
    r = judge("99-q9", 1)
    assert r.status == ex.ERROR and "Question inconnue" in r.message

    def broken():
        raise FileNotFoundError("données absentes")

    ex.question("zz-q99", ex.Number(), concept="c", hints=["h"])(broken)
    r = judge("zz-q99", 1.0)
    assert r.status == ex.ERROR and "données absentes" in r.message


def test_declarations_are_checked():
    with pytest.raises(TypeError):
        ex.question("zz-x", "number", concept="c", hints=["h"])
    with pytest.raises(ValueError):
        ex.question("zz-x", ex.Number(), concept="c", hints=[])


# ----------------------------------------------------------------- rendering
class _Shell:
    """The smallest stand-in for IPython: records what is displayed, has an execution count."""

    def __init__(self):
        self.execution_count = 1
        self.shown = []
        self.user_ns = {}


@pytest.fixture()
def shell(monkeypatch):
    sh = _Shell()
    monkeypatch.setattr(ex, "_ipython", lambda: sh)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: sh.shown.append(obj))
    return sh


def test_check_renders_once_as_a_coloured_box_and_returns_a_quiet_result(toy, shell):
    r = ex.check("zz-q3", 1)
    assert len(shell.shown) == 1 and isinstance(shell.shown[0], ex.Box)
    r._ipython_display_()                                  # the display hook of the same cell
    assert len(shell.shown) == 1
    shell.execution_count += 1                             # `r` alone in a later cell shows it again
    r._ipython_display_()
    assert len(shell.shown) == 2
    assert r.status == ex.INCORRECT and not r.ok and not bool(r) and "zz-q3" in r.message
    box = shell.shown[0]
    html = box._repr_html_()
    assert "#c62828" in html and "<code" in html and "word-break:normal" in html and "**" not in html
    assert ex.check("zz-q3", 614, quiet=True).box._repr_html_().count("#2e7d32") >= 1
    assert "#6b6b6b" in ex.check("zz-q3", None, quiet=True).box._repr_html_()


def test_hint_displays_once_and_returns_nothing(toy, shell):
    assert ex.hint("zz-q1") is None
    assert len(shell.shown) == 1 and shell.shown[0].kind == "hint"
    assert "Indice 1/3" in shell.shown[0].text and "#1565c0" in shell.shown[0]._repr_html_()
    ex.hint("zz-q1")
    ex.hint("zz-q1")
    ex.hint("zz-q1")
    assert "Indice 3/3" in shell.shown[-1].text and "solution(" in shell.shown[-1].text
    ex.hint("zz-q1", n=1)
    assert "Indice 1/3" in shell.shown[-1].text
    ex.hint("zz-q1", n=0)
    assert shell.shown[-1].kind == ex.ERROR
    ex.hint("nope")
    assert "inconnue" in shell.shown[-1].text


def test_plain_text_outside_ipython(toy, monkeypatch, capsys):
    monkeypatch.setattr(ex, "_ipython", lambda: None)
    ex.hint("zz-q1")
    r = ex.check("zz-q1", 0.841)
    out = capsys.readouterr().out
    assert out.count("Indice 1/3") == 1 and out.count("✅ zz-q1 — correct") == 1
    assert "<div" not in out and "**" not in out
    assert repr(r) == "Result(qid='zz-q1', status='correct', ok=True)"


def test_markdown_rendering():
    html = ex._markdown_html("Un `code <b>` et **gras** et *italique*.\n\n- a\n- b\n\n```python\nx = 1 < 2\n```")
    assert "<code" in html and "&lt;b&gt;" in html and "<strong>gras</strong>" in html and "<em>italique</em>" in html
    assert "<ul" in html and "<li>a</li>" in html and "<pre" in html and "x = 1 &lt; 2" in html
    assert ex._markdown_text("**gras** et `code`") == "gras et `code`"


# ----------------------------------------------------------------- solution()
def test_solution_shows_the_method_read_from_the_solutions_folder(shell):
    ex.solution("03-q1")
    box = shell.shown[-1]
    assert box.kind == "solution" and "Solution de 03-q1" in box.text
    source = (ROOT / "solutions" / "03_cycle_de_vie.ipynb").read_text(encoding="utf-8")
    assert "converted_customer_id" in box.text and "converted_customer_id" in source
    assert "### BEGIN SOLUTION" not in box.text and 'check("03-q1"' not in box.text


def test_solution_without_the_folder_says_so_in_french(shell, monkeypatch, tmp_path):
    monkeypatch.setattr(ex, "_solutions_dir", lambda: None)
    ex.solution("03-q1")
    assert shell.shown[-1].kind == ex.ERROR and "introuvable" in shell.shown[-1].text
    monkeypatch.setenv(ex.SOLUTIONS_ENV, str(tmp_path))
    monkeypatch.undo()
    monkeypatch.setenv(ex.SOLUTIONS_ENV, str(tmp_path / "absent"))
    monkeypatch.chdir(tmp_path)
    assert ex._solutions_dir() is not None        # the repository's folder is still found


@pytest.mark.parametrize("qid", QUESTIONS)
def test_every_question_has_a_solution_to_show(qid):
    code = ex._solution_code(qid, ROOT / "solutions")
    assert code and code.strip(), qid


# ----------------------------------------------------------------- progress()
def test_progress_is_persisted_and_shown_by_chapter(toy, shell, tmp_path, monkeypatch):
    path = tmp_path / "p" / "progression.json"
    monkeypatch.setenv(ex.PROGRESS_ENV, str(path))
    ex.check("03-q1", 0.1)
    ex.check("03-q2", 0.1)
    ex.check("03-q2", ex.expected_answer("03-q2"))
    data = json.loads(path.read_text(encoding="utf-8"))["questions"]
    assert data["03-q1"]["status"] == "attempted" and data["03-q2"]["status"] == "correct"
    assert data["03-q2"]["tries"] == 2
    ex.check("03-q2", 0.1)                      # a later wrong answer does not undo a right one
    assert json.loads(path.read_text(encoding="utf-8"))["questions"]["03-q2"]["status"] == "correct"
    rows = dict(ex._progress_rows("03"))["03"]
    assert rows[0] == ("03-q1", "attempted") and rows[1] == ("03-q2", "correct") and rows[2][1] == "not attempted"
    ex.progress("03")
    text = shell.shown[-1].text
    assert "Chapitre 03" in text and "1 juste(s), 1 tentée(s)" in text
    # each question's status in words too, not only an icon (no emoji font on some machines)
    assert "justes : q2" in text and "à reprendre : q1" in text and "pas encore tentées : q3" in text
    ex.progress()
    assert "Chapitre 00" in shell.shown[-1].text and "Chapitre 07" in shell.shown[-1].text
    ex.progress("99")
    assert shell.shown[-1].kind == ex.ERROR


def test_progress_never_crashes_when_the_file_cannot_be_written(toy, shell, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(ex.PROGRESS_ENV, str(blocker / "sub" / "progression.json"))   # parent is a file
    assert ex.check("03-q3", ex.expected_answer("03-q3"), quiet=True).ok
    assert dict(ex._progress_rows("03"))["03"][2] == ("03-q3", "correct")              # kept for the session
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    monkeypatch.setenv(ex.PROGRESS_ENV, str(corrupt))
    ex.progress("03")
    assert "Chapitre 03" in shell.shown[-1].text


# ----------------------------------------------------------------- NameError
def test_name_error_explained_in_french():
    box = ex.name_error_box("statuts", {"statuts", "orders"}, ["orders"])
    assert "n'existe pas encore" in box.text and ex.RUN_ABOVE in box.text
    assert "Exécution → Exécuter tout au-dessus de la cellule sélectionnée" in box.text
    box = ex.name_error_box("order", {"orders"}, ["orders", "customers"])
    assert "`orders`" in box.text and "faute de frappe" in box.text.lower()
    box = ex.name_error_box("zzz", set(), ["orders"])
    assert "orthographe" in box.text and ex.RUN_ABOVE in box.text


def test_decimal_comma_syntax_error_is_explained_with_the_students_own_number():
    box = ex.decimal_comma_box("part = 0,094\n")
    assert "`0.094` et non `0,094`" in box.text
    assert "`12.05`" in ex.decimal_comma_box("x = 12,05").text
    assert "point" in ex.decimal_comma_box("").text and "`" not in ex.decimal_comma_box("").text.split("point")[1]


def test_run_above_label_is_the_french_language_pack_one():
    pack = Path(__import__("jupyterlab_language_pack_fr_FR").__file__).parent
    labels = json.loads((pack / "locale" / "fr_FR" / "LC_MESSAGES" / "jupyterlab.json").read_text(encoding="utf-8"))
    menu, item = ex.RUN_ABOVE.split(" → ")
    assert labels["menu\x04Run"] == [menu]
    assert labels["Run All Above Selected Cell"] == [item]
    # RESTART_RUN_ALL is checked against the real menu by tests/browser/test_french_ui.py: the
    # Kernel menu shows « Exécuter » capitalised, unlike this catalogue's entry
    assert ex.RESTART_RUN_ALL.split(" → ")[0] == labels["menu\x04Kernel"][0]


def test_start_installs_the_handler_only_when_called_and_explains_a_missing_variable():
    """In a real IPython shell: import changes nothing; start() turns a NameError into French help."""
    import subprocess
    import sys

    script = """
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import crmlab.exercises as ex
assert shell.custom_exceptions == (), shell.custom_exceptions
shell.run_cell('from crmlab import exercises; exercises.start("03")')
assert shell.custom_exceptions == (NameError, SyntaxError)
result = shell.run_cell('statuts.loc[:, :"2024-12-31"]')
assert isinstance(result.error_in_exec, NameError)
result = shell.run_cell('part = 0,094')                  # a French decimal comma
assert isinstance(result.error_before_exec, SyntaxError)
print("AUTRE ERREUR")
result = shell.run_cell('x = (1')                        # any other syntax error: shown as usual
assert isinstance(result.error_before_exec, SyntaxError)
result = shell.run_cell('if True:\\nx = 1')
assert isinstance(result.error_before_exec, IndentationError)
result = shell.run_cell('y = 2')
assert result.success and shell.user_ns["y"] == 2
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr
    assert "La variable `statuts` n'existe pas encore" in text and ex.RUN_ABOVE in text
    assert "Traceback (most recent call last)" not in text and "is not defined" not in text
    french, other = text.split("AUTRE ERREUR")
    assert "Un nombre décimal s'écrit avec un point" in french and "`0.094`" in french and "leading zeros" not in french
    assert "SyntaxError" in other and "IndentationError" in other and "point" not in other


# ======================================================== every course question
def _forms_of_right_answer(qid):
    """The expected value written as a student may: full precision, as displayed, 3 significant digits…"""
    q, e = ex._REGISTRY[qid], ex.expected_answer(qid)
    unit = q.unit
    if isinstance(unit, ex.Quantity):
        e = float(e)
        forms = [e, np.float64(e), pd.Series([e])]
        if not isinstance(unit, ex.Count):
            forms.append(round(e, unit.decimals))
            if e:
                forms.append(float(f"{e:.3g}"))
            for alt, _ in unit.alternatives(e)[1:]:  # as displayed: 0,0944 shown « 9,4 % » (2 decimals fewer)
                forms.append(round(alt, unit.decimals + (-2 if isinstance(unit, ex.Ratio) else 2)))
        return forms
    if isinstance(unit, ex.SeriesOf):
        s = e.astype(float)
        return [s, s.iloc[::-1], s.to_frame("valeur"), s.round(max(unit.unit.decimals, 0))]
    if isinstance(unit, ex.IdSet):
        return [list(e), list(reversed(list(e))), pd.Series(list(e)), pd.Index(list(e))]
    if isinstance(unit, ex.Choice):
        return [e, e.upper(), f" {e} "]
    return [e]


@pytest.mark.parametrize("qid", QUESTIONS)
def test_right_answers_are_accepted_in_the_forms_the_course_shows(qid):
    for form in _forms_of_right_answer(qid):
        r = ex.check(qid, form, quiet=True)
        assert r.ok, (qid, form, r.message)


@pytest.mark.parametrize("qid", QUESTIONS)
def test_coarser_answers_are_told_too_rounded(qid):
    unit, e = ex._REGISTRY[qid].unit, ex.expected_answer(qid)
    if not isinstance(unit, ex.Quantity) or isinstance(unit, ex.Count) or not float(e):
        pytest.skip("exact or non-numeric answer")
    e = float(e)
    step = unit.step(e)
    coarse = round(e, -int(round(math.log10(step))) - 1)
    if unit.close(coarse, e) or coarse == 0:
        pytest.skip("rounding one more digit lands on the value")
    r = ex.check(qid, coarse, quiet=True)
    assert r.status == ex.ROUNDED and "trop arrondie" in r.message, (qid, coarse, r.message)


def _differs(value, expected) -> bool:
    """Whether a mistake gives another value than the expected one with these data."""
    if isinstance(expected, pd.Series):
        if not isinstance(value, pd.Series) or set(map(str, value.index)) != set(map(str, expected.index)):
            return True
        return not np.allclose(value.reindex(expected.index).astype(float), expected.astype(float), rtol=1e-12, atol=0)
    if isinstance(expected, (list, tuple)):
        return {str(v) for v in value} != {str(v) for v in expected}
    if isinstance(expected, str):
        return str(value) != expected
    return not math.isclose(float(value), float(expected), rel_tol=1e-12, abs_tol=1e-15)


def test_mistakes_found_in_the_browser_walk_through_are_named():
    """Wrong answers a student gave in the walk-through (issue 16), recomputed here from the data:
    each must get its named mistake, not a bare « trop grande / trop petite »."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from crmlab import datasets
    from crmlab.questions import ch14

    def named(qid, value, words):
        r = ex.check(qid, value, quiet=True)
        assert not r.ok and "erreur fréquente" in r.message and words in r.message, (qid, value, r.message)

    log = datasets.load_call_log()
    delivery = log[log["reason"] == "livraison"]
    named("12-q8", round(log["wait_s"].sum() / log["abandoned"].sum()), "tous les motifs")
    named("12-q8", round(delivery["wait_s"].sum() / delivery["abandoned"].sum() / 60, 2), "en minutes")
    s = ch14._summary()   # the exercise notebook's table
    strict = (s["p_churn"] >= 0.40) & (s["value_12m"] > s["value_12m"].quantile(0.9))
    named("14-q3", int(strict.sum()), "strictement supérieure")
    t = ch14._target()
    p0, threshold = t["p_churn"].mean(), ex.expected_answer("14-q4")
    n = NormalIndPower().solve_power(proportion_effectsize(p0, p0 * (1 - threshold)), alpha=0.05, power=0.8, ratio=1.0)
    named("14-q6", int(np.floor(n)), "entier inférieur")
    n_points = NormalIndPower().solve_power(proportion_effectsize(p0, p0 - threshold), alpha=0.05, power=0.8, ratio=1.0)
    named("14-q6", int(np.ceil(n_points)), "points")


@pytest.mark.parametrize("qid", QUESTIONS)
def test_each_listed_mistake_is_rejected_and_named_without_the_value(qid):
    e = ex.expected_answer(qid)
    listed = ex.mistakes(qid)
    assert listed or isinstance(ex._REGISTRY[qid].unit, (ex.YesNo, ex.Choice)), f"{qid} lists no mistake"
    for m in listed:
        if not _differs(m.value, e):
            continue          # this mistake gives the right value with these data: nothing to reject
        r = ex.check(qid, m.value, quiet=True)
        assert not r.ok, (qid, m.name, "a plausible mistake is accepted")
        same = [n.name for n in listed if not _differs(n.value, m.value)]
        assert any(name in r.message for name in same), (qid, m.name, r.message)
        assert not leaked(qid, r.message), (qid, m.name, r.message)


def _generic_wrong_answers(qid):
    q, e = ex._REGISTRY[qid], ex.expected_answer(qid)
    unit = q.unit
    if isinstance(unit, ex.Quantity):
        e = float(e)
        out = [e * 1.1 + 1, e * 0.9 - 1, -e - 1, e * 2 + 3, 0, pd.Series(np.arange(5.0)),
               pd.DataFrame({"a": np.arange(3.0), "b": np.arange(3.0)})]
        if isinstance(unit, ex.Count) and e >= 1:      # a table whose size is the answer
            n = int(min(e, 200_000))
            out += [pd.DataFrame({"x": np.zeros(n)}), pd.Series(np.ones(n, dtype=bool)), list(range(n))]
        return out
    if isinstance(unit, ex.SeriesOf):
        s = e.astype(float)
        return [s * 1.1 + 1, s.iloc[:-1], pd.concat([s, pd.Series({"autre": 1.0})]), s.reset_index(drop=True),
                list(s), s.to_frame("a").assign(b=1.0)]
    if isinstance(unit, ex.IdSet):
        items = list(e)
        return [items[:-1], items + ["C999999"], items[1:] + ["C999998"], items[:1], items * 2]
    if isinstance(unit, ex.Choice):
        return [c for c in unit.choices if c != e] + ["autre chose", 3]
    return [not e, "peut-être"]


# indices read on a 0-1 (or −1 to 1) scale: a value given in % is a scale error, named as such
SCALE_FREE_INDICES = ["04-q2", "05-q6", "05-q7", "05-q8", "07-q7", "08-q7"]   # Gini, silhouette, ARI, correlation, lift


@pytest.mark.parametrize("qid", SCALE_FREE_INDICES)
def test_indices_are_ratios_and_a_percent_answer_is_named_a_scale_error(qid):
    unit = ex._REGISTRY[qid].unit
    assert isinstance(unit, ex.Ratio) and not unit.percent_ok, (qid, unit)
    r = ex.check(qid, float(ex.expected_answer(qid)) * 100, quiet=True)
    assert not r.ok and "vous avez répondu en %" in r.message and "Divisez par 100" in r.message, (qid, r.message)
    assert not leaked(qid, r.message), (qid, r.message)


@pytest.mark.parametrize("qid", QUESTIONS)
def test_generic_wrong_answers_never_leak_the_value_or_a_size(qid):
    e = ex.expected_answer(qid)
    unit = ex._REGISTRY[qid].unit
    for wrong in _generic_wrong_answers(qid):
        r = ex.check(qid, wrong, quiet=True)
        assert not r.ok, (qid, wrong)
        assert not leaked(qid, r.message), (qid, r.message)
        if isinstance(unit, ex.IdSet):
            body = re.sub(r"\bC\d+\b", "", r.message.split("Rappel")[0])
            assert not number_tokens(body), (qid, r.message)
            assert str(len(e)) not in re.findall(r"\d+", body)
        if isinstance(unit, ex.SeriesOf) and not unit.labels_public:   # public labels: the statement gives them
            body = r.message.split("Rappel")[0]
            assert str(len(e)) not in re.findall(r"\b\d+\b", re.sub(r"'[^']*'", "", body)), (qid, r.message)
        if isinstance(unit, ex.Count) and float(e) >= 10:
            assert str(int(float(e))) not in r.message.replace("\u202f", "").replace("\xa0", ""), (qid, r.message)


@pytest.mark.parametrize("qid", QUESTIONS)
def test_every_check_answers_junk_in_french(qid):
    for junk in JUNK:
        r = ex.check(qid, junk, quiet=True)
        assert r.status in {ex.INCORRECT, ex.NOT_ATTEMPTED, ex.ROUNDED}, (qid, junk, r.message)
        assert not leaked(qid, r.message)


# ----------------------------------------------------------------- hints
def _normalise_code(text: str) -> str:
    return re.sub(r"\s+", "", text.replace('"', "'"))


def _solution_lines(qid: str) -> list[str]:
    """Right-hand sides (and bare expressions) of the solution's code lines, normalised."""
    code = ex._solution_code(qid, ROOT / "solutions") or ""
    out = []
    for line in code.split("\n"):
        line = line.split("#")[0].strip()
        if not line:
            continue
        rhs = line.split("=", 1)[1] if re.match(r"^[\w\[\]'\", .]+\s*=[^=]", line) else line
        rhs = _normalise_code(rhs)
        if len(rhs) >= 12:
            out.append(rhs)
    return out


@pytest.mark.parametrize("qid", QUESTIONS)
def test_no_hint_or_concept_hands_over_the_solution_line(qid):
    q = ex._REGISTRY[qid]
    for text in (*q.hints, q.concept):
        flat = _normalise_code(text)
        for line in _solution_lines(qid):
            assert line not in flat, (qid, line, text)


def _spans(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def _notebook(folder: str, chapter: str):
    return nbformat.read(next((ROOT / folder).glob(f"{chapter}_*.ipynb")), as_version=4)


def _defined_before(qid: str) -> set[str]:
    """Names the exercise notebook defines before (and in) the cell of ``qid``."""
    nb = _notebook("exercises", qid[:2])
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and hasattr(node, "name"):
                names.add(node.name)
        if re.search(r"""check\(\s*["']""" + re.escape(qid) + r"""["']""", cell.source):
            return names
    raise AssertionError(f"{qid} is not in its exercise notebook")


def _method_name(name: str) -> bool:
    """A pandas / numpy method written without its object (``groupby(...)``)."""
    from pandas.core.groupby import DataFrameGroupBy, SeriesGroupBy

    return any(hasattr(obj, name) for obj in (pd.DataFrame, pd.Series, pd.Index, np, SeriesGroupBy,
                                              DataFrameGroupBy, pd.Series.dt, pd.Series.str))


def _variables(span: str) -> list[tuple[str, bool]]:
    """(name, used as a call's function) for each variable an expression span reads."""
    code = span.strip()
    if code.startswith("."):
        code = "_obj" + code
    try:
        tree = ast.parse(code, mode="exec")
    except SyntaxError:
        return []
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Name):
        return []                  # a bare word: a column or a parameter name, not an expression
    funcs = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return [(n.id, id(n) in funcs) for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in stored and n.id != "_obj"]


@pytest.mark.parametrize("qid", QUESTIONS)
def test_hints_use_only_names_the_exercise_notebook_defines(qid):
    known = _defined_before(qid) | LIBRARIES | set(dir(builtins))
    for hint_text in ex._REGISTRY[qid].hints:
        for span in _spans(hint_text):
            for name, called in _variables(span):
                assert name in known or (called and _method_name(name)), (qid, name, span)


@pytest.mark.parametrize("chapter", sorted({q[:2] for q in QUESTIONS}))
def test_hints_work_when_followed_literally(chapter):
    """Every hint span whose names exist runs without error in the notebook's namespace."""
    nb = _notebook("exercises", chapter)
    ns: dict = {"__name__": "__hint__", "display": lambda *args, **kwargs: None}
    silent = io.StringIO()
    failures = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        match = re.search(r"""check\(\s*["'](\d\d-q\d+)["']""", cell.source)
        if match:
            qid = match.group(1)
            for hint_text in ex._REGISTRY[qid].hints:
                for span in _spans(hint_text):
                    names = _variables(span)
                    if not names or "..." in span or span.strip().startswith(".") or "…" in span:
                        continue
                    if any(name not in ns and name not in dir(builtins) for name, _ in names):
                        continue
                    try:
                        with contextlib.redirect_stdout(silent):
                            exec(compile(span, "<hint>", "exec"), dict(ns))
                    except Exception as exc:  # noqa: BLE001
                        failures.append((qid, span, f"{type(exc).__name__}: {exc}"))
        with contextlib.redirect_stdout(silent):
            exec(compile(cell.source, f"<{chapter}>", "exec"), ns)
    assert failures == []


def test_the_hints_of_05_q8_work_when_followed_literally():
    """Chaining the code the three hints give, as written, yields the expected ARI."""
    from sklearn.metrics import adjusted_rand_score

    from crmlab import datasets, segmentation

    spans = [span for text in ex._REGISTRY["05-q8"].hints for span in _spans(text)]
    load, align, reorder = ("datasets.load_ground_truth('customers')", ".set_index('customer_id')['needs_segment']",
                            ".reindex(survey.index)")
    assert {load, align, reorder} <= set(spans), spans
    assert any(s.startswith("adjusted_rand_score(") for s in spans) and "segments5" in spans
    survey = datasets.load_survey().set_index("customer_id")
    segments5 = segmentation.kmeans_segments(survey, list(segmentation.SPECIFIC), k=5)
    latents = eval(load + align + reorder, {"datasets": datasets, "survey": survey})
    assert ex.check("05-q8", adjusted_rand_score(latents, segments5), quiet=True).ok


# ----------------------------------------------------------------- statements
def _statement(qid: str) -> str:
    """The markdown above the question's cell and the comment of its placeholder, in the solution."""
    nb = _notebook("solutions", qid[:2])
    cells = nb.cells
    i = next(i for i, c in enumerate(cells) if c.cell_type == "code"
             and re.search(r"""check\(\s*["']""" + re.escape(qid) + r"""["']""", c.source))
    j = i - 1
    while j >= 0 and cells[j].cell_type != "markdown":
        j -= 1
    comment = " ".join(line for line in cells[i].source.split("\n") if line.lstrip().startswith("#")
                       and "SOLUTION" not in line)
    return cells[j].source + "\n" + comment


@pytest.mark.parametrize("qid", QUESTIONS)
def test_no_statement_example_is_the_answer(qid):
    text = _statement(qid)
    for value, sig, raw in number_tokens(text):
        for candidate in {value, value * 100, value / 100}:
            r = ex.check(qid, candidate, quiet=True)
            assert r.status != ex.CORRECT, (qid, raw, "an example of the statement is the answer")
            # « 0,53 » for 0,5248 is the answer rounded; « entre 0 et 1 » is no example of it
            assert r.status != ex.ROUNDED or sig < 2, (qid, raw, "an example of the statement is the answer, rounded")


# ----------------------------------------------------------------- lessons
def _stored_outputs(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts = []
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.extend("".join(v) for k, v in out.get("data", {}).items() if k == "text/plain")
        texts.append("\n".join(parts))
    return texts


@pytest.mark.parametrize("chapter", sorted({q[:2] for q in QUESTIONS}))
def test_no_lesson_prints_an_exercise_answer(chapter):
    lesson = next((ROOT / "notebooks").glob(f"{chapter}_*.ipynb"))
    printed = []
    for text in _stored_outputs(lesson):
        for qid in ex.questions(chapter):
            values = _scalar_values(ex.expected_answer(qid))
            unit = _element_unit(ex._REGISTRY[qid])
            if not values or not isinstance(unit, ex.Quantity):
                continue
            tokens = [(v, raw) for v, sig, raw in number_tokens(text) if sig >= 3]
            hits = [next((raw for v, raw in tokens if unit.close(v, e)), None) for e in values]
            if all(hits):                       # every value of the answer printed in one output
                printed.append((qid, hits))
    assert printed == []
