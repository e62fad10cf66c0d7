#!/usr/bin/env python3
"""How well the offline prompt parser reads real edit instructions, and how fast.

On the labelled corpus of tests/data/instructions (English and French instructions people
wrote for image editors, each with its source), it prints per language the share of prompts
whose set of task kinds matches the labels exactly (all rows, the two thirds used while
tuning, and the third kept out of it), per-kind precision and recall, language detection and
argument agreement; then the parse time per prompt, warm (median and p95 over the corpus)
and cold (the first parse in a fresh process, patterns compiled on the way).

The peer, measured in the same run on the same rows, is a bag-of-keywords classifier: a kind
is present when one of its words is (`remove`, `swap`, `style`, `background`…). The ratio
says what the grammar adds over spotting words.

Targets: exact kind-set match >= 80 % in English, >= 70 % in French; every kind's precision
and recall >= 0.8 (kinds with at least 10 labelled rows).

    .venv/bin/python benchmarks/prompt_parser.py [--json] [--misses N]

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the corpus loader and scorer live with the tests

from prompt_corpus import LANGUAGES, Score, load, score  # noqa: E402

from imgvar.plan import TASK_KINDS, Plan, SubTask  # noqa: E402
from imgvar.prompt import detect_language, parse_prompt  # noqa: E402
from imgvar.prompt.lexicon import fold  # noqa: E402

TARGET = {"en": 0.80, "fr": 0.70}
MIN_SUPPORT = 10

# The peer: each kind's tell-tale words, English and French.
KEYWORDS = {
    "remove_object": r"remove|delete|erase|get rid|take out|without|enleve|supprime|efface|retire|sans",
    "replace_object": r"replace|swap|instead|exchange|remplace|echange|au lieu",
    "move": r"move|shift|relocate|deplace|bouge|decale",
    "add_object": r"add|insert|put|give|ajoute|rajoute|mets|donne",
    "recolor": r"colou?r|recolou?r|paint|dye|couleur|repein|red|blue|green|yellow|pink|purple|rouge|bleu|vert|jaune",
    "adjust": r"bright|dark|contrast|saturat|warm|cool|sharp|blur|lumin|sombre|contraste|chaud|froid|net|flou|"
              r"black and white|noir et blanc",
    "style": r"style|painting|watercolou?r|sketch|cartoon|anime|drawing|peinture|aquarelle|dessin|van gogh|monet",
    "recontext": r"background|beach|night|winter|snow|rain|sunset|forest|city|arriere-plan|fond|plage|nuit|hiver|"
                 r"neige|pluie|foret|ville",
}


def keyword_plan(text: str) -> Plan:
    low = fold(text)
    kinds = [k for k, words in KEYWORDS.items() if re.search(rf"\b(?:{words})", low)] or ["other"]
    return Plan(prompt=text, language=detect_language(text), tasks=[SubTask(k, text, {}) for k in kinds])


def cold_parse_seconds(runs: int = 3) -> float:
    code = ("import time; t=time.perf_counter(); from imgvar.prompt import parse_prompt; "
            "parse_prompt('put the dog on a beach at sunset, in watercolor'); print(time.perf_counter()-t)")
    samples = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(runs)]
    return statistics.median(samples)


def warm_times(rows, repeats: int = 5) -> list[float]:
    for row in rows:
        parse_prompt(row.text)  # every pattern compiled
    samples = []
    for _ in range(repeats):
        for row in rows:
            t = time.perf_counter()
            parse_prompt(row.text)
            samples.append(time.perf_counter() - t)
    return samples


def kind_table(result: Score) -> dict:
    return {k: {"support": result.support(k), "precision": result.precision(k), "recall": result.recall(k)}
            for k in TASK_KINDS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", type=int, default=0, help="print the first N misses of the tuning rows")
    args = ap.parse_args()
    rows = load()
    report: dict = {"languages": {}}
    for lang in LANGUAGES:
        mine = [r for r in rows if r.lang == lang]
        parser_all = score(mine, parse_prompt)
        report["languages"][lang] = {
            "rows": parser_all.rows,
            "exact": parser_all.exact_rate,
            "exact_tuning": score([r for r in mine if not r.held_out], parse_prompt).exact_rate,
            "exact_held_out": score([r for r in mine if r.held_out], parse_prompt).exact_rate,
            "peer_exact": score(mine, keyword_plan).exact_rate,
            "language_detected": parser_all.language_ok / parser_all.rows,
            "arguments_agree": parser_all.args_agree / max(1, parser_all.args_total),
            "kinds": kind_table(parser_all),
            "target": TARGET[lang],
            "misses": [(r.id, r.text, sorted(r.kinds), got) for r, got in parser_all.misses if not r.held_out],
        }
    both = score(rows, parse_prompt)
    report["kinds"] = kind_table(both)
    report["peer_kinds"] = kind_table(score(rows, keyword_plan))
    warm = warm_times(rows)
    report["parse_ms"] = {"median": 1000 * statistics.median(warm),
                          "p95": 1000 * statistics.quantiles(warm, n=20)[-1],
                          "cold_first_parse": 1000 * cold_parse_seconds()}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    counts = ", ".join(f"{lang} {report['languages'][lang]['rows']}" for lang in LANGUAGES)
    print(f"corpus: {len(rows)} instructions ({counts}) from public sources, tests/data/instructions/")
    print("\nexact kind-set match      all   tuning  held-out  keyword peer  ratio  target")
    for lang in LANGUAGES:
        r = report["languages"][lang]
        ok = "PASS" if r["exact"] >= r["target"] else "FAIL"
        print(f"  {lang:<22} {r['exact']:6.1%}  {r['exact_tuning']:6.1%}  {r['exact_held_out']:7.1%}  "
              f"{r['peer_exact']:11.1%}  {r['exact'] / max(r['peer_exact'], 1e-9):4.2f}x  "
              f">= {r['target']:.0%} {ok}")
    print("\nper kind (both languages)  support  precision  recall   peer P  peer R")
    for kind in TASK_KINDS:
        k, p = report["kinds"][kind], report["peer_kinds"][kind]
        fmt = lambda v: "   -  " if v is None else f"{v:6.2f}"  # noqa: E731
        flag = ""
        if k["support"] >= MIN_SUPPORT:
            flag = "PASS" if (k["precision"] or 0) >= 0.8 and (k["recall"] or 0) >= 0.8 else "FAIL"
        print(f"  {kind:<24} {k['support']:7}  {fmt(k['precision'])}     {fmt(k['recall'])}   "
              f"{fmt(p['precision'])}  {fmt(p['recall'])}  {flag}")
    for lang in LANGUAGES:
        r = report["languages"][lang]
        print(f"\n{lang}: language detected {r['language_detected']:.1%}, arguments agree {r['arguments_agree']:.1%}")
    t = report["parse_ms"]
    print(f"\nparse time per prompt: median {t['median']:.2f} ms, p95 {t['p95']:.2f} ms (warm); "
          f"first parse in a fresh process {t['cold_first_parse']:.0f} ms (import and pattern compilation)")
    if args.misses:
        for lang in LANGUAGES:
            for rid, text, want, got in report["languages"][lang]["misses"][:args.misses]:
                print(f"  miss {rid}: want {want} got {got}: {text[:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
