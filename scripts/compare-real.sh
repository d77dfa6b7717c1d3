#!/usr/bin/env bash
# The Java engine against the Python one on real speech: the same files, the same scorer.
#
#   scripts/compare-real.sh
#
# 1. models/evaluate_real.py scores the Python engine (onnxruntime) on the real sets, writes
#    its hypotheses and renders the built dialogues (held-out phone, Fish Fillets) as WAV +
#    reference RTTM;
# 2. streamdrz.jar diarizes the same files (the AMI excerpts straight from REALSPEECH_DIR),
#    with the live labels (--live-labels, as the app emits them) and with the final ones;
# 3. `streamdrz eval` scores both engines' hypotheses against the references, per set.
#
# Environment: REALSPEECH_DIR (default ../shared/realspeech), WORK_DIR (default a new
# temporary directory), THREADS (default 1). Needs models/.venv and models/cache (from
# models/prepare_data.py); builds streams-app/target/streamdrz.jar if it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=models/.venv/bin/python
JAR=streams-app/target/streamdrz.jar
REALSPEECH_DIR=${REALSPEECH_DIR:-../shared/realspeech}
WORK_DIR=${WORK_DIR:-$(mktemp -d -t streamdrz-real.XXXXXX)}
THREADS=${THREADS:-1}
mkdir -p "$WORK_DIR"

if [ ! -f "$JAR" ]; then
  echo "building $JAR"
  mvn -B -ntp -q -DskipTests package
fi

echo "== 1. Python: models/evaluate_real.py"
"$PY" models/evaluate_real.py --threads "$THREADS" --out "$WORK_DIR/py.json" \
  --rttm-dir "$WORK_DIR/py" --render "$WORK_DIR/wav" > "$WORK_DIR/py.txt"

score() {  # score NAME REF... -- : both engines' hypotheses of the files whose references are given
  local name=$1; shift
  local refs=("$@") ids=() wavs=()
  for r in "${refs[@]}"; do ids+=("$(basename "$r" .rttm)"); done
  for i in "${ids[@]}"; do
    if [ -f "$REALSPEECH_DIR/$i.wav" ]; then wavs+=("$REALSPEECH_DIR/$i.wav"); else wavs+=("$WORK_DIR/wav/$i.wav"); fi
  done
  # live: the labels as the app emits them (diarize --live-labels, Python's .hyp.rttm);
  # final: decided again at each file's end (diarize's default, Python's .final.rttm)
  for mode in live final; do
    local flag=() ext=final
    if [ "$mode" = live ]; then flag=(--live-labels); ext=hyp; fi
    java -jar "$JAR" diarize "${flag[@]}" --threads "$THREADS" --progress never -o "$WORK_DIR/$name.$mode.java.rttm" \
      "${wavs[@]}" 2> "$WORK_DIR/$name.$mode.java.log"
    local pyhyps=()
    for i in "${ids[@]}"; do pyhyps+=("$WORK_DIR/py/$i.$ext.rttm"); done
    java -jar "$JAR" eval --ref "${refs[@]}" --hyp "$WORK_DIR/$name.$mode.java.rttm" \
      --json "$WORK_DIR/$name.$mode.java.json" > /dev/null
    java -jar "$JAR" eval --ref "${refs[@]}" --hyp "${pyhyps[@]}" --json "$WORK_DIR/$name.$mode.py.json" > /dev/null
    "$PY" - "$name $mode" "$WORK_DIR/$name.$mode.py.json" "$WORK_DIR/$name.$mode.java.json" <<'PY'
import json, sys
name, py, java = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
d = lambda r, c: 100 * r["total"]["der"][c]["der"]    # noqa: E731
print(f"{name:20s} Python {d(py, '0'):6.2f} {d(py, '0.25'):6.2f}   Java {d(java, '0'):6.2f} {d(java, '0.25'):6.2f}"
      f"   Java - Python {d(java, '0') - d(py, '0'):+.2f} {d(java, '0.25') - d(py, '0.25'):+.2f}")
PY
  done
}

echo "== 2, 3. Java: streamdrz diarize, both engines scored by streamdrz eval (DER % at collar 0, 0.25)"
score ami "$REALSPEECH_DIR"/*.rttm
score heldout-phone "$WORK_DIR"/wav/heldout-phone-*.rttm
fillets=() phone=()
for f in "$WORK_DIR"/wav/fillets-*.rttm; do
  case "$f" in */fillets-phone-*) phone+=("$f") ;; *) fillets+=("$f") ;; esac
done
score fillets "${fillets[@]}"
score fillets-phone "${phone[@]}"
echo "(work files in $WORK_DIR)"
