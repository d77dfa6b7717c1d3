#!/bin/bash
# Fine-tune on a GPU machine that has PyTorch, numpy and scipy but no Debian packages or
# audio libraries, from what `models/pack_corpus.py pack --init ...` wrote to .gpu/.
# Run from the repository root; compact snapshots and the log land in OUTDIR.
#   DEV=cuda WORKERS=15 BATCH=64 ITERS=2400 SNAP=400 TLIMIT=390 OUTDIR=/tmp/out bash models/device_train.sh
# The run of the model card ("formant copies", GPU arm) is this command with those values.
# Such a machine may be sent 64 MiB of working tree, and the tracked files are more: on a
# clean checkout, delete what training does not read (streams-app/, models/checkpoints/,
# models/shipped/, models/eval/, models/tests/fixtures/) for the call, and bring it back
# after with `git checkout -- .`; .gpu/ (57 MB) is what the call carries.
set -u
OUTDIR=${OUTDIR:-${OUT:-/tmp/device-out}}
mkdir -p "$OUTDIR"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1
# realsets imports soundfile; training reads no audio file, and synth's GSM falls back to mu-law
mkdir -p /tmp/stub && touch /tmp/stub/soundfile.py
python3 -c "import soundfile" 2>/dev/null || export PYTHONPATH=/tmp/stub
python3 -c "import torch, numpy, scipy; print(torch.__version__, torch.cuda.is_available(), numpy.__version__, scipy.__version__)"
python3 models/pack_corpus.py unpack --dir .gpu --out /tmp/corpus || exit 1
rm -rf /tmp/run && mkdir -p /tmp/run
timeout "${TLIMIT}" python3 models/train.py --out=/tmp/run --corpus_dir=/tmp/corpus --init_from=.gpu/init.pt \
  --device="${DEV}" --threads=2 --workers="${WORKERS}" --batch_size="${BATCH}" --held_out= \
  --speed_factors=0.84,0.92,1.08,1.17 --formant_factors=0.88,0.94,1.06,1.12 --similar_share=0.7 \
  --meeting_share=0 --val_calls=0 --eval_interval=1000000 --ckpt_interval=1000000 --snap_interval="${SNAP}" \
  --sched_start=17000 --max_iters=$((17000 + ITERS)) --lr=0.0003 --min_lr=0.00002 --rewarm=100 \
  --seed=2468 --log_interval=25 > "$OUTDIR/train.txt" 2>&1
echo "train exit $? (124: stopped at TLIMIT, as planned)"
tail -3 "$OUTDIR/train.txt"
cp /tmp/run/snap-*.pt /tmp/run/log.jsonl "$OUTDIR/" 2>/dev/null
ls -la "$OUTDIR"
