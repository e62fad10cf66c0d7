"""Word lists for the offline prompt parser, shared with the style engine.

The exported sets (`ARTISTS`, `MOVEMENTS`, `MEDIA`, `PLACES`, `COLORS`, `ACCESSORIES`) hold
lowercase entries in both spellings, accented and accent-folded ("forêt" and "foret"), so a
caller can look up either form; `normalize` gives the folded form of any text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = "\u2019\u2018`\u00b4\u02bc"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    low = char.lower()
    if len(low) != 1:
        return char
    if low == "à":
        return low
    if low in _APOSTROPHES:
        return "'"
    if low in _HYPHENS:
        return "-"
    base = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    return base if len(base) == 1 else low


def fold(text: str) -> str:
    """Lowercase and strip accents character by character, so indexes still match `text`.

    'à' survives folding: it is what tells the French preposition from the English article.
    """
    return "".join(_fold_char(c) for c in text)


def normalize(text: str) -> str:
    """The lookup form of a word or phrase: lowercase, no accents, single spaces."""
    return " ".join(fold(text).replace("à", "a").split())


# --- styles ---------------------------------------------------------------------------------

_ARTISTS = (
    "van gogh", "vincent van gogh", "monet", "claude monet", "hokusai", "seurat", "georges seurat",
    "picasso", "pablo picasso", "munch", "edvard munch", "turner", "william turner", "kandinsky",
    "klimt", "gustav klimt", "warhol", "andy warhol", "lichtenstein", "roy lichtenstein",
    "rembrandt", "vermeer", "da vinci", "leonardo da vinci", "léonard de vinci", "de vinci",
    "dalí", "salvador dalí", "matisse", "henri matisse", "cézanne", "paul cézanne", "renoir",
    "magritte", "rené magritte", "hopper", "edward hopper", "pollock", "jackson pollock",
    "mondrian", "piet mondrian", "miyazaki", "hayao miyazaki", "ghibli", "studio ghibli",
    "frida kahlo", "kahlo", "basquiat", "banksy", "botticelli", "caravaggio", "le caravage",
    "michelangelo", "michel-ange", "raphael", "raphaël", "goya", "velázquez", "vélasquez",
    "degas", "manet", "gauguin", "toulouse-lautrec", "modigliani", "chagall", "miró", "escher",
    "hiroshige", "bosch", "bruegel", "rubens", "titian", "titien", "hockney", "david hockney",
    "rothko", "schiele", "egon schiele", "mucha", "alphonse mucha", "moebius", "hergé",
    "tim burton", "wes anderson", "pixar", "disney", "norman rockwell", "caillebotte",
    "pissarro", "sisley", "morisot", "courbet", "delacroix", "ingres", "watteau", "fragonard",
    "bouguereau", "whistler", "sargent", "georgia o'keeffe", "o'keeffe", "keith haring",
    "arcimboldo", "vasarely", "dürer", "holbein", "el greco", "giger", "francis bacon",
    "hundertwasser", "lautrec", "friedrich", "caspar david friedrich", "bob ross",
    "tom and jerry", "rick and morty", "calvin and hobbes", "the simpsons", "simpsons",
)

_MOVEMENTS_EN = (
    "impressionism", "impressionist", "post-impressionism", "post-impressionist", "pointillism",
    "pointillist", "cubism", "cubist", "expressionism", "expressionist", "abstract expressionism",
    "surrealism", "surrealist", "surreal", "pop art", "art nouveau", "art deco", "ukiyo-e",
    "fauvism", "fauvist", "futurism", "futurist", "abstract", "minimalism", "minimalist",
    "baroque", "renaissance", "romanticism", "realism", "hyperrealism", "hyperrealistic",
    "photorealistic", "dada", "dadaism", "bauhaus", "constructivism", "op art", "street art",
    "graffiti", "cyberpunk", "steampunk", "vaporwave", "synthwave", "gothic", "vintage", "retro",
    "film noir", "psychedelic", "low poly", "naive art", "art brut", "kawaii", "chibi", "8-bit",
    "16-bit", "fantasy", "noir film", "rock and roll", "pre-raphaelite", "rococo", "neoclassical",
)

_MOVEMENTS_FR = (
    "impressionnisme", "impressionniste", "post-impressionnisme", "post-impressionniste",
    "pointillisme", "pointilliste", "cubisme", "cubiste", "expressionnisme", "expressionniste",
    "surréalisme", "surréaliste", "art déco", "fauvisme", "fauve", "futurisme", "futuriste",
    "abstrait", "abstraite", "minimalisme", "minimaliste", "romantisme", "réalisme",
    "hyperréalisme", "hyperréaliste", "photoréaliste", "dadaïsme", "constructivisme",
    "gothique", "rétro", "psychédélique", "art naïf", "préraphaélite", "néoclassique",
)

_MEDIA_EN = (
    "watercolor", "watercolour", "oil painting", "oil paint", "oil", "acrylic", "pencil",
    "pencil sketch", "pencil drawing", "colored pencil", "coloured pencil", "graphite",
    "crayon", "charcoal", "ink", "india ink", "pen and ink", "ink wash", "sketch", "drawing",
    "line art", "comic", "comic book", "cartoon", "anime", "manga", "pixel art", "mosaic",
    "stained glass", "pastel", "gouache", "engraving", "etching", "woodcut", "woodblock",
    "woodblock print", "linocut", "halftone", "poster", "propaganda poster", "sepia",
    "claymation", "clay", "lego", "origami", "papercut", "paper cut", "collage", "fresco",
    "tapestry", "embroidery", "3d render", "vector art", "flat design", "illustration",
    "storybook", "sumi-e", "chalk", "marker", "spray paint", "blueprint", "tattoo", "mural",
    "ascii art", "cel shading", "cel-shaded", "lithograph", "screen print", "risograph",
    "impasto", "tempera", "needlepoint", "cross-stitch", "mosaic tiles", "old photo", "minecraft",
    "roblox", "video game", "lego minifig", "cartoonized", "cartoonish", "animation", "animated",
    "silhouette", "sepia toned", "sepia tone", "black light", "pixel", "cartoony", "posterized",
    "posterised", "posterize", "posterise", "cartoonize", "cartoonise", "vectorized", "pop-art",
    "hand-drawn", "hand drawn", "hand-painted", "painterly", "realistic", "hyper-realistic",
    "cinematic", "3d", "3d animation", "cgi",
    "old photograph", "vintage photo", "polaroid", "daguerreotype", "tintype",
)

_MEDIA_FR = (
    "aquarelle", "peinture à l'huile", "huile", "acrylique", "crayon de couleur",
    "crayons de couleur", "fusain", "encre", "encre de chine", "croquis", "esquisse", "dessin",
    "bande dessinée", "bd", "dessin animé", "mosaïque", "vitrail", "vitraux", "gravure",
    "eau-forte", "gravure sur bois", "linogravure", "trame", "affiche", "sépia",
    "pâte à modeler", "papier découpé", "fresque", "tapisserie", "broderie", "rendu 3d",
    "estampe", "estampe japonaise", "craie", "feutre", "bombe de peinture", "tatouage",
    "peinture murale", "lithographie", "sérigraphie", "dessin au crayon", "vieille photo",
    "photo ancienne", "ancienne photo",
)

# --- scenes -----------------------------------------------------------------------------------

_PLACES_EN = (
    "beach", "seaside", "shore", "coast", "ocean", "sea", "lake", "river", "waterfall", "forest",
    "woods", "jungle", "rainforest", "city", "cityscape", "skyline", "downtown", "town",
    "village", "street", "alley", "road", "highway", "bridge", "mountain", "hill", "valley",
    "canyon", "cliff", "desert", "dune", "snow", "snowy", "ice", "glacier", "arctic",
    "antarctica", "space", "outer space", "galaxy", "starry sky", "sky", "clouds", "moon",
    "mars", "planet", "underwater", "under the sea", "island", "park", "garden", "field",
    "meadow", "farm", "countryside", "cave", "volcano", "swamp", "room", "living room",
    "bedroom", "kitchen", "bathroom", "office", "library", "classroom", "restaurant", "cafe",
    "bar", "studio", "stage", "castle", "palace", "temple", "church", "cathedral", "ruins",
    "museum", "station", "subway", "airport", "market", "harbor", "harbour", "port", "pier",
    "boat", "rooftop", "skyscraper", "space station", "spaceship", "sunset", "sunrise", "dawn",
    "dusk", "twilight", "night", "nighttime", "midnight", "golden hour", "noon", "morning",
    "evening", "rain", "rainy", "storm", "stormy", "fog", "foggy", "mist", "misty", "winter",
    "summer", "autumn", "halloween", "christmas", "landscape", "wonderland", "battlefield",
    "stadium", "playground", "swimming pool", "pool", "savanna", "savannah", "tundra",
    "prairie", "lawn", "backyard", "house", "mansion", "cabin", "hotel", "school", "theater",
    "theatre", "cinema", "paris", "london", "new york", "tokyo", "rome", "venice", "egypt",
    "sahara", "himalayas", "alps", "hawaii", "las vegas", "hollywood", "manhattan",
    "times square", "eiffel tower", "amazon", "africa", "japan", "fairyland", "meadows",
    "grassland", "wilderness", "scenery", "tropics", "tropical", "oasis", "coral reef", "reef",
    "rocket launch", "launch pad", "concert", "festival", "carnival", "circus", "zoo", "aquarium",
    "party", "cocktail party", "wedding", "ballroom", "gala", "red carpet", "runway", "catwalk",
    "pasture", "pastures", "grass", "hospital", "gym", "courtroom", "prison", "jail", "battlefield",
    "trench", "graveyard", "cemetery", "parking lot", "driveway", "nebula", "the moon",
    # weather and time of day, however the prompt says it ("what if it were raining?")
    "raining", "snowing", "snowfall", "snowstorm", "blizzard", "thunderstorm", "lightning storm",
    "rainstorm", "hail", "sunny", "cloudy", "overcast", "windy", "daytime", "daylight", "day time",
    "nighttime", "night time", "night-time", "springtime", "spring", "fall", "new year", "easter",
)

_PLACES_FR = (
    "plage", "bord de mer", "mer", "océan", "lac", "rivière", "fleuve", "cascade", "forêt",
    "bois", "jungle", "ville", "village", "rue", "ruelle", "route", "pont", "montagne",
    "colline", "vallée", "falaise", "désert", "dune", "neige", "enneigé", "enneigée", "glace",
    "espace", "galaxie", "ciel", "ciel étoilé", "nuages", "lune", "planète", "sous l'eau",
    "sous-marin", "fond marin", "fonds marins", "île", "parc", "jardin", "champ", "prairie",
    "ferme", "campagne", "grotte", "volcan", "marais", "pièce", "salon", "chambre", "cuisine",
    "salle de bain", "bureau", "bibliothèque", "café", "scène", "château", "palais", "église",
    "cathédrale", "ruines", "musée", "gare", "métro", "aéroport", "marché", "quai", "bateau",
    "toit", "gratte-ciel", "coucher de soleil", "coucher du soleil", "lever de soleil",
    "lever du soleil", "aube", "crépuscule", "nuit", "minuit", "soir", "soirée", "matin",
    "pluie", "orage", "brouillard", "brume", "hiver", "été", "automne", "printemps", "noël",
    "paysage", "stade", "piscine", "pelouse", "savane", "maison", "cabane", "hôtel", "école",
    "théâtre", "cinéma", "londres", "venise", "égypte", "tour eiffel", "montagnes", "alpes",
    "amazonie", "afrique", "japon", "tropiques", "récif", "concert", "festival", "cirque", "zoo",
    "pleut", "pluvieux", "pluvieuse", "neigeux", "neigeuse", "ensoleillé", "ensoleillée", "nuageux",
    "nuageuse", "orageux", "orageuse", "tempête", "grêle", "jour", "en plein jour", "plein jour",
    "de nuit", "nocturne", "heure dorée",
)

# --- colours ------------------------------------------------------------------------------------

_COLORS_EN = (
    "red", "blue", "green", "yellow", "orange", "purple", "violet", "pink", "brown", "black",
    "white", "gray", "grey", "gold", "golden", "silver", "teal", "turquoise", "cyan", "magenta",
    "beige", "navy", "maroon", "crimson", "scarlet", "lavender", "indigo", "lilac", "mauve",
    "ivory", "cream", "tan", "bronze", "copper", "coral", "salmon", "mint", "olive", "khaki",
    "burgundy", "emerald", "ruby", "amber", "ochre", "ocher", "aqua", "azure", "cobalt",
    "fuchsia", "peach", "rose", "chartreuse", "lime", "sapphire", "vermilion", "plum",
    "sky blue", "navy blue", "baby blue", "baby pink", "royal blue", "forest green",
    "olive green", "lime green", "blood red", "jet black", "midnight blue", "cherry red",
    "lemon yellow", "emerald green", "ice blue", "hot pink", "fire engine red", "off white",
    "reddish", "purplish", "bluish", "greenish", "yellowish", "pinkish", "brownish", "greyish",
    "grayish", "orangish", "orangey", "blond", "blonde", "platinum", "auburn", "rainbow", "multicolored",
    "multicoloured", "multicolor", "multicolour",
)

_COLORS_FR = (
    "rouge", "rouges", "bleu", "bleue", "bleus", "bleues", "vert", "verte", "verts", "vertes",
    "jaune", "jaunes", "violette", "violets", "violettes", "rose", "roses", "marron", "brun",
    "brune", "bruns", "brunes", "noir", "noire", "noirs", "noires", "blanc", "blanche", "blancs",
    "blanches", "gris", "grise", "grises", "doré", "dorée", "dorés", "dorées", "argent",
    "argenté", "argentée", "argentés", "argentées", "bordeaux", "pourpre", "lilas", "ivoire",
    "crème", "kaki", "corail", "saumon", "émeraude", "ocre", "cuivre", "cuivré", "cuivrée",
    "azur", "anthracite", "fuchsia", "turquoise", "orange", "magenta", "cyan", "beige", "mauve",
    "indigo", "vermillon", "écarlate", "pêche", "prune", "bleu ciel", "bleu marine",
    "bleu nuit", "bleu roi", "bleu canard", "bleu pétrole", "vert sapin", "vert pomme",
    "vert émeraude", "vert bouteille", "vert d'eau", "rouge sang", "rose bonbon",
    "jaune citron", "noir de jais", "blanc cassé",
)

# --- things a subject can wear or hold (tells "in a tuxedo" from "in a forest") ---------------

_ACCESSORIES_EN = (
    "hat", "cap", "sunglasses", "glasses", "crown", "scarf", "tie", "bow tie", "necklace",
    "earrings", "mask", "helmet", "suit", "tuxedo", "dress", "coat", "jacket", "costume", "cape",
    "wings", "halo", "backpack", "umbrella", "uniform", "armor", "armour", "robe", "kimono",
    "sweater", "hoodie", "shirt", "t-shirt", "gloves", "boots", "shoes", "bandana", "beret",
    "top hat", "cowboy hat", "party hat", "wizard hat", "monocle", "mustache", "moustache",
    "beard", "collar", "bow", "flower crown", "tiara", "headphones", "jersey", "apron", "veil",
)

_ACCESSORIES_FR = (
    "chapeau", "casquette", "lunettes", "lunettes de soleil", "couronne", "écharpe", "cravate",
    "nœud papillon", "noeud papillon", "collier", "boucles d'oreilles", "masque", "casque",
    "costume", "robe", "manteau", "veste", "cape", "ailes", "auréole", "sac à dos", "parapluie",
    "uniforme", "armure", "kimono", "pull", "sweat", "chemise", "gants", "bottes", "chaussures",
    "béret", "haut-de-forme", "moustache", "barbe", "tiare", "casque audio", "maillot",
    "tablier", "voile", "smoking",
)


def _spellings(*groups: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for group in groups for e in group for w in (e.lower(), normalize(e)))


ARTISTS = _spellings(_ARTISTS)
MOVEMENTS = _spellings(_MOVEMENTS_EN, _MOVEMENTS_FR)
MEDIA = _spellings(_MEDIA_EN, _MEDIA_FR)
PLACES = _spellings(_PLACES_EN, _PLACES_FR)
COLORS = _spellings(_COLORS_EN, _COLORS_FR)
ACCESSORIES = _spellings(_ACCESSORIES_EN, _ACCESSORIES_FR)

# --- language hints -------------------------------------------------------------------------------

_FR_FUNCTION = (
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "sur", "dans", "avec", "à",
    "au", "aux", "et", "en", "ce", "cet", "cette", "ces", "pour", "par", "qui", "que", "qu'",
    "sous", "chez", "tu", "vous", "te", "moi", "lui", "elle", "il", "ils", "est", "sont", "s'",
    "plaît", "plait", "mon", "ma", "mes", "son", "sa", "ses", "leur", "très", "peu", "plus",
    "moins", "fond", "façon", "manière", "comme", "puis", "ainsi", "mets", "met", "mettre",
    "ajoute", "ajouter", "rajoute", "rends", "rendre", "peins", "peindre", "donne", "donner",
    "fais", "faire", "transforme", "transformer", "remplace", "remplacer", "déplace", "placer",
    "couleur", "couleurs", "tableau", "peinture", "arrière-plan", "lumineux", "lumineuse",
    "sombre", "clair", "claire", "chaud", "chaude", "froid", "froide", "net", "nette", "flou",
    "floue", "niveaux", "saturé", "saturée", "contraste", "chat", "chien", "voiture", "mur",
    "ciel", "chapeau", "lunettes", "peux", "pourrais", "veux", "voudrais", "j'", "n'", "ne",
    "pas", "où", "ou", "ça", "cela", "ceci", "entre", "vers", "près", "côté", "devant",
    "derrière", "soleil", "homme", "femme", "fille", "garçon", "enfant", "oiseau", "effet", "filtre",
    "rendu", "enlève", "enlever", "supprime", "supprimer", "efface", "effacer", "retire", "retirer", "sans",
    "garde", "floute", "éclaircis", "assombris", "rapproche", "vieillis", "rajeunis", "teinte", "lumière",
)

_EN_FUNCTION = (
    "the", "a", "an", "on", "in", "at", "with", "and", "of", "to", "it", "its", "make", "put",
    "add", "give", "turn", "replace", "into", "more", "less", "please", "background", "this",
    "that", "is", "are", "my", "his", "her", "by", "as", "like", "look", "looks", "then", "also",
    "some", "paint", "color", "colour", "can", "you", "could", "would", "picture", "painting",
    "wearing", "show", "move", "set", "change", "brighter", "darker", "warmer", "cooler",
    "sharper", "cat", "dog", "car", "wall", "sky", "hat", "from", "over", "under", "for", "be",
    "them", "him", "she", "he", "they", "up", "down", "very", "much", "bit", "little", "photo",
    "image", "man", "woman", "girl", "boy", "child", "bird", "sunglasses", "shirt", "should",
)


def _tokens(entries: tuple[str, ...]) -> set[str]:
    return {t for e in entries for t in re.findall(r"[^\W\d_]+'?", fold(e))}


_FR_LEXICON = _tokens(_MOVEMENTS_FR + _MEDIA_FR + _PLACES_FR + _COLORS_FR + _ACCESSORIES_FR)
_EN_LEXICON = _tokens(_MOVEMENTS_EN + _MEDIA_EN + _PLACES_EN + _COLORS_EN + _ACCESSORIES_EN)

# Folded tokens that point to one language; words both languages share count for neither.
_FR_ALL = _tokens(_FR_FUNCTION) | _FR_LEXICON
_EN_ALL = _tokens(_EN_FUNCTION) | _EN_LEXICON
FRENCH_HINTS = frozenset(_FR_ALL - _EN_LEXICON)
ENGLISH_HINTS = frozenset(_EN_ALL - _FR_ALL)
# Content words (styles, places, colours) travel between languages ("effet vintage"); grammar
# words do not: a hint from the lexicon alone weighs half.
LEXICON_ONLY_HINTS = frozenset((FRENCH_HINTS - _tokens(_FR_FUNCTION)) | (ENGLISH_HINTS - _tokens(_EN_FUNCTION)))
