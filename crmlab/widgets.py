"""Live figures for the course's widgets: one kept figure, bounded controls, a PNG updated in place.

Every widget of the course has the same shape; this module carries it, so that a topic
module keeps only its domain code — compute, then draw onto given axes and return an
``update(**values)`` that moves the artists::

    from crmlab import widgets

    view = widgets.LiveFigure((8, 4.5))                     # made once, fixed layout
    line, = view.ax.plot(x, 0 * x)
    view.animate(line)                                      # repainted alone at each update

    def update(rate):                                       # domain code: move, return the title
        line.set_ydata(rate * x)
        view.autoscale(view.ax, y=(0, rate * x.max()))
        return f"Taux : {style.fmt_pct(rate)}"

    box = widgets.explorer(view, update, {"rate": widgets.percent("Taux", 0.2, 0, 1, 0.05)},
                           name="Croissance")
    view          # an ordinary cell: the default view, as a PNG (checked by nbval)
    box           # the widget cell (tagged nbval-ignore-output)

What it gives:

- :class:`LiveFigure` — a matplotlib figure outside pyplot (it appears only where shown),
  laid out once by constrained layout at its first render and then **frozen**: later
  renders, and saving it, can never switch on a layout engine again (a figure with no
  engine takes the one of ``rcParams`` back when saved). The title is figure-level, in
  its own band, so it cannot collide with the axes. ``png()`` repaints only the *moving*
  artists over a cached background (blitting) while the axes keep their limits (and
  :attr:`~LiveFigure.scene`); changing texts are *labels* drawn by Pillow, ten times
  faster than Matplotlib 3.11's glyph-by-glyph text; the PNG is encoded for speed. A cell
  that ends with the figure shows exactly the widget's pixels, and its title as text.
- Controls bounded to valid values, with French readouts: :func:`number`, :func:`percent`,
  :func:`integer`, :func:`choice`, :func:`months`.
- :func:`explorer` — the widget: the controls, an ``ipywidgets.Image`` updated in place
  (a binary message, no base64, no new output area) and a caption. ``update`` returns the
  title (the values actually used, after capping), or ``(title, caption)``; an impossible
  input raises an ``InvalidValueError`` (French message), which the figure shows over a
  greyed plot instead of drawing something silently wrong. An ``adjust`` hook keeps
  dependent bounds (a slider bounded by another control). The browser keeps one change
  in flight and sends the latest value when the kernel is free, so a dragged slider
  never queues stale images. Before a first run, and on static pages, its plain-text
  form says in French what the widget is; its state (with the image) is saved in the
  notebook, so a static viewer that renders widgets shows the figure.
- :func:`depth_profit_figure` — the figure the targeting widgets share (chapters 08, 10,
  14): profit against the share of customers contacted, one curve per ranking, y-limits
  by steps (:func:`profit_limits`); the topic module keeps its profit formula and controls.
- Presentation mode (``style.presentation(True)``): figures and controls made afterwards
  are larger (bigger figure, fonts from the course style, larger labels and readouts).
"""

from __future__ import annotations

import html
import io
import itertools
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import style
from .validation import CrmlabError, InvalidValueError

__all__ = ["LiveFigure", "Label", "explorer", "number", "percent", "integer", "choice", "months", "nice_limits",
           "ladder", "profit_limits", "depth_profit_figure", "encode_png", "DPI", "PRESENTATION_DPI",
           "PRESENTATION_SCALE", "UPDATE_TIMES"]

DPI = 80                 # widget images: 8 × 4,5 in → 640 × 360 px, text at 12 px
PRESENTATION_DPI = 72    # projection: a 1,4 × larger figure, fonts of the presentation style
PRESENTATION_SCALE = 1.4
MAX_BACKGROUNDS = 12     # cached backgrounds per figure (one per set of axis limits)

# Kernel-side time of the latest updates, per widget name (update + render + PNG), in seconds:
# the benchmark reads it next to the latency it measures in the browser.
UPDATE_TIMES: dict[str, deque] = {}

# Presentation mode for the controls: the ipywidgets variables, scoped to our boxes.
_PRESENTATION_CSS = """<style>
.crm-presentation { --jp-widgets-font-size: 20px; --jp-widgets-inline-height: 40px;
  --jp-widgets-slider-handle-size: 22px; --jp-widgets-slider-track-thickness: 6px; }
.crm-presentation .widget-label, .crm-presentation .widget-readout, .crm-presentation select,
.crm-presentation .widget-html-content { font-size: 20px; line-height: 40px; }
.crm-presentation .crm-caption .widget-html-content { line-height: 1.4; }
</style>"""


def _presentation() -> bool:
    return style.is_presentation()


# ------------------------------------------------------------------ the kept figure
class LiveFigure:
    """A figure made once and updated in place, rendered to PNG for a widget or a notebook.

    ``size`` is in inches (enlarged in presentation mode); ``nrows`` × ``ncols`` axes are
    made (``nrows=0``: none, add your own with fixed positions via ``fig.add_axes``).
    ``margins`` (``left``, ``right``, ``top``, ``bottom``, ``wspace``, ``hspace`` as
    figure fractions) fixes the layout at once; without it, constrained layout places the
    axes at the first render, which is then kept. Above the axes, a band holds the
    ``heading`` (bold, fixed: what the figure shows) and ``title_lines`` lines of title
    (:meth:`set_title`: the values actually used), whatever their text of the moment.

    >>> view = LiveFigure((4, 3), dpi=50, heading="Essai")
    >>> line, = view.ax.plot([0, 1], [0, 1])
    >>> view.animate(line)
    >>> view.set_title("Une droite")
    >>> view.png()[:4]
    b'\\x89PNG'
    >>> size = view.pixel_size; line.set_ydata([1, 0]); view.pixel_size == size
    True
    >>> view
    Figure : Essai — Une droite
    """

    def __init__(self, size: tuple[float, float] = (8.0, 4.5), nrows: int = 1, ncols: int = 1,
                 margins: Mapping[str, float] | None = None, dpi: int | None = None, heading: str = "",
                 title_lines: int = 1, **subplot_kw: Any):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        big = _presentation()
        scale = PRESENTATION_SCALE if big else 1.0
        self.fig = Figure(figsize=(size[0] * scale, size[1] * scale),
                          dpi=dpi or (PRESENTATION_DPI if big else DPI), layout="none")
        FigureCanvasAgg(self.fig)
        self._frozen = margins is not None
        if margins is not None:
            self.fig.subplots_adjust(**margins)
            self._freeze()
        else:
            self.fig.set_layout_engine("constrained", h_pad=0.06, w_pad=0.06)
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel() if nrows * ncols else []
        # one text holds heading and title until the layout is made (it sizes the band),
        # then splits in two: the heading stays in the background, the title moves
        self.heading, self.title_lines = heading, title_lines
        self._heading = None
        self._title = self.fig.suptitle(self._band(""), fontweight="bold", fontsize=style_size("axes.titlesize"))
        self.title = ""
        self.caption = ""  # the widget's line under the figure (shown with the title as text)
        # the French message shown over a greyed plot when the inputs are impossible
        self._veil = Rectangle((0, 0), 1, 1, transform=self.fig.transFigure, facecolor="white", alpha=0.82,
                               edgecolor="none", zorder=50, visible=False, in_layout=False)
        self.fig.add_artist(self._veil)
        self._message = self.fig.text(0.5, 0.5, "", ha="center", va="center", wrap=True, zorder=51,
                                      visible=False, in_layout=False, fontsize=style_size("axes.titlesize"),
                                      color=style.COLORS["bad"], fontweight="bold",
                                      bbox={"boxstyle": "round,pad=0.6", "fc": "white",
                                            "ec": style.COLORS["bad"], "lw": 1.5})
        self._message_text = ""
        self._fixed_moving = [self._veil, self._title, self._message]  # drawn last, on top
        self._moving: list = list(self._fixed_moving)
        self._backgrounds: dict = {}
        self.labels: list[Label] = []  # fast texts (see label)
        self.scene: Any = None  # what the background shows besides axis limits (see animate)
        self.max_backgrounds = MAX_BACKGROUNDS
        self.full_draws = 0  # backgrounds drawn so far (the slow renders)

    # ---------------------------------------------------------- drawing
    @property
    def ax(self):
        """The first (or only) Axes."""
        return self.axes[0]

    @property
    def pixel_size(self) -> tuple[int, int]:
        """Width and height of the rendered image, in pixels (the same at every render)."""
        return self.fig.canvas.get_width_height()

    def animate(self, *artists) -> None:
        """Declare artists that move at each update: they are repainted over a cached background.

        Everything else (axes, ticks, labels, legends) is drawn once per set of axis limits
        and value of :attr:`scene`: a view that switches between a few fixed backgrounds (one
        per variable set, per number of classes…) names the current one in ``view.scene``,
        and each is rendered once. Change the background another way (a label's text, tick
        labels) and call :meth:`invalidate`.
        """
        mine = [a for a in self._moving if a not in self._fixed_moving]
        self._moving = mine + [a for a in artists if a not in mine] + self._fixed_moving

    def invalidate(self) -> None:
        """Something of the background changed: render it again at the next :meth:`png`."""
        self._backgrounds.clear()

    def _band(self, text: str, heading: bool = True) -> str:
        lines = text.split("\n") if text else []
        lines += [" "] * (self.title_lines - len(lines))
        return "\n".join(([self.heading] if self.heading and heading else []) + lines)

    def set_title(self, text: str) -> None:
        """The figure's title: the values actually used belong here (``title_lines`` lines at most)."""
        self.title = text
        self._title.set_text(self._band(text) if self._heading is None else text)

    def label(self, x: float, y: float, text: str = "", *, transform=None, size: float | str | None = None,
              weight: str = "normal", color: Any = "black", ha: str = "center", va: str = "baseline",
              rotation: int = 0, offset: tuple[float, float] = (0.0, 0.0), keep: bool = False) -> "Label":
        """A text that changes at each update, drawn fast (by Pillow, over the rendered figure).

        Matplotlib draws text glyph by glyph: a few changing texts would cost more than all
        the rest of an update. A label is drawn in the same font, at ``(x, y)`` in
        ``transform``'s coordinates (default: figure fractions; ``ax.transData``…), moved by
        ``offset`` points; ``rotation`` is 0 or 90 (then centred on its point). It is in
        the PNG (widget and notebook display), not in ``fig.savefig``. Hidden while a message
        is shown, unless ``keep``. Returns the :class:`Label` (``set_text``, ``set_position``,
        ``set_visible``).
        """
        lab = Label(self, x, y, text, transform or self.fig.transFigure, _points(size), weight, color, ha, va,
                    rotation, offset, keep)
        self.labels.append(lab)
        return lab

    def _split_title(self) -> None:
        """After the layout: the heading stays a fixed text (background), the title becomes a
        regular-weight :meth:`label` under it (drawn at each update: it must be fast)."""
        renderer = self.fig.canvas.get_renderer()
        band = self._title
        box = band.get_window_extent(renderer)
        lines = (1 if self.heading else 0) + self.title_lines
        _, y_next = self.fig.transFigure.inverted().transform((0, box.y1 - box.height * (lines - self.title_lines)
                                                                / lines))
        band.set_text(self.heading)
        self._heading = band
        self._fixed_moving.remove(band)
        self._moving.remove(band)
        self._title = self.label(0.5, y_next, "", size=band.get_fontsize(), va="top", keep=True)
        self.set_title(self.title)

    def show_message(self, text: str) -> None:
        """Grey the plot and show ``text`` (French, why the inputs are impossible) over it."""
        import textwrap

        self._message_text = text
        self._veil.set_visible(True)
        self._message.set_text("\n".join(textwrap.wrap(text, 60)) or text)
        self._message.set_visible(True)

    def clear_message(self) -> None:
        self._message_text = ""
        self._veil.set_visible(False)
        self._message.set_visible(False)

    @property
    def message(self) -> str:
        """The message shown over the plot, or ``""``."""
        return self._message_text

    def autoscale(self, ax, x: tuple[float, float] | None = None, y: tuple[float, float] | None = None,
                  margin: float = 0.05) -> None:
        """Set ``ax``'s limits to nice round values around the data range ``(low, high)``.

        Limits change only when the data leave them, by nice steps: most updates keep the
        cached background (:func:`nice_limits`).
        """
        if x is not None:
            current = ax.get_xlim()
            new = nice_limits(*x, current=current, margin=margin)
            if new != current:
                ax.set_xlim(new)
        if y is not None:
            current = ax.get_ylim()
            new = nice_limits(*y, current=current, margin=margin)
            if new != current:
                ax.set_ylim(new)

    def _freeze(self) -> None:
        """Keep the current positions for good: a placeholder layout engine, which saving the
        figure restores (a figure with *no* engine would take the one of ``rcParams`` back)."""
        from matplotlib.layout_engine import PlaceHolderLayoutEngine

        self.fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
        self._frozen = True

    def _key(self) -> tuple:
        return (self.scene, *(ax.get_xlim() + ax.get_ylim() for ax in self.fig.axes))

    def render(self) -> None:
        """Draw the figure on its canvas (the fast way when possible)."""
        canvas = self.fig.canvas
        if not self._frozen:
            canvas.draw()  # constrained layout, with every artist in place, once
            self._freeze()
        if self._heading is None:
            self._split_title()
        key = self._key()
        background = self._backgrounds.get(key)
        if background is None:
            shown = [a for a in self._moving if a.get_visible()]
            for artist in shown:
                artist.set_visible(False)
            canvas.draw()
            self.full_draws += 1
            background = canvas.copy_from_bbox(self.fig.bbox)
            if len(self._backgrounds) >= self.max_backgrounds:
                self._backgrounds.pop(next(iter(self._backgrounds)))
            self._backgrounds[key] = background
            for artist in shown:
                artist.set_visible(True)
        canvas.restore_region(background)
        for artist in self._moving:  # in the order declared; title and message last
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def pixels(self) -> np.ndarray:
        """Render and return the image (height × width × RGB, or RGBA without labels), labels included."""
        self.render()
        rgba = np.asarray(self.fig.canvas.buffer_rgba())
        shown = [lab for lab in self.labels if lab.visible and lab.text and (lab.keep or not self.message)]
        if not shown:
            return rgba
        from PIL import Image, ImageDraw

        image = Image.fromarray(rgba[:, :, :3])  # a copy: the canvas keeps its background
        draw = ImageDraw.Draw(image)
        for lab in shown:
            lab.draw(image, draw)
        return np.asarray(image)

    def png(self) -> bytes:
        """Render and encode as PNG (fast settings: the image is sent at every update)."""
        return encode_png(self.pixels())

    # ---------------------------------------------------------- notebook display
    def _repr_png_(self) -> bytes:
        return self.png()

    def __repr__(self) -> str:
        title = " — ".join(t for t in [self.heading, *self.title.splitlines()] if t.strip())
        lines = [f"Figure : {title}" if title else "Figure"]
        if self.caption:
            lines.append(self.caption)
        if self.message:
            lines.append(f"Message : {self.message}")
        return "\n".join(lines)


class Label:
    """A text of a :class:`LiveFigure` drawn by Pillow (see :meth:`LiveFigure.label`)."""

    _FONTS: dict = {}

    def __init__(self, view, x, y, text, transform, size, weight, color, ha, va, rotation, offset, keep):
        from matplotlib.colors import to_rgba

        if rotation not in (0, 90):
            raise InvalidValueError(f"un libellé rapide est horizontal ou vertical (0 ou 90°), pas {rotation!r}.")
        self.view, self.x, self.y, self.text = view, x, y, text
        self.transform, self.size, self.weight, self.ha, self.va = transform, size, weight, ha, va
        self.rotation, self.offset, self.keep, self.visible = rotation, offset, keep, True
        self.color = tuple(int(round(255 * c)) for c in to_rgba(color)[:3])

    def set_text(self, text: str) -> None:
        self.text = text

    def get_text(self) -> str:
        return self.text

    def set_position(self, xy: tuple[float, float]) -> None:
        self.x, self.y = xy

    def set_visible(self, visible: bool) -> None:
        self.visible = bool(visible)

    def set_color(self, color: Any) -> None:
        from matplotlib.colors import to_rgba

        self.color = tuple(int(round(255 * c)) for c in to_rgba(color)[:3])

    def get_visible(self) -> bool:
        return self.visible

    def _font(self):
        from matplotlib import font_manager
        from PIL import ImageFont

        import matplotlib as mpl

        px = max(1, int(round(self.size * self.view.fig.dpi / 72)))
        key = (tuple(mpl.rcParams["font.family"]), self.weight, px)
        if key not in self._FONTS:
            path = font_manager.findfont(font_manager.FontProperties(family=mpl.rcParams["font.family"],
                                                                     weight=self.weight))
            self._FONTS[key] = ImageFont.truetype(path, px)
        return self._FONTS[key]

    def draw(self, image, draw) -> None:
        from PIL import Image, ImageDraw

        height = image.height
        px, py = self.transform.transform((self.x, self.y))
        dpi = self.view.fig.dpi
        px, py = px + self.offset[0] * dpi / 72, height - (py + self.offset[1] * dpi / 72)  # Pillow: y down
        font = self._font()
        if self.rotation == 0:
            anchor = {"left": "l", "center": "m", "right": "r"}[self.ha] + \
                {"top": "a", "center": "m", "center_baseline": "m", "baseline": "s", "bottom": "d"}[self.va]
            if "\n" in self.text:
                draw.multiline_text((px, py), self.text, font=font, fill=self.color, anchor=anchor[0] + "a",
                                    align={"l": "left", "m": "center", "r": "right"}[anchor[0]],
                                    spacing=round(0.25 * font.size))  # Matplotlib's 1.2 line spacing
            else:
                draw.text((px, py), self.text, font=font, fill=self.color, anchor=anchor)
            return
        left, top, right, bottom = font.getbbox(self.text)
        mask = Image.new("L", (right - left + 2, bottom - top + 2))
        ImageDraw.Draw(mask).text((1 - left, 1 - top), self.text, font=font, fill=255)
        mask = mask.rotate(90, expand=True)
        image.paste(self.color, (int(round(px - mask.width / 2)), int(round(py - mask.height / 2))), mask)


def _points(size: float | str | None) -> float:
    """A font size in points (a number, a name such as ``"small"``, or the style's default)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=mpl.rcParams["font.size"] if size is None else size).get_size_in_points()


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """A PNG of an opaque RGB or RGBA image (height × width × 3 or 4, uint8), encoded for speed.

    Rows unfiltered, zlib level 1: twice as fast as Pillow's encoder (which tries a filter
    per row) on a figure, and no larger — it is sent at every move of a slider.

    >>> from PIL import Image
    >>> img = np.zeros((2, 3, 4), np.uint8); img[..., 0] = 200; img[..., 3] = 255
    >>> np.asarray(Image.open(io.BytesIO(encode_png(img))))[0, 0].tolist()
    [200, 0, 0]
    """
    import struct
    import zlib

    height, width = rgba.shape[:2]
    raw = np.zeros((height, 1 + 3 * width), np.uint8)  # a 0 byte per row: filter « none »
    raw[:, 1:] = rgba[:, :, :3].reshape(height, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))


def style_size(key: str) -> float:
    """The current course style's font size for ``key`` (``rcParams``), in points."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    value = mpl.rcParams[key]
    return FontProperties(size=value).get_size_in_points() if isinstance(value, str) else float(value)


def nice_limits(low: float, high: float, current: tuple[float, float] | None = None,
                margin: float = 0.05) -> tuple[float, float]:
    """Round axis limits around ``[low, high]``: multiples of a 1-2-5 step, a little margin.

    With ``current`` limits that still hold the data and are not more than twice too wide,
    they are kept (so that a background can be reused).

    >>> nice_limits(3.2, 87.0)
    (0.0, 100.0)
    >>> nice_limits(3.2, 87.0, current=(0.0, 120.0))
    (0.0, 120.0)
    >>> nice_limits(-140, 900)
    (-250.0, 1000.0)
    """
    low, high = float(min(low, high)), float(max(low, high))
    if not (np.isfinite(low) and np.isfinite(high)):
        low, high = 0.0, 1.0
    span = high - low or max(abs(high), 1.0)
    if current is not None:
        c_low, c_high = sorted(current)
        if c_low <= low and high <= c_high and (c_high - c_low) <= 2.2 * span * (1 + 2 * margin):
            return tuple(current)
    padded_low, padded_high = low - margin * span, high + margin * span
    raw = (padded_high - padded_low) / 5
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    new_low = np.floor(padded_low / step) * step if low < 0 else max(0.0, np.floor(padded_low / step) * step)
    new_high = min(0.0, np.ceil(padded_high / step) * step) if high <= 0 < -low else np.ceil(padded_high / step) * step
    return float(new_low), float(new_high)


# ------------------------------------------------------------------ profit by targeting depth
def ladder(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k (k ≥ 1) at least ``x``: a limit that changes by steps of ×2 or ×2,5.

    >>> ladder(13_406), ladder(20_000), ladder(3)
    (20000.0, 20000.0, 10.0)
    """
    x = max(float(x), 10.0)
    power = 10 ** math.floor(math.log10(x))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= x - 1e-9))


def profit_limits(low: float, high: float) -> tuple[float, float]:
    """Y-limits ``(−top/2, top)`` for profit curves ranging over ``[low, high]`` (€), by steps.

    ``top`` is :func:`ladder` of the larger of 1,08 × the best profit and a tenth of the worst
    loss: the scale follows the best profit, losses deeper than half of it are cut, and the
    limits take few values as the curves move — each background is drawn once, then reused.

    >>> profit_limits(-89_000, 12_413)
    (-10000.0, 20000.0)
    """
    top = ladder(max(1.08 * float(high), -0.1 * float(low)))
    return -top / 2, top


def depth_profit_figure(depth, labels: Sequence[str], ylabel: str, heading: str, marker: float = 0.2):
    """The kept figure of a targeting widget: profit against the share of customers contacted.

    One curve and one point per ranking of ``labels`` (legend), over the ``depth`` grid
    (shares from 0 to 1); a dashed marker at the depth shown, a zero line, French axis
    labels (``ylabel`` for the profit), ``heading`` over the figure; the marker starts at
    ``marker``. Returns ``(view, draw)``: ``draw(profits, shown)`` takes one profit array
    per label (€, on the ``depth`` grid) and the depth asked for, moves the curves, the
    points (at the grid depth nearest ``shown``; a point below the scale is pinned at its
    bottom edge as a ▼) and the marker, sets the y-limits by steps (:func:`profit_limits`)
    and returns ``(depth used, caption parts)``, one part per
    ranking: « {label} : X € à Y %, au mieux Z € à W % ». The topic module keeps its
    formula and its controls, and builds the title and caption from these.

    >>> view, draw = depth_profit_figure(np.array([0, 0.5, 1]), ["par score"], "Profit (€)", "Essai")
    >>> draw({"par score": np.array([0.0, 30.0, -20.0])}, 0.9)
    (1.0, ['par score : -20\\xa0€ à 100\\xa0%, au mieux 30\\xa0€ à 50\\xa0%'])
    """
    from .style import COLORS, PALETTE, fmt_eur, fmt_pct, format_axis

    depth = np.asarray(depth, dtype=float)
    labels = list(labels)
    view = LiveFigure((9, 4.8), heading=heading)
    ax = view.ax
    colors = [COLORS["primary"], COLORS["accent"], COLORS["good"], PALETTE[4]]
    colors = [colors[i % len(colors)] for i in range(len(labels))]
    lines = {k: ax.plot(depth, 0 * depth, color=c, lw=2.4, label=k)[0] for k, c in zip(labels, colors)}
    points = {k: ax.plot([0], [0], "o", color=c, ms=9, zorder=3)[0] for k, c in zip(labels, colors)}
    line = ax.axvline(marker, color=COLORS["neutral"], ls="--", lw=1.2)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("Part des clients contactés (profondeur de ciblage)")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1)
    format_axis(ax, x="pct", y="eur")
    # above the plot, in a row: the curves move everywhere inside it, losses below the scale
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(labels), frameon=False,
              borderaxespad=0.2)
    view.animate(*lines.values(), *points.values(), line)

    def draw(profits: Mapping[str, np.ndarray], shown: float) -> tuple[float, list[str]]:
        j = int(np.argmin(np.abs(depth - shown)))
        low, high, parts = 0.0, 0.0, []
        for k in labels:
            profit = profits[k]
            lines[k].set_ydata(profit)
            best = int(np.argmax(profit))
            low, high = min(low, float(profit.min())), max(high, float(profit.max()))
            parts.append(f"{k} : {fmt_eur(profit[j])} à {fmt_pct(depth[j], 0)}, "
                         f"au mieux {fmt_eur(profit[best])} à {fmt_pct(depth[best], 0)}")
        line.set_xdata([depth[j], depth[j]])
        ylim = profit_limits(low, high)
        if ylim != ax.get_ylim():
            ax.set_ylim(ylim)
        # a point below the scale (a deep loss) stays in sight: pinned at the bottom edge, as a ▼
        for k in labels:
            y = float(profits[k][j])
            below = y < ylim[0]
            points[k].set_data([depth[j]], [ylim[0] if below else y])
            points[k].set_marker("v" if below else "o")
            points[k].set_clip_on(not below)
        return float(depth[j]), parts

    return view, draw


# ------------------------------------------------------------------ controls
def _sizes(compact: bool = False) -> tuple[str, str]:
    """(description width, control width) for the current mode; ``compact`` for short labels."""
    if compact:
        return ("100px", "360px") if _presentation() else ("70px", "270px")
    return ("260px", "640px") if _presentation() else ("190px", "440px")


def _style(compact: bool = False) -> dict:
    label, width = _sizes(compact)
    return {"style": {"description_width": label}, "layout": {"width": width}}


def _grid(value: float, low: float, high: float, step: float) -> tuple[np.ndarray, float]:
    if not low < high or step <= 0:
        raise InvalidValueError(f"bornes de curseur invalides : de {low!r} à {high!r} par pas de {step!r}.")
    count = int(round((high - low) / step)) + 1
    values = np.round(low + step * np.arange(count), 10)
    values = values[values <= high + 1e-9]
    nearest = float(values[np.argmin(np.abs(values - float(value)))])  # bounded and on the grid
    return values, nearest


def number(description: str, value: float, low: float, high: float, step: float, decimals: int = 0,
           unit: str = "", compact: bool = False):
    """A slider over ``low, low + step, …, high`` with a French readout (``1 234,5 €``).

    The value starts on the grid point nearest ``value`` (bounded). ``compact``: a short
    label and a narrower slider (three on a row).

    >>> number("Marge (€)", 101, 0, 300, 5).value
    100.0
    >>> number("Taux", 0.125, 0, 1, 0.05, decimals=2).label
    '0,10'
    """
    import ipywidgets as w

    values, start = _grid(value, low, high, step)
    suffix = f"{style.NBSP}{unit}" if unit else ""
    options = [(f"{style.fmt_number(v, decimals)}{suffix}", float(v)) for v in values]
    return w.SelectionSlider(options=options, index=int(np.flatnonzero(values == start)[0]), description=description,
                             continuous_update=True, **_style(compact))


def percent(description: str, value: float, low: float, high: float, step: float = 0.01, decimals: int = 0):
    """A slider over rates (ratios) shown in % (``80 %``), bounded to ``[low, high]``.

    >>> percent("Rétention", 0.8, 0.3, 0.95).label
    '80\\xa0%'
    """
    import ipywidgets as w

    values, start = _grid(value, low, high, step)
    options = [(style.fmt_pct(v, decimals), float(v)) for v in values]
    return w.SelectionSlider(options=options, index=int(np.flatnonzero(values == start)[0]), description=description,
                             continuous_update=True, **_style())


def integer(description: str, value: int, low: int, high: int, step: int = 1, compact: bool = False):
    """An integer slider bounded to ``[low, high]`` (the value is clipped into it).

    >>> integer("Classes", 12, 3, 10).value
    10
    """
    import ipywidgets as w

    value = int(min(max(int(value), low), high))
    return w.IntSlider(value=value, min=low, max=high, step=step, description=description,
                       continuous_update=True, **_style(compact))


def choice(description: str, options: Mapping[str, Any] | Sequence, value: Any = None):
    """A drop-down menu; ``options`` maps French labels to values (or lists the values).

    >>> choice("Découper par", {"Canal": "channel", "Région": "region"}, "region").label
    'Région'
    """
    import ipywidgets as w

    items = list(options.items()) if isinstance(options, Mapping) else [(str(o), o) for o in options]
    values = [v for _, v in items]
    start = value if value is not None and value in values else values[0]
    label, width = _sizes()
    return w.Dropdown(options=items, value=start, description=description,
                      style={"description_width": label}, layout={"width": width})


def months(description: str, dates: Iterable, value: Any = None):
    """A slider over month-ends, labelled in French (``décembre 2025``); starts at ``value`` or the last.

    >>> months("Date", ["2025-11-30", "2025-12-31"]).label
    'décembre 2025'
    """
    import ipywidgets as w
    import pandas as pd

    stamps = [pd.Timestamp(d) for d in dates]
    start = pd.Timestamp(value) if value is not None else stamps[-1]
    if start not in stamps:
        start = min(stamps, key=lambda d: abs(d - start))
    # by index: a value equal to the first option would leave the label empty (ipywidgets 8)
    return w.SelectionSlider(options=[(style.fmt_date(d, with_day=False), d) for d in stamps],
                             index=stamps.index(start), description=description, continuous_update=True, **_style())


# ------------------------------------------------------------------ the widget
_EXPLORER_CLASS = None


def _explorer_class():
    """The widget box class, made at first use (ipywidgets is imported only then)."""
    global _EXPLORER_CLASS
    if _EXPLORER_CLASS is None:
        import ipywidgets as w

        class Explorer(w.VBox):
            """A course widget: controls, the figure as an image updated in place, a caption."""

            def _repr_mimebundle_(self, **kwargs):
                data = super()._repr_mimebundle_(**kwargs)
                if data is not None:
                    data["text/plain"] = self.about  # not « VBox(children=(… »
                return data

        _EXPLORER_CLASS = Explorer
    return _EXPLORER_CLASS


def explorer(view: LiveFigure, update: Callable[..., str | tuple[str, str]], controls: Mapping[str, Any], *,
             name: str, adjust: Callable[[Mapping[str, Any], dict], None] | None = None,
             rows: Sequence[Sequence[str]] | None = None, precompute: bool = False):
    """The widget: ``controls`` → ``update(**values)`` → a new PNG of ``view`` in an image.

    ``update`` moves the artists of ``view`` and returns the title (the values it actually
    used) or ``(title, caption)``; an ``InvalidValueError`` it raises (any
    :class:`~crmlab.validation.CrmlabError`: a French message) is shown over the greyed
    figure, under a title giving the values asked for. ``adjust(controls, change)`` runs
    first on each change, to keep dependent bounds (its own changes do not redraw twice).
    ``rows`` groups the controls by name, one row each (default: two per row).
    ``precompute=True`` (a few menus) draws every combination once at creation, so that
    each background is ready and a change only repaints what moves. Returns the widget
    box: ``box.view`` (the figure, as shown), ``box.controls``, ``box.image``,
    ``box.caption``, and ``box.refresh()`` to redraw with the current values.
    """
    import ipywidgets as w

    controls = dict(controls)
    names = list(controls)
    grouped = rows or [names[i:i + 2] for i in range(0, len(names), 2)]
    # shown at its own size (a column box would stretch it, blurred, to the notebook's width),
    # narrower only when the notebook is
    image = w.Image(format="png", layout={"width": f"{view.pixel_size[0]}px", "max_width": "100%",
                                          "height": "auto", "align_self": "flex-start"})
    caption = w.HTML()
    caption.add_class("crm-caption")
    state = {"busy": False}

    def draw(values: dict) -> str:
        try:
            out = update(**values)
            title, text = out if isinstance(out, tuple) else (out, "")
            view.clear_message()
        except CrmlabError as exc:  # a French message from a guard: show it, do not draw
            text = str(exc)
            text = text[:1].upper() + text[1:]
            asked = " · ".join(f"{c.description} : {_shown_value(c)}" for c in controls.values())
            title = f"Valeurs impossibles — {asked}"
            view.show_message(text)
        view.set_title(title)
        view.caption = text
        return text

    def refresh(change: dict | None = None) -> None:
        if state["busy"]:
            return
        if adjust is not None and change is not None:
            state["busy"] = True
            try:
                adjust(controls, change)
            finally:
                state["busy"] = False
        start = time.perf_counter()
        text = draw({k: c.value for k, c in controls.items()})
        png = view.png()
        UPDATE_TIMES.setdefault(name, deque(maxlen=500)).append(time.perf_counter() - start)
        image.value = png
        caption.value = f"<p>{html.escape(text)}</p>" if text else ""

    if precompute:
        options = [[v for _, v in c.options] if hasattr(c, "options") else range(c.min, c.max + 1, c.step)
                   for c in controls.values()]
        combos = list(itertools.product(*options))
        view.max_backgrounds = max(view.max_backgrounds, len(combos) + 2)
        for combo in combos:
            draw(dict(zip(names, combo)))
            view.render()

    for control in controls.values():
        control.observe(refresh, names="value")
    refresh()

    children = [w.HBox([controls[n] for n in row]) for row in grouped] + [image, caption]
    big = _presentation()
    if big:
        children.insert(0, w.HTML(_PRESENTATION_CSS))
    box = _explorer_class()(children)
    if big:
        box.add_class("crm-presentation")
    labels = ", ".join(c.description for c in controls.values())
    box.about = (f"Widget interactif « {name} » ({labels}). Il s'anime dans JupyterLab, une fois "
                 f"le notebook exécuté ; la figure de la cellule précédente montre sa vue par défaut.")
    box.view, box.controls, box.image, box.caption, box.refresh = view, controls, image, caption, refresh
    return box


def _shown_value(control) -> str:
    """What a control shows: its label (a menu, a French readout) or its value."""
    label = getattr(control, "label", None)
    return str(label) if label is not None else style.fmt_number(control.value)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
