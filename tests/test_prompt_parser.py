"""The offline prompt parser: English and French prompts into typed sub-tasks."""

from __future__ import annotations

import pytest

from imgvar.plan import ADJUSTMENTS, TASK_KINDS, Plan
from imgvar.prompt import detect_language, parse_prompt
from imgvar.prompt.lexicon import ARTISTS, COLORS, MEDIA, MOVEMENTS, PLACES


def style(name):
    return ("style", {"style": name})


def recontext(setting, subject=None, preposition=None):
    return ("recontext", {"subject": subject, "setting": setting, "preposition": preposition})


def add(obj, where=None):
    return ("add_object", {"object": obj, "where": where})


def recolor(color, target=None):
    return ("recolor", {"target": target, "color": color})


def adjust(adjustment, direction="increase"):
    return ("adjust", {"adjustment": adjustment, "direction": direction})


OTHER = ("other", {})


def remove(obj, where=None):
    return ("remove_object", {"object": obj, "where": where})


def replace(target, replacement):
    return ("replace_object", {"target": target, "replacement": replacement})


def move(obj, where):
    return ("move", {"object": obj, "where": where})

CASES = [
    # --- style, English
    ("in Van Gogh style", [style("van gogh")]),
    ("style Van Gogh", [style("van gogh")]),
    ("in the style of Van Gogh", [style("van gogh")]),
    ("Van Gogh", [style("van gogh")]),
    ("Ghibli-style", [style("ghibli")]),
    ("in a Studio Ghibli style", [style("studio ghibli")]),
    ("in Van Gogh's style", [style("van gogh")]),
    ("as a watercolor painting", [style("watercolor")]),
    ("as an oil painting", [style("oil painting")]),
    ("make it look like a pencil sketch", [style("pencil sketch")]),
    ("transform this photo into a watercolor painting", [style("watercolor")]),
    ("like a Monet painting", [style("monet")]),
    ("in watercolor", [style("watercolor")]),
    ("in oil", [style("oil")]),
    ("in pixel art", [style("pixel art")]),
    ("ukiyo-e", [style("ukiyo-e")]),
    ("pop art", [style("pop art")]),
    ("in Wes Anderson style", [style("wes anderson")]),
    ("a la Monet", [style("monet")]),
    ("give it a vintage look", [style("vintage")]),
    ("apply a sepia filter", [style("sepia")]),
    ("paint it like Van Gogh", [style("van gogh")]),
    ("rock and roll style", [style("rock and roll")]),
    ("pencil sketch of the dog", [style("pencil sketch")]),
    ("make it look like an old photograph", [style("old photograph")]),
    ("turn the dog into a watercolor", [style("watercolor")]),
    # --- style, French
    ("façon Van Gogh", [style("van gogh")]),
    ("en aquarelle", [style("aquarelle")]),
    ("estampe japonaise", [style("estampe japonaise")]),
    ("dans le style de Monet", [style("monet")]),
    ("à la manière de Picasso", [style("picasso")]),
    ("comme un tableau de Van Gogh", [style("van gogh")]),
    ("comme un dessin animé", [style("dessin animé")]),
    ("en bande dessinée", [style("bande dessinée")]),
    ("de style impressionniste", [style("impressionniste")]),
    ("tableau impressionniste", [style("impressionniste")]),
    ("à la Wes Anderson", [style("wes anderson")]),
    ("au fusain", [style("fusain")]),
    ("à l'aquarelle", [style("aquarelle")]),
    # --- recontext, English
    ("put the dog on a beach at sunset", [recontext("a beach at sunset", "the dog", "on")]),
    ("on a beach", [recontext("a beach", None, "on")]),
    ("replace the background with a snowy forest", [recontext("a snowy forest")]),
    ("in Paris at night", [recontext("Paris at night", None, "in")]),
    ("in the snow", [recontext("the snow", None, "in")]),
    ("in a forest", [recontext("a forest", None, "in")]),
    ("a beach at sunset", [recontext("a beach at sunset")]),
    ("the dog on a beach at sunset", [recontext("a beach at sunset", "the dog", "on")]),
    ("put the dog in Paris", [recontext("Paris", "the dog", "in")]),
    ("put it on the moon", [recontext("the moon", None, "on")]),
    ("put the dog in front of the Eiffel Tower",
     [recontext("in front of the Eiffel Tower", "the dog")]),
    ("under the sea", [recontext("under the sea")]),
    ("change the background to a beach", [recontext("a beach")]),
    ("with a beach background", [recontext("beach")]),
    ("the background should be a forest", [recontext("a forest")]),
    ("make it winter", [recontext("winter")]),
    ("show the dog at night", [recontext("night", "the dog", "at")]),
    ("the cat in the hat on a beach", [recontext("a beach", "the cat in the hat", "on")]),
    ("put the dog and the cat on a beach", [recontext("a beach", "the dog and the cat", "on")]),
    ("put the dog on a beach with rocks and palm trees",
     [recontext("a beach with rocks and palm trees", "the dog", "on")]),
    ("make the cat look like it's on the moon", [recontext("the moon", "the cat", "on")]),
    ("with mountains in the background", [recontext("mountains")]),
    ("dog on beach", [recontext("beach", "dog", "on")]),
    # --- recontext, French
    ("mets le chat sur une plage au coucher du soleil",
     [recontext("une plage au coucher du soleil", "le chat", "sur")]),
    ("à la plage", [recontext("la plage", None, "à")]),
    ("mets le chat a la plage", [recontext("la plage", "le chat", "à")]),
    ("sur fond de montagnes", [recontext("montagnes")]),
    ("remplace le fond par une plage", [recontext("une plage")]),
    ("déplace le chat à Paris", [recontext("Paris", "le chat", "à")]),
    ("transporte le chien sur Mars", [recontext("Mars", "le chien", "sur")]),
    ("mets-le sur la lune", [recontext("la lune", None, "sur")]),
    ("dans une forêt", [recontext("une forêt", None, "dans")]),
    ("une plage au coucher du soleil", [recontext("une plage au coucher du soleil")]),
    ("sous la pluie", [recontext("sous la pluie")]),
    ("en hiver", [recontext("hiver", None, "en")]),
    ("avec un coucher de soleil en arrière-plan", [recontext("un coucher de soleil")]),
    ("Pourrais-tu placer mon chien sur une plage tropicale au coucher du soleil ?",
     [recontext("une plage tropicale au coucher du soleil", "mon chien", "sur")]),
    # --- add_object
    ("add a red hat on the dog", [add("a red hat", "on the dog")]),
    ("give the cat sunglasses", [add("sunglasses", "the cat")]),
    ("give the big cat a red hat", [add("a red hat", "the big cat")]),
    ("give him a crown", [add("a crown", "him")]),
    ("with a crown", [add("a crown")]),
    ("put a hat on the dog", [add("a hat", "on the dog")]),
    ("add sunglasses to the cat", [add("sunglasses", "to the cat")]),
    ("add a bird in the sky", [add("a bird", "in the sky")]),
    ("a cat wearing a tuxedo", [add("a tuxedo", "a cat")]),
    ("in a tuxedo", [add("a tuxedo")]),
    ("add a cat and a dog", [add("a cat"), add("a dog")]),
    ("add a tree in the background", [add("a tree", "in the background")]),
    ("put sunglasses on the dog and a hat on the cat",
     [add("sunglasses", "on the dog"), add("a hat", "on the cat")]),
    ("make the dog wear a hat", [add("a hat", "the dog")]),
    ("ajoute un chapeau au chien", [add("un chapeau", "au chien")]),
    ("avec des lunettes de soleil", [add("des lunettes de soleil")]),
    ("ajoute un chapeau sur la tête du chien", [add("un chapeau", "sur la tête du chien")]),
    ("donne au chat des lunettes", [add("des lunettes", "au chat")]),
    ("donne des lunettes au chat", [add("des lunettes", "au chat")]),
    ("le chien avec un chapeau", [add("un chapeau", "le chien")]),
    # --- recolor
    ("make the car red", [recolor("red", "the car")]),
    ("turn the sky purple", [recolor("purple", "the sky")]),
    ("turn the sky blue", [recolor("blue", "the sky")]),
    ("paint the wall blue", [recolor("blue", "the wall")]),
    ("change the color of the shirt to green", [recolor("green", "the shirt")]),
    ("change the car's colour to green", [recolor("green", "the car")]),
    ("recolor it teal", [recolor("teal")]),
    ("make the dress a deep red", [recolor("deep red", "the dress")]),
    ("make the car bright red", [recolor("bright red", "the car")]),
    ("make the sky sky blue", [recolor("sky blue", "the sky")]),
    ("the car should be red", [recolor("red", "the car")]),
    ("make the background white", [recontext("a white background")]),  # a new backdrop, the subject kept
    ("make the sky white", [recolor("white", "the sky")]),
    ("white background", [recontext("a white background")]),
    ("put the cat on a white background", [recontext("a white background", "the cat")]),
    ("make the car and the bike red", [recolor("red", "the car and the bike")]),
    ("make the car red and the sky blue", [recolor("red", "the car"), recolor("blue", "the sky")]),
    ("rends la voiture rouge", [recolor("rouge", "la voiture")]),
    ("peins le mur en bleu", [recolor("bleu", "le mur")]),
    ("change la couleur de la voiture en vert", [recolor("vert", "la voiture")]),
    ("rends le ciel bleu clair", [recolor("bleu clair", "le ciel")]),
    ("en rouge", [recolor("rouge")]),
    ("le ciel en orange", [recolor("orange", "le ciel")]),
    ("make the car look red", [recolor("red", "the car")]),
    ("change the car color to red", [recolor("red", "the car")]),
    # --- adjust, English
    ("brighter", [adjust("brightness")]),
    ("make it darker", [adjust("brightness", "decrease")]),
    ("more contrast", [adjust("contrast")]),
    ("less contrast", [adjust("contrast", "decrease")]),
    ("more saturated", [adjust("saturation")]),
    ("desaturate", [adjust("saturation", "decrease")]),
    ("more vivid", [adjust("saturation")]),
    ("warmer", [adjust("warmth")]),
    ("cooler", [adjust("warmth", "decrease")]),
    ("sharpen", [adjust("sharpness")]),
    ("sharper", [adjust("sharpness")]),
    ("blur", [adjust("blur")]),
    ("blurry", [adjust("blur")]),
    ("soften", [adjust("blur")]),
    ("less blurry", [adjust("blur", "decrease")]),
    ("black and white", [adjust("grayscale")]),
    ("grayscale", [adjust("grayscale")]),
    ("greyscale", [adjust("grayscale")]),
    ("monochrome", [adjust("grayscale")]),
    ("in black and white", [adjust("grayscale")]),
    ("colorize it", [adjust("grayscale", "decrease")]),
    ("increase the brightness", [adjust("brightness")]),
    ("reduce the saturation", [adjust("saturation", "decrease")]),
    ("add more contrast", [adjust("contrast")]),
    ("a bit warmer", [adjust("warmth")]),
    ("make the image cooler", [adjust("warmth", "decrease")]),
    ("blur the background", [recontext("a blurred background")]),
    ("blur it", [adjust("blur")]),
    ("portrait mode", [recontext("portrait mode")]),
    ("in winter, at dusk", [recontext("winter, at dusk", preposition="in")]),
    # Where and how big is placement, read from the prompt, not a setting or a request of its own.
    ("put the cup in space, small, on the left", [recontext("space", "the cup", "in")]),
    ("on the left, put the dog on a beach", [recontext("a beach", "the dog", "on")]),
    ("mets le chat sur la plage, au premier plan", [recontext("la plage", "le chat", "sur")]),
    ("put the cat on a beach, at sunset", [recontext("a beach, at sunset", "the cat", "on")]),
    ("more contrast and saturation", [adjust("contrast"), adjust("saturation")]),
    ("less dark", [adjust("brightness")]),
    ("high contrast", [adjust("contrast")]),
    ("tone down the saturation", [adjust("saturation", "decrease")]),
    ("warm tones", [adjust("warmth")]),
    # --- adjust, French
    ("plus lumineux", [adjust("brightness")]),
    ("plus clair", [adjust("brightness")]),
    ("plus sombre", [adjust("brightness", "decrease")]),
    ("plus de contraste", [adjust("contrast")]),
    ("moins de contraste", [adjust("contrast", "decrease")]),
    ("moins saturé", [adjust("saturation", "decrease")]),
    ("plus saturé", [adjust("saturation")]),
    ("plus chaud", [adjust("warmth")]),
    ("plus froid", [adjust("warmth", "decrease")]),
    ("plus net", [adjust("sharpness")]),
    ("flou", [adjust("blur")]),
    ("ajoute du flou", [adjust("blur")]),
    ("noir et blanc", [adjust("grayscale")]),
    ("en niveaux de gris", [adjust("grayscale")]),
    ("augmente la luminosité", [adjust("brightness")]),
    ("rends-la plus lumineuse", [adjust("brightness")]),
    ("fond flou", [recontext("un arrière-plan flou")]),
    ("rends l'image plus nette", [adjust("sharpness")]),
    ("tons froids", [adjust("warmth", "decrease")]),
    ("le chat en noir et blanc", [adjust("grayscale")]),
    ("augmente le contraste et la saturation", [adjust("contrast"), adjust("saturation")]),
    # --- several tasks in one prompt
    ("put the cat on a beach at sunset, in watercolor",
     [recontext("a beach at sunset", "the cat", "on"), style("watercolor")]),
    ("put the dog on a beach in Van Gogh style",
     [recontext("a beach", "the dog", "on"), style("van gogh")]),
    ("a cat in the snow, à la Monet", [recontext("the snow", "a cat", "in"), style("monet")]),
    ("in the style of Van Gogh on a beach", [style("van gogh"), recontext("a beach", None, "on")]),
    ("put the dog on a beach in the style of Hokusai at sunset",
     [recontext("a beach at sunset", "the dog", "on"), style("hokusai")]),
    ("on a beach at sunset in watercolor", [recontext("a beach at sunset", None, "on"), style("watercolor")]),
    ("put the dog on a beach wearing sunglasses",
     [recontext("a beach", "the dog", "on"), add("sunglasses", "the dog")]),
    ("add a red hat on the dog and make it brighter",
     [add("a red hat", "on the dog"), adjust("brightness")]),
    ("put the dog on a beach and make it look like a watercolor and add a hat on the dog "
     "and more contrast",
     [recontext("a beach", "the dog", "on"), style("watercolor"), add("a hat", "on the dog"),
      adjust("contrast")]),
    ("Mets le chat sur la plage, façon Van Gogh, plus lumineux et plus de contraste",
     [recontext("la plage", "le chat", "sur"), style("van gogh"), adjust("brightness"),
      adjust("contrast")]),
    ("Transforme cette photo en aquarelle et rends-la plus lumineuse",
     [style("aquarelle"), adjust("brightness")]),
    ("ajoute un chapeau rouge au chien et mets-le à la plage",
     [add("un chapeau rouge", "au chien"), recontext("la plage", None, "à")]),
    ("un chat dans la neige à la Monet", [recontext("la neige", "un chat", "dans"), style("monet")]),
    ("Mets le chien dans une forêt enneigée, style Van Gogh",
     [recontext("une forêt enneigée", "le chien", "dans"), style("van gogh")]),
    ("make the sky orange then add a rainbow", [recolor("orange", "the sky"), add("a rainbow")]),
    ("rends le ciel orange puis ajoute un arc-en-ciel",
     [recolor("orange", "le ciel"), add("un arc-en-ciel")]),
    ("en noir et blanc avec un chapeau", [adjust("grayscale"), add("un chapeau")]),
    ("greyscale & more contrast", [adjust("grayscale"), adjust("contrast")]),
    ("add a moustache to the man. Then make it sepia.",
     [add("a moustache", "to the man"), style("sepia")]),
    ("Van Gogh, plus sombre, sur la lune",
     [style("van gogh"), adjust("brightness", "decrease"), recontext("la lune", None, "sur")]),
    # --- duplicates collapse, different tasks stay
    ("put the dog on a beach in Van Gogh style. Van Gogh style!",
     [recontext("a beach", "the dog", "on"), style("van gogh")]),
    ("in Van Gogh style, in Monet style", [style("van gogh"), style("monet")]),
    # --- politeness, case, spacing, punctuation
    ("Please put the cat on a beach at sunset, in watercolor",
     [recontext("a beach at sunset", "the cat", "on"), style("watercolor")]),
    ("peux-tu mettre le chat sur une plage ?", [recontext("une plage", "le chat", "sur")]),
    ("s'il te plaît, rends-la plus lumineuse", [adjust("brightness")]),
    ("can you make it warmer please", [adjust("warmth")]),
    ("PUT THE DOG ON THE MOON", [recontext("THE MOON", "THE DOG", "on")]),
    ("IN VAN GOGH STYLE", [style("van gogh")]),
    ("Make It Black And White", [adjust("grayscale")]),
    ("PLUS DE CONTRASTE", [adjust("contrast")]),
    ("Plus Lumineux, Moins Saturé", [adjust("brightness"), adjust("saturation", "decrease")]),
    ("   put   the dog    on a beach  ,,  brighter!!!  ",
     [recontext("a beach", "the dog", "on"), adjust("brightness")]),
    ("more contrast; less saturation; warmer.",
     [adjust("contrast"), adjust("saturation", "decrease"), adjust("warmth")]),
    ("Make it 1.5x brighter...", [adjust("brightness")]),
    ('in "Van Gogh" style', [style("van gogh")]),
    ("en aquarelle (façon Monet)", [style("aquarelle"), style("monet")]),
    # --- remove, replace, move
    ("remove the fence", [remove("the fence")]),
    ("wipe out the fence", [remove("the fence")]),
    ("get rid of the people on the left", [remove("the people on the left")]),
    ("erase the power lines from the sky", [remove("the power lines", "the sky")]),
    ("photoshop the girl out", [remove("the girl")]),
    ("I'd like the two balloons removed, please!", [remove("the two balloons")]),
    ("without the car", [remove("the car")]),
    ("enlève le chien", [remove("le chien")]),
    ("fais disparaître les passants", [remove("les passants")]),
    ("remove the blur", [adjust("blur", "decrease")]),
    ("remove the background", [recontext("a plain white background")]),
    ("replace the fruits with a cake", [replace("the fruits", "a cake")]),
    ("swap the sunflowers for roses", [replace("the sunflowers", "roses")]),
    ("turn the cat into a dog", [replace("the cat", "a dog")]),
    ("a dog instead of the cat", [replace("the cat", "a dog")]),
    ("remplace le chat par un chien", [replace("le chat", "un chien")]),
    ("replace 'TRAIN' with 'PLANE'", [OTHER]),
    ("put the vase to the right of the lamp", [move("the vase", "to the right of the lamp")]),
    ("move him to the left", [move("him", "to the left")]),
    ("swap the positions of the pen and the pencil", [move("the pen and the pencil", "swapped")]),
    ("déplace la lampe à gauche", [move("la lampe", "à gauche")]),
    ("move the dog to the beach", [recontext("the beach", "the dog")]),
    ("put a hat on the dog", [add("a hat", "on the dog")]),
    # --- shapes that read as something else before plan 1.1
    ("make it Lisbon", [recontext("Lisbon")]),
    ("what if it were raining?", [recontext("raining")]),
    ("turn the day into night", [recontext("night")]),
    ("as if on the set of a western", [recontext("the set of a western", preposition="on")]),
    ("have it look like a comic book page", [style("comic book")]),
    ("make it LEGO", [style("lego")]),
    ("turn them into marble sculptures", [style("marble sculptures")]),
    ("change to formal style", [OTHER]),
    ("keep the same style", [OTHER]),
    ("add warm lighting", [adjust("warmth")]),
    ("turn the red car into a blue car", [recolor("blue", "the red car")]),
    ("make her a redhead", [recolor("red", "her")]),
    ("turn up the contrast", [adjust("contrast")]),
    ("tone down the colours", [adjust("saturation", "decrease")]),
    ("oil painting with thick visible brushstrokes", [style("oil painting")]),
    ("make it lighter add a kite in the sky", [adjust("brightness"), add("a kite", "in the sky")]),
    ("make the sky blue but keep the clouds", [recolor("blue", "the sky")]),
    ("add falling snow", [recontext("falling snow")]),
    ("give it a blue tint", [recolor("blue")]),
    ("donner un aspect de photo vintage", [style("photo vintage")]),
    ("[Specific] Can someone remove the speech bubble? Thanks!", [remove("the speech bubble")]),
    # --- nothing understood
    ("asdf qwerty", [OTHER]),
    ("asdf and qwerty, zxcv", [OTHER]),
    ("make it better", [OTHER]),
    # beside a request, a fragment that asks nothing is noise; one that starts with a verb is a request
    ("put the dog on a beach, asdf", [recontext("a beach", "the dog", "on")]),
    ("put the dog on a beach, rotate it slightly", [recontext("a beach", "the dog", "on"), OTHER]),
]


def summary(plan: Plan) -> list[tuple[str, dict]]:
    return [(t.kind, t.args) for t in plan.tasks]


@pytest.mark.parametrize("prompt, expected", CASES, ids=[c[0][:60] for c in CASES])
def test_parse_prompt(prompt: str, expected: list[tuple[str, dict]]) -> None:
    assert summary(parse_prompt(prompt)) == expected


def test_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("prompt", [c[0] for c in CASES])
def test_task_text_is_a_fragment_of_the_prompt(prompt: str) -> None:
    plan = parse_prompt(prompt)
    assert plan.prompt == prompt
    for task in plan.tasks:
        assert task.kind in TASK_KINDS
        assert task.text, task
        assert task.text.lower() in prompt.lower(), task
        assert task.text == task.text.strip()


def test_task_text_points_at_its_own_clause() -> None:
    plan = parse_prompt("put the cat on a beach at sunset, in watercolor")
    assert [t.text for t in plan.tasks] == ["put the cat on a beach at sunset", "in watercolor"]


def test_an_extracted_phrase_owns_its_whole_clause() -> None:
    plan = parse_prompt("le chat en noir et blanc, make it look like a pencil sketch")
    assert [t.text for t in plan.tasks] == ["le chat en noir et blanc",
                                            "make it look like a pencil sketch"]


def test_nonsense_is_one_other_task_holding_the_text() -> None:
    plan = parse_prompt("  asdf qwerty  ")
    assert summary(plan) == [OTHER]
    assert plan.tasks[0].text == "asdf qwerty"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_prompt_gives_no_tasks(text: str) -> None:
    plan = parse_prompt(text)
    assert plan.tasks == []
    assert plan.language == "en"
    assert plan.prompt == text


def test_adjust_args_use_known_names() -> None:
    prompts = ["brighter", "less contrast", "desaturate", "cooler", "sharpen", "blur", "b&w",
               "plus sombre", "moins de flou", "en couleur"]
    for prompt in prompts:
        (task,) = parse_prompt(prompt).tasks
        assert task.kind == "adjust", prompt
        assert task.args["adjustment"] in ADJUSTMENTS
        assert task.args["direction"] in ("increase", "decrease")


def test_args_keep_original_case_except_style() -> None:
    plan = parse_prompt("Put The Dog in New York at Night, in Van Gogh Style")
    assert summary(plan) == [recontext("New York at Night", "The Dog", "in"), style("van gogh")]


def test_accents_do_not_matter_for_matching() -> None:
    with_accents = summary(parse_prompt("déplace le chat dans une forêt, plus lumineux"))
    without = summary(parse_prompt("deplace le chat dans une foret, plus lumineux"))
    assert [k for k, _ in with_accents] == [k for k, _ in without] == ["recontext", "adjust"]
    assert with_accents[0][1]["setting"] == "une forêt"
    assert without[0][1]["setting"] == "une foret"


def test_plan_language_comes_from_detection() -> None:
    assert parse_prompt("mets le chat sur une plage").language == "fr"
    assert parse_prompt("put the cat on a beach").language == "en"


def test_parsing_is_deterministic() -> None:
    prompt = "Mets le chat sur la plage, façon Van Gogh, plus lumineux et plus de contraste"
    assert parse_prompt(prompt).to_dict() == parse_prompt(prompt).to_dict()


@pytest.mark.parametrize(
    "text, language",
    [
        ("put the dog on a beach at sunset", "en"),
        ("in Van Gogh style", "en"),
        ("make it brighter", "en"),
        ("add a red hat on the dog", "en"),
        ("Van Gogh", "en"),
        ("style Van Gogh", "en"),
        ("ukiyo-e", "en"),
        ("", "en"),
        ("mets le chat sur une plage au coucher du soleil", "fr"),
        ("façon Van Gogh", "fr"),
        ("en aquarelle", "fr"),
        ("plus lumineux", "fr"),
        ("noir et blanc", "fr"),
        ("à la plage", "fr"),
        ("estampe japonaise", "fr"),
        ("ajoute un chapeau au chien", "fr"),
        ("rends la voiture rouge", "fr"),
        ("Transforme cette photo en aquarelle", "fr"),
        ("a cat in the snow, à la Monet", "en"),
        ("sur fond de montagnes", "fr"),
        ("enlève le chien", "fr"),
        ("sans lunettes", "fr"),
        ("supprime l'arrière-plan", "fr"),
        ("remove the fence", "en"),
        ("swap the sunflowers for roses", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_lexicon_sets_hold_both_spellings() -> None:
    assert {"van gogh", "cézanne", "cezanne", "hokusai"} <= ARTISTS
    assert {"impressionism", "impressionniste", "pop art", "ukiyo-e"} <= MOVEMENTS
    assert {"watercolor", "aquarelle", "pixel art", "vitrail", "mosaïque", "mosaique"} <= MEDIA
    assert {"beach", "plage", "forêt", "foret", "sunset", "coucher de soleil"} <= PLACES
    assert {"red", "rouge", "bleu", "teal"} <= COLORS
    for words in (ARTISTS, MOVEMENTS, MEDIA, PLACES, COLORS):
        assert all(w == w.lower() for w in words)
