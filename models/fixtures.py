"""Write the fixtures the Java engine's parity tests read (small, committed).

    models/.venv/bin/python models/fixtures.py [--model models/shipped/streamdrz] \
        [--out streams-app/src/test/resources/model-fixtures]

Writes, from held-out test identities only:
  call-K.wav / call-K.rttm      rendered calls (PCM16) with their reference: --calls 2-speaker
                                calls of --seconds, one of --long-seconds, then a 3-speaker
                                call of --seconds diarized with max_speakers 2 (so a would-be
                                third speaker must go to a known one)
  call-K.hyp.rttm               what the Python streaming recipe + ONNX model outputs
  input-J.wav                   exact model inputs (prompt slots + chunk) met while
                                diarizing call-0, as PCM16 (every sample is k/32768)
  features-J.f32                log-mel of input-J by the Python recipe, float32 LE,
                                row-major (n_frames, n_mels)
  embedding-J.f32               the encoder's speaker_embedding for those features,
                                float32 LE, row-major (n_enc, spk_dim)
  fixtures.json                 per input: n_prompted, greedy tokens and their
                                probabilities; per call: file names and max_speakers (0: no
                                cap); the model id
  windows.json                  per input-J, the live window made of its prompt slots and
                                the last live_window_seconds of its chunk: the segments the
                                window graph's activity gives (--windows-only writes just this,
                                from the input-J.wav already there)
  call-K.final.rttm             the same call's labels decided again at its end
                                (voicebank.final_labels, as streamdrz diarize gives them;
                                --finals-only writes just these, from the call-K.wav there)
  cepstra.json                  per input-J, the voice bank's cepstral statistics
                                (voicebank.cepstral_stats) of pieces of its chunk
                                (--cepstra-only writes just this, from the input-J.wav already there)
"""
import argparse
import json
import os
import sys

import numpy as np
import soundfile as sf

from corpus import load_corpus, load_noise
from synth import CallSynth, SynthConfig, write_rttm
from prompts import StreamingDiarizer
from export import OnnxDiarizer
import der


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--corpus", default="models/cache/corpus_test.npz")
    ap.add_argument("--noise", default="models/cache/noise.npz")
    ap.add_argument("--out", default="streams-app/src/test/resources/model-fixtures")
    ap.add_argument("--calls", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=777)
    ap.add_argument("--long-seconds", type=float, default=40.0,
                    help="one more call this long (seed + 1): long enough for voice profiles to replace a prompt")
    ap.add_argument("--windows-only", action="store_true", help="write windows.json alone")
    ap.add_argument("--cepstra-only", action="store_true", help="write cepstra.json alone")
    ap.add_argument("--finals-only", action="store_true", help="write the call-K.final.rttm alone")
    ap.add_argument("--capped-seed", type=int, default=786,
                    help="seed of the 3-speaker call diarized with max_speakers 2: one where the model, uncapped, "
                         "gives more than 2 labels (786: 4), so the cap has work to do")
    a = ap.parse_args()

    model = OnnxDiarizer(a.model)
    cfg = model.cfg
    if a.windows_only:
        return write_windows(model, a.out)
    if a.cepstra_only:
        return write_cepstra(cfg, a.out)
    if a.finals_only:
        return write_finals(model, a.out)
    synth = CallSynth(load_corpus(a.corpus), SynthConfig(), noise=load_noise(a.noise))
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    meta = {"model_id": cfg.model_id, "n_mels": cfg.n_mels, "n_frames": cfg.n_frames, "inputs": [], "calls": []}

    recorded = []

    def recording_runner(inputs, n_prompted):
        outs = model.run_chunks(inputs, n_prompted)
        recorded.extend(zip(inputs, n_prompted))
        return outs

    calls = [synth.make_call(rng, n_speakers=2, duration=a.seconds) for _ in range(a.calls)]
    calls.append(synth.make_call(np.random.default_rng(a.seed + 1), n_speakers=2, duration=a.long_seconds))
    calls.append(synth.make_call(np.random.default_rng(a.capped_seed), n_speakers=3, duration=a.seconds))
    caps = [0] * (len(calls) - 1) + [2]
    for k, (call, cap) in enumerate(zip(calls, caps)):
        # quantize to PCM16 first, so Java decoding the WAV sees exactly these samples
        pcm = np.clip(np.round(call.audio * 32768), -32768, 32767).astype(np.int16)
        audio = pcm.astype(np.float32) / 32768
        fid = f"call-{k}"
        sf.write(os.path.join(a.out, fid + ".wav"), pcm, cfg.sample_rate, subtype="PCM_16")
        write_rttm(os.path.join(a.out, fid + ".rttm"), fid, call.segments,
                   [f"spk{l}" for l in range(len(call.speaker_names))])
        runner = recording_runner if k == 0 else model.run_chunks
        hyp = StreamingDiarizer(cfg, runner, cap).diarize_many([audio])[0]
        if cap:    # the call must give the cap work to do, or the parity test would not test it
            free = len({s[2] for s in StreamingDiarizer(cfg, model.run_chunks).diarize_many([audio])[0]})
            if free <= cap:
                sys.exit(f"{fid}: {free} speakers without the cap of {cap}: choose another --capped-seed")
        der.write_rttm({fid: [(s, e, chr(ord("A") + l)) for s, e, l, _ in hyp]}, os.path.join(a.out, fid + ".hyp.rttm"))
        meta["calls"].append({"wav": fid + ".wav", "rttm": fid + ".rttm", "hyp_rttm": fid + ".hyp.rttm",
                              "max_speakers": cap})

    for j, (x, n_prompted) in enumerate(recorded[:3]):
        pcm = np.round(x * 32768).astype(np.int16)
        assert np.array_equal(pcm.astype(np.float32) / 32768, x), "model inputs must be exact PCM16 values"
        sf.write(os.path.join(a.out, f"input-{j}.wav"), pcm, cfg.sample_rate, subtype="PCM_16")
        feats = model.features(x[None])[0].astype("<f4")
        feats.tofile(os.path.join(a.out, f"features-{j}.f32"))
        encoded = model.encode(feats[None])
        encoded[2][0].astype("<f4").tofile(os.path.join(a.out, f"embedding-{j}.f32"))
        seqs, probs, _ = model.generate(feats[None], [n_prompted], encoded)
        meta["inputs"].append({"wav": f"input-{j}.wav", "features": f"features-{j}.f32",
                               "embedding": f"embedding-{j}.f32", "n_prompted": int(n_prompted),
                               "tokens": seqs[0], "probs": [round(p, 6) for p in probs[0]]})
    with open(os.path.join(a.out, "fixtures.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"wrote {len(meta['calls'])} calls and {len(meta['inputs'])} inputs to {a.out}")
    write_windows(model, a.out)
    write_cepstra(cfg, a.out)
    write_finals(model, a.out)


def window_of(cfg, x):
    """A live window from a model input: its prompt slots, then the last window_samples of its chunk."""
    pre = cfg.prompt_slots * cfg.slot_samples
    return np.concatenate([x[:pre], x[pre + cfg.chunk_samples - cfg.window_samples: pre + cfg.chunk_samples]])


def write_windows(model, out):
    cfg = model.cfg
    with open(os.path.join(out, "fixtures.json")) as f:
        inputs = json.load(f)["inputs"]
    windows = []
    for item in inputs:
        pcm, _ = sf.read(os.path.join(out, item["wav"]), dtype="int16")
        x = window_of(cfg, pcm.astype(np.float32) / 32768)
        segs = model.run_windows(x[None], [None])[0].segments
        windows.append({"wav": item["wav"], "n_prompted": item["n_prompted"],
                        "segments": [[round(s, 4), round(e, 4), int(k), round(c, 6)] for s, e, k, c in segs]})
    with open(os.path.join(out, "windows.json"), "w") as f:
        json.dump({"model_id": cfg.model_id, "window_seconds": cfg.live_window_seconds, "windows": windows}, f, indent=1)
    print(f"wrote {len(windows)} windows to {out}/windows.json")


CEPSTRA_PIECES = ((0.0, 1.0), (1.0, 2.5), (2.5, 4.0), (4.0, 8.0))    # chunk seconds


def write_cepstra(cfg, out):
    """cepstra.json: voicebank.cepstral_stats of CEPSTRA_PIECES of each input's chunk."""
    from voicebank import cepstral_frames, cepstral_stats
    with open(os.path.join(out, "fixtures.json")) as f:
        inputs = json.load(f)["inputs"]
    items = []
    pre = cfg.prompt_slots * cfg.slot_samples
    for item in inputs:
        pcm, _ = sf.read(os.path.join(out, item["wav"]), dtype="int16")
        chunk = pcm[pre: pre + cfg.chunk_samples].astype(np.float32) / 32768
        frames, centre = cepstral_frames(cfg, chunk)
        items.append({"wav": item["wav"], "pieces": [[a, b, cepstral_stats(frames, centre, a, b).tolist()]
                                                     for a, b in CEPSTRA_PIECES]})
    with open(os.path.join(out, "cepstra.json"), "w") as f:
        json.dump({"inputs": items}, f)
    print(f"wrote the cepstral statistics of {len(items)} chunks to {out}/cepstra.json")


def write_finals(model, out):
    """call-K.final.rttm: each fixture call's labels decided again at its end, with its cap;
    their names go into fixtures.json as final_rttm."""
    path = os.path.join(out, "fixtures.json")
    with open(path) as f:
        meta = json.load(f)
    for call in meta["calls"]:
        pcm, _ = sf.read(os.path.join(out, call["wav"]), dtype="int16")
        fid = call["wav"][: -len(".wav")]
        hyp = StreamingDiarizer(model.cfg, model.run_chunks, call["max_speakers"]).diarize_many(
            [pcm.astype(np.float32) / 32768], final=True)[0]
        der.write_rttm({fid: [(s, e, chr(ord("A") + l)) for s, e, l, _ in hyp]}, os.path.join(out, fid + ".final.rttm"))
        call["final_rttm"] = fid + ".final.rttm"
    with open(path, "w") as f:
        json.dump(meta, f, indent=1)
    print(f"wrote the final labels of {len(meta['calls'])} calls to {out}")


if __name__ == "__main__":
    main()
