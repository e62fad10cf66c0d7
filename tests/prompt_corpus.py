"""The labelled corpus of real edit instructions (tests/data/instructions/*.jsonl) and how the
offline parser is scored on it: exact kind-set match, per-kind precision and recall, language
detection and argument agreement. Used by tests/test_prompt_corpus.py and
benchmarks/prompt_parser.py."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from imgvar.plan import TASK_KINDS, Plan
from imgvar.prompt.lexicon import fold

CORPUS = Path(__file__).parent / "data" / "instructions"
LANGUAGES = ("en", "fr")
# The argument that says what a task is about, compared between label and parse.
MAIN_ARG = {"style": "style", "recontext": "setting", "add_object": "object", "recolor": "color",
            "adjust": "adjustment", "remove_object": "object", "replace_object": "replacement",
            "move": "object"}
_FILLER = set("the a an of to in on at with and le la les un une des du de d' l' au aux et en sur".split())


@dataclass(frozen=True)
class Row:
    id: str
    lang: str
    text: str
    kinds: frozenset[str]
    tasks: tuple[dict, ...]
    source: str
    note: str = ""

    @property
    def held_out(self) -> bool:
        """A fixed third of the rows, by id, kept out of tuning: they measure what tuning did not see."""
        return int(hashlib.sha256(self.id.encode()).hexdigest()[:8], 16) % 3 == 0


def load(languages: Iterable[str] = LANGUAGES) -> list[Row]:
    rows = []
    for lang in languages:
        for n, line in enumerate((CORPUS / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            data = json.loads(line)
            rows.append(Row(id=data["id"], lang=data["lang"], text=data["text"], kinds=frozenset(data["kinds"]),
                            tasks=tuple(data["tasks"]), source=data["source"], note=data.get("note", "")))
    return rows


@dataclass
class Score:
    rows: int = 0
    exact: int = 0
    language_ok: int = 0
    args_agree: int = 0
    args_total: int = 0
    counts: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0, 0] for k in TASK_KINDS})  # tp fp fn
    misses: list[tuple[Row, list[str]]] = field(default_factory=list)

    @property
    def exact_rate(self) -> float:
        return self.exact / self.rows if self.rows else 0.0

    def precision(self, kind: str) -> float | None:
        tp, fp, _ = self.counts[kind]
        return tp / (tp + fp) if tp + fp else None

    def recall(self, kind: str) -> float | None:
        tp, _, fn = self.counts[kind]
        return tp / (tp + fn) if tp + fn else None

    def support(self, kind: str) -> int:
        tp, _, fn = self.counts[kind]
        return tp + fn


def score(rows: Iterable[Row], parse: Callable[[str], Plan]) -> Score:
    result = Score()
    for row in rows:
        plan = parse(row.text)
        got = set(plan.kinds())
        result.rows += 1
        result.language_ok += plan.language == row.lang
        if got == row.kinds:
            result.exact += 1
        else:
            result.misses.append((row, sorted(got)))
        for kind in TASK_KINDS:
            want, have = kind in row.kinds, kind in got
            result.counts[kind][0] += want and have
            result.counts[kind][1] += have and not want
            result.counts[kind][2] += want and not have
        for task in row.tasks:
            agree = _argument_agrees(task, plan)
            if agree is not None:
                result.args_total += 1
                result.args_agree += agree
    return result


def _argument_agrees(task: dict, plan: Plan) -> bool | None:
    """Whether the parse's task of this kind names what the label names (a shared content word);
    None when the label gives no argument or the parse has no task of this kind."""
    name = MAIN_ARG.get(task["kind"])
    want = task.get(name) if name else None
    found = plan.of_kind(task["kind"])
    if not want or not found:
        return None
    want_words = _content_words(str(want))
    return any(want_words & _content_words(str(t.args.get(name) or t.text)) for t in found) or not want_words


def _content_words(text: str) -> set[str]:
    words = {w.rstrip("s") for w in re.findall(r"[^\W\d_]+", fold(text))}
    return words - _FILLER
