#!/usr/bin/env bash
# Apply one prompt to many images with imgvar, from a script.
#
#   examples/batch.sh                      # the example images in this folder
#   examples/batch.sh photos/*.jpg         # your own images
#   PROMPT="as a watercolor" OUTDIR=/tmp/wc examples/batch.sh a.png b.png
#
# Environment: PROMPT (default "in Van Gogh style"), OUTDIR (default ./out),
# IMGVAR (the command to run, default "imgvar"), PYTHON (default python3, used
# only to read imgvar's JSON).
#
# Each image is written to "$OUTDIR/<name>.png". imgvar's documented exit codes:
#   0 ok, 2 usage, 3 bad input, 4 engine failure, 5 budget refused,
#   6 content refused, 7 output/store error, 130 interrupted.
# A failed image is reported and counted, and the batch goes on; Ctrl-C
# (exit 130) stops it. This script exits 0 when every image succeeded, 1 when
# any failed, 2 on its own usage errors and 130 when interrupted.
set -euo pipefail

PROMPT=${PROMPT:-"in Van Gogh style"}
OUTDIR=${OUTDIR:-./out}
IMGVAR=${IMGVAR:-imgvar}
PYTHON=${PYTHON:-python3}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ ${1:-} == "-h" || ${1:-} == "--help" ]]; then
    sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
fi

if (($# > 0)); then
    images=("$@")
else
    images=("$here/cat.png" "$here/coffee.png" "$here/astronaut.png" "$here/rocket.jpg" "$here/space.jpg")
fi

if ! command -v "$IMGVAR" >/dev/null 2>&1; then
    echo "batch.sh: '$IMGVAR' not found; activate the virtual environment or set IMGVAR" >&2
    exit 2
fi
mkdir -p -- "$OUTDIR"

describe_exit() {
    case $1 in
        2) echo "usage error" ;;
        3) echo "bad input" ;;
        4) echo "engine failure" ;;
        5) echo "budget refused" ;;
        6) echo "content refused" ;;
        7) echo "output/store error" ;;
        130) echo "interrupted" ;;
        *) echo "unexpected error" ;;
    esac
}

# json_field KEY < JSON: print one top-level field of imgvar's --json output.
json_field() {
    "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" 2>/dev/null
}

ok=0
failed=0
for img in "${images[@]}"; do
    [[ $img == -* ]] && img="./$img" # never let a file name be read as an option
    base=$(basename -- "$img")
    name=${base%.*}
    out="$OUTDIR/$name.png"

    # `|| rc=$?` keeps `set -e` from ending the batch on the first failure.
    rc=0
    json=$("$IMGVAR" run "$img" "$PROMPT" --out "$out" --json -q) || rc=$?

    if ((rc == 130)); then
        echo "interrupted at $img" >&2
        exit 130
    fi
    if ((rc != 0)); then
        echo "FAIL  $img (exit $rc: $(describe_exit "$rc"))" >&2
        failed=$((failed + 1))
        continue
    fi

    if ! written=$(printf '%s' "$json" | json_field output) ||
        ! described=$(printf '%s' "$json" | json_field output_prompt); then
        echo "FAIL  $img (exit 0, but the JSON on stdout could not be read)" >&2
        failed=$((failed + 1))
        continue
    fi
    printf 'ok    %s -> %s\n      %s\n' "$img" "$written" "$described"
    ok=$((ok + 1))
done

echo "batch.sh: $ok ok, $failed failed (prompt: \"$PROMPT\", outputs in $OUTDIR)" >&2
((failed == 0)) || exit 1
