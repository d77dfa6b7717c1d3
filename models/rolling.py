"""Provisional labels from a rolling window, measured against the final ones.

    models/.venv/bin/python models/rolling.py                   # ami, fillets; hop 1 s
    models/.venv/bin/python models/rolling.py --hops 0.5,1,2 --sets fillets

The streams app's live labels (LiveLabeler), run offline so that their cost in accuracy
can be measured. Final segments are made exactly as StreamingDiarizer makes them: chunk by
chunk, with prompts and voice profiles updated only there. Every `hop` seconds, the
newest live_window_seconds of the call go through the window graph (the encoder alone,
read through its activity head; --decoder-windows: the newest chunk through encoder and
decoder instead) with the prompts of the state left by the last final chunk, on a copy of
that state, and the labels it gives the newest hop of audio are the provisional segments
of that hop. The copy is thrown away, so provisional
windows never change the call state: the final stream is the same with the mode on or off.
As in the streams app (LiveLabeler, LiveSpeech), a window's speech comes from one VAD
stream over the call's audio, fresh at each chunk start, not from the VAD run again on the
window; a final chunk's speech is that chunk alone through the VAD, as always (the app
takes it from the stream, which heard exactly that).

Reported per set (whole files scored, md-eval collars):
  final         DER of the final segments (what segments-out carries today)
  provisional   DER of the provisional stream alone: each hop's provisional segments
  flip_rate     share of the time where both streams hear someone whose provisional
                speakers differ from the final ones (a consumer showing provisional labels
                sees them change there)
  windows_per_chunk  model runs per final chunk the mode adds (chunk / hop - 1)
"""
import argparse
import copy
import json
import os

import numpy as np

import der
import realsets
from export import OnnxDiarizer
from prompts import CallState, ChunkOutput, StreamingDiarizer, build_input
from vad import WINDOWS, chunk_speech

GRID = 0.01     # seconds per frame of the flip-rate grid


def newest_labels(segments, a, b):
    """The parts of `segments` [(start, end, label, conf)] inside [a, b)."""
    return [(max(s, a), min(e, b), lab) for s, e, lab, _ in segments if s < b and e > a]


def provisional_window(sd: StreamingDiarizer, st: CallState, audio, since, w0, end, out, prompts):
    """The provisional segments of samples [since, end) from the model output `out` of the
    window audio[w0:end], absorbed into a copy of `st`. absorb places the window at the
    next final chunk's start t0; its local time s is call time w0 + s."""
    cfg = sd.cfg
    window = audio[w0:end]
    t0 = st.chunk_index * cfg.chunk_seconds
    scratch = copy.deepcopy(st)
    sd.absorb(scratch, window, prompts, out)
    seconds = len(window) / cfg.sample_rate
    shift = w0 / cfg.sample_rate - t0
    got = newest_labels(scratch.segments, t0 + seconds - (end - since) / cfg.sample_rate, t0 + seconds)
    return [(s + shift, e + shift, lab) for s, e, lab in got]


def chunk_aligned_probabilities(vad, cfg, audio):
    """The call's VAD stream as LiveSpeech hears it: fresh at every chunk start (so a whole
    chunk's part is what the final run's VAD finds in that chunk alone), back to back."""
    c = cfg.chunk_samples
    return np.concatenate([vad.probabilities(audio[k:k + c], cfg.sample_rate)[0] for k in range(0, len(audio), c)])


def streamed_speech(cfg, probs, w0, end):
    """A window's speech regions, in seconds from its start w0, from the VAD windows of the
    call's stream `probs` that lie inside samples [w0, end) (LiveSpeech.regions)."""
    if probs is None:
        return None
    window = WINDOWS[cfg.sample_rate][0]
    k0, k1 = -(-w0 // window), end // window
    offset = (k0 * window - w0) / cfg.sample_rate
    return [(a + offset, b + offset) for a, b in chunk_speech(probs[k0:k1], window / cfg.sample_rate, cfg)]


def diarize_rolling(sd: StreamingDiarizer, audio, hop, probs=None, run_windows=None):
    """(final segments [(s, e, label, conf)], provisional segments [(s, e, label)]) of one
    call, with a provisional window every `hop` seconds between final chunks; `probs`: the
    VAD stream over the whole call, or None for a model without a VAD. `run_windows`
    (OnnxDiarizer.run_windows): windows are the newest live_window_seconds through the
    window graph, as in the app; None: the whole chunk through encoder and decoder."""
    cfg = sd.cfg
    cs, hs = cfg.chunk_samples, int(round(hop * cfg.sample_rate))
    ws = cs if run_windows is None else cfg.window_samples
    st, provisional = CallState(), []
    n_chunks = max(1, int(np.ceil(len(audio) / cs)))
    for k in range(n_chunks):
        # every hop of chunk k, its last one included: live, that one is the final chunk's
        # own run (the same input), so the provisional stream covers the whole call
        last = min((k + 1) * cs, len(audio))
        ends = list(range(k * cs + hs, last, hs))
        final_x, final_p = sd.prepare(st, audio[k * cs:last])
        final_out = sd.run_chunks(final_x[None], [len(final_p)])[0]
        # the windows between final chunks k-1 and k share the state: one batch
        outs, prompts = windows(sd, st, audio, ends, ws, probs, run_windows)
        for since, e, p, out in zip([k * cs] + ends, ends, prompts, outs):
            provisional += provisional_window(sd, st, audio, since, max(0, e - ws), e, out, p)
        provisional += provisional_window(sd, st, audio, ends[-1] if ends else k * cs, k * cs, last, final_out, final_p)
        sd.absorb(st, audio[k * cs:(k + 1) * cs], final_p, final_out)
    return st.segments, provisional


def windows(sd: StreamingDiarizer, st: CallState, audio, ends, length, probs, run_windows):
    """(outputs, prompts) of the windows of `length` samples ending at `ends`."""
    if not ends:
        return [], []
    cfg = sd.cfg
    prompts = sd.choose_prompts(st)
    clips = [audio[max(0, e - length):e] for e in ends]
    x = np.stack([build_input(cfg, c, [p.audio for p in prompts], length) for c in clips])
    speech = [streamed_speech(cfg, probs, max(0, e - length), e) for e in ends]
    if run_windows is not None:
        return run_windows(x, speech), [prompts] * len(ends)
    outs = sd.run_chunks(x, [len(prompts)] * len(ends))
    if probs is not None:
        outs = [ChunkOutput(o.segments, o.embeddings, sp) for o, sp in zip(outs, speech)]
    return outs, [prompts] * len(ends)


def frames(segments, n):
    """Per GRID frame, the set of labels active (as a frozenset)."""
    sets = [set() for _ in range(n)]
    for s, e, lab, *_ in segments:
        for i in range(int(round(s / GRID)), min(n, int(round(e / GRID)))):
            sets[i].add(lab)
    return sets


def flips(final, provisional, duration):
    """(seconds where both streams hear someone, seconds of those where they differ)."""
    n = int(np.ceil(duration / GRID))
    f, p = frames(final, n), frames(provisional, n)
    both = [i for i in range(n) if f[i] and p[i]]
    return len(both) * GRID, sum(f[i] != p[i] for i in both) * GRID


def score(items, hyps):
    refs = {fid: ref for fid, _, ref in items}
    uem = {fid: [(0.0, len(a) / realsets.SR)] for fid, a, _ in items}
    out = {}
    for collar, tag in ((0.0, "collar0"), (0.25, "collar025")):
        _, t = der.score_files(refs, {f: [(s, e, str(lab)) for s, e, lab, *_ in h] for f, h in hyps.items()},
                               collar=collar, uem=uem)
        out[f"der_{tag}"] = round(t.der, 4)
    return out


def evaluate_set(items, model, hop, decoder_windows=False):
    sd = StreamingDiarizer(model.cfg, model.run_chunks)
    run_windows = None if decoder_windows else model.run_windows
    finals, provs, both, differ = {}, {}, 0.0, 0.0
    for fid, audio, _ in items:
        probs = None if model.vad is None else chunk_aligned_probabilities(model.vad, model.cfg, audio)
        finals[fid], provs[fid] = diarize_rolling(sd, audio, hop, probs, run_windows)
        b, d = flips(finals[fid], provs[fid], len(audio) / realsets.SR)
        both, differ = both + b, differ + d
    window = "chunk, decoder" if decoder_windows else f"{model.cfg.live_window_seconds:g} s, activity"
    return {"hop_seconds": hop, "window": window, "final": score(items, finals), "provisional": score(items, provs),
            "flip_rate": round(differ / max(both, 1e-9), 4),
            "windows_per_chunk": round(model.cfg.chunk_seconds / hop - 1, 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz", help="prefix of the exported ONNX pair")
    ap.add_argument("--sets", default="ami,fillets")
    ap.add_argument("--hops", default="1.0", help="comma-separated hop lengths in seconds")
    ap.add_argument("--cache", default=os.path.join(realsets.REPO, "models", "cache"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--decoder-windows", action="store_true",
                    help="windows of a whole chunk through encoder and decoder (the first live recipe), "
                         "instead of the window graph")
    ap.add_argument("--out", default="models/eval/rolling.json")
    a = ap.parse_args(argv)
    model = OnnxDiarizer(a.model, threads=a.threads)
    results = {"model_id": model.cfg.model_id, "sets": {}}
    for name in a.sets.split(","):
        items = realsets.load_set(name, a.cache)
        results["sets"][name] = [evaluate_set(items, model, float(h), a.decoder_windows) for h in a.hops.split(",")]
        for r in results["sets"][name]:
            print(name, json.dumps(r), flush=True)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
