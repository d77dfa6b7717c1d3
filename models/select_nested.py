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
import dataclasses

from export import OnnxDiarizer
from select_checkpoint import cached, tune_sets
from train import TrainConfig, streaming_der


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--shares", default="2.0,0.8,0.5,0.3", help="grid; 2.0 (above 1) drops nothing")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=a.threads)
    sets = tune_sets(TrainConfig().corpus_dir)
    run = cached(model.run_chunks)
    print(f"model {model.cfg.model_id}; DER % at collar 0.25 on the validation calls")
    for share in (float(x) for x in a.shares.split(",")):
        cfg = dataclasses.replace(model.cfg, nested_share=share)
        d = {n: 100 * streaming_der(run, cfg, calls, collars=(0.25,))[0.25] for n, calls in sets.items()}
        print(f"nested_share {share:4.2f}: " + " ".join(f"{n} {v:5.2f}" for n, v in d.items())
              + f"  sum {sum(d.values()):6.2f}", flush=True)


if __name__ == "__main__":
    main()
