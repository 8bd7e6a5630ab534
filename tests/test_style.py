"""French formats and the presentation mode."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import style  # noqa: E402

S = style.NBSP


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(1234.5, 1, f"1{S}234,5"), (1234.5, 0, f"1{S}235"), (-1234567.891, 2, f"-1{S}234{S}567,89"),
     (0.125, 2, "0,13"), (-0.2, 0, "0"), (12, 0, "12")],
)
def test_fmt_number(value, decimals, expected):
    assert style.fmt_number(value, decimals) == expected


def test_units_and_dates():
    assert style.fmt_eur(1234.5, 1) == f"1{S}234,5{S}€"
    assert style.fmt_pct(0.123) == f"12,3{S}%"
    assert style.fmt_pct(12.3, ratio=False) == f"12,3{S}%"
    assert style.fmt_date("2025-03-12") == "12 mars 2025"
    assert style.fmt_date("2025-08-01") == "1er août 2025"
    assert style.fmt_date("2025-12-01", with_day=False) == "décembre 2025"
    assert style.fmt_eur(float("nan")) == "–"
    assert style.fmt_number(float("inf")) == "–" and style.fmt_pct(float("-inf")) == "–"


def test_format_table_leaves_original_unchanged():
    df = pd.DataFrame({"ca": [1234.5, 10.0], "part": [0.25, 0.75], "n": [3, 4000]})
    out = style.format_table(df, euros=["ca"], percents=["part"])
    assert out["ca"].tolist() == [f"1{S}235{S}€", f"10{S}€"]
    assert out["part"].tolist() == [f"25,0{S}%", f"75,0{S}%"]
    assert out["n"].tolist() == ["3", f"4{S}000"]
    assert df["ca"].tolist() == [1234.5, 10.0]


def test_axis_formatter_and_presentation_mode():
    fig, ax = plt.subplots()
    ax.plot([0, 1000, 2000])
    assert style.format_axis(ax, y="eur") is ax
    assert ax.yaxis.get_major_formatter()(1500, 0) == f"1{S}500{S}€"
    with pytest.raises(ValueError, match="format d'axe inconnu"):
        style.format_axis(ax, x="dollars")
    plt.close(fig)
    normal = style._rc(False)["font.size"]
    style.presentation(True)
    try:
        assert style.is_presentation()
        assert matplotlib.rcParams["font.size"] > normal
        assert matplotlib.rcParams["lines.linewidth"] >= 3
    finally:
        style.reset()
    assert not style.is_presentation()


def test_french_labels_rename_at_display_and_blank_missing_values():
    t = pd.DataFrame({"customer_id": ["C1", "C2"], "n_orders": [3, 1], "email": ["a@b.fr", None],
                      "first": pd.to_datetime(["2024-01-02", None])}).set_index("customer_id")
    shown = style.french_labels(t, {"email": "e-mail"})
    assert list(shown.columns) == ["commandes", "e-mail", "first"] and shown.index.name == "client"
    assert shown.loc["C2", "e-mail"] == "" and shown.loc["C2", "first"] == ""       # no NaN / NaT shown
    assert not shown.isna().to_numpy().any()
    assert list(t.columns) == ["n_orders", "email", "first"] and t["email"].isna().sum() == 1   # original kept
    assert style.french_labels(t[["n_orders"]])["commandes"].tolist() == [3, 1]     # no NaN: dtypes kept


def test_french_labels_rename_row_labels_multiindex_and_suffixes():
    t = pd.DataFrame({"completeness": [0.9, 0.8]}, index=pd.Index(["email", "C001"], name="column"))
    shown = style.french_labels(t)
    assert list(shown.index) == ["e-mail", "C001"] and shown.index.name == "colonne"
    m = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("completeness", "avant"), ("phone_norm", "après")]))
    assert list(style.french_labels(m).columns) == [("complétude", "avant"), ("téléphone (normalisé)", "après")]
    assert style.french_labels(pd.Series([1.0], index=[2025], name="frequency_cal")).columns[0] == \
        "achats répétés (calibration)"
