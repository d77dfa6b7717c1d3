"""What the call's voice bank (voicebank.py) does on the validation calls, by its size.

    models/.venv/bin/python models/select_recluster.py [--model models/shipped/streamdrz] > models/eval/select_recluster.txt
    models/.venv/bin/python models/select_recluster.py --grid 256:1.0:bank:0,256:1.0:bank:0.35,... > models/eval/select_merge.txt

The exported model through onnxruntime on select_checkpoint.py's recipe sets (24 + 24
seeded 60 s two- and three-party calls and twelve 600 s two-party calls of the
validation voices), streamed as the app does with no speaker cap, without a bank (0,
the contract's off value) and with each bank size, piece length, rule for new speakers
(stream: a label the bank holds no piece of keeps the recipe's; bank: the bank decides it
too) and merge distance (clusters closer than it merge even when the call has more labels;
0: never) of the grid: DER at collar 0.25 per set and their sum. A release sets the chosen
values with `export.py --restamp PREFIX --recluster-pieces N --recluster-piece-seconds S
--recluster-new-speakers WHO --recluster-merge-distance D`.
"""
import argparse

from select_checkpoint import recipe_grid


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--grid", default="0:1.0,64:1.0,128:1.0,256:1.0,256:0.5,256:1.5,"
                                      "64:1.0:bank,128:1.0:bank,256:1.0:bank,256:0.5:bank,256:1.5:bank",
                    help="pieces:seconds[:new speakers[:merge distance]] (stream and the model's own "
                         "distance when left out); 0 pieces is no bank")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    recipe_grid(a.model, [setting(p) for p in a.grid.split(",")], a.threads)


def setting(text):
    """(label, ModelConfig overrides) of one grid entry, pieces:seconds[:new speakers[:merge distance]]."""
    n, t, *rest = text.split(":")
    who, merge = (rest[0] if rest else "stream"), rest[1:]
    overrides = {"recluster_pieces": int(n), "recluster_piece_seconds": float(t), "recluster_new_speakers": who}
    label = f"pieces {int(n):4d} x {float(t):3.1f} s, new speakers {who:6s}"
    if merge:
        overrides["recluster_merge_distance"] = float(merge[0])
        label += f", merge below {float(merge[0]):4.2f}"
    return label, overrides


if __name__ == "__main__":
    main()
