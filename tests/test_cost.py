"""Prices, estimates, real cost from usage, budgets against the ledger, summaries and `imgvar cost`."""

from __future__ import annotations

import io
import json
import math
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.config import load_settings
from imgvar.cost import (
    Budget,
    CallEstimate,
    PriceTable,
    cost_of_usage,
    estimate_image_call,
    estimate_text_call,
    format_usd,
    ledger_row,
    load_prices,
    record_call,
    summarize,
)
from imgvar.errors import BudgetError, ConfigError, ExitCode, UsageError
from imgvar.store.factory import open_store
from imgvar.store.local import LocalStore

runner = CliRunner()
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def prices() -> PriceTable:
    return load_prices(load_settings())


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def settings_with(**values):
    return load_settings().with_overrides({f"cost.{k}": v for k, v in values.items()})


def image_estimate(usd_max: float, usd: float | None = None) -> CallEstimate:
    return CallEstimate(kind="image", engine="openai", model="gpt-image-1.5", usd=usd_max if usd is None else usd,
                        usd_max=usd_max, tokens={"output": 1056})


def paid_row(when: datetime, usd: float, *, model: str = "gpt-image-1.5", engine: str = "openai",
             run: str | None = None) -> dict:
    return {"time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "engine": engine, "model": model, "kind": "image",
            "usd": usd, "estimate_usd": usd, "usage": None, "status": "ok", "key": None, "run": run,
            "request_id": None, "seconds": 1.0}


# -- the price table ------------------------------------------------------------------------


def test_builtin_table_is_dated_and_has_the_models(prices):
    assert prices.as_of == "2026-11-01"
    assert prices.origin == ["built-in 2026-11-01"]
    image = prices.price("gpt-image-1.5")
    assert (image.kind, image.text_input, image.image_input, image.image_output) == ("image", 5, 8, 32)
    assert image.source and image.as_of == "2026-11-01"
    assert prices.price("gpt-image-1").image_output == 40 and "retired" in prices.price("gpt-image-1").note
    assert prices.price("gpt-image-1-mini").image_output == 8
    assert (prices.price("gpt-4.1-mini").text_input, prices.price("gpt-4.1-mini").text_output) == (0.40, 1.60)
    assert prices.price("gpt-5.6-luna").text_output == 1.20
    assert prices.price("gpt-5-nano-2025-08-07").model == "gpt-5-nano"  # dated snapshots share the price
    for price in prices.models.values():
        assert price.as_of and price.source, price.model


def test_output_tokens_from_the_table_and_scaled_by_area(prices):
    assert prices.output_tokens("low", (1024, 1024)) == 272
    assert prices.output_tokens("medium", (1536, 1024)) == 1568
    assert prices.output_tokens("auto", (1024, 1536)) == prices.output_tokens("high", (1024, 1536)) == 6240
    assert prices.output_tokens("medium", (2048, 2048)) == 4 * 1056
    assert prices.output_tokens("low", (512, 512)) == 68
    with pytest.raises(UsageError):
        prices.output_tokens("ultra", (1024, 1024))


def test_unknown_model_says_how_to_add_a_price(prices):
    with pytest.raises(UsageError) as info:
        prices.price("gpt-image-2")
    assert "no price is known for model 'gpt-image-2'" in str(info.value)
    assert "cost.prices" in str(info.value) and "imgvar cost --prices" in str(info.value)
    assert info.value.exit_code == ExitCode.USAGE


def test_override_file_merges_over_the_builtin_table(tmp_path):
    extra = tmp_path / "prices.toml"
    extra.write_text(
        'as_of = "2026-12-01"\n'
        '[models."gpt-image-2"]\nkind = "image"\ntext_input = 5\nimage_input = 8\nimage_output = 30\n'
        'source = "invoice"\n'
        '[models."gpt-4.1-mini"]\ntext_output = 2.0\n'
        '[image_output_tokens.low]\n"2048x2048" = 1000\n',
        encoding="utf-8")
    table = load_prices(settings_with(prices=str(extra)))
    assert table.origin == ["built-in 2026-11-01", f"{extra} (as of 2026-12-01)"]
    new = table.price("gpt-image-2")
    assert (new.image_output, new.source, new.as_of) == (30.0, "invoice", "2026-12-01")
    corrected = table.price("gpt-4.1-mini")
    assert (corrected.text_input, corrected.text_output, corrected.as_of) == (0.40, 2.0, "2026-12-01")
    assert table.price("gpt-image-1.5").image_output == 32  # untouched entries stay
    assert table.output_tokens("low", (2048, 2048)) == 1000
    assert table.output_tokens("low", (1024, 1024)) == 272


@pytest.mark.parametrize("text, fragment", [
    ("as_of = \n", "invalid TOML"),
    ('[models."x"]\nkind = "image"\ntext_input = 1\n', "needs image_output"),
    ('[models."gpt-image-1.5"]\nimage_output = "cheap"\n', "image_output must be a number"),
    ('[models."gpt-image-1.5"]\nkind = "video"\n', "kind must be"),
    ('[models."gpt-image-1.5"]\nimage_ouput = 3\n', "unknown key 'image_ouput'"),
    ('[image_output_tokens.low]\n"big" = 3\n', "not a size"),
    ('[models."gpt-image-1.5"]\nsizes = ["huge"]\n', "sizes must be a list"),
    ('[models."gpt-image-1.5"]\nsizes = []\n', "sizes must be a list"),
    ('[models."gpt-image-1.5"]\ninput_fidelity = "no"\n', "input_fidelity must be true or false"),
])
def test_broken_override_file_is_a_config_error_naming_the_file(tmp_path, text, fragment):
    extra = tmp_path / "bad-prices.toml"
    extra.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_prices(settings_with(prices=str(extra)))
    assert str(extra) in str(info.value) and fragment in str(info.value)


def test_image_models_carry_their_sizes_and_input_fidelity(prices, tmp_path):
    assert prices.price("gpt-image-1.5").sizes == ("1024x1024", "1536x1024", "1024x1536")
    assert prices.price("gpt-image-1.5").input_fidelity is True
    assert prices.price("gpt-image-1-mini").input_fidelity is False
    extra = tmp_path / "prices.toml"
    extra.write_text('[models."gpt-image-1.5"]\nsizes = ["1024x1024"]\n', encoding="utf-8")
    table = load_prices(settings_with(prices=str(extra)))
    assert table.price("gpt-image-1.5").sizes == ("1024x1024",) and table.price("gpt-image-1.5").image_output == 32


def test_missing_override_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="prices file not found"):
        load_prices(settings_with(prices=str(tmp_path / "nope.toml")))


# -- estimates ------------------------------------------------------------------------------


def test_text_call_estimate_by_hand(prices):
    est = estimate_text_call(prices, "openai", "gpt-4.1-mini", text_chars=4000, images=[(512, 512)],
                             detail="low", max_output_tokens=1000, expected_output_tokens=400)
    # 4000 chars -> 1000 tokens + 7 message tokens; one low-detail image 85 tokens, billed as text input.
    assert est.tokens["text_input"] == 1007 and est.tokens["image_input"] == 85 and est.tokens["output"] == 400
    assert est.usd == pytest.approx((1092 * 0.40 + 400 * 1.60) / 1e6)
    # Upper bound: text tokens * 1.25 (1259), the full output allowance.
    assert est.usd_max == pytest.approx((1259 * 0.40 + 85 * 0.40 + 1000 * 1.60) / 1e6)
    assert est.usd <= est.usd_max
    assert (est.kind, est.engine, est.model) == ("text", "openai", "gpt-4.1-mini")


def test_text_call_high_detail_image_tiles(prices):
    low = estimate_text_call(prices, "openai", "gpt-5-nano", text_chars=0, images=[(4096, 2048)], detail="low",
                             max_output_tokens=10, expected_output_tokens=10)
    high = estimate_text_call(prices, "openai", "gpt-5-nano", text_chars=0, images=[(4096, 2048)], detail="high",
                              max_output_tokens=10, expected_output_tokens=10)
    # 4096x2048 -> 2048x1024 -> 1536x768: 3 x 2 tiles of 512.
    assert low.tokens["image_input"] == 85
    assert high.tokens["image_input"] == 85 + 170 * 6


def test_image_call_estimate_by_hand(prices):
    est = estimate_image_call(prices, "openai", "gpt-image-1.5", quality="medium", size=(1536, 1024),
                              prompt_chars=400, input_images=[(1024, 1024)], input_fidelity="low")
    # text 100 tokens; input 65 + 129 * 4 tiles = 581; output 1568 (medium, 1536x1024).
    assert est.tokens == {"text_input": 100, "image_input": 581, "output": 1568}
    assert est.usd == pytest.approx((100 * 5 + 581 * 8 + 1568 * 32) / 1e6)  # $0.055324
    assert est.usd_max == pytest.approx((125 * 5 + 640 * 8 + 1568 * 32) / 1e6)  # text * 1.25, images * 1.1
    assert est.usd <= est.usd_max
    assert est.detail["quality"] == "medium" and est.detail["size"] == "1536x1024"
    assert est.to_dict()["usd"] == pytest.approx(0.055324)


def test_high_input_fidelity_adds_tokens_by_shape(prices):
    def input_tokens(size):
        return estimate_image_call(prices, "azure", "gpt-image-1", quality="low", size=(1024, 1024), prompt_chars=0,
                                   input_images=[size], input_fidelity="high").tokens["image_input"]

    assert input_tokens((1024, 1024)) == 65 + 129 * 4 + 4096
    assert input_tokens((1536, 1024)) == 65 + 129 * 6 + 6144


def test_estimates_refuse_models_of_the_wrong_kind_or_without_price(prices):
    with pytest.raises(UsageError, match="image model"):
        estimate_text_call(prices, "openai", "gpt-image-1.5", text_chars=10, max_output_tokens=10,
                           expected_output_tokens=10)
    with pytest.raises(UsageError, match="no price is known"):
        estimate_image_call(prices, "openai", "gpt-image-2", quality="low", size=(1024, 1024), prompt_chars=10)


# -- real cost ------------------------------------------------------------------------------


def test_cost_of_chat_usage_with_cached_tokens(prices, tmp_path):
    usage = {"prompt_tokens": 1000, "completion_tokens": 200, "prompt_tokens_details": {"cached_tokens": 400}}
    # No cached price in the built-in table: cached tokens count at the input rate.
    assert cost_of_usage(prices, "gpt-4.1-mini", usage) == pytest.approx((1000 * 0.40 + 200 * 1.60) / 1e6)
    extra = tmp_path / "p.toml"
    extra.write_text('[models."gpt-4.1-mini"]\ncached_input = 0.10\n', encoding="utf-8")
    table = load_prices(settings_with(prices=str(extra)))
    assert cost_of_usage(table, "gpt-4.1-mini", usage) == pytest.approx((600 * 0.40 + 400 * 0.10 + 200 * 1.60) / 1e6)


def test_cost_of_image_usage(prices):
    usage = {"input_tokens": 700, "input_tokens_details": {"image_tokens": 581, "text_tokens": 119},
             "output_tokens": 1056, "total_tokens": 1756}
    assert cost_of_usage(prices, "gpt-image-1.5", usage) == pytest.approx((119 * 5 + 581 * 8 + 1056 * 32) / 1e6)
    # Missing fields count as 0; without a breakdown the input is text.
    assert cost_of_usage(prices, "gpt-image-1.5", {"output_tokens": 272}) == pytest.approx(272 * 32 / 1e6)
    assert cost_of_usage(prices, "gpt-image-1.5", {"input_tokens": 100}) == pytest.approx(100 * 5 / 1e6)
    assert cost_of_usage(prices, "gpt-image-1.5", {}) == 0.0
    assert cost_of_usage(prices, "gpt-image-1.5", None) == 0.0


# -- budgets --------------------------------------------------------------------------------


def test_per_run_limit_refuses_before_the_call(store):
    budget = Budget(settings_with(daily_budget=0, monthly_budget=0), store, now=NOW, max_per_run=0.05)
    budget.check(image_estimate(0.03), run_spent=0.02)  # exactly at the limit is allowed
    with pytest.raises(BudgetError) as info:
        budget.check(image_estimate(0.053), run_spent=0.0021)
    message = str(info.value)
    assert info.value.exit_code == ExitCode.BUDGET == 5
    assert "\n" not in message
    assert message.startswith("refused: this image call may cost up to $0.0530, which would take the run to "
                              "$0.0551, over --max-cost $0.05")


def test_per_run_limit_comes_from_settings_without_the_flag(store):
    budget = Budget(settings_with(max_per_run=0.01), store, now=NOW)
    with pytest.raises(BudgetError, match="over cost.max_per_run \\$0.01"):
        budget.check(image_estimate(0.02))


def test_daily_budget_counts_todays_ledger_rows_only(store):
    record_call(store, paid_row(NOW.replace(hour=1), 0.90))  # today
    record_call(store, paid_row(NOW - timedelta(days=1), 5.00))  # yesterday, same month
    budget = Budget(settings_with(max_per_run=0, daily_budget=1.0, monthly_budget=0), store, now=NOW)
    assert budget.spent("day") == pytest.approx(0.90)
    budget.check(image_estimate(0.10))  # 0.90 + 0.10 = the limit
    with pytest.raises(BudgetError, match="today's spending \\(UTC\\) to \\$1.01, over cost.daily_budget \\$1.00"):
        budget.check(image_estimate(0.10), run_spent=0.01)
    # The next UTC day starts from zero.
    Budget(settings_with(max_per_run=0, daily_budget=1.0, monthly_budget=0), store,
           now=NOW + timedelta(days=1)).check(image_estimate(0.99))


def test_rows_of_the_current_run_are_not_counted_twice(store):
    record_call(store, paid_row(NOW, 0.60, run="run-1"))
    budget = Budget(settings_with(max_per_run=0, daily_budget=1.0, monthly_budget=0), store, now=NOW)
    with pytest.raises(BudgetError):
        budget.check(image_estimate(0.30), run_spent=0.60)  # the ledger row and run_spent both count
    budget.check(image_estimate(0.30), run_spent=0.60, run="run-1")


def test_monthly_budget(store):
    record_call(store, paid_row(datetime(2026, 11, 2, tzinfo=timezone.utc), 30.0))
    record_call(store, paid_row(datetime(2026, 11, 20, 23, 59, tzinfo=timezone.utc), 15.0))
    record_call(store, paid_row(datetime(2026, 10, 31, 23, 59, tzinfo=timezone.utc), 40.0))  # last month
    budget = Budget(settings_with(max_per_run=0, daily_budget=0, monthly_budget=50.0), store, now=NOW)
    assert budget.spent("month") == pytest.approx(45.0)
    assert budget.spent("day") == 0.0
    budget.check(image_estimate(4.0))
    with pytest.raises(BudgetError, match="this month's spending \\(UTC\\) to \\$51.00, over cost.monthly_budget"):
        budget.check(image_estimate(6.0))


def test_zero_limits_mean_no_limit(store):
    record_call(store, paid_row(NOW, 1000.0))
    budget = Budget(settings_with(max_per_run=0, daily_budget=0, monthly_budget=0), store, now=NOW)
    budget.check(image_estimate(500.0), run_spent=500.0)
    Budget(settings_with(daily_budget=0, monthly_budget=0), store, now=NOW, max_per_run=0).check(
        image_estimate(10.0))


# -- ledger rows and summaries --------------------------------------------------------------


def test_ledger_row_holds_no_secrets_prompts_or_images(prices, store):
    est = estimate_image_call(prices, "openai", "gpt-image-1.5", quality="low", size=(1024, 1024),
                              prompt_chars=1200, input_images=[(1024, 1024)])
    usage = {"input_tokens": 400, "input_tokens_details": {"image_tokens": 300, "text_tokens": 100},
             "output_tokens": 272, "note": "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"}
    row = ledger_row(est, usd=cost_of_usage(prices, "gpt-image-1.5", usage), usage=usage, status="ok",
                     key="a" * 64, run="20261121T081900.123Z-1a2b3c4d", request_id="req_123", seconds=12.34567)
    assert set(row) == {"time", "engine", "model", "kind", "usd", "estimate_usd", "usage", "status", "key", "run",
                        "request_id", "seconds"}
    text = json.dumps(row)
    assert not re.search(r"sk-|api[_-]?key|Bearer|AccountKey|b64|data:image", text, re.IGNORECASE)
    assert row["usage"] == {"input_tokens": 400, "input_tokens_details": {"image_tokens": 300, "text_tokens": 100},
                            "output_tokens": 272}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", row["time"])
    assert row["seconds"] == 12.346
    leaked = ledger_row(est, usd=0.1, usage=None, status="failed", request_id="sk-proj-abcdefghijklmnop",
                        key="Bearer abc")
    assert leaked["request_id"] == leaked["key"] == "(withheld)" and "sk-" not in json.dumps(leaked)
    with pytest.raises(ValueError):
        ledger_row(est, usd=0.1, usage=None, status="maybe")
    record_call(store, row)
    assert store.read_ledger() == [row]


def test_summarize_groups_and_filters_by_day():
    rows = [
        paid_row(datetime(2026, 11, 1, 9, tzinfo=timezone.utc), 0.10, model="gpt-image-1.5"),
        paid_row(datetime(2026, 11, 1, 23, tzinfo=timezone.utc), 0.02, model="gpt-4.1-mini", engine="azure"),
        paid_row(datetime(2026, 11, 3, 8, tzinfo=timezone.utc), 0.30, model="gpt-image-1.5", engine="azure"),
        {"time": "garbled", "usd": 9.0},
    ]
    summary = summarize(rows)
    assert summary.calls == 3 and summary.total_usd == pytest.approx(0.42)
    assert summary.by_day == [{"day": "2026-11-01", "usd": pytest.approx(0.12), "calls": 2},
                              {"day": "2026-11-03", "usd": pytest.approx(0.30), "calls": 1}]
    assert [r["model"] for r in summary.by_model] == ["gpt-image-1.5", "gpt-4.1-mini"]
    assert summary.by_engine[0] == {"engine": "azure", "usd": pytest.approx(0.32), "calls": 2}
    later = summarize(rows, since=date(2026, 11, 2))
    assert (later.calls, later.since, later.until) == (1, "2026-11-02", None)
    first = summarize(rows, since=date(2026, 11, 1), until=date(2026, 11, 1))
    assert first.total_usd == pytest.approx(0.12) and first.to_dict()["until"] == "2026-11-01"


def test_format_usd():
    assert format_usd(0.04213) == "$0.0421"
    assert format_usd(0) == "$0.0000"
    assert format_usd(12.345) == "$12.35"


# -- imgvar cost ----------------------------------------------------------------------------


def invoke(*args: str):
    return runner.invoke(app, ["cost", *args])


def test_cost_command_with_an_empty_ledger():
    result = invoke()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no paid calls recorded"


def test_cost_command_text_and_json():
    store = open_store(load_settings())
    now = datetime.now(timezone.utc)
    record_call(store, paid_row(now, 0.04, model="gpt-image-1.5"))
    record_call(store, paid_row(now, 0.001, model="gpt-4.1-mini", engine="azure"))
    record_call(store, paid_row(now - timedelta(days=400), 0.5, model="gpt-image-1"))

    result = invoke()
    assert result.exit_code == 0, result.output
    for fragment in ("3 paid calls", "$0.5410", "gpt-image-1.5", "gpt-4.1-mini", "azure", "by day (UTC)",
                     "today (UTC): $0.0410 of $5.00", "this month (UTC): $0.0410 of $50.00"):
        assert fragment in result.stdout, fragment

    result = invoke("--json", "--days", "7")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["calls"] == 2 and data["summary"]["total_usd"] == pytest.approx(0.041)
    assert data["summary"]["since"] == (now.date() - timedelta(days=6)).isoformat()
    assert {r["engine"] for r in data["summary"]["by_engine"]} == {"openai", "azure"}
    assert data["budgets"]["today"] == {"spent": pytest.approx(0.041), "limit": 5.0}
    assert data["budgets"]["month"]["limit"] == 50.0 and data["budgets"]["max_per_run"] == 0.5

    old = invoke("--json", "--until", (now.date() - timedelta(days=1)).isoformat())
    assert json.loads(old.stdout)["summary"]["calls"] == 1


def test_cost_command_uses_config_file_budgets(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[cost]\ndaily_budget = 2.5\nmonthly_budget = 0\n", encoding="utf-8")
    record_call(open_store(load_settings()), paid_row(datetime.now(timezone.utc), 0.25))
    result = invoke("--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    budgets = json.loads(result.stdout)["budgets"]
    assert budgets["today"]["limit"] == 2.5 and budgets["month"]["limit"] == 0.0


def test_cost_prices_lists_the_table_with_its_date(tmp_path):
    result = invoke("--prices")
    assert result.exit_code == 0, result.output
    assert "as of 2026-11-01" in result.stdout and "built-in 2026-11-01" in result.stdout
    assert "gpt-image-1.5" in result.stdout and "gpt-5.6-luna" in result.stdout

    extra = tmp_path / "p.toml"
    extra.write_text('[models."gpt-image-2"]\nkind = "image"\ntext_input = 5\nimage_output = 30\n', encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f"[cost]\nprices = {json.dumps(str(extra))}\n", encoding="utf-8")
    data = json.loads(invoke("--prices", "--json", "--config", str(config)).stdout)
    assert data["origin"] == ["built-in 2026-11-01", str(extra)]
    assert {m["model"] for m in data["models"]} >= {"gpt-image-2", "gpt-image-1.5"}
    assert data["image_output_tokens"]["medium"]["1024x1024"] == 1056


@pytest.mark.parametrize("args, fragment", [
    (("--since", "2026-13-01"), "--since: '2026-13-01' is not a date"),
    (("--until", "yesterday"), "--until: 'yesterday' is not a date"),
    (("--since", "2026-11-05", "--until", "2026-11-01"), "is after --until"),
    (("--days", "3", "--since", "2026-11-01"), "not both"),
])
def test_cost_command_bad_dates_are_one_line_usage_errors(args, fragment):
    result = invoke(*args)
    assert result.exit_code == ExitCode.USAGE == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("imgvar: error:") and fragment in lines[0], result.stderr
    assert result.stdout == ""


def test_cost_command_broken_prices_file_is_a_usage_error(tmp_path):
    extra = tmp_path / "broken.toml"
    extra.write_text("[models\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f"[cost]\nprices = {json.dumps(str(extra))}\n", encoding="utf-8")
    result = invoke("--prices", "--config", str(config))
    assert result.exit_code == 2
    assert str(extra) in result.stderr and "invalid TOML" in result.stderr


def test_rounding_helpers_keep_estimates_below_their_bound(prices):
    for quality in ("low", "medium", "high", "auto"):
        for size in ((1024, 1024), (1536, 1024), (1000, 700)):
            est = estimate_image_call(prices, "openai", "gpt-image-1-mini", quality=quality, size=size,
                                      prompt_chars=333, input_images=[size, (300, 200)])
            assert 0 < est.usd <= est.usd_max and math.isfinite(est.usd_max)


# -- the defaults ---------------------------------------------------------------------------

DEFAULT_RUN_LIMIT = 0.02  # USD: one text call and one image call with the default settings


@pytest.mark.parametrize("engine", ["openai", "azure"])
@pytest.mark.parametrize("shape", [(1100, 1100), (1650, 1100), (1100, 1650)], ids=["square", "landscape", "portrait"])
def test_a_default_run_costs_at_most_two_cents_by_the_builtin_table(engine, shape):
    """The estimator's upper bound for a default run, on inputs large enough to upload at the model's full size."""
    import imgvar
    from conftest import make_photo

    settings = load_settings(flags={"engine": engine})  # no key: a dry run estimates locally
    for key in ("openai.image_model", "azure.image_model", "cloud.quality", "cloud.size", "cloud.input_fidelity",
                "openai.text_model", "azure.text_model", "cost.prices"):
        assert settings.source(key) == "default", key
    buffer = io.BytesIO()
    make_photo(shape).save(buffer, "JPEG", quality=90)  # a photo as a camera writes it (and quick to decode)
    photo = buffer.getvalue()
    dry = imgvar.dry_run(photo, "put the dog on a beach at sunset, in Van Gogh style", settings=settings)
    assert [c["kind"] for c in dry.calls] == ["text", "image"] and not any(c["cached"] for c in dry.calls)
    image = dry.calls[1]
    assert image["detail"]["size"] == {"square": "1024x1024", "landscape": "1536x1024",
                                       "portrait": "1024x1536"}[_shape_name(shape)]
    assert image["tokens"]["image_input"] >= 65 + 129 * 4  # uploaded at the model's size, not a thumbnail
    assert 0 < dry.usd <= dry.usd_max <= DEFAULT_RUN_LIMIT, (dry.usd, dry.usd_max)
    # Raising the quality raises the bound past it: the flag is how a user pays for more.
    high = imgvar.dry_run(photo, "put the dog on a beach at sunset, in Van Gogh style",
                          settings=settings.with_overrides({"cloud.quality": "high"}))
    assert high.usd_max > DEFAULT_RUN_LIMIT


def _shape_name(shape: tuple[int, int]) -> str:
    w, h = shape
    return "square" if w == h else "landscape" if w > h else "portrait"
