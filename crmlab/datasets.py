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

from .validation import CrmlabError, DataNotFoundError, InvalidValueError, MissingColumnError, parse_dates

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
# Levels are repeated here (not imported from the generator) to keep this import light;
# a test checks they match the generator's values.
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
REGIONS = ["Île-de-France", "Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine", "Occitanie", "Hauts-de-France",
           "Grand Est", "Provence-Alpes-Côte d'Azur", "Pays de la Loire", "Bretagne"]
CATEGORIES = ["maison", "cuisine", "jardin", "décoration", "textile", "jouets et loisirs", "bricolage"]
ORDER_CHANNELS = ["magasin", "site web", "application", "téléphone"]
DELIVERY_MODES = ["retrait magasin", "livraison domicile", "point relais"]
ACQUISITION_CHANNELS = ["magasin", "site web", "application", "parrainage", "marketplace"]
LOYALTY_TIERS = ["bronze", "argent", "or"]
EVENT_TYPES = ["email_open", "email_click", "session_start", "product_view", "add_to_cart", "checkout",
               "purchase", "store_visit"]
BUYING_ROLES = ["stratège", "prescripteur", "utilisateur", "payeur", "acheteur", "décideur"]
TOUCH_CHANNELS = ["display", "réseaux sociaux", "recherche générique", "recherche marque", "affiliation", "e-mail",
                  "accès direct", "visite magasin"]
CALL_REASONS = ["suivi de commande", "livraison", "retour et remboursement", "conseil produit", "carte de fidélité",
                "réclamation"]
SOURCES = ["caisse", "site web", "application", "centre de contact", "carte fidélité"]
SURVEY_ITEMS = ["need_security", "need_performance", "need_environment", "need_consideration", "need_image",
                "need_finances", "need_innovation", "need_comfort", "civ_consideration", "civ_integration",
                "civ_valorisation", "civ_individualisation", "civ_limits", "civ_expression"]


def _spec(columns: str, dates: str = "", strs: str = "", bools: str = "", nums: str = "",
          cats: dict | None = None, nullable_ints: str = "", file: str | None = None) -> dict:
    return {"columns": columns.split(), "dates": dates.split(), "strs": strs.split(), "bools": bools.split(),
            "nums": nums.split(), "cats": cats or {}, "nullable_ints": nullable_ints.split(), "file": file}


TABLES: dict[str, dict] = {
    "stores": _spec("store_id store_name city region opening_date surface_m2", dates="opening_date",
                    strs="store_id", nums="surface_m2", cats={"region": (REGIONS, False)}),
    "customers": _spec(
        "customer_id first_name last_name email phone postcode city region gender age_band acquisition_date "
        "acquisition_channel acquisition_cost home_store_id consent_email consent_sms consent_post loyalty_member "
        "loyalty_join_date loyalty_tier unsubscribe_date",
        dates="acquisition_date loyalty_join_date unsubscribe_date",
        strs="customer_id phone postcode home_store_id email", nums="acquisition_cost",
        bools="consent_email consent_sms consent_post loyalty_member",
        cats={"region": (REGIONS, False), "gender": (["F", "M"], False), "age_band": (AGE_BANDS, True),
              "acquisition_channel": (ACQUISITION_CHANNELS, False), "loyalty_tier": (LOYALTY_TIERS, True)}),
    "prospects": _spec("prospect_id signup_date signup_channel region age_band consent_email converted_customer_id",
                       dates="signup_date", strs="prospect_id converted_customer_id", bools="consent_email",
                       cats={"signup_channel": (["site web", "application", "magasin", "jeu concours"], False),
                             "region": (REGIONS, False), "age_band": (AGE_BANDS, True)}),
    "orders": _spec(
        "order_id customer_id order_date order_datetime channel store_id delivery_mode amount discount gross_margin "
        "n_items points_earned points_redeemed campaign_id returned",
        dates="order_date order_datetime", strs="order_id customer_id store_id campaign_id",
        nums="amount discount gross_margin n_items points_earned points_redeemed", bools="returned",
        cats={"channel": (ORDER_CHANNELS, False), "delivery_mode": (DELIVERY_MODES, False)}),
    "order_lines": _spec("order_id line_no product_id category quantity unit_price line_amount",
                         strs="order_id product_id", nums="line_no quantity unit_price line_amount",
                         cats={"category": (CATEGORIES, False)}),
    "products": _spec("product_id product_name category list_price margin_rate", strs="product_id",
                      nums="list_price margin_rate", cats={"category": (CATEGORIES, False)}),
    "cost_to_serve": _spec(
        "customer_id n_orders n_home_deliveries n_relay_deliveries n_returns n_service_contacts "
        "n_marketing_contacts n_catalogues n_store_orders n_remote_orders n_store_pickups n_remote_returns "
        "n_store_returns n_project_appointments store_minutes", strs="customer_id",
        nums="n_orders n_home_deliveries n_relay_deliveries n_returns n_service_contacts n_marketing_contacts "
             "n_catalogues n_store_orders n_remote_orders n_store_pickups n_remote_returns n_store_returns n_project_appointments store_minutes"),
    "activity_costs": _spec("activity label_fr cost_pool_eur driver kind", nums="cost_pool_eur", strs="driver",
                            cats={"kind": (["direct", "indirect", "commun"], False)}),
    "loyalty_points": _spec("customer_id date type points order_id", dates="date", strs="customer_id order_id",
                            nums="points", cats={"type": (["gain", "utilisation", "expiration"], False)}),
    "campaigns": _spec("campaign_id name channel send_date objective offer cost_per_contact n_targeted control_share "
                       "programme response_days",
                       dates="send_date", strs="campaign_id",
                       nums="cost_per_contact n_targeted control_share response_days",
                       cats={"channel": (["e-mail", "SMS", "courrier"], False),
                             "objective": (["réactivation", "fidélisation", "cross-sell", "promotion"], False),
                             "programme": (["opération", "lettre d'information", "SMS mensuel", "courrier trimestriel",
                                            "test de pression", "test d'uplift"], False)}),
    "pressure_test": _spec("customer_id emails_per_month", strs="customer_id", nums="emails_per_month"),
    "campaign_contacts": _spec(
        "campaign_id customer_id group contacted responded response_amount response_margin unsubscribed",
        strs="campaign_id customer_id", nums="response_amount response_margin",
        bools="contacted responded unsubscribed", cats={"group": (["test", "témoin"], False)}),
    "survey": _spec(
        "customer_id survey_date satisfaction recommend attitude trust switching_costs " + " ".join(SURVEY_ITEMS)
        + " benefit_functional benefit_hedonic benefit_symbolic",
        dates="survey_date", strs="customer_id",
        nums="satisfaction recommend attitude trust switching_costs " + " ".join(SURVEY_ITEMS),
        nullable_ints="benefit_functional benefit_hedonic benefit_symbolic"),
    "complaints": _spec(
        "complaint_id customer_id order_id complaint_date reason channel handling_days resolution compensation_eur",
        dates="complaint_date", strs="complaint_id customer_id order_id", nums="handling_days compensation_eur",
        cats={"reason": (["retard de livraison", "produit défectueux", "erreur de commande", "accueil en magasin",
                          "remboursement", "facturation"], False),
              "channel": (["téléphone", "e-mail", "magasin", "réseaux sociaux"], False),
              "resolution": (["résolue – satisfait", "résolue – insatisfait", "non résolue"], False)}),
    "events": _spec("event_id customer_id session_id event_datetime channel event_type category order_id",
                    dates="event_datetime", strs="event_id customer_id session_id order_id",
                    cats={"channel": (["site web", "application", "e-mail", "magasin"], False),
                          "event_type": (EVENT_TYPES, False), "category": (CATEGORIES, False)}),
    "calls": _spec("interval_start calls_offered calls_answered avg_handle_time_s avg_wait_s agents_scheduled",
                   dates="interval_start",
                   nums="calls_offered calls_answered avg_handle_time_s avg_wait_s agents_scheduled"),
    "b2b_accounts": _spec(
        "account_id company_name sector size_band region annual_revenue_eur account_manager since_date",
        dates="since_date", strs="account_id", nums="annual_revenue_eur",
        cats={"size_band": (["TPE", "PME", "ETI"], True), "region": (REGIONS, False), "sector": (None, False)}),
    "b2b_contacts": _spec(
        "contact_id account_id first_name last_name job_title role email phone preferred_channel influence",
        strs="contact_id account_id phone", nums="influence",
        cats={"role": (BUYING_ROLES, False),
              "preferred_channel": (["e-mail", "téléphone", "rendez-vous", "LinkedIn"], False)}),
    "silos": _spec("source source_record_id first_name last_name email phone address postcode city birth_date "
                   "created_date",
                   dates="birth_date created_date",
                   strs="source_record_id first_name last_name email phone address postcode city",
                   cats={"source": (SOURCES, False)}),
    "customers_truth": _spec(
        "customer_id purchase_rate dropout_prob mean_spend alive_at_end death_date engagement "
        "loyalty_effect_applied uplift_type needs_segment birth_date deal_proneness "
        "primary_channel multichannel_adoption_date multichannel_effect_applied "
        "relationship_trend trend_per_year purchase_rate_end expected_purchases_2026 pro_buyer home_category",
        dates="death_date birth_date multichannel_adoption_date", strs="customer_id",
        nums="purchase_rate dropout_prob mean_spend engagement deal_proneness trend_per_year purchase_rate_end "
             "expected_purchases_2026",
        bools="alive_at_end loyalty_effect_applied pro_buyer multichannel_effect_applied",
        cats={"uplift_type": (["persuadable", "acquis", "perdu d'avance", "chien qui dort"], False),
              "needs_segment": (["économes", "esthètes", "pragmatiques", "engagés"], False),
              "relationship_trend": (["croissance", "stable", "déclin"], False),
              "primary_channel": (["magasin", "site web", "application", "téléphone"], False),
              "home_category": (CATEGORIES, False)},
        file="ground_truth/customers_truth"),
    "journeys": _spec(
        "journey_id customer_id first_touch_datetime last_touch_datetime n_touchpoints converted order_id "
        "conversion_datetime", dates="first_touch_datetime last_touch_datetime conversion_datetime",
        strs="journey_id customer_id order_id", nums="n_touchpoints", bools="converted"),
    "touchpoints": _spec("journey_id touch_no customer_id touch_datetime channel channel_type cost_eur",
                         dates="touch_datetime", strs="journey_id customer_id", nums="touch_no cost_eur",
                         cats={"channel": (TOUCH_CHANNELS, False), "channel_type": (["payant", "propre"], False)}),
    "attribution_truth": _spec(
        "channel channel_type n_touchpoints n_journeys n_converting_journeys conversions_without_channel "
        "incremental_conversions expected_incremental_conversions logit_effect intent_loading incremental_share",
        nums="n_touchpoints n_journeys n_converting_journeys conversions_without_channel incremental_conversions "
             "expected_incremental_conversions logit_effect intent_loading incremental_share",
        cats={"channel": (TOUCH_CHANNELS, False), "channel_type": (["payant", "propre"], False)},
        file="ground_truth/attribution_truth"),
    "call_intervals": _spec(
        "interval_start calls_offered calls_answered calls_abandoned answered_within_20s service_level "
        "avg_speed_of_answer_s avg_abandon_wait_s avg_handle_time_s calls_forecast agents_scheduled",
        dates="interval_start",
        nums="calls_offered calls_answered calls_abandoned answered_within_20s service_level avg_speed_of_answer_s "
             "avg_abandon_wait_s avg_handle_time_s calls_forecast agents_scheduled"),
    "call_log": _spec("call_id arrival_datetime reason wait_s abandoned handle_time_s agents_scheduled",
                      dates="arrival_datetime", strs="call_id", nums="wait_s handle_time_s agents_scheduled",
                      bools="abandoned", cats={"reason": (CALL_REASONS, False)}),
    "uplift_test_truth": _spec("customer_id group p_incremental y0 y1 individual_effect", strs="customer_id",
                               nums="p_incremental y0 y1 individual_effect",
                               cats={"group": (["test", "témoin"], False)}, file="ground_truth/uplift_test_truth"),
    "silo_mapping": _spec("source source_record_id customer_id household_id",
                          strs="source_record_id customer_id household_id",
                          cats={"source": (SOURCES, False)}, file="ground_truth/silo_mapping"),
    "subscriptions": _spec("subscription_id customer_id period period_start period_end fee_eur status",
                           dates="period_start period_end", strs="subscription_id customer_id",
                           nums="period fee_eur",
                           cats={"status": (["renouvelé", "résilié", "en cours"], False)}),
    "survey_truth": _spec(
        "customer_id invitation_date responded satisfaction_latent attitude_latent switching_costs_latent "
        "trust_latent satisfaction_answer leave_prob left_after_survey",
        dates="invitation_date", strs="customer_id",
        nums="satisfaction_latent attitude_latent switching_costs_latent trust_latent satisfaction_answer leave_prob",
        bools="responded left_after_survey", file="ground_truth/survey_truth"),
}


def _regen_hint(path: Path) -> str:
    return f"Régénérez les données avec : {BUILD_COMMAND}"


def _check_not_truncated(path: Path) -> None:
    """A plain CSV written by the generator always ends with a newline; otherwise it was cut."""
    if path.suffix != ".csv":
        return  # gzip detects truncation itself (EOFError, handled by read_table)
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            return
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
    if last != b"\n":
        raise DataNotFoundError(
            f"le fichier {path.name} semble tronqué (sa dernière ligne est incomplète). {_regen_hint(path)}")


def _load(name: str) -> pd.DataFrame:
    """Read one company table with the types declared in ``TABLES`` (French errors on bad files)."""
    spec = TABLES[name]
    fname = spec["file"] or name
    path = _path(fname)
    _check_not_truncated(path)
    df = read_table(fname, dates=tuple(spec["dates"]), dtypes={c: "str" for c in spec["strs"]})
    missing = [c for c in spec["columns"] if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"la colonne '{missing[0]}' est absente du fichier {path.name} (modifié à la main ?). "
            f"{_regen_hint(path)}")
    if len(df) == 0:
        raise DataNotFoundError(f"le fichier {path.name} ne contient aucune ligne. {_regen_hint(path)}")
    for col in spec["nums"]:
        if not pd.api.types.is_numeric_dtype(df[col]):
            bad = pd.to_numeric(df[col], errors="coerce").isna() & df[col].notna()
            raise InvalidValueError(
                f"la colonne '{col}' du fichier {path.name} doit être numérique ; valeur rencontrée : "
                f"{df.loc[bad, col].iloc[0]!r} (ligne {int(bad.to_numpy().nonzero()[0][0])}). {_regen_hint(path)}")
    for col in spec["bools"]:
        vals = df[col]
        bad = ~vals.isin([0, 1])
        if bad.any():
            raise InvalidValueError(
                f"la colonne '{col}' du fichier {path.name} doit valoir 0 ou 1 ; valeur rencontrée : "
                f"{vals[bad].iloc[0]!r} (ligne {int(bad.to_numpy().nonzero()[0][0])}). {_regen_hint(path)}")
        df[col] = vals.astype(bool)
    for col in spec["nullable_ints"]:
        df[col] = df[col].astype("Int64")
    for col, (levels, ordered) in spec["cats"].items():
        if levels is None:
            df[col] = df[col].astype("category")
            continue
        bad = df[col].notna() & ~df[col].isin(levels)
        if bad.any():
            raise InvalidValueError(
                f"la colonne '{col}' du fichier {path.name} contient une valeur inconnue : "
                f"{df.loc[bad, col].iloc[0]!r} (valeurs possibles : {', '.join(levels)}). {_regen_hint(path)}")
        df[col] = pd.Categorical(df[col], categories=levels, ordered=ordered)
    return df


def load_stores() -> pd.DataFrame:
    """Verdane's stores: one row per store (``store_id``), with region, opening date and surface."""
    return _load("stores")


def load_customers() -> pd.DataFrame:
    """Buyers (one row per ``customer_id``): identity, region, age band, acquisition, consents, loyalty card."""
    return _load("customers")


def load_prospects() -> pd.DataFrame:
    """Sign-ups without purchase; ``converted_customer_id`` is set when the prospect later bought."""
    return _load("prospects")


def load_orders() -> pd.DataFrame:
    """Orders 2023–2025 (one row per ``order_id``): date, channel, amount, discount, margin, points, return."""
    return _load("orders")


def load_order_lines() -> pd.DataFrame:
    """Order lines (``order_id``, ``line_no``): product, category, quantity, unit price, line amount."""
    return _load("order_lines")


def load_products() -> pd.DataFrame:
    """Product catalogue (~150 products): category, list price and margin rate."""
    return _load("products")


def load_cost_to_serve() -> pd.DataFrame:
    """Cost drivers per customer over 2023–2025 (orders, deliveries, returns, contacts, catalogues)."""
    return _load("cost_to_serve")


def load_activity_costs() -> pd.DataFrame:
    """Activity cost pools (3 years) with their driver and kind (``direct``, ``indirect``, ``commun``)."""
    return _load("activity_costs")


def load_loyalty_points() -> pd.DataFrame:
    """Loyalty-point movements: ``gain`` (> 0), ``utilisation`` and ``expiration`` (< 0)."""
    return _load("loyalty_points")


def load_campaigns() -> pd.DataFrame:
    """Every direct-marketing send: programme, channel, date, objective, offer, cost, control share, response window."""
    return _load("campaigns")


def load_pressure_test() -> pd.DataFrame:
    """The e-mail pressure test (Sept. 2024 – Feb. 2025): each customer's random cell, 0, 1, 2 or 4 e-mails a month."""
    return _load("pressure_test")


def load_campaign_contacts() -> pd.DataFrame:
    """Targeted customers of each campaign: group test/témoin, contact, response within 30 days, unsubscribe."""
    return _load("campaign_contacts")


def load_survey() -> pd.DataFrame:
    """Autumn-2024 survey (respondents among the invited active customers): satisfaction, NPS, attitude, trust,
    switching costs, SPECIFIC and CIVILE needs."""
    return _load("survey")


def load_subscriptions() -> pd.DataFrame:
    """Verdane+ paid yearly delivery membership: one row per member and yearly period (renewed, cancelled, running)."""
    return _load("subscriptions")


def load_complaints() -> pd.DataFrame:
    """Complaints (critical incidents) on orders: reason, channel, handling time, resolution."""
    return _load("complaints")


def load_events() -> pd.DataFrame:
    """Event log of Oct–Dec 2025 (e-mails, sessions, views, carts, purchases, store visits)."""
    return _load("events")


def load_calls() -> pd.DataFrame:
    """Contact-centre activity of 2025 per 15-minute interval (calls, handle time, wait, agents)."""
    return _load("calls")


def load_journeys() -> pd.DataFrame:
    """Marketing journeys of Oct–Dec 2025 (one row per ``journey_id``): converted or not, the order it ended in."""
    return _load("journeys")


def load_touchpoints() -> pd.DataFrame:
    """Touchpoints of the journeys (``journey_id``, ``touch_no``): paid and owned channels, cost per touch."""
    return _load("touchpoints")


def load_call_intervals() -> pd.DataFrame:
    """Contact centre 2025 per 30-minute interval: offered, answered, abandoned, service level, ASA, AHT, agents."""
    return _load("call_intervals")


def load_call_log() -> pd.DataFrame:
    """Calls of six weeks around Black Friday 2025, one row per call: arrival, reason, wait, abandon, handle time."""
    return _load("call_log")


def load_b2b_accounts() -> pd.DataFrame:
    """Verdane Pro business accounts: sector, size band, region, revenue with Verdane."""
    return _load("b2b_accounts")


def load_b2b_contacts() -> pd.DataFrame:
    """Contacts of the business accounts with their buying-group role and influence (1–5)."""
    return _load("b2b_contacts")


def load_silos() -> pd.DataFrame:
    """Raw customer records of 5 source systems (noisy: typos, formats, duplicates) for identity resolution."""
    return _load("silos")


def load_ground_truth(name: str = "customers") -> pd.DataFrame | dict:
    """Ground truth known only to the generator: ``"customers"``, ``"silo_mapping"``, ``"survey"``,
    ``"attribution"`` (true incremental conversions per channel) or ``"parameters"`` (dict).

    Unknowable in real life: use it only to check an estimate against the truth.
    """
    if name == "parameters":
        import json

        path = data_dir() / "ground_truth" / "parameters.json"
        if not path.exists():
            raise DataNotFoundError(
                f"le fichier « ground_truth/parameters.json » est introuvable dans {data_dir().name}/ : "
                f"les données n'ont pas encore été générées. {_regen_hint(path)}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise DataNotFoundError(
                f"le fichier {path.name} est illisible ou tronqué. {_regen_hint(path)}") from None
    tables = {"customers": "customers_truth", "silo_mapping": "silo_mapping", "survey": "survey_truth",
              "attribution": "attribution_truth", "uplift_test": "uplift_test_truth"}
    if name not in tables:
        raise InvalidValueError(
            f"vérité terrain inconnue : {name!r}. Choix possibles : 'customers', 'silo_mapping', 'survey', "
            "'attribution', 'uplift_test', "
            "'parameters'.")
    return _load(tables[name])


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
    try:
        generator.build(out)
    except CrmlabError as exc:  # e.g. an unwritable folder: a French message, no traceback
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Données générées dans {out} en {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
