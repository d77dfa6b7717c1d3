"""Speech activity from Silero VAD (a pretrained ONNX model; see models/MODEL_CARD.md).

The diarization model hears speech in digital silence, hum and tones: it was only ever
trained on synthetic calls. Silero VAD was trained on real recordings of many kinds, so
its frames decide where speech is, and the model's segments only say who speaks there
(`gate`). The Java twin is `io.streamdrz.inference.SpeechGate`; both run the same file
through ONNX Runtime, chunk by chunk with a fresh state, so a chunk's speech depends on
that chunk alone (the same in streaming and offline use).
"""
from dataclasses import dataclass

import numpy as np

WINDOWS = {16000: (512, 64), 8000: (256, 32)}    # sample rate: (window, context) samples


class SileroVad:
    """Frame-wise speech probability of 8 or 16 kHz mono audio, many signals at once."""

    def __init__(self, path, threads=1):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3        # the exported graph carries unused initializers
        self.session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

    def probabilities(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """audio (B, N) float32 -> (B, N // window) speech probabilities, one per window
        of 32 ms; the state starts fresh for each row."""
        window, context = WINDOWS[sample_rate]
        audio = np.atleast_2d(audio).astype(np.float32)
        B, n = audio.shape[0], audio.shape[1] // window
        state = np.zeros((2, B, 128), dtype=np.float32)
        ctx = np.zeros((B, context), dtype=np.float32)
        sr = np.array(sample_rate, dtype=np.int64)
        out = np.zeros((B, n), dtype=np.float32)
        for k in range(n):
            x = np.concatenate([ctx, audio[:, k * window:(k + 1) * window]], axis=1)
            p, state = self.session.run(None, {"input": x, "state": state, "sr": sr})
            out[:, k] = p[:, 0]
            ctx = x[:, -context:]
        return out


@dataclass
class ChunkSpeech:
    """A chunk's speech as the VAD hears it, in chunk seconds. `sure`: where speech
    certainly is (Silero's own thresholds); what the model misses there is filled, and a
    model segment must reach it. `possible`: where speech may be (a far lower
    threshold); a model segment stays only if it lies mostly there. Why two: the VAD
    misses much band-limited, coded or distant speech that the model hears rightly, but
    digital silence, hum and tones stay below both."""
    sure: list
    possible: list


def chunk_speech(probs, window_seconds, cfg) -> ChunkSpeech:
    return ChunkSpeech(speech_regions(probs, window_seconds, cfg.vad_threshold, cfg.vad_neg_threshold, cfg),
                       speech_regions(probs, window_seconds, cfg.vad_keep_threshold, cfg.vad_keep_neg_threshold, cfg))


def speech_regions(probs, window_seconds, threshold, neg_threshold, cfg):
    """Probabilities of consecutive windows -> [(start, end)] seconds of speech, with the
    hysteresis of Silero's own recipe: speech starts at a window of p >= threshold and
    ends where a run of p < neg_threshold lasting cfg.vad_min_silence begins; shorter than
    cfg.vad_min_speech is not speech; regions are padded by cfg.vad_pad within the signal."""
    regions, start, below = [], None, None
    for k, p in enumerate(probs):
        t = k * window_seconds
        if start is None:
            if p >= threshold:
                start, below = t, None
        elif p < neg_threshold:
            below = t if below is None else below
            if t + window_seconds - below >= cfg.vad_min_silence:
                regions.append((start, below))
                start, below = None, None
        else:
            below = None
    if start is not None:
        regions.append((start, len(probs) * window_seconds))
    end = len(probs) * window_seconds
    return [(max(0.0, a - cfg.vad_pad), min(end, b + cfg.vad_pad)) for a, b in regions if b - a >= cfg.vad_min_speech]


def gate(segments, speech: ChunkSpeech, keep_fraction):
    """The segments ((start, end, label, ...)) of which at least `keep_fraction` of the
    time is possible speech and that touch sure speech, whole and in their order. Why
    whole: the VAD's regions break at short pauses that a speaker's turn (and a reference)
    runs through. Why both: a segment mostly outside possible speech is the model hearing
    speech in silence, hum or tones, and one that never reaches sure speech is most often
    music."""
    out = []
    for seg in segments:
        s, e = seg[0], seg[1]
        inside = sum(max(0.0, min(e, b) - max(s, a)) for a, b in speech.possible)
        touches = any(min(e, b) > max(s, a) for a, b in speech.sure)
        if e > s and inside >= keep_fraction * (e - s) and touches:
            out.append(seg)
    return out


def file_sha256(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    """Per identity of a corpus, the share of 32 ms windows of its first utterances that
    the VAD finds possibly speech (p >= the keep threshold): where the gate would drop
    a speaker's speech."""
    import argparse
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from corpus import load_corpus
    from model import ModelConfig
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--corpus", default="models/cache/corpus_test.npz")
    ap.add_argument("--vad", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "silero_vad.onnx"))
    ap.add_argument("--utterances", type=int, default=15)
    a = ap.parse_args()
    vad, corpus, keep = SileroVad(a.vad), load_corpus(a.corpus), ModelConfig().vad_keep_threshold
    for k, name in enumerate(corpus.speaker_name):
        shares = [float((vad.probabilities(corpus.utterance(int(u))[None], 16000)[0] >= keep).mean())
                  for u in corpus.speaker_utts[k][:a.utterances]]
        print(f"{name:28s} {corpus.speaker_kind[k]:5s} {100 * np.mean(shares):5.1f} %")


if __name__ == "__main__":
    main()
