"""Print the « Erreurs fréquentes » skeleton of a chapter's instructor page.

    .venv/bin/python tools/instructor_mistakes.py 03

One bullet per graded question of ``crmlab/questions/chNN.py``, with the concept it
checks and each plausible mistake it lists, quoted as the exercise engine names them
(``tests/test_instructor.py`` requires every one of them in the page). Write after each
one what to say to the student; the values are computed from the data, never printed.
"""

from __future__ import annotations

import sys

from crmlab import exercises


def skeleton(chapter: str) -> str:
    lines = []
    for qid in exercises.questions(chapter):
        q = exercises._REGISTRY[qid]
        names = [m.name for m in exercises._answer(qid).mistakes]
        quoted = " ; ".join(f"« {n} »" for n in names) or "(aucune erreur listée)"
        lines.append(f"- **{qid[3:]}** — {q.concept} Erreurs : {quoted}. *À dire :* …")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage : python tools/instructor_mistakes.py NN")
    print(skeleton(sys.argv[1].zfill(2)))
