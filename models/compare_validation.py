"""Two exported models on the recipe's validation calls, and whether the calls can tell them apart.

    models/.venv/bin/python models/compare_validation.py models/shipped/streamdrz /tmp/other/streamdrz
    models/.venv/bin/python models/compare_validation.py A B --calls 96 --long-seeds 17-40

Each model is streamed as the app does, with its own contract's recipe values, over
select_checkpoint.py's validation sets (two- and three-party 60 s calls and 600 s calls
of the validation voices). Prints each set's DER at collar 0.25 and their sum, as
select_checkpoint.py does, then the sum's difference (B - A) with its 95 % interval when
the calls of each set are drawn again with replacement, the same draw for both models:
the interval says how much of a difference these calls can resolve. --calls and
--long-seeds give other or more calls (new seeds make sets neither model was chosen on);
--cache keeps each model's per-call errors, so the reference is scored once.
"""
import argparse
import hashlib
import os

import numpy as np

from export import OnnxDiarizer
from select_checkpoint import LONG_SEEDS, tune_sets
from train import TrainConfig, call_errors


def set_errors(prefix, sets, threads=2):
    """{set: (n_calls, 2) array of (error seconds, scored seconds)} at collar 0.25."""
    model = OnnxDiarizer(prefix, threads=threads)
    return {name: call_errors(model.run_chunks, model.cfg, calls, (0.25,))[0.25] for name, calls in sets.items()}


def cached_errors(prefix, sets, key, cache_dir, threads=2):
    """set_errors, kept in cache_dir under a name made of the model files' bytes and `key`
    (the calls): a reference model scored once serves every later comparison on the same calls."""
    if not cache_dir:
        return set_errors(prefix, sets, threads)
    h = hashlib.sha256(key.encode())
    for part in ("-encoder.onnx", "-decoder.onnx"):
        with open(prefix + part, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    path = os.path.join(cache_dir, f"errors-{h.hexdigest()[:16]}.npz")
    if os.path.exists(path):
        with np.load(path) as z:
            return {name: z[name] for name in sets}
    errs = set_errors(prefix, sets, threads)
    os.makedirs(cache_dir, exist_ok=True)
    np.savez(path, **errs)
    return errs


def set_ders(errors, draw=None):
    """{set: pooled DER %} of the calls drawn (all when draw is None)."""
    pick = draw or {n: np.arange(len(e)) for n, e in errors.items()}
    return {n: 100.0 * e[pick[n], 0].sum() / max(e[pick[n], 1].sum(), 1e-9) for n, e in errors.items()}


def paired_interval(a, b, n=2000, seed=0):
    """95 % interval of sum(set_ders(b)) - sum(set_ders(a)) over redrawn calls, and the
    share of draws where b's sum is lower."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n):
        draw = {k: rng.integers(len(v), size=len(v)) for k, v in a.items()}
        diffs.append(sum(set_ders(b, draw).values()) - sum(set_ders(a, draw).values()))
    diffs = np.array(diffs)
    return float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5)), float(np.mean(diffs < 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="exported model prefix (the reference, e.g. the shipped one)")
    ap.add_argument("b", help="exported model prefix to compare with it")
    ap.add_argument("--calls", type=int, default=48, help="60 s calls, half two-party, half three-party")
    ap.add_argument("--long-seeds", default=f"{LONG_SEEDS[0]}-{LONG_SEEDS[-1]}")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", default="", help="folder that keeps each model's per-call errors on these calls")
    a = ap.parse_args()
    first, last = (int(s) for s in a.long_seeds.split("-"))
    sets = tune_sets(TrainConfig().corpus_dir, a.calls, range(first, last + 1))
    errs = {}
    for prefix in (a.a, a.b):
        errs[prefix] = cached_errors(prefix, sets, f"{a.calls} {a.long_seeds}", a.cache, a.threads)
        d = set_ders(errs[prefix])
        print(f"{prefix}: " + " ".join(f"{n} {v:5.2f}" for n, v in d.items()) + f"  sum {sum(d.values()):6.2f}",
              flush=True)
    low, high, better = paired_interval(errs[a.a], errs[a.b])
    print(f"sum of B - sum of A: 95 % interval {low:+.2f} to {high:+.2f}; B lower in {100 * better:.0f} % of draws")


if __name__ == "__main__":
    main()
