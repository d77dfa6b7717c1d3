"""Pick the checkpoint to ship by streaming DER on the validation identities.

    models/.venv/bin/python models/select_checkpoint.py models/runs/small/best.pt models/runs/small/ckpt.pt

Scores every checkpoint on the same seeded validation calls (never test identities)
with the PyTorch model, prints DER at collar 0 and 0.25, and names the best one.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import TrainConfig, validation_calls, streaming_der, torch_chunk_runner   # noqa: E402
from export import load_checkpoint                                                  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="+")
    ap.add_argument("--calls", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    calls = validation_calls(TrainConfig(), a.calls, seed=777)
    best = None
    for path in a.ckpts:
        model = load_checkpoint(path)
        it = torch.load(path, map_location="cpu", weights_only=False)["iter"]
        d = streaming_der(torch_chunk_runner(model, "cpu"), model.cfg, calls)
        print(f"{path}: iter {it}, val DER collar 0 {d[0.0]:.4f}, collar 0.25 {d[0.25]:.4f}", flush=True)
        if best is None or d[0.25] < best[1]:
            best = (path, d[0.25])
    print(f"best: {best[0]}")


if __name__ == "__main__":
    main()
