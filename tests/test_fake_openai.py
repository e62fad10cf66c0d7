"""The local OpenAI-compatible fake, exercised through the real openai SDK over HTTP."""

from __future__ import annotations

import base64
import io
import json
import math
import time
from enum import Enum
from pathlib import Path
from typing import Literal, Optional

import jsonschema
import openai
import pydantic
import pytest
from PIL import Image, ImageChops, ImageOps

from conftest import make_photo
from fake_openai import FakeOpenAI, SchemaFaker, edit_image_tokens, vision_tokens

API_VERSION = "2025-04-01-preview"
SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "imgvar" / "schemas"


class Kind(str, Enum):
    style = "style"
    recontext = "recontext"


class Task(pydantic.BaseModel):
    kind: Kind
    text: str
    strength: float
    subject: Optional[str]
    colors: list[str]
    mode: Literal["fast", "careful"]


class Plan(pydantic.BaseModel):
    language: Literal["en"]
    tasks: list[Task]
    note: str | None


MESSAGES = [{"role": "system", "content": "You plan image edits."},
            {"role": "user", "content": "make it a watercolor"}]


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(image: Image.Image, fmt: str = "JPEG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buffer.getvalue()).decode()


def b64_image(b64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


def openai_client(fake: FakeOpenAI, **kwargs) -> openai.OpenAI:
    kwargs.setdefault("api_key", fake.api_key)
    return openai.OpenAI(base_url=f"{fake.url}/v1", max_retries=0, **kwargs)


def azure_client(fake: FakeOpenAI, **kwargs) -> openai.AzureOpenAI:
    if "azure_ad_token" not in kwargs:
        kwargs.setdefault("api_key", fake.api_key)
    return openai.AzureOpenAI(azure_endpoint=fake.url, api_version=API_VERSION, max_retries=0, **kwargs)


def square_mask(size: tuple[int, int]) -> Image.Image:
    """Opaque everywhere but a transparent left half."""
    mask = Image.new("RGBA", size, (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    return mask


# --------------------------------------------------------------------------------------------
# Chat completions


def test_chat_parse_openai(fake_openai):
    photo = make_photo((1000, 600))
    messages = [MESSAGES[0], {"role": "user", "content": [
        {"type": "text", "text": "make it a watercolor"},
        {"type": "image_url", "image_url": {"url": data_url(photo), "detail": "high"}},
        {"type": "image_url", "image_url": {"url": data_url(photo.resize((300, 200)), "PNG"), "detail": "low"}},
    ]}]
    completion = openai_client(fake_openai).chat.completions.parse(
        model="gpt-4.1-mini", messages=messages, response_format=Plan)

    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Plan)
    assert parsed.language == "en" and parsed.tasks and parsed.tasks[0].kind is Kind.style
    assert completion.model == "gpt-4.1-mini" and completion.id.startswith("chatcmpl-fake-")
    [call] = fake_openai.calls("chat")
    schema = call.json["response_format"]["json_schema"]["schema"]
    content = completion.choices[0].message.content
    jsonschema.validate(json.loads(content), schema)

    assert call.path == "/v1/chat/completions" and call.status == 200 and call.fault is None
    assert call.headers["authorization"] == f"Bearer {fake_openai.api_key}" and "api-key" not in call.headers
    assert call.images == [(1000, 600), (300, 200)] and call.details == ["high", "low"]
    assert call.deployment is None and call.body_bytes > 1000

    text_bytes = len("You plan image edits.") + len("make it a watercolor")
    # 1000x600 fits 2048 and its short side is under 768: 2x2 tiles.
    prompt = math.ceil(text_bytes / 4) + (85 + 170 * 4) + 85 + 7 * 2
    completion_tokens = math.ceil(len(content.encode()) / 4)
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion_tokens)
    assert usage.total_tokens == prompt + completion_tokens and usage.prompt_tokens_details.cached_tokens == 0
    assert call.response["usage"]["prompt_tokens"] == prompt


def test_vision_tokens_scale_like_the_published_rules():
    assert vision_tokens(4096, 8192, "low") == 85
    assert vision_tokens(1024, 1024, "high") == 85 + 170 * 4      # short side 768 -> 768x768, 2x2 tiles
    assert vision_tokens(2048, 4096, "auto") == 85 + 170 * 6      # 1024x2048 -> 768x1536, 2x3 tiles
    assert vision_tokens(512, 512, "high") == 85 + 170


def test_chat_parse_azure_deployment(fake_openai):
    completion = azure_client(fake_openai).chat.completions.parse(
        model="planner-deploy", messages=MESSAGES, response_format=Plan)

    assert isinstance(completion.choices[0].message.parsed, Plan)
    [call] = fake_openai.calls("chat")
    assert call.path == "/openai/deployments/planner-deploy/chat/completions"
    assert call.deployment == "planner-deploy" and call.query == {"api-version": API_VERSION}
    assert call.headers["api-key"] == fake_openai.api_key and "authorization" not in call.headers
    assert call.response["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"] is False


def test_chat_azure_entra_token():
    with FakeOpenAI(azure_token="entra-token-xyz") as fake:
        completion = azure_client(fake, azure_ad_token="entra-token-xyz").chat.completions.create(
            model="planner-deploy", messages=MESSAGES)
        assert completion.choices[0].message.content == "fake answer"
        assert fake.calls("chat")[0].headers["authorization"] == "Bearer entra-token-xyz"
        with pytest.raises(openai.AuthenticationError):
            azure_client(fake, azure_ad_token="some-other-token").chat.completions.create(
                model="planner-deploy", messages=MESSAGES)


def test_chat_parse_azure_v1_base_url(fake_openai):
    client = openai.OpenAI(base_url=f"{fake_openai.url}/openai/v1/", api_key=fake_openai.api_key, max_retries=0)
    completion = client.chat.completions.parse(model="planner-deploy", messages=MESSAGES, response_format=Plan)

    assert isinstance(completion.choices[0].message.parsed, Plan)
    [call] = fake_openai.calls("chat")
    assert call.path == "/openai/v1/chat/completions" and call.deployment is None and call.query == {}
    assert call.headers["authorization"] == f"Bearer {fake_openai.api_key}"


def test_azure_deployment_path_requires_api_version(fake_openai):
    client = openai.OpenAI(base_url=f"{fake_openai.url}/openai/deployments/d1", api_key="unused",
                           default_headers={"api-key": fake_openai.api_key}, max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="d1", messages=MESSAGES)
    assert caught.value.code == "missing_api_version"


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_wrong_key_is_refused_without_echoing_it(fake_openai, flavor):
    secret = "sk-wrong-key-that-must-not-leak-42"
    client = openai_client(fake_openai, api_key=secret) if flavor == "openai" else azure_client(
        fake_openai, api_key=secret)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    assert secret not in str(caught.value) and secret not in caught.value.response.text
    assert caught.value.code == "invalid_api_key"
    assert fake_openai.calls("chat")[0].status == 401


def test_openai_paths_refuse_the_azure_header(fake_openai):
    client = openai.OpenAI(base_url=f"{fake_openai.url}/v1", api_key="wrong",
                           default_headers={"api-key": fake_openai.api_key}, max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)


def test_plan_for_hook_gets_the_user_text(fake_openai):
    seen = []

    def plan_for(user_text: str) -> dict:
        seen.append(user_text)
        return {"language": "en", "tasks": [], "note": "from the hook"}

    fake_openai.plan_for = plan_for
    messages = [MESSAGES[0], {"role": "user", "content": [{"type": "text", "text": "first"},
                                                          {"type": "text", "text": "second"}]}]
    completion = openai_client(fake_openai).chat.completions.parse(
        model="gpt-4.1-mini", messages=messages, response_format=Plan)
    assert completion.choices[0].message.parsed == Plan(language="en", tasks=[], note="from the hook")
    assert seen == ["first\nsecond"]


def test_strict_schema_rules_are_enforced(fake_openai):
    loose = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client(fake_openai).chat.completions.create(
            model="gpt-4.1-mini", messages=MESSAGES,
            response_format={"type": "json_schema", "json_schema": {"name": "loose", "schema": loose, "strict": True}})
    assert "additionalProperties" in str(caught.value)
    completion = openai_client(fake_openai).chat.completions.create(
        model="gpt-4.1-mini", messages=MESSAGES,
        response_format={"type": "json_schema", "json_schema": {"name": "loose", "schema": loose}})
    assert json.loads(completion.choices[0].message.content) == {"a": "fake a"}


def test_schema_faker_builds_valid_values():
    schemas = [
        json.loads((SCHEMAS / "analysis-1.json").read_text()),
        {"type": "object", "additionalProperties": False, "required": ["node"],
         "properties": {"node": {"$ref": "#/$defs/node"}},
         "$defs": {"node": {"type": "object", "required": ["name", "children", "color", "weight", "count"],
                            "properties": {"name": {"type": ["string", "null"], "minLength": 12},
                                           "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                                           "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
                                           "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                                           "count": {"type": "integer", "minimum": 3, "multipleOf": 2}}}}},
        {"type": "object", "required": ["tags", "when", "pair"],
         "properties": {"tags": {"type": "array", "minItems": 3, "uniqueItems": True,
                                 "items": {"enum": ["a", "b", "c", "d"]}},
                        "when": {"type": "string", "format": "date-time"},
                        "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}],
                                 "items": False}}},
    ]
    for schema in schemas:
        jsonschema.validate(SchemaFaker(schema).value(schema), schema)


# --------------------------------------------------------------------------------------------
# Image edits


def test_edit_with_mask_inverts_only_the_transparent_area(fake_openai):
    photo = make_photo((96, 64))
    result = openai_client(fake_openai).images.edit(
        model="gpt-image-1.5", prompt="paint the left half", size="1536x1024", quality="medium",
        input_fidelity="high", image=("photo.png", png_bytes(photo), "image/png"),
        mask=("mask.png", png_bytes(square_mask(photo.size)), "image/png"))

    out = b64_image(result.data[0].b64_json)
    assert out.size == (1536, 1024) and out.format == "PNG" and result.size == "1536x1024"
    expected = photo.resize((1536, 1024), Image.Resampling.LANCZOS)
    assert ImageChops.difference(out.crop((768, 0, 1536, 1024)), expected.crop((768, 0, 1536, 1024))).getbbox() is None
    assert ImageChops.difference(out.crop((0, 0, 768, 1024)),
                                 ImageOps.invert(expected).crop((0, 0, 768, 1024))).getbbox() is None

    [call] = fake_openai.calls("edit")
    assert call.path == "/v1/images/edits" and call.status == 200
    assert call.form == {"model": "gpt-image-1.5", "prompt": "paint the left half", "size": "1536x1024",
                         "quality": "medium", "input_fidelity": "high"}
    assert [(f.field, f.filename, f.content_type, f.size) for f in call.files] == [
        ("image", "photo.png", "image/png", (96, 64)), ("mask", "mask.png", "image/png", (96, 64))]
    assert call.files[1].mode == "RGBA" and call.files[0].data == png_bytes(photo)

    image_tokens = 65 + 129 * 1 + 6144   # one tile, high fidelity, not square-ish
    text_tokens = math.ceil(len("paint the left half") / 4)
    usage = result.usage
    assert (usage.input_tokens_details.image_tokens, usage.input_tokens_details.text_tokens) == (
        image_tokens, text_tokens)
    assert usage.output_tokens == 1584 and usage.input_tokens == image_tokens + text_tokens
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert (result.quality, result.output_format, result.background) == ("medium", "png", "opaque")


def test_edit_several_images_auto_size_and_jpeg(fake_openai):
    wide = make_photo((1100, 600))
    result = openai_client(fake_openai).images.edit(
        model="gpt-image-1.5", prompt="put them together", output_format="jpeg", quality="low",
        image=[("a.png", png_bytes(wide), "image/png"), ("b.png", png_bytes(make_photo((64, 64))), "image/png")])

    out = b64_image(result.data[0].b64_json)
    assert out.size == (1536, 1024) and out.format == "JPEG"
    [call] = fake_openai.calls("edit")
    assert [f.field for f in call.files] == ["image[]", "image[]"]
    expected = edit_image_tokens(1100, 600, "low") + edit_image_tokens(64, 64, "low")
    assert expected == (65 + 129 * 6) + (65 + 129)
    assert result.usage.input_tokens_details.image_tokens == expected and result.usage.output_tokens == 408


def test_edit_raw_bytes_are_an_unsupported_mimetype(fake_openai):
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client(fake_openai).images.edit(model="gpt-image-1.5", prompt="x",
                                               image=png_bytes(make_photo()))
    assert caught.value.code == "unsupported_file_mimetype"
    [upload] = fake_openai.calls("edit")[0].files
    assert (upload.field, upload.filename, upload.content_type) == ("image", "upload", "application/octet-stream")


@pytest.mark.parametrize("case", ["no_alpha", "wrong_size", "undecodable", "no_prompt"])
def test_edit_rejects_bad_inputs(fake_openai, case):
    photo = png_bytes(make_photo((96, 64)))
    kwargs = {"prompt": "x", "image": ("photo.png", photo, "image/png")}
    if case == "no_alpha":
        kwargs["mask"] = ("mask.png", png_bytes(Image.new("RGB", (96, 64))), "image/png")
    elif case == "wrong_size":
        kwargs["mask"] = ("mask.png", png_bytes(square_mask((64, 64))), "image/png")
    elif case == "undecodable":
        kwargs["image"] = ("photo.png", b"not an image at all", "image/png")
    else:
        kwargs["prompt"] = ""
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client(fake_openai).images.edit(model="gpt-image-1.5", **kwargs)
    expected = {"no_alpha": "invalid_mask", "wrong_size": "invalid_mask", "undecodable": "invalid_image",
                "no_prompt": "missing_required_parameter"}[case]
    assert caught.value.code == expected
    if case == "wrong_size":
        assert "same dimensions" in str(caught.value)


def test_edit_through_azure_deployment(fake_openai):
    result = azure_client(fake_openai).images.edit(
        model="image-deploy", prompt="x", quality="low", size="1024x1024",
        image=("photo.jpg", _jpeg(make_photo()), "image/jpeg"))
    assert b64_image(result.data[0].b64_json).size == (1024, 1024)
    [call] = fake_openai.calls("edit")
    assert call.path == "/openai/deployments/image-deploy/images/edits"
    assert call.deployment == "image-deploy" and call.query["api-version"] == API_VERSION
    assert call.headers["api-key"] == fake_openai.api_key and call.files[0].format == "JPEG"


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Image generations


def test_generate_is_deterministic(fake_openai):
    client = openai_client(fake_openai)
    first = client.images.generate(model="gpt-image-1.5", prompt="a red fox", quality="high", size="1024x1024")
    again = client.images.generate(model="gpt-image-1.5", prompt="a red fox", quality="high", size="1024x1024")
    other = client.images.generate(model="gpt-image-1.5", prompt="a blue whale", output_format="webp",
                                   quality="low", size="1024x1536")
    assert first.data[0].b64_json == again.data[0].b64_json != other.data[0].b64_json
    assert b64_image(other.data[0].b64_json).size == (1024, 1536) and b64_image(other.data[0].b64_json).format == "WEBP"
    usage = first.usage
    assert (usage.input_tokens_details.image_tokens, usage.input_tokens_details.text_tokens) == (0, 3)
    assert usage.output_tokens == 4160 and other.usage.output_tokens == 408
    assert fake_openai.calls("generate")[0].json["prompt"] == "a red fox"


# --------------------------------------------------------------------------------------------
# Faults


def test_fault_429_with_retry_after(fake_openai):
    fake_openai.fail_next("chat", "429", retry_after=3)
    client = openai_client(fake_openai)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    headers = caught.value.response.headers
    assert headers["retry-after"] == "3" and headers["retry-after-ms"] == "3000"
    assert headers["x-request-id"].startswith("req_fake_") and caught.value.code == "rate_limit_exceeded"
    assert client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES).choices
    assert [(c.fault, c.status) for c in fake_openai.calls("chat")] == [("429", 429), (None, 200)]


def test_fault_500_then_recovery_with_sdk_retries(fake_openai):
    fake_openai.fail_next("generate", "500", times=2, retry_after=0.01)
    client = openai.OpenAI(base_url=f"{fake_openai.url}/v1", api_key=fake_openai.api_key, max_retries=2)
    assert client.images.generate(model="gpt-image-1.5", prompt="p", quality="low").data
    calls = fake_openai.calls("generate")
    assert [c.status for c in calls] == [500, 500, 200]
    assert [c.headers["x-stainless-retry-count"] for c in calls] == ["0", "1", "2"]
    fake_openai.fail_next("generate", "500")
    with pytest.raises(openai.InternalServerError):
        openai_client(fake_openai).images.generate(model="gpt-image-1.5", prompt="p")


def test_fault_moderation_and_content_filter(fake_openai):
    client = openai_client(fake_openai)
    image = ("photo.png", png_bytes(make_photo()), "image/png")
    fake_openai.fail_next("edit", "moderation_blocked")
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="gpt-image-1.5", prompt="x", image=image)
    assert caught.value.code == "moderation_blocked" and caught.value.type == "image_generation_user_error"

    fake_openai.fail_next("edit", "content_filter")
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(fake_openai).images.edit(model="image-deploy", prompt="x", image=image)
    assert caught.value.code == "contentFilter"
    inner = caught.value.body["innererror"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_result"]["violence"] == {"filtered": True, "severity": "medium"}

    fake_openai.fail_next("chat", "content_filter")
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(fake_openai).chat.completions.create(model="planner-deploy", messages=MESSAGES)
    assert caught.value.code == "content_filter"
    assert caught.value.body["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    assert [c.fault for c in fake_openai.requests] == ["moderation_blocked", "content_filter", "content_filter"]


def test_fault_refusal_bad_schema_and_malformed(fake_openai):
    client = openai_client(fake_openai)
    fake_openai.fail_next("chat", "refusal")
    message = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Plan).choices[0].message
    assert message.parsed is None and message.content is None and message.refusal

    fake_openai.fail_next("chat", "bad_schema")
    with pytest.raises(pydantic.ValidationError):
        client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Plan)
    call = fake_openai.calls("chat")[-1]
    content = json.loads(call.response["choices"][0]["message"]["content"])
    assert not jsonschema.Draft202012Validator(call.json["response_format"]["json_schema"]["schema"]).is_valid(content)

    fake_openai.fail_next("chat", "malformed")
    raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw.http_response.text)
    assert fake_openai.calls("chat")[-1].response is None


def test_fault_slow_times_out_then_serves(fake_openai):
    fake_openai.fail_next("chat", "slow", delay=2.0)
    client = openai_client(fake_openai, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    assert time.monotonic() - started < 1.5
    assert client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES).choices
    assert [c.fault for c in fake_openai.calls("chat")] == ["slow", None]


def test_fault_drop_reads_the_request_then_closes_without_an_answer(fake_openai):
    fake_openai.fail_next("edit", "drop")
    client = openai_client(fake_openai)
    image = ("photo.png", png_bytes(make_photo()), "image/png")
    with pytest.raises(openai.APIConnectionError) as caught:
        client.images.edit(model="gpt-image-1.5", prompt="x", image=image)
    assert not isinstance(caught.value, openai.APITimeoutError)
    # The transport saw the request go out and no answer come back (not a refused connection).
    assert type(caught.value.__cause__).__name__ == "RemoteProtocolError"
    [dropped] = fake_openai.calls("edit")
    assert dropped.fault == "drop" and dropped.status == 0 and dropped.files[0].size == (96, 64)  # 0: no answer
    assert client.images.edit(model="gpt-image-1.5", prompt="x", image=image).data


@pytest.mark.parametrize("model,size,ok", [("gpt-image-1.5", "1536x1024", True), ("gpt-image-1-mini", "512x512", False),
                                           ("gpt-image-1.5", "13x7", False), ("gpt-image-2", "1280x720", True)])
def test_gpt_image_1_models_make_three_sizes_only(fake_openai, model, size, ok):
    client = openai_client(fake_openai)
    if ok:
        result = client.images.generate(model=model, prompt="a fox", quality="low", size=size)
        assert result.size == size
        return
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=model, prompt="a fox", quality="low", size=size)
    assert caught.value.code == "invalid_value" and caught.value.param == "size"


def test_fail_next_validates_its_arguments(fake_openai):
    with pytest.raises(ValueError):
        fake_openai.fail_next("edit", "refusal")
    with pytest.raises(ValueError):
        fake_openai.fail_next("embeddings", "429")
    with pytest.raises(ValueError):
        fake_openai.fail_next("chat", "teapot")


def test_unknown_path_is_404_and_responses_carry_a_request_id(fake_openai):
    client = openai_client(fake_openai)
    with pytest.raises(openai.NotFoundError):
        client.models.list()
    assert fake_openai.calls("other")[0].path == "/v1/models"
    raw = client.chat.completions.with_raw_response.create(model="gpt-4.1-mini", messages=MESSAGES)
    assert raw.headers["x-request-id"].startswith("req_fake_")
    assert raw.headers["content-type"] == "application/json"
    assert fake_openai.errors == []


def test_chat_images_must_be_decodable_data_urls(fake_openai):
    client = openai_client(fake_openai)
    for url, code in [("https://example.com/cat.png", "invalid_image_url"),
                      ("data:image/png;base64,bm90IGFuIGltYWdl", "invalid_image_format")]:
        messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}]
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(model="gpt-4.1-mini", messages=messages)
        assert caught.value.code == code
    assert [(c.images, c.details) for c in fake_openai.calls("chat")] == [([(0, 0)], ["auto"])] * 2
