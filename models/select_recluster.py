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

from select_checkpoint import recipe_grid


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--grid", default="0:1.0,64:1.0,128:1.0,256:1.0,256:0.5,256:1.5",
                    help="pieces:seconds pairs; 0 pieces is no bank")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    pairs = [(int(p.split(":")[0]), float(p.split(":")[1])) for p in a.grid.split(",")]
    recipe_grid(a.model, [(f"pieces {n:4d} x {t:3.1f} s", {"recluster_pieces": n, "recluster_piece_seconds": t})
                          for n, t in pairs], a.threads)


if __name__ == "__main__":
    main()
