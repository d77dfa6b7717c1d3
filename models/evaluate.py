"""Evaluate the exported model on fixed, seeded held-out sets (test identities only).

    models/.venv/bin/python models/evaluate.py                       # ONNX model in models/
    models/.venv/bin/python models/evaluate.py --render models/cache/eval_calls

Sets (all built from corpus_test.npz, whose identities never reach training):
  2spk       2-speaker calls of 60 s, streamed chunk by chunk with speaker prompts
  3spk       3-speaker calls of 60 s, likewise
  prompted2  single 8 s chunks of 2-speaker calls with both speakers prompted; scored
             with the optimal mapping (der_*), plus prompt_labels_kept: the share of
             prompted voices whose optimal mapping is their prompt label
  2spk-model-labels, 2spk-no-recipe
             ablations on the 2spk calls: the model's own labels instead of voice
             matching; and that without the join gap as well (join gap 0.15 s)
  2spk-cap2, 3spk-cap3
             the 2spk and 3spk calls with the speaker cap at their true count
             (StreamingDiarizer speaker_cap; streamdrz.call.max.speakers in the app)
Writes models/eval/results.json: per set der_collar0, der_collar025 (md-eval collar,
+-0.25 s), jer, calls, hours. --render writes each call as WAV + reference RTTM, and the
hypothesis RTTM, so the Java engine can be scored on exactly the same audio.
"""
import argparse
import dataclasses
import json
import os
import time

import numpy as np

from corpus import load_corpus, load_noise
from synth import CallSynth, SynthConfig, write_rttm
from prompts import StreamingDiarizer, training_example, ChunkVoices, ChunkOutput
from export import OnnxDiarizer
import der

SETS = {  # name: (speakers, calls, seconds, seed)
    "2spk": (2, 24, 60.0, 20251),
    "3spk": (3, 16, 60.0, 20252),
    "prompted2": (2, 60, 32.0, 20253),
    "2spk-model-labels": (2, 24, 60.0, 20251),
    "2spk-no-recipe": (2, 24, 60.0, 20251),
    "2spk-cap2": (2, 24, 60.0, 20251),
    "3spk-cap3": (3, 16, 60.0, 20252),
}
CAPS = {"2spk-cap2": 2, "3spk-cap3": 3}      # set: speaker_cap


def build_calls(synth, speakers, n, seconds, seed):
    rng = np.random.default_rng(seed)
    return [synth.make_call(rng, n_speakers=speakers, duration=seconds) for _ in range(n)]


def score_set(refs, hyps):
    """refs/hyps: dict file -> [(start, end, label)]. Pooled DER per collar and JER."""
    _, t0 = der.score_files(refs, hyps, collar=0.0)
    _, t25 = der.score_files(refs, hyps, collar=0.25)
    _, j = der.jer_files(refs, hyps)
    return {"der_collar0": round(t0.der, 4), "der_collar025": round(t25.der, 4), "jer": round(j, 4),
            "missed_collar025": round(t25.missed / max(t25.total, 1e-9), 4),
            "false_alarm_collar025": round(t25.false_alarm / max(t25.total, 1e-9), 4),
            "confusion_collar025": round(t25.confusion / max(t25.total, 1e-9), 4)}


def evaluate_calls(name, calls, runner, cfg, render=None, speaker_cap=0):
    t = time.time()
    hyps = StreamingDiarizer(cfg, runner, speaker_cap).diarize_many([c.audio for c in calls])
    elapsed = time.time() - t
    refs = {f"{name}-{i:03d}": [(s, e, str(l)) for s, e, l in c.segments] for i, c in enumerate(calls)}
    hyp = {f"{name}-{i:03d}": [(s, e, str(l)) for s, e, l, _ in h] for i, h in enumerate(hyps)}
    res = score_set(refs, hyp)
    audio_s = sum(len(c.audio) for c in calls) / cfg.sample_rate
    res.update(calls=len(calls), hours=round(audio_s / 3600, 3), rtf=round(elapsed / audio_s, 4))
    if render:
        import soundfile as sf
        os.makedirs(render, exist_ok=True)
        for i, c in enumerate(calls):
            fid = f"{name}-{i:03d}"
            sf.write(os.path.join(render, fid + ".wav"), c.audio, cfg.sample_rate, subtype="PCM_16")
            write_rttm(os.path.join(render, fid + ".rttm"), fid, c.segments, [f"spk{l}" for l in range(len(c.speaker_names))])
            der.write_rttm({fid: hyp[fid]}, os.path.join(render, fid + ".hyp.rttm"))
    return res


def evaluate_prompted(name, calls, runner, cfg, seed):
    """One prompted chunk per call, cut where both speakers already have clean audio."""
    rng = np.random.default_rng(seed)
    exs = []
    for c in calls:
        for _ in range(50):
            ex = training_example(cfg, c, rng, p_first=0.0, p_no_prompt=0.0, p_drop=0.0)
            if ex.n_prompted == 2 and ex.segments:
                exs.append(ex)
                break
    outs = []
    for i in range(0, len(exs), 16):
        b = exs[i: i + 16]
        outs += runner(np.stack([e.audio for e in b]), [e.n_prompted for e in b])
    refs = {f"{name}-{i:03d}": [(s, e, str(l)) for s, e, l in ex.segments] for i, ex in enumerate(exs)}
    hyps = {}
    for i, (ex, o) in enumerate(zip(exs, outs)):
        # chunk labels as the streaming recipe assigns them: matched voices take their
        # prompt slot, the others the labels after the prompts in order of appearance
        slot_of = ChunkVoices(cfg, o.segments, ex.prompt_lengths, o.embeddings).match_labels() \
            if o.embeddings is not None else {j: j for j in range(ex.n_prompted)}
        label = dict(slot_of)
        for _, _, lab, _ in sorted(o.segments, key=lambda x: (x[0], x[1])):
            if lab not in label:
                label[lab] = ex.n_prompted + sum(1 for k in label if k not in slot_of)
        hyps[f"{name}-{i:03d}"] = [(s, e, str(label[lab])) for s, e, lab, _ in o.segments]
    res = score_set(refs, hyps)
    # do the prompted voices keep their prompt labels? (optimal mapping == identity)
    kept = total = 0
    for k in refs:
        mapping = der.score(refs[k], hyps[k], collar=0.25).mapping
        for lab in ("0", "1"):
            if any(l == lab for *_, l in refs[k]):
                total += 1
                kept += mapping.get(lab) == lab
    res["prompt_labels_kept"] = round(kept / max(total, 1), 4)
    res.update(calls=len(exs), hours=round(len(exs) * cfg.chunk_seconds / 3600, 3))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz", help="prefix of the exported ONNX pair")
    ap.add_argument("--corpus", default="models/cache/corpus_test.npz")
    ap.add_argument("--noise", default="models/cache/noise.npz")
    ap.add_argument("--out", default="models/eval/results.json")
    ap.add_argument("--render", default=None, help="write WAV + RTTM (ref and hyp) of the call sets here")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="at most this many calls per set (smoke tests)")
    a = ap.parse_args(argv)

    model = OnnxDiarizer(a.model, threads=a.threads)
    cfg = model.cfg
    corpus = load_corpus(a.corpus)
    noise = load_noise(a.noise) if os.path.exists(a.noise) else None
    synth = CallSynth(corpus, SynthConfig(), noise=noise)
    results = {"model_id": cfg.model_id, "runtime": "onnxruntime", "corpus": os.path.basename(a.corpus),
               "identities": sorted(set(map(str, corpus.speaker_name)))}
    built = {}     # the 2spk ablations score the very calls of 2spk: synthesize them once
    for name in a.sets.split(","):
        spk, n, secs, seed = SETS[name]
        n = min(n, a.limit or n)
        if (spk, n, secs, seed) not in built:
            built[(spk, n, secs, seed)] = build_calls(synth, spk, n, secs, seed)
        calls = built[(spk, n, secs, seed)]
        if name == "prompted2":
            res = evaluate_prompted(name, calls, model.run_chunks, cfg, seed)
        elif name in CAPS:
            res = evaluate_calls(name, calls, model.run_chunks, cfg, speaker_cap=CAPS[name])
        elif name.startswith("2spk-"):
            def without_voices(inputs, n_prompted):
                return [ChunkOutput(o.segments) for o in model.run_chunks(inputs, n_prompted)]
            ablated = dataclasses.replace(cfg, join_gap=0.15) if name == "2spk-no-recipe" else cfg
            res = evaluate_calls(name, calls, without_voices, ablated)
        else:
            res = evaluate_calls(name, calls, model.run_chunks, cfg, a.render)
        results[name] = res
        print(name, json.dumps(res), flush=True)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
