"""The voices a training run may use: the train split, less held-out identities, plus
speed-perturbed and formant-shifted copies of every voice as new identities.

Why copies: the train split has about a hundred identities, many of them TTS voices, so
the speaker embedding learns to tell those apart and little about people. Playing a
recording 10 % faster or slower moves its pitch and formants together, the way one
person's vocal tract differs from another's; treating each copy as its own identity
(as x-vector recipes do) multiplies the identities the speaker-id and prompt-matching
losses see. A copy has its own family, so it may meet its original in one call and the
model must keep them apart. A formant-shifted copy (`formant_shift`) keeps the pitch and
moves only the spectral envelope, so that pitch and vocal tract vary apart, as they do
between people: a model that told voices apart by pitch alone would merge two women of
one pitch.

Why held-out identities: the two Fish Fillets leads are the only real two-person
dialogues we can build (realsets.fillets_dialogues); a model that never heard them
makes those dialogues a test of unseen voices.

    voices = TrainingVoices(load_corpus("models/cache/corpus_train.npz"),
                            factors=(0.9, 1.1), held_out=HELD_OUT, formant_factors=(0.9, 1.1))

TrainingVoices has the corpus interface CallSynth reads (speaker_name, speaker_gender,
speaker_lang, speaker_family, speaker_utts, utterance(i)); a held-out identity keeps its
index but has no utterances, so it is never drawn.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import istft, resample_poly, stft

from realsets import FISH_IDENTITIES

# The real-dialogue test voices: never in a training call, nor in a copy.
HELD_OUT = FISH_IDENTITIES


def speed_perturb(x: np.ndarray, factor: float) -> np.ndarray:
    """x played `factor` times as fast (pitch and formants scale with it), same sample rate."""
    if factor == 1.0:
        return x
    r = Fraction(factor).limit_denominator(20)      # 0.9 -> 9/10: few taps, exact ratio
    return resample_poly(x, r.denominator, r.numerator).astype(np.float32)


ENVELOPE_QUEFRENCY = 30     # cepstral bins kept as the envelope: below the pitch period up to 530 Hz at 16 kHz


def formant_shift(x: np.ndarray, factor: float, n_fft: int = 512, hop: int = 128) -> np.ndarray:
    """x with its spectral envelope (the formants: the vocal tract) stretched `factor` times
    up the frequency axis and its harmonics (the pitch: the vocal folds) left where they
    are. The log spectrum of each frame is split by cepstral liftering into an envelope and
    a fine structure; only the envelope is warped, the phase is kept."""
    if factor == 1.0 or len(x) < n_fft:
        return x
    _, _, X = stft(x, nperseg=n_fft, noverlap=n_fft - hop)
    logmag = np.log(np.abs(X) + 1e-9)
    cep = np.fft.irfft(logmag, n=n_fft, axis=0)
    cep[ENVELOPE_QUEFRENCY:n_fft - ENVELOPE_QUEFRENCY + 1] = 0.0
    env = np.fft.rfft(cep, axis=0).real
    pos = np.minimum(np.arange(X.shape[0]) / factor, X.shape[0] - 1.0)    # each bin's source on the old axis
    i0 = np.minimum(pos.astype(int), X.shape[0] - 2)
    w = (pos - i0)[:, None]
    warped = env[i0] * (1.0 - w) + env[i0 + 1] * w
    Y = np.exp(logmag - env + warped) * np.exp(1j * np.angle(X))
    _, y = istft(Y, nperseg=n_fft, noverlap=n_fft - hop)
    return y[: len(x)].astype(np.float32)


class TrainingVoices:
    def __init__(self, corpus, factors=(0.9, 1.1), held_out=HELD_OUT, formant_factors=()):
        unknown = set(held_out) - set(corpus.speaker_name)
        if unknown:
            raise ValueError(f"held-out identities not in the corpus: {sorted(unknown)}")
        self.corpus = corpus
        # (kind, factor) per copy, the original first
        self.copies = [("speed", 1.0)] + [("speed", f) for f in factors if f != 1.0] + \
                      [("formant", f) for f in formant_factors if f != 1.0]
        self.held_out = set(held_out)
        base = corpus.speaker_name
        self._n_utts, self._n_base = len(corpus), len(base)
        tag = [""] + [("@" if kind == "speed" else "~") + f"{f:g}" for kind, f in self.copies[1:]]
        self.speaker_name = [n + t for t in tag for n in base]
        self.speaker_gender = list(corpus.speaker_gender) * len(self.copies)
        self.speaker_lang = list(corpus.speaker_lang) * len(self.copies)
        self.speaker_family = [f + t for t in tag for f in corpus.speaker_family]
        empty = np.zeros(0, dtype=np.int64)
        self.speaker_utts = [empty if base[s] in self.held_out else corpus.speaker_utts[s] + k * self._n_utts
                             for k in range(len(self.copies)) for s in range(self._n_base)]

    @property
    def num_speakers(self) -> int:
        return len(self.speaker_name)

    def utterance(self, i: int) -> np.ndarray:
        k, j = divmod(int(i), self._n_utts)
        kind, f = self.copies[k]
        x = self.corpus.utterance(j)
        return speed_perturb(x, f) if kind == "speed" else formant_shift(x, f)
