"""The course look: palette, French number formats, presentation mode.

Nothing happens at import. One explicit call sets the look::

    from crmlab import style
    style.set_style()              # course palette, readable figures, French numbers in tables
    style.presentation(True)       # large fonts and thick lines for projection

Formatting helpers turn numbers into French strings (``1 234,5 €``, ``12,3 %``,
``12 mars 2025``) and put the same formats on plot axes.

>>> fmt_eur(1234.5, 1)
'1\\xa0234,5\\xa0€'
>>> fmt_pct(0.123)
'12,3\\xa0%'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

NBSP = "\u00a0"  # no-break space: thousands separator and before units

# Okabe-Ito: distinguishable by colour-blind readers and in grey-scale print.
PALETTE: list[str] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
COLORS: dict[str, str] = {
    "primary": "#0072B2",   # the company / the main series
    "accent": "#E69F00",    # the highlighted point, the option chosen
    "good": "#009E73",      # profit, retained, success
    "bad": "#D55E00",       # loss, churn, alert
    "neutral": "#7F7F7F",   # reference lines, context
}

MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
             "août", "septembre", "octobre", "novembre", "décembre"]

_PRESENTATION = False


# ------------------------------------------------------------------ formatting
def fmt_number(x: float | None, decimals: int = 0) -> str:
    """French number: space as thousands separator, comma as decimal mark.

    >>> fmt_number(1234567.891, 2)
    '1\\xa0234\\xa0567,89'
    """
    if x is None or x is pd.NA or x is pd.NaT or not math.isfinite(float(x)):
        return "–"
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0"
    s = f"{q:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)


def fmt_eur(x: float | None, decimals: int = 0) -> str:
    """Amount in euros: ``1 234 €`` (``decimals`` digits after the comma)."""
    s = fmt_number(x, decimals)
    return s if s == "–" else f"{s}{NBSP}€"


def fmt_pct(x: float | None, decimals: int = 1, ratio: bool = True) -> str:
    """Percentage: ``fmt_pct(0.123) == '12,3 %'``; ``ratio=False`` when ``x`` is already in %."""
    if x is None or x is pd.NA or not math.isfinite(float(x)):
        return "–"
    s = fmt_number(float(x) * (100 if ratio else 1), decimals)
    return f"{s}{NBSP}%"


def fmt_date(d: date | datetime | str | pd.Timestamp | None, with_day: bool = True) -> str:
    """French date: ``12 mars 2025`` (or ``mars 2025`` with ``with_day=False``)."""
    if d is None or d is pd.NaT:
        return "–"
    ts = pd.Timestamp(d)
    if pd.isna(ts):
        return "–"
    month = MONTHS_FR[ts.month - 1]
    if not with_day:
        return f"{month} {ts.year}"
    day = "1er" if ts.day == 1 else str(ts.day)
    return f"{day} {month} {ts.year}"


def format_table(
    df: pd.DataFrame | pd.Series,
    euros: Iterable[str] = (),
    percents: Iterable[str] = (),
    decimals: int | dict[str, int] = 0,
    pct_decimals: int = 1,
    dates: Iterable[str] = (),
) -> pd.DataFrame:
    """A display copy of ``df`` with French strings: € columns, % columns (ratios), numbers.

    Numeric columns not listed are shown as French numbers with ``decimals`` digits
    (an int, or a dict column → digits). The original table is left unchanged.

    >>> format_table(pd.DataFrame({"ca": [1234.5], "part": [0.25]}), euros=["ca"], percents=["part"]).iloc[0].tolist()
    ['1\\xa0235\\xa0€', '25,0\\xa0%']
    """
    out = df.to_frame() if isinstance(df, pd.Series) else df.copy()
    euros, percents, dates = set(euros), set(percents), set(dates)
    for col in out.columns:
        digits = decimals.get(col, 0) if isinstance(decimals, dict) else decimals
        s = out[col]
        if col in euros:
            out[col] = [fmt_eur(v, digits) for v in s]
        elif col in percents:
            out[col] = [fmt_pct(v, pct_decimals) for v in s]
        elif col in dates:
            out[col] = [fmt_date(v) for v in s]
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[col] = [fmt_number(v, digits) for v in s]
    return out


# French labels for the English column names the course's tables use in code. Code keeps the
# English names; a table shown to students is renamed at display time (:func:`french_labels`).
LABELS: dict[str, str] = {
    # ids, dates, counts
    "customer_id": "client", "order_id": "commande", "campaign_id": "campagne", "account_id": "compte",
    "contact_id": "contact", "subscription_id": "abonnement", "record_id": "fiche", "source": "source",
    "order_date": "date de commande", "year": "année", "month": "mois", "period": "période",
    "period_start": "début de période", "period_end": "fin de période", "status": "statut",
    "n_orders": "commandes", "n_customers": "clients", "n_records": "fiches", "n_sources": "sources",
    "n_rows": "lignes", "n_columns": "colonnes", "n_items": "articles", "cluster": "groupe",
    "table": "table", "role": "rôle", "column": "colonne", "completeness": "complétude",
    "duplicates": "doublons", "label_fr": "libellé",
    # money
    "amount": "montant", "sales": "chiffre d'affaires", "spend": "dépense", "gross_margin": "marge brute",
    "direct_cost": "coût direct", "indirect_cost": "coût indirect", "cost_to_serve": "coût de service",
    "direct_profit": "profit direct", "sales_per_customer": "chiffre d'affaires par client",
    "fee_eur": "cotisation (€)", "channel": "canal", "region": "région", "loyalty_status": "statut fidélité",
    "rank_in_region": "rang dans la région",
    # retention and flows (chapter 01)
    "new": "nouveaux", "retained": "fidèles", "reactivated": "réactivés", "lost": "perdus",
    "active": "base active", "developing": "nouvelle famille (vente croisée)",
    "customers": "clients", "retention_rate": "taux de rétention",
    "previous": "dépense de l'année précédente", "current": "dépense de l'année", "change": "variation",
    "growth": "croissance", "discount_factor": "facteur d'actualisation", "profit": "profit",
    "discounted_profit": "profit actualisé", "cumulative_profit": "profit cumulé actualisé",
    "gain": "gain", "relative_gain": "variation relative", "improved_profit": "profit amélioré",
    # customer summaries (RFM, BG/NBD: lifetimes' names)
    "frequency": "achats répétés", "recency": "récence", "T": "ancienneté",
    "monetary_value": "panier moyen répété", "frequency_cal": "achats répétés (calibration)",
    "recency_cal": "récence (calibration)", "T_cal": "ancienneté (calibration)",
    "monetary_value_cal": "panier moyen répété (calibration)",
    "frequency_holdout": "achats (validation)", "monetary_value_holdout": "panier moyen (validation)",
    "duration_holdout": "durée de validation",
    "decile": "décile", "lift": "lift", "churned": "perdu", "group": "groupe", "responded": "a répondu",
    # identity and data quality (chapter 02)
    "first_name": "prénom", "last_name": "nom", "email": "e-mail", "phone": "téléphone",
    "postcode": "code postal", "birth_date": "date de naissance", "name_key": "clé de nom",
    "source_record_id": "fiche source", "completeness": "complétude", "validity": "validité",
    "job_title": "fonction", "influence": "influence", "preferred_channel": "canal préféré",
    "consent_email": "consentement e-mail", "consent_sms": "consentement SMS",
    "consent_post": "consentement courrier", "client_pseudo": "client (pseudonyme)",
    "order_datetime": "date et heure", "delivery_mode": "mode de livraison", "discount": "remise",
}
_SUFFIXES = {"_norm": " (normalisé)", "_cal": " (calibration)", "_holdout": " (validation)"}


def _label(name, names: dict[str, str]):
    if not isinstance(name, str):
        return name
    if name in names:
        return names[name]
    for suffix, tail in _SUFFIXES.items():
        if name.endswith(suffix) and name[: -len(suffix)] in names:
            return names[name[: -len(suffix)]] + tail
    return name


def french_labels(df: pd.DataFrame | pd.Series, labels: dict[str, str] | None = None,
                  blank: str = "") -> pd.DataFrame:
    """A display copy of ``df`` with French column and index names, missing values shown blank.

    Column labels, row labels and axis names found in :data:`LABELS` (or in ``labels``,
    which wins) are renamed, ``email_norm`` as « e-mail (normalisé) »; other names are
    kept (customer ids, French labels). Cell values are not touched. Missing values (``NaN``, ``None``,
    ``NaT``) become ``blank`` (an empty cell by default): a student reads « pas de
    valeur », not ``NaN``. Code keeps the English names; only the shown copy changes.

    >>> t = pd.DataFrame({"customer_id": ["C1"], "n_orders": [3], "email": [None]})
    >>> french_labels(t, {"email": "e-mail"}).to_dict("records")
    [{'client': 'C1', 'commandes': 3, 'e-mail': ''}]
    """
    names = {**LABELS, **(labels or {})}
    out = df.to_frame() if isinstance(df, pd.Series) else df.copy()
    for axis in ("index", "columns"):
        idx = getattr(out, axis)
        if idx.nlevels > 1 or idx.inferred_type in ("string", "mixed"):   # field names renamed; ids are not in LABELS
            idx = idx.map(lambda v: tuple(_label(x, names) for x in v) if isinstance(v, tuple) else _label(v, names))
        renamed = [_label(n, names) for n in idx.names]
        setattr(out, axis, idx.set_names(renamed) if idx.nlevels > 1 else idx.rename(renamed[0]))
    if out.isna().to_numpy().any():
        out = out.astype(object).where(out.notna(), blank)
    return out


def _float_format(x: float) -> str:
    """pandas display format: French, 2 significant decimals at most, integers kept plain."""
    if abs(x) >= 100 or float(x).is_integer():
        return fmt_number(x, 0 if float(x).is_integer() or abs(x) >= 1000 else 1)
    return fmt_number(x, 2)


# ------------------------------------------------------------------ axes
def _formatter(kind: str, decimals: int):
    from matplotlib.ticker import FuncFormatter

    funcs = {
        "eur": lambda v, _pos: fmt_eur(v, decimals),
        "keur": lambda v, _pos: f"{fmt_number(v / 1000, decimals)}{NBSP}k€",
        "meur": lambda v, _pos: f"{fmt_number(v / 1e6, decimals)}{NBSP}M€",
        "pct": lambda v, _pos: fmt_pct(v, decimals),
        "num": lambda v, _pos: fmt_number(v, decimals),
    }
    if kind not in funcs:
        raise ValueError(f"format d'axe inconnu : {kind!r} (choisir parmi {', '.join(funcs)}).")
    return FuncFormatter(funcs[kind])


def format_axis(ax, x: str | None = None, y: str | None = None, decimals: int = 0):
    """Put French formats on an axis: ``"eur"``, ``"keur"``, ``"meur"``, ``"pct"`` (ratios) or ``"num"``.

    Returns the Axes (seaborn's convention), so calls can be chained.
    """
    if x:
        ax.xaxis.set_major_formatter(_formatter(x, decimals))
    if y:
        ax.yaxis.set_major_formatter(_formatter(y, decimals))
    return ax


def month_axis(ax, axis: str = "x"):
    """French month labels (``janv. 2024``) on a date axis, 3 to 7 ticks.

    It sets both the tick locator and the formatter: set custom ticks after calling it.
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    short = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]

    def label(v, _pos):
        d = mdates.num2date(v)
        return f"{short[d.month - 1]} {d.year}"

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7))
    target.set_major_formatter(FuncFormatter(label))
    return ax


# ------------------------------------------------------------------ the look
def _rc(presentation: bool) -> dict:
    from cycler import cycler

    big = presentation
    return {
        "figure.figsize": (11, 6.2) if big else (8, 4.5),
        "figure.dpi": 90 if big else 100,
        "savefig.dpi": 100,
        "figure.autolayout": False,
        "figure.constrained_layout.use": True,
        "font.size": 18 if big else 11,
        "axes.titlesize": 22 if big else 13,
        "axes.titleweight": "bold",
        "axes.labelsize": 19 if big else 11,
        "xtick.labelsize": 16 if big else 10,
        "ytick.labelsize": 16 if big else 10,
        "legend.fontsize": 16 if big else 10,
        "lines.linewidth": 3.5 if big else 2.0,
        "lines.markersize": 10 if big else 6,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.formatter.use_locale": False,
        "legend.frameon": False,
        "image.cmap": "viridis",
    }


def set_style(presentation: bool = False) -> None:
    """Apply the course look to matplotlib and French number display to pandas tables."""
    import matplotlib as mpl

    global _PRESENTATION
    _PRESENTATION = presentation
    mpl.rcParams.update(_rc(presentation))
    pd.set_option("display.float_format", _float_format)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)


def presentation(on: bool = True) -> None:
    """Switch projection mode on (large fonts, thick lines, big figures and widgets) or back off.

    Figures and widgets made afterwards follow the mode: the course's widgets
    (:mod:`crmlab.widgets`) draw a larger figure and show larger labels, sliders and readouts.
    """
    set_style(presentation=on)
    print("Mode présentation activé : polices, traits, figures et widgets agrandis "
          "(réexécutez les cellules à projeter)." if on
          else "Mode présentation désactivé : retour à l'affichage standard.")


def is_presentation() -> bool:
    """Whether projection mode is on."""
    return _PRESENTATION


def reset() -> None:
    """Undo ``set_style``: matplotlib and pandas defaults."""
    import matplotlib as mpl

    global _PRESENTATION
    _PRESENTATION = False
    mpl.rcdefaults()
    pd.reset_option("display.float_format")
