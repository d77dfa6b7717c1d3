#!/usr/bin/env bash
# The Java engine against the Python one on the same audio, and label stability over a
# long call. Prints the numbers BENCHMARKS.md records.
#
#   scripts/compare-engines.sh
#
# 1. models/evaluate.py renders the held-out 2-speaker set (24 calls of 60 s, seeded,
#    test identities only) to $CALLS_DIR and scores its own (Python, onnxruntime)
#    streaming output with models/der.py;
# 2. streamdrz.jar diarizes the same WAV files and `streamdrz eval` scores them against
#    the same reference RTTMs (not the *.hyp.rttm, which are Python's output);
# 3. a 10-minute 2-speaker call (models/synth.py, seed 5) is diarized in one run and
#    scored whole and in 8 s windows, each window with its own speaker mapping: the
#    confusion that disappears in windows is what label changes between chunks cost;
# 4. the twelve 600 s test calls of models/long_calls.py (seeds LONG_SEEDS), diarized by
#    both engines with --max-speakers MAX_SPEAKERS: Python's printout (whole call, in
#    windows, chunks alone), then the Java engine's whole-call confusion on the same audio
#    (rendered as PCM16), pooled over the calls.
#
# Environment: CALLS_DIR (default models/cache/eval_calls), WORK_DIR (default a new
# temporary directory), THREADS (ONNX Runtime intra-op threads, default 1), BATCH
# (calls per model run, default 8), LONG_SEEDS (default 5,...,16), MAX_SPEAKERS (speaker
# cap of step 4, default 2: two-party calls; 0 = none). Needs models/.venv, models/cache/corpus_test.npz and
# models/cache/noise.npz; builds streams-app/target/streamdrz.jar if it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=models/.venv/bin/python
JAR=streams-app/target/streamdrz.jar
CALLS_DIR=${CALLS_DIR:-models/cache/eval_calls}
WORK_DIR=${WORK_DIR:-$(mktemp -d -t streamdrz-compare.XXXXXX)}
THREADS=${THREADS:-1}
BATCH=${BATCH:-8}
LONG_SEEDS=${LONG_SEEDS:-5,6,7,8,9,10,11,12,13,14,15,16}
MAX_SPEAKERS=${MAX_SPEAKERS:-2}
mkdir -p "$WORK_DIR"

if [ ! -f "$JAR" ]; then
  echo "building $JAR"
  mvn -B -ntp -q -DskipTests package
fi

json() {  # json FILE EXPRESSION: print a value of a JSON file (d is the parsed document)
  "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

echo "== 1. Python: models/evaluate.py --sets 2spk (renders $CALLS_DIR)"
"$PY" models/evaluate.py --sets 2spk --render "$CALLS_DIR" --out "$WORK_DIR/py_results.json" --threads "$THREADS"

# only the 2spk set: the folder may also hold other sets rendered by evaluate.py
refs=()
for f in "$CALLS_DIR"/2spk-*.rttm; do
  case "$f" in *.hyp.rttm) ;; *) refs+=("$f") ;; esac
done
wavs=("$CALLS_DIR"/2spk-*.wav)
echo "== 2. Java: streamdrz diarize on ${#wavs[@]} calls (threads $THREADS, batch $BATCH)"
java -jar "$JAR" diarize --threads "$THREADS" --batch "$BATCH" --progress never \
  -o "$WORK_DIR/java.hyp.rttm" "${wavs[@]}" 2> "$WORK_DIR/java_diarize.log"
tail -n 1 "$WORK_DIR/java_diarize.log"
java -jar "$JAR" eval --ref "${refs[@]}" --hyp "$WORK_DIR/java.hyp.rttm" --json "$WORK_DIR/java_eval.json" > /dev/null
# the Python hypotheses through the Java scorer too: the scorers must agree
java -jar "$JAR" eval --ref "${refs[@]}" --hyp "$CALLS_DIR"/2spk-*.hyp.rttm --json "$WORK_DIR/py_eval_java_scorer.json" > /dev/null

echo "== 3. Long call: 10 min, 2 speakers, diarized in one run"
"$PY" models/synth.py render --corpus models/cache/corpus_test.npz --noise models/cache/noise.npz \
  --n 1 --speakers 2 --duration 600 --seed 5 --out "$WORK_DIR/long" > /dev/null
java -jar "$JAR" diarize --threads "$THREADS" --batch 1 --progress never \
  -o "$WORK_DIR/long.hyp.rttm" "$WORK_DIR"/long/*.wav 2> "$WORK_DIR/long_diarize.log"
tail -n 1 "$WORK_DIR/long_diarize.log"
java -jar "$JAR" eval --ref "$WORK_DIR"/long/*.rttm --hyp "$WORK_DIR/long.hyp.rttm" \
  --json "$WORK_DIR/long_eval.json" > /dev/null
java -jar "$JAR" eval --ref "$WORK_DIR"/long/*.rttm --hyp "$WORK_DIR/long.hyp.rttm" --window 8 \
  --json "$WORK_DIR/long_windows_eval.json" > /dev/null

echo "== 4. Long calls: seeds $LONG_SEEDS, 600 s, test speakers, --max-speakers $MAX_SPEAKERS, both engines"
"$PY" models/long_calls.py --corpus models/cache/corpus_test.npz --noise models/cache/noise.npz \
  --seeds "$LONG_SEEDS" --max-speakers "$MAX_SPEAKERS" --threads "$THREADS" --render "$WORK_DIR/long_calls" \
  > "$WORK_DIR/long_calls_python.txt"
long_refs=()
for f in "$WORK_DIR"/long_calls/long-*.rttm; do
  case "$f" in *.hyp.rttm) ;; *) long_refs+=("$f") ;; esac
done
java -jar "$JAR" diarize --threads "$THREADS" --batch "$BATCH" --max-speakers "$MAX_SPEAKERS" --progress never \
  -o "$WORK_DIR/long_calls_java.hyp.rttm" "$WORK_DIR"/long_calls/long-*.wav 2> "$WORK_DIR/long_calls_diarize.log"
java -jar "$JAR" eval --ref "${long_refs[@]}" --hyp "$WORK_DIR/long_calls_java.hyp.rttm" \
  --json "$WORK_DIR/long_calls_java_eval.json" > /dev/null

pct() { "$PY" -c 'import sys; print(f"{100 * float(sys.argv[1]):6.2f} %")' "$1"; }
py0=$(json "$WORK_DIR/py_results.json" 'd["2spk"]["der_collar0"]')
py25=$(json "$WORK_DIR/py_results.json" 'd["2spk"]["der_collar025"]')
pyj=$(json "$WORK_DIR/py_results.json" 'd["2spk"]["jer"]')
j0=$(json "$WORK_DIR/java_eval.json" 'd["total"]["der"]["0"]["der"]')
j25=$(json "$WORK_DIR/java_eval.json" 'd["total"]["der"]["0.25"]["der"]')
jj=$(json "$WORK_DIR/java_eval.json" 'd["total"]["jer"]')
x25=$(json "$WORK_DIR/py_eval_java_scorer.json" 'd["total"]["der"]["0.25"]["der"]')
conf() { json "$1" 'd["total"]["der"]["0.25"]["confusion"] / d["total"]["der"]["0.25"]["total"]'; }
long25=$(json "$WORK_DIR/long_eval.json" 'd["total"]["der"]["0.25"]["der"]')

echo
echo "==== Results (work files in $WORK_DIR)"
echo "model: $(json "$WORK_DIR/py_results.json" 'd["model_id"]'), set 2spk: $(json "$WORK_DIR/py_results.json" 'd["2spk"]["calls"]') calls, $(json "$WORK_DIR/py_results.json" 'd["2spk"]["hours"]') h"
printf '%-44s %10s %10s %10s\n' "" "DER c0" "DER c0.25" "JER"
printf '%-44s %10s %10s %10s\n' "Python engine, scored by der.py" "$(pct "$py0")" "$(pct "$py25")" "$(pct "$pyj")"
printf '%-44s %10s %10s %10s\n' "Java engine (streamdrz diarize), by eval" "$(pct "$j0")" "$(pct "$j25")" "$(pct "$jj")"
printf '%-44s %10s %10s\n' "Python hypotheses scored by streamdrz eval" "" "$(pct "$x25")"
"$PY" -c 'import sys; a, b = map(float, sys.argv[1:]); print(f"Java - Python, DER collar 0.25: {100 * (a - b):+.2f} points")' "$j25" "$py25"
echo
echo "Long call (600 s), collar 0.25: DER $(pct "$long25")"
echo "  speaker confusion / reference time, whole call (one mapping):  $(pct "$(conf "$WORK_DIR/long_eval.json")")"
echo "  speaker confusion / reference time, 8 s windows one by one:    $(pct "$(conf "$WORK_DIR/long_windows_eval.json")")"
echo
echo "Long calls (seeds $LONG_SEEDS), --max-speakers $MAX_SPEAKERS, collar 0.25; Python (models/long_calls.py):"
cat "$WORK_DIR/long_calls_python.txt"
echo "  Java engine, pooled: DER $(pct "$(json "$WORK_DIR/long_calls_java_eval.json" 'd["total"]["der"]["0.25"]["der"]')"), speaker confusion whole call $(pct "$(conf "$WORK_DIR/long_calls_java_eval.json")")"
echo
echo "Real-time factor (wall time / audio time, model load excluded):"
echo "  24 calls, batch $BATCH: $(tail -n 1 "$WORK_DIR/java_diarize.log" | sed 's/.*real-time factor \([0-9.]*\).*/\1/')"
echo "  long call, batch 1:  $(tail -n 1 "$WORK_DIR/long_diarize.log" | sed 's/.*real-time factor \([0-9.]*\).*/\1/')"
echo "  Python evaluate.py:  $(json "$WORK_DIR/py_results.json" 'd["2spk"]["rtf"]')"
