"""Pick the checkpoint to ship, and its voice-matching thresholds, on the validation identities.

    models/.venv/bin/python models/select_checkpoint.py models/runs/match/snap-*.pt [--tune]

Scores every checkpoint on the same seeded validation calls (never test identities)
with the PyTorch model, prints DER at collar 0 and 0.25, and names the best one. With
--tune it then tries each (match_threshold, merge_threshold) pair of the grid on the best
checkpoint, with each join gap, over 2- and 3-speaker validation calls, and names the
setting with the lowest sum of the two sets' DER at collar 0.25: pass it to export.py.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import TrainConfig, validation_calls, streaming_der, torch_chunk_runner   # noqa: E402
from export import load_checkpoint                                                  # noqa: E402
from corpus import load_corpus, load_noise                                          # noqa: E402
from synth import CallSynth, SynthConfig                                            # noqa: E402

MATCH = (0.3,)
MERGE = (0.6, 0.7, 0.8, 2.0)       # 2.0: never merge
STRANGER = (-1.0, 0.4, 0.5)        # -1: never a stranger
JOIN_GAP = (0.15, 0.3, 0.5, 0.7)


def cached(run):
    """The runner with its outputs remembered by input: the threshold grid re-runs the same chunks."""
    memo = {}

    def go(inputs, n_prompted):
        keys = [(x.tobytes(), n) for x, n in zip(inputs, n_prompted)]
        todo = [i for i, k in enumerate(keys) if k not in memo]
        if todo:
            for i, o in zip(todo, run(inputs[todo], [n_prompted[i] for i in todo])):
                memo[keys[i]] = o
        return [memo[k] for k in keys]
    return go


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="+")
    ap.add_argument("--calls", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tune", action="store_true", help="also choose the matching thresholds")
    ap.add_argument("--recipe", default="0.3,0.7,0.4,0.5",
                    help="match, merge and stranger thresholds and join gap used to compare checkpoints")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tcfg = TrainConfig()
    calls = validation_calls(tcfg, a.calls, seed=777)
    best = None
    recipe = [float(x) for x in a.recipe.split(",")]
    for path in a.ckpts:
        model = load_checkpoint(path)
        c = model.cfg
        c.match_threshold, c.merge_threshold, c.stranger_threshold, c.join_gap = recipe
        it = torch.load(path, map_location="cpu", weights_only=False)["iter"]
        d = streaming_der(torch_chunk_runner(model, "cpu"), model.cfg, calls)
        print(f"{path}: iter {it}, val DER collar 0 {d[0.0]:.4f}, collar 0.25 {d[0.25]:.4f}", flush=True)
        if best is None or d[0.25] < best[1]:
            best = (path, d[0.25])
    print(f"best: {best[0]}")
    if not a.tune:
        return

    model = load_checkpoint(best[0])
    synth = CallSynth(load_corpus(os.path.join(tcfg.corpus_dir, "corpus_val.npz")), SynthConfig(),
                      noise=load_noise(os.path.join(tcfg.corpus_dir, "noise.npz")))
    rng = np.random.default_rng(778)
    sets = {n: [synth.make_call(rng, n_speakers=n, duration=60.0) for _ in range(a.calls // 2)] for n in (2, 3)}
    run = cached(torch_chunk_runner(model, "cpu"))
    cfg, grid = model.cfg, []
    for match in MATCH:
        for merge in MERGE:
            for stranger in STRANGER:
                for gap in JOIN_GAP:
                    cfg.match_threshold, cfg.merge_threshold = match, merge
                    cfg.stranger_threshold, cfg.join_gap = stranger, gap
                    d = {n: streaming_der(run, cfg, c, collars=(0.25,))[0.25] for n, c in sets.items()}
                    grid.append((d[2] + d[3], match, merge, stranger, gap))
                    print(f"match {match} merge {merge} stranger {stranger} join gap {gap}: val DER collar 0.25 "
                          f"2spk {d[2]:.4f} 3spk {d[3]:.4f}", flush=True)
    _, match, merge, stranger, gap = min(grid)
    print(f"best: --match-threshold={match} --merge-threshold={merge} --stranger-threshold={stranger} "
          f"--join-gap={gap}")


if __name__ == "__main__":
    main()
