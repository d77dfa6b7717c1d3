"""Write the recordings the Java tests of enrolment, identification and `similar` read
(small, committed), from held-out test identities only.

    models/.venv/bin/python models/speaker_fixtures.py [--out streams-app/src/test/resources/speaker-fixtures]

Per voice of VOICES (one identity per family of corpus_test.npz):
  VOICE-enrol.wav   about ENROL_SECONDS of its utterances joined with pauses: an enrolment recording
  VOICE-other.wav   about OTHER_SECONDS of other utterances of it: another recording of the same voice
And:
  call.wav / call.rttm   CALLER (enrolled in the tests) and STRANGER (never enrolled) taking
                         turns, from utterances in neither recording above
Prints, through the Python twin of the recipe (identify_eval), the cosine of each call
speaker's voice profile with each voice's print, so the tests' margins are known.
All PCM16 at 16 kHz, clean (no noise or channel): the tests are about the plumbing.
"""
import argparse
import os

import numpy as np
import soundfile as sf

from corpus import load_corpus
from export import OnnxDiarizer
from identify_eval import diarize_state, enrol, label_identities, cos_matrix
from prompts import StreamingDiarizer
from synth import write_rttm

SR = 16000
VOICES = ["july", "armelle", "flite_awb", "espeak_it_f4_hi"]
CALLER, STRANGER = "july", "flite_awb"
ENROL_SECONDS, OTHER_SECONDS, CALL_SECONDS = 10.0, 6.0, 32.0
PAUSE = 0.4


def take(corpus, utts, start, seconds):
    """Utterances from index `start` until `seconds` are reached: (audio list, next index)."""
    out, total, k = [], 0.0, start
    while total < seconds and k < len(utts):
        a = corpus.utterance(int(utts[k]))
        out.append(a)
        total += len(a) / SR
        k += 1
    return out, k


def joined(pieces):
    pause = np.zeros(int(PAUSE * SR), np.float32)
    return np.concatenate([x for p in pieces for x in (p, pause)])[: -len(pause)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--corpus", default="models/cache/corpus_test.npz")
    ap.add_argument("--out", default="streams-app/src/test/resources/speaker-fixtures")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    corpus = load_corpus(a.corpus)
    model = OnnxDiarizer(a.model, threads=1)
    sd = StreamingDiarizer(model.cfg, model.run_chunks)
    rest, prints = {}, {}
    for name in VOICES:
        i = corpus.speaker_index(name)
        utts = corpus.utterances_of[i]
        enrol_pieces, k = take(corpus, utts, 0, ENROL_SECONDS)
        other_pieces, k = take(corpus, utts, k, OTHER_SECONDS)
        rest[name] = (utts, k)
        for suffix, pieces in (("enrol", enrol_pieces), ("other", other_pieces)):
            audio = joined(pieces)
            sf.write(os.path.join(a.out, f"{name}-{suffix}.wav"), audio, SR, subtype="PCM_16")
            if suffix == "enrol":
                prints[name], seconds, second = enrol(sd, audio)
                print(f"{name}: enrolment {len(audio) / SR:.1f} s, {seconds:.1f} s of voice, second label {second:.2f}")
    # the call: turns of CALLER and STRANGER, 0.5 s apart
    turns, segs, t = [], [], 0.0
    idx = {n: rest[n][1] for n in (CALLER, STRANGER)}
    who = CALLER
    while t < CALL_SECONDS:
        utts, _ = rest[who]
        pieces, idx[who] = take(corpus, utts, idx[who], 2.5)
        if not pieces:
            break
        audio = joined(pieces)
        turns += [audio, np.zeros(int(0.5 * SR), np.float32)]
        segs.append((t, t + len(audio) / SR, 0 if who == CALLER else 1))
        t += len(audio) / SR + 0.5
        who = STRANGER if who == CALLER else CALLER
    call = np.concatenate(turns)
    sf.write(os.path.join(a.out, "call.wav"), call, SR, subtype="PCM_16")
    write_rttm(os.path.join(a.out, "call.rttm"), "call", segs, names=[CALLER, STRANGER])
    st = diarize_state(sd, call)
    ref = [(s, e, [CALLER, STRANGER][k]) for s, e, k in segs]
    owner = label_identities(st.segments, ref)
    E = np.array([prints[n] for n in VOICES])
    for lab, p in sorted(st.prompts.items()):
        if p.voice is not None:
            s = cos_matrix([p.voice], E)[0]
            print(f"call label {lab} ({owner.get(lab)}, {p.voice_frames} frames): "
                  + ", ".join(f"{n} {x:.3f}" for n, x in zip(VOICES, s)))
    print(f"wrote {a.out}: call {len(call) / SR:.1f} s")


if __name__ == "__main__":
    main()
