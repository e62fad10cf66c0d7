#!/usr/bin/env bash
# Runs examples/batch-manifest.csv offline into examples/batch-out, two items at a time, then prints
# what each row became. Run it again: finished rows come from the store (status "cached").
# Exit status: 0 when every row is done or cached; the first failed row's code otherwise
# (3 bad input, 4 engine, ...); 5 when only the --max-cost budget refused rows; 130 on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"

imgvar batch batch-manifest.csv --out batch-out --jobs 2 \
    --sheet batch-out/contact-sheet.png --json > batch-out.jsonl || status=$?

# One JSON object per row, then a summary; e.g. the rows that did not finish:
python3 - <<'PY'
import json
lines = [json.loads(line) for line in open("batch-out.jsonl")]
*items, summary = lines
for item in items:
    if item["status"] not in ("done", "cached"):
        print(f"row {item['row']}: {item['status']}: {item['error']['message']}")
print(f"{summary['done']} done, {summary['cached']} cached, {summary['failed']} failed, "
      f"{summary['skipped']} skipped in {summary['seconds']} s; see batch-out/contact-sheet.png")
PY
exit "${status:-0}"
