"""Reference lists and small helpers shared by the generator modules (private).

Everything here is deterministic: lists written by hand (regions, cities, product
catalogue, seasonality) and pure helpers (calendar, formatting, random choice by
rows). The generative model itself is described in ``crmlab.generator``.
Also the lists shared by several table families (channels, segments, reasons…) and the seasonal calendar.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2025-12-31")
N_DAYS = (END - START).days + 1  # 1096 days (2024 is a leap year)
DAYS = pd.date_range(START, END, freq="D")
YEAR_DAYS = 365.25

REGIONS = [
    "Île-de-France", "Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine", "Occitanie",
    "Hauts-de-France", "Grand Est", "Provence-Alpes-Côte d'Azur", "Pays de la Loire", "Bretagne",
]

# (city, postcode, region, population weight, number of Verdane stores)
CITIES = [
    ("Paris", "75011", "Île-de-France", 10, 3), ("Boulogne-Billancourt", "92100", "Île-de-France", 3, 1),
    ("Saint-Denis", "93200", "Île-de-France", 3, 1), ("Versailles", "78000", "Île-de-France", 2, 1),
    ("Créteil", "94000", "Île-de-France", 2, 1), ("Cergy", "95000", "Île-de-France", 2, 0),
    ("Évry-Courcouronnes", "91000", "Île-de-France", 2, 1), ("Meaux", "77100", "Île-de-France", 1, 0),
    ("Lyon", "69003", "Auvergne-Rhône-Alpes", 6, 2), ("Villeurbanne", "69100", "Auvergne-Rhône-Alpes", 2, 0),
    ("Grenoble", "38000", "Auvergne-Rhône-Alpes", 3, 1), ("Saint-Étienne", "42000", "Auvergne-Rhône-Alpes", 2, 1),
    ("Clermont-Ferrand", "63000", "Auvergne-Rhône-Alpes", 2, 1), ("Annecy", "74000", "Auvergne-Rhône-Alpes", 1, 0),
    ("Bordeaux", "33000", "Nouvelle-Aquitaine", 5, 1), ("Mérignac", "33700", "Nouvelle-Aquitaine", 1, 1),
    ("Limoges", "87000", "Nouvelle-Aquitaine", 2, 1), ("Poitiers", "86000", "Nouvelle-Aquitaine", 1, 0),
    ("Pau", "64000", "Nouvelle-Aquitaine", 1, 1), ("La Rochelle", "17000", "Nouvelle-Aquitaine", 1, 0),
    ("Toulouse", "31000", "Occitanie", 5, 2), ("Montpellier", "34000", "Occitanie", 4, 1),
    ("Nîmes", "30000", "Occitanie", 2, 1), ("Perpignan", "66000", "Occitanie", 1, 0),
    ("Béziers", "34500", "Occitanie", 1, 0),
    ("Lille", "59000", "Hauts-de-France", 5, 2), ("Roubaix", "59100", "Hauts-de-France", 2, 0),
    ("Amiens", "80000", "Hauts-de-France", 2, 1), ("Valenciennes", "59300", "Hauts-de-France", 1, 0),
    ("Arras", "62000", "Hauts-de-France", 1, 1),
    ("Strasbourg", "67000", "Grand Est", 4, 1), ("Reims", "51100", "Grand Est", 2, 1),
    ("Metz", "57000", "Grand Est", 2, 1), ("Nancy", "54000", "Grand Est", 2, 0),
    ("Mulhouse", "68100", "Grand Est", 1, 0),
    ("Marseille", "13008", "Provence-Alpes-Côte d'Azur", 6, 2), ("Nice", "06000", "Provence-Alpes-Côte d'Azur", 3, 1),
    ("Toulon", "83000", "Provence-Alpes-Côte d'Azur", 2, 1), ("Aix-en-Provence", "13100", "Provence-Alpes-Côte d'Azur", 2, 0),
    ("Avignon", "84000", "Provence-Alpes-Côte d'Azur", 1, 0),
    ("Nantes", "44000", "Pays de la Loire", 4, 1), ("Angers", "49000", "Pays de la Loire", 2, 1),
    ("Le Mans", "72000", "Pays de la Loire", 2, 0), ("Saint-Nazaire", "44600", "Pays de la Loire", 1, 0),
    ("Rennes", "35000", "Bretagne", 3, 1), ("Brest", "29200", "Bretagne", 2, 1),
    ("Quimper", "29000", "Bretagne", 1, 0), ("Vannes", "56000", "Bretagne", 1, 0),
    ("Lorient", "56100", "Bretagne", 1, 0),
]

CATEGORIES = ["maison", "cuisine", "jardin", "décoration", "textile", "jouets et loisirs", "bricolage"]
MARGIN_RATE = {"maison": 0.36, "cuisine": 0.34, "jardin": 0.33, "décoration": 0.48,
               "textile": 0.50, "jouets et loisirs": 0.38, "bricolage": 0.30}
# monthly weight of each category (January … December)
CATEGORY_SEASON = {
    "maison":            [1.1, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 0.9, 1.1, 1.1, 1.1, 1.0],
    "cuisine":           [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 1.0, 1.0, 1.2, 1.4],
    "jardin":            [0.3, 0.5, 1.4, 2.4, 2.6, 2.0, 1.3, 0.8, 0.7, 0.5, 0.3, 0.3],
    "décoration":        [0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.8, 2.4],
    "textile":           [1.4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 0.9, 1.1, 1.1, 1.2, 1.2],
    "jouets et loisirs": [0.6, 0.6, 0.7, 0.8, 0.8, 1.0, 1.2, 1.1, 0.8, 1.0, 2.2, 3.4],
    "bricolage":         [0.9, 1.0, 1.3, 1.5, 1.4, 1.1, 0.9, 0.8, 1.1, 1.1, 0.8, 0.6],
}

# product catalogue: (category, product name, list price €)
PRODUCTS = {
    "maison": [("Aspirateur balai", 189), ("Lampe de chevet", 29), ("Étagère murale", 39),
               ("Boîte de rangement (lot de 3)", 19), ("Miroir rond 60 cm", 59), ("Tapis de bain", 15),
               ("Corbeille à linge", 17), ("Portemanteau", 45), ("Table basse chêne", 219),
               ("Chaise scandinave", 69), ("Fauteuil en rotin", 249), ("Commode 4 tiroirs", 329),
               ("Ampoule LED (lot de 4)", 9), ("Multiprise parafoudre", 22), ("Poubelle à pédale", 35),
               ("Séchoir à linge", 42), ("Purificateur d'air", 159), ("Horloge murale", 32),
               ("Range-chaussures", 55), ("Lampadaire arc", 119), ("Canapé 3 places", 699)],
    "cuisine": [("Poêle 28 cm", 35), ("Batterie de casseroles", 129), ("Couteau de chef", 49),
                ("Planche à découper", 18), ("Robot pâtissier", 299), ("Bouilloire", 39),
                ("Cafetière à piston", 27), ("Machine à expresso", 249), ("Service de table 18 pièces", 79),
                ("Verres à vin (lot de 6)", 24), ("Mixeur plongeant", 45), ("Cocotte en fonte", 119),
                ("Boîtes hermétiques (lot de 5)", 21), ("Grille-pain", 42), ("Balance de cuisine", 19),
                ("Moule à gâteau", 12), ("Tablier en lin", 16), ("Plat à four", 25),
                ("Friteuse sans huile", 129), ("Théière en fonte", 45), ("Égouttoir à vaisselle", 22)],
    "jardin": [("Tondeuse électrique", 229), ("Sécateur", 25), ("Tuyau d'arrosage 25 m", 39),
               ("Salon de jardin 4 places", 449), ("Parasol déporté", 169), ("Barbecue charbon", 129),
               ("Plancha gaz", 299), ("Terreau universel 50 L", 11), ("Jardinière 80 cm", 19),
               ("Graines potagères (assortiment)", 8), ("Coupe-bordure", 79), ("Taille-haie", 119),
               ("Hamac", 59), ("Brouette", 69), ("Composteur 400 L", 89),
               ("Guirlande solaire", 24), ("Transat", 49), ("Arrosoir 10 L", 14),
               ("Serre de jardin", 349), ("Gants de jardinage", 9), ("Bâche de protection", 29)],
    "décoration": [("Bougie parfumée", 14), ("Vase en céramique", 29), ("Cadre photo", 12),
                   ("Coussin velours", 19), ("Plaid en laine", 49), ("Guirlande lumineuse", 16),
                   ("Sapin artificiel 180 cm", 129), ("Boules de Noël (lot de 12)", 15), ("Plante artificielle", 35),
                   ("Tableau toile", 79), ("Photophore", 11), ("Lanterne", 27),
                   ("Diffuseur de parfum", 22), ("Suspension en rotin", 69), ("Couronne de l'Avent", 25),
                   ("Statuette", 39), ("Miroir soleil", 89), ("Calendrier de l'Avent", 19),
                   ("Rideaux occultants", 45), ("Tapis berbère", 159), ("Centre de table", 33)],
    "textile": [("Parure de lit 240x220", 59), ("Drap-housse", 19), ("Couette tempérée", 79),
                ("Oreiller (lot de 2)", 35), ("Serviettes de bain (lot de 4)", 29), ("Nappe en coton", 27),
                ("Peignoir", 39), ("Torchons (lot de 3)", 9), ("Housse de canapé", 49),
                ("Jeté de lit", 69), ("Chaussons", 15), ("Rideau voilage", 19),
                ("Couverture polaire", 22), ("Surmatelas", 99), ("Linge de table (set)", 35),
                ("Coussin de sol", 29), ("Protège-matelas", 25), ("Serviettes de plage", 17),
                ("Parure de lit enfant", 39), ("Plaid imprimé", 25), ("Tapis de salon", 129)],
    "jouets et loisirs": [("Jeu de société familial", 29), ("Puzzle 1000 pièces", 15), ("Ballon de football", 12),
                          ("Trottinette", 79), ("Vélo enfant 16 pouces", 149), ("Jeu de construction", 49),
                          ("Peluche", 19), ("Kit de peinture", 25), ("Tente de camping 4 places", 129),
                          ("Table de ping-pong", 349), ("Trampoline 3 m", 299), ("Piscine hors-sol", 249),
                          ("Jeu de pétanque", 29), ("Poupée", 35), ("Circuit de voitures", 59),
                          ("Cerf-volant", 16), ("Raquettes de badminton", 22), ("Jeu de cartes", 8),
                          ("Maison de poupée", 119), ("Console de jeux rétro", 89), ("Kit de loisirs créatifs", 19)],
    "bricolage": [("Perceuse-visseuse", 99), ("Coffret d'outils", 69), ("Escabeau 5 marches", 59),
                  ("Peinture murale 2,5 L", 35), ("Rouleau et bac", 12), ("Niveau à bulle", 15),
                  ("Scie sauteuse", 79), ("Ponceuse", 65), ("Visserie (assortiment)", 14),
                  ("Mètre ruban", 9), ("Établi pliant", 89), ("Meuleuse", 75),
                  ("Aspirateur d'atelier", 119), ("Colle de montage", 8), ("Ruban de masquage", 5),
                  ("Lampe frontale", 19), ("Boîte à outils", 29), ("Serre-joints (lot de 4)", 25),
                  ("Scie circulaire", 139), ("Pistolet à colle", 18), ("Échelle télescopique", 149)],
}


def season_profile(days: pd.DatetimeIndex) -> np.ndarray:
    """Daily purchase intensity with mean 1 over the window.

    Peaks: Christmas (Nov–Dec), January and July sales, spring gardening;
    Saturday is the busiest day, Sunday the quietest (stores closed).
    """
    doy = days.day_of_year.to_numpy().astype(float)

    def bump(centre: float, width: float, height: float) -> np.ndarray:
        d = np.minimum(np.abs(doy - centre), 366 - np.abs(doy - centre))  # circular distance
        return height * np.exp(-0.5 * (d / width) ** 2)

    s = (1.0 + bump(345, 18, 1.0) + bump(325, 10, 0.35) + bump(18, 8, 0.45)
         + bump(190, 8, 0.35) + bump(115, 25, 0.25) - bump(225, 12, 0.25))
    weekly = np.array([0.85, 0.85, 1.0, 0.9, 1.05, 1.6, 0.75])[days.day_of_week.to_numpy()]
    s = s * weekly
    return s / s.mean()


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix (rows need not be normalised)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def ids(prefix: str, n: int, width: int, start: int = 1) -> np.ndarray:
    """Zero-padded identifiers ``prefix000001`` … as an object array."""
    return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], dtype=object)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name for e-mail addresses (``Hélène-Marie`` → ``helene-marie``)."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in norm.lower() if ch.isalnum() or ch in "-.")


def fmt_date(values) -> pd.Series:
    """ISO dates ``YYYY-MM-DD`` as strings (missing → empty)."""
    s = pd.Series(pd.to_datetime(values))
    return s.dt.strftime("%Y-%m-%d").fillna("")


def fmt_datetime(values) -> pd.Series:
    """ISO datetimes ``YYYY-MM-DD HH:MM:SS`` as strings (missing → empty)."""
    s = pd.Series(pd.to_datetime(values))
    return s.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct French mobile numbers as 10-digit strings ``06xxxxxxxx`` / ``07xxxxxxxx``."""
    body = rng.choice(100_000_000, size=n, replace=False)
    prefix = np.where(rng.random(n) < 0.75, "06", "07")
    return np.array([f"{p}{b:08d}" for p, b in zip(prefix, body)], dtype=object)


def format_phone(digits: str, style: str = "spaces") -> str:
    """Format ``0612345678`` as ``06 12 34 56 78`` (spaces), ``+33612345678`` (intl) or ``06.12.34.56.78`` (dots)."""
    if style == "intl":
        return "+33" + digits[1:]
    if style == "dots":
        return ".".join(digits[i:i + 2] for i in range(0, 10, 2))
    if style == "plain":
        return digits
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


CHANNELS = ["magasin", "site web", "application", "téléphone"]
DELIVERY = ["retrait magasin", "livraison domicile", "point relais"]
ACQ_CHANNELS = ["magasin", "site web", "application", "parrainage", "marketplace"]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
SEGMENTS = ["économes", "esthètes", "pragmatiques", "engagés"]
UPLIFT_TYPES = ["persuadable", "acquis", "perdu d'avance", "chien qui dort"]
EMAIL_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr",
                 "outlook.fr", "yahoo.fr", "wanadoo.fr", "icloud.com"]
# category preference by needs segment (rows: SEGMENTS, columns: CATEGORIES)
SEGMENT_CATEGORY = np.array([
    [1.2, 1.2, 1.0, 0.6, 1.0, 1.0, 1.0],
    [1.0, 0.9, 0.7, 2.0, 1.6, 0.8, 0.5],
    [1.0, 1.0, 1.3, 0.6, 0.7, 0.9, 2.0],
    [1.0, 1.1, 1.8, 0.9, 0.9, 1.0, 0.8],
])



class Calendar:
    """Seasonal time warp: operational time (years) ↔ calendar day index."""

    def __init__(self) -> None:
        self.s = season_profile(DAYS)
        self.cum = np.concatenate([[0.0], np.cumsum(self.s) / YEAR_DAYS])

    def op(self, day: np.ndarray, frac: np.ndarray | float = 0.0) -> np.ndarray:
        """Operational time of a point ``frac`` of the way into calendar day ``day``."""
        day = np.asarray(day)
        return self.cum[day] + frac * self.s[day] / YEAR_DAYS

    def day(self, u: np.ndarray) -> np.ndarray:
        """Calendar day index (may be ``N_DAYS`` or more when beyond the window) of op time ``u``."""
        return np.searchsorted(self.cum, u, side="right") - 1


def day_index(date: str) -> int:
    """Index of an ISO date in the window."""
    return (pd.Timestamp(date) - START).days


REASONS_DELIVERY = ["retard de livraison", "produit défectueux", "erreur de commande", "remboursement", "facturation"]
REASONS_STORE = ["accueil en magasin", "produit défectueux", "remboursement", "facturation"]
RESOLUTIONS = ["résolue – satisfait", "résolue – insatisfait", "non résolue"]

# ---------------------------------------------------------------------- campaigns
CONSENT = {"e-mail": "consent_email", "SMS": "consent_sms", "courrier": "consent_post"}

ORDER_HOURS = {  # relative weight of each hour 0–23 by channel
    "magasin": [0] * 9 + [3, 6, 8, 6, 5, 6, 7, 8, 9, 7, 3] + [0] * 4,
    "site web": [1, 0.5, 0.2, 0.1, 0.1, 0.2, 0.6, 1.5, 2.5, 3, 3.2, 3.2, 3.5, 3.5, 3.2, 3.2, 3.3, 3.8, 4.5, 5.5, 6.5, 6, 4.5, 2.5],
    "application": [1.5, 0.8, 0.3, 0.1, 0.1, 0.3, 1, 2.2, 2.5, 2.5, 2.6, 2.8, 3.8, 3.5, 2.8, 2.8, 3, 3.5, 4.5, 5.8, 7, 7, 5.5, 3],
    "téléphone": [0] * 8 + [4, 6, 7, 6, 4, 4, 6, 6, 5, 4, 3, 2] + [0] * 4,
}



SOURCES = ["caisse", "site web", "application", "centre de contact", "carte fidélité"]
SOURCE_PREFIX = {"caisse": "CAI", "site web": "WEB", "application": "APP", "centre de contact": "CRC",
                 "carte fidélité": "FID"}
NICKNAMES = {
    "Alexandre": "Alex", "Nicolas": "Nico", "Christophe": "Chris", "Frédéric": "Fred", "Sébastien": "Seb",
    "Maximilien": "Max", "Maxime": "Max", "Thomas": "Tom", "Philippe": "Phil", "Dominique": "Dom",
    "Catherine": "Cathy", "Isabelle": "Isa", "Stéphanie": "Steph", "Élisabeth": "Babeth", "Jean-Baptiste": "JB",
    "Guillaume": "Guigui", "Benjamin": "Ben", "Mathieu": "Matt", "Valentin": "Val", "Alexandra": "Alex",
    "Caroline": "Caro", "Virginie": "Virgi", "Patricia": "Pat", "Sylvie": "Sylv", "Timothée": "Tim",
    "Anthony": "Tony", "Antoine": "Toinou", "Margaux": "Margot", "Élodie": "Élo", "Véronique": "Véro",
    "Jacqueline": "Jacky", "Jacques": "Jacky", "Robert": "Bob", "Emmanuel": "Manu", "Emmanuelle": "Manue",
    "Françoise": "Fanfan", "Julien": "Ju", "Charlotte": "Charlie", "Louis": "Loulou", "Mathilde": "Mathou",
}
ACCENTS = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÂÎÔÙÇ", "eeeeaaaiioouuucEEEAAIOUC")


HOLIDAYS_2025 = ["2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09",
                 "2025-07-14", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"]
