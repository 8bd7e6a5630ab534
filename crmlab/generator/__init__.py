"""Generator of Verdane, the fictional omnichannel retailer used throughout the course.

``build(out_dir)`` writes every table of ``datasets/SPEC.md`` (CSV, ``.csv.gz`` for the
large ones) and the ground truth in ``out_dir/ground_truth/``. The output is
byte-for-byte reproducible: all randomness comes from one seed (``SEED``) through
child generators of one ``numpy.random.SeedSequence`` (one per table) and one seeded
``Faker("fr_FR")`` used only to draw pools of names; floats are rounded before
writing, gzip headers carry ``mtime=0``. ``check_checksums`` compares files with
``SHA256SUMS``.

The generative model (all parameters in ``PARAMS``, copied to ``parameters.json``):

1. **Acquisition** — 28,000 customers, acquisition day drawn with a growing trend
   (+50 % over the window) times the seasonal intensity; first order on that day;
   acquisition channel (store, web, app, referral, marketplace) with a cost by channel.
2. **Seasonality as a time warp** — a daily intensity ``s(t)`` with mean 1
   (Christmas peak, January/July sales, spring gardening, busy Saturdays) defines an
   operational clock ``Λ(t) = ∫ s``; purchases are generated in operational time
   and mapped back to calendar days, so the process stays BG/NBD in operational
   time and the BG/NBD remains fit-able on calendar data.
3. **Shifted BG/NBD purchases** (Fader, Hardie & Lee, 2005; shifted as in Batislam et al.,
   2007) — ``λ_i ~ Gamma(r, α)`` purchases per year, ``p_i ~ Beta(a, b)``, both shifted
   by the acquisition channel and the relationship trend (``PARAMS["purchases"]``);
   after *each* purchase, the first one included, the customer drops out with
   probability ``p_i`` (one-and-done customers exist). Growing relationships buy at
   ``λ min(e^{g τ}, M)``, declining ones at ``λ e^{-d τ}`` (tenure ``τ``). Simulated
   vectorised over customers, looping over purchase rounds (``customers`` module).
4. **Gamma-Gamma spend** — ``ν_i ~ Gamma(q, γ)``, pre-discount order value
   ``~ Gamma(p, ν_i)``, except a professional / project-buyer group whose mean basket
   rises with its purchase rate; growing relationships spend a little more per order and
   spread to new categories. Split into order lines (seasonal categories, segment
   preferences, a "home" category, products chosen near the target unit price) that sum
   to the value.
5. **Channels** (module ``channels``) — a primary channel (the first order's); a self-selected
   multichannel adoption time (hazard rising with ``λ_i`` and engagement) after which orders
   migrate to a second channel and the purchase rate is multiplied by ``1 + true_effect``
   (extra purchases); per-channel basket factors and margin points; store orders never on a
   Sunday; delivery modes (home delivery more for large baskets).
6. **Loyalty programme** (launch 2024-07-01) — self-selected enrolment after the launch
   (probability rising with the purchases of the 12 months before the launch, a purchase
   in the last 6 months and the e-mail consent; new customers decide at their first
   purchase); true effect: purchase rate × 1.15 while active after joining (extra
   purchases, departure not hastened); 1 point per € paid, 500 points = 10 €, FIFO expiry
   after 12 months, tiers by 2025 spend; breakage and liability in ``loyalty_truth``.
7. **Complaints** — incidents on orders (more on home deliveries); badly handled ones
   make the customer leave with probability 0.4 (later orders truncated); well handled
   ones sometimes bring an extra order (mild recovery paradox). **Survey** (autumn 2024):
   every active customer is invited; four latent constructs drive departure in the next
   8 months with known weights; satisfied customers respond more (non-response bias).
   **Verdane+** yearly delivery membership (module ``subscriptions``, sBG renewals) and
   **households** in the silos come after the simulation, from their own streams.
8. **Campaigns** — a regular e-mail / SMS / mail programme with a permanent holdout,
   12 operations, an e-mail pressure test (0/1/2/4 a month) and a randomised uplift test;
   latent uplift type: persuadables get an incremental order (tagged ``campaign_id``)
   only when treated, with fatigue under pressure; sleeping dogs lose natural orders and
   unsubscribe more; unsubscription rises with contact pressure (see ``campaigns``).
9. **Promotions, returns, cost to serve** — deal-prone customers get heavy discounts;
   ``channels.make_costs``: activity-based costs, each driven only on the channels that
   cause it (warehouse and delivery on remote orders, a store pool on staff minutes,
   returns pools with refunded margin and write-down), so that some customers are
   unprofitable (whale curve).
10. **Survey, events, calls, B2B, silos, prospects** — see the modules ``survey``, ``journeys``, ``contact_centre`` and ``silos``.

Changing the model changes the bytes: rebuild (``python -m crmlab.datasets build``),
commit the new ``datasets/SHA256SUMS``, then re-execute the notebooks (their stored
outputs are compared by nbval). The realism tests are in ``tests/test_generator.py``.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import reference as B
from . import campaigns, channels, customers, loyalty, survey
from ..validation import CrmlabError

__all__ = ["SEED", "PARAMS", "build", "simulate", "stream", "write_checksums", "check_checksums", "OutputNotWritableError"]

SEED = 20240101
SUMS_FILE = "SHA256SUMS"
REPO_DATASETS = Path(__file__).resolve().parent.parent.parent / "datasets"

_CAMPAIGNS = [
    # id, name, channel, send date, objective, offer, offer rate, cost/contact, control share, max targets, persuade prob
    ("K01", "Printemps au jardin", "e-mail", "2023-03-15", "promotion", "-15 % sur le jardin", 0.15, 0.05, 0.15, 9000, 0.4),
    ("K02", "On vous attend !", "courrier", "2023-09-20", "réactivation", "bon de 10 € dès 50 €", 0.12, 1.20, 0.20, 2500, 0.6),
    ("K03", "Cuisine et art de la table", "e-mail", "2023-10-10", "cross-sell", "-10 % sur la cuisine", 0.10, 0.05, 0.15, 9000, 0.36),
    ("K04", "Black Friday 2023", "SMS", "2023-11-20", "promotion", "-20 % sur tout le site", 0.20, 0.09, 0.15, 6000, 0.56),
    ("K05", "Vous nous manquez", "e-mail", "2024-02-05", "réactivation", "livraison offerte", 0.05, 0.05, 0.15, 9000, 0.3),
    ("K06", "Les beaux jours", "e-mail", "2024-04-10", "promotion", "-15 % sur le jardin", 0.15, 0.05, 0.15, 12000, 0.4),
    ("K07", "Bienvenue dans la Carte Verdane", "courrier", "2024-09-15", "fidélisation", "points doublés", 0.00, 1.20, 0.20, 4000, 0.6),
    ("K08", "Black Friday 2024", "SMS", "2024-11-22", "promotion", "-20 % sur tout le site", 0.20, 0.09, 0.15, 7000, 0.56),
    ("K09", "Idées déco", "e-mail", "2025-03-12", "cross-sell", "-10 % sur la décoration", 0.10, 0.05, 0.10, 14000, 0.36),
    ("K10", "Revenez nous voir", "e-mail", "2025-05-20", "réactivation", "bon de 10 € dès 50 €", 0.12, 0.05, 0.15, 12000, 0.3),
    ("K11", "Membres : ventes privées", "courrier", "2025-09-10", "fidélisation", "-15 % ventes privées", 0.15, 1.20, 0.20, 5000, 0.6),
    ("K12", "Black Friday 2025", "e-mail", "2025-11-21", "promotion", "-20 % sur tout le site", 0.20, 0.05, 0.10, 16000, 0.5),
]

PARAMS: dict = {
    "seed": SEED,
    "window": {"start": "2023-01-01", "end": "2025-12-31", "reference_date": "2025-12-31"},
    "n_customers": 28_000,
    "acquisition_growth": 0.5,
    "acquisition_cost": {"magasin": 12.0, "site web": 38.0, "application": 30.0, "parrainage": 20.0,
                         "marketplace": 24.0},
    "bgnbd": {"r": 0.4, "alpha_years": 0.15, "a": 0.6, "b": 1.6},
    "purchases": {
        "process": "shifted BG/NBD: dropout coin after every purchase, the first one included",
        "channel_rate_multiplier": {"magasin": 1.2, "site web": 0.8, "application": 1.0, "parrainage": 1.3,
                                    "marketplace": 0.65},
        "channel_dropout_odds_multiplier": {"magasin": 0.7, "site web": 1.6, "application": 1.0,
                                            "parrainage": 0.55, "marketplace": 2.0},
        "trend_shares": {"croissance": 0.3, "stable": 0.4, "déclin": 0.3},
        "growth_per_year": [0.5, 1.0], "growth_cap": 5.0, "decline_per_year": [0.6, 1.5],
        "trend_dropout_odds_multiplier": {"croissance": 0.2, "stable": 1.0, "déclin": 2.0},
        "growth_spend_per_year": 0.05,
        "category_breadth": {"other": 0.35, "growth_start": 0.05, "growth_per_year": 0.35},
        "pro_share": 0.04, "pro_rate_multiplier": 2.0, "pro_dropout_odds_multiplier": 0.5,
        "pro_spend_ref_eur": 160.0, "pro_spend_rate_ref": 4.0, "pro_spend_elasticity": 0.7,
        "pro_spend_sd_log": 0.25,
    },
    "gamma_gamma": {"p": 6.0, "q": 4.0, "gamma": 45.0},
    "needs_segment_shares": [0.3, 0.2, 0.3, 0.2],
    "uplift_shares": [0.40, 0.22, 0.30, 0.08],
    "loyalty": {"launch_date": "2024-07-01", "true_effect": 0.15, "join_intercept": -2.2, "signup_delay_days": 30,
                "join_slope_frequency": 1.1, "join_slope_recent": 0.8, "join_slope_consent": 0.6, "earn_per_eur": 1,
                "burn_points": 500, "burn_value_eur": 10.0, "redeem_prob": 0.5, "expiry_days": 365,
                "tier_thresholds_eur_2025": {"argent": 300, "or": 800}},
    "promotions": {"sale_months": [1, 7], "sale_multiplier": 1.8, "rates": [0.1, 0.2, 0.3, 0.4],
                   "rate_probs": [0.4, 0.3, 0.2, 0.1]},
    "complaint_rate": 0.015,
    "survey_effects": {"invite_share": 1.0, "leave_intercept": -2.4,
                       "driver_weights": {"satisfaction": -1.5, "attitude": -0.3, "switching_costs": -0.9,
                                          "trust": 0.0},
                       "leave_delay_days": [15, 240],
                       "response": {"intercept": -0.25, "slope_satisfaction": 0.7, "slope_engagement": 0.0}},
    "subscriptions": {"launch_date": "2023-02-01", "fee_eur": 49.0, "join_prob_per_home_order": 0.15,
                      "alpha": 0.8, "beta": 1.6, "theta_score_noise": 1.0},
    "households": {"share_in_couples": 0.35, "usage_name_prob": 0.4, "family_email_household_prob": 0.08, "family_email_record_prob": 0.5,
                   "landline_prob": 0.05},
    "complaint_effects": {"bad_handling_dropout_prob": 0.4, "recovery_order_prob": 0.2},
    "marketing": {
        "holdout_share": 0.05, "response_days": {"e-mail": 7, "SMS": 7, "courrier": 30},
        "operation_response_days": 30, "operation_tau_scale": 0.6,
        "effect_index": {"recency_90_365": 2.2, "age_under_45": 0.7, "orders_4_or_more": -2.0},
        "max_p_incremental": 0.7,
        "fatigue_per_contact": 0.5, "dog_unsubscribe_multiplier": 4.0,
        "unsubscribe_base": {"e-mail": 0.0015, "SMS": 0.004, "courrier": 0.001}, "unsubscribe_pressure": 0.35,
        "newsletter": {"name": "Lettre Verdane", "channel": "e-mail", "first": "2023-01-12", "recency_days": 240,
                       "offer": "sélection de la quinzaine", "offer_rate": 0.0, "cost_per_contact": 0.03,
                       "tau": 0.10, "dog_suppress": 0.2},
        "sms": {"name": "SMS du mois", "channel": "SMS", "first": "2023-02-01", "recency_days": 180,
                "offer": "-10 % pendant 3 jours", "offer_rate": 0.10, "cost_per_contact": 0.09, "tau": 0.06,
                "dog_suppress": 0.3},
        "mail": {"name": "Courrier de saison", "channel": "courrier", "first": "2023-03-01", "recency_days": 180,
                 "offer": "bon de 10 € dès 50 €", "offer_rate": 0.12, "cost_per_contact": 1.20, "tau": 0.15,
                 "dog_suppress": 0.5},
        "pressure_test": {"start": "2024-09-02", "weeks": 24, "cells": [0, 1, 2, 4],
                          "shares": [0.25, 0.25, 0.25, 0.25], "recency_days": 365},
        "uplift_test": {"name": "Bon de 15 € — test aléatoire", "send_date": "2025-04-15",
                        "offer": "bon de 15 € dès 60 €", "offer_rate": 0.15, "cost_per_contact": 0.05,
                        "treat_share": 0.5, "response_days": 14, "quiet_days_before": 28, "tau": 0.12, "dog_suppress": 0.6},
    },
    "campaigns": [
        {"campaign_id": k, "name": nm, "channel": ch, "send_date": sd, "objective": ob, "offer": of,
         "offer_rate": orate, "cost_per_contact": cpc, "control_share": cs, "max_targets": mt,
         "persuade_prob": pp, "dog_suppress_prob": 0.6, "dog_unsubscribe_prob": 0.12,
         "points_multiplier": 2 if of == "points doublés" else 1}
        for k, nm, ch, sd, ob, of, orate, cpc, cs, mt, pp in _CAMPAIGNS
    ],
    "channels": {
        "adoption": {"true_effect": 0.30, "hazard_per_year": 0.25, "slope_rate": 0.5, "slope_engagement": 0.4},
        # logits of the second channel (store, web, app, phone) by primary channel (rows)
        "second_channel_logits": [[-9.0, 0.6, 0.3, -0.5], [2.5, -9.0, 0.3, -1.0], [2.2, 0.5, -9.0, -1.5],
                                  [1.0, 0.3, -0.5, -9.0]],
        "share_start": 0.4, "share_end": 0.75, "share_years": 2.0,
        "basket_factor": {"magasin": 0.85, "site web": 1.2, "application": 0.95, "téléphone": 1.3},
        "margin_points": {"magasin": 0.0, "site web": -0.02, "application": -0.01, "téléphone": 0.0},
        "home_delivery_slope_spend": 1.5,
        "store_checkout_minutes": 3.0, "store_advice_minutes": 6.0, "store_return_minutes": 8.0,
        # a project appointment's minutes: the meeting (≥ 2 h) plus the designer's plan and quote
        # prepared after it (mean 3 h), all caused by the customer who booked it
        "project_appointments": {"share": 0.08, "rate_per_year": 1.5, "min_minutes": 120.0, "extra_minutes": 180.0},
        "return_writedown_rate": {"remote": 0.25, "store": 0.05},
        "store_identification_rate": 0.35,
    },
    "unit_costs": {"traitement_commandes": 7.0, "livraison_domicile": 14.0, "livraison_relais": 6.5,
                   "retrait_magasin": 3.0, "retours": 25.0, "vente_magasin": 0.60, "service_client": 10.0,
                   "catalogues": 5.0, "animation_magasins": 1.5},
    "return_logit_intercept": -3.6,
    # journeys (chapter 11): touch counts ~ Poisson(rate · e^(intent_loading · z)), z the latent
    # intent; conversion logit = intercept + intent_effect · z + Σ logit_effect · log2(1 + touches)
    "journeys": {
        "window": ["2025-10-01", "2025-12-31"], "max_conversions": 12_000,
        "intercept": -3.0, "intent_effect": 1.3,
        "max_touches_per_channel": 10, "stage_noise": 0.25, "mean_span_days": 6.0, "max_span_days": 30.0,
        "channels": {
            "display": {"type": "payant", "rate": 0.9, "intent_loading": 0.0, "logit_effect": 0.25,
                        "stage": 0.0, "cost_per_touch_eur": 0.35},
            "réseaux sociaux": {"type": "payant", "rate": 0.6, "intent_loading": 0.1, "logit_effect": 0.35,
                                "stage": 0.1, "cost_per_touch_eur": 0.55},
            "recherche générique": {"type": "payant", "rate": 0.5, "intent_loading": 0.3, "logit_effect": 0.6,
                                    "stage": 0.4, "cost_per_touch_eur": 0.80},
            "recherche marque": {"type": "payant", "rate": 0.35, "intent_loading": 1.3, "logit_effect": 0.1,
                                 "stage": 0.85, "cost_per_touch_eur": 0.30},
            "affiliation": {"type": "payant", "rate": 0.15, "intent_loading": 0.6, "logit_effect": 0.15,
                            "stage": 0.75, "cost_per_touch_eur": 1.50},
            "e-mail": {"type": "propre", "rate": 0.5, "intent_loading": 0.2, "logit_effect": 0.45,
                       "stage": 0.4, "cost_per_touch_eur": 0.0},
            "accès direct": {"type": "propre", "rate": 0.3, "intent_loading": 1.3, "logit_effect": 0.05,
                             "stage": 0.9, "cost_per_touch_eur": 0.0},
            "visite magasin": {"type": "propre", "rate": 0.12, "intent_loading": 0.3, "logit_effect": 0.7,
                               "stage": 0.5, "cost_per_touch_eur": 0.0},
        },
    },
    # contact centre (chapter 12): calls per day driven by orders, deliveries and returns; FCFS queue
    # with exponential patience; agents planned with Erlang C on a forecast blind to daily peaks
    "contact_centre": {
        "mean_calls_per_day": 1100, "n_intervals": 24, "interval_s": 1800,
        "weekday_level": [1.3, 1.05, 1.0, 0.97, 0.95, 0.7],
        "month_level": [0.9, 0.8, 1.0, 1.2, 1.2, 1.0, 0.9, 0.8, 0.9, 1.0, 1.2, 1.3],
        "day_noise_cv": 0.08, "handle_cv": 0.7, "mean_patience_s": 180.0,
        "target_s": 20, "target_sl": 0.8, "planning_aht_s": 310.0, "staffing_noise": 0.3, "min_agents": 3,
        "call_log_window": ["2025-11-03", "2025-12-14"],
        "reasons": {
            "suivi de commande": {"share": 0.32, "mean_handle_s": 240},
            "livraison": {"share": 0.18, "mean_handle_s": 330},
            "retour et remboursement": {"share": 0.14, "mean_handle_s": 420},
            "conseil produit": {"share": 0.16, "mean_handle_s": 450},
            "carte de fidélité": {"share": 0.10, "mean_handle_s": 270},
            "réclamation": {"share": 0.10, "mean_handle_s": 540},
        },
    },
}

TABLE_FILES = {
    "stores": "stores.csv", "customers": "customers.csv", "prospects": "prospects.csv",
    "orders": "orders.csv", "order_lines": "order_lines.csv.gz", "products": "products.csv",
    "cost_to_serve": "cost_to_serve.csv", "activity_costs": "activity_costs.csv",
    "loyalty_points": "loyalty_points.csv.gz", "campaigns": "campaigns.csv",
    "campaign_contacts": "campaign_contacts.csv.gz", "survey": "survey.csv", "complaints": "complaints.csv",
    "events": "events.csv.gz", "calls": "calls.csv", "b2b_accounts": "b2b_accounts.csv",
    "b2b_contacts": "b2b_contacts.csv", "silos": "silos.csv",
    "customers_truth": "ground_truth/customers_truth.csv", "silo_mapping": "ground_truth/silo_mapping.csv",
    "survey_truth": "ground_truth/survey_truth.csv", "subscriptions": "subscriptions.csv",
    "journeys": "journeys.csv.gz", "touchpoints": "touchpoints.csv.gz",
    "attribution_truth": "ground_truth/attribution_truth.csv",
    "call_intervals": "call_intervals.csv", "call_log": "call_log.csv.gz",
    "pressure_test": "pressure_test.csv", "uplift_test_truth": "ground_truth/uplift_test_truth.csv",
}
RNG_NAMES = ["stores", "customers", "purchases", "loyalty", "channels", "complaints", "campaigns",
             "times", "values", "lines", "points", "costs", "survey", "events", "calls", "b2b", "silos",
             "prospects", "products"]


class OutputNotWritableError(CrmlabError, PermissionError):
    """The output folder of ``build`` cannot be created or written."""


# --------------------------------------------------------------------- helpers
def _rngs() -> dict[str, np.random.Generator]:
    """One child generator per table, all spawned from the seed."""
    children = np.random.SeedSequence(SEED).spawn(len(RNG_NAMES))
    return {name: np.random.default_rng(s) for name, s in zip(RNG_NAMES, children)}


def stream(family: str) -> np.random.Generator:
    """An independent random stream for a table family, keyed by its name.

    Families added after v1 draw from ``stream("journeys")``, ``stream("contact_centre")``…
    instead of a slot in ``RNG_NAMES``: adding or changing one family never shifts
    another's draws.
    """
    return np.random.default_rng([SEED, zlib.crc32(family.encode("utf-8"))])


def _name_pools() -> dict[str, list[str]]:
    """Pools of French names and companies drawn once from a seeded Faker."""
    from faker import Faker  # heavy import, only when building

    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    return {
        "female": list(dict.fromkeys(fake.first_name_female() for _ in range(800))),
        "male": list(dict.fromkeys(fake.first_name_male() for _ in range(800))),
        "last": list(dict.fromkeys(fake.last_name() for _ in range(3000))),
        "company": list(dict.fromkeys(fake.company() for _ in range(700))),
        "manager": [fake.name() for _ in range(8)],
    }


def _ensure_writable(out: Path) -> None:
    """Create ``out`` (and ground_truth/) or raise a French ``OutputNotWritableError``."""
    try:
        (out / "ground_truth").mkdir(parents=True, exist_ok=True)
        probe = out / ".crmlab_write_test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise OutputNotWritableError(
            f"impossible d'écrire les données dans le dossier « {out} » ({exc.strerror or type(exc).__name__}). "
            "Choisissez un dossier où vous avez le droit d'écrire, par exemple : "
            "python -m crmlab.datasets build --out ~/crm-donnees"
        ) from None


def _write(df: pd.DataFrame, out: Path, name: str) -> Path:
    """Write one table (gzip with mtime=0 when the file name ends with .gz)."""
    path = out / TABLE_FILES[name]
    comp = {"method": "gzip", "mtime": 0, "compresslevel": 6} if path.suffix == ".gz" else None
    try:
        df.to_csv(path, index=False, lineterminator="\n", compression=comp, encoding="utf-8")
    except OSError as exc:  # a read-only file, a full disk…
        raise OutputNotWritableError(
            f"impossible d'écrire le fichier « {path} » ({exc.strerror or type(exc).__name__}). "
            "Vérifiez les droits du dossier et l'espace disque, puis relancez : python -m crmlab.datasets build"
        ) from None
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_checksums(out_dir: str | Path, files: list[Path] | None = None) -> Path:
    """Write ``SHA256SUMS`` (sorted ``sha256  relative/path`` lines) for the generated files."""
    out = Path(out_dir)
    if files is None:
        files = [out / f for f in TABLE_FILES.values()] + [out / "ground_truth" / "parameters.json"]
    lines = sorted(f"{_sha256(p)}  {p.relative_to(out).as_posix()}" for p in files)
    path = out / SUMS_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


def check_checksums(data_dir: str | Path, sums: str | Path | None = None) -> int:
    """Compare the files of ``data_dir`` with ``SHA256SUMS``.

    Returns 0 when every file matches; otherwise prints the differences (in French) and returns 1.
    """
    data_dir = Path(data_dir)
    sums = Path(sums) if sums else data_dir / SUMS_FILE
    if not sums.exists():
        print(f"Fichier de sommes de contrôle introuvable : {sums}. Générez les données : "
              "python -m crmlab.datasets build")
        return 1
    problems = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, rel = line.split(maxsplit=1)
        path = data_dir / rel
        if not path.exists():
            problems.append(f"  - {rel} : fichier absent")
        elif _sha256(path) != digest:
            problems.append(f"  - {rel} : contenu différent")
    if problems:
        print(f"Les données de {data_dir} diffèrent des sommes de contrôle ({len(problems)} fichier(s)) :")
        print("\n".join(problems))
        print("Régénérez-les avec : python -m crmlab.datasets build   (ou : make data)")
        return 1
    print(f"Données conformes aux sommes de contrôle ({sums.name}).")
    return 0


# ----------------------------------------------------------------------- build
def build(out_dir: str | Path) -> list[Path]:
    """Generate every table into ``out_dir`` and return the written paths.

    ``SHA256SUMS`` is (re)written only when ``out_dir`` is the repository's
    ``datasets/`` folder; a French notice is printed if it changes.
    """
    from .contact_centre import make_calls, make_contact_centre
    from .journeys import make_events, make_journeys
    from .silos import make_b2b, make_prospects, make_silos
    from .subscriptions import make_subscriptions
    from .survey import make_survey

    out = Path(out_dir)
    _ensure_writable(out)
    tables = simulate()
    names, rngs = tables.pop("_names"), tables.pop("_rngs")
    tables["survey"], tables["survey_truth"] = make_survey(rngs["survey"], PARAMS, tables)
    tables["subscriptions"], sub_realised = make_subscriptions(stream("subscriptions"), PARAMS, tables)
    tables["_parameters"]["subscriptions"]["realised"] = sub_realised
    st = tables["survey_truth"]
    tables["_parameters"]["survey_effects"]["realised"] = {
        "n_invited": int(len(st)), "n_respondents": int(st["responded"].sum()),
        "mean_satisfaction_invited": round(float(st["satisfaction_answer"].mean()), 3),
        "mean_satisfaction_respondents": round(float(tables["survey"]["satisfaction"].mean()), 3),
        "share_left_after_survey": round(float(st["left_after_survey"].mean()), 4)}
    tables["events"] = make_events(rngs["events"], PARAMS, tables)
    tables["calls"] = make_calls(rngs["calls"], PARAMS)
    tables["b2b_accounts"], tables["b2b_contacts"] = make_b2b(rngs["b2b"], names)
    tables["silos"], tables["silo_mapping"] = make_silos(rngs["silos"], tables, stream("households"), PARAMS)
    tables["prospects"] = make_prospects(rngs["prospects"], tables)
    (tables["journeys"], tables["touchpoints"], tables["attribution_truth"],
     tables["_parameters"]["journeys_realised"]) = make_journeys(stream("journeys"), PARAMS, tables)
    tables["call_intervals"], tables["call_log"], tables["_parameters"]["contact_centre_realised"] = \
        make_contact_centre(stream("contact_centre"), PARAMS, tables)
    written = [_write(tables[name], out, name) for name in TABLE_FILES]
    params = out / "ground_truth" / "parameters.json"
    params.write_text(json.dumps(tables["_parameters"], ensure_ascii=False, indent=2) + "\n",
                      encoding="utf-8", newline="\n")
    written.append(params)
    if out.resolve() == REPO_DATASETS.resolve():
        sums = out / SUMS_FILE
        old = sums.read_text(encoding="utf-8") if sums.exists() else None
        write_checksums(out, written)
        if old is not None and old != sums.read_text(encoding="utf-8"):
            print("Attention : les sommes de contrôle (datasets/SHA256SUMS) ont changé. Si vous n'avez pas "
                  "modifié le générateur, votre environnement produit des octets différents (versions de "
                  "numpy, pandas ou Faker ?).")
    return written


def simulate() -> dict:
    """Run the company model; return the published tables plus private objects (keys starting with ``_``)."""
    P = PARAMS
    R = _rngs()
    names = _name_pools()
    cal = B.Calendar()
    stores = customers.make_stores(R["stores"])
    products = customers.make_products(R["products"])
    c = customers.make_customers(R["customers"], P, cal, stores, names)
    n = len(c)
    channels.channel_traits(R["channels"], P, c)
    cust, u, rnd, death = customers.simulate_purchases(R["purchases"], P, cal, c)
    cust, u, rnd, is_mc = channels.adopt_multichannel(stream("multichannel"), P, cal, c, cust, u, rnd, death)
    cust, rnd, day, u_cal, join_day, death_day, is_join, _src = loyalty.apply_loyalty(R["loyalty"], P, cal, c,
                                                                                    cust, u, rnd, death)
    is_mc = is_mc[_src]
    inwin = day < B.N_DAYS
    orders = pd.DataFrame({"_cust": cust[inwin], "day": day[inwin], "_u": u_cal[inwin], "round": rnd[inwin],
                           "is_join": is_join[inwin], "kind": "naturelle", "campaign_id": "", "_mc": is_mc[inwin]})
    orders = orders.sort_values(["_cust", "_u"], kind="stable").reset_index(drop=True)
    orders["_key"] = np.arange(len(orders))
    chans = channels.assign_channels(R["channels"], P, c, stores, orders)
    orders["day"] = chans.pop("day").to_numpy()  # store orders never on a Sunday
    orders = pd.concat([orders, chans], axis=1)

    # complaints and the survey (autumn 2024): departures they cause, recovery orders (module survey)
    orders, comp, death_day, join_day, trunc = survey.complaint_departures(R["complaints"], P, orders, death_day,
                                                                           join_day)
    orders, comp, death_day, join_day, trunc, sv = survey.survey_departures(R["survey"], P, c, orders, comp,
                                                                            death_day, join_day, trunc)
    orders = survey.recovery_orders(R["complaints"], P, orders, comp, death_day, trunc)

    # campaigns
    orders, contacts, unsub, camp_truth = campaigns.run_campaigns(R["campaigns"], P, c, orders, join_day, death_day)
    new = orders["channel"].isna().to_numpy()
    chans = channels.assign_channels(R["channels"], P, c, stores, orders[new], sunday_shift=1)
    for col in ["day", "channel", "store_id", "delivery_mode"]:
        orders.loc[new, col] = chans[col].to_numpy()
    new_keys = orders["_key"].isna().to_numpy()
    orders.loc[new_keys, "_key"] = orders["_key"].max() + 1 + np.arange(new_keys.sum())
    orders["_key"] = orders["_key"].astype(int)
    comp = comp[comp["_order_key"].isin(orders["_key"])].reset_index(drop=True)  # order suppressed by a campaign

    # datetimes, values, lines, discounts, points
    orders["_dt"] = customers.order_times(R["times"], orders["channel"].to_numpy(), orders["day"].to_numpy())
    orders = orders.sort_values(["_cust", "_dt", "_key"], kind="stable").reset_index(drop=True)
    rv = R["values"]
    orders["_value"] = customers.order_values(rv, P, c, orders["_cust"].to_numpy(), orders["day"].to_numpy())
    orders["_value"] *= channels.basket_factor(P, orders["channel"].to_numpy())
    orders["_month"] = pd.DatetimeIndex(orders["_dt"]).month
    lines, value, line_margin = customers.make_lines(R["lines"], P, orders, c, products)
    orders["_value"] = value
    pr = P["promotions"]
    sale = np.isin(orders["_month"], pr["sale_months"])
    deal = c["_deal"].to_numpy()[orders["_cust"].to_numpy()]
    has_promo = rv.random(len(orders)) < np.minimum(deal * np.where(sale, pr["sale_multiplier"], 1.0), 0.95)
    rate = np.where(has_promo, rv.choice(pr["rates"], len(orders), p=pr["rate_probs"]), 0.0)
    meta = camp_truth["meta"].set_index("campaign_id")
    offer = meta["offer_rate"]
    camp_rate = orders["campaign_id"].map(offer).fillna(0.0).to_numpy()
    rate = np.where(orders["campaign_id"].to_numpy() != "", np.maximum(camp_rate, rate * 0.5), rate)
    orders["_promo"] = np.round(rate * value, 2)
    mult = meta["points_multiplier"]
    orders["_points_mult"] = orders["campaign_id"].map(mult).fillna(1).to_numpy()
    join_dt = np.where(join_day >= 0, B.DAYS[np.maximum(join_day, 0)].to_numpy(), np.datetime64("2100-01-01"))
    join_dt = join_dt.astype("datetime64[ns]")  # a member earns points from her join day on
    member = join_day >= 0
    earned, redeemed, disc_pts, expiry = loyalty.loyalty_points(R["points"], P, orders, join_dt)
    discount = np.round(np.minimum(orders["_promo"].to_numpy() + disc_pts, value), 2)
    orders["amount"] = np.round(value - discount, 2)
    orders["discount"] = discount
    orders["gross_margin"] = np.round(line_margin + channels.margin_adjustment(P, orders["channel"].to_numpy(), value)
                                      - discount, 2)
    orders["points_earned"], orders["points_redeemed"] = earned, redeemed
    home = (orders["delivery_mode"] == "livraison domicile").to_numpy()
    relay = (orders["delivery_mode"] == "point relais").to_numpy()
    ret_logit = (P["return_logit_intercept"] + c["_returner"].to_numpy()[orders["_cust"].to_numpy()]
                 + 1.0 * home + 0.7 * relay)
    orders["returned"] = (rv.random(len(orders)) < B.sigmoid(ret_logit)).astype(int)
    orders["n_items"] = np.bincount(lines["_row"], weights=lines["quantity"], minlength=len(orders)).astype(int)

    # order ids in chronological order
    chrono = np.lexsort((orders["_cust"].to_numpy(), orders["_dt"].to_numpy()))
    oid = np.empty(len(orders), dtype=object)
    oid[chrono] = B.ids("O", len(orders), 7)
    orders["order_id"] = oid
    cid = c["customer_id"].to_numpy()
    orders["customer_id"] = cid[orders["_cust"].to_numpy()]
    orders["order_date"] = B.fmt_date(pd.DatetimeIndex(orders["_dt"]).normalize()).to_numpy()
    orders["order_datetime"] = B.fmt_datetime(orders["_dt"]).to_numpy()
    lines["order_id"] = oid[lines["_row"].to_numpy()]

    out: dict = {"_names": names, "_rngs": R, "_c": c, "_contacts": contacts, "_orders": orders, "_survey_sample": sv,
                 "_lines": lines, "_join_day": join_day, "_death_day": death_day, "_unsub": unsub}
    _publish(out, P, cal, stores, products, c, orders, lines, comp, contacts, unsub, join_day,
             death_day, earned, redeemed, expiry, camp_truth, R["costs"])
    return out


def _publish(out: dict, P: dict, cal, stores, products, c, orders, lines, comp, contacts, unsub,
             join_day, death_day, earned, redeemed, expiry, camp_truth, rng) -> None:
    """Format the company tables (ids, dates as ISO strings, rounded floats) into ``out``."""
    n = len(c)
    cid = c["customer_id"].to_numpy()
    st = stores.copy()
    st["opening_date"] = B.fmt_date(st["opening_date"])
    out["stores"] = st
    out["products"] = products

    # orders
    ord_cols = ["order_id", "customer_id", "order_date", "order_datetime", "channel", "store_id",
                "delivery_mode", "amount", "discount", "gross_margin", "n_items", "points_earned",
                "points_redeemed", "campaign_id", "returned"]
    o_sorted = orders.sort_values("order_id", kind="stable")
    out["orders"] = o_sorted[ord_cols].reset_index(drop=True)
    ln = lines.sort_values(["order_id", "line_no"], kind="stable")
    out["order_lines"] = ln[["order_id", "line_no", "product_id", "category", "quantity", "unit_price",
                             "line_amount"]].reset_index(drop=True)

    # customers
    member = join_day >= 0
    spend25 = orders[orders["_dt"] >= np.datetime64("2025-01-01")].groupby("_cust")["amount"].sum()
    spend = np.zeros(n)
    spend[spend25.index.to_numpy()] = spend25.to_numpy()
    th = P["loyalty"]["tier_thresholds_eur_2025"]
    tier = np.where(spend >= th["or"], "or", np.where(spend >= th["argent"], "argent", "bronze"))
    cu = c[["customer_id", "first_name", "last_name", "email", "phone", "postcode", "city", "region", "gender",
            "age_band"]].copy()
    cu["acquisition_date"] = B.fmt_date(c["acquisition_date"]).to_numpy()
    cu["acquisition_channel"] = c["acquisition_channel"].to_numpy()
    cu["acquisition_cost"] = c["acquisition_cost"].to_numpy()
    cu["home_store_id"] = c["home_store_id"].to_numpy()
    for k in ["consent_email", "consent_sms", "consent_post"]:
        cu[k] = c[k].to_numpy()
    cu["loyalty_member"] = member.astype(int)
    jd = B.DAYS[np.where(member, join_day, 0)]
    cu["loyalty_join_date"] = np.where(member, B.fmt_date(jd), "")
    cu["loyalty_tier"] = np.where(member, tier, "")
    ud = np.where(np.isfinite(unsub), unsub, 0).astype(int)
    cu["unsubscribe_date"] = np.where(np.isfinite(unsub), B.fmt_date(B.DAYS[np.minimum(ud, B.N_DAYS - 1)]), "")
    out["customers"] = cu

    # loyalty points (signed: gain > 0, utilisation and expiration < 0)
    o = orders
    g = o[earned > 0]
    u = o[redeemed > 0]
    lp = pd.concat([
        pd.DataFrame({"customer_id": g["customer_id"], "date": g["order_date"], "type": "gain",
                      "points": earned[earned > 0], "order_id": g["order_id"]}),
        pd.DataFrame({"customer_id": u["customer_id"], "date": u["order_date"], "type": "utilisation",
                      "points": -redeemed[redeemed > 0], "order_id": u["order_id"]}),
        pd.DataFrame({"customer_id": cid[expiry["_cust"].to_numpy()],
                      "date": B.fmt_date(B.DAYS[np.minimum(expiry["day"].to_numpy(), B.N_DAYS - 1)]).to_numpy(),
                      "type": "expiration", "points": -expiry["points"].to_numpy(), "order_id": ""}),
    ], ignore_index=True)
    lp = lp[lp["date"] <= "2025-12-31"]
    tord = lp["type"].map({"gain": 0, "expiration": 1, "utilisation": 2})  # within a day
    lp = lp.assign(_t=tord).sort_values(["customer_id", "date", "_t", "order_id"], kind="stable")
    lp = lp.groupby(["customer_id", "date", "type"], sort=False, as_index=False).agg(
        points=("points", "sum"), order_id=("order_id", "first"))
    out["loyalty_points"] = lp.reset_index(drop=True)

    # campaigns and contacts, responses measured on the final orders
    camp = camp_truth["meta"]
    out["campaigns"], out["pressure_test"], extra_truth = campaigns.publish_tables(P, camp, contacts, camp_truth,
                                                                                   cid)
    out.update(extra_truth)
    cc = contacts.join(campaigns.contact_responses(contacts, camp, orders))
    cc["customer_id"] = cid[cc["_cust"].to_numpy()]
    out["campaign_contacts"] = cc[["campaign_id", "customer_id", "group", "contacted", "responded",
                                   "response_amount", "response_margin", "unsubscribed"]]

    # complaints
    okey = pd.Series(orders["order_id"].to_numpy(), index=orders["_key"].to_numpy())
    cm = comp.copy()
    cm["order_id"] = okey.reindex(cm["_order_key"].to_numpy()).to_numpy()
    cm["customer_id"] = cid[cm["_cust"].to_numpy()]
    cm["complaint_date"] = B.fmt_date(B.DAYS[cm["_day"].to_numpy()]).to_numpy()
    cm = cm.sort_values(["complaint_date", "order_id"], kind="stable").reset_index(drop=True)
    cm.insert(0, "complaint_id", B.ids("R", len(cm), 5))
    out["complaints"] = cm[["complaint_id", "customer_id", "order_id", "complaint_date", "reason", "channel",
                            "handling_days", "resolution", "compensation_eur"]]
    out["_complaints"] = cm

    # cost to serve
    out["cost_to_serve"], out["activity_costs"] = channels.make_costs(rng, P, c, orders, cm, contacts, unsub, camp,
                                                                          death_day)

    # ground truth
    dd = np.where(np.isfinite(death_day), death_day, 0).astype(int)
    truth = pd.DataFrame({
        "customer_id": cid,
        "purchase_rate": np.round(c["_lambda"].to_numpy(), 4),
        "dropout_prob": np.round(c["_p"].to_numpy(), 4),
        "mean_spend": np.round(P["gamma_gamma"]["p"] / c["_nu"].to_numpy(), 2),
        "alive_at_end": (~np.isfinite(death_day)).astype(int),
        "death_date": np.where(np.isfinite(death_day), B.fmt_date(B.DAYS[np.minimum(dd, B.N_DAYS - 1)]), ""),
        "engagement": np.round(c["_engagement"].to_numpy(), 3),
        "loyalty_effect_applied": member.astype(int),
        "uplift_type": np.array(B.UPLIFT_TYPES, dtype=object)[c["_uplift"].to_numpy()],
        "needs_segment": np.array(B.SEGMENTS, dtype=object)[c["_segment"].to_numpy()],
        "birth_date": B.fmt_date(c["_birth_date"]).to_numpy(),
        "deal_proneness": np.round(c["_deal"].to_numpy(), 3),
        **channels.channel_truth(c, death_day),
    })
    rate_end, exp_next = customers.expected_next_year(P, cal, c, ~np.isfinite(death_day), join_day,
                                                      truth["multichannel_effect_applied"].to_numpy() == 1)
    truth["relationship_trend"] = np.array(customers.TREND_CLASSES, dtype=object)[c["_trend_class"].to_numpy()]
    truth["trend_per_year"] = np.round(c["_growth"].to_numpy() - c["_decline"].to_numpy(), 4)
    truth["purchase_rate_end"] = np.round(rate_end, 4)
    truth["expected_purchases_2026"] = np.round(exp_next, 4)
    truth["pro_buyer"] = c["_pro"].to_numpy().astype(int)
    truth["home_category"] = np.array(B.CATEGORIES, dtype=object)[c["_home_cat"].to_numpy()]
    out["customers_truth"] = truth
    bg = P["bgnbd"]
    params = json.loads(json.dumps(P))
    params["bgnbd"] = {**bg, "alpha_days": round(bg["alpha_years"] * B.YEAR_DAYS, 4),
                       "alpha_weeks": round(bg["alpha_years"] * B.YEAR_DAYS / 7, 4),
                       "mean_purchase_rate_per_year": round(bg["r"] / bg["alpha_years"], 4),
                       "time_unit_note": "lambda_i ~ Gamma(r, alpha) in purchases per operational year; "
                                         "alpha scales with the time unit (alpha_weeks = alpha_years × 365.25 / 7)",
                       "process_note": "base draws of a shifted BG/NBD (dropout coin after every purchase, the "
                                       "first one included), then multiplied by the acquisition channel, trend "
                                       "and professional effects of 'purchases': a fitted BG/NBD is not expected "
                                       "to return these values"}
    gg = P["gamma_gamma"]
    params["gamma_gamma"] = {**gg, "mean_order_value_eur": round(gg["p"] * gg["gamma"] / (gg["q"] - 1), 2),
                             "note": "nu_i ~ Gamma(q, gamma) (rate gamma), order value ~ Gamma(p, nu_i); lifetimes names gamma 'v'"}
    params["campaign_truth"] = camp_truth["per_campaign"]
    params["marketing_truth"] = camp_truth["summary"]
    params["loyalty_truth"] = loyalty.points_truth(P, earned, redeemed, expiry, member)
    params["realised"] = {"n_customers": int(n), "n_orders": int(len(orders)),
                          "n_loyalty_members": int(member.sum()),
                          "n_alive_at_end": int((~np.isfinite(death_day)).sum()),
                          "n_multichannel_adopters": int(truth["multichannel_effect_applied"].sum())}
    out["_parameters"] = params
