"""Pick the checkpoint to ship, and its voice-matching thresholds, on the validation identities.

    models/.venv/bin/python models/select_checkpoint.py models/runs/match/snap-*.pt [--tune]

Scores every checkpoint on the same seeded validation calls (never test identities)
with the PyTorch model, prints DER at collar 0 and 0.25 and the voice embedding's
pairwise EER on 1 s single-speaker windows of the same calls (embedding_eval.py), and
names the checkpoint with the best DER at collar 0.25. With
--tune it then tries each (match_threshold, merge_threshold, unprompted_merge_threshold,
profile_weight) of the grid (--matches, --merges, --unprompted-merges,
--profile-weights) on the best checkpoint over three validation sets: 2- and
3-speaker calls of 60 s and 2-speaker calls of 600 s (the seeds of long_calls.py: a
wrong new speaker or a swapped prompt costs little in a minute and everything in
ten), and names the setting with the lowest sum of the three sets' DER at collar
0.25: pass it to export.py. The stranger
threshold and join gap stay as given by --recipe (chosen by the earlier grid, in
models/eval/select_checkpoint.txt of the i17000 model).

    models/.venv/bin/python models/select_checkpoint.py --onnx models/shipped/streamdrz --profile-weights 1.0 \
        --long-seeds 5-40

tunes the thresholds of an exported model instead (through onnxruntime, no checkpoint
comparison), e.g. after a change to the streaming recipe.
"""
import argparse
import hashlib
import itertools
import os

import numpy as np
import torch

import embedding_eval
from train import TrainConfig, validation_calls, streaming_der, torch_chunk_runner
from export import load_checkpoint
from corpus import load_corpus, load_noise
from synth import CallSynth, SynthConfig

MATCH = (0.3, 0.4)
MERGE = (0.7, 0.8)
UNPROMPTED = (0.7, 0.9)            # merge threshold in a chunk without prompts
PROFILE = (0.0, 0.5, 1.0)          # 0: prompts alone; 1: the speaker's voice so far alone
LONG_SEEDS = range(5, 17)          # 600 s calls, as models/long_calls.py


def cached(run):
    """The runner with its outputs remembered by input: the threshold grid re-runs the same chunks."""
    memo = {}

    def go(inputs, n_prompted):
        keys = [(hashlib.sha1(x.tobytes()).digest(), n) for x, n in zip(inputs, n_prompted)]   # an input is 0.9 MB
        todo = [i for i, k in enumerate(keys) if k not in memo]
        if todo:
            for i, o in zip(todo, run(inputs[todo], [n_prompted[i] for i in todo])):
                memo[keys[i]] = o
        return [memo[k] for k in keys]
    return go


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="*")
    ap.add_argument("--onnx", help="tune this exported model (prefix of its .onnx files) instead of checkpoints")
    ap.add_argument("--matches", default=",".join(map(str, MATCH)), help="grid of match thresholds")
    ap.add_argument("--merges", default=",".join(map(str, MERGE)), help="grid of merge thresholds")
    ap.add_argument("--unprompted-merges", default=",".join(map(str, UNPROMPTED)),
                    help="grid of merge thresholds for chunks without prompts")
    ap.add_argument("--profile-weights", default=",".join(map(str, PROFILE)), help="grid of profile weights")
    ap.add_argument("--long-seeds", default=f"{LONG_SEEDS[0]}-{LONG_SEEDS[-1]}",
                    help="seeds of the 600 s calls, first-last")
    ap.add_argument("--calls", type=int, default=48)
    ap.add_argument("--meeting-calls", type=int, default=0,
                    help="also this many meeting-room calls (synth.MEETING) of the validation voices, pooled")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tune", action="store_true", help="also choose the matching thresholds")
    ap.add_argument("--recipe", default="0.3,0.7,-1,0.5,1.0,0.9",
                    help="match, merge and stranger thresholds, join gap, profile weight and unprompted merge "
                         "threshold used to compare checkpoints (stranger threshold and join gap also for --tune)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tcfg = TrainConfig(val_meeting_calls=a.meeting_calls)
    if bool(a.onnx) == bool(a.ckpts):
        ap.error("give either checkpoints or --onnx")
    recipe = [float(x) for x in a.recipe.split(",")]
    if len(recipe) != 6:
        ap.error(f"--recipe needs 6 numbers (match, merge, stranger, join gap, profile weight, "
                 f"unprompted merge), got {len(recipe)}")
    if a.onnx:
        from export import OnnxDiarizer
        onnx = OnnxDiarizer(a.onnx, threads=a.threads)
        tune(a, tcfg, onnx.cfg, onnx.run_chunks, recipe)
        return
    calls = validation_calls(tcfg, a.calls, seed=777)
    best = None
    for path in a.ckpts:
        model = load_checkpoint(path)
        c = model.cfg
        (c.match_threshold, c.merge_threshold, c.stranger_threshold, c.join_gap, c.profile_weight,
         c.unprompted_merge_threshold) = recipe
        it = torch.load(path, map_location="cpu", weights_only=False)["iter"]
        d = streaming_der(torch_chunk_runner(model, "cpu"), model.cfg, calls)
        e = embedding_eval.evaluate_embedder([(i, c.audio, c.segments) for i, c in enumerate(calls)],
                                             embedding_eval.diarizer_embedder(model))
        print(f"{path}: iter {it}, val DER collar 0 {d[0.0]:.4f}, collar 0.25 {d[0.25]:.4f}, "
              f"embedding EER {e['eer']:.4f} ({e['windows']} windows)", flush=True)
        if best is None or d[0.25] < best[1]:
            best = (path, d[0.25])
    print(f"best: {best[0]}")
    if not a.tune:
        return

    model = load_checkpoint(best[0])
    tune(a, tcfg, model.cfg, torch_chunk_runner(model, "cpu"), recipe)


def tune_sets(corpus_dir, calls=48, long_seeds=LONG_SEEDS):
    """The recipe's validation sets: calls/2 seeded 60 s two- and three-party calls and the
    600 s two-party calls of long_seeds, all of the validation voices."""
    synth = CallSynth(load_corpus(os.path.join(corpus_dir, "corpus_val.npz")), SynthConfig(),
                      noise=load_noise(os.path.join(corpus_dir, "noise.npz")))
    rng = np.random.default_rng(778)
    sets = {f"{n}spk": [synth.make_call(rng, n_speakers=n, duration=60.0) for _ in range(calls // 2)]
            for n in (2, 3)}
    sets["long"] = [synth.make_call(np.random.default_rng(s), n_speakers=2, duration=600.0) for s in long_seeds]
    return sets


def recipe_grid(model_prefix, settings, threads=2):
    """Prints, for each (label, ModelConfig overrides) of settings, the exported model's DER
    at collar 0.25 on each of tune_sets' validation sets and their sum: how a recipe value
    of an exported model is chosen without its checkpoint."""
    import dataclasses
    from export import OnnxDiarizer
    model = OnnxDiarizer(model_prefix, threads=threads)
    sets = tune_sets(TrainConfig().corpus_dir)
    run = cached(model.run_chunks)
    print(f"model {model.cfg.model_id}; DER % at collar 0.25 on the validation calls")
    for label, overrides in settings:
        cfg = dataclasses.replace(model.cfg, **overrides)
        d = {n: 100 * streaming_der(run, cfg, calls, collars=(0.25,))[0.25] for n, calls in sets.items()}
        print(f"{label}: " + " ".join(f"{n} {v:5.2f}" for n, v in d.items()) + f"  sum {sum(d.values()):6.2f}",
              flush=True)


def tune(a, tcfg, cfg, runner, recipe):
    """The threshold grid over the three validation sets; prints the best setting."""
    first, last = (int(s) for s in a.long_seeds.split("-"))
    sets = tune_sets(tcfg.corpus_dir, a.calls, range(first, last + 1))
    run = cached(runner)
    grid = []
    cfg.stranger_threshold, cfg.join_gap = recipe[2], recipe[3]
    floats = lambda text: [float(x) for x in text.split(",")]   # noqa: E731
    for match, merge, unprompted, profile in itertools.product(
            floats(a.matches), floats(a.merges), floats(a.unprompted_merges), floats(a.profile_weights)):
        cfg.match_threshold, cfg.merge_threshold = match, merge
        cfg.unprompted_merge_threshold, cfg.profile_weight = unprompted, profile
        d = {n: streaming_der(run, cfg, c, collars=(0.25,))[0.25] for n, c in sets.items()}
        grid.append((sum(d.values()), match, merge, unprompted, profile))
        print(f"match {match} merge {merge} unprompted merge {unprompted} profile {profile}: "
              "val DER collar 0.25 " + " ".join(f"{n} {v:.4f}" for n, v in d.items()), flush=True)
    _, match, merge, unprompted, profile = min(grid)
    print(f"best: --match-threshold={match} --merge-threshold={merge} --unprompted-merge-threshold={unprompted} "
          f"--profile-weight={profile} --stranger-threshold={cfg.stranger_threshold} --join-gap={cfg.join_gap}")


if __name__ == "__main__":
    main()
