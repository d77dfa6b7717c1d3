"""Synthetic phone calls for diarization training, mixed on the fly from a corpus of
single-speaker utterances.

A call is made in four steps, each a small method of CallSynth:

  1. timeline    who speaks when: turns of concatenated utterances, pauses, overlaps at
                 turn changes, interruptions (the interrupted speaker is cut short) and
                 backchannels (short fragments of a listener inside the speaker's turn)
  2. sources     every speaker on its own track: loudness offset, per-utterance jitter,
                 optional synthetic room (exponentially decaying noise impulse response)
  3. background  white/pink/brown noise, ambience or hold music (noise.npz), babble
  4. channel     on the WHOLE mix, all speakers alike so bandwidth never identifies a
                 speaker (DATA.md hazard): 8 kHz narrowband with G.711 mu-law/A-law or
                 GSM 06.10 round trip, telephone band-pass; a wideband call is low-passed
                 where the narrowest speaker's recordings end; then level and peak limit

The reference is taken from the samples actually placed on each track, never from a
plan: every utterance is first tightened to its speech (see `speech_spans`), so a
segment starts at the first and ends at the last sample of speech that is in the mix.

Run it (from the repository root):
  models/.venv/bin/python models/synth.py render --corpus models/cache/corpus_test.npz \
      --noise models/cache/noise.npz --n 5 --speakers 2 --seed 1 --out /tmp/calls
  models/.venv/bin/python models/synth.py bench [--corpus models/cache/corpus_train.npz]
  (any SynthConfig field can be overridden: --set p_overlap=0.3 --set duration_s=30,30)
"""
import argparse
import io
import json
import math
import os
import time
from dataclasses import dataclass, field, fields, replace

import numpy as np
from scipy import fft, signal

# -----------------------------------------------------------------------------
# config


@dataclass
class SynthConfig:
    sample_rate: int = 16000
    # call
    duration_s: tuple = (20.0, 60.0)                 # uniform; the call is cut to exactly this
    n_speakers_probs: tuple = (0.1, 0.6, 0.2, 0.1)   # P(1 speaker), P(2), P(3), P(4)
    p_similar_speakers: float = 0.3  # draw the others with the first one's gender (and language if possible)
    lead_silence_s: tuple = (0.0, 1.0)               # before the first word
    # turns
    turn_utts: tuple = (1, 3)        # utterances concatenated per turn (inclusive range)
    max_utt_s: float = 8.0           # longer utterances: a random window of this length
    max_turn_s: float = 12.0         # no further utterance is appended to a turn after this
    intra_turn_gap_s: tuple = (0.05, 0.5)  # between utterances of one turn
    pause_min_s: float = 0.05        # between turns: min + exponential(mean), clipped at max
    pause_mean_s: float = 0.4
    pause_max_s: float = 2.5
    # defaults give ~6% of speech time overlapped and ~15% silence (150 calls, train corpus)
    p_overlap: float = 0.25          # next turn starts before the current one ends...
    overlap_s: tuple = (0.1, 1.0)    # ...by this much (at most half the current turn)
    p_interrupt: float = 0.08        # next speaker starts well before the end...
    interrupt_lead_s: tuple = (1.0, 3.0)  # ...this long before the natural end...
    interrupt_tail_s: tuple = (0.2, 0.8)  # ...and the current speaker stops this long after
    p_backchannel: float = 0.4       # per turn: a listener says something short inside it
    backchannel_s: tuple = (0.2, 0.8)
    # loudness
    speaker_gain_db: float = 6.0     # per speaker offset, uniform in +-
    utt_gain_db: float = 2.0         # per utterance jitter, uniform in +-
    # room, per speaker
    p_reverb: float = 0.3
    rt60_s: tuple = (0.1, 0.6)
    drr_db: tuple = (0.0, 12.0)      # direct-to-reverberant energy ratio
    # background
    p_noise: float = 0.7
    noise_kinds: dict = field(default_factory=lambda: {
        'white': 0.15, 'pink': 0.25, 'brown': 0.15, 'ambience': 0.2, 'music': 0.15, 'babble': 0.1})
    snr_db: tuple = (5.0, 30.0)      # speech power (while anyone speaks) over noise power
    babble_talkers: tuple = (3, 6)
    noise_loop_s: float = 8.0        # white/pink/brown noise is drawn this long and looped (speed)
    # channel, on the whole mix
    p_narrowband: float = 0.85       # down to 8 kHz and back (telephone); else wideband call
    codec_probs: dict = field(default_factory=lambda: {  # narrowband calls only
        'pcm': 0.3, 'mulaw': 0.35, 'alaw': 0.2, 'gsm': 0.15})  # GSM costs ~70 ms per 30 s call
    match_bandwidth: bool = True     # wideband calls: low-pass the mix where the narrowest speaker's recordings end
    p_bandpass: float = 0.5
    bandpass_hz: tuple = (300.0, 3400.0)
    bandpass_order: int = 8          # Butterworth; 8 gives about -30 dB above 4 kHz
    # level
    level_dbfs: tuple = (-32.0, -18.0)  # RMS of the speech in the final mix
    peak_max: float = 0.98           # scaled down (never clipped) above this
    # reference: what counts as speech inside an utterance
    frame_s: float = 0.01            # energy frames
    speech_threshold_db: float = -40.0  # frames this far below the utterance's loudest frame are silence,
    floor_margin_db: float = 8.0        # and those less than this above its noise floor (5th percentile frame),
    max_threshold_db: float = -25.0     # (that rule never puts the threshold above loudest - 25 dB)
    speech_floor_dbfs: float = -70.0    # and frames below this absolute level
    split_pause_s: float = 0.3       # a silence this long inside an utterance ends a segment
    merge_gap_s: float = 0.1         # same-speaker segments closer than this are merged
    fade_s: float = 0.01             # fade at every cut
    max_tries: int = 10              # redraws when a speaker got no speech before the end


# Settings that make a call sound like a meeting room rather than a phone line: far
# microphones (strong reverberation, the reverberant part often louder than the direct
# sound), speakers at very different distances, more people and far more overlapped
# talk (the AMI excerpts overlap 19 % of their speech time, these calls about 20 %, the
# default ones 6 to 9 %), mostly wideband. Mixed into training by train.py's
# --meeting_share.
MEETING = dict(
    n_speakers_probs=(0.05, 0.35, 0.35, 0.25),
    p_overlap=0.7, overlap_s=(0.5, 2.5), p_interrupt=0.2, p_backchannel=0.8,
    speaker_gain_db=10.0,
    p_reverb=0.8, rt60_s=(0.3, 0.9), drr_db=(-6.0, 6.0),
    p_noise=0.8, snr_db=(5.0, 25.0),
    p_narrowband=0.3,
    level_dbfs=(-38.0, -20.0),
)


# -----------------------------------------------------------------------------
# corpus access (raw npz; models/corpus.py gives the same interface when present)
#
# CallSynth needs from a corpus: speaker_name, speaker_gender, speaker_lang (sequences
# of str, one per identity), speaker_utts (list of int arrays: utterance indices per
# speaker) and utterance(i) -> float32 mono at the synth's sample rate.
# From a noise bank: kind (str per clip) and clip(i) -> float32.


def _decode(audio, encoding):
    if encoding == 'mulaw':
        return mulaw_decode_float(audio)
    return audio.astype(np.float32) / 32768.0


class NpzCorpus:
    """Utterances from a corpus_*.npz, decoded (and resampled to 16 kHz) on demand."""

    def __init__(self, path, sample_rate=16000):
        z = np.load(path, allow_pickle=False)
        self.audio = z['audio']
        self.encoding = str(z['encoding'])
        self.source_rate = int(z['sample_rate'])
        self.sample_rate = sample_rate
        self.utt_offset, self.utt_length = z['utt_offset'], z['utt_length']
        self.utt_speaker = z['utt_speaker']
        self.speaker_name = [str(s) for s in z['speaker_name']]
        n = len(self.speaker_name)
        self.speaker_kind = [str(s) for s in z['speaker_kind']] if 'speaker_kind' in z else ['?'] * n
        self.speaker_lang = [str(s) for s in z['speaker_lang']] if 'speaker_lang' in z else ['?'] * n
        self.speaker_gender = [str(s) for s in z['speaker_gender']] if 'speaker_gender' in z else ['?'] * n
        order = np.argsort(self.utt_speaker, kind='stable')
        bounds = np.searchsorted(self.utt_speaker[order], np.arange(n + 1))
        self.speaker_utts = [order[bounds[s]:bounds[s + 1]] for s in range(n)]

    def utterance(self, i):
        o, n = int(self.utt_offset[i]), int(self.utt_length[i])
        x = _decode(self.audio[o:o + n], self.encoding)
        if self.source_rate != self.sample_rate:
            g = math.gcd(self.source_rate, self.sample_rate)
            x = signal.resample_poly(x, self.sample_rate // g, self.source_rate // g).astype(np.float32)
        return x


class NpzNoise(NpzCorpus):
    """noise.npz: clips with a kind ('music' or 'ambience') instead of speakers."""

    def __init__(self, path, sample_rate=16000):
        z = np.load(path, allow_pickle=False)
        self.audio, self.encoding = z['audio'], str(z['encoding'])
        self.source_rate, self.sample_rate = int(z['sample_rate']), sample_rate
        self.utt_offset, self.utt_length = z['utt_offset'], z['utt_length']
        self.kind = [str(k) for k in z['kind']]

    def clip(self, i):
        return self.utterance(i)


def write_fake_corpus(path, n_speakers=6, utts_per_speaker=12, sample_rate=16000, seed=0, narrowband=()):
    """A tiny corpus for tests and benchmarks: speaker s is a buzzy harmonic tone with its
    own pitch (harmonics up to 7 kHz, 3.5 kHz for speakers in `narrowband`), syllable-rate
    envelope, 0.1 s of near-silence (-80 dBFS) at both ends, and every third utterance
    has a 0.5 s pause in the middle."""
    rng = np.random.default_rng(seed)
    chunks, offsets, lengths, spk = [], [], [], []
    pos = 0
    for s in range(n_speakers):
        f0 = 110.0 + 37.0 * s
        for u in range(utts_per_speaker):
            n = int(rng.uniform(1.0, 3.0) * sample_rate)
            t = np.arange(n) / sample_rate
            x = lowpass(signal.sawtooth(2 * np.pi * f0 * t), sample_rate, 3500.0 if s in narrowband else 7000.0)
            x *= 0.7 + 0.3 * np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 2 * np.pi))
            x = x / np.abs(x).max() * rng.uniform(0.2, 0.6)
            if u % 3 == 2:  # an internal pause, away from the ends
                m = n // 2
                x[m - sample_rate // 4:m + sample_rate // 4] = 0.0
            edge = np.zeros(sample_rate // 10)
            x = np.concatenate([edge, x, edge])
            x += rng.standard_normal(len(x)) * 1e-4  # -80 dBFS floor
            q = np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)
            chunks.append(q)
            offsets.append(pos)
            lengths.append(len(q))
            spk.append(s)
            pos += len(q)
    np.savez(path, sample_rate=sample_rate, encoding='pcm16', audio=np.concatenate(chunks),
             utt_offset=np.array(offsets, np.int64), utt_length=np.array(lengths, np.int64),
             utt_speaker=np.array(spk, np.int32),
             speaker_name=np.array([f'tone{s}' for s in range(n_speakers)]),
             speaker_kind=np.array(['tts'] * n_speakers),
             speaker_lang=np.array(['en' if s % 3 else 'es' for s in range(n_speakers)]),
             speaker_gender=np.array(['f' if s % 2 else 'm' for s in range(n_speakers)]))


# -----------------------------------------------------------------------------
# signal building blocks: G.711, GSM, noise, rooms


def _to_int16(x):
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int32)


# G.711 as in the classic Sun g711.c, vectorized over int16 values; used through lookup
# tables (65536 entries to encode, 256 to decode), which is what makes them fast.

def _mulaw_byte(s):
    sign = np.where(s < 0, 0x80, 0)
    mag = np.minimum(np.abs(s), 32635) + 0x84
    exp = np.clip(np.floor(np.log2(mag)).astype(np.int32) - 7, 0, 7)
    mant = (mag >> (exp + 3)) & 0x0F
    return (~(sign | (exp << 4) | mant) & 0xFF).astype(np.uint8)


def _mulaw_value(u):
    u = ~u & 0xFF
    exp, mant = (u >> 4) & 0x07, u & 0x0F
    mag = (((mant << 3) + 0x84) << exp) - 0x84
    return np.where(u & 0x80, -mag, mag)


def _alaw_byte(s):
    p = s >> 3  # 13 bits
    mask = np.where(p >= 0, 0xD5, 0x55)
    p = np.where(p >= 0, p, -p - 1)  # 0..4095
    seg = np.where(p < 32, 0, np.floor(np.log2(np.maximum(p, 1))).astype(np.int32) - 4)
    mant = np.where(seg < 2, p >> 1, p >> np.maximum(seg, 1)) & 0x0F
    return (((seg << 4) | mant) ^ mask).astype(np.uint8)


def _alaw_value(a):
    a = a ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, (t + 0x108) << np.maximum(seg - 1, 0))
    return np.where(a & 0x80, t, -t)


_INT16 = np.arange(-32768, 32768, dtype=np.int32)
_BYTES = np.arange(256, dtype=np.int32)
_MULAW_ENCODE, _MULAW_DECODE = _mulaw_byte(_INT16), (_mulaw_value(_BYTES) / 32768.0).astype(np.float32)
_ALAW_ENCODE, _ALAW_DECODE = _alaw_byte(_INT16), (_alaw_value(_BYTES) / 32768.0).astype(np.float32)


def mulaw_encode_float(x):
    """float [-1, 1] -> G.711 mu-law bytes (corpus.mulaw_encode takes int16 PCM)."""
    return _MULAW_ENCODE[_to_int16(x) + 32768]


def mulaw_decode_float(u):
    return _MULAW_DECODE[u]


def alaw_encode(x):
    """float [-1, 1] -> G.711 A-law bytes."""
    return _ALAW_ENCODE[_to_int16(x) + 32768]


def alaw_decode(a):
    return _ALAW_DECODE[a]


def gsm_roundtrip(x8k):
    """GSM 06.10 full-rate encode/decode at 8 kHz through libsndfile (an in-memory WAV);
    None when soundfile or its GSM support is missing."""
    try:
        import soundfile as sf
        buf = io.BytesIO()
        sf.write(buf, np.clip(x8k, -1, 1), 8000, format='WAV', subtype='GSM610')
        buf.seek(0)
        y, _ = sf.read(buf, dtype='float32')
    except Exception:
        return None
    out = np.zeros(len(x8k), np.float32)  # GSM frames are 160 samples: trim or pad
    out[:min(len(y), len(x8k))] = y[:len(x8k)]
    return out


def to_8k(x, sample_rate):
    """Band-limit to 4 kHz and resample to 8 kHz in the frequency domain: nothing above
    4 kHz survives (a short FIR resampler leaks images there, a trace of the channel).
    sample_rate: k * 8000."""
    r = sample_rate // 8000
    m8 = fft.next_fast_len(-(-len(x) // r), real=True)  # zero padded: fast lengths only
    m8 += m8 % 2
    spec = fft.rfft(x, m8 * r)[:m8 // 2 + 1]
    spec *= _rolloff(np.fft.rfftfreq(m8, 1 / 8000), 4000.0)
    return fft.irfft(spec, m8)[:-(-len(x) // r)].astype(np.float32) / np.float32(r)


def from_8k(y, sample_rate, n):
    """to_8k's inverse: back to sample_rate (k * 8000), n samples, still nothing above 4 kHz."""
    r = sample_rate // 8000
    m8 = fft.next_fast_len(len(y), real=True)
    m8 += m8 % 2
    spec = np.zeros(m8 * r // 2 + 1, np.complex64)
    spec[:m8 // 2] = fft.rfft(y, m8)[:m8 // 2]  # the 4 kHz bin stays 0
    return fft.irfft(spec, m8 * r)[:n].astype(np.float32) * np.float32(r)


def lowpass(x, sample_rate, cutoff_hz):
    """Nothing above cutoff_hz (frequency domain, raised-cosine roll-off below it)."""
    m = fft.next_fast_len(len(x), real=True)
    spec = fft.rfft(x, m)
    spec *= _rolloff(np.fft.rfftfreq(m, 1 / sample_rate), cutoff_hz)
    return fft.irfft(spec, m)[:len(x)].astype(np.float32)


def _rolloff(freqs, cutoff_hz, width_hz=200.0):
    """1 below cutoff_hz - width_hz, raised cosine down to 0 at cutoff_hz and above."""
    w = (freqs < cutoff_hz).astype(np.float32)
    band = np.flatnonzero((freqs > cutoff_hz - width_hz) & (freqs < cutoff_hz))
    w[band] = 0.5 - 0.5 * np.cos(np.pi * (cutoff_hz - freqs[band]) / width_hz)
    return w


def bandwidth_hz(x, sample_rate, drop_db=40.0):
    """Where a recording's spectrum ends: the lowest frequency above which lies less
    than -drop_db of its energy (an 8 kHz source gives < 4 kHz)."""
    power = np.abs(fft.rfft(x)) ** 2
    above = np.cumsum(power[::-1])[::-1]  # energy at and above each bin
    below = above < above[0] * 10 ** (-drop_db / 10)
    return float(np.fft.rfftfreq(len(x), 1 / sample_rate)[np.argmax(below)]) if below.any() else sample_rate / 2


def colored_noise(rng, n, exponent, sample_rate=16000):
    """Noise with power ~ 1/f**exponent (0 white, 1 pink, 2 brown), unit RMS;
    coloured noise has nothing below 20 Hz (no DC drift)."""
    # uniform, not Gaussian, samples: 4x faster to draw, and the spectrum is the same
    # (after colouring the samples are Gaussian anyway)
    if exponent == 0:
        return (rng.random(n, dtype=np.float32) - np.float32(0.5)) * np.float32(math.sqrt(12))
    m = fft.next_fast_len(n, real=True)
    spec = fft.rfft(rng.random(m, dtype=np.float32) - np.float32(0.5))
    f = np.fft.rfftfreq(m, 1.0 / sample_rate).astype(np.float32)
    f[f < 20.0] = np.inf
    x = fft.irfft(spec * f ** np.float32(-exponent / 2), m)[:n]
    return (x / np.sqrt(np.mean(x ** 2) + 1e-20)).astype(np.float32)


def room_impulse_response(rng, rt60_s, drr_db, sample_rate=16000):
    """Direct path at t=0 (so labels stay aligned) plus exponentially decaying noise that
    falls 60 dB in rt60_s, starting 1 ms later, scaled to the direct-to-reverberant ratio."""
    n = int(rt60_s * sample_rate)
    t = np.arange(n, dtype=np.float32) / sample_rate
    tail = rng.standard_normal(n, dtype=np.float32) * np.exp(-6.908 * t / rt60_s)
    tail[:sample_rate // 1000] = 0.0
    tail *= np.sqrt(10 ** (-drr_db / 10) / (np.sum(tail ** 2) + 1e-20))
    tail[0] = 1.0
    return tail


# -----------------------------------------------------------------------------
# speech spans: the reference for one piece of audio


@dataclass
class Piece:
    """Audio of one speaker placed at `start` (sample) in the call. `spans` (k, 2) are the
    speech intervals in piece samples; audio starts with the first and ends with the last."""
    spk: int
    start: int
    audio: np.ndarray
    spans: np.ndarray

    @property
    def end(self):
        return self.start + len(self.audio)


def speech_spans(x, cfg):
    """Speech intervals (k, 2) of an utterance in samples, None if it is all silence.

    A frame of cfg.frame_s (10 ms) is silence when its mean power is below the largest of
      - the loudest frame - 40 dB (speech_threshold_db),
      - the recording's noise floor (its 5th-percentile frame) + 8 dB (floor_margin_db),
        but at most loudest - 25 dB (max_threshold_db): some corpus recordings have a
        floor only ~33 dB under the speech, and their pauses must not count as speech,
      - -70 dBFS (speech_floor_dbfs).
    Silences shorter than split_pause_s (0.3 s) inside speech are bridged. Edges are on
    frame boundaries, so a segment edge may include up to one frame of near-silence."""
    f = max(1, int(round(cfg.frame_s * cfg.sample_rate)))
    nf = -(-len(x) // f)
    xp = np.zeros(nf * f, np.float32)
    xp[:len(x)] = x
    power = np.mean(xp.reshape(nf, f) ** 2, axis=1)
    peak = power.max()
    floor = min(np.percentile(power, 5) * 10 ** (cfg.floor_margin_db / 10), peak * 10 ** (cfg.max_threshold_db / 10))
    threshold = max(peak * 10 ** (cfg.speech_threshold_db / 10), floor, 10 ** (cfg.speech_floor_dbfs / 10))
    active = power > threshold
    if not active.any():
        return None
    edges = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(np.int8), [0]])))
    runs = edges.reshape(-1, 2)  # [first active frame, first inactive frame)
    keep = np.concatenate([[True], runs[1:, 0] - runs[:-1, 1] >= cfg.split_pause_s / cfg.frame_s])
    starts = runs[keep, 0]
    ends = runs[np.concatenate([keep[1:], [True]]), 1]
    return np.minimum(np.stack([starts, ends], 1) * f, len(x))


def _fade(x, n_in, n_out):
    if n_in > 0:
        x[:n_in] *= np.linspace(0, 1, n_in + 1, dtype=np.float32)[1:]
    if n_out > 0:
        x[-n_out:] *= np.linspace(1, 0, n_out + 1, dtype=np.float32)[:-1]
    return x


def slice_piece(p, a, b, cfg):
    """p cut to its piece samples [a, b), faded at a cut, tightened to the speech left.
    A sliver of speech shorter than two fades at a cut edge is dropped. None if no speech."""
    fade = int(cfg.fade_s * cfg.sample_rate)
    a, b = max(0, a), min(len(p.audio), b)
    s = np.clip(p.spans, a, b)
    s = s[s[:, 1] - s[:, 0] > 0]
    if a > 0 and len(s) and s[0, 1] - s[0, 0] < 2 * fade:
        s = s[1:]
    if b < len(p.audio) and len(s) and s[-1, 1] - s[-1, 0] < 2 * fade:
        s = s[:-1]
    if len(s) == 0:
        return None
    lo, hi = int(s[0, 0]), int(s[-1, 1])
    audio = p.audio[lo:hi].copy()
    _fade(audio, min(fade, len(audio) // 2) if lo > 0 else 0,
          min(fade, len(audio) // 2) if hi < len(p.audio) else 0)
    return Piece(p.spk, p.start + lo, audio, s - lo)


def segments_of(pieces, n_speakers, merge_gap):
    """Per speaker: sorted (start, end) sample intervals, gaps < merge_gap merged."""
    out = []
    for k in range(n_speakers):
        iv = sorted((p.start + int(a), p.start + int(b)) for p in pieces if p.spk == k for a, b in p.spans)
        merged = []
        for a, b in iv:
            if merged and a - merged[-1][1] < merge_gap:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out.append(merged)
    return out


# -----------------------------------------------------------------------------
# the generator


@dataclass
class Call:
    audio: np.ndarray        # float32 mono
    segments: list           # (start_s, end_s, label), label 0 = first speaker heard
    speaker_names: list      # corpus identity per label
    sample_rate: int
    meta: dict = field(default_factory=dict)  # what was drawn: noise, snr, codec, rooms...
    tracks: np.ndarray = None  # (labels, samples) each speaker alone, as mixed but before
                               # noise and channel (only with make_call(return_tracks=True))


def _choice(rng, probs):
    """A key of a {name: weight} dict, drawn with those weights (None if all are zero)."""
    names = [k for k, w in probs.items() if w > 0]
    if not names:
        return None
    w = np.array([probs[k] for k in names], np.float64)
    return names[int(rng.choice(len(names), p=w / w.sum()))]


class CallSynth:
    """Synthetic phone calls from `corpus` (see NpzCorpus for the interface) and an
    optional noise bank (NpzNoise); make_call(rng) is deterministic given rng's state."""

    def __init__(self, corpus, cfg=None, noise=None):
        self.corpus, self.cfg, self.noise = corpus, cfg or SynthConfig(), noise
        sr = self.cfg.sample_rate
        order, band = self.cfg.bandpass_order, self.cfg.bandpass_hz
        self.bandpass_wide = signal.butter(order, band, 'bandpass', fs=sr, output='sos')
        self.bandpass_narrow = signal.butter(order, band, 'bandpass', fs=8000, output='sos')
        self.gsm_ok = gsm_roundtrip(np.zeros(320, np.float32)) is not None
        if sr % 8000:
            raise ValueError('sample_rate must be a multiple of 8000 (the telephone channel is 8 kHz)')
        self.names = list(corpus.speaker_name)  # the corpus may build these lists on each access
        self.gender, self.lang = list(corpus.speaker_gender), list(corpus.speaker_lang)
        self.family = list(getattr(corpus, 'speaker_family', self.names))
        self.utts = list(corpus.speaker_utts)
        self.usable = [s for s, u in enumerate(self.utts) if len(u) > 0]
        self.bandwidths = {}  # identity -> bandwidth_hz of its recordings, measured on first use

    # -- public

    def make_call(self, rng, n_speakers=None, duration=None, return_tracks=False):
        """One call; n_speakers and duration (seconds) override the config's draws."""
        cfg = self.cfg
        if n_speakers is None:
            p = np.asarray(cfg.n_speakers_probs, np.float64)
            n_speakers = 1 + int(rng.choice(len(p), p=p / p.sum()))
        n_families = len({self.family[s] for s in self.usable})
        if n_speakers > n_families:
            raise ValueError(f'{n_speakers} speakers asked, the corpus has {n_families} speaker families')
        if duration is None:
            duration = rng.uniform(*cfg.duration_s)
        n_samples = int(round(duration * cfg.sample_rate))
        for _ in range(cfg.max_tries):  # rarely, long turns leave a speaker unheard: redraw
            call = self._make(rng, n_speakers, n_samples, return_tracks)
            if len(call.speaker_names) == n_speakers:
                break
        return call

    # -- 1. timeline

    def _draw_speakers(self, rng, n):
        """n identities of n different families: identities of one family may be one
        person (aliases, readers of a language in several packages), so they never meet."""
        first = self.usable[rng.integers(len(self.usable))]
        chosen = [first]
        similar = n > 1 and rng.random() < self.cfg.p_similar_speakers
        for _ in range(n - 1):
            used = {self.family[s] for s in chosen}
            rest = [s for s in self.usable if self.family[s] not in used]
            if not rest:
                break
            if similar:
                same = [s for s in rest if self.gender[s] == self.gender[first]]
                same_lang = [s for s in same if self.lang[s] == self.lang[first]]
                rest = same_lang or same or rest
            chosen.append(rest[rng.integers(len(rest))])
        return chosen

    def _utterance(self, rng, spk, ident, gain_db):
        """A random utterance of corpus identity `ident` as a Piece at 0: at most
        max_utt_s, tightened, speech RMS normalized to 0.1 then gain_db applied."""
        cfg, sr = self.cfg, self.cfg.sample_rate
        utts = self.utts[ident]
        for _ in range(10):
            x = self.corpus.utterance(int(utts[rng.integers(len(utts))]))
            m = int(cfg.max_utt_s * sr)
            if len(x) > m:
                o = int(rng.integers(len(x) - m + 1))
                x = _fade(x[o:o + m].copy(), int(cfg.fade_s * sr), int(cfg.fade_s * sr))
            spans = speech_spans(x, cfg)
            if spans is None:
                continue
            x = x[spans[0, 0]:spans[-1, 1]].astype(np.float32)
            spans = spans - spans[0, 0]
            speech = np.concatenate([x[a:b] for a, b in spans])
            g = 0.1 / (np.sqrt(np.mean(speech ** 2)) + 1e-9) * 10 ** ((gain_db + rng.uniform(-1, 1) * cfg.utt_gain_db) / 20)
            return Piece(spk, 0, x * np.float32(g), spans)
        raise ValueError(f'speaker {self.names[ident]}: no speech found in 10 utterances')

    def _turn(self, rng, spk, ident, gain_db, first_round):
        """Pieces of one turn, starts relative to the turn's start."""
        cfg, sr = self.cfg, self.cfg.sample_rate
        k = 1 if first_round else int(rng.integers(cfg.turn_utts[0], cfg.turn_utts[1] + 1))
        pieces, t = [], 0
        for _ in range(k):
            p = self._utterance(rng, spk, ident, gain_db)
            p.start = t
            pieces.append(p)
            t = p.end + int(rng.uniform(*cfg.intra_turn_gap_s) * sr)
            if p.end > cfg.max_turn_s * sr:
                break
        return pieces

    def _turn_start(self, rng, prev, own_last_end, pieces):
        """Where the next turn starts, given the previous one (spk, start, end); an
        interruption cuts the previous turn's pieces (in `pieces`) short."""
        cfg, sr = self.cfg, self.cfg.sample_rate
        p_spk, p_start, p_end = prev
        span = p_end - p_start
        gap = int(cfg.pause_min_s * sr)
        u = rng.random()
        cut = None
        interrupt = u < cfg.p_interrupt and span > (cfg.interrupt_lead_s[0] + 0.5) * sr  # short turns are not
        if interrupt:
            lead = min(rng.uniform(*cfg.interrupt_lead_s) * sr, span - 0.5 * sr)
            start = max(int(p_end - lead), own_last_end + gap)
            cut = start + int(rng.uniform(*cfg.interrupt_tail_s) * sr)
        elif cfg.p_interrupt <= u < cfg.p_interrupt + cfg.p_overlap:
            start = max(int(p_end - min(rng.uniform(*cfg.overlap_s) * sr, span / 2)), own_last_end + gap)
        else:
            pause = min(cfg.pause_min_s + rng.exponential(cfg.pause_mean_s), cfg.pause_max_s)
            start = max(p_end + int(pause * sr), own_last_end + gap)
        if cut is not None and cut < p_end:
            for i, p in enumerate(pieces):
                if p.spk == p_spk and p.end > cut and p.start >= p_start:
                    pieces[i] = slice_piece(p, 0, cut - p.start, cfg) if p.start < cut else None
            pieces[:] = [p for p in pieces if p is not None]
        return start

    def _backchannel(self, rng, turn_spk, turn_start, turn_end, n, idents, gains, last_end):
        """Maybe a short fragment of a listener inside [turn_start, turn_end)."""
        cfg, sr = self.cfg, self.cfg.sample_rate
        if n < 2 or rng.random() >= cfg.p_backchannel:
            return None
        listener = int(rng.choice([k for k in range(n) if k != turn_spk]))
        length = int(rng.uniform(*cfg.backchannel_s) * sr)
        gap = int(cfg.pause_min_s * sr)
        lo = max(turn_start + int(0.3 * sr), last_end[listener] + gap)
        hi = turn_end - length
        if hi <= lo:
            return None
        u = self._utterance(rng, listener, idents[listener], gains[listener])
        o = int(u.spans[rng.integers(len(u.spans)), 0])  # from a word onset, cut after `length`
        p = slice_piece(u, o, o + length, cfg)
        if p is None:
            return None
        p.start = int(rng.integers(lo, hi)) + (p.start - o)
        return p

    def _timeline(self, rng, n, idents, gains, n_samples):
        cfg, sr = self.cfg, self.cfg.sample_rate
        pieces = []
        last_end = [-(10 ** 9)] * n       # per speaker: end of its latest piece
        order = [int(k) for k in rng.permutation(n)]  # everybody speaks once first
        prev = None                       # (spk, start, end) of the previous turn
        t = int(rng.uniform(*cfg.lead_silence_s) * sr)
        while True:
            first_round = len(order) > 0  # one utterance per turn until all were heard
            if first_round:
                spk = order.pop(0)
            else:
                others = [k for k in range(n) if k != prev[0]] or [prev[0]]
                spk = int(others[rng.integers(len(others))])
            turn = self._turn(rng, spk, idents[spk], gains[spk], first_round)
            start = t if prev is None else self._turn_start(rng, prev, last_end[spk], pieces)
            if prev is not None:  # the previous turn is final now: its end, its backchannel
                p_end = max([p.end for p in pieces if p.spk == prev[0] and p.start >= prev[1]], default=prev[2])
                last_end[prev[0]] = p_end
                bc = self._backchannel(rng, prev[0], prev[1], min(p_end, start - int(cfg.pause_min_s * sr)),
                                       n, idents, gains, last_end)
                if bc is not None:
                    pieces.append(bc)
                    last_end[bc.spk] = max(last_end[bc.spk], bc.end)
            if start >= n_samples:
                break
            for p in turn:
                p.start += start
            pieces.extend(turn)
            prev = (spk, start, turn[-1].end)
            last_end[spk] = turn[-1].end
        out = []  # the call ends at n_samples, mid-word if need be
        for p in pieces:
            if p.end > n_samples:
                p = slice_piece(p, 0, n_samples - p.start, cfg) if p.start < n_samples else None
            if p is not None:
                out.append(p)
        return out

    # -- 2.-4. sources, background, channel

    def _noise(self, rng, kind, n_samples, exclude):
        sr = self.cfg.sample_rate
        if kind in ('white', 'pink', 'brown'):
            period = fft.next_fast_len(min(n_samples, int(self.cfg.noise_loop_s * sr)), real=True)
            return np.resize(colored_noise(rng, period, {'white': 0, 'pink': 1, 'brown': 2}[kind], sr), n_samples)
        if kind == 'babble':
            others = [s for s in self.usable if s not in exclude]
            out = np.zeros(n_samples, np.float32)
            for _ in range(int(rng.integers(self.cfg.babble_talkers[0], self.cfg.babble_talkers[1] + 1))):
                ident, t = others[rng.integers(len(others))], -int(rng.integers(sr * 2))
                while t < n_samples:
                    x = self.corpus.utterance(int(rng.choice(self.utts[ident])))
                    x = x / (np.sqrt(np.mean(x ** 2)) + 1e-9)
                    a, b = max(t, 0), min(t + len(x), n_samples)
                    if b > a:
                        out[a:b] += x[a - t:b - t]
                    t += len(x) + int(rng.uniform(0.1, 0.8) * sr)
            return out
        clips = [i for i, k in enumerate(self.noise.kind) if k == kind]  # ambience, music
        x = self.noise.clip(clips[rng.integers(len(clips))])
        return x[(int(rng.integers(len(x))) + np.arange(n_samples)) % len(x)]  # looped

    def _noise_kinds(self, n_speakers):
        kinds = dict(self.cfg.noise_kinds)
        have = set(self.noise.kind) if self.noise is not None else set()
        for k in ('ambience', 'music'):
            if k not in have:
                kinds.pop(k, None)
        if len(self.usable) <= n_speakers:
            kinds.pop('babble', None)
        return kinds

    def _bandwidth(self, ident):
        if ident not in self.bandwidths:  # first three utterances: fixed, so deterministic
            x = np.concatenate([self.corpus.utterance(int(u)) for u in self.utts[ident][:3]])
            self.bandwidths[ident] = bandwidth_hz(x, self.cfg.sample_rate)
        return self.bandwidths[ident]

    def _channel(self, rng, x, idents, meta):
        cfg, sr = self.cfg, self.cfg.sample_rate
        bandpass = rng.random() < cfg.p_bandpass
        meta['bandpass'] = bool(bandpass)
        if rng.random() >= cfg.p_narrowband:
            meta['channel'] = 'wideband'
            # an 8 kHz recording next to a 16 kHz one would tell them apart: all get the narrowest band
            cutoff = min(self._bandwidth(i) for i in idents) if cfg.match_bandwidth else sr / 2
            if cutoff < 0.45 * sr:
                x = lowpass(x, sr, cutoff)
                meta['channel'] = f'wideband-{int(round(cutoff, -2))}Hz'
            return signal.sosfilt(self.bandpass_wide, x).astype(np.float32) if bandpass else x
        y = to_8k(x, sr)
        if bandpass:
            y = signal.sosfilt(self.bandpass_narrow, y).astype(np.float32)
        codec = _choice(rng, cfg.codec_probs)
        if codec == 'gsm' and not self.gsm_ok:
            codec = 'mulaw'  # no GSM in this libsndfile: the closest 8 kHz codec instead
        if codec == 'mulaw':
            y = mulaw_decode_float(mulaw_encode_float(y))
        elif codec == 'alaw':
            y = alaw_decode(alaw_encode(y))
        elif codec == 'gsm':
            y = gsm_roundtrip(y)
        meta['channel'] = f'narrowband-{codec}'
        return from_8k(y, sr, len(x))

    def _make(self, rng, n, n_samples, return_tracks):
        cfg, sr = self.cfg, self.cfg.sample_rate
        idents = self._draw_speakers(rng, n)
        gains = [rng.uniform(-1, 1) * cfg.speaker_gain_db for _ in range(n)]
        pieces = self._timeline(rng, n, idents, gains, n_samples)

        # labels in order of first appearance; a speaker with no speech left gets none
        segs = segments_of(pieces, n, int(cfg.merge_gap_s * sr))
        heard = sorted((s[0][0], k) for k, s in enumerate(segs) if s)
        label = {k: i for i, (_, k) in enumerate(heard)}
        segments = sorted((a / sr, b / sr, label[k]) for k, s in enumerate(segs) if s for a, b in s)
        meta = {'duration_s': n_samples / sr, 'rooms': []}

        tracks = np.zeros((len(heard), n_samples), np.float32)
        speech = np.zeros(n_samples, bool)
        for p in pieces:
            if p.spk in label:
                tracks[label[p.spk], p.start:p.end] += p.audio
                for a, b in p.spans:
                    speech[p.start + a:p.start + b] = True
        for i, (_, k) in enumerate(heard):
            if rng.random() < cfg.p_reverb:
                rt60, drr = rng.uniform(*cfg.rt60_s), rng.uniform(*cfg.drr_db)
                h = room_impulse_response(rng, rt60, drr, sr)
                tracks[i] = signal.oaconvolve(tracks[i], h)[:n_samples]
                meta['rooms'].append((i, round(rt60, 3), round(drr, 1)))
        mix = tracks.sum(0)
        speech_power = float(np.mean(mix[speech] ** 2)) if speech.any() else 1e-4

        kind = _choice(rng, self._noise_kinds(n)) if rng.random() < cfg.p_noise else None
        if kind is not None:
            noise = self._noise(rng, kind, n_samples, idents)
            snr = rng.uniform(*cfg.snr_db)
            mix = mix + noise * np.float32(np.sqrt(speech_power / 10 ** (snr / 10) / (np.mean(noise ** 2) + 1e-20)))
            meta.update(noise=kind, snr_db=round(snr, 1))

        gain = 10 ** (rng.uniform(*cfg.level_dbfs) / 20) / np.sqrt(speech_power + 1e-20)
        gain = min(gain, cfg.peak_max / (np.abs(mix).max() + 1e-9))  # the codecs must not clip
        audio = self._channel(rng, (mix * gain).astype(np.float32), [idents[k] for _, k in heard], meta)
        peak = np.abs(audio).max()
        if peak > cfg.peak_max:
            audio *= np.float32(cfg.peak_max / peak)
            gain *= cfg.peak_max / peak
        names = [self.names[idents[k]] for _, k in heard]
        return Call(audio.astype(np.float32), segments, names, sr, meta,
                    tracks * np.float32(gain) if return_tracks else None)


# -----------------------------------------------------------------------------
# RTTM


def write_rttm(path, file_id, segments, names=None):
    """segments: (start_s, end_s, label); the speaker column is names[label] (spaces
    become '_') or the label number when names is None."""
    with open(path, 'w') as f:
        for start, end, label in segments:
            who = str(label) if names is None else str(names[label]).replace(' ', '_')
            f.write(f'SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {who} <NA> <NA>\n')


def read_rttm(path):
    """{file_id: [(start_s, end_s, speaker), ...]} in file order."""
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 8 and w[0] == 'SPEAKER':
                start, dur = float(w[3]), float(w[4])
                out.setdefault(w[1], []).append((start, round(start + dur, 6), w[7]))
    return out


# -----------------------------------------------------------------------------
# command line


def _load(args, cfg):
    try:  # the project's loader when it is there; it gives the same interface
        from corpus import load_corpus, load_noise
    except ImportError:
        load_corpus, load_noise = NpzCorpus, NpzNoise
    corpus = load_corpus(args.corpus)
    noise = load_noise(args.noise) if args.noise else None
    return corpus, noise


def _config(overrides):
    cfg = SynthConfig()
    kinds = {f.name: f for f in fields(cfg)}
    for kv in overrides:
        k, v = kv.split('=', 1)
        old = getattr(cfg, k) if k in kinds else None
        if k not in kinds:
            raise SystemExit(f'unknown config field {k}')
        if isinstance(old, dict):
            val = json.loads(v)
        elif isinstance(old, tuple):
            val = tuple(type(old[0])(x) for x in v.split(','))
        else:
            val = type(old)(v)
        cfg = replace(cfg, **{k: val})
    return cfg


def _write_wav(path, audio, sr):
    from scipy.io import wavfile
    wavfile.write(path, sr, np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16))


def render(args, cfg):
    corpus, noise = _load(args, cfg)
    synth = CallSynth(corpus, cfg, noise)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'calls.jsonl'), 'w') as meta:
        for i in range(args.n):
            call = synth.make_call(np.random.default_rng([args.seed, i]), n_speakers=args.speakers,
                                   duration=args.duration)
            file_id = f'synth_{args.seed}_{i:04d}'
            _write_wav(os.path.join(args.out, file_id + '.wav'), call.audio, call.sample_rate)
            write_rttm(os.path.join(args.out, file_id + '.rttm'), file_id, call.segments, call.speaker_names)
            meta.write(json.dumps({'id': file_id, 'speakers': call.speaker_names, **call.meta}) + '\n')
            print(file_id, call.speaker_names, call.meta)


def bench(args, cfg):
    if args.corpus:
        corpus, noise = _load(args, cfg)
    else:
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), 'fake.npz')
        write_fake_corpus(path, n_speakers=8)
        corpus, noise = NpzCorpus(path), None
    print(f'GSM 06.10 via libsndfile: {"yes" if gsm_roundtrip(np.zeros(320, np.float32)) is not None else "NO"}')
    off = dict(p_reverb=0.0, p_noise=0.0, p_narrowband=0.0, p_bandpass=0.0, match_bandwidth=False)
    variants = [('default', {}), ('clean (no room/noise/channel)', off),
                ('+ room on every speaker', {**off, 'p_reverb': 1.0}),
                ('+ pink noise always', {**off, 'p_noise': 1.0, 'noise_kinds': {'pink': 1.0}}),
                ('+ narrowband mu-law', {**off, 'p_narrowband': 1.0, 'codec_probs': {'mulaw': 1.0}}),
                ('+ narrowband GSM', {**off, 'p_narrowband': 1.0, 'codec_probs': {'gsm': 1.0}})]
    for name, over in variants:
        synth = CallSynth(corpus, replace(cfg, **over), noise)
        for i in range(5):  # warm up: caches, first measurements of speakers' bandwidths
            synth.make_call(np.random.default_rng([args.seed, 10 ** 6 + i]), duration=args.duration)
        wall, cpu = [], []
        for i in range(args.n):
            rng = np.random.default_rng([args.seed, i])
            t0, c0 = time.perf_counter(), time.process_time()
            synth.make_call(rng, duration=args.duration)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)  # what the call costs when the machine is busy
        t = np.array(wall) * 1000
        print(f'{name:32s} {args.duration:.0f} s calls: mean {t.mean():6.1f} ms  median {np.median(t):6.1f}'
              f'  p90 {np.percentile(t, 90):6.1f}  cpu mean {np.mean(cpu) * 1000:6.1f} ms  ({args.n} calls)')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('render', help='write <id>.wav + <id>.rttm for listening and tests')
    r.add_argument('--corpus', required=True)
    r.add_argument('--noise')
    r.add_argument('--n', type=int, default=5)
    r.add_argument('--speakers', type=int, default=None, help='fixed speaker count (default: drawn)')
    r.add_argument('--duration', type=float, default=None, help='seconds (default: drawn)')
    r.add_argument('--seed', type=int, default=1)
    r.add_argument('--out', required=True)
    b = sub.add_parser('bench', help='synthesis speed, per feature')
    b.add_argument('--corpus', help='default: a fake tone corpus')
    b.add_argument('--noise')
    b.add_argument('--n', type=int, default=40)
    b.add_argument('--duration', type=float, default=30.0)
    b.add_argument('--seed', type=int, default=0)
    for p in (r, b):
        p.add_argument('--set', action='append', default=[], metavar='FIELD=VALUE',
                       help='override a SynthConfig field (tuples comma separated, dicts as JSON)')
    args = ap.parse_args()
    cfg = _config(args.set)
    render(args, cfg) if args.cmd == 'render' else bench(args, cfg)


if __name__ == '__main__':
    main()
