"""Choose the speech gate's VAD thresholds on validation speakers.

    models/.venv/bin/python models/select_gate.py [--model models/shipped/streamdrz] > models/eval/select_gate.txt

For each pair (threshold, neg_threshold), and without the gate: DER at collar 0.25 and
0 of seeded 60 s two- and three-speaker calls and meeting-room calls (synth.MEETING: far
microphones, rooms, noise, overlaps; two to four people) of the validation identities
(corpus_val.npz, streamed as evaluate.py does), the seconds of speech found in 40 s
each of generated digital silence, low noise, mains hum, DTMF tones and piano music
(tests/test_vad.py's signals), and in the real hold music of the noise bank, which
callers hear on hold. The rule: among the settings that hear nothing in either, the
lowest sum of the three validation DERs at collar 0.25, sums within 0.1 point of the
lowest counting as equal (the noise of 42 calls) and Silero's own pair (0.5, 0.35)
winning among those; then `export.py --restamp --vad-threshold T --vad-neg-threshold N`.
"""
import argparse
import dataclasses

import numpy as np

from corpus import load_corpus, load_noise
from synth import MEETING, CallSynth, SynthConfig
from export import OnnxDiarizer
from evaluate import build_calls, evaluate_calls
from prompts import StreamingDiarizer
from tests.test_vad import non_speech


def heard(model, cfg, signals):
    out = StreamingDiarizer(cfg, model.run_chunks).diarize_many(signals)
    return sum(e - s for segs in out for s, e, *_ in segs)


def hold_music(noise):
    """The real hold music clips of the noise bank (asterisk-moh-opsound), at -26 dBFS."""
    clips = [noise.clip(int(i)) for i in noise.indices_of("music")]
    return [(c / max(1e-9, float(np.sqrt(np.mean(c ** 2)))) * 10 ** (-26 / 20)).astype(np.float32) for c in clips]


def meeting_calls(synth, n, seed):
    """n seeded 60 s meeting-room calls of two, three and four people in turn."""
    rng = np.random.default_rng(seed)
    return [synth.make_call(rng, n_speakers=2 + i % 3, duration=60.0) for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--corpus", default="models/cache/corpus_val.npz")
    ap.add_argument("--noise", default="models/cache/noise.npz")
    ap.add_argument("--pairs", default="0.3:0.15,0.4:0.15,0.4:0.25,0.5:0.15,0.5:0.25,0.5:0.35,0.7:0.55",
                    help="threshold:neg_threshold,...")
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=1)
    noise = load_noise(a.noise)
    synth = CallSynth(load_corpus(a.corpus), SynthConfig(), noise=noise)
    calls2 = build_calls(synth, 2, 16, 60.0, 777)
    calls3 = build_calls(synth, 3, 10, 60.0, 778)
    meeting = meeting_calls(CallSynth(synth.corpus, SynthConfig(**MEETING), noise=noise), 16, 779)
    generated, music = list(non_speech(40.0).values()), hold_music(noise)
    base, vad = model.cfg, model.vad
    settings = [None] + [tuple(map(float, p.split(":"))) for p in a.pairs.split(",")]
    print(f"model {base.model_id}; validation calls: 16 x 2spk, 10 x 3spk, 16 meeting-room (2-4 people), 60 s")
    print(f"thr   neg  | 2spk c.25   c0 | 3spk c.25   c0 | meet c.25   c0 | sum c.25 | heard (s): generated "
          f"non-speech, real hold music ({sum(len(m) for m in music) / 16000:.0f} s)")
    for setting in settings:
        if setting is None:
            model.vad, cfg, name = None, base, "no gate   "
        else:
            model.vad = vad
            cfg = dataclasses.replace(base, vad_threshold=setting[0], vad_neg_threshold=setting[1])
            name = f"{setting[0]:4.2f}  {setting[1]:4.2f}"
        model.cfg = cfg
        r2 = evaluate_calls("v2", calls2, model.run_chunks, cfg)
        r3 = evaluate_calls("v3", calls3, model.run_chunks, cfg)
        rm = evaluate_calls("vm", meeting, model.run_chunks, cfg)
        total = sum(100 * r["der_collar025"] for r in (r2, r3, rm))
        print(f"{name} |  {100 * r2['der_collar025']:5.2f} {100 * r2['der_collar0']:5.2f} | "
              f" {100 * r3['der_collar025']:5.2f} {100 * r3['der_collar0']:5.2f} | "
              f" {100 * rm['der_collar025']:5.2f} {100 * rm['der_collar0']:5.2f} |   {total:6.2f} | "
              f"{heard(model, cfg, generated):5.1f} {heard(model, cfg, music):6.1f}", flush=True)
    model.cfg, model.vad = base, vad


if __name__ == "__main__":
    main()
