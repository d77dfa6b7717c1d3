"""What the call's voice bank (voicebank.py) does on the validation calls, by its size.

    models/.venv/bin/python models/select_recluster.py [--model models/shipped/streamdrz] > models/eval/select_recluster.txt

The exported model through onnxruntime on select_checkpoint.py's recipe sets (24 + 24
seeded 60 s two- and three-party calls and twelve 600 s two-party calls of the
validation voices), streamed as the app does with no speaker cap, without a bank (0,
the contract's off value) and with each bank size, piece length and rule for new speakers
(stream: a label the bank holds no piece of keeps the recipe's; bank: the bank decides it
too) of the grid: DER at collar 0.25 per set and their sum. A release sets the chosen
values with `export.py --restamp PREFIX --recluster-pieces N --recluster-piece-seconds S
--recluster-new-speakers WHO`.
"""
import argparse

from select_checkpoint import recipe_grid


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--grid", default="0:1.0,64:1.0,128:1.0,256:1.0,256:0.5,256:1.5,"
                                      "64:1.0:bank,128:1.0:bank,256:1.0:bank,256:0.5:bank,256:1.5:bank",
                    help="pieces:seconds[:new speakers] (stream when left out); 0 pieces is no bank")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    grid = [(p.split(":") + ["stream"])[:3] for p in a.grid.split(",")]
    recipe_grid(a.model, [(f"pieces {int(n):4d} x {float(t):3.1f} s, new speakers {who:6s}",
                           {"recluster_pieces": int(n), "recluster_piece_seconds": float(t),
                            "recluster_new_speakers": who}) for n, t, who in grid], a.threads)


if __name__ == "__main__":
    main()
