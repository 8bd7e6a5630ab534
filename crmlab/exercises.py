"""Automatic checks of the exercises: ``start``, ``check``, ``hint``, ``solution``, ``progress``.

In an exercise notebook (``exercises/NN_….ipynb``, generated from ``solutions/``)::

    from crmlab import exercises
    from crmlab.exercises import check, hint, solution, progress
    exercises.start("03")        # French help for NameError; nothing happens at import

    taux_conversion = None       # À compléter
    check("03-q1", taux_conversion)   # grey « pas encore tenté », red « pas encore », green « correct »
    hint("03-q1")                # next hint, more precise at each call (never the value)
    solution("03-q1")            # the method, read from solutions/, for a learner who gives up
    progress()                   # chapter by chapter: right, tried, not tried

``check`` never raises: ``None``, text, NaN, an empty or misshapen table, a wrong
type all get French feedback. It shows one coloured box (rich HTML in JupyterLab,
plain text elsewhere) and returns a :class:`Result` (``.ok``, ``.status``,
``.message``) that is not displayed a second time.

Declaring a question (``crmlab/questions/chNN.py``)
---------------------------------------------------
A question is a function that *computes* the expected answer from the data — never
a typed-in number, the data may change — decorated with :func:`question`, which
says what the answer is (its unit and the precision the course displays), the
concept recalled after a wrong answer, and hints from vague to precise. The
function may return the bare value, or an :class:`Answer` that also lists the
plausible mistakes, each computed by code next to the right value and named in
French. A complete example::

    from ..exercises import Answer, Ratio, mistake, question

    @question(
        "03-q1", Ratio(decimals=3, percent_ok=True),   # the statement accepts 0,xxx or xx,x %
        concept="le taux de conversion est la part des prospects devenus clients.",
        hints=["Un prospect converti a un identifiant dans `converted_customer_id`.",
               "`.notna()` dit si une valeur est renseignée ; la moyenne de booléens est une part.",
               "Divisez le nombre de convertis par le nombre de prospects inscrits."],
    )
    def _conversion_rate() -> Answer:
        prospects = table("prospects")
        converted = prospects["converted_customer_id"].notna()
        return Answer(
            converted.mean(),
            mistake("le nombre de prospects convertis au lieu de leur part", converted.sum()),
            mistake("la part des prospects non convertis", 1 - converted.mean()),
        )

Units (what the answer is)
--------------------------
``Ratio`` (a proportion or a ratio, 0.25; ``percent_ok=True`` when the statement
also accepts 25), ``Percent`` (25 for 25 %; ``ratio_ok=True``), ``Euros``, ``Days``,
``Weeks``, ``Years``, ``Number`` (a plain number), ``Count`` (an exact count);
``SeriesOf(unit, index=…)`` (a Series of such values, labelled), ``Choice(choices)``,
``YesNo()``, ``IdSet()`` (a collection of identifiers, order ignored).

Precision rule (numbers)
------------------------
``decimals`` is the number of decimals the course displays for the answer, in
the answer's own unit (a ratio shown as ``84,1 %`` has ``decimals=3``). With ``e``
the expected value, the accepted rounding step is the coarser of the displayed
one and three significant digits::

    step = max(10 ** -decimals, 10 ** (floor(log10(|e|)) - 2))

and an answer ``x`` is right when ``|x − e| ≤ step / 2``: it equals the expected
value rounded as the course displays it, or to three significant digits, or is
more precise still. So 0.841 is right for 0.8409, 0.02 for a correlation of
0.0213 displayed with two decimals, 126 000 for 126 445 (three significant digits).
An answer written more coarsely than ``step`` that is right at its own precision
is told « trop arrondie » with the precision to give (the student already holds
the value to that precision: nothing leaks). ``Count`` answers are exact.

Scale: a ratio answered in % (or a % answered as a ratio) is accepted only with
``percent_ok`` / ``ratio_ok``, at the same precision carried to that scale (0.0944,
displayed « 9,4 % », accepts 0.094 and 9.4); otherwise it is diagnosed by name. A
French decimal comma (``1,42`` is the pair ``(1, 42)``; ``0,094`` does not compile once
``start`` has run) gets its own French explanation. Days, weeks and
years add their own named scale mistakes (days instead of weeks…).

Other declaration options: ``question(..., on_collection="Sélectionnez la cellule
voulue avec `.loc[ligne, colonne]`.")`` replaces the advice given when a collection
comes instead of one number; ``SeriesOf(Count(), index="le canal (`channel`)",
labels_public=True)`` lets feedback name a missing label that the statement gives.
A mistake of another shape (a Series with other labels) is still recognised.

Checklist for a chapter's author (``tests/test_exercises.py`` enforces each point)
-------------------------------------------------------------------------------
- the statement (solution notebook: markdown above the cell, ``# À compléter`` comment)
  says what to give and with what precision when it is not the course's display;
  its numeric examples are never the answer;
- the lesson never prints the answer: ask a variant (another year, segment, threshold);
- every listed mistake differs from the answer at the declared precision;
- hints name concepts, columns and functions, never the solution's code line, and use
  only names the exercise notebook defines above the question (``...`` for arguments);
- ``solution(qid)`` shows the code between the markers of the question's cell.

What feedback never says
------------------------
The expected value, the size of an expected collection, or a count from which the
answer follows. The direction (« trop grande ») is given, the sign only when the
size is right; a set answer names a few of the student's wrong items, never the
missing ones. Tests (``tests/test_exercises.py``) check every declared question for
this, for its listed mistakes and for generic wrong answers.
"""

from __future__ import annotations

import difflib
import html
import importlib
import json
import math
import os
import pkgutil
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = [
    "Answer", "Choice", "Count", "Days", "Euros", "IdSet", "Mistake", "Number", "Percent",
    "Ratio", "Result", "SeriesOf", "Weeks", "Years", "YesNo", "check", "expected_answer",
    "hint", "mistake", "mistakes", "progress", "question", "questions", "solution", "start",
]

CORRECT = "correct"
INCORRECT = "incorrect"
ROUNDED = "trop arrondie"
NOT_ATTEMPTED = "pas encore tenté"
ERROR = "erreur"

PROGRESS_ENV = "CRMLAB_PROGRESS"       # path of the progress file (tests set it to a temporary file)
SOLUTIONS_ENV = "CRMLAB_SOLUTIONS"     # folder of the solution notebooks, if not the repository's
GRADE_LOG_ENV = "CRMLAB_GRADE_LOG"     # set by crmlab.grade: file where check / hint / solution log events
QID = re.compile(r"^\d\d-q\d+$")
RUN_ABOVE = "Exécution → Exécuter tout au-dessus de la cellule sélectionnée"   # JupyterLab 4.5, French pack
RESTART_RUN_ALL = "Noyau → Redémarrer le noyau et Exécuter toutes les cellules…"


# ============================================================== declarations
@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer: its French ``name`` and the ``value`` it produces."""

    name: str
    value: Any
    advice: str = ""


def mistake(name: str, value: Any, advice: str = "") -> Mistake:
    """One plausible mistake, computed by code next to the expected answer.

    ``name`` says in French what the student did (« la moyenne au lieu de la
    médiane »); ``advice`` (optional) what to look at. Neither may contain the
    expected value.
    """
    return Mistake(name, value, advice)


class Answer:
    """What a question function returns: the expected ``value`` and its plausible mistakes."""

    def __init__(self, value: Any, *mistakes: Mistake) -> None:
        self.value = value
        self.mistakes = tuple(mistakes)


class _Wrong(Exception):
    """A wrong answer, with its French explanation (Markdown)."""

    def __init__(self, message: str, status: str = INCORRECT) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------ helpers
def _norm_text(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _n(count: int, word: str) -> str:
    """« 1 valeur », « 3 valeurs »."""
    return f"{count} {word}{'s' if count > 1 else ''}"


def _describe(answer: Any, size: bool = True) -> str:
    """French description of an answer's type (with its size unless ``size`` is False)."""
    if isinstance(answer, str):
        return "du texte (une chaîne de caractères)"
    if isinstance(answer, pd.DataFrame):
        return (f"un tableau (DataFrame) de {_n(answer.shape[0], 'ligne')} et {_n(answer.shape[1], 'colonne')}"
                if size else "un tableau (DataFrame)")
    if isinstance(answer, pd.Series):
        kind = "de booléens (True/False) " if answer.dtype == bool else ""
        return f"une série (Series) {kind}de {_n(len(answer), 'valeur')}" if size else f"une série (Series) {kind}".strip()
    if isinstance(answer, (bool, np.bool_)):
        return "un booléen (True/False)"
    if isinstance(answer, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
        n = answer.size if isinstance(answer, np.ndarray) else len(answer)
        return f"une liste de {_n(n, 'élément')}" if size else "une liste"
    if isinstance(answer, Mapping):
        return "un dictionnaire"
    if isinstance(answer, pd.Timedelta):
        return "une durée (Timedelta)"
    if isinstance(answer, pd.Timestamp):
        return "une date (Timestamp)"
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return "un nombre"
    return f"un objet de type {type(answer).__name__}"


def _decimal_comma(answer: Any) -> str | None:
    """The advice when ``answer`` looks like a number typed with a French decimal comma, else None.

    ``x = 1,42`` makes the pair ``(1, 42)`` in Python (``0,42`` does not even run); the
    advice repeats the student's own digits, never the expected value.
    """
    if (isinstance(answer, tuple) and len(answer) == 2
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in answer)
            and answer[1] >= 0):
        a, b = answer
        return (f"votre réponse est une paire de nombres, `({a}, {b})` : en Python, la virgule sépare deux "
                f"valeurs. Un nombre décimal s'écrit avec un **point** : `{a}.{b}` et non `{a},{b}`.")
    return None


def _as_float(value: Any, answer: Any) -> float:
    """One finite float from a scalar answer, or _Wrong with a French explanation."""
    if isinstance(value, (bool, np.bool_)):
        raise _Wrong("un nombre est attendu, pas un booléen (True/False).")
    if isinstance(value, str):
        if not value.strip():
            raise _Wrong("votre réponse est un texte vide (`\"\"`) : un nombre est attendu, calculez-le avec "
                         "pandas à la place de `None`.")
        if re.fullmatch(r"\s*[-+−]?[\d\s\u00a0\u202f]*\d,\d+\s*%?\s*", value):
            raise _Wrong("un nombre est attendu, pas du texte : retirez les guillemets, et en Python un nombre "
                         "décimal s'écrit avec un **point** (`0.5`, pas `0,5`). Mieux : gardez la valeur "
                         "calculée par pandas plutôt que de la recopier.")
        raise _Wrong("un nombre est attendu, pas du texte : retirez les guillemets et calculez la valeur "
                     "avec pandas plutôt que de la recopier.")
    if value is pd.NA or value is pd.NaT:
        raise _Wrong("votre réponse est une valeur manquante (NA) : un filtre qui ne garde aucune ligne ?")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _Wrong(f"un nombre est attendu, mais votre réponse est {_describe(answer)}.") from None
    if math.isnan(number):
        raise _Wrong("votre réponse vaut NaN (valeur manquante) : une division par zéro, une colonne vide "
                     "ou un filtre qui ne garde aucune ligne ?")
    if math.isinf(number):
        raise _Wrong("votre réponse est infinie : une division par zéro ?")
    return number


def _decimals_given(x: float) -> int:
    """How many decimals ``x`` was written with (negative for 126 000: -3); 10 if computed."""
    if x == 0:
        return 0
    for k in range(-12, 10):
        if abs(round(x, k) - x) <= 1e-9 * max(1.0, abs(x)) * 10.0 ** -max(k, 0):
            return k
    return 10


def _precision_phrase(step: float) -> str:
    """« au moins 3 décimales », « à l'unité près », « au millier près »… for a rounding step."""
    k = -round(math.log10(step))
    if k > 0:
        return f"avec au moins {k} décimale{'s' if k > 1 else ''}"
    return {0: "à l'unité près", -1: "à la dizaine près", -2: "à la centaine près",
            -3: "au millier près"}.get(k, "avec au moins trois chiffres significatifs")


# ==================================================================== units
class Unit:
    """What an answer is: how to read it, compare it and explain a wrong one."""

    label = "une réponse"
    ok_detail = "c'est juste."

    def normalise(self, answer: Any, expected: Any, q: Question) -> Any:
        return answer

    def matches(self, got: Any, value: Any) -> bool:
        raise NotImplementedError

    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        """Mistakes every question of this unit shares (scale errors…)."""
        return []

    def diagnose(self, got: Any, expected: Any, q: Question) -> _Wrong:
        return _Wrong("ce n'est pas la bonne réponse.")

    def loose_match(self, answer: Any, value: Any) -> bool:
        """Whether an answer of the wrong shape for ``expected`` is exactly the mistake ``value``."""
        return False


@dataclass(frozen=True)
class Quantity(Unit):
    """A number displayed with ``decimals`` decimals (see the precision rule above)."""

    decimals: int = 2
    label = "un nombre"
    ok_detail = "la valeur est juste."
    # (name, factor): answering value * factor is a scale mistake of this unit
    scale_errors: ClassVar[tuple[tuple[str, float], ...]] = ()

    # -- precision
    def step(self, e: float) -> float:
        display = 10.0 ** -self.decimals
        if e == 0 or not math.isfinite(e):
            return display
        return max(display, 10.0 ** (math.floor(math.log10(abs(e))) - 2))

    def close(self, x: float, e: float) -> bool:
        tol = self.step(e) / 2
        return abs(x - e) <= tol * (1 + 1e-9) + 1e-12 * max(1.0, abs(e))

    def alternatives(self, e: float) -> list[tuple[float, str]]:
        """Accepted ways of writing ``e``: (value, how it is read)."""
        return [(e, "")]

    def close_to(self, x: float, alt: float, e: float) -> bool:
        """Whether ``x`` is ``alt``, one accepted writing of ``e`` (e.g. ``e`` in %), at the precision
        of ``e`` carried to that writing: 9,4 (%) is right for 0,0944 displayed « 9,4 % »."""
        if alt == e or not e:
            return self.close(x, alt)
        return self.close(x * e / alt, e)

    def matches(self, got: float, value: Any) -> bool:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(v):
            return False
        return any(self.close_to(got, alt, v) for alt, _ in self.alternatives(v))

    # -- reading the answer
    def normalise(self, answer: Any, expected: Any, q: Question) -> float:
        value = answer
        if _decimal_comma(value):
            raise _Wrong(_decimal_comma(value))
        if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, tuple, set, frozenset, pd.Index)):
            arr = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else list(value), dtype=object).ravel()
            if arr.size != 1:
                raise _Wrong(self.collection_message(answer, q))
            value = arr[0]
        if isinstance(value, Mapping):
            raise _Wrong(f"un seul nombre est attendu, mais votre réponse est un dictionnaire. "
                         f"{q.on_collection or self.default_on_collection(answer)}")
        if isinstance(value, (pd.Timedelta, np.timedelta64)):
            raise _Wrong(self.timedelta_message())
        return _as_float(value, answer)

    def timedelta_message(self) -> str:
        return ("votre réponse est une durée (Timedelta) : convertissez-la en nombre "
                "(`.days` pour un nombre de jours, ou `/ pd.Timedelta(days=1)`).")

    def default_on_collection(self, answer: Any) -> str:
        return ("Agrégez-la (`.sum()`, `.mean()`, `.median()`…) ou sélectionnez la valeur voulue "
                "(`.loc[…]`), selon ce que demande l'énoncé.")

    def collection_message(self, answer: Any, q: Question) -> str:
        return (f"un seul nombre est attendu — vous donnez {_describe(answer)}. "
                f"{q.on_collection or self.default_on_collection(answer)}")

    # -- explaining
    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        e = float(expected)
        return [Mistake(name, e * factor) for name, factor in self.scale_errors]

    def _nearest_reading(self, x: float, e: float) -> tuple[float, str]:
        """The accepted writing of ``e`` closest to ``x`` (log scale): (value, reading)."""
        alts = self.alternatives(e)
        if len(alts) == 1 or x == 0 or any(a == 0 for a, _ in alts):
            return alts[0]
        return min(alts, key=lambda a: abs(math.log(abs(x) / abs(a[0]))))

    def diagnose(self, got: float, expected: Any, q: Question) -> _Wrong:
        e = float(expected)
        target, reading = self._nearest_reading(got, e)
        scale = target / e if e else 1.0
        k = _decimals_given(got)
        given_step = 10.0 ** -k
        step = self.step(e) * abs(scale)
        if got != 0 and given_step > step * 1.0001 and abs(got - target) <= given_step / 2 * (1 + 1e-9):
            return _Wrong(f"votre réponse est **trop arrondie**{reading} : donnez-la "
                          f"{_precision_phrase(step)} (ou gardez toute la précision du calcul, "
                          "sans arrondir).", ROUNDED)
        if given_step <= step * 1.0001 and abs(got - target) < given_step * (1 + 1e-9) \
                and got == math.trunc(target / given_step) * given_step:
            return _Wrong("votre valeur a été **tronquée** : arrondissez au plus proche (`round`), "
                          "ou gardez toute la précision du calcul.", ROUNDED)
        if got != 0 and any(self.close_to(-got, alt, e) for alt, _ in self.alternatives(e)):
            return _Wrong("**le signe n'est pas le bon** : la valeur absolue est juste. Relisez le sens "
                          "de la soustraction ou de la variation demandée.")
        direction = "trop grande" if got > target else "trop petite"
        return _Wrong(f"votre valeur est **{direction}**{reading}.")


@dataclass(frozen=True)
class Number(Quantity):
    """A plain number (an index, a z-score, a correlation…), displayed with ``decimals`` decimals."""

    decimals: int = 2
    label = "un nombre"


@dataclass(frozen=True)
class Ratio(Quantity):
    """A proportion or a ratio (0.25; 1.5 for 150 %). ``percent_ok``: 25 is accepted too."""

    decimals: int = 3
    percent_ok: bool = False
    label = "une proportion"

    def alternatives(self, e: float) -> list[tuple[float, str]]:
        return [(e, ""), (e * 100, " (lue en %)")] if self.percent_ok else [(e, "")]

    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        if self.percent_ok:
            return []
        e = float(expected)
        what = "une proportion entre 0 et 1" if 0 <= e <= 1 else "un ratio (1,5 pour 150 %)"
        return [Mistake(f"vous avez répondu en %, la question demande {what}", e * 100,
                        "Divisez par 100.")]


@dataclass(frozen=True)
class Percent(Quantity):
    """A percentage written as a number of % (25 for 25 %). ``ratio_ok``: 0.25 is accepted too."""

    decimals: int = 1
    ratio_ok: bool = False
    label = "un pourcentage"

    def alternatives(self, e: float) -> list[tuple[float, str]]:
        return [(e, ""), (e / 100, " (lue comme une proportion)")] if self.ratio_ok else [(e, "")]

    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        if self.ratio_ok:
            return []
        return [Mistake("vous avez répondu par une proportion entre 0 et 1, la question demande un "
                        "pourcentage (25 pour 25 %)", float(expected) / 100, "Multipliez par 100.")]


@dataclass(frozen=True)
class Euros(Quantity):
    """An amount in euros, displayed with ``decimals`` decimals."""

    decimals: int = 2
    label = "un montant en euros"

    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        e = float(expected)
        if abs(e) < 1000:
            return []
        return [Mistake("un montant en milliers d'euros, la question demande des euros", e / 1000)]


@dataclass(frozen=True)
class Days(Quantity):
    """A duration in days."""

    decimals: int = 0
    label = "un nombre de jours"
    scale_errors: ClassVar[tuple[tuple[str, float], ...]] = (
        ("une durée en semaines, la question demande des jours", 1 / 7),
        ("une durée en mois, la question demande des jours", 12 / 365.25))

    def normalise(self, answer: Any, expected: Any, q: Question) -> float:
        if isinstance(answer, (pd.Timedelta, np.timedelta64)):
            return pd.Timedelta(answer) / pd.Timedelta(days=1)
        return super().normalise(answer, expected, q)


@dataclass(frozen=True)
class Weeks(Quantity):
    """A duration in weeks."""

    decimals: int = 1
    label = "un nombre de semaines"
    scale_errors: ClassVar[tuple[tuple[str, float], ...]] = (
        ("une durée en jours, la question demande des semaines", 7.0),
        ("une durée en années, la question demande des semaines", 7 / 365.25))


@dataclass(frozen=True)
class Years(Quantity):
    """A duration in years (or a number per year)."""

    decimals: int = 2
    label = "un nombre d'années"
    scale_errors: ClassVar[tuple[tuple[str, float], ...]] = (
        ("une valeur par semaine, la question demande une valeur par an", 7 / 365.25),
        ("une valeur par jour, la question demande une valeur par an", 1 / 365.25))


@dataclass(frozen=True)
class Count(Quantity):
    """An exact count (customers, orders…): no rounding accepted."""

    decimals: int = 0
    label = "un nombre entier"
    ok_detail = "le nombre est exact."

    def step(self, e: float) -> float:
        return 1.0

    def close(self, x: float, e: float) -> bool:
        return abs(x - e) < 1e-9

    def collection_message(self, answer: Any, q: Question) -> str:
        # never the size of the student's object: it may be the very count asked for
        if isinstance(answer, pd.Series) and answer.dtype == bool:
            advice = "comptez les `True` avec `.sum()`."
        elif isinstance(answer, (pd.DataFrame, pd.Series, pd.Index, list, tuple, set, np.ndarray)):
            advice = "comptez ce qu'il faut compter (`len(...)`, `.sum()` sur des booléens, `.nunique()`…)."
        else:
            advice = ""
        return f"un nombre entier est attendu — vous donnez {_describe(answer, size=False)} : " \
               f"{q.on_collection or advice}".rstrip(" :")

    def normalise(self, answer: Any, expected: Any, q: Question) -> float:
        if _decimal_comma(answer):
            raise _Wrong(_decimal_comma(answer))
        if isinstance(answer, (pd.DataFrame, pd.Series, np.ndarray, list, tuple, set, frozenset, pd.Index, Mapping)):
            size = answer.size if isinstance(answer, (np.ndarray, pd.DataFrame)) else len(answer)
            if size != 1 or isinstance(answer, Mapping):
                raise _Wrong(self.collection_message(answer, q))
        x = super().normalise(answer, expected, q)
        if abs(x - round(x)) > 1e-9:
            raise _Wrong("un nombre **entier** est attendu (un comptage) : vous donnez un nombre à virgule. "
                         "Une moyenne ou une part au lieu d'un nombre ?")
        return x

    def diagnose(self, got: float, expected: Any, q: Question) -> _Wrong:
        e = float(expected)
        if got != 0 and abs(-got - e) < 1e-9:
            return _Wrong("**le signe n'est pas le bon** : la valeur absolue est juste.")
        return _Wrong(f"votre nombre est **{'trop grand' if got > e else 'trop petit'}**.")


@dataclass(frozen=True)
class SeriesOf(Unit):
    """A pandas Series of ``unit`` values, labelled by ``index`` (described in French).

    ``labels_public``: the labels are given by the statement (channels, statuses…), so
    feedback may name a missing one; otherwise it never does.
    """

    unit: Quantity = field(default_factory=Number)
    index: str = "les étiquettes demandées"
    labels_public: bool = False
    label = "une série"
    ok_detail = "toutes les valeurs sont justes."

    @staticmethod
    def _key(label: Any) -> str:
        if isinstance(label, (float, np.floating)) and float(label).is_integer():
            label = int(label)
        if isinstance(label, pd.Timestamp):
            label = label.date().isoformat()
        return _norm_text(label)

    def normalise(self, answer: Any, expected: pd.Series, q: Question) -> pd.Series:
        if isinstance(answer, pd.DataFrame):
            if answer.shape[1] != 1:
                raise _Wrong(f"une série (une seule colonne) est attendue, mais votre réponse est un tableau "
                             f"(DataFrame) de {_n(answer.shape[1], 'colonne')}. Sélectionnez la colonne utile "
                             "(`tableau['colonne']`).")
            answer = answer.iloc[:, 0]
        elif isinstance(answer, Mapping):
            answer = pd.Series(dict(answer))
        elif isinstance(answer, (list, tuple, np.ndarray, pd.Index)):
            raise _Wrong(f"une série pandas **indexée par {self.index}** est attendue ; vous donnez "
                         f"{_describe(answer, size=False)}, sans étiquettes. Gardez le résultat de pandas "
                         "(`groupby`, `value_counts`…) tel quel.")
        elif not isinstance(answer, pd.Series):
            raise _Wrong(f"une série pandas (Series) indexée par {self.index} est attendue, mais votre "
                         f"réponse est {_describe(answer, size=False)}.")
        if len(answer) == 0:
            raise _Wrong("votre série est vide : un filtre trop strict, ou un regroupement sur une table vide ?")
        keys = [self._key(k) for k in answer.index]
        if len(set(keys)) != len(keys):
            raise _Wrong("votre série a des étiquettes en double : faut-il regrouper (`groupby`) ?")
        expected_keys = [self._key(k) for k in expected.index]
        extra = [str(k) for k, key in zip(answer.index, keys) if key not in expected_keys]
        missing = [str(k) for k, key in zip(expected.index, expected_keys) if key not in keys]
        if extra or missing:
            parts = []
            if extra:
                parts.append(f"elle a des étiquettes inattendues (par ex. {', '.join(map(repr, extra[:3]))})")
            if missing:
                parts.append("il manque des étiquettes attendues"
                             + (f" (par ex. {', '.join(map(repr, missing[:2]))})" if self.labels_public else ""))
            raise _Wrong(f"votre série doit être indexée par {self.index} : " + " ; ".join(parts) + ".")
        values = answer.copy()
        values.index = keys
        try:
            numbers = pd.to_numeric(values, errors="raise").astype(float)
        except (TypeError, ValueError):
            raise _Wrong("les valeurs de votre série ne sont pas toutes numériques.") from None
        if numbers.isna().any():
            raise _Wrong("votre série contient des valeurs manquantes (NaN).")
        return numbers.reindex(expected_keys)

    def loose_match(self, answer: Any, value: Any) -> bool:
        if not isinstance(value, pd.Series):
            return False
        try:
            return self.matches(self.normalise(answer, value, None), value)
        except (_Wrong, TypeError, ValueError):
            return False

    def _aligned(self, value: pd.Series) -> pd.Series:
        v = value.copy()
        v.index = [self._key(k) for k in value.index]
        return v.astype(float)

    def matches(self, got: pd.Series, value: Any) -> bool:
        if not isinstance(value, pd.Series):
            return False
        v = self._aligned(value)
        if set(v.index) != set(got.index):
            return False
        v = v.reindex(got.index)
        return all(self.unit.matches(g, e) for g, e in zip(got.to_numpy(), v.to_numpy()))

    def auto_mistakes(self, expected: Any) -> list[Mistake]:
        out = []
        for m in self.unit.auto_mistakes(1.0):
            factor = float(m.value)
            out.append(Mistake(m.name, expected.astype(float) * factor, m.advice))
        return out

    def diagnose(self, got: pd.Series, expected: Any, q: Question) -> _Wrong:
        e = self._aligned(expected).reindex(got.index)
        wrong = [(k, g, x) for k, g, x in zip(got.index, got.to_numpy(), e.to_numpy())
                 if not self.unit.matches(g, x)]
        diagnoses = [self.unit.diagnose(g, x, q) for _, g, x in wrong]
        labels = [str(expected.index[list(e.index).index(k)]) for k, _, _ in wrong]
        where = ", ".join(repr(lab) for lab in labels[:3]) + (", …" if len(labels) > 3 else "")
        if all(d.status == ROUNDED for d in diagnoses):
            return _Wrong(f"vos valeurs sont justes mais **trop arrondies** (par ex. pour {where}) : "
                          f"{str(diagnoses[0]).split(' : ', 1)[-1]}", ROUNDED)
        return _Wrong(f"les valeurs ne sont pas justes pour : {where}.")


@dataclass(frozen=True)
class Choice(Unit):
    """One of ``choices`` (case, accents and spaces ignored)."""

    choices: tuple[str, ...] = ()
    label = "un choix"
    ok_detail = "c'est le bon choix."

    def normalise(self, answer: Any, expected: Any, q: Question) -> str:
        if isinstance(answer, (pd.Series, pd.Index, np.ndarray, list, tuple)) and len(answer) == 1:
            answer = list(answer)[0]
        if not isinstance(answer, str):
            shown = ", ".join(f"`{c}`" for c in self.choices) if len(self.choices) <= 12 else "voir l'énoncé"
            raise _Wrong(f"une réponse en texte est attendue (l'une de : {shown}), mais votre réponse est "
                         f"{_describe(answer, size=False)}. Écrivez-la entre guillemets.")
        allowed = {_norm_text(c) for c in self.choices}
        if allowed and _norm_text(answer) not in allowed:
            shown = ", ".join(f"`{c}`" for c in self.choices)
            raise _Wrong(f"« {answer} » ne fait pas partie des réponses possibles : {shown}.")
        return _norm_text(answer)

    def matches(self, got: str, value: Any) -> bool:
        return isinstance(value, str) and got == _norm_text(value)

    def diagnose(self, got: str, expected: Any, q: Question) -> _Wrong:
        return _Wrong("ce n'est pas le bon choix.")


@dataclass(frozen=True)
class YesNo(Unit):
    """True or False (« oui » / « non » accepted)."""

    label = "True ou False"
    ok_detail = "c'est juste."

    def normalise(self, answer: Any, expected: Any, q: Question) -> bool:
        if isinstance(answer, str) and _norm_text(answer) in {"oui", "non", "vrai", "faux", "true", "false"}:
            return _norm_text(answer) in {"oui", "vrai", "true"}
        if isinstance(answer, (pd.Series, np.ndarray)) and answer.size == 1:
            answer = np.asarray(answer).ravel()[0]
        if not isinstance(answer, (bool, np.bool_)):
            raise _Wrong(f"`True` ou `False` est attendu, mais votre réponse est {_describe(answer)}. "
                         "Une comparaison (`>=`, `<`…) donne un booléen.")
        return bool(answer)

    def matches(self, got: bool, value: Any) -> bool:
        return got == bool(value)

    def diagnose(self, got: bool, expected: Any, q: Question) -> _Wrong:
        return _Wrong("ce n'est pas la bonne réponse : vérifiez le calcul sur lequel elle repose.")


@dataclass(frozen=True)
class IdSet(Unit):
    """A collection of identifiers (order ignored): a list, a Series, an Index, a set."""

    what: str = "identifiants clients (`customer_id`)"
    label = "une liste d'identifiants"
    ok_detail = "la liste est exacte."

    def normalise(self, answer: Any, expected: Any, q: Question) -> list[str]:
        if isinstance(answer, pd.DataFrame):
            if answer.shape[1] != 1:
                raise _Wrong(f"une liste d'{self.what} est attendue, pas un tableau de plusieurs colonnes : "
                             "gardez la colonne des identifiants, ou l'index (`.index`).")
            items = answer.iloc[:, 0].tolist()
        elif isinstance(answer, (pd.Series, pd.Index)):
            if isinstance(answer, pd.Series) and answer.dtype == bool:
                raise _Wrong("votre série contient des True/False : gardez les identifiants où elle vaut True "
                             "(par ex. `serie[serie].index`).")
            items = answer.tolist()
        elif isinstance(answer, (list, tuple, set, frozenset, np.ndarray)):
            items = list(np.asarray(list(answer), dtype=object).ravel())
        else:
            raise _Wrong(f"une liste d'{self.what} est attendue, mais votre réponse est "
                         f"{_describe(answer, size=False)}.")
        if not items:
            raise _Wrong("votre liste est vide : le filtre ne garde personne ?")
        return [str(v).strip() for v in items]

    def matches(self, got: list[str], value: Any) -> bool:
        return len(set(got)) == len(got) and set(got) == {str(v).strip() for v in value}

    def diagnose(self, got: list[str], expected: Any, q: Question) -> _Wrong:
        exp = {str(v).strip() for v in expected}
        extra = [v for v in dict.fromkeys(got) if v not in exp]
        parts = []
        if extra:
            parts.append(f"elle contient des identifiants qui ne devraient pas y être (par ex. "
                         f"{', '.join(extra[:3])})")
        if not exp.issubset(got):
            parts.append("il manque des identifiants attendus")
        if len(set(got)) != len(got):
            parts.append("elle contient des doublons")
        return _Wrong("votre liste n'est pas la bonne : " + " ; ".join(parts) + ". Revoyez chaque critère "
                      "de sélection de l'énoncé.")


# ================================================================= registry
@dataclass(frozen=True)
class Question:
    """One graded question: its unit, how to compute its answer, concept and hints."""

    qid: str
    unit: Unit
    compute: Callable[[], Any]
    concept: str
    hints: tuple[str, ...]
    on_collection: str = ""


_REGISTRY: dict[str, Question] = {}
_CACHE: dict[str, Answer] = {}
_HINTS_GIVEN: dict[str, int] = {}
_LOADED = False


def question(qid: str, unit: Unit, *, concept: str, hints: Iterable[str],
             on_collection: str = "") -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the expected answer of ``qid`` (``"NN-qK"``).

    ``unit`` says what the answer is (``Ratio(3)``, ``Count()``, ``SeriesOf(Euros(0))``…);
    ``concept`` is the one-line reminder shown after a wrong answer (an idea, not a
    formula to copy); ``hints`` go from the concept to where to look to which function
    — never the solution's code line; ``on_collection`` replaces the advice given when
    a collection comes instead of one number (« sélectionnez la cellule avec `.loc` »).
    """
    hints = tuple(hints)
    if not isinstance(unit, Unit):
        raise TypeError(f"question {qid}: unit must be a crmlab.exercises unit (Ratio(), Count()…), not {unit!r}")
    if not hints:
        raise ValueError(f"question {qid} needs at least one hint")

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        old = _REGISTRY.get(qid)
        if old is not None and old.compute.__qualname__ != func.__qualname__:
            raise ValueError(f"question id {qid} registered twice")
        _REGISTRY[qid] = Question(qid, unit, func, concept, hints, on_collection)
        _CACHE.pop(qid, None)
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
    """Every exercise id (``"00-q1"``, …) in course order, or those of one chapter (``"04"``)."""
    _load_all()
    ids = [q for q in _REGISTRY if QID.match(q) and (chapter is None or q.startswith(f"{chapter}-"))]
    return sorted(ids, key=lambda q: (q[:2], int(q[4:])))


def _answer(qid: str) -> Answer:
    _load_all()
    if qid not in _CACHE:
        out = _REGISTRY[qid].compute()
        _CACHE[qid] = out if isinstance(out, Answer) else Answer(out)
    return _CACHE[qid]


def expected_answer(qid: str) -> Any:
    """The expected value of ``qid`` computed from the data (for instructors and tests)."""
    return _answer(qid).value


def mistakes(qid: str) -> list[Mistake]:
    """The plausible mistakes of ``qid``: those it lists, then those of its unit (scale…)."""
    answer = _answer(qid)
    return list(answer.mistakes) + _REGISTRY[qid].unit.auto_mistakes(answer.value)


# ================================================================ rendering
_BOX_STYLE = {  # kind: (accent, background, icon)
    CORRECT: ("#2e7d32", "#e9f5ea", "✅"),
    INCORRECT: ("#c62828", "#fdeceb", "❌"),
    ROUNDED: ("#e65100", "#fff2e0", "🟠"),
    NOT_ATTEMPTED: ("#6b6b6b", "#f1f1f1", "⏳"),
    ERROR: ("#e65100", "#fff2e0", "⚠️"),
    "hint": ("#1565c0", "#e8f1fb", "💡"),
    "solution": ("#6a1b9a", "#f4eaf8", "📖"),
    "info": ("#1565c0", "#eef4fb", "ℹ️"),
}
_CODE_CSS = ("background:rgba(0,0,0,.06);padding:0 .25em;border-radius:3px;"
             "font-family:var(--jp-code-font-family,monospace);font-size:.92em;white-space:nowrap")
_PRE_CSS = ("background:rgba(0,0,0,.05);padding:.5em .7em;border-radius:4px;margin:.4em 0;"
            "font-family:var(--jp-code-font-family,monospace);font-size:.9em;white-space:pre;overflow-x:auto")


def _inline_html(text: str) -> str:
    """Markdown inline subset → HTML: `code`, **bold**, *italics* (everything else escaped)."""
    codes: list[str] = []

    def keep(m: re.Match) -> str:
        codes.append(f'<code style="{_CODE_CSS}">{html.escape(m.group(1))}</code>')
        return f"\x00{len(codes) - 1}\x00"

    s = html.escape(re.sub(r"`([^`]+)`", keep, text), quote=False)
    s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
    s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], s)


def _markdown_html(text: str) -> str:
    """The small Markdown of the messages → HTML: paragraphs, « - » lists, ```code blocks```."""
    blocks = re.split(r"(```[a-z]*\n.*?\n```)", text, flags=re.S)
    out = []
    for block in blocks:
        if block.startswith("```"):
            code = block.split("\n", 1)[1].rsplit("\n```", 1)[0]
            out.append(f'<pre style="{_PRE_CSS}"><code>{html.escape(code)}</code></pre>')
            continue
        for para in re.split(r"\n\s*\n", block.strip()):
            lines = [ln for ln in para.split("\n") if ln.strip()]
            if not lines:
                continue
            if all(ln.lstrip().startswith("- ") for ln in lines):
                items = "".join(f"<li>{_inline_html(ln.lstrip()[2:])}</li>" for ln in lines)
                out.append(f'<ul style="margin:.3em 0 .3em 1.2em;padding:0">{items}</ul>')
            else:
                out.append(f'<p style="margin:.3em 0">{_inline_html(" ".join(ln.strip() for ln in lines))}</p>')
    return "".join(out)


def _markdown_text(text: str) -> str:
    """Plain-text fallback of a message: no ** or *, code blocks indented."""
    def block(m: re.Match) -> str:
        code = m.group(0).split("\n", 1)[1].rsplit("\n```", 1)[0]
        return "\n".join("    " + ln for ln in code.split("\n"))

    text = re.sub(r"```[a-z]*\n.*?\n```", block, text, flags=re.S)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)


@dataclass(frozen=True)
class Box:
    """A coloured message: rich HTML in JupyterLab, plain text elsewhere (terminal, nbval)."""

    kind: str
    title: str
    body: str = ""

    @property
    def icon(self) -> str:
        return _BOX_STYLE[self.kind][2]

    def _repr_html_(self) -> str:
        accent, background, icon = _BOX_STYLE[self.kind]
        body = _markdown_html(self.body) if self.body else ""
        return (f'<div class="crmlab-box crmlab-{_norm_text(self.kind).replace(" ", "-")}" '
                f'style="border-left:5px solid {accent};background:{background};color:#1f2328;'
                f"padding:.45em .9em;margin:.3em 0;border-radius:4px;line-height:1.5;"
                f"font-family:var(--jp-content-font-family,system-ui,sans-serif);"
                f'font-size:var(--jp-content-font-size1,14px);white-space:normal;word-break:normal;'
                f'overflow-wrap:break-word">'
                f'<p style="margin:.2em 0"><strong style="color:{accent}">{icon} '
                f"{_inline_html(self.title)}</strong></p>{body}</div>")

    @property
    def text(self) -> str:
        body = _markdown_text(self.body)
        return f"{self.icon} {_markdown_text(self.title)}" + (f"\n{body}" if body else "")

    def __repr__(self) -> str:
        return self.text


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return None
    return get_ipython()


def _show(box: Box) -> None:
    """Display ``box`` once: rich in IPython, plain text otherwise."""
    if _ipython() is not None:
        from IPython.display import display

        display(box)
    else:
        print(box.text)


# =================================================================== check
@dataclass
class Result:
    """What ``check`` found: ``ok`` (bool), ``status`` and the French ``message`` (plain text)."""

    qid: str
    status: str
    title: str
    body: str = ""
    _shown_at: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == CORRECT

    @property
    def message(self) -> str:
        return self.box.text

    @property
    def box(self) -> Box:
        return Box(self.status if self.status in _BOX_STYLE else ERROR, self.title, self.body)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Result(qid={self.qid!r}, status={self.status!r}, ok={self.ok})"

    def _ipython_display_(self) -> None:
        """Shown by ``check`` already in this cell: not again; in a later cell (``r``), yes."""
        ip = _ipython()
        if ip is not None and self._shown_at == getattr(ip, "execution_count", None):
            return
        _show(self.box)


def check(qid: str, answer: Any, quiet: bool = False) -> Result:
    """Compare ``answer`` with the expected answer of ``qid``; show French feedback once.

    Returns a :class:`Result` (``.ok``, ``.status``, ``.message``). Never raises.
    """
    try:
        result = _check(qid, answer)
    except Exception as exc:  # noqa: BLE001 - a check must never show a traceback
        result = Result(str(qid), ERROR, f"{qid} — la vérification a échoué de façon inattendue",
                        f"({type(exc).__name__}). Relancez le notebook depuis le début "
                        f"(menu **{RESTART_RUN_ALL}**) ; si cela persiste, signalez-le.")
    if QID.match(str(qid)) and result.status in (CORRECT, INCORRECT, ROUNDED):
        _record(str(qid), result.status)
    _log_for_grader({"event": "check", "qid": str(qid), "status": result.status})
    if not quiet:
        _show(result.box)
        ip = _ipython()
        result._shown_at = getattr(ip, "execution_count", None) if ip is not None else None
    return result


def _check(qid: str, answer: Any) -> Result:
    _load_all()
    if not isinstance(qid, str) or qid not in _REGISTRY:
        known = ", ".join(questions()[:3])
        return Result(str(qid), ERROR, f"Question inconnue : {qid!r}",
                      f"Les identifiants s'écrivent comme {known}… (chapitre, « -q », numéro).")
    q = _REGISTRY[qid]
    if answer is None or answer is Ellipsis:
        return Result(qid, NOT_ATTEMPTED, f"{qid} — pas encore tenté",
                      "Remplacez `None` par votre calcul, puis exécutez la cellule.")
    try:
        answer_obj = _answer(qid)
    except Exception as exc:  # noqa: BLE001 - data missing, etc.
        return Result(qid, ERROR, f"{qid} — impossible de calculer la réponse attendue",
                      f"{exc} — les données sont-elles générées (`make data`) ?")
    try:
        try:
            got = q.unit.normalise(answer, answer_obj.value, q)
        except _Wrong:
            for m in mistakes(qid):  # a mistake of another shape (other labels…) is still recognised
                if q.unit.loose_match(answer, m.value):
                    raise _Wrong(f"votre réponse correspond à une erreur fréquente : **{m.name}**."
                                 + (f" {m.advice}" if m.advice else "")) from None
            raise
        if q.unit.matches(got, answer_obj.value):
            return Result(qid, CORRECT, f"{qid} — correct", q.unit.ok_detail[:1].upper() + q.unit.ok_detail[1:])
        for m in mistakes(qid):
            if q.unit.matches(got, m.value):
                advice = f" {m.advice}" if m.advice else ""
                raise _Wrong(f"votre réponse correspond à une erreur fréquente : **{m.name}**.{advice}")
        raise q.unit.diagnose(got, answer_obj.value, q)
    except _Wrong as wrong:
        text = re.sub(r"^(\W*)(\w)", lambda m: m.group(1) + m.group(2).upper(), str(wrong), count=1)
        title = f"{qid} — {'presque : ' if wrong.status == ROUNDED else ''}pas encore"
        return Result(qid, wrong.status, title,
                      f"{text}\n\n*Rappel :* {q.concept} Besoin d'aide : `hint(\"{qid}\")`.")


# ==================================================================== hints
def _hint_box(qid: str, n: int | None = None) -> Box:
    _load_all()
    if qid not in _REGISTRY:
        return Box(ERROR, f"Question inconnue : {qid!r}", "Vérifiez l'identifiant, par ex. `hint(\"03-q1\")`.")
    hints = _REGISTRY[qid].hints
    if n is None:
        n = min(_HINTS_GIVEN.get(qid, 0) + 1, len(hints))
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        return Box(ERROR, "Numéro d'indice invalide", f"`n` doit être un entier de 1 à {len(hints)}.")
    n = min(int(n), len(hints))
    _HINTS_GIVEN[qid] = max(_HINTS_GIVEN.get(qid, 0), n)
    _record(qid, None, hint=n)
    _log_for_grader({"event": "hint", "qid": qid, "n": n})
    if n < len(hints):
        more = f"Un indice plus précis : `hint(\"{qid}\")` de nouveau."
    else:
        more = f"C'était le dernier indice. Vous abandonnez ? `solution(\"{qid}\")` montre une méthode."
    return Box("hint", f"Indice {n}/{len(hints)} — {qid}", f"{hints[n - 1]}\n\n*{more}*")


def hint(qid: str, n: int | None = None) -> None:
    """Show the next hint for ``qid`` (or hint number ``n``, from 1), once. Returns nothing."""
    _show(_hint_box(qid, n))


# ================================================================ solutions
def _solutions_dir() -> Path | None:
    candidates = [os.environ.get(SOLUTIONS_ENV)]
    candidates += [Path(__file__).resolve().parent.parent / "solutions",
                   Path.cwd() / "solutions", Path.cwd().parent / "solutions"]
    for c in candidates:
        if c and Path(c).is_dir() and any(Path(c).glob("[0-9][0-9]_*.ipynb")):
            return Path(c)
    return None


def _solution_code(qid: str, folder: Path) -> str | None:
    """The code between the BEGIN / END SOLUTION markers of ``qid``'s cell, read now."""
    pattern = re.compile(r"""check\(\s*["']""" + re.escape(qid) + r"""["']""")
    for path in sorted(folder.glob(f"{qid[:2]}_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "code" and pattern.search(source):
                blocks = re.findall(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION",
                                    source, flags=re.S | re.M)
                return "\n".join(b.rstrip("\n") for b in blocks) or None
    return None


def _solution_box(qid: str) -> Box:
    _load_all()
    if qid not in _REGISTRY:
        return Box(ERROR, f"Question inconnue : {qid!r}", "Vérifiez l'identifiant, par ex. `solution(\"03-q1\")`.")
    folder = _solutions_dir()
    if folder is None:
        return Box(ERROR, f"Solution de {qid} indisponible",
                   "Le dossier des corrigés `solutions/` est introuvable : il est à la racine du cours "
                   "(dépôt complet ou Binder). S'il a été retiré de votre copie, demandez le corrigé à "
                   "votre enseignant.")
    code = _solution_code(qid, folder)
    if code is None:
        return Box(ERROR, f"Solution de {qid} introuvable",
                   f"Le corrigé du chapitre {qid[:2]} ne contient pas cette question.")
    _record(qid, None, solution=True)
    _log_for_grader({"event": "solution", "qid": qid})
    return Box("solution", f"Solution de {qid} — une méthode possible",
               f"**L'idée.** {_REGISTRY[qid].concept}\n\n```python\n{code}\n```\n\n"
               "Lisez-la, puis refaites le calcul vous-même dans la cellule de la question et vérifiez-le "
               "avec `check` : c'est en l'écrivant qu'on le retient.")


def solution(qid: str) -> None:
    """Show the method of ``qid``, clearly labelled as its solution (read from ``solutions/``)."""
    _show(_solution_box(qid))


# ================================================================= progress
def _log_for_grader(event: dict[str, Any]) -> None:
    """Append ``event`` as one JSON line to the grader's log, when ``crmlab.grade`` runs this kernel.

    The instructor's grader (``python -m crmlab.grade``) sets ``CRMLAB_GRADE_LOG`` in the
    kernels it starts and reads the statuses from this file: machine-readable, and the
    notebook's outputs stay what the student sees. Without the variable: nothing.
    """
    path = os.environ.get(GRADE_LOG_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(event, ensure_ascii=False) + "\n")
    except OSError:
        pass  # grading goes on: the question then reads as not attempted


_SESSION: dict[str, dict[str, Any]] = {}
_RANK = {None: 0, "attempted": 1, "correct": 2}


def _progress_path() -> Path:
    env = os.environ.get(PROGRESS_ENV)
    return Path(env) if env else Path.home() / ".crmlab" / "progression.json"


def _read_progress() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_progress_path().read_text(encoding="utf-8"))
        return {k: v for k, v in data.get("questions", {}).items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    status = max(a.get("status"), b.get("status"), key=lambda s: _RANK.get(s, 0))
    return {"status": status, "tries": max(a.get("tries", 0), b.get("tries", 0)),
            "hints": max(a.get("hints", 0), b.get("hints", 0)),
            "solution_seen": bool(a.get("solution_seen") or b.get("solution_seen"))}


def _record(qid: str, status: str | None, hint: int = 0, solution: bool = False) -> None:
    """Remember what happened to ``qid`` in this session and, if possible, in the progress file."""
    entry = dict(_SESSION.get(qid, {}))
    if status in (CORRECT, INCORRECT, ROUNDED):
        entry["tries"] = entry.get("tries", 0) + 1
        new = "correct" if status == CORRECT else "attempted"
        if _RANK[new] > _RANK.get(entry.get("status"), 0):
            entry["status"] = new
    entry["hints"] = max(entry.get("hints", 0), hint)
    entry["solution_seen"] = bool(entry.get("solution_seen") or solution)
    _SESSION[qid] = entry
    path = _progress_path()
    try:
        stored = _read_progress()
        stored[qid] = _merge(stored.get(qid, {}), entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         prefix=".progression-", suffix=".tmp") as tmp:
            json.dump({"version": 1, "questions": stored}, tmp, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp.name, path)
    except OSError:
        pass  # read-only home, full disk…: the session keeps the progress


def _progress_rows(chapter: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(chapter, [(qid, "correct" | "attempted" | "not attempted"), …]), …]."""
    stored = _read_progress()
    rows: dict[str, list[tuple[str, str]]] = {}
    for qid in questions(chapter):
        entry = _merge(stored.get(qid, {}), _SESSION.get(qid, {}))
        rows.setdefault(qid[:2], []).append((qid, entry["status"] or "not attempted"))
    return list(rows.items())


def _progress_box(chapter: str | None = None) -> Box:
    rows = _progress_rows(chapter)
    if not rows:
        return Box(ERROR, f"Chapitre inconnu : {chapter!r}", "Les chapitres s'écrivent sur deux chiffres : `\"03\"`.")
    # the questions are listed by status in words: the icons alone are empty boxes where the
    # machine has no emoji font (Debian's Chromium without fonts-noto-color-emoji, some lab PCs)
    status = {"correct": ("✅", "justes"), "attempted": ("❌", "à reprendre"), "not attempted": ("⏳", "pas encore tentées")}
    lines = []
    for ch, items in rows:
        n = {k: sum(1 for _, s in items if s == k) for k in status}
        detail = " · ".join(f"{status[k][0]} {status[k][1]} : " + ", ".join(qid[3:] for qid, s in items if s == k)
                            for k in status if n[k])
        lines.append(f"- **Chapitre {ch}** : {n['correct']} juste(s), {n['attempted']} tentée(s), "
                     f"{n['not attempted']} pas encore tentée(s) — {detail}")
    title = "Votre progression" + (f" — chapitre {chapter}" if chapter else "")
    note = "Reprenez une question tentée sans succès avec `hint(...)`."
    return Box("info", title, "\n".join(lines) + f"\n\n*{note}*")


def progress(chapter: str | None = None) -> None:
    """Show, chapter by chapter, which questions are right, tried, not yet tried."""
    _show(_progress_box(chapter))


# ============================================================ notebook set-up
_STARTED: dict[str, set[str]] = {}


def _notebook_names(chapter: str) -> set[str]:
    """Names the chapter's exercise notebook defines (to tell a missing cell from a typo)."""
    import ast

    names: set[str] = set()
    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "exercises").glob(f"{chapter}_*.ipynb")) or sorted(
        (root / "solutions").glob(f"{chapter}_*.ipynb"))
    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = re.sub(r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*", "",
                            "".join(cell.get("source", "")), flags=re.S | re.M)
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def name_error_box(name: str, defined_here: set[str], namespace: Iterable[str]) -> Box:
    """The French explanation of ``NameError: name 'name' is not defined`` in an exercise notebook."""
    run_above = (f"Exécutez d'abord les cellules au-dessus (menu **{RUN_ABOVE}**), puis relancez "
                 "cette cellule.")
    if name in defined_here:
        return Box(ERROR, f"La variable `{name}` n'existe pas encore",
                   f"Elle est créée par une cellule plus haut dans ce notebook, qui n'a pas encore été "
                   f"exécutée (ou l'a été avant un redémarrage du noyau). {run_above}")
    close = difflib.get_close_matches(name, [n for n in namespace if not n.startswith("_")], n=1, cutoff=0.75)
    if close:
        return Box(ERROR, f"La variable `{name}` n'existe pas",
                   f"Une faute de frappe ? Une variable proche existe : `{close[0]}`. Python distingue "
                   "majuscules et minuscules.")
    return Box(ERROR, f"La variable `{name}` n'existe pas",
               f"Elle n'est définie nulle part pour l'instant : vérifiez son orthographe, ou créez-la "
               f"dans cette cellule. Si elle vient d'une cellule plus haut : {run_above[0].lower()}{run_above[1:]}")


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    name = getattr(value, "name", None)
    if not name:
        m = re.search(r"name '([^']+)' is not defined", str(value))
        name = m.group(1) if m else "?"
    defined = set().union(*_STARTED.values()) if _STARTED else set()
    _show(name_error_box(name, defined, shell.user_ns.keys()))
    return [f"NameError : « {name} » n'est pas défini (explication ci-dessus)."]


# ``x = 0,094`` (a French decimal comma) does not even compile: 094 is not a valid number
_DECIMAL_COMMA_SYNTAX = "leading zeros in decimal integer literals"


def decimal_comma_box(line: str = "") -> Box:
    """The French explanation of the SyntaxError a decimal comma causes (``0,094``, ``12,05``).

    The example is the student's own number read in ``line`` (never a made-up value that could
    be an answer); without one, the rule alone.
    """
    m = re.search(r"(?<![\w.])(-?\d+),(0\d*)\b", line or "")
    example = (f" : `{m.group(1)}.{m.group(2)}` et non `{m.group(1)},{m.group(2)}`" if m else "")
    return Box(ERROR, "Un nombre décimal s'écrit avec un point",
               "Python n'a pas pu lire cette cellule : en Python, la virgule sépare deux valeurs, et un "
               f"nombre décimal s'écrit avec un **point**{example}. Corrigez le nombre, puis exécutez "
               "de nouveau la cellule.")


def _syntax_error_handler(shell, etype, value, tb, tb_offset=None):
    if _DECIMAL_COMMA_SYNTAX in str(value):
        _show(decimal_comma_box(getattr(value, "text", "") or ""))
        return ["SyntaxError : nombre écrit avec une virgule (explication ci-dessus)."]
    if isinstance(value, IndentationError):  # any other syntax error: IPython's usual display
        shell.showindentationerror()
    else:
        shell.showsyntaxerror()
    return None


def _error_handler(shell, etype, value, tb, tb_offset=None):
    if isinstance(value, SyntaxError):
        return _syntax_error_handler(shell, etype, value, tb, tb_offset)
    return _name_error_handler(shell, etype, value, tb, tb_offset)


def start(chapter: str) -> None:
    """Set up an exercise notebook of ``chapter`` (``"03"``): French help for ``NameError``.

    Installs an IPython handler that explains, in French, a variable that does not
    exist yet (a cell above not run) instead of the raw English traceback, and a
    number written with a decimal comma (``0,094``: a SyntaxError); any other syntax
    error is shown as IPython shows it. Does nothing outside IPython. Shows a short reminder of the commands.
    """
    chapter = str(chapter).zfill(2)
    ids = questions(chapter)
    if not ids:
        _show(Box(ERROR, f"Chapitre inconnu : {chapter!r}", "Les chapitres s'écrivent sur deux chiffres : `\"03\"`."))
        return
    _STARTED[chapter] = _notebook_names(chapter)
    ip = _ipython()
    if ip is not None:
        ip.set_custom_exc((NameError, SyntaxError), _error_handler)
    _show(Box("info", f"Exercices du chapitre {chapter} : {len(ids)} questions",
              "Dans chaque question, remplacez `None` par votre calcul et exécutez la cellule : `check` "
              "vous répond. Bloqué ? `hint(\"" + ids[0] + "\")` donne un indice, plus précis à chaque appel ; "
              "`solution(\"" + ids[0] + "\")` montre une méthode si vous abandonnez ; `progress()` fait le point."))
