"""How much of a set's error is overlapped speech, and whether the model could hear it.

    models/.venv/bin/python models/overlap_eval.py --sets ami,val-meeting
    models/.venv/bin/python models/overlap_eval.py --checkpoint models/checkpoints/meeting-best.pt

The model writes one speaker at a time almost everywhere: where two people talk at once,
the second is missed speech. Per set, pooled over files, at collar 0:
  overlap floor   the share of the reference's speaker time beyond the first speaker of
                  each moment: the missed speech of any output with one speaker at a time
  output overlap  seconds where the streamed labels (the app's live ones) hold two or more
                  speakers, against the reference's, and the share of those seconds
                  where the reference has two or more (precision)
  activity head   whether the encoder's frame-wise speaker activity (an output of the
                  encoder graph, the second-highest label probability of each chunk frame
                  of reference speech) tells overlapped frames from single-speaker ones:
                  AUC; precision and recall at 0.5, the head's own threshold; and the
                  ceiling of what adding a second speaker on the detected frames could
                  take off DER, (hits - false alarms) x frame / reference speaker time,
                  as if every added speaker were the right one, at the best threshold.
                  The ceiling is an upper bound read after the fact, never a chosen value.
  the rest        the output's missed speech where one person talks and, beyond the
                  floor, where two or more do (shares; below
                  zero where the output has second voices); and of the seconds where one
                  person talks, those the output misses and those the shipped Silero
                  VAD, run over the whole file with the gate's thresholds, hears no
                  speech in

Sets: realsets' names (ami, heldout-phone, fillets, fillets-phone) and val-meeting: 16
synthetic meeting-room calls of the validation voices (synth.MEETING, 2 to 4 people,
32 s), the calls train.py validates meeting training on. Writes nothing; prints a table.
"""
import argparse
import os
from types import SimpleNamespace

import numpy as np

import realsets
from export import OnnxDiarizer
from prompts import StreamingDiarizer

STEP = 0.01     # seconds per reference time step


def speaker_counts(segments, seconds, step=STEP):
    """How many speakers of `segments` ((start, end, speaker, ...)) talk at each step."""
    n = np.zeros(int(round(seconds / step)) + 1, dtype=np.int32)
    for s, e, *_ in segments:
        n[int(round(s / step)):int(round(e / step))] += 1
    return n


def overlap_floor(counts):
    """The share of speaker time beyond the first speaker of each step."""
    total = counts.sum()
    return float(np.maximum(counts - 1, 0).sum() / total) if total else 0.0


def auc(scores, positive):
    """Area under the ROC curve of `scores` for the boolean `positive` (ties count half)."""
    from scipy.stats import rankdata
    pos, n_pos = np.asarray(positive, bool), int(np.sum(positive))
    n_neg = len(pos) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    r = rankdata(scores)
    return float((r[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def detection(scores, positive, threshold):
    """(precision, recall, hits - false alarms) of calling `scores` above `threshold` positive."""
    pos, hit = np.asarray(positive, bool), np.asarray(scores) > threshold
    tp, fp = int((hit & pos).sum()), int((hit & ~pos).sum())
    return tp / max(tp + fp, 1), tp / max(int(pos.sum()), 1), tp - fp


def load(name, cache_dir):
    if name != "val-meeting":
        return realsets.load_set(name, cache_dir)
    from train import TrainConfig, validation_calls
    t = TrainConfig(val_meeting_calls=16)
    calls = validation_calls(t, 0)
    return [(f"val-meeting-{i}", c.audio, [(s, e, str(lab)) for s, e, lab in c.segments]) for i, c in enumerate(calls)]


class ActivityRecorder:
    """A run_chunks that also keeps each chunk's activity probabilities (chunk frames x
    labels), from `activity` (inputs -> logits), the encoder run once more on the same
    input: for evaluation only."""

    def __init__(self, run_chunks, activity):
        self.run_chunks, self.activity, self.chunks = run_chunks, activity, []

    def __call__(self, inputs, n_prompted):
        act = np.asarray(self.activity(inputs), dtype=np.float64)
        self.chunks.extend(1.0 / (1.0 + np.exp(-act)))
        return self.run_chunks(inputs, n_prompted)


def onnx_model(prefix, threads):
    """(recipe, run_chunks, activity) of an exported model."""
    m = OnnxDiarizer(prefix, threads=threads)
    return m.cfg, m.run_chunks, lambda x: m.enc.run(["activity"], {"features": m.features(x).astype(np.float32)})[0]


def torch_model(checkpoint, like):
    """(recipe, run_chunks, activity) of a PyTorch checkpoint, gated and with the recipe
    values of the exported model `like`, as realval.py streams one."""
    import torch
    import realval
    from export import load_checkpoint
    from train import torch_chunk_runner
    model = load_checkpoint(checkpoint)
    cfg = realval.recipe(model.cfg, like)

    @torch.no_grad()
    def activity(x):
        model.eval()
        return model.encode(model.frontend(torch.from_numpy(x)))[1].float().numpy()
    return cfg, realval.gated(torch_chunk_runner(model, "cpu"), cfg, realval.load_vad()), activity


def frame_scores(cfg, chunks, ref_counts, seconds):
    """(second-highest activity, reference count) at each chunk frame centre inside the file."""
    scores, counts = [], []
    for k, p in enumerate(chunks):
        t = k * cfg.chunk_seconds + (np.arange(len(p)) + 0.5) * cfg.enc_frame_seconds
        inside = t < seconds
        scores.append(np.sort(p, axis=1)[:, -2][inside])
        counts.append(ref_counts[np.minimum((t[inside] / STEP).astype(int), len(ref_counts) - 1)])
    return np.concatenate(scores), np.concatenate(counts)


def tally(out, r, h, vad):
    """Adds one file's seconds to `out`: r, h the reference's and the output's speaker
    counts per step, vad whether the whole file's VAD hears speech there."""
    missed = np.maximum(r - h, 0)
    for key, steps in (("ref_time", r), ("beyond_first", np.maximum(r - 1, 0)), ("ref_overlap", r >= 2),
                       ("hyp_overlap", h >= 2), ("hyp_overlap_right", (h >= 2) & (r >= 2)),
                       ("missed_alone", missed * (r == 1)),
                       ("missed_overlap", (missed - np.maximum(r - 1, 0)) * (r >= 2)),
                       ("alone", r == 1), ("alone_missed", (r == 1) & (h == 0)), ("alone_vad_missed", (r == 1) & ~vad)):
        out[key] = out.get(key, 0.0) + float(np.sum(steps)) * STEP


def evaluate(cfg, run_chunks, activity, items):
    """The figures of one set (see the module's docstring), pooled over its files."""
    import realval
    from evaluate_real import vad_regions
    whole_file = SimpleNamespace(cfg=cfg, vad=realval.load_vad())    # the shipped VAD, loaded once
    out, scores, counts = {}, [], []
    for _, audio, ref in items:
        seconds = len(audio) / realsets.SR
        rec = ActivityRecorder(run_chunks, activity)
        hyp = StreamingDiarizer(cfg, rec).diarize_many([audio])[0]
        r, h = speaker_counts(ref, seconds), speaker_counts(hyp, seconds)
        tally(out, r, h, speaker_counts(vad_regions(whole_file, audio), seconds) > 0)
        s, c = frame_scores(cfg, rec.chunks, r, seconds)
        scores.append(s[c >= 1])
        counts.append(c[c >= 1])
    s, overlapped = np.concatenate(scores), np.concatenate(counts) >= 2
    out["auc"] = auc(s, overlapped)
    out["at_half"] = detection(s, overlapped, 0.5)[:2]
    best = max((detection(s, overlapped, t)[2], t) for t in np.arange(0.05, 1.0, 0.05))
    out["ceiling"] = (max(best[0], 0) * cfg.enc_frame_seconds / out["ref_time"], best[1])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--sets", default="ami,val-meeting")
    ap.add_argument("--cache", default=os.path.join(realsets.REPO, "models", "cache"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint", default="", help="a PyTorch checkpoint instead of --model, streamed with "
                    "--model's recipe values and VAD (as realval.py --like)")
    a = ap.parse_args()
    cfg, run_chunks, activity = torch_model(a.checkpoint, a.model) if a.checkpoint else onnx_model(a.model, a.threads)
    print(f"model {a.checkpoint or cfg.model_id}; collar 0; shares of the reference's speaker time")
    print("set           ref s | overlap floor | overlap s ref / output (right) | head AUC  P@0.5  R@0.5 | ceiling")
    for name in a.sets.split(","):
        o = evaluate(cfg, run_chunks, activity, load(name, a.cache))
        p, r, t = *o["at_half"], o["ref_time"]
        print(f"{name:12s} {t:6.1f} | {100 * o['beyond_first'] / t:12.1f}% | "
              f"{o['ref_overlap']:8.1f} / {o['hyp_overlap']:6.1f} ({o['hyp_overlap_right']:5.1f})      | "
              f"{o['auc']:8.2f} {p:6.2f} {r:6.2f} | {100 * o['ceiling'][0]:5.1f}% (above {o['ceiling'][1]:.2f})",
              flush=True)
        print(f"{'':12s} missed where one talks {100 * o['missed_alone'] / t:.1f}%, where two or more talk beyond "
              f"the floor {100 * o['missed_overlap'] / t:.1f}%; of {o['alone']:.1f} s where one talks, the output "
              f"misses {o['alone_missed']:.1f} s, the VAD of the whole file {o['alone_vad_missed']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
