"""Identify the customer: from source silos to one customer table (record linkage).

The pipeline a practitioner follows, one plain function per step:

1. ``normalize_email`` / ``normalize_phone`` / ``normalize_name`` (and
   ``normalize_records`` for a whole table): one spelling per value;
2. ``candidate_pairs``: *blocking* — only records sharing a key are compared;
3. ``compare_pairs`` + ``score_pairs``: string similarities (``rapidfuzz``)
   combined into one score in [0, 1];
4. ``cluster_records``: pairs above a threshold are linked, and the connected
   components (``scipy.sparse.csgraph``) are the customers;
5. ``pairwise_metrics``: precision and recall against a true mapping;
6. ``golden_records``: one row per customer (most recent non-missing value);
7. ``quality_report``: completeness, validity and duplicates of a table;
8. ``pseudonymize``: a keyed hash (HMAC-SHA256) of an identifier.

>>> normalize_email(pd.Series([" Jean.Dupont@GMAIL.com "])).tolist()
['jean.dupont@gmail.com']
>>> normalize_phone(pd.Series(["+33 6 12 34 56 78"])).tolist()
['0612345678']
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .validation import InvalidValueError, check_table, require_columns, require_dataframe

__all__ = [
    "EMAIL_PATTERN",
    "DEFAULT_WEIGHTS",
    "DEFAULT_BLOCKS",
    "normalize_email",
    "normalize_phone",
    "normalize_name",
    "normalize_postcode",
    "normalize_records",
    "candidate_pairs",
    "compare_pairs",
    "score_pairs",
    "cluster_records",
    "pairwise_metrics",
    "threshold_curve",
    "plot_threshold_curve",
    "threshold_view",
    "threshold_widget",
    "golden_records",
    "quality_report",
    "pseudonymize",
]

EMAIL_PATTERN = r"[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}"
PHONE_PATTERN = r"0[1-9][0-9]{8}"
POSTCODE_PATTERN = r"[0-9]{5}"

#: weight of each compared field in the match score (identifiers weigh more than names)
DEFAULT_WEIGHTS: dict[str, float] = {
    "email": 3.0, "phone": 3.0, "last_name": 2.0, "first_name": 1.0,
    "birth_date": 2.0, "postcode": 1.0,
}


#: blocking keys: records are compared only when they share one of these
DEFAULT_BLOCKS: tuple = ("email_norm", "phone_norm", ("name_key", "postcode_norm"),
                         ("last_name_norm", "birth_date_norm"), ("name_initials", "postcode_norm"))


# --------------------------------------------------------------- normalisation
def _as_text(values: Iterable, name: str) -> pd.Series:
    """Values as a pandas string Series (missing stay missing)."""
    if isinstance(values, pd.DataFrame):
        raise InvalidValueError(
            f"« {name} » attend une seule colonne (une Series), pas un tableau entier : "
            "sélectionnez la colonne, par exemple silos['email']."
        )
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidValueError(
            f"« {name} » attend une colonne de valeurs (une Series ou une liste), "
            f"pas un objet de type {type(values).__name__}."
        )
    s = values if isinstance(values, pd.Series) else pd.Series(list(values))
    return s.astype("string")


def normalize_email(values: Iterable) -> pd.Series:
    """E-mail addresses trimmed, lower-cased, inner spaces removed; empty → missing.

    >>> normalize_email(pd.Series([" Jean.Dupont@GMAIL.com ", "", None])).tolist()
    ['jean.dupont@gmail.com', <NA>, <NA>]
    """
    s = _as_text(values, "normalize_email").str.lower().str.replace(r"\s+", "", regex=True)
    return s.mask(s == "")


def normalize_phone(values: Iterable) -> pd.Series:
    """French phone numbers as 10 digits ``0612345678``; unreadable numbers → missing.

    Spaces, dots and dashes are dropped; ``+33`` / ``0033`` become ``0``; a
    number whose leading ``0`` was lost (read as an integer: ``612345678``) gets it back.

    >>> normalize_phone(pd.Series(["06.12.34.56.78", "+33612345678", "12 34"])).tolist()
    ['0612345678', '0612345678', <NA>]
    """
    digits = _as_text(values, "normalize_phone").str.replace(r"\.0$", "", regex=True)
    digits = digits.str.replace(r"\D", "", regex=True)
    # +33 / 0033, or the leading 0 lost (a number read as an integer): 9 digits kept
    national = digits.str.match(r"^(0033|33)?[1-9][0-9]{8}$", na=False)
    digits = digits.mask(national, "0" + digits.str.slice(-9))
    return digits.where(digits.str.fullmatch(PHONE_PATTERN, na=False))


def normalize_name(values: Iterable) -> pd.Series:
    """Names without accents, in lower case, hyphens and apostrophes as spaces.

    >>> normalize_name(pd.Series(["  Hélène-Marie ", "D'Artagnan", None])).tolist()
    ['helene marie', 'd artagnan', <NA>]
    """
    s = _as_text(values, "normalize_name")
    s = (s.str.normalize("NFKD").str.encode("ascii", errors="ignore").str.decode("ascii")
         .astype("string").str.lower())
    s = s.str.replace(r"[^a-z ]", " ", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    return s.mask(s == "")


def normalize_postcode(values: Iterable) -> pd.Series:
    """French postcodes as 5 digits (``6000`` → ``06000``); anything else → missing.

    >>> normalize_postcode(pd.Series(["75011", 6000, "750"])).tolist()
    ['75011', '06000', <NA>]
    """
    s = _as_text(values, "normalize_postcode").str.replace(r"\.0$", "", regex=True).str.strip()
    s = s.mask(s.str.fullmatch(r"[0-9]{4}", na=False), "0" + s)
    return s.where(s.str.fullmatch(POSTCODE_PATTERN, na=False))


def normalize_records(
    records: pd.DataFrame,
    email: str = "email",
    phone: str = "phone",
    first_name: str = "first_name",
    last_name: str = "last_name",
    postcode: str = "postcode",
    birth_date: str | None = "birth_date",
) -> pd.DataFrame:
    """A copy of ``records`` with normalised columns for matching.

    Adds ``email_norm``, ``phone_norm``, ``first_name_norm``, ``last_name_norm``,
    ``postcode_norm``, ``birth_date_norm`` (ISO text), ``name_key`` (the name
    tokens in alphabetical order, so that swapped first/last names share a key) and
    ``name_initials`` (their first letters, in order: a key that survives most typos).

    >>> t = pd.DataFrame({"email": ["A@b.fr"], "phone": ["06 12 34 56 78"], "first_name": ["Éva"],
    ...                   "last_name": ["Roux"], "postcode": ["75011"], "birth_date": ["1980-02-01"]})
    >>> normalize_records(t)["name_key"].item()
    'eva roux'
    """
    cols = [email, phone, first_name, last_name, postcode] + ([birth_date] if birth_date else [])
    out = check_table(records, "enregistrements", cols, allow_empty=True)
    out["email_norm"] = normalize_email(out[email]).to_numpy()
    out["phone_norm"] = normalize_phone(out[phone]).to_numpy()
    out["first_name_norm"] = normalize_name(out[first_name]).to_numpy()
    out["last_name_norm"] = normalize_name(out[last_name]).to_numpy()
    out["postcode_norm"] = normalize_postcode(out[postcode]).to_numpy()
    if birth_date:
        dates = pd.to_datetime(out[birth_date], errors="coerce", format="ISO8601")
        out["birth_date_norm"] = pd.Series(dates.dt.strftime("%Y-%m-%d"), index=out.index).astype("string")
    # one row per name token, sorted: the key no longer depends on which field holds which word
    names = (out["first_name_norm"].fillna("") + " " + out["last_name_norm"].fillna("")).reset_index(drop=True)
    tokens = names.str.split().explode().dropna()
    tokens = tokens[tokens != ""].sort_values(kind="stable")
    by_record = tokens.groupby(level=0)
    out["name_key"] = by_record.agg(" ".join).reindex(range(len(out))).to_numpy()
    out["name_initials"] = tokens.str[0].groupby(level=0).agg("".join).reindex(range(len(out))).to_numpy()
    return out.astype({"name_key": "string", "name_initials": "string"})


# --------------------------------------------------------------- blocking
def candidate_pairs(
    records: pd.DataFrame,
    blocks: Sequence[str | Sequence[str]] = DEFAULT_BLOCKS,
    max_block_size: int = 50,
) -> pd.DataFrame:
    """Pairs of records (row positions ``left`` < ``right``) sharing at least one blocking key.

    Each block is a column or a tuple of columns; records with a missing key are not
    blocked on it. Blocks larger than ``max_block_size`` (a default value typed
    everywhere, such as ``0000000000``) are skipped. Column ``blocks`` counts how
    many keys each pair shares.

    >>> t = pd.DataFrame({"email_norm": ["a@x.fr", "a@x.fr", "b@x.fr"]})
    >>> candidate_pairs(t, blocks=["email_norm"]).to_dict("list")
    {'left': [0], 'right': [1], 'blocks': [1]}
    """
    blocks = [(b,) if isinstance(b, str) else tuple(b) for b in blocks]
    if not blocks:
        raise InvalidValueError("indiquez au moins une clé de blocage (par exemple 'email_norm').")
    require_columns(records, list(dict.fromkeys(c for b in blocks for c in b)), "enregistrements")
    frames = []
    for block in blocks:
        keys = records[list(block)].reset_index(drop=True)
        keys = keys.assign(_pos=np.arange(len(keys))).dropna(subset=list(block))
        size = keys.groupby(list(block), observed=True)["_pos"].transform("size")
        keys = keys[(size > 1) & (size <= max_block_size)]
        pairs = keys.merge(keys, on=list(block), suffixes=("_l", "_r"))
        pairs = pairs[pairs["_pos_l"] < pairs["_pos_r"]]
        frames.append(pairs[["_pos_l", "_pos_r"]].rename(columns={"_pos_l": "left", "_pos_r": "right"}))
    allpairs = pd.concat(frames, ignore_index=True)
    out = allpairs.groupby(["left", "right"]).size().rename("blocks").reset_index()
    return out.astype({"left": "int64", "right": "int64", "blocks": "int64"})


# --------------------------------------------------------------- comparison
def _similarity(a: pd.Series, b: pd.Series, scorer) -> np.ndarray:
    """Element-wise similarity in [0, 1]; NaN where either side is missing."""
    from rapidfuzz.process import cpdist

    missing = (a.isna() | b.isna()).to_numpy()
    sim = cpdist(a.fillna("").tolist(), b.fillna("").tolist(), scorer=scorer, workers=1)
    sim = np.asarray(sim, dtype=float)
    sim[missing] = np.nan
    return sim


def _exact(a: pd.Series, b: pd.Series) -> np.ndarray:
    missing = (a.isna() | b.isna()).to_numpy()
    same = (a.fillna("") == b.fillna("")).to_numpy().astype(float)
    same[missing] = np.nan
    return same


def compare_pairs(records: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Similarity of each candidate pair, field by field, in [0, 1] (NaN if a side is missing).

    E-mails: Indel similarity (``rapidfuzz.fuzz.ratio`` / 100); phones: Levenshtein
    similarity (one wrong digit ≈ 0.9); names: Jaro-Winkler, taking the better of
    the straight and the swapped first/last orientation; birth date and postcode:
    equal (1) or not (0). ``records`` must come from :func:`normalize_records`.

    >>> t = normalize_records(pd.DataFrame({"email": ["a@x.fr", "A@x.fr "], "phone": ["0612345678", None],
    ...     "first_name": ["Léa", "Martin"], "last_name": ["Martin", "Lea"], "postcode": ["75011", "75011"],
    ...     "birth_date": ["1990-01-01", None]}))
    >>> compare_pairs(t, pd.DataFrame({"left": [0], "right": [1]})).iloc[0].tolist()
    [1.0, nan, 1.0, 1.0, nan, 1.0]
    """
    from rapidfuzz.distance import Indel, JaroWinkler, Levenshtein

    need = ["email_norm", "phone_norm", "first_name_norm", "last_name_norm", "postcode_norm"]
    require_columns(records, need, "enregistrements normalisés (sortie de normalize_records)")
    require_columns(pairs, ["left", "right"], "paires candidates")
    n = len(records)
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    if len(pairs) and (min(left.min(), right.min()) < 0 or max(left.max(), right.max()) >= n):
        raise InvalidValueError(
            f"les paires désignent des lignes qui n'existent pas (positions de 0 à {n - 1} attendues) : "
            "les paires ont-elles été calculées sur une autre table ?"
        )
    a = records.iloc[left].reset_index(drop=True)
    b = records.iloc[right].reset_index(drop=True)
    jw = JaroWinkler.normalized_similarity
    ff = _similarity(a["first_name_norm"], b["first_name_norm"], jw)
    ll = _similarity(a["last_name_norm"], b["last_name_norm"], jw)
    fl = _similarity(a["first_name_norm"], b["last_name_norm"], jw)
    lf = _similarity(a["last_name_norm"], b["first_name_norm"], jw)
    swapped = np.nan_to_num(fl + lf, nan=-1) > np.nan_to_num(ff + ll, nan=-1)
    out = pd.DataFrame({
        "email": _similarity(a["email_norm"], b["email_norm"], Indel.normalized_similarity),
        "phone": _similarity(a["phone_norm"], b["phone_norm"], Levenshtein.normalized_similarity),
        "first_name": np.where(swapped, fl, ff),
        "last_name": np.where(swapped, lf, ll),
        "birth_date": _exact(a["birth_date_norm"], b["birth_date_norm"]) if "birth_date_norm" in records
        else np.full(len(pairs), np.nan),
        "postcode": _exact(a["postcode_norm"], b["postcode_norm"]),
    }, index=pairs.index)
    return out


def score_pairs(similarities: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """One match score per pair: the weighted mean of the available similarities.

    A field missing on either side is left out of the mean (it neither helps nor
    hurts). Pairs with no comparable field score 0.

    >>> score_pairs(pd.DataFrame({"email": [1.0, 0.0], "last_name": [1.0, np.nan]}),
    ...             weights={"email": 3, "last_name": 1}).round(2).tolist()
    [1.0, 0.0]
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    require_dataframe(similarities, "similarités")
    require_columns(similarities, list(weights), "similarités")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise InvalidValueError("les poids doivent être positifs ou nuls, et au moins un poids doit être > 0.")
    sims = similarities[list(weights)].to_numpy(dtype=float)
    w = np.array(list(weights.values()), dtype=float)
    present = ~np.isnan(sims)
    num = np.where(present, sims, 0.0) @ w
    den = present.astype(float) @ w
    score = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return pd.Series(score, index=similarities.index, name="score")


# --------------------------------------------------------------- clustering
def _check_threshold(threshold: float) -> float:
    if not isinstance(threshold, (int, float, np.number)) or not 0 <= float(threshold) <= 1:
        raise InvalidValueError(f"le seuil doit être un nombre entre 0 et 1 (reçu : {threshold!r}).")
    return float(threshold)


def cluster_records(n_records: int, pairs: pd.DataFrame, scores: Iterable[float] | None = None,
                    threshold: float = 0.8) -> np.ndarray:
    """Cluster label of each record: pairs scoring ≥ ``threshold`` are linked, then
    linked records are grouped transitively (connected components of the graph).

    Labels are numbered 0, 1, … in the order of each cluster's first record.

    >>> cluster_records(4, pd.DataFrame({"left": [0, 1], "right": [1, 2]}), [0.9, 0.95]).tolist()
    [0, 0, 0, 1]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    threshold = _check_threshold(threshold)
    if not isinstance(n_records, (int, np.integer)) or n_records < 1:
        raise InvalidValueError(f"le nombre d'enregistrements doit être un entier ≥ 1 (reçu : {n_records!r}).")
    require_columns(pairs, ["left", "right"], "paires candidates")
    keep = np.ones(len(pairs), bool) if scores is None else np.asarray(list(scores) if not hasattr(scores, "__array__")
                                                                       else scores, float) >= threshold
    left = pairs["left"].to_numpy()[keep]
    right = pairs["right"].to_numpy()[keep]
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n_records, n_records))
    _, labels = connected_components(graph, directed=False)
    # renumber in order of first appearance (stable, readable labels)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse]


def _pair_count(sizes: np.ndarray) -> int:
    sizes = np.asarray(sizes, dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_metrics(predicted: Iterable, truth: Iterable) -> pd.Series:
    """Pairwise precision and recall of a clustering against the true one.

    A *pair* is two records put together. Precision: share of the predicted pairs
    that are true; recall: share of the true pairs that are found.

    >>> pairwise_metrics([0, 0, 1, 1], ["a", "a", "a", "b"]).round(3).to_dict()
    {'precision': 0.5, 'recall': 0.333, 'f1': 0.4, 'predicted_pairs': 2.0, 'true_pairs': 3.0, 'correct_pairs': 1.0, 'n_clusters': 2.0}
    """
    pred = pd.Series(predicted.to_numpy() if isinstance(predicted, pd.Series) else np.asarray(list(predicted)
                     if not hasattr(predicted, "__array__") else predicted))
    true = pd.Series(truth.to_numpy() if isinstance(truth, pd.Series) else np.asarray(list(truth)
                     if not hasattr(truth, "__array__") else truth))
    if len(pred) != len(true):
        raise InvalidValueError(
            f"les deux regroupements n'ont pas la même longueur ({len(pred)} prédits, {len(true)} vrais) : "
            "ils doivent décrire les mêmes enregistrements, dans le même ordre."
        )
    if len(pred) == 0:
        raise InvalidValueError("aucun enregistrement à évaluer : les regroupements sont vides.")
    if pred.isna().any() or true.isna().any():
        raise InvalidValueError("un enregistrement n'a pas d'identifiant de client (valeur manquante) : "
                                "complétez la correspondance avant de mesurer la précision.")
    pred_codes = pd.factorize(pred)[0]
    true_codes = pd.factorize(true)[0]
    predicted_pairs = _pair_count(np.bincount(pred_codes))
    true_pairs = _pair_count(np.bincount(true_codes))
    joint = pred_codes.astype(np.int64) * (true_codes.max() + 1) + true_codes
    correct = _pair_count(np.unique(joint, return_counts=True)[1])  # pairs together on both sides
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return pd.Series({"precision": precision, "recall": recall, "f1": f1,
                      "predicted_pairs": float(predicted_pairs), "true_pairs": float(true_pairs),
                      "correct_pairs": float(correct), "n_clusters": float(pred_codes.max() + 1)})


def threshold_curve(n_records: int, pairs: pd.DataFrame, scores: Iterable[float], truth: Iterable,
                    thresholds: Iterable[float] = np.round(np.arange(0.5, 1.0001, 0.025), 3)) -> pd.DataFrame:
    """Precision, recall and number of customers found for each threshold.

    >>> p = pd.DataFrame({"left": [0], "right": [1]})
    >>> threshold_curve(2, p, [0.7], ["a", "a"], thresholds=[0.5, 0.9])["n_clusters"].tolist()
    [1.0, 2.0]
    """
    truth = list(truth)
    rows = {float(t): pairwise_metrics(cluster_records(n_records, pairs, scores, float(t)), truth)
            for t in thresholds}
    out = pd.DataFrame(rows).T
    out.index.name = "threshold"
    return out


def _threshold_title(threshold: float, metrics: pd.Series, n_true: int | None) -> str:
    from .style import fmt_number, fmt_pct

    truth = f" (vrai nombre : {fmt_number(n_true)})" if n_true is not None else ""
    return (f"Seuil {fmt_number(threshold, 2)} : précision {fmt_pct(metrics['precision'])}, "
            f"rappel {fmt_pct(metrics['recall'])}\n{fmt_number(metrics['n_clusters'])} "
            f"{'clients unifiés' if metrics['n_clusters'] > 1 else 'client unifié'}{truth}")


def plot_threshold_curve(curve: pd.DataFrame, threshold: float | None = None,
                         metrics: pd.Series | None = None, n_true: int | None = None, ax=None):
    """Precision and recall (%) against the matching threshold; the chosen threshold marked.

    ``curve`` comes from :func:`threshold_curve`; ``metrics`` (from
    :func:`pairwise_metrics` at ``threshold``) and ``n_true`` (the true number of
    customers) go into the title. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from .style import COLORS, format_axis

    require_columns(curve, ["precision", "recall"], "courbe précision-rappel")
    if ax is None:
        ax = plt.gca()
    x = curve.index.to_numpy(dtype=float)
    ax.plot(x, curve["precision"], color=COLORS["primary"], marker="o", markersize=3, label="Précision")
    ax.plot(x, curve["recall"], color=COLORS["accent"], marker="s", markersize=3, label="Rappel")
    ax.set_ylim(min(0.5, float(curve[["precision", "recall"]].min().min()) - 0.02), 1.01)
    ax.set_xlabel("Seuil de rapprochement (score minimal pour lier deux fiches)")
    ax.set_ylabel("Paires de fiches (%)")
    format_axis(ax, y="pct")
    format_axis(ax, x="num", decimals=2)
    title = "Précision et rappel selon le seuil"
    if threshold is not None:
        ax.axvline(_check_threshold(threshold), color=COLORS["neutral"], linestyle="--", linewidth=1.5)
        if metrics is not None:
            ax.plot([threshold, threshold], [metrics["precision"], metrics["recall"]], linestyle="none",
                    marker="D", markersize=8, color=COLORS["bad"], zorder=5)
            title = _threshold_title(threshold, metrics, n_true)
    ax.set_title(title)
    ax.legend(loc="lower left")
    return ax


def threshold_view(curve: pd.DataFrame, n_true: int | None = None, threshold: float = 0.9):
    """A live figure of :func:`plot_threshold_curve` and its ``update``: returns ``(view, update)``.

    The curves are drawn once; ``update(threshold, metrics)`` moves the threshold line and
    the two markers and returns ``(title, caption)``: precision and recall at that
    threshold, and the number of customers found (against ``n_true``).

    >>> c = pd.DataFrame({"precision": [0.9, 1.0], "recall": [1.0, 0.8]}, index=[0.5, 1.0])
    >>> view, update = threshold_view(c, n_true=10)
    >>> update(0.5, pd.Series({"precision": 0.9, "recall": 1.0, "n_clusters": 9}))[1]
    '9 clients unifiés (vrai nombre : 10)'
    """
    from .style import COLORS
    from .widgets import LiveFigure

    view = LiveFigure((8, 4.6), heading="Précision et rappel selon le seuil")
    ax = view.ax
    plot_threshold_curve(curve, ax=ax)
    ax.set_title("")
    line = ax.axvline(_check_threshold(threshold), color=COLORS["neutral"], linestyle="--", linewidth=1.5)
    (marks,) = ax.plot([threshold, threshold], [np.nan, np.nan], linestyle="none", marker="D", markersize=8,
                       color=COLORS["bad"], zorder=5)
    view.animate(line, marks)

    def update(threshold: float, metrics: pd.Series) -> tuple[str, str]:
        threshold = _check_threshold(threshold)
        line.set_xdata([threshold, threshold])
        marks.set_data([threshold, threshold], [metrics["precision"], metrics["recall"]])
        title, counts = _threshold_title(threshold, metrics, n_true).split("\n")
        return title, counts

    return view, update


def threshold_widget(n_records: int, pairs: pd.DataFrame, scores: Iterable[float], truth: Iterable,
                     curve: pd.DataFrame | None = None, threshold: float = 0.9):
    """Slider « Seuil » → cluster at that threshold, precision, recall, customers found.

    The pair scores are computed once, before; each move of the slider only
    thresholds them, finds the connected components and moves the marks of one
    live figure (:func:`threshold_view`). Returns the widget box (display it as the last
    expression of a cell); its ``view`` shows the current state.
    """
    from . import widgets

    truth = np.asarray(list(truth) if not hasattr(truth, "__array__") else truth)
    scores = np.asarray(list(scores) if not hasattr(scores, "__array__") else scores, dtype=float)
    if curve is None:
        curve = threshold_curve(n_records, pairs, scores, truth)
    view, move = threshold_view(curve, n_true=len(pd.unique(truth)), threshold=threshold)

    def update(threshold: float) -> tuple[str, str]:
        labels = cluster_records(n_records, pairs, scores, threshold)
        return move(threshold, pairwise_metrics(labels, truth))

    slider = widgets.number("Seuil", threshold, 0.5, 1.0, 0.01, decimals=2)
    return widgets.explorer(view, update, {"threshold": slider}, name="seuil de rapprochement")


# --------------------------------------------------------------- golden record
def golden_records(records: pd.DataFrame, labels: Iterable, columns: Sequence[str],
                   rule: str | Mapping[str, str] = "recent", order_by: str | None = "created_date",
                   source: str | None = "source") -> pd.DataFrame:
    """One row per cluster (customer), each field chosen by a survivorship rule.

    ``rule`` is ``"recent"`` (the most recent non-missing value: right for an address
    or a phone that change) or ``"frequent"`` (the value most records agree on, ties
    to the most recent: right for a name, where a typo is rarer than the truth), or
    a dict column → rule. Adds ``n_records`` (records merged) and ``n_sources``
    (distinct sources, when ``source`` is given). Rows are indexed by cluster label.

    >>> t = pd.DataFrame({"email": ["a@x.fr", None], "created_date": ["2024-01-01", "2025-01-01"],
    ...                   "source": ["caisse", "site web"]})
    >>> golden_records(t, [0, 0], ["email"])[["email", "n_records", "n_sources"]].iloc[0].astype(str).tolist()
    ['a@x.fr', '2', '2']
    """
    labels = np.asarray(list(labels) if not hasattr(labels, "__array__") else labels)
    columns = list(columns)
    rules = {c: rule for c in columns} if isinstance(rule, str) else {c: rule.get(c, "recent") for c in columns}
    bad = {c: r for c, r in rules.items() if r not in ("recent", "frequent")}
    if bad:
        col, r = next(iter(bad.items()))
        raise InvalidValueError(f"règle de survie inconnue pour la colonne '{col}' : {r!r} "
                                "(choisir 'recent' ou 'frequent').")
    table = check_table(records, "enregistrements", columns + [c for c in (order_by, source) if c],
                        dates=[order_by] if order_by else [])
    if len(labels) != len(table):
        raise InvalidValueError(f"il faut une étiquette de client par enregistrement "
                                f"({len(labels)} étiquettes pour {len(table)} enregistrements).")
    table = table.assign(_cluster=labels)
    if order_by:
        table = table.sort_values(order_by, ascending=False, kind="stable")
    grouped = table.groupby("_cluster", sort=True)
    out = grouped[columns].first()
    for col in (c for c in columns if rules[c] == "frequent"):
        votes = table.groupby(["_cluster", col], dropna=True)["_cluster"].transform("size")
        ranked = table.assign(_votes=votes).sort_values("_votes", ascending=False, kind="stable")
        out[col] = ranked.groupby("_cluster", sort=True)[col].first()
    out["n_records"] = grouped.size()
    if source:
        out["n_sources"] = grouped[source].nunique()
    out.index.name = "cluster"
    return out


# --------------------------------------------------------------- data quality
_VALIDATORS = {
    "email": lambda s: normalize_email(s).str.fullmatch(EMAIL_PATTERN, na=False),
    "phone": lambda s: normalize_phone(s).notna(),
    "postcode": lambda s: normalize_postcode(s).notna(),
    "date": lambda s: pd.to_datetime(s, errors="coerce", format="ISO8601").notna(),
    "name": lambda s: normalize_name(s).str.fullmatch(r"[a-z]+( [a-z]+)*", na=False),
}
_IDENTIFIERS = {"email", "phone"}
_NORMALIZERS = {
    "email": normalize_email, "phone": normalize_phone, "postcode": normalize_postcode,
    "date": lambda s: pd.to_datetime(s, errors="coerce", format="ISO8601"),
    "name": normalize_name,
}


def quality_report(table: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Completeness, validity and duplicates of each column (shares in [0, 1]).

    ``columns`` maps a column to its kind: ``"email"``, ``"phone"``, ``"postcode"``,
    ``"date"`` or ``"name"``. *completeness*: share of rows filled; *validity*:
    share of filled values with a valid format; *duplicates* (identifiers only:
    e-mail and phone — two people may share a name or a postcode, not an e-mail):
    share of rows whose normalised value is also on another row.

    >>> quality_report(pd.DataFrame({"email": ["a@x.fr", "A@x.fr", "faux", None]}), {"email": "email"}).iloc[0].tolist()
    [0.75, 0.6666666666666666, 0.5]
    """
    require_dataframe(table, "table à contrôler")
    unknown = {k: v for k, v in columns.items() if v not in _VALIDATORS}
    if unknown:
        col, kind = next(iter(unknown.items()))
        raise InvalidValueError(f"type de contrôle inconnu pour la colonne '{col}' : {kind!r} "
                                f"(choisir parmi {', '.join(_VALIDATORS)}).")
    require_columns(table, list(columns), "table à contrôler")
    rows = {}
    for col, kind in columns.items():
        raw = table[col]
        filled = raw.notna() & (raw.astype("string").str.strip() != "").fillna(False)
        valid = _VALIDATORS[kind](raw) & filled
        norm = _NORMALIZERS[kind](raw)
        dup = norm.duplicated(keep=False) & norm.notna()
        n = len(table)
        rows[col] = {
            "completeness": filled.mean() if n else np.nan,
            "validity": valid.sum() / filled.sum() if filled.sum() else np.nan,
            "duplicates": dup.mean() if n and kind in _IDENTIFIERS else np.nan,
        }
    out = pd.DataFrame(rows).T.astype(float)
    out.index.name = "column"
    return out


# --------------------------------------------------------------- privacy
def pseudonymize(values: Iterable, key: str | bytes, length: int = 16) -> pd.Series:
    """Keyed hash (HMAC-SHA256) of each identifier, as ``length`` hexadecimal characters.

    The same identifier and key always give the same pseudonym (tables can still be
    joined); without the key, nobody can recompute it from a guessed e-mail.
    Missing values stay missing.

    >>> pseudonymize(pd.Series(["C000001"]), key="secret").str.len().tolist()
    [16]
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or len(key) == 0:
        raise InvalidValueError("la clé de pseudonymisation est vide : choisissez une clé secrète "
                                "(une chaîne de caractères longue et aléatoire).")
    if not isinstance(length, (int, np.integer)) or not 8 <= length <= 64:
        raise InvalidValueError(f"la longueur du pseudonyme doit être un entier entre 8 et 64 (reçu : {length!r}).")
    s = _as_text(values, "pseudonymize")
    # hashing has no vectorised form: one HMAC per distinct value, then mapped back
    uniques = s.dropna().unique()
    digests = {v: hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in uniques}
    return s.map(digests).astype("string")
