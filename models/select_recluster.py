"""What the call's voice bank (voicebank.py) does on the validation calls, by its size.

    models/.venv/bin/python models/select_recluster.py [--model models/shipped/streamdrz] > models/eval/select_recluster.txt

The exported model through onnxruntime on select_checkpoint.py's recipe sets (24 + 24
seeded 60 s two- and three-party calls and twelve 600 s two-party calls of the
validation voices), streamed as the app does with no speaker cap, without a bank (0,
the contract's off value) and with each bank size and piece length of the grid: DER at
collar 0.25 per set and their sum. A release sets the chosen pair with `export.py
--restamp PREFIX --recluster-pieces N --recluster-piece-seconds S`.
"""
import argparse
import dataclasses

from export import OnnxDiarizer
from select_checkpoint import cached, tune_sets
from train import TrainConfig, streaming_der


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--grid", default="0:1.0,64:1.0,128:1.0,256:1.0,256:0.5,256:1.5",
                    help="pieces:seconds pairs; 0 pieces is no bank")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=a.threads)
    sets = tune_sets(TrainConfig().corpus_dir)
    run = cached(model.run_chunks)
    print(f"model {model.cfg.model_id}; DER % at collar 0.25 on the validation calls")
    for pair in a.grid.split(","):
        pieces, seconds = int(pair.split(":")[0]), float(pair.split(":")[1])
        cfg = dataclasses.replace(model.cfg, recluster_pieces=pieces, recluster_piece_seconds=seconds)
        d = {n: 100 * streaming_der(run, cfg, calls, collars=(0.25,))[0.25] for n, calls in sets.items()}
        print(f"pieces {pieces:4d} x {seconds:3.1f} s: " + " ".join(f"{n} {v:5.2f}" for n, v in d.items())
              + f"  sum {sum(d.values()):6.2f}", flush=True)


if __name__ == "__main__":
    main()
