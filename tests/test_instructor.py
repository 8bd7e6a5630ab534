"""The instructor's notes (``instructor/NN_slug.md``): one page per lesson, in the format of the kit.

Each lesson ``notebooks/NN_slug.ipynb`` has its page ``instructor/NN_slug.md`` (same slug), whose
level-2 headings are exactly, in this order:

- ``## Plan de séance (90 minutes)`` — timed blocks: what to project, which widget to move, what to ask;
- ``## Réponses modèles`` — the model answers to the chapter's interpretation questions;
- ``## Erreurs fréquentes`` — the plausible mistakes of each question, with what to say.

The « Erreurs fréquentes » section names every graded question of the chapter (``q3`` or
``03-q3``), so that no question's mistakes are forgotten; the page may quote the plausible
mistakes the question lists in ``crmlab/questions/chNN.py`` or say them in its own words
(``python tools/instructor_mistakes.py NN`` prints that list as a starting point).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmlab import exercises

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HEADINGS = ["Plan de séance (90 minutes)", "Réponses modèles", "Erreurs fréquentes"]


def _note(lesson: Path) -> Path:
    return ROOT / "instructor" / f"{lesson.stem}.md"


def _sections(text: str) -> dict[str, str]:
    """Level-2 heading → its body (up to the next level-2 heading), outside code fences."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    parts = re.split(r"^## +(.+?)\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_there_are_lessons():
    assert LESSONS


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_has_its_page_with_exactly_the_three_headings(lesson):
    note = _note(lesson)
    assert note.is_file(), f"instructor/{lesson.stem}.md manque"
    text = note.read_text(encoding="utf-8")
    assert re.match(r"# \S", text), "the page starts with its title (« # NN — … »)"
    assert list(_sections(text)) == HEADINGS
    for heading, body in _sections(text).items():
        assert len(body.split()) >= 40, f"« {heading} » is nearly empty"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_the_session_plan_is_timed_and_names_a_widget(lesson):
    note = _note(lesson)
    if not note.is_file():
        pytest.fail(f"instructor/{lesson.stem}.md manque")
    plan = _sections(note.read_text(encoding="utf-8")).get(HEADINGS[0], "")
    times = re.findall(r"\b(\d{1,2})\s*(?:[–-]\s*(\d{1,2})\s*)?min\b", plan)
    assert len(times) >= 4, "timed blocks (« 0–10 min », « 15 min »…) expected"
    assert re.search(r"widget|curseur|simulateur|explorateur|planificateur", plan, flags=re.I)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_common_mistakes_cover_every_question(lesson):
    note = _note(lesson)
    if not note.is_file():
        pytest.fail(f"instructor/{lesson.stem}.md manque")
    nn = lesson.name[:2]
    qids = exercises.questions(nn)
    if not qids:
        pytest.skip(f"chapter {nn} has no graded question yet")
    section = _sections(note.read_text(encoding="utf-8")).get(HEADINGS[2], "")
    named = {f"{nn}-q{n}" for n in re.findall(rf"\b(?:{nn}-)?q(\d+)\b", section)}
    assert [q for q in qids if q not in named] == [], "questions absent from « Erreurs fréquentes »"
