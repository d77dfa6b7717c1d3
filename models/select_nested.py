"""What overlap.nested_share (prompts.drop_nested) does on the validation calls.

    models/.venv/bin/python models/select_nested.py [--model models/shipped/streamdrz] > models/eval/select_nested.txt

The exported model through onnxruntime on select_checkpoint.py's recipe sets (24 + 24
seeded 60 s two- and three-party calls and twelve 600 s two-party calls of the
validation voices), streamed as the app does, with no segment dropped (the contract's
off value) and with each share of the grid: DER at collar 0.25 per set and their sum.
A release that sets a share does so with `export.py --restamp PREFIX --nested-share S`;
the model card says why the shipped model leaves it off.
"""
import argparse

from select_checkpoint import recipe_grid


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--shares", default="2.0,0.8,0.5,0.3", help="grid; 2.0 (above 1) drops nothing")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    shares = [float(x) for x in a.shares.split(",")]
    recipe_grid(a.model, [(f"nested_share {v:4.2f}", {"nested_share": v}) for v in shares], a.threads)


if __name__ == "__main__":
    main()
