"""Keypad tones (DTMF) and the speech gate: what the tone rule removes, and what it costs.

    models/.venv/bin/python models/tone_eval.py           # models/eval/keypad_tones.txt, then
    models/.venv/bin/python models/tone_eval.py --sets= --corpora= --seed 1    # appended

1. Real speech (AMI excerpts, Fish Fillets and held-out telephone dialogues): of the
   windows Silero hears as speech (p >= the contract's threshold), how many the rule takes
   for a tone or its shadow. It should be none.
2. The utterances of the prepared corpus's splits (`prepare_data.py`): the tone windows
   in each identity's speech, talk-off as telephone engineers call it.
3. Generated key presses (`key_presses`): at 8 and 16 kHz (the 8 kHz files reach the model
   at 16 kHz, as in the engines), three levels, over digital silence, white noise or
   mains hum: the seconds of speech the shipped model writes with Silero's own
   probabilities and with the rule (`vad.SileroVad.probabilities`).
"""
import argparse
import os

import numpy as np

import vad
from realsets import load_set, to_16k

KEYS = [(r, c) for r in vad.DTMF_ROWS_HZ for c in vad.DTMF_COLUMNS_HZ]


FLOORS = {"silence": None, "noise -50": ("noise", -50), "hum -30": ("hum", -30)}


def key_presses(seconds, sample_rate, level_db, floor=None, seed=0):
    """Dialling as a phone sends it: random keys of 40 to 250 ms, 40 to 400 ms apart, the
    row and column up to 4 dB apart (twist), at level_db dBFS while sounding, over a floor
    (kind, dBFS): white "noise" or 50 Hz mains "hum" with its harmonics (None: digital
    silence between keys)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    out, at = np.zeros(n), int(0.3 * sample_rate)
    while at < n:
        row, col = KEYS[rng.integers(len(KEYS))]
        t = np.arange(min(int(rng.uniform(0.04, 0.25) * sample_rate), n - at)) / sample_rate
        twist = 10 ** (rng.uniform(-4, 4) / 40)
        out[at:at + len(t)] = twist * np.sin(2 * np.pi * row * t) + np.sin(2 * np.pi * col * t) / twist
        at += len(t) + int(rng.uniform(0.04, 0.4) * sample_rate)
    out *= 10 ** (level_db / 20)        # each sine of amplitude 1 at 1: about -3 dBFS together
    if floor is not None:
        kind, db = floor
        t = np.arange(n) / sample_rate
        x = rng.standard_normal(n) if kind == "noise" else sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 8))
        out += x / np.sqrt(np.mean(x ** 2)) * 10 ** (db / 20)
    return out.astype(np.float32)


def real_speech(silero, cfg, sets):
    print("real speech: windows Silero hears as speech, and those the tone rule silences")
    for name in sets:
        heard = silenced = 0
        for _, audio, _ in load_set(name):
            raw = silero.silero_probabilities(audio[None], cfg.sample_rate)
            ruled = silero.probabilities(audio[None], cfg.sample_rate)
            speech = raw >= cfg.vad_threshold
            heard += int(speech.sum())
            silenced += int((speech & (ruled == 0)).sum())
        print(f"  {name:14s} {heard:7d} windows of speech, {silenced} silenced")


def corpora(splits, cache):
    from corpus import load_corpus
    print("\ncorpus utterances: windows taken for a keypad tone")
    for split in splits:
        c = load_corpus(os.path.join(cache, f"corpus_{split}.npz"))
        found, windows = {}, 0
        for u in range(len(c)):
            audio = c.utterance(u)
            windows += len(audio) // vad.WINDOWS[c.sample_rate][0]
            k = int(vad.tone_windows(audio[None], c.sample_rate).sum())
            if k:
                name = c.speaker_name[c.utt_speaker[u]]
                found[name] = found.get(name, 0) + k
        print(f"  {split:5s} {len(c)} utterances, {windows} windows, {sum(found.values())} tones: {found}")


def generated(model, seconds, seed):
    from types import SimpleNamespace
    from prompts import StreamingDiarizer
    from realval import gated
    rows = [(sr, level, floor) for sr in (8000, 16000) for level in (-10, -20, -30) for floor in FLOORS]
    calls = [to_16k(key_presses(seconds, sr, level, FLOORS[floor], seed=[seed, k]), sr) for k, (sr, level, floor) in enumerate(rows)]
    silero_alone = SimpleNamespace(probabilities=model.vad.silero_probabilities)    # the gate's VAD without the rule
    written = {}
    for rule, run in (("Silero alone", gated(model.run_chunks, model.cfg, silero_alone)),
                      ("with the tone rule", model.run_chunks)):
        out = StreamingDiarizer(model.cfg, run).diarize_many(calls)
        written[rule] = [sum(e - s for s, e, *_ in segs) for segs in out]
    print(f"\nkey presses, {seconds:.0f} s each: seconds of speech the shipped model writes")
    print(f"  {'rate':>5s} {'level':>5s} {'floor':>9s} | {'Silero alone':>12s} | {'with the rule':>13s}")
    for k, (sr, level, floor) in enumerate(rows):
        print(f"  {sr:5d} {level:5d} {floor:>9s} | {written['Silero alone'][k]:12.2f} | {written['with the tone rule'][k]:13.2f}")
    print(f"  {'all':>21s} | {sum(written['Silero alone']):12.2f} | {sum(written['with the tone rule']):13.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "shipped", "streamdrz"))
    ap.add_argument("--sets", default="ami,fillets,heldout-phone")
    ap.add_argument("--corpora", default="test,val,train", help="splits of the prepared corpus")
    ap.add_argument("--cache", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache"))
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0, help="of the key presses")
    a = ap.parse_args()
    from export import OnnxDiarizer
    model = OnnxDiarizer(a.model, threads=1)
    real_speech(model.vad, model.cfg, [s for s in a.sets.split(",") if s])
    corpora([s for s in a.corpora.split(",") if s], a.cache)
    generated(model, a.seconds, a.seed)


if __name__ == "__main__":
    main()
