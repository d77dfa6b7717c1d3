"""Silero VAD as a speech gate, as an encoder input, or both.

Checkpoints of one run forked in two, alike but for --vad_input (train.py; the VAD's
speech probability of each mel frame beside the log-mel features), are streamed with the
recipe values of --like, each with the speech gate (the app's) and without it, and scored
on the sets:

    models/.venv/bin/python models/vad_input_eval.py \
        --checkpoints models/runs/vad0/snap-27500.pt,models/runs/vad1/snap-27500.pt \
        --like models/shipped/streamdrz --sets silence,real-validation,val-meeting,ami,heldout-phone

Sets: silence (a minute of digital silence and one of -60 dBFS white noise: the seconds
of speech written are printed, which should be none), real-validation (the dialogues of
the voices the checkpoints' run held out, realval.py: where the choice is made), val-meeting (16 synthetic meeting-room calls of the
validation voices, where the gate costs most: Silero misses far, reverberant voices), and
realsets' names, which are reported and never choose. Prints DER % at collar 0 / 0.25 and
the shares of missed speech, false alarm and confusion at collar 0, pooled over each
set's files.
"""
import argparse

import numpy as np

from evaluate_real import score
from overlap_eval import load
from prompts import StreamingDiarizer


def streamers(checkpoint, like):
    """{'gate'/'no gate': StreamingDiarizer} of a PyTorch checkpoint with --like's recipe."""
    import realval
    from export import load_checkpoint
    from train import torch_chunk_runner
    model = load_checkpoint(checkpoint)
    cfg = realval.recipe(model.cfg, like)
    run = torch_chunk_runner(model, "cpu")
    return model.cfg, {"gate": StreamingDiarizer(cfg, realval.gated(run, cfg, realval.load_vad())),
                       "no gate": StreamingDiarizer(cfg, run)}


def silence(seconds=60.0, sr=16000):
    noise = np.random.default_rng(0).standard_normal(int(seconds * sr)).astype(np.float32) * 10 ** (-60 / 20)
    return [("digital-silence", np.zeros(int(seconds * sr), np.float32), []), ("noise-60dBFS", noise, [])]


def items_of(name, model_cfg, cache_dir):
    if name == "silence":
        return silence()
    if name == "real-validation":
        import realval
        return realval.validation_items(model_cfg.held_out, cache_dir)
    return load(name, cache_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoints", required=True, help="comma-separated PyTorch checkpoints")
    ap.add_argument("--like", default="models/shipped/streamdrz")
    ap.add_argument("--sets", default="silence,real-validation,val-meeting,ami,heldout-phone")
    ap.add_argument("--cache", default="models/cache")
    a = ap.parse_args()
    print("DER % collar 0 / 0.25; missed / false alarm / confusion at collar 0")
    sets = {}
    for ckpt in a.checkpoints.split(","):
        model_cfg, runs = streamers(ckpt, a.like)
        print(f"{ckpt} (vad_input {model_cfg.vad_input})", flush=True)
        for name in a.sets.split(","):
            if name not in sets:         # each set is built once for all the checkpoints
                sets[name] = items_of(name, model_cfg, a.cache)
            items = sets[name]
            for variant, streamer in runs.items():
                hyps = streamer.diarize_many([audio for _, audio, _ in items])
                if name == "silence":
                    print(f"  {name:16s} {variant:8s} {sum(e - s for h in hyps for s, e, *_ in h):5.1f} s of speech "
                          f"written in {sum(len(audio) for _, audio, _ in items) / 16000:.0f} s", flush=True)
                    continue
                r = score(items, {fid: [(s, e, lab) for s, e, lab, _ in h] for (fid, _, _), h in zip(items, hyps)})
                print(f"  {name:16s} {variant:8s} {100 * r['der_collar0']:5.1f} / {100 * r['der_collar025']:5.1f}   "
                      f"{100 * r['missed_collar0']:5.1f} / {100 * r['false_alarm_collar0']:5.1f} / "
                      f"{100 * r['confusion_collar0']:5.1f}", flush=True)


if __name__ == "__main__":
    main()
