"""The shared widget helper (crmlab.widgets) and the widgets as the notebooks store them."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from crmlab import style, widgets  # noqa: E402
from crmlab.validation import InvalidValueError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture(autouse=True)
def course_style():
    """The look the notebooks use: constrained layout on in rcParams (the trap this helper avoids)."""
    style.set_style()
    yield
    style.reset()


def _line_view(**kwargs):
    view = widgets.LiveFigure((5, 3), dpi=60, heading="Essai", **kwargs)
    x = np.linspace(0, 1, 50)
    (line,) = view.ax.plot(x, x)
    view.ax.set_ylim(0, 1)
    view.animate(line)
    return view, x, line


# ------------------------------------------------------------------ the kept figure
def test_layout_is_frozen_even_when_the_figure_is_saved():
    assert mpl.rcParams["figure.constrained_layout.use"]
    view, x, line = _line_view()
    first = view.png()
    position = view.ax.get_position().bounds
    # the inline backend saves a figure with a tight bounding box: it must not switch a layout on
    view.fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    line.set_ydata(x ** 2)
    view.set_title("un titre bien plus long qu'avant, sur toute la largeur")
    second = view.png()
    assert view.ax.get_position().bounds == pytest.approx(position)
    assert _pixels(first).shape == _pixels(second).shape
    assert view.fig.get_layout_engine() is not None  # a placeholder: kept by savefig
    assert type(view.fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"


def test_blitting_draws_what_a_full_render_draws():
    view, x, line = _line_view()
    view.png()
    line.set_ydata(1 - x)
    view.set_title("après")
    fast = _pixels(view.png())
    view.invalidate()
    full = _pixels(view.png())
    assert np.array_equal(fast, full)


def test_background_is_drawn_once_per_set_of_limits():
    view, x, line = _line_view()
    calls = []
    draw = view.fig.canvas.draw
    view.fig.canvas.draw = lambda: (calls.append(1), draw())
    view.png()
    n = len(calls)
    for k in range(5):  # moving artists only: no new full draw
        line.set_ydata(x * k / 5)
        view.png()
    assert len(calls) == n
    view.ax.set_ylim(0, 2)  # new limits: one new background
    view.png()
    view.ax.set_ylim(0, 1)  # back: the cached one
    view.png()
    assert len(calls) == n + 1


def test_scene_names_backgrounds_that_limits_do_not_tell_apart():
    view, x, line = _line_view()
    view.scene = "a"
    view.ax.set_xlabel("première")
    a = view.png()
    view.scene = "b"
    view.ax.set_xlabel("seconde")
    b = view.png()
    assert not np.array_equal(_pixels(a), _pixels(b))


def test_title_band_and_text_form():
    view, _, _ = _line_view(title_lines=2)
    view.set_title("ligne 1\nligne 2")
    view.caption = "une légende"
    view.png()
    assert repr(view) == "Figure : Essai — ligne 1 — ligne 2\nune légende"
    assert view._repr_png_()[:4] == b"\x89PNG"


def test_message_greys_the_figure_and_is_in_the_text_form():
    view, _, _ = _line_view()
    plain = _pixels(view.png())
    view.show_message("valeurs impossibles : la récence dépasse l'ancienneté")
    veiled = _pixels(view.png())
    assert view.message.startswith("valeurs impossibles") and "Message : valeurs" in repr(view)
    assert veiled.shape == plain.shape and not np.array_equal(veiled, plain)
    view.clear_message()
    assert np.array_equal(_pixels(view.png()), plain)


def test_fixed_margins_are_frozen_too():
    view = widgets.LiveFigure((4, 3), dpi=50, margins={"left": 0.2, "right": 0.9, "top": 0.8, "bottom": 0.2})
    assert type(view.fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    view.fig.savefig(io.BytesIO(), format="png")
    assert view.ax.get_position().x0 == pytest.approx(0.2)


@pytest.mark.parametrize(("low", "high"), [(0, 87), (-140, 900), (3.2, 3.3), (-5, -1), (0, 0), (1e6, 4e6)])
def test_nice_limits_hold_the_data(low, high):
    a, b = widgets.nice_limits(low, high)
    assert a <= min(low, high) and b >= max(low, high) and b > a


def test_nice_limits_keep_current_limits_that_still_fit():
    assert widgets.nice_limits(10, 90, current=(0, 100)) == (0, 100)
    assert widgets.nice_limits(10, 190, current=(0, 100)) != (0, 100)   # data out: new limits
    assert widgets.nice_limits(1, 9, current=(0, 100)) != (0, 100)      # far too wide: new limits


# ------------------------------------------------------------------ profit by targeting depth
def test_ladder_takes_only_1_2_5_steps():
    assert [widgets.ladder(x) for x in (0, 10, 10.5, 20, 21, 50, 51, 13_406)] == [10, 10, 20, 20, 50, 50, 100, 20_000]


def test_depth_profit_figure_by_hand():
    depth = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    view, draw = widgets.depth_profit_figure(depth, ["par A", "par B"], "Profit (€)", "Essai", 0.5)
    profits = {"par A": np.array([0.0, 40.0, 100.0, 30.0, -300.0]),
               "par B": np.array([0.0, -10.0, -20.0, -30.0, -300.0])}
    shown, parts = draw(profits, 0.3)   # nearest grid depth: 25 %
    assert shown == 0.25
    assert parts == ["par A : 40\xa0€ à 25\xa0%, au mieux 100\xa0€ à 50\xa0%",
                     "par B : -10\xa0€ à 25\xa0%, au mieux 0\xa0€ à 0\xa0%"]
    # the points sit on the curves at the depth shown, the marker there too
    a_line, b_line, a_point, b_point = view.ax.lines[:4]
    assert a_line.get_ydata().tolist() == profits["par A"].tolist()
    assert (a_point.get_xdata()[0], a_point.get_ydata()[0]) == (0.25, 40.0)
    assert (b_point.get_xdata()[0], b_point.get_ydata()[0]) == (0.25, -10.0)
    assert view.ax.lines[4].get_xdata()[0] == 0.25
    # best 100 € → top = ladder(108) = 200; losses below −100 € are cut
    assert view.ax.get_ylim() == (-100.0, 200.0)
    assert [t.get_text() for t in view.ax.get_legend().get_texts()] == ["par A", "par B"]
    assert view.png()[:4] == b"\x89PNG"
    # at 100 % both lose 300 €, below the scale: the points stay in sight at its bottom edge, as ▼
    draw(profits, 1.0)
    for point in (a_point, b_point):
        assert (point.get_xdata()[0], point.get_ydata()[0]) == (1.0, -100.0)
        assert point.get_marker() == "v" and not point.get_clip_on()
    draw(profits, 0.5)                   # back on the scale: a round point on the curve again
    assert (a_point.get_ydata()[0], a_point.get_marker()) == (100.0, "o")


def test_depth_profit_limits_change_only_by_steps_and_backgrounds_are_reused():
    depth = np.linspace(0, 1, 101)
    view, draw = widgets.depth_profit_figure(depth, ["par A"], "Profit (€)", "Essai", 0.2)
    shape = depth * (1 - depth) * 4 - 0.5 * depth   # peak ≈ 0,77 at 44 %, loss at 100 %
    tops = []
    # the best profit grows smoothly from 770 € to 77 000 €, then back: 200 redraws
    for scale in np.r_[np.geomspace(1e3, 1e5, 100), np.geomspace(1e5, 1e3, 100)]:
        draw({"par A": scale * shape}, 0.2)
        view.png()
        low, top = view.ax.get_ylim()
        assert low == -top / 2 and top >= scale * shape.max()
        mantissa = top / 10 ** np.floor(np.log10(top))
        assert mantissa in (1, 2, 5)
        tops.append(top)
    changes = [b / a for a, b in zip(tops, tops[1:]) if a != b]
    assert set(np.round(changes, 6)) <= {2, 2.5, 0.5, 0.4}
    assert len(set(tops)) <= 7                    # 1 000 … 100 000 €: a few steps
    assert view.full_draws == len(set(tops))      # each background drawn once, then reused


# ------------------------------------------------------------------ controls
def test_controls_are_bounded_and_read_in_french():
    margin = widgets.number("marge", 1000, 0, 300, 5, unit="€")
    assert margin.value == 300 and margin.label == "300\xa0€"
    assert [v for _, v in margin.options][:3] == [0, 5, 10]
    rate = widgets.percent("rétention", 0.8, 0.3, 0.95)
    assert rate.label == "80\xa0%" and rate.options[-1][1] == pytest.approx(0.95)
    assert widgets.number("poids", 1.25, 0, 3, 0.5, decimals=1).label in {"1,0", "1,5"}
    assert widgets.integer("classes", -4, 3, 10).value == 3
    menu = widgets.choice("découper", {"Canal": "channel", "Région": "region"})
    assert menu.value == "channel" and menu.label == "Canal"
    month = widgets.months("date", ["2025-10-31", "2025-11-30", "2025-12-31"], "2025-11-20")
    assert month.label == "novembre 2025"
    first = widgets.months("date", ["2025-10-31", "2025-11-30"], "2025-10-31")
    assert first.label == "octobre 2025"  # the first option keeps its label (set by index)
    assert widgets.number("poids", 0, 0, 3, 0.5, decimals=1).label == "0,0"
    with pytest.raises(InvalidValueError, match="bornes de curseur invalides"):
        widgets.number("x", 1, 5, 0, 1)


# ------------------------------------------------------------------ the widget
def _explorer(**kwargs):
    view, x, line = _line_view()
    calls = []

    def update(slope: float, shift: int):
        calls.append((slope, shift))
        if slope * shift > 4:
            raise InvalidValueError("pente × décalage trop grand : au plus 4.")
        line.set_ydata(slope * x + shift / 10)
        return f"pente {style.fmt_number(slope, 1)}, décalage {shift}", "une légende"

    controls = {"slope": widgets.number("pente", 0.5, 0, 2, 0.5, decimals=1),
                "shift": widgets.integer("décalage", 1, 0, 5)}
    box = widgets.explorer(view, update, controls, name="essai", **kwargs)
    return box, calls


def test_explorer_draws_at_once_and_redraws_on_each_change():
    box, calls = _explorer()
    first = box.image.value
    assert first[:4] == b"\x89PNG"                 # the state saved in a notebook holds the figure
    assert calls == [(0.5, 1)] and box.view.title == "pente 0,5, décalage 1"
    # shown at its own size, never stretched to the notebook's width (blurred)
    assert box.image.layout.width == f"{_pixels(first).shape[1]}px" and box.image.layout.max_width == "100%"
    box.controls["slope"].value = 1.0
    assert calls[-1] == (1.0, 1) and box.image.value != first
    assert "une légende" in box.caption.value
    assert _pixels(box.image.value).shape == _pixels(first).shape


def test_explorer_says_in_french_what_it_is_before_a_first_run():
    box, _ = _explorer()
    text = box._repr_mimebundle_()["text/plain"]
    assert text.startswith("Widget interactif « essai » (pente, décalage)")
    assert "VBox" not in text and "children" not in text
    assert "application/vnd.jupyter.widget-view+json" in box._repr_mimebundle_()


def test_explorer_shows_impossible_values_instead_of_drawing_them():
    box, _ = _explorer()
    box.controls["slope"].value = 2.0
    box.controls["shift"].value = 5
    assert box.view.message.startswith("Pente × décalage trop grand")
    assert box.view.title.startswith("Valeurs impossibles") and "décalage : 5" in box.view.title
    assert "Pente × décalage" in box.caption.value
    box.controls["shift"].value = 1
    assert box.view.message == "" and box.view.title == "pente 2,0, décalage 1"


def test_adjust_keeps_dependent_bounds_and_redraws_once():
    view, x, line = _line_view()
    calls = []

    def update(low: int, high: int):
        calls.append((low, high))
        return f"de {low} à {high}"

    def adjust(c, change):
        c["high"].min = c["low"].value + 1

    controls = {"low": widgets.integer("bas", 2, 0, 9), "high": widgets.integer("haut", 5, 3, 10)}
    box = widgets.explorer(view, update, controls, name="bornes", adjust=adjust)
    calls.clear()
    controls["low"].value = 7   # pushes « haut » to 8: one redraw, with both new values
    assert calls == [(7, 8)] and controls["high"].min == 8
    assert box.view.title == "de 7 à 8"


def test_precompute_draws_every_combination_and_ends_on_the_current_one():
    view, x, line = _line_view()
    seen = []

    def update(a: str, b: str):
        seen.append((a, b))
        view.scene = (a, b)
        return f"{a}{b}"

    controls = {"a": widgets.choice("a", ["x", "y"], "y"), "b": widgets.choice("b", ["u", "v", "w"])}
    box = widgets.explorer(view, update, controls, name="menus", precompute=True)
    assert set(seen) == {(a, b) for a in "xy" for b in "uvw"}
    assert seen[-1] == ("y", "u") and box.view.title == "yu"
    assert len(view._backgrounds) == 6


def test_presentation_mode_enlarges_figures_and_controls():
    small_view, _, _ = _line_view()
    small_box, _ = _explorer()
    style.presentation(True)
    try:
        big_view, _, _ = _line_view()
        big_box, _ = _explorer()
    finally:
        style.presentation(False)
    assert big_view.fig.get_figwidth() > small_view.fig.get_figwidth()
    assert "crm-presentation" in big_box._dom_classes and "crm-presentation" not in small_box._dom_classes
    slider_small, slider_big = small_box.controls["slope"], big_box.controls["slope"]
    assert int(slider_big.layout.width[:-2]) > int(slider_small.layout.width[:-2])
    assert int(slider_big.style.description_width[:-2]) > int(slider_small.style.description_width[:-2])
    css = big_box.children[0].value
    assert "--jp-widgets-font-size" in css and ".widget-readout" in css  # labels and readouts too
    # the heading's font follows the presentation style
    assert big_view._title.get_fontsize() > small_view._title.get_fontsize()


def test_update_times_are_recorded_for_the_benchmark():
    box, _ = _explorer()
    box.controls["shift"].value = 2
    assert len(widgets.UPDATE_TIMES["essai"]) >= 2


# ------------------------------------------------------------------ the notebooks as stored
def _notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_stored_widgets_show_their_figure_on_a_static_page(path):
    """Widget cells: tagged for nbval (no visible marker), French text form, image in the saved state."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    views = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert "NBVAL" not in "".join(cell["source"]), "a test marker visible to students"
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                assert "nbval-ignore-output" in cell["metadata"].get("tags", [])
                assert "".join(data["text/plain"]).startswith("Widget interactif « ")
                views.append(data["application/vnd.jupyter.widget-view+json"]["model_id"])
    assert views, "every lesson has a widget"

    def images_under(model_id: str) -> list[bytes]:
        model = state[model_id]
        if model["model_name"] == "ImageModel":
            return [base64.b64decode(b["data"]) for b in model.get("buffers", []) if b["path"] == ["value"]]
        children = model["state"].get("children", [])
        return [png for child in children for png in images_under(child.removeprefix("IPY_MODEL_"))]

    def svg_charts_under(model_id: str) -> list[bytes]:
        """The charts an HTML view draws itself (chapter 13's dashboard): SVG images inside its HTML."""
        model = state[model_id]
        if model["model_name"] == "HTMLModel":
            found = re.findall(r'<img [^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', model["state"]["value"])
            return [base64.b64decode(b) for b in found]
        children = model["state"].get("children", [])
        return [svg for child in children for svg in svg_charts_under(child.removeprefix("IPY_MODEL_"))]

    for model_id in views:
        pngs, svgs = images_under(model_id), svg_charts_under(model_id)
        if pngs or not svgs:   # a kept matplotlib figure: exactly one PNG
            assert len(pngs) == 1 and pngs[0][:4] == b"\x89PNG"
        else:                  # a dashboard drawn in HTML: each chart a complete SVG with its own size
            assert all(svg.startswith(b"<svg ") and svg.rstrip().endswith(b"</svg>") and b' width="' in svg
                       for svg in svgs)
