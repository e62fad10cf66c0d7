"""Cloud engines (OpenAI, Azure OpenAI) end to end, through the real SDK, against the local fake server.

The fake (tests/fake_openai.py) answers with usage computed from what it was sent, so costs,
estimates and call counts here are measured, not assumed.
"""

from __future__ import annotations

import io
from pathlib import Path
import numpy as np
import json
import os
import subprocess
import sys

import jsonschema
import pytest
from PIL import Image
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.errors import ExitCode

from conftest import REPO, make_cutout, make_photo
from fake_openai import parser_plan_for

KEY = "sk-test-fake-0123456789"  # the fake's key; a distinctive string to hunt for in outputs

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def openai_env(fake_openai, monkeypatch):
    fake_openai.plan_for = parser_plan_for
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url + "/v1")
    return fake_openai


@pytest.fixture
def azure_env(fake_openai, monkeypatch):
    fake_openai.plan_for = parser_plan_for
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.url)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("IMGVAR_AZURE_TEXT_DEPLOYMENT", "plan-dep")
    monkeypatch.setenv("IMGVAR_AZURE_IMAGE_DEPLOYMENT", "edit-dep")
    return fake_openai


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Retries wait for Retry-After or a backoff; record the waits instead of sleeping them."""
    from imgvar.engines.cloud import calls

    waits: list[float] = []
    monkeypatch.setattr(calls, "_pause", waits.append)
    return waits


def kinds(fake) -> list[str]:
    return [r.kind for r in fake.requests]


def one_line_error(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.startswith("imgvar: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


# -- sparing by construction -----------------------------------------------------------------


def test_a_fresh_run_makes_one_text_and_one_image_call_and_a_repeat_makes_none(openai_env, photo, tmp_path):
    out = tmp_path / "out.png"
    first = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", out, "--json")
    assert first.exit_code == 0, first.output
    assert kinds(openai_env) == ["chat", "edit"]
    data = json.loads(first.stdout)
    assert data["engine"] == "openai" and len(data["calls"]) == 2 and data["cost_usd"] > 0
    # Each paid call names the stage result it paid for.
    keys = {s["name"]: s["key"] for s in data["stages"]}
    assert [c["key"] for c in data["calls"]] == [keys["analyze"], keys["edit"]]
    assert data["output_prompt"].startswith("The image keeps the composition")
    # The edited image is the fake's (inverted colours), brought back to the input's size.
    source = Image.open(photo).convert("RGB")
    result = Image.open(out).convert("RGB")
    assert result.size == source.size
    px = source.getpixel((5, 5))
    assert all(abs(a - (255 - b)) <= 40 for a, b in zip(result.getpixel((5, 5)), px))

    second = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", out, "--json")
    assert second.exit_code == 0, second.output
    assert kinds(openai_env) == ["chat", "edit"]  # nothing more was sent
    again = json.loads(second.stdout)
    assert again["cached"] is True and again["calls"] == [] and again["cost_usd"] == 0.0


def test_auto_uses_the_configured_cloud_engine_and_says_so(openai_env, photo, tmp_path):
    result = invoke("run", photo, "in watercolor", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert "engine openai" in result.stderr and "2 paid calls" in result.stderr
    assert kinds(openai_env) == ["chat", "edit"]


def test_auto_without_credentials_runs_locally(fake_openai, photo, tmp_path):
    result = invoke("run", photo, "in watercolor", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert "engine local" in result.stderr
    assert fake_openai.requests == []


def test_the_cost_is_shown_before_and_after_each_call(openai_env, photo, tmp_path):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    estimate = next(i for i, line in enumerate(lines) if line.startswith("image call") and "estimate $" in line)
    cost = next(i for i, line in enumerate(lines) if line.startswith("image call") and "cost $" in line)
    assert estimate < cost


def test_two_processes_asking_for_the_same_edit_at_once_make_one_call(openai_env, tmp_path, imgvar_home):
    path = tmp_path / "photo.png"
    make_photo((64, 48)).save(path)
    openai_env.fail_next("edit", "slow", delay=1.5)  # the first edit is slow: the second process must wait
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "imgvar", "run", str(path), "in Van Gogh style", "--engine", "openai", "--json"]
    procs = [subprocess.Popen(cmd + ["--out", str(tmp_path / f"o{i}.png")], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert kinds(openai_env).count("edit") == 1
    assert kinds(openai_env).count("chat") == 1
    # Each call was paid by one process; the other found its result stored.
    calls = [call for out, _ in outputs for call in json.loads(out)["calls"]]
    assert sorted(call["kind"] for call in calls) == ["image", "text"]
    assert (tmp_path / "o0.png").read_bytes() == (tmp_path / "o1.png").read_bytes()


# -- cost: estimates, budgets, ledger ----------------------------------------------------------


def test_dry_run_prints_the_calls_and_their_estimate_and_sends_nothing(openai_env, photo):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert openai_env.requests == []
    data = json.loads(result.stdout)
    assert [c["stage"] for c in data["calls"]] == ["analyze", "edit"]
    assert data["paid_calls"] == 2 and 0 < data["estimate_usd"] <= data["max_usd"]
    assert data["plan"]["tasks"][0]["kind"] == "style"
    text = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run")
    assert "nothing is sent" in text.stdout and "total: estimate $" in text.stdout
    assert openai_env.requests == []


def test_dry_run_of_analyze_lists_only_the_text_call(openai_env, photo):
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "openai", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert [c["kind"] for c in json.loads(result.stdout)["calls"]] == ["text"]
    assert openai_env.requests == []


def test_dry_run_after_a_run_counts_stored_results_as_free(openai_env, photo, tmp_path):
    assert invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png").exit_code == 0
    sent = len(openai_env.requests)
    data = json.loads(invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run", "--json").stdout)
    assert data["plan_source"] == "cache" and data["paid_calls"] == 0 and data["estimate_usd"] == 0
    assert len(openai_env.requests) == sent


@pytest.mark.parametrize("quality,size", [("low", "1024x1024"), ("medium", "auto"), ("high", "1536x1024")])
def test_estimate_is_within_15_percent_of_the_cost_from_usage(openai_env, photo, tmp_path, quality, size):
    args = ("run", photo, "in Van Gogh style", "--engine", "openai", "--quality", quality, "--size", size)
    dry = json.loads(invoke(*args, "--dry-run", "--json").stdout)
    result = invoke(*args, "--out", tmp_path / "o.png", "--json")
    assert result.exit_code == 0, result.output
    real = json.loads(result.stdout)
    assert real["cost_usd"] > 0
    assert abs(dry["estimate_usd"] - real["cost_usd"]) <= 0.15 * real["cost_usd"], (dry["estimate_usd"], real["cost_usd"])
    assert dry["max_usd"] >= real["cost_usd"]
    image_call = next(c for c in real["calls"] if c["kind"] == "image")  # the call that costs money
    assert abs(image_call["estimate_usd"] - image_call["usd"]) <= 0.15 * image_call["usd"], image_call


def test_a_budget_refusal_sends_nothing(openai_env, photo, tmp_path):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--max-cost", "0.0001",
                    "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.BUDGET, "--max-cost")
    assert openai_env.requests == []
    assert not (tmp_path / "o.png").exists()


def test_a_refused_image_call_is_not_sent_after_the_text_call(openai_env, photo, tmp_path, imgvar_home):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--max-cost", "0.01",
                    "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.BUDGET, "image call")
    assert kinds(openai_env) == ["chat"]
    # The failed run's record keeps what it did spend.
    runs = json.loads(invoke("runs", "--json").stdout)
    assert runs[0]["status"] == "failed" and runs[0]["cost"]["usd"] > 0


def test_the_daily_budget_counts_earlier_runs(openai_env, photo, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_COST_DAILY_BUDGET", "0.02")
    assert invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "a.png").exit_code == 0
    sent = len(openai_env.requests)
    result = invoke("run", photo, "in watercolor", "--engine", "openai", "--out", tmp_path / "b.png")
    one_line_error(result, ExitCode.BUDGET, "daily")
    assert len(openai_env.requests) - sent <= 1  # at most the cheap text call went out
    assert "edit" not in kinds(openai_env)[sent:]


def test_imgvar_cost_totals_what_the_runs_spent(openai_env, photo, tmp_path):
    spent = 0.0
    for prompt in ("in Van Gogh style", "in watercolor"):
        result = invoke("run", photo, prompt, "--engine", "openai", "--out", tmp_path / "o.png", "--json")
        spent += json.loads(result.stdout)["cost_usd"]
    report = invoke("cost", "--json")
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)["summary"]
    assert data["calls"] == 4
    assert abs(data["total_usd"] - spent) < 1e-6
    assert {row["model"] for row in data["by_model"]} == {"gpt-4.1-mini", "gpt-image-1-mini"}


# -- retries, timeouts and refusals ----------------------------------------------------------


def test_429_is_retried_after_retry_after(openai_env, photo, tmp_path, no_waiting):
    openai_env.fail_next("edit", "429", retry_after=7)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["chat", "edit", "edit"]
    assert no_waiting == [7.0]


def test_500_is_retried_with_backoff_then_gives_up(openai_env, photo, tmp_path, no_waiting):
    openai_env.fail_next("edit", "500", times=3)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.ENGINE, "500", "after 3 attempts")
    assert kinds(openai_env) == ["chat", "edit", "edit", "edit"]  # cloud.max_retries = 2
    assert len(no_waiting) == 2 and no_waiting[1] > no_waiting[0] > 0
    assert not (tmp_path / "o.png").exists()


def test_a_timed_out_image_call_is_not_resent(openai_env, photo, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_CLOUD_TIMEOUT", "1")
    openai_env.fail_next("edit", "slow", delay=3)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.ENGINE, "timed out", "may already be billed", "--retry-timeouts")
    assert kinds(openai_env) == ["chat", "edit"]
    # The ledger counts the call that may have been billed.
    summary = json.loads(invoke("cost", "--json").stdout)["summary"]
    assert summary["calls"] == 2 and summary["total_usd"] > 0.01


def test_retry_timeouts_lets_a_timed_out_image_call_be_resent(openai_env, photo, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_CLOUD_TIMEOUT", "1")
    openai_env.fail_next("edit", "slow", delay=3)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--retry-timeouts",
                    "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["chat", "edit", "edit"]


def test_moderation_blocked_ends_with_the_content_code_and_is_not_retried(openai_env, photo, tmp_path):
    openai_env.fail_next("edit", "moderation_blocked")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.CONTENT, "moderation_blocked")
    assert kinds(openai_env) == ["chat", "edit"]


def test_azure_content_filter_names_the_category(azure_env, photo, tmp_path):
    azure_env.fail_next("edit", "content_filter")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "azure", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.CONTENT, "contentFilter", "violence")
    assert kinds(azure_env) == ["chat", "edit"]


def test_a_text_model_refusal_is_a_content_refusal(openai_env, photo):
    openai_env.fail_next("chat", "refusal")
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "openai")
    one_line_error(result, ExitCode.CONTENT, "refused")
    assert kinds(openai_env) == ["chat"]


@pytest.mark.parametrize("fault", ["malformed", "bad_schema"])
def test_a_malformed_answer_is_an_engine_error(openai_env, photo, fault):
    openai_env.fail_next("chat", fault)
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "openai")
    one_line_error(result, ExitCode.ENGINE, "malformed")
    assert kinds(openai_env) == ["chat"]


def test_a_wrong_key_is_an_engine_error_that_never_shows_the_key(fake_openai, photo, monkeypatch):
    wrong = "sk-wrong-key-that-must-not-leak-42"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url + "/v1")
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "openai", "--debug")
    assert result.exit_code == ExitCode.ENGINE
    assert "credentials" in result.stderr and wrong not in result.output


def test_an_unreachable_service_fails_fast_with_one_line(photo, monkeypatch, no_waiting):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # the discard port: nothing listens
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "openai")
    one_line_error(result, ExitCode.ENGINE, "cannot reach OpenAI")
    assert len(no_waiting) == 2


def closed_port() -> int:
    """A local port nothing listens on: bound, then closed, so connecting to it is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_is_not_a_paid_call(photo, tmp_path, monkeypatch, no_waiting):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.ENGINE, "cannot reach OpenAI", "ConnectError", "after 3 attempts")
    assert len(no_waiting) == 2  # retried: nothing was sent, so nothing can be billed
    summary = json.loads(invoke("cost", "--json").stdout)["summary"]
    assert summary["calls"] == 0 and summary["total_usd"] == 0
    runs = json.loads(invoke("runs", "--json").stdout)
    assert runs[0]["status"] == "failed" and runs[0]["cost"] == {"usd": 0.0, "calls": []}
    text = invoke("cost")
    assert text.exit_code == 0 and "no paid calls recorded" in text.stdout


def test_an_image_call_dropped_after_sending_is_counted_and_not_resent(openai_env, photo, tmp_path):
    openai_env.fail_next("edit", "drop")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.ENGINE, "connection to OpenAI", "may already be billed", "--retry-timeouts")
    assert kinds(openai_env) == ["chat", "edit"]
    rows = json.loads(invoke("runs", "--json").stdout)[0]["cost"]["calls"]
    assert [(r["kind"], r["status"]) for r in rows] == [("text", "ok"), ("image", "failed")]
    assert rows[1]["usd"] == rows[1]["estimate_usd"] > 0.005  # counted at its estimate
    assert json.loads(invoke("cost", "--json").stdout)["summary"]["calls"] == 2


def test_a_text_call_dropped_after_sending_is_retried_and_both_are_counted(openai_env, photo, tmp_path, no_waiting):
    openai_env.fail_next("chat", "drop")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png", "--json")
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["chat", "chat", "edit"] and len(no_waiting) == 1
    calls = json.loads(result.stdout)["calls"]
    assert [(c["kind"], c["status"]) for c in calls] == [("text", "failed"), ("text", "ok"), ("image", "ok")]
    assert json.loads(invoke("cost", "--json").stdout)["summary"]["calls"] == 3


@pytest.mark.parametrize("failure,sent", [("ConnectError", False), ("ConnectTimeout", False), ("PoolTimeout", False),
                                          ("ReadTimeout", True), ("ReadError", True), ("RemoteProtocolError", True)])
def test_an_image_call_is_counted_only_when_its_request_was_sent(tmp_path, no_waiting, failure, sent):
    """Each transport failure, raised under the real SDK, is a call only when it can come after sending."""
    import httpx2
    import openai

    from imgvar.config import load_settings
    from imgvar.cost import estimate_image_call, load_prices
    from imgvar.engines.cloud.calls import CallMeter
    from imgvar.engines.cloud.provider import provider_for
    from imgvar.errors import EngineError
    from imgvar.store.local import LocalStore

    attempts = []

    def transport(request):
        attempts.append(request.url.path)
        raise getattr(httpx2, failure)("simulated", request=request)

    settings = load_settings(flags={"openai.api_key": KEY})
    prices = load_prices(settings)
    store = LocalStore(tmp_path / "store")
    meter = CallMeter(provider_for("openai", settings), settings, prices, store=store)
    client = openai.OpenAI(api_key=KEY, base_url="http://127.0.0.1:1/v1", max_retries=0,
                           http_client=httpx2.Client(transport=httpx2.MockTransport(transport)))
    estimate = estimate_image_call(prices, "openai", "gpt-image-1-mini", quality="medium", size=(1024, 1024),
                                   prompt_chars=100)
    with pytest.raises(EngineError) as caught:
        meter.send(estimate, lambda: client.images.generate(model="gpt-image-1-mini", prompt="a fox"))
    rows = store.read_ledger()
    if sent:  # may be billed: counted at its estimate, and not re-sent unasked
        assert len(attempts) == 1 and "may already be billed" in str(caught.value)
        assert [(r["kind"], r["usd"]) for r in rows] == [("image", round(estimate.usd, 8))]
        assert meter.usd == estimate.usd and len(meter.calls) == 1
    else:  # never left: retried like any failure to connect, and no call at all
        assert len(attempts) == 3 and "cannot reach OpenAI" in str(caught.value)
        assert rows == [] and meter.calls == [] and meter.usd == 0


def test_an_azure_sign_in_failure_is_one_line_and_not_a_paid_call(fake_openai, photo, monkeypatch):
    from azure.core.exceptions import ClientAuthenticationError

    from imgvar.engines.cloud import provider

    def no_token():
        raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token.\nAttempted: ...")

    monkeypatch.setattr(provider, "_entra_token_provider", lambda: no_token)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.url)
    monkeypatch.setenv("IMGVAR_AZURE_AUTH", "entra")
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "azure")
    one_line_error(result, ExitCode.ENGINE, "signing in to Azure OpenAI failed", "ClientAuthenticationError")
    assert fake_openai.requests == []
    assert json.loads(invoke("cost", "--json").stdout)["summary"]["calls"] == 0


def test_an_empty_azure_api_version_is_a_usage_error(azure_env, photo, monkeypatch):
    config_dir = photo.parent / "cfg.toml"
    config_dir.write_text('[azure]\napi_version = ""\n')
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "azure", "--config", config_dir)
    one_line_error(result, ExitCode.USAGE, "azure.api_version is empty")
    assert azure_env.requests == []


# -- dry runs need no key ----------------------------------------------------------------------


def test_dry_run_needs_no_key_and_says_the_real_run_will(fake_openai, photo, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url + "/v1")  # no OPENAI_API_KEY
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["engine"] == "openai" and data["paid_calls"] == 2 and data["max_usd"] > 0
    assert data["needs_key"] == "OPENAI_API_KEY or --api-key"
    assert any("OPENAI_API_KEY" in w for w in data["warnings"])
    text = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run")
    assert text.exit_code == 0 and "total: estimate $" in text.stdout
    # The real run asks for the key before sending anything.
    real = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    one_line_error(real, ExitCode.USAGE, "needs an API key", "OPENAI_API_KEY")
    assert fake_openai.requests == []
    # With a key the dry run has nothing to warn about.
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    keyed = json.loads(invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--dry-run", "--json").stdout)
    assert keyed["needs_key"] is None and keyed["warnings"] == []
    assert keyed["max_usd"] == data["max_usd"]
    assert fake_openai.requests == []


def test_azure_dry_run_needs_no_endpoint_or_key(fake_openai, photo):
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "azure", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["needs_key"] == "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY"
    assert [c["kind"] for c in data["calls"]] == ["text"]
    assert fake_openai.requests == []


def test_an_unpriced_model_is_refused_before_anything_is_sent(openai_env, photo, monkeypatch):
    monkeypatch.setenv("IMGVAR_OPENAI_IMAGE_MODEL", "gpt-image-2")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai")
    one_line_error(result, ExitCode.USAGE, "gpt-image-2", "cost.prices")
    assert openai_env.requests == []


def test_a_malformed_size_is_refused_before_anything_is_sent(openai_env, photo):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--size", "big")
    one_line_error(result, ExitCode.USAGE, "'big'", "cloud.size", "WIDTHxHEIGHT")
    assert openai_env.requests == []


@pytest.mark.parametrize("size", ["13x7", "512x512", "1024x1024x2"])
def test_a_size_the_image_model_does_not_make_is_refused_before_anything_is_sent(openai_env, photo, tmp_path, size):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--size", size,
                    "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.USAGE, "cloud.size", size)
    assert openai_env.requests == []  # not even the text call
    assert json.loads(invoke("cost", "--json").stdout)["summary"]["calls"] == 0
    dry = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--size", size, "--dry-run")
    one_line_error(dry, ExitCode.USAGE, "cloud.size")


@pytest.mark.parametrize("where", ["env", "config"])
def test_a_malformed_size_in_the_environment_or_config_is_a_usage_error(openai_env, photo, tmp_path, monkeypatch,
                                                                        where):
    args = ["run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png"]
    if where == "env":
        monkeypatch.setenv("IMGVAR_CLOUD_SIZE", "huge")
    else:
        config = tmp_path / "c.toml"
        config.write_text('[cloud]\nsize = "1024 by 1024"\n')
        args += ["--config", config]
    one_line_error(invoke(*args), ExitCode.USAGE, "cloud.size")
    assert openai_env.requests == []


def test_a_size_named_in_a_prices_file_is_sent(openai_env, photo, tmp_path, monkeypatch):
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."gpt-image-2"]\nkind = "image"\ntext_input = 5.0\nimage_input = 8.0\n'
                      'image_output = 30.0\nsizes = ["1280x720", "1024x1024"]\n')
    monkeypatch.setenv("IMGVAR_COST_PRICES", str(prices))
    monkeypatch.setenv("IMGVAR_OPENAI_IMAGE_MODEL", "gpt-image-2")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--size", "1280x720",
                    "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert openai_env.calls("edit")[0].form["size"] == "1280x720"
    refused = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--size", "1536x1024",
                     "--out", tmp_path / "o.png")
    one_line_error(refused, ExitCode.USAGE, "1536x1024", "gpt-image-2", "1280x720")


def test_high_input_fidelity_is_refused_for_a_model_that_takes_none(openai_env, photo, tmp_path, monkeypatch):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--input-fidelity", "high",
                    "--out", tmp_path / "o.png")
    one_line_error(result, ExitCode.USAGE, "gpt-image-1-mini", "input fidelity")
    assert openai_env.requests == []
    monkeypatch.setenv("IMGVAR_OPENAI_IMAGE_MODEL", "gpt-image-1.5")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--input-fidelity", "high",
                    "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert openai_env.calls("edit")[0].form["input_fidelity"] == "high"


@pytest.mark.parametrize("key,value,fragment", [("IMGVAR_OPENAI_TEXT_MODEL", "gpt-image-1.5", "not a text model"),
                                                ("IMGVAR_OPENAI_IMAGE_MODEL", "gpt-4.1-mini", "not an image model"),
                                                ("IMGVAR_OPENAI_TEXT_MODEL", "gpt-9", "no price")])
def test_a_model_of_the_wrong_kind_or_without_a_price_is_refused_before_anything_is_sent(
        openai_env, photo, monkeypatch, key, value, fragment):
    monkeypatch.setenv(key, value)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai")
    one_line_error(result, ExitCode.USAGE, value, fragment)
    assert openai_env.requests == []


# -- what is sent --------------------------------------------------------------------------------


def test_the_input_is_downscaled_to_the_model_size_and_uploaded_with_a_name_and_type(openai_env, tmp_path):
    big = tmp_path / "big.png"
    make_photo((2400, 1500)).save(big)
    assert invoke("run", big, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png").exit_code == 0
    edit = openai_env.calls("edit")[0]
    image = edit.files[0]
    assert image.content_type == "image/jpeg" and image.filename == "image.jpg"
    assert image.size[0] <= 1536 and image.size[1] <= 1024 and max(image.size) == 1536
    assert edit.form["size"] == "1536x1024" and edit.form["quality"] == "medium"
    # The default model takes no input_fidelity (its price entry says so), so none is sent.
    assert edit.form["model"] == "gpt-image-1-mini" and "input_fidelity" not in edit.form
    chat = openai_env.calls("chat")[0]
    assert chat.details == ["low"] and max(chat.images[0]) <= 512
    assert Image.open(tmp_path / "o.png").size == (2400, 1500)


def test_recontext_sends_a_mask_that_keeps_the_subject(openai_env, tmp_path):
    photo = tmp_path / "photo.png"
    make_photo((120, 90)).save(photo)
    mask = tmp_path / "mask.png"
    matte = Image.new("L", (120, 90), 0)
    matte.paste(255, (40, 30, 80, 70))
    matte.save(mask)
    out = tmp_path / "o.png"
    result = invoke("recontext", photo, "on a beach at sunset", "--mask", mask, "--engine", "openai", "--out", out)
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["edit"]  # the one-stage command needs no planning call
    edit = openai_env.calls("edit")[0]
    files = {f.field: f for f in edit.files}
    sent = files["mask"]
    assert sent.content_type == "image/png" and sent.size == files["image"].size
    alpha = Image.open(io.BytesIO(sent.data)).getchannel("A")
    w, h = alpha.size
    assert alpha.getpixel((w // 2, h // 2)) == 255 and alpha.getpixel((1, 1)) == 0  # subject kept, rest editable
    # The subject's pixels are the original's; around it, the model's.
    original = Image.open(photo).convert("RGB")
    made = Image.open(out).convert("RGB")
    assert made.getpixel((60, 50)) == original.getpixel((60, 50))
    assert made.getpixel((5, 5)) != original.getpixel((5, 5))


def test_a_cutout_gets_a_generated_setting_and_keeps_its_pixels(openai_env, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_RECONTEXT_HARMONIZE", "0")  # no colour harmonisation: the subject stays exact
    subject = tmp_path / "cutout.png"
    make_cutout((120, 90)).save(subject)
    out = tmp_path / "o.png"
    result = invoke("run", subject, "put it on a beach at sunset", "--engine", "openai", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["chat", "generate"]  # a new element from nothing: no upload
    assert openai_env.calls("generate")[0].json["size"] == "1536x1024"  # nearest to 4:3
    data = json.loads(result.stdout)
    assert data["changes"][0]["detail"]["generated_setting"] is True
    original = Image.open(subject).convert("RGB")
    made = Image.open(out).convert("RGB")
    assert made.size == original.size
    assert made.getpixel((60, 45)) == original.getpixel((60, 45))  # the subject, untouched


def test_a_cutout_with_a_background_is_composited_for_free(openai_env, tmp_path, background):
    subject = tmp_path / "cutout.png"
    make_cutout((120, 90)).save(subject)
    result = invoke("run", subject, "put it on a beach", "--background", background, "--engine", "openai",
                    "--out", tmp_path / "o.png", "--json")
    assert result.exit_code == 0, result.output
    assert kinds(openai_env) == ["chat"]  # planning only; the compositing is local
    assert json.loads(result.stdout)["changes"][0]["kind"] == "recontext"


def test_a_style_image_goes_along_as_a_second_image(openai_env, photo, tmp_path):
    style = tmp_path / "style.png"
    make_photo((64, 64), seed=9).save(style)
    result = invoke("stylize", photo, "--style-image", style, "--engine", "openai", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    edit = openai_env.calls("edit")[0]
    assert [(f.filename, f.content_type) for f in edit.files] == [("image.jpg", "image/jpeg"),
                                                                  ("style.jpg", "image/jpeg")]


# -- Azure ---------------------------------------------------------------------------------------


def test_azure_uses_deployments_api_version_and_the_api_key_header(azure_env, photo, tmp_path):
    result = invoke("run", photo, "in Van Gogh style", "--engine", "azure", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    chat, edit = azure_env.requests
    assert (chat.deployment, edit.deployment) == ("plan-dep", "edit-dep")
    assert chat.query["api-version"] == edit.query["api-version"] == "2025-04-01-preview"
    assert edit.headers["api-key"] == azure_env.api_key and "authorization" not in edit.headers


def test_azure_v1_base_url_works_too(fake_openai, photo, tmp_path, monkeypatch):
    fake_openai.plan_for = parser_plan_for
    monkeypatch.setenv("IMGVAR_AZURE_BASE_URL", fake_openai.url + "/openai/v1/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", fake_openai.api_key)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "azure", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert [r.path for r in fake_openai.requests] == ["/openai/v1/chat/completions", "/openai/v1/images/edits"]


def test_openai_and_azure_produce_the_same_plan_schema(fake_openai, photo, monkeypatch):
    schema = json.loads((REPO / "src/imgvar/schemas/analysis-1.json").read_text())
    fake_openai.plan_for = parser_plan_for
    prompt = "put the cat on a beach at sunset, in watercolor, a bit brighter"
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url + "/v1")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.url)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", fake_openai.api_key)
    plans = {}
    for engine in ("openai", "azure", "local"):
        result = invoke("analyze", photo, prompt, "--engine", engine, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        jsonschema.validate(data, schema)
        plans[engine] = data["plan"]
    assert plans["openai"] == plans["azure"]
    assert [t["kind"] for t in plans["openai"]["tasks"]] == [t["kind"] for t in plans["local"]["tasks"]]
    assert plans["openai"]["output_prompt"]  # the draft the describer completes


def test_removals_replacements_and_moves_go_into_the_one_edit_call(fake_openai, photo, tmp_path, monkeypatch):
    schema = json.loads((REPO / "src/imgvar/schemas/analysis-1.json").read_text())
    fake_openai.plan_for = parser_plan_for
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url + "/v1")
    prompt = "remove the fence, replace the car with a bus and move the vase to the left"
    analysis = invoke("analyze", photo, prompt, "--engine", "openai", "--json")
    assert analysis.exit_code == 0, analysis.output
    plan = json.loads(analysis.stdout)["plan"]
    jsonschema.validate(json.loads(analysis.stdout), schema)
    assert plan["schema"] == "imgvar.plan/1.1"
    assert [t["kind"] for t in plan["tasks"]] == ["remove_object", "replace_object", "move"]
    assert plan["tasks"][1]["args"] == {"target": "the car", "replacement": "a bus"}

    done = invoke("run", photo, prompt, "--engine", "openai", "--out", tmp_path / "o.png", "--json")
    assert done.exit_code == 0, done.output
    assert kinds(fake_openai) == ["chat", "edit"]  # the plan is stored: one text call, one image call
    sent = fake_openai.requests[-1].form["prompt"]
    for words in ("Remove the fence", "Replace the car with a bus", "Move the vase to the left"):
        assert words in sent, sent
    changes = json.loads(done.stdout)["changes"]
    assert [(c["kind"], c["applied"]) for c in changes] == [
        ("remove_object", True), ("replace_object", True), ("move", True)]


def test_the_local_engine_names_what_would_make_a_removal(photo, tmp_path):
    done = invoke("run", photo, "remove the fence", "--engine", "local", "--out", tmp_path / "o.png")
    line = one_line_error(done, 2, "remove the fence", "cannot remove objects")
    assert "a cloud engine can" in line
    dry = invoke("run", photo, "remove the fence, brighter", "--engine", "local", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "remove_object" in dry.stdout and "object=the fence" in dry.stdout


# -- secrets ---------------------------------------------------------------------------------------


def test_no_key_in_any_output_or_stored_file(openai_env, photo, tmp_path, imgvar_home):
    out = tmp_path / "o.png"
    texts = []
    for args in (("run", photo, "in Van Gogh style", "--engine", "openai", "--out", out, "-vv"),
                 ("run", photo, "in Van Gogh style", "--engine", "openai", "--out", out, "--json"),
                 ("config", "show"), ("config", "show", "--json"), ("cost", "--json"), ("runs", "--json")):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        texts.append(result.output)
    openai_env.fail_next("edit", "500", times=3)
    texts.append(invoke("run", photo, "in pop art", "--engine", "openai", "--out", out, "--debug").output)
    assert all(KEY not in text for text in texts)
    for path in [*imgvar_home.rglob("*"), out]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_config_show_masks_keys_and_names_the_environment_variable(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    result = invoke("config", "show", "--json")
    rows = {row["key"]: row for row in json.loads(result.stdout)["settings"]}
    assert rows["openai.api_key"]["value"] == "****" and rows["openai.api_key"]["source"] == "env OPENAI_API_KEY"


def test_azure_entra_sign_in_sends_a_bearer_token_and_no_key(fake_openai, photo, tmp_path, monkeypatch):
    from imgvar.engines.cloud import provider

    fake_openai.plan_for = parser_plan_for
    fake_openai.azure_token = "entra-token-for-tests"
    # DefaultAzureCredential needs a signed-in machine; its token provider is replaced by one that
    # hands out the fake's token, and the SDK's own token handling runs as it would.
    monkeypatch.setattr(provider, "_entra_token_provider", lambda: (lambda: fake_openai.azure_token))
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.url)
    monkeypatch.setenv("IMGVAR_AZURE_AUTH", "entra")
    result = invoke("run", photo, "in Van Gogh style", "--engine", "azure", "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    for request in fake_openai.requests:
        assert request.headers["authorization"] == "Bearer entra-token-for-tests"
        assert "api-key" not in request.headers


def test_azure_entra_without_azure_identity_says_what_to_install(fake_openai, photo, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_azure_identity(name, *args, **kwargs):
        if name.startswith("azure.identity"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_azure_identity)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.url)
    monkeypatch.setenv("IMGVAR_AZURE_AUTH", "entra")
    result = invoke("analyze", photo, "in Van Gogh style", "--engine", "azure")
    one_line_error(result, ExitCode.USAGE, "azure-identity")
    assert fake_openai.requests == []


def test_an_interrupted_image_call_is_counted_in_the_ledger(openai_env, photo, tmp_path, monkeypatch):
    from imgvar.engines.cloud import editor

    def interrupted(self, image, request):  # Ctrl-C while the image call is in flight
        def request_then_ctrl_c():
            raise KeyboardInterrupt
        self.ctx.meter.send(self.estimate(image, request), request_then_ctrl_c)

    monkeypatch.setattr(editor.CloudEditor, "edit", interrupted)
    result = invoke("run", photo, "in Van Gogh style", "--engine", "openai", "--out", tmp_path / "o.png")
    assert result.exit_code == ExitCode.INTERRUPTED
    summary = json.loads(invoke("cost", "--json").stdout)["summary"]
    assert summary["calls"] == 2 and summary["total_usd"] > 0.01  # the text call, and the image call at its estimate


def test_a_plain_photo_gets_its_automatic_matte_as_the_edit_mask(openai_env, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_OPENAI_IMAGE_MODEL", "gpt-image-1")  # a model that takes input_fidelity
    photo = Path(__file__).resolve().parent.parent / "examples" / "coffee.png"  # no alpha, no --mask
    out, saved = tmp_path / "o.png", tmp_path / "m.png"
    result = invoke("recontext", photo, "on a beach at sunset", "--engine", "openai", "--out", out,
                    "--save-mask", saved, "--json")
    assert result.exit_code == 0, result.output
    edit = openai_env.calls("edit")[0]
    assert edit.form.get("input_fidelity") == "high"  # the subject's own features held
    files = {f.field: f for f in edit.files}
    assert files["mask"].size == files["image"].size
    alpha = np.asarray(Image.open(io.BytesIO(files["mask"].data)).getchannel("A").resize((600, 400)))
    matte = np.asarray(Image.open(saved).convert("L"))
    # Opaque (kept) where the subject is, transparent (to be edited) around it.
    assert alpha[matte == 255].mean() > 240 and alpha[matte == 0].mean() < 15
    original = np.asarray(Image.open(photo).convert("RGB"))
    made = np.asarray(Image.open(out).convert("RGB"))
    assert np.array_equal(made[matte == 255], original[matte == 255])
    assert json.loads(result.stdout)["changes"][0]["detail"]["matte"]["engine"] == "classic"
