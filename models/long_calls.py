"""Label stability over long calls: does a speaker keep their label from chunk to chunk?

    models/.venv/bin/python models/long_calls.py                    # 600 s validation calls, seeds 5..10

Each call (2 speakers, synthesized from the chosen corpus with numpy seed s) is diarized
chunk by chunk with the exported model (onnxruntime) and scored at collar 0.25 twice:
whole, with one speaker mapping for the call, and in windows of one chunk, each with
its own mapping. Confusion the whole-call score has on top of the windows' is what label
changes between chunks cost. A third number: the same chunks diarized one by one as if
each were a call of its own (no prompts, no voice profiles), each scored with its own
mapping: the confusion of the model on single chunks. Validation identities by default:
use it to tune, and the test call of scripts/compare-engines.sh to report.
"""
import argparse
import os

import numpy as np

from corpus import load_corpus, load_noise
from synth import CallSynth, SynthConfig, write_rttm
from prompts import StreamingDiarizer
from export import OnnxDiarizer
import der


def confusion(ref, hyp, collar=0.25):
    r = der.score(ref, hyp, collar=collar)
    return r.confusion, r.total, r


def windowed(ref, hyp, window, end):
    """Confusion and reference time summed over windows, each scored with its own mapping."""
    conf = tot = 0.0
    for w in np.arange(0.0, end, window):
        cut = lambda segs: [(max(s, w), min(e, w + window), l) for s, e, l in segs if e > w and s < w + window]  # noqa: E731
        c, t, _ = confusion(cut(ref), cut(hyp))
        conf, tot = conf + c, tot + t
    return conf, tot


def single_chunks(cfg, model, audio, ref, speaker_cap=0):
    """Confusion and reference time summed over the call's chunks, each diarized alone."""
    n = cfg.chunk_samples
    chunks = [audio[i: i + n] for i in range(0, len(audio), n)]
    hyps = StreamingDiarizer(cfg, model.run_chunks, speaker_cap).diarize_many(chunks)
    conf = tot = 0.0
    for k, h in enumerate(hyps):
        w = k * cfg.chunk_seconds
        cut = [(max(s, w) - w, min(e, w + cfg.chunk_seconds) - w, l) for s, e, l in ref
               if e > w and s < w + cfg.chunk_seconds]
        c, t, _ = confusion(cut, [(s, e, str(l)) for s, e, l, _ in h])
        conf, tot = conf + c, tot + t
    return conf, tot


def render(folder, fid, call, sample_rate, hyp):
    import soundfile as sf
    os.makedirs(folder, exist_ok=True)
    sf.write(os.path.join(folder, fid + ".wav"), call.audio, sample_rate, subtype="PCM_16")
    write_rttm(os.path.join(folder, fid + ".rttm"), fid, call.segments, [f"spk{l}" for l in range(len(call.speaker_names))])
    der.write_rttm({fid: hyp}, os.path.join(folder, fid + ".hyp.rttm"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--corpus", default="models/cache/corpus_val.npz")
    ap.add_argument("--noise", default="models/cache/noise.npz")
    ap.add_argument("--seeds", default="5,6,7,8,9,10")
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--render", default=None,
                    help="also write each call here as long-SEED.wav (PCM16) with its reference RTTM and this "
                         "run's hypothesis (long-SEED.hyp.rttm), for the Java engine to diarize the same audio")
    ap.add_argument("--max-speakers", type=int, default=0,
                    help="diarize (whole calls and single chunks alike) with this cap on speakers a call (0: none)")
    a = ap.parse_args(argv)
    model = OnnxDiarizer(a.model, threads=a.threads)
    cfg = model.cfg
    noise = load_noise(a.noise) if os.path.exists(a.noise) else None
    synth = CallSynth(load_corpus(a.corpus), SynthConfig(), noise=noise)
    print(f"model {cfg.model_id}, corpus {os.path.basename(a.corpus)}, {a.seconds:.0f} s calls, collar 0.25"
          + (f", at most {a.max_speakers} speakers a call" if a.max_speakers else ""))
    print(f"{'seed':>5} {'DER':>8} {'confusion whole':>16} {'in windows':>11} {'single chunks':>14} {'labels':>7}")
    tot = np.zeros(7)      # errors and reference time of the whole calls; confusion and reference time in
    #                        windows; the same for the chunks alone
    for seed in [int(s) for s in a.seeds.split(",")]:
        call = synth.make_call(np.random.default_rng(seed), n_speakers=2, duration=a.seconds)
        hyp = StreamingDiarizer(cfg, model.run_chunks, a.max_speakers).diarize_many([call.audio])[0]
        ref = [(s, e, str(l)) for s, e, l in call.segments]
        hy = [(s, e, str(l)) for s, e, l, _ in hyp]
        if a.render:
            render(a.render, f"long-{seed}", call, cfg.sample_rate, hy)
        c, t, r = confusion(ref, hy)
        wc, wt = windowed(ref, hy, cfg.chunk_seconds, a.seconds)
        sc, st = single_chunks(cfg, model, call.audio, ref, a.max_speakers)
        d = (r.missed + r.false_alarm + r.confusion) / r.total
        print(f"{seed:>5} {100 * d:7.2f}% {100 * c / t:15.2f}% {100 * wc / wt:10.2f}% {100 * sc / st:13.2f}% "
              f"{len({l for *_, l in hy}):>7}", flush=True)
        tot += [r.missed + r.false_alarm + r.confusion, t, c, wc, wt, sc, st]
    # pooled: sums of times over the calls
    print(f"{'all':>5} {100 * tot[0] / tot[1]:7.2f}% {100 * tot[2] / tot[1]:15.2f}% {100 * tot[3] / tot[4]:10.2f}% "
          f"{100 * tot[5] / tot[6]:13.2f}%")


if __name__ == "__main__":
    main()
