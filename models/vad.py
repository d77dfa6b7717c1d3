"""Speech activity from Silero VAD (a pretrained ONNX model; see models/MODEL_CARD.md).

The diarization model hears speech in digital silence, hum and tones: it was only ever
trained on synthetic calls. Silero VAD was trained on real recordings of many kinds, so
its frames decide where speech is, and the model's segments only say who speaks there
(`gate`). The Java twin is `io.streamdrz.recipe.SpeechGate`; both run the same file
through ONNX Runtime, chunk by chunk with a fresh state, so a chunk's speech depends on
that chunk alone (the same in streaming and offline use).
"""
import os

import numpy as np

WINDOWS = {16000: (512, 64), 8000: (256, 32)}    # sample rate: (window, context) samples
SHIPPED_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shipped", "silero_vad.onnx")


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


def inputs_speech(vad, inputs, cfg):
    """Per fixed-layout model input (prompt slots, then the chunk), the VAD's speech
    regions of its chunk at the contract's thresholds: what both engines gate with."""
    window = WINDOWS[cfg.sample_rate][0]
    probs = vad.probabilities(inputs[:, cfg.prompt_slots * cfg.slot_samples:], cfg.sample_rate)
    return [chunk_speech(p, window / cfg.sample_rate, cfg) for p in probs]


def chunk_speech(probs, window_seconds, cfg):
    """A chunk's speech regions at the contract's thresholds (cfg: ModelConfig)."""
    return speech_regions(probs, window_seconds, cfg.vad_threshold, cfg.vad_neg_threshold, cfg)


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


def gate(segments, regions):
    """The segments ((start, end, label, ...)) that overlap a speech region, whole and in
    their order. Why whole: the VAD's regions break at short pauses that a speaker's
    turn (and a reference) runs through. Why at all: a segment that reaches no speech is
    the model hearing speech in silence, noise, hum, tones or music."""
    return [seg for seg in segments if any(min(seg[1], b) > max(seg[0], a) for a, b in regions)]


def file_sha256(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


_VADS = {}


def with_vad(feats, audio, cfg, path=None):
    """feats (B, T, n_mels) of audio (B, N) with, for a model that takes it (cfg.vad_input),
    a last column of Silero's speech probability of each mel frame: the window holding the
    frame's first sample, the whole input row run with one fresh state."""
    if not cfg.vad_input:
        return feats
    import torch
    path = path or SHIPPED_FILE
    if path not in _VADS:
        _VADS[path] = SileroVad(path)
    probs = _VADS[path].probabilities(audio.detach().float().cpu().numpy(), cfg.sample_rate)      # (B, n)
    window = WINDOWS[cfg.sample_rate][0]
    at = np.minimum(np.arange(feats.shape[1]) * cfg.hop_length // window, probs.shape[1] - 1)
    col = torch.from_numpy(probs[:, at]).to(feats.device, feats.dtype)
    return torch.cat([feats, col[..., None]], dim=-1)


def main():
    """Per identity of a corpus, the share of 32 ms windows of its first utterances that
    the VAD finds speech (p >= the contract's threshold): how well it hears that voice."""
    import argparse
    from corpus import load_corpus
    from model import ModelConfig
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--corpus", default="models/cache/corpus_test.npz")
    ap.add_argument("--vad", default=SHIPPED_FILE)
    ap.add_argument("--utterances", type=int, default=15)
    a = ap.parse_args()
    vad, corpus, threshold = SileroVad(a.vad), load_corpus(a.corpus), ModelConfig().vad_threshold
    for k, name in enumerate(corpus.speaker_name):
        shares = [float((vad.probabilities(corpus.utterance(int(u))[None], 16000)[0] >= threshold).mean())
                  for u in corpus.speaker_utts[k][:a.utterances]]
        print(f"{name:28s} {corpus.speaker_kind[k]:5s} {100 * np.mean(shares):5.1f} %")


if __name__ == "__main__":
    main()

