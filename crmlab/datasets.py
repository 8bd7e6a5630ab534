"""The course data: one ``load_<table>()`` per table of the company, and CDNOW.

The company's tables are generated (not downloaded) by ``crmlab.generator`` into
the repository's ``datasets/`` folder::

    python -m crmlab.datasets build        # or: make data

Every loader returns a DataFrame with parsed dates and categorical columns, and
raises a French ``DataNotFoundError`` naming the command to run when the files
have not been generated yet. The data dictionary is ``datasets/README.md``.

>>> orders = load_orders()                      # doctest: +SKIP
>>> orders.groupby("channel", observed=True)["amount"].sum()   # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pandas as pd

from .validation import DataNotFoundError, InvalidValueError, MissingColumnError, parse_dates

BUILD_COMMAND = "python -m crmlab.datasets build   (ou : make data)"


def data_dir() -> Path:
    """Folder holding the generated tables (``$CRMLAB_DATA_DIR`` or the repository's ``datasets/``)."""
    env = os.environ.get("CRMLAB_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "datasets"


def _path(name: str) -> Path:
    """Path of a table file: ``name.csv`` or ``name.csv.gz``."""
    base = data_dir()
    for candidate in (base / f"{name}.csv", base / f"{name}.csv.gz"):
        if candidate.exists():
            return candidate
    raise DataNotFoundError(
        f"le fichier de données « {name}.csv » est introuvable dans {base.name}/ : "
        f"les données de l'entreprise n'ont pas encore été générées (ou ont été effacées). "
        f"Générez-les avec la commande : {BUILD_COMMAND}"
    )


def read_table(
    name: str,
    dates: tuple[str, ...] = (),
    categories: dict[str, list[str] | None] | None = None,
    dtypes: dict[str, str] | None = None,
    index: str | None = None,
) -> pd.DataFrame:
    """Read one generated table, check its columns and parse its types.

    ``dates`` are parsed as datetimes (French error naming the first bad value);
    ``categories`` maps a column to its ordered levels (or ``None`` for unordered).
    A missing or truncated file, or a column edited away, gives a French message
    naming the file and the command that regenerates the data.
    """
    path = _path(name)
    try:
        df = pd.read_csv(path, dtype=dtypes or None, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise DataNotFoundError(
            f"le fichier {path.name} est illisible ou tronqué ({type(exc).__name__}). "
            f"Régénérez les données avec : {BUILD_COMMAND}"
        ) from None
    except ValueError as exc:  # a dtype that does not fit: a value edited by hand
        raise InvalidValueError(
            f"le fichier {path.name} contient une valeur inattendue ({exc}). "
            f"Régénérez les données avec : {BUILD_COMMAND}"
        ) from None
    expected = list(dates) + list((categories or {}).keys()) + list((dtypes or {}).keys())
    missing = [c for c in dict.fromkeys(expected) if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"la colonne '{missing[0]}' est absente du fichier {path.name} "
            f"(modifié à la main ?). Régénérez les données avec : {BUILD_COMMAND}"
        )
    for col in dates:
        df[col] = parse_dates(df, col, table=path.name)
    for col, levels in (categories or {}).items():
        df[col] = pd.Categorical(df[col], categories=levels, ordered=levels is not None) if levels else df[col].astype("category")
    if index:
        df = df.set_index(index)
    return df


# --------------------------------------------------------------------------- CDNOW
def _lifetimes_datasets_dir() -> Path:
    """Folder of the data files shipped inside ``lifetimes`` (found without importing it)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise DataNotFoundError(
            "le paquet « lifetimes » n'est pas installé : il contient les données CDNOW. "
            "Installez les dépendances du cours : pip install -r requirements.txt"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "datasets"


def load_cdnow(sample: bool = True) -> pd.DataFrame:
    """CDNOW purchases (Fader, Hardie & Lee, 2005): one row per customer and day.

    ``sample=True`` gives the 1/10th sample of 2,357 customers used in the paper,
    ``False`` the full 23,570-customer cohort. Columns: ``customer_id``, ``date``,
    ``n_cds``, ``amount`` (US dollars). The files ship inside ``lifetimes``; they
    are read directly because ``lifetimes.datasets`` needs ``pkg_resources``.

    >>> load_cdnow().shape   # doctest: +SKIP
    (6919, 4)
    """
    folder = _lifetimes_datasets_dir()
    if sample:
        raw = pd.read_csv(folder / "CDNOW_sample.txt", sep=r"\s+", header=None,
                          names=["customer_id", "customer_index", "date", "n_cds", "amount"],
                          dtype={"customer_id": str, "date": str})
        raw = raw.drop(columns="customer_index")
    else:
        raw = pd.read_csv(folder / "CDNOW_master.txt", sep=r"\s+", header=None, skiprows=1,
                          names=["customer_id", "date", "n_cds", "amount"],
                          dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw.reset_index(drop=True)


# ------------------------------------------------------------------ company tables
# The generator (crmlab.generator) writes these tables; each loader below reads
# one of them with its types. The data dictionary is datasets/README.md.
TABLES: dict[str, dict] = {}


def _main(argv: list[str]) -> int:
    import time

    if not argv or argv[0] not in {"build", "check", "ensure"}:
        print("usage : python -m crmlab.datasets build [--out DOSSIER] | check | ensure")
        return 2
    from . import generator

    if argv[0] == "check":
        return generator.check_checksums(data_dir())
    if argv[0] == "ensure":  # build only when the files differ from SHA256SUMS
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            up_to_date = generator.check_checksums(data_dir()) == 0
        if up_to_date:
            print("Données à jour (identiques à datasets/SHA256SUMS).")
            return 0
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else data_dir()
    start = time.perf_counter()
    generator.build(out)
    print(f"Données générées dans {out} en {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
