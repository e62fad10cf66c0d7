"""The one text call: plan and draft output prompt from the prompt and a small, low-detail copy of the image."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

from ...errors import ContentRefusedError, EngineError
from .schema import SYSTEM_PROMPT, CloudPlan, to_plan

if TYPE_CHECKING:
    from PIL import Image

    from ...imageio import ImageFacts
    from ...plan import Plan
    from .engine import CloudContext

THUMB_SIDE = 512  # what a low-detail image input is scaled to anyway
MAX_OUTPUT_TOKENS = 1200
# The answer is JSON: ~80 tokens of frame, subject and draft, and ~50 per task (every field,
# most of them null). The offline parser's task count stands in for the model's.
ANSWER_BASE_TOKENS = 80
TOKENS_PER_TASK = 50


class CloudAnalyzer:
    paid = True

    def __init__(self, ctx: CloudContext) -> None:
        self.ctx = ctx
        self.version = f"{ctx.provider.name}:{ctx.provider.text_model}:plan-2"

    def messages(self, prompt: str, image: Image.Image, facts: ImageFacts) -> tuple[list[dict[str, Any]], tuple[int, int]]:
        thumb = _thumbnail(image)
        data = base64.b64encode(_jpeg(thumb)).decode("ascii")
        text = f"Request: {prompt}\nImage: {facts.width}x{facts.height} pixels."
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": [
                {"type": "text", "text": text},
                {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{data}", "detail": "low"}},
            ]},
        ], thumb.size

    def estimate(self, prompt: str, image: Image.Image, facts: ImageFacts):
        from ...cost import estimate_text_call

        messages, thumb_size = self.messages(prompt, image, facts)
        chars = len(SYSTEM_PROMPT) + len(messages[1]["content"][0]["text"])
        p = self.ctx.provider
        from ...prompt import parse_prompt

        expected = ANSWER_BASE_TOKENS + TOKENS_PER_TASK * max(1, len(parse_prompt(prompt).tasks))
        estimate = estimate_text_call(self.ctx.prices, p.name, p.text_model, text_chars=chars, images=[thumb_size],
                                      detail="low", max_output_tokens=MAX_OUTPUT_TOKENS,
                                      expected_output_tokens=expected)
        estimate.needs_key = p.missing.needs if p.missing else None
        return estimate

    def analyze(self, prompt: str, image: Image.Image, facts: ImageFacts) -> Plan:
        ctx = self.ctx
        messages, _ = self.messages(prompt, image, facts)
        estimate = self.estimate(prompt, image, facts)
        client = ctx.client().with_options(timeout=float(ctx.settings["cloud.text_timeout"]))
        response = ctx.meter.send(estimate, lambda: client.chat.completions.parse(
            model=ctx.provider.text_target, messages=messages, response_format=CloudPlan,
            max_completion_tokens=MAX_OUTPUT_TOKENS))
        try:
            message = response.choices[0].message
        except (AttributeError, IndexError):
            raise EngineError(f"{ctx.provider.label} returned no answer to the planning call") from None
        if getattr(message, "refusal", None):
            raise ContentRefusedError(f"{ctx.provider.label} refused to plan the edit: "
                                      f"{ctx.provider.redact(' '.join(str(message.refusal).split()))[:200]}")
        if message.parsed is None:
            raise EngineError(f"{ctx.provider.label} returned a plan that does not match the schema")
        return to_plan(message.parsed, prompt)


def _thumbnail(image: Image.Image) -> Image.Image:
    thumb = image.convert("RGB")
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return thumb


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return buf.getvalue()
