"""Automatic checks of the exercises: ``check``, ``hint``, ``questions``.

In an exercise notebook::

    from crmlab.exercises import check, hint
    panier_moyen = None          # À compléter
    check("00-q3", panier_moyen) # ⏳ pas encore tenté / ✅ correct / ❌ + a hint at the concept
    hint("00-q3")                # next hint, more precise each time (never the value)

Questions are registered chapter by chapter in ``crmlab/questions/chNN.py`` with
the :func:`question` decorator, on a function that *computes* the expected value
from the data (never a typed-in number), so a check stays right when the data
change. ``check`` never raises: any answer — ``None``, text, NaN, an empty or
misshapen table, a wrong type — gets French feedback.

Kinds of answer (``kind=``):

- ``"number"``: a number, compared with ``rtol``/``atol``; ``percent=True`` also
  accepts a ratio written in % (0.12 or 12);
- ``"integer"``: a count, exact;
- ``"series"``: a Series (or one-column DataFrame, or dict) indexed by labels;
- ``"frame"``: a DataFrame with the expected columns (``columns=``) and index;
- ``"choice"``: one of ``choices`` (case, accents and spaces ignored);
- ``"bool"``: True / False (``"oui"`` / ``"non"`` accepted);
- ``"set"``: a collection of identifiers (order ignored).
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

NOT_ATTEMPTED = "pas encore tenté"
KINDS = ("number", "integer", "series", "frame", "choice", "bool", "set")


@dataclass(frozen=True)
class Question:
    """One graded question: how to compute its expected answer and how to compare."""

    qid: str
    expected: Callable[[], Any]
    kind: str
    concept: str
    hints: tuple[str, ...]
    rtol: float = 1e-3
    atol: float = 0.0
    percent: bool = False
    columns: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """What ``check`` found: ``ok`` (bool), ``status`` and the French ``message``."""

    qid: str
    status: str  # "correct", "incorrect", "pas encore tenté", "erreur"
    message: str
    ok: bool = field(default=False)

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        """``check`` already printed the message: show nothing more in a notebook."""


_REGISTRY: dict[str, Question] = {}
_CACHE: dict[str, Any] = {}
_HINTS_GIVEN: dict[str, int] = {}
_LOADED = False


def question(
    qid: str,
    *,
    kind: str,
    concept: str,
    hints: list[str] | tuple[str, ...],
    rtol: float = 1e-3,
    atol: float = 0.0,
    percent: bool = False,
    columns: tuple[str, ...] | list[str] = (),
    choices: tuple[str, ...] | list[str] = (),
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the expected answer of question ``qid``.

    ``concept`` is the one-line reminder shown after a wrong answer; ``hints`` go
    from vague to precise (the last may show the method, never the value).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not hints:
        raise ValueError(f"question {qid} needs at least one hint")

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        if qid in _REGISTRY and _REGISTRY[qid].expected.__qualname__ != func.__qualname__:
            raise ValueError(f"question id {qid} registered twice")
        _REGISTRY[qid] = Question(qid, func, kind, concept, tuple(hints), rtol, atol,
                                  percent, tuple(columns), tuple(choices))
        return func

    return register


def _load_all() -> None:
    """Import every ``crmlab.questions.chNN`` module once (they register their questions)."""
    global _LOADED
    if _LOADED:
        return
    from . import questions as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
    _LOADED = True


def questions(chapter: str | None = None) -> list[str]:
    """Every question id (``"00-q1"``, …), or those of one chapter (``"04"``)."""
    _load_all()
    ids = sorted(_REGISTRY)
    return [q for q in ids if chapter is None or q.startswith(f"{chapter}-")]


def expected_answer(qid: str) -> Any:
    """The expected value of ``qid`` computed from the data (for tests and instructors)."""
    _load_all()
    if qid not in _CACHE:
        _CACHE[qid] = _REGISTRY[qid].expected()
    return _CACHE[qid]


# ----------------------------------------------------------------- comparisons
class _Wrong(Exception):
    """A wrong answer, with the French explanation."""


def _is_placeholder(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _describe(answer: Any) -> str:
    if isinstance(answer, str):
        return "du texte (une chaîne de caractères)"
    if isinstance(answer, pd.DataFrame):
        return f"un tableau (DataFrame) de {answer.shape[0]} ligne(s) et {answer.shape[1]} colonne(s)"
    if isinstance(answer, pd.Series):
        return f"une série (Series) de {len(answer)} valeur(s)"
    if isinstance(answer, (bool, np.bool_)):
        return "un booléen (True/False)"
    if isinstance(answer, (list, tuple, set)):
        return f"une liste de {len(answer)} élément(s)"
    if isinstance(answer, dict):
        return "un dictionnaire"
    return f"un objet de type {type(answer).__name__}"


def _to_scalar(answer: Any) -> float:
    """Turn an answer into one float, or raise _Wrong with a French explanation."""
    value = answer
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, tuple)):
        arr = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=object).ravel()
        if arr.size != 1:
            raise _Wrong(f"un seul nombre est attendu, mais votre réponse est {_describe(answer)}. "
                         "Avez-vous oublié d'agréger (sum, mean, count…) ?")
        value = arr[0]
    if isinstance(value, (bool, np.bool_)):
        raise _Wrong("un nombre est attendu, pas un booléen (True/False).")
    if isinstance(value, str):
        raise _Wrong("un nombre est attendu, pas du texte : retirez les guillemets "
                     "et calculez la valeur avec pandas plutôt que de la recopier.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _Wrong(f"un nombre est attendu, mais votre réponse est {_describe(answer)}.") from None
    if math.isnan(number):
        raise _Wrong("votre réponse vaut NaN (valeur manquante) : une division par zéro, "
                     "une colonne vide ou un filtre qui ne garde aucune ligne ?")
    if math.isinf(number):
        raise _Wrong("votre réponse est infinie : une division par zéro ?")
    return number


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=atol))


def _compare_number(q: Question, answer: Any, expected: Any) -> str:
    got = _to_scalar(answer)
    exp = float(expected)
    if q.kind == "integer":
        if _close(got, exp, 0, 1e-9):
            return "la valeur est exacte."
    elif _close(got, exp, q.rtol, q.atol):
        return "la valeur est juste."
    if q.percent and _close(got, exp * 100, q.rtol, q.atol * 100):
        return "la valeur est juste (exprimée en %)."
    if q.percent and abs(exp) <= 1 < abs(got) <= 100:  # answered in %: compare on that scale
        raise _Wrong(f"votre valeur (lue en %) est {'trop grande' if got > exp * 100 else 'trop petite'}.")
    if exp != 0 and got != 0:
        ratio = abs(got / exp)
        if q.percent and _close(got * 100, exp, q.rtol, q.atol):
            raise _Wrong("votre valeur est 100 fois trop petite : vérifiez l'échelle (ratio ou %).")
        for factor in (10, 100, 1000):
            if _close(ratio, factor, 0.02, 0) or _close(ratio, 1 / factor, 0.02, 0):
                raise _Wrong(f"votre valeur est environ {factor} fois trop "
                             f"{'grande' if ratio > 1 else 'petite'} : une question d'unité ou d'échelle ?")
        if np.sign(got) != np.sign(exp):
            raise _Wrong("le signe de votre valeur n'est pas le bon.")
    direction = "trop grande" if got > exp else "trop petite"
    raise _Wrong(f"votre valeur est {direction}.")


def _to_series(answer: Any) -> pd.Series:
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise _Wrong(f"une série (une seule colonne) est attendue, mais votre réponse est "
                         f"{_describe(answer)}. Sélectionnez la colonne utile.")
        return answer.iloc[:, 0]
    if isinstance(answer, Mapping):
        return pd.Series(dict(answer))
    if isinstance(answer, pd.Series):
        return answer
    raise _Wrong(f"une série pandas (Series) est attendue, mais votre réponse est {_describe(answer)}.")


def _labels(index: pd.Index) -> list[str]:
    return [str(v) for v in index]


def _compare_series(q: Question, answer: Any, expected: pd.Series) -> str:
    got = _to_series(answer)
    if len(got) == 0:
        raise _Wrong("votre série est vide : un filtre trop strict, ou un groupby sur une table vide ?")
    got = got.copy()
    got.index = _labels(got.index)
    exp = expected.copy()
    exp.index = _labels(exp.index)
    if got.index.duplicated().any():
        raise _Wrong("votre série a des étiquettes en double : un groupby est-il nécessaire ?")
    missing = [k for k in exp.index if k not in got.index]
    extra = [k for k in got.index if k not in exp.index]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"il manque {len(missing)} étiquette(s) (par ex. {', '.join(missing[:3])})")
        if extra:
            parts.append(f"{len(extra)} étiquette(s) inattendue(s) (par ex. {', '.join(extra[:3])})")
        raise _Wrong("les étiquettes (l'index) ne correspondent pas : " + " ; ".join(parts)
                     + ". Regroupez-vous par la bonne colonne ?")
    got = got.reindex(exp.index)
    try:
        values = pd.to_numeric(got, errors="raise").astype(float).to_numpy()
    except (TypeError, ValueError):
        raise _Wrong("les valeurs de votre série ne sont pas numériques.") from None
    if np.isnan(values).any():
        raise _Wrong("votre série contient des valeurs manquantes (NaN).")
    target = exp.astype(float).to_numpy()
    close = np.isclose(values, target, rtol=q.rtol, atol=q.atol)
    if q.percent and not close.all():
        close = close | np.isclose(values, target * 100, rtol=q.rtol, atol=q.atol * 100)
    if not close.all():
        bad = [k for k, c in zip(exp.index, close) if not c]
        raise _Wrong(f"{len(bad)} valeur(s) sur {len(exp)} ne sont pas justes "
                     f"(par ex. pour : {', '.join(bad[:3])}).")
    return "toutes les valeurs sont justes."


def _compare_frame(q: Question, answer: Any, expected: pd.DataFrame) -> str:
    if isinstance(answer, pd.Series):
        answer = answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        raise _Wrong(f"un tableau (DataFrame) est attendu, mais votre réponse est {_describe(answer)}.")
    if answer.empty:
        raise _Wrong("votre tableau est vide : un filtre trop strict, ou une jointure sans correspondance ?")
    columns = list(q.columns) or list(expected.columns)
    absent = [c for c in columns if c not in answer.columns]
    if absent:
        raise _Wrong(f"colonne(s) absente(s) de votre tableau : {', '.join(map(str, absent))} "
                     f"(présentes : {', '.join(map(str, answer.columns[:10]))}).")
    if len(answer) != len(expected):
        raise _Wrong(f"votre tableau a {len(answer)} ligne(s) ; ce n'est pas le bon nombre. "
                     "Vérifiez le filtre, le regroupement ou la jointure.")
    for col in columns:
        _compare_series(q, answer[col], expected[col])
    return "le tableau est juste."


def _norm_text(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _compare_choice(q: Question, answer: Any, expected: Any) -> str:
    if not isinstance(answer, str):
        raise _Wrong(f"une réponse en texte est attendue (l'une de : {', '.join(q.choices)}), "
                     f"mais votre réponse est {_describe(answer)}.")
    allowed = {_norm_text(c): c for c in q.choices}
    if allowed and _norm_text(answer) not in allowed:
        raise _Wrong(f"« {answer} » ne fait pas partie des réponses possibles : {', '.join(q.choices)}.")
    if _norm_text(answer) != _norm_text(expected):
        raise _Wrong("ce n'est pas le bon choix.")
    return "c'est le bon choix."


def _compare_bool(q: Question, answer: Any, expected: Any) -> str:
    if isinstance(answer, str) and _norm_text(answer) in {"oui", "non", "vrai", "faux", "true", "false"}:
        answer = _norm_text(answer) in {"oui", "vrai", "true"}
    if not isinstance(answer, (bool, np.bool_)):
        raise _Wrong(f"True ou False est attendu, mais votre réponse est {_describe(answer)}.")
    if bool(answer) != bool(expected):
        raise _Wrong("ce n'est pas la bonne réponse.")
    return "c'est juste."


def _compare_set(q: Question, answer: Any, expected: Any) -> str:
    if isinstance(answer, (pd.Series, pd.Index)):
        items = answer.tolist()
    elif isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise _Wrong("une liste d'identifiants est attendue : gardez une seule colonne (ou l'index).")
        items = answer.iloc[:, 0].tolist()
    elif isinstance(answer, (list, tuple, set, frozenset, np.ndarray)):
        items = list(answer)
    else:
        raise _Wrong(f"une liste d'identifiants est attendue, mais votre réponse est {_describe(answer)}.")
    got = {str(v) for v in items}
    exp = {str(v) for v in expected}
    if not got:
        raise _Wrong("votre liste est vide.")
    if got != exp:
        raise _Wrong(f"{len(exp - got)} identifiant(s) manquant(s) et {len(got - exp)} en trop "
                     f"(vous en donnez {len(got)}). Revoyez le critère de sélection.")
    return "la liste est exacte."


_COMPARE = {
    "number": _compare_number,
    "integer": _compare_number,
    "series": _compare_series,
    "frame": _compare_frame,
    "choice": _compare_choice,
    "bool": _compare_bool,
    "set": _compare_set,
}


def check(qid: str, answer: Any, quiet: bool = False) -> Result:
    """Compare ``answer`` with the expected answer of ``qid``, print French feedback.

    Returns a :class:`Result` (``.ok``, ``.status``, ``.message``). Never raises.
    """
    try:
        result = _check(qid, answer)
    except Exception as exc:  # noqa: BLE001 - a check must never show a traceback
        result = Result(qid, "erreur", f"⚠️ {qid} : la vérification a échoué de façon inattendue "
                        f"({type(exc).__name__}). Relancez le notebook depuis le début "
                        "(Noyau → Redémarrer et tout exécuter) ; si cela persiste, signalez-le.")
    if not quiet:
        print(result.message)
    return result


def _check(qid: str, answer: Any) -> Result:
    _load_all()
    if not isinstance(qid, str) or qid not in _REGISTRY:
        known = ", ".join(questions()[:6])
        return Result(str(qid), "erreur", f"⚠️ Question inconnue : {qid!r}. "
                      f"Les identifiants ressemblent à : {known}, …")
    q = _REGISTRY[qid]
    if _is_placeholder(answer):
        return Result(qid, NOT_ATTEMPTED, f"⏳ {qid} : {NOT_ATTEMPTED} — remplacez None par votre réponse.")
    try:
        expected = expected_answer(qid)
    except Exception as exc:  # noqa: BLE001 - data missing, etc.
        return Result(qid, "erreur", f"⚠️ {qid} : impossible de calculer la réponse attendue ({exc}).")
    try:
        detail = _COMPARE[q.kind](q, answer, expected)
    except _Wrong as wrong:
        return Result(qid, "incorrect", f"❌ {qid} : pas encore — {wrong} "
                      f"Rappel : {q.concept} (Besoin d'aide ? hint(\"{qid}\"))")
    return Result(qid, "correct", f"✅ {qid} : correct — {detail}", ok=True)


def hint(qid: str, n: int | None = None) -> str:
    """Print and return the next hint for ``qid`` (or hint number ``n``, from 1)."""
    _load_all()
    if qid not in _REGISTRY:
        message = f"⚠️ Question inconnue : {qid!r}."
        print(message)
        return message
    hints = _REGISTRY[qid].hints
    if n is None:
        n = min(_HINTS_GIVEN.get(qid, 0) + 1, len(hints))
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        message = f"⚠️ n doit être un entier ≥ 1 (indices disponibles : 1 à {len(hints)})."
        print(message)
        return message
    n = min(int(n), len(hints))
    _HINTS_GIVEN[qid] = max(_HINTS_GIVEN.get(qid, 0), n)
    last = " (dernier indice)" if n == len(hints) else ""
    message = f"💡 Indice {n}/{len(hints)}{last} : {hints[n - 1]}"
    print(message)
    return message
