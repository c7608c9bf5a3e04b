"""Our own categories: the publishers' labels mapped onto one small taxonomy.

Each publisher names its sections its own way (``bola``, ``Super Skor``,
``Sports``, ``sport`` are all sport; ``economy``, ``ekbis``, ``bisnis``,
``money`` all business). A filter or a facet on the raw labels splits one
topic into many and fails on the name a reader would type. The index stores
:func:`category_of` (one of ``CATEGORIES``) in the ``category`` column and
keeps the publisher's label as ``category_label``.

The rule, in order:

1. a label we know (``LABELS``, written by us from what publishers call their
   sections) maps to its category;
2. otherwise a label holding a word that names a topic (``KEYWORDS``:
   ``film indonesia`` holds ``film``) maps to that topic;
3. otherwise it is ``lainnya`` (other), and the raw label is still kept.

A query or filter value goes through :func:`category_key`: a category name or
any label the rule maps gives its category, in any case and spacing; anything
else stays as typed, so it matches nothing and the page can say so.
"""
from __future__ import annotations

OTHER = "lainnya"

# Our taxonomy, in the order a page lists it.
CATEGORIES = ("nasional", "daerah", "internasional", "ekonomi", "olahraga", "hiburan",
              "gaya-hidup", "kesehatan", "teknologi", "otomotif", "religi", OTHER)

_SECTIONS = {
    "nasional": ("news", "nasional", "berita utama", "peristiwa", "politik", "kriminal", "hukum",
                 "fokus", "kolom", "opini", "dpr ri", "dpd ri", "kilas kementerian", "pendidikan",
                 "difabel", "berita viral", "tribunners", "serbaserbi", "ragam", "nusantara"),
    "daerah": ("daerah", "regional", "metro", "metropolitan", "megapolitan", "jakarta",
               "berita sumut", "medan bung", "medan update", "humor medan", "jabodetabek"),
    "internasional": ("international", "internasional", "dunia", "global", "world"),
    "ekonomi": ("bisnis", "ekbis", "economy", "ekonomi", "money", "uang", "finance", "keuangan",
                "properti", "bea cukai", "pertamina", "business"),
    "olahraga": ("bola", "sports", "sport", "super skor", "detiksport", "olahraga", "sepakbola",
                 "sepak bola", "moto gp", "motogp", "badminton"),
    "hiburan": ("selebriti", "celebrity", "seleb", "entertainment", "news & entertainment", "tv",
                "televisi", "musik", "music", "film", "film internasional", "film indonesia", "korea",
                "showbiz", "sinetron", "artis", "hollywood", "hiburan", "k-pop", "kpop"),
    "gaya-hidup": ("lifestyle", "gaya", "gaya hidup", "cantik", "beauty", "fashion", "travel",
                   "kuliner", "food", "parenting", "pariwisata", "kisah nyata", "wanita", "relationship"),
    "kesehatan": ("health", "kesehatan", "sehat", "kalbe health corner"),
    "teknologi": ("tekno", "techno", "teknologi", "technology", "tech", "autotekno", "sains",
                  "science", "gadget", "inet"),
    "otomotif": ("otomotif", "oto", "automotive", "auto"),
    "religi": ("muslim", "haji", "religi", "ramadan", "islam"),
}
LABELS: dict[str, str] = {label: category for category, labels in _SECTIONS.items() for label in labels}

# Step 2: a word of a label we have not listed that names a topic on its own.
KEYWORDS = (
    ("olahraga", ("sport", "bola", "skor", "liga")),
    ("hiburan", ("seleb", "film", "musik", "artis", "entertain", "showbiz")),
    ("ekonomi", ("bisnis", "ekonomi", "economy", "finans", "money")),
    ("teknologi", ("tekno", "techno", "sains")),
    ("kesehatan", ("health", "sehat")),
    ("internasional", ("international", "internasional", "dunia")),
    ("otomotif", ("otomotif",)),
    ("daerah", ("daerah", "regional")),
    ("nasional", ("news", "berita", "nasional")),
)


def normal(label: str) -> str:
    """One spelling of a label: lower case, single spaces."""
    return " ".join(str(label).lower().split())


def known(value: str) -> str | None:
    """The category a category name or a label names (rules 1 and 2), or None."""
    text = normal(value)
    if text in CATEGORIES:
        return text
    if text in LABELS:
        return LABELS[text]
    for category, words in KEYWORDS:
        if any(word in text for word in words):
            return category
    return None


def category_of(label: str) -> str:
    """The category an article is filed under ("" when the publisher gave none)."""
    if not normal(label):
        return ""
    return known(label) or OTHER


def category_key(value: str) -> str:
    """A filter value as the index holds it: its category when it names one,
    else the value as typed (lower case), which matches nothing."""
    return known(value) or normal(value)


def labels_of(category: str) -> list[str]:
    """The publishers' labels the table maps to ``category`` (to show what it covers)."""
    return sorted(label for label, cat in LABELS.items() if cat == category)
