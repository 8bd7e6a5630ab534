"""check / hint / questions: feedback in French, never a traceback, never the value."""

import math

import numpy as np
import pandas as pd
import pytest

from crmlab import exercises as ex

JUNK = [None, ..., "abc", "", float("nan"), math.inf, [], {}, (), object(), True, -1, 0,
        pd.DataFrame(), pd.Series(dtype=float), pd.Series(["a", "b"]), np.array([1.0, 2.0]),
        pd.DataFrame({"a": [1, 2], "b": [3, 4]}), {"x": 1}, [None], pd.NA]


@pytest.fixture()
def toy():
    """Register toy questions for the duration of one test."""
    ex._load_all()
    before = dict(ex._REGISTRY)

    ex.question("zz-q1", kind="number", rtol=1e-3, percent=True, concept="un taux est une part.",
                hints=["vague", "précis", "méthode : a / b"])(lambda: 0.25)
    ex.question("zz-q2", kind="series", concept="un total par canal.",
                hints=["groupby"])(lambda: pd.Series({"magasin": 10.0, "site web": 5.0}))
    ex.question("zz-q3", kind="integer", concept="un nombre de clients.", hints=["nunique"])(lambda: 1234)
    ex.question("zz-q4", kind="choice", choices=("désirables", "mûrs"), concept="la matrice.",
                hints=["h"])(lambda: "désirables")
    ex.question("zz-q5", kind="set", concept="une liste d'ids.", hints=["h"])(lambda: ["C1", "C2"])
    ex.question("zz-q6", kind="bool", concept="vrai ou faux.", hints=["h"])(lambda: False)
    ex.question("zz-q7", kind="frame", columns=("n",), concept="un tableau.",
                hints=["h"])(lambda: pd.DataFrame({"n": [1.0, 2.0]}, index=["a", "b"]))
    yield
    ex._REGISTRY.clear()
    ex._REGISTRY.update(before)
    for k in [k for k in ex._CACHE if k.startswith("zz-")]:
        del ex._CACHE[k]
    ex._HINTS_GIVEN.clear()


def test_placeholder_is_not_attempted(toy, capsys):
    for placeholder in (None, ...):
        r = ex.check("zz-q1", placeholder)
        assert r.status == ex.NOT_ATTEMPTED and not r.ok
    assert "pas encore tenté" in capsys.readouterr().out


def test_right_answers_in_equivalent_forms(toy):
    assert ex.check("zz-q1", 0.25).ok
    assert ex.check("zz-q1", 25).ok  # the same rate written in %
    assert ex.check("zz-q1", np.float64(0.2501)).ok
    assert ex.check("zz-q1", pd.Series([0.25])).ok
    series = pd.Series({"site web": 5, "magasin": 10})
    assert ex.check("zz-q2", series).ok  # order does not matter
    assert ex.check("zz-q2", series.to_frame("ca")).ok  # one-column DataFrame
    assert ex.check("zz-q2", {"magasin": 10, "site web": 5}).ok
    assert ex.check("zz-q3", 1234).ok and ex.check("zz-q3", np.int64(1234)).ok
    assert ex.check("zz-q4", "Desirables ").ok  # accents, case, spaces
    assert ex.check("zz-q5", pd.Series(["C2", "C1"])).ok
    assert ex.check("zz-q6", "non").ok and ex.check("zz-q6", np.False_).ok
    assert ex.check("zz-q7", pd.DataFrame({"n": [2, 1]}, index=["b", "a"])).ok


def test_wrong_answers_point_to_the_concept_not_the_value(toy):
    r = ex.check("zz-q1", 0.3)
    assert r.status == "incorrect" and "trop grande" in r.message and "un taux est une part" in r.message
    assert "0.25" not in r.message and "0,25" not in r.message and "25" not in r.message.replace("zz-q1", "")
    r = ex.check("zz-q1", 27)  # a rate given in %, a little off: judged on the % scale
    assert "(lue en %) est trop grande" in r.message and "100 fois" not in r.message
    r = ex.check("zz-q3", 123.4)
    assert "10 fois trop petite" in r.message and "1234" not in r.message
    r = ex.check("zz-q2", pd.Series({"magasin": 10}))
    assert "il manque 1 étiquette" in r.message
    r = ex.check("zz-q2", pd.Series({"magasin": 10, "site web": 6}))
    assert "1 valeur(s) sur 2" in r.message and "site web" in r.message
    r = ex.check("zz-q4", "mûrs")
    assert not r.ok and "bon choix" in r.message
    r = ex.check("zz-q4", "sous-développés")
    assert "ne fait pas partie des réponses possibles" in r.message
    r = ex.check("zz-q5", ["C1", "C3", "C4"])
    assert "1 identifiant(s) manquant(s) et 2 en trop" in r.message


@pytest.mark.parametrize("qid", [f"zz-q{i}" for i in range(1, 8)])
def test_junk_gets_french_feedback_never_a_traceback(toy, qid, capsys):
    for junk in JUNK:
        r = ex.check(qid, junk)
        assert isinstance(r, ex.Result)
        assert r.message and r.status in {"incorrect", ex.NOT_ATTEMPTED}, (qid, junk, r)
        assert not r.ok
    assert "Traceback" not in capsys.readouterr().out


def test_text_and_nan_messages(toy):
    assert "pas du texte" in ex.check("zz-q1", "0.25").message
    assert "NaN" in ex.check("zz-q1", float("nan")).message
    assert "booléen" in ex.check("zz-q1", True).message


def test_unknown_question_and_failing_expected_value(toy):
    r = ex.check("99-q9", 1)
    assert r.status == "erreur" and "Question inconnue" in r.message

    def broken():
        raise FileNotFoundError("données absentes")

    ex.question("zz-q8", kind="number", concept="c", hints=["h"])(broken)
    r = ex.check("zz-q8", 1.0)
    assert r.status == "erreur" and "données absentes" in r.message


def test_hints_are_progressive_and_capped(toy, capsys):
    assert "Indice 1/3" in ex.hint("zz-q1")
    assert "Indice 2/3" in ex.hint("zz-q1")
    third = ex.hint("zz-q1")
    assert "Indice 3/3 (dernier indice)" in third and "a / b" in third
    assert "Indice 3/3" in ex.hint("zz-q1")  # stays on the last one
    assert "Indice 1/3" in ex.hint("zz-q1", n=1)
    assert "entier" in ex.hint("zz-q1", n=0)
    assert "inconnue" in ex.hint("nope")


def test_questions_lists_ids(toy):
    ids = ex.questions("zz")
    assert ids == [f"zz-q{i}" for i in range(1, 8)]
    assert set(ids) <= set(ex.questions())


def test_registration_refuses_bad_kinds():
    with pytest.raises(ValueError):
        ex.question("zz-x", kind="nombre", concept="c", hints=["h"])
    with pytest.raises(ValueError):
        ex.question("zz-x", kind="number", concept="c", hints=[])
