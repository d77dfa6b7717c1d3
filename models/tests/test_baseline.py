"""The classical floor: it must hear nothing in digital silence and separate two
clearly different synthetic voices."""

import numpy as np

import baseline
import der

SR = 16000


def voice(seconds, f0, formants, rng):
    """A vowel-like tone: harmonics of f0 with a slow vibrato, weighted by resonances."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))) / SR
    x = np.zeros_like(t)
    for k in range(1, int(4000 / f0)):
        gain = sum(1 / (1 + ((k * f0 - f) / 150) ** 2) for f in formants)
        x += gain * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    return 0.1 * x / np.sqrt(np.mean(x ** 2))


def two_voices(rng):
    """A B A B A B turns of 2.5-3.5 s with 0.6 s pauses, and a faint noise floor."""
    parts, ref, t = [], [], 0.0
    for i in range(6):
        who = i % 2
        d = 2.5 + 0.2 * i
        parts += [voice(d, (110, 230)[who], ((600, 1100), (400, 2600))[who], rng), np.zeros(int(0.6 * SR))]
        ref.append((t, t + d, "AB"[who]))
        t += d + 0.6
    audio = np.concatenate(parts)
    return audio + 1e-4 * rng.standard_normal(len(audio)), ref


def test_digital_silence_has_no_speech():
    assert baseline.diarize(np.zeros(10 * SR), SR, 2) == []
    assert not baseline.energy_vad(np.zeros(10 * SR), SR).any()


def test_two_different_voices_are_separated():
    audio, ref = two_voices(np.random.default_rng(0))
    hyp = baseline.diarize(audio, SR, 2)
    assert {lab for _, _, lab in hyp} == {0, 1}
    r = der.score(ref, [(s, e, str(lab)) for s, e, lab in hyp], collar=0.25)
    assert r.der < 0.05, r


def test_mfcc_shapes():
    x = np.random.default_rng(1).standard_normal(SR)
    assert baseline.mfcc(x, SR).shape == (100, baseline.N_MFCC)
    assert baseline.log_energy(x, SR).shape == (100,)
