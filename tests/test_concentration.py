"""Tests of crmlab.concentration: known distributions worked by hand, French errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import concentration as conc
from crmlab.validation import InvalidValueError, NegativeValueError


def test_gini_known_distributions():
    assert conc.gini([5.0, 5.0, 5.0]) == pytest.approx(0.0)  # perfect equality
    # one customer of four makes everything: (n - 1) / n
    assert conc.gini([0.0, 0.0, 0.0, 8.0]) == pytest.approx(3 / 4)
    # 1, 2, 3, 4: sum (2i - 5) x_i = -3 - 2 + 3 + 12 = 10; n * total = 40
    assert conc.gini([4.0, 1.0, 3.0, 2.0]) == pytest.approx(0.25)
    # uniform on [0, 1]: Gini -> 1/3 for a large sample
    assert conc.gini(np.linspace(0, 1, 100_001)) == pytest.approx(1 / 3, abs=1e-4)


def test_pareto_curve_and_top_share():
    curve = conc.pareto_curve([10.0, 40.0, 20.0, 30.0])
    assert curve["value_share"].tolist() == pytest.approx([0, 0.4, 0.7, 0.9, 1.0])
    assert conc.top_share([10.0, 40.0, 20.0, 30.0], 0.5) == pytest.approx(0.7)
    # a pure 20/80 book: one customer of five makes 80 %
    assert conc.top_share([80.0, 5.0, 5.0, 5.0, 5.0], 0.2) == pytest.approx(0.8)
    # between two customers the share is interpolated on the curve
    assert conc.top_share([10.0, 40.0, 20.0, 30.0], 0.125) == pytest.approx(0.2)


def test_abc_by_value_by_hand():
    sales = pd.Series({"a": 10.0, "b": 55.0, "c": 25.0, "d": 6.0, "e": 4.0})
    # sorted: b 55 (0 % before), c 25 (55 % before), a 10 (80 %), d 6 (90 %), e 4 (96 %)
    abc = conc.abc_classes(sales)
    assert abc.astype(str).to_dict() == {"a": "B", "b": "A", "c": "A", "d": "C", "e": "C"}
    summary = conc.abc_summary(sales, abc)
    assert summary["customers"].tolist() == [2, 1, 2]
    assert summary["value_share"].tolist() == pytest.approx([0.80, 0.10, 0.10])


def test_abc_by_customers_rule_of_thumb():
    # 20 customers, cuts 10 % / 35 %: 2 in A, 5 in B, 13 in C
    sales = pd.Series(np.arange(20, 0, -1, dtype=float))
    abc = conc.abc_classes(sales, cuts=(0.10, 0.35), by="customers")
    assert abc.value_counts().sort_index().tolist() == [2, 5, 13]
    assert abc.iloc[0] == "A" and abc.iloc[-1] == "C"


def test_abc_ties_follow_index_order():
    abc = conc.abc_classes(pd.Series([5.0, 5.0, 5.0, 5.0]), cuts=(0.25, 0.5), by="customers")
    assert abc.astype(str).tolist() == ["A", "B", "C", "C"]


def test_value_potential_matrix_quadrants():
    current = pd.Series({"w": 100.0, "x": 10.0, "y": 100.0, "z": 10.0})
    potential = pd.Series({"x": 90.0, "w": 90.0, "y": 5.0, "z": 5.0})  # other order: aligned on index
    quad = conc.value_potential_matrix(current, potential)
    assert quad.astype(str).to_dict() == {
        "w": "désirables", "x": "sous-développés", "y": "mûrs", "z": "indésirables"
    }
    assert conc.MATRIX_ACTIONS.loc["sous-développés", "priority"] == 1


def test_concentration_bad_input():
    with pytest.raises(NegativeValueError, match="montant négatif"):
        conc.gini([10.0, -2.0])
    with pytest.raises(InvalidValueError, match="vide"):
        conc.top_share([])
    with pytest.raises(InvalidValueError, match="valeurs manquantes"):
        conc.abc_classes(pd.Series([1.0, np.nan]))
    with pytest.raises(InvalidValueError, match="0 < A < B < 1"):
        conc.abc_classes(pd.Series([1.0, 2.0]), cuts=(0.9, 0.5))
    with pytest.raises(InvalidValueError, match="manquante"):
        conc.value_potential_matrix(pd.Series({"a": 1.0}), pd.Series({"b": 1.0}))


def test_plot_pareto_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = conc.plot_pareto(pd.DataFrame({"v": [5.0, 1.0, 1.0, 3.0]}), "v")
    assert "Pareto" in ax.get_title()
    plt.close(ax.figure)
