"""Offline prompt parser: an English or French modification prompt becomes a `Plan`.

Deterministic, standard library only. The prompt is normalised (`normalize`), split into
clauses (`split`); in each clause style phrases and black-and-white are tagged and cut out
first (`tagging`), then the rest goes through the rules of `rules/`, one module per task
kind, the first that understands it wins; whatever none understands becomes `other`. Two
passes then join what belongs together: a background-only change becomes a setting, and
settings named apart become one.
"""

from __future__ import annotations

import re
import unicodedata

from imgvar.plan import Plan, SubTask

from . import lexicon as lx
from .clause import Clause, Ctx, Hit
from .language import detect_language
from .normalize import CHATTER, CUTOUT, FILLER, INNER_REQUEST, KEEP, POLITE, POLITE_END, PURPOSE, RENDER_VERB, WITH_DETAIL, prepare, skip
from .patterns import ACCESSORY_RX, DET, MORE_VERBS, NONCONTENT, VERBS, rx
from .rules import RULES
from .rules.recontext import preps_in
from .split import Segment, split_clauses
from .tagging import extract_embedded


def _parse_clause(c: Clause, prev: list[Hit]) -> list[Hit]:
    """The tasks of one clause, in order of appearance; `prev` holds the clauses before."""
    lo, hi = c.trim(c.start, c.end)
    lo = skip(POLITE, c, lo, hi)
    while (m := POLITE_END.search(c.low, lo, hi)) and m.start() >= lo:
        hi = c.trim(lo, m.start())[1]
    tail: list[Hit] = []
    if (purpose := PURPOSE.search(c.low, lo, hi)) and c.has_content(lo, purpose.start()):
        # the why is no request, but a style it names is ("fade it out so it looks like a sketch")
        tail = [h for h in extract_embedded(c, purpose.start(), hi) if h.kind == "style"]
        hi = c.trim(lo, purpose.start())[1]
    if lo >= hi or KEEP.match(c.low, lo, hi):
        return []
    if WITH_DETAIL.match(c.low, lo, hi) and _describes(prev, c, lo, hi):
        detailed = prev[-1]
        if detailed.kind == "recontext":
            detailed.args["setting"] = f"{detailed.args['setting']}, {c.arg(lo, hi)}"
        detailed.joined.append((lo, hi))
        return []
    clause = (lo, hi)
    hits = extract_embedded(c, lo, hi) + tail
    lo, hi = c.trim(lo, hi)
    flo = skip(FILLER, c, lo, hi) if lo < hi else hi
    if flo >= hi or not c.has_content(flo, hi) or (
            WITH_DETAIL.match(c.low, flo, hi) and _describes(hits, c, flo, hi)) or (
            hits and all(t.rstrip("'") in VERBS | MORE_VERBS | NONCONTENT for t in c.tokens(flo, hi))):
        return _whole_clause(hits, clause)
    ctx = Ctx(c, lo, flo, hi, prev + hits)
    found = next((f for rule in RULES if (f := rule(ctx))), None)
    if found is None:
        preps = preps_in(c, lo, hi)
        if hits and (not preps or not c.has_content(preps[0].end(), hi)) and (
            RENDER_VERB.match(c.low, lo, hi) or re.match(DET, c.low[lo:hi])
        ):
            # "turn the dog into a watercolor", "le chat en noir et blanc": the rest only
            # names what the extracted request applies to
            return _whole_clause(hits, clause)
        if CHATTER.match(c.low, lo, hi):  # talk around the request, maybe with the request inside
            return hits + (_request_inside(c, lo, hi, prev + hits) or [])
        found = [Hit("other", lo, hi, {})]
    return sorted(hits + found, key=lambda h: h.start)


def _request_inside(c: Clause, lo: int, hi: int, prev: list[Hit]) -> list[Hit] | None:
    """"Would love this picture without the selfie stick", "gold to whoever can remove the
    sign": the request a sentence of talk carries."""
    for m in INNER_REQUEST.finditer(c.low, lo, hi):
        start = m.start("w") if m.group("w") else m.start("v")
        ctx = Ctx(c, start, start, hi, prev)
        found = next((f for rule in RULES if (f := rule(ctx))), None)
        if found:
            return found
    return None


def _describes(before: list[Hit], c: Clause, lo: int, hi: int) -> bool:
    """Whether a "with …" phrase only describes the style or setting just asked for, rather than
    adding something to wear or hold."""
    return bool(before) and before[-1].kind in ("style", "recontext") and not ACCESSORY_RX.search(c.low, lo, hi)


def _whole_clause(hits: list[Hit], clause: tuple[int, int]) -> list[Hit]:
    """A lone extracted request owns its whole clause ("make it look like a pencil sketch")."""
    if len(hits) == 1:
        hits[0].start, hits[0].end = clause
    return hits


def _parse_segments(src: str, view: str, low: str, segments: list[Segment]) -> list[Hit]:
    hits: list[Hit] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        found = _parse_clause(Clause(src, low, view, seg.start, seg.end), hits)
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        if nxt and nxt.soft and found and _only_other(found) and not _is_verb_phrase(src, view, low, nxt):
            # "put the dog | and the cat on a beach": the halves only make sense together; not
            # "rotate it | and increase the brightness", where the second says it all alone
            merged = _parse_clause(Clause(src, low, view, seg.start, nxt.end), hits)
            alone = _parse_clause(Clause(src, low, view, nxt.start, nxt.end), hits)
            if merged and not _only_other(merged) and _kinds(merged) != _kinds(alone):
                found, i = merged, i + 1
        elif seg.soft and i > 0 and found and _only_other(found) and not _is_verb_phrase(src, view, low, seg):
            # "on a beach with rocks | and palm trees": the tail belongs to the clause before,
            # unless the clause before reads the same without it ("brighten it | and tilt slightly")
            prev_seg = segments[i - 1]
            before = [h for h in hits if h.start < prev_seg.start]
            merged = _parse_clause(Clause(src, low, view, prev_seg.start, seg.end), before)
            if merged and not any(h.kind == "other" for h in merged) and _kinds(merged) != _kinds(hits[len(before):]):
                hits, found = before, merged
        hits.extend(found)
        i += 1
    return hits


def _is_verb_phrase(src: str, view: str, low: str, seg: Segment) -> bool:
    c = Clause(src, low, view, seg.start, seg.end)
    return c.starts_with_verb(*c.trim(seg.start, seg.end))


def _asks(low: str, hit: Hit) -> bool:
    """Whether a fragment no rule read is still a request: it starts with a verb ("zoom in",
    "straighten the photo") or is long enough to be one ("the dog should look happier")."""
    if _VAGUE.fullmatch(low, hit.start, hit.end):
        return False  # "fix this picture", "make it look nice": the requests beside it say how
    words = re.findall(r"[^\W\d_]+'?", low[hit.start:hit.end])
    return bool(words) and words[0].rstrip("'") in VERBS | MORE_VERBS


_VAGUE = rx(
    r"\s*(?:(?:please|can\s+you|could\s+you)\s+)?(?:fix|touch\s+up|edit|improve|enhance|retouch|clean\s+up|"
    r"make|photoshop|ameliore[rz]?|retouche[rz]?|corrige[rz]?|rends)\s+(?:up\s+)?(?:the|this|my|that|l'|la|cette|"
    r"ma)?\s*(?:image|photo|picture|pic|it|this|shot)s?\b(?:\s+of\s+(?:my|me|us|our|him|her|the)\b.*)?"
    r"(?:\s+(?:look\s+)?(?:a\s+(?:little|bit)\s+)?(?:nice|nicer|better|good|great|pretty|perfect|belle|mieux))?[\s.!?]*"
)


def _kinds(hits: list[Hit]) -> list[tuple[str, dict]]:
    return [(h.kind, h.args) for h in hits]


def _only_other(hits: list[Hit]) -> bool:
    return all(h.kind == "other" for h in hits)


def parse_prompt(text: str) -> Plan:
    """Split a modification prompt into typed sub-tasks, in the order they appear."""
    if not text or not text.strip():
        return Plan(prompt=text or "", language="en", tasks=[])
    language = detect_language(text)
    src = unicodedata.normalize("NFC", text)
    view, low = prepare(src, language)
    hits = _parse_segments(src, view, low, split_clauses(low))
    hits = _one_setting([_background_only(h, view, low, language) for h in hits], low)
    if any(h.kind != "other" for h in hits):  # beside real requests, a fragment that asks nothing is noise
        hits = [h for h in hits if h.kind != "other" or _asks(low, h)]
    tasks: list[SubTask] = []
    seen: list[tuple[str, dict]] = []
    for h in hits:
        if (h.kind, h.args) in seen:
            continue  # the same request twice
        seen.append((h.kind, h.args))
        said = ", ".join(src[a:b].strip() for a, b in sorted([(h.start, h.end), *h.joined]))
        tasks.append(SubTask(kind=h.kind, text=said, args=dict(h.args)))
    if all(t.kind == "other" for t in tasks) and CUTOUT.search(low):  # "détoure le sujet"
        setting = "un fond blanc uni" if language == "fr" else "a plain white background"
        tasks = [SubTask(kind="recontext", text=text.strip(), args={"subject": None, "setting": setting,
                                                                     "preposition": None})]
    if all(t.kind == "other" for t in tasks):
        tasks = [SubTask(kind="other", text=text.strip(), args={})]
    return Plan(prompt=text, language=language, tasks=tasks)


_BACKGROUND_WORD = rx(r"\b(?:background|backdrop|bg|arriere[\s\-]plan|fond)\b")


def _background_only(h: Hit, view: str, low: str, language: str) -> Hit:
    """A change to the background alone is a new setting around a kept subject: "blur the
    background", "make the background white", "portrait mode", "make it night"."""
    text = low[h.start:h.end]
    subject = h.args.pop("subject", None) if h.kind == "recolor" else None
    if h.kind == "adjust" and h.args.get("adjustment") == "blur" and _BACKGROUND_WORD.search(text):
        setting = "un arrière-plan flou" if language == "fr" else "a blurred background"
    elif h.kind == "recolor" and _BACKGROUND_WORD.search(lx.fold(str(h.args.get("target") or ""))):
        color = h.args.get("color")
        setting = f"un fond {color}" if language == "fr" else f"a {color} background"
    elif h.kind == "other":
        from imgvar.engines.local.setting_changes import plan_setting, unsupported_words

        if plan_setting(text) is None or unsupported_words(text):
            return h
        setting = view[h.start:h.end].strip()
    else:
        return h
    return Hit("recontext", h.start, h.end, {"subject": subject, "setting": setting, "preposition": None})


def _one_setting(hits: list[Hit], low: str) -> list[Hit]:
    """Settings named apart ("in winter, at dusk"; "on a beach, at sunset") are one new setting:
    a later recontext that names no subject of its own joins the first, and so does a clause that
    only says where and how big ("small, on the left"), which placement reads from the prompt."""
    from imgvar.engines.local.placement import only_placement

    def says_where(h: Hit) -> bool:
        return (h.kind == "other" or h.kind == "recontext" and h.args.get("subject") is None) and \
            only_placement(low[h.start:h.end])

    first: Hit | None = None
    kept: list[Hit] = []
    anchors = [h for h in hits if h.kind == "recontext" and not says_where(h)] or [
        h for h in hits if h.kind == "add_object"]  # "add a boat, small, on the left"
    for h in hits:
        if anchors and says_where(h):
            anchors[0].joined.append((h.start, h.end))
        elif h.kind != "recontext":
            kept.append(h)
        elif first is None:
            first = h
            kept.append(h)
        elif h.args.get("subject") is None or h.args.get("subject") == first.args.get("subject"):
            prep = h.args.get("preposition")
            phrase = f"{prep} {h.args['setting']}" if prep and not prep.endswith("'") else (
                f"{prep}{h.args['setting']}" if prep else h.args["setting"])
            first.args = {**first.args, "setting": f"{first.args['setting']}, {phrase}"}
            first.joined.append((h.start, h.end))
        else:
            kept.append(h)
    return kept

