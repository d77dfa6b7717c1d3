"""Choose the speech gate's keep thresholds and keep fraction on validation speakers.

    models/.venv/bin/python models/select_gate.py [--model models/streamdrz] > models/eval/select_gate.txt

For each setting: DER at collar 0.25 and 0 of seeded 60 s two- and three-speaker calls
of the validation identities (corpus_val.npz, streamed as evaluate.py does), and the
seconds of speech found in 40 s each of generated digital silence, low noise, mains
hum and DTMF tones (tests/test_vad.py's signals), which must be 0. The sure-speech
thresholds stay Silero's own. Pick the lowest validation DER among the settings that
hear nothing in the non-speech signals, then `export.py --restamp` with it.
"""
import argparse
import dataclasses
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import load_corpus, load_noise      # noqa: E402
from synth import CallSynth, SynthConfig         # noqa: E402
from export import OnnxDiarizer                  # noqa: E402
from evaluate import build_calls, evaluate_calls   # noqa: E402
from prompts import StreamingDiarizer            # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests"))
from test_vad import non_speech                  # noqa: E402


def heard_in_non_speech(model, cfg):
    signals = non_speech(40.0)
    out = StreamingDiarizer(cfg, model.run_chunks).diarize_many(list(signals.values()))
    return sum(e - s for segs in out for s, e, *_ in segs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/streamdrz")
    ap.add_argument("--corpus", default="models/cache/corpus_val.npz")
    ap.add_argument("--noise", default="models/cache/noise.npz")
    ap.add_argument("--keep", default="0.05:0.01,0.1:0.05,0.15:0.05", help="keep_threshold:keep_neg_threshold,...")
    ap.add_argument("--fractions", default="0.2,0.5")
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=1)
    synth = CallSynth(load_corpus(a.corpus), SynthConfig(), noise=load_noise(a.noise))
    calls2 = build_calls(synth, 2, 16, 60.0, 777)
    calls3 = build_calls(synth, 3, 10, 60.0, 778)
    base, vad = model.cfg, model.vad
    keeps = [tuple(map(float, k.split(":"))) for k in a.keep.split(",")]
    settings = [None] + list(itertools.product(keeps, map(float, a.fractions.split(","))))
    print(f"model {base.model_id}; validation calls: 16 x 2spk, 10 x 3spk, 60 s")
    print("keep thr  neg   frac | 2spk c.25   c0 | 3spk c.25   c0 | non-speech heard (s)")
    for setting in settings:
        if setting is None:
            model.vad, cfg, name = None, base, "no gate           "
        else:
            (kt, kn), frac = setting
            model.vad = vad
            cfg = dataclasses.replace(base, vad_keep_threshold=kt, vad_keep_neg_threshold=kn, vad_keep_fraction=frac)
            name = f"    {kt:4.2f}  {kn:4.2f}  {frac:4.2f}"
        model.cfg = cfg
        r2 = evaluate_calls("v2", calls2, model.run_chunks, cfg)
        r3 = evaluate_calls("v3", calls3, model.run_chunks, cfg)
        heard = heard_in_non_speech(model, cfg)
        print(f"{name} |  {100 * r2['der_collar025']:5.2f} {100 * r2['der_collar0']:5.2f} | "
              f" {100 * r3['der_collar025']:5.2f} {100 * r3['der_collar0']:5.2f} | {heard:.1f}", flush=True)
    model.cfg, model.vad = base, vad


if __name__ == "__main__":
    main()
