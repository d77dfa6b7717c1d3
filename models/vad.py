"""Speech activity from Silero VAD (a pretrained ONNX model; see models/MODEL_CARD.md).

The diarization model hears speech in digital silence, hum and tones: it was only ever
trained on synthetic calls. Silero VAD was trained on real recordings of many kinds, so
its frames decide where speech is, and the model's segments only say who speaks there
(`gate`). The Java twin is `io.streamdrz.recipe.SpeechGate`; both run the same file
through ONNX Runtime, chunk by chunk with a fresh state, so a chunk's speech depends on
that chunk alone (the same in streaming and offline use). Silero hears the keys of a
phone's keypad (DTMF) as speech now and then, so windows that are such a tone, and the
few after them while its state still rings, count as no speech (`tone_windows`).
"""
import os

import numpy as np

WINDOWS = {16000: (512, 64), 8000: (256, 32)}    # sample rate: (window, context) samples
SHIPPED_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shipped", "silero_vad.onnx")

# A keypad tone (DTMF) is one row and one column frequency sounding at once.
DTMF_ROWS_HZ = (697.0, 770.0, 852.0, 941.0)
DTMF_COLUMNS_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
TONE_BAND_HZ = 50.0         # a key's band: its frequency's +-1.5 % tolerance and the window's main lobe
TONE_SHARE = 0.9            # of a window's energy in one row band and one column band: a tone (at 0.8
                            # a test voice whose 3rd and 5th harmonics fall in such bands passed)
TONE_WEAKER_SHARE = 0.1     # and the weaker of the two holds at least this: a key sounds both
TONE_FLOOR_HZ = 250.0       # the energy counted is above this: mains hum and its harmonics are not
TONE_SHADOW = 6             # windows after a tone that count as no speech too: Silero's state rings on


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
        of 32 ms; the state starts fresh for each row; keypad tones are no speech."""
        return without_tones(self.silero_probabilities(audio, sample_rate), tone_windows(audio, sample_rate))

    def silero_probabilities(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """What Silero itself says of each window, keypad tones included."""
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


def tone_windows(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """audio (B, N) -> (B, N // window) bool: the VAD windows that are a keypad tone, with
    at least TONE_SHARE of their (Hann-windowed) energy above TONE_FLOOR_HZ in the band of
    one row and one column frequency, and TONE_WEAKER_SHARE in the weaker. Why so narrow
    a test: on the real speech of the AMI excerpts and the Fish Fillets and telephone
    dialogues no speech window passes it, while Silero takes a key press for speech now
    and then, most of all over mains hum (`models/tone_eval.py`). Why above a floor: hum
    under the keys would otherwise hold half a window's energy. The Java twin is
    `io.streamdrz.inference.KeypadTones`."""
    window = WINDOWS[sample_rate][0]
    x = np.atleast_2d(audio).astype(np.float64)
    n = x.shape[1] // window
    frames = x[:, :n * window].reshape(x.shape[0], n, window) * np.hanning(window)
    low = [k for k in range(window // 2 + 1) if k * sample_rate / window < TONE_FLOOR_HZ]
    spectrum = _dft(frames, low + [0, window // 2])
    # Parseval, one-sided: (W * sum x^2 + |X_0|^2 + |X_W/2|^2) / 2, less the bins under the floor
    total = (window * (frames ** 2).sum(-1) + spectrum[..., -2] + spectrum[..., -1]) / 2 - spectrum[..., :len(low)].sum(-1)
    row = np.max([_band_energy(frames, hz, sample_rate) for hz in DTMF_ROWS_HZ], axis=0)
    col = np.max([_band_energy(frames, hz, sample_rate) for hz in DTMF_COLUMNS_HZ], axis=0)
    return (total > 0) & (row + col >= TONE_SHARE * total) & (np.minimum(row, col) >= TONE_WEAKER_SHARE * total)


def _dft(frames, bins):
    """|X_k|^2 of `frames` (..., window) at each of the DFT bins `bins`."""
    basis = np.exp(-2j * np.pi * np.outer(bins, np.arange(frames.shape[-1])) / frames.shape[-1])
    return np.abs(frames @ basis.T) ** 2


def _band_energy(frames, hz, sample_rate):
    """The energy of the DFT bins of `frames` (..., window) within TONE_BAND_HZ of hz."""
    window = frames.shape[-1]
    return _dft(frames, [k for k in range(window // 2 + 1) if abs(k * sample_rate / window - hz) <= TONE_BAND_HZ]).sum(-1)


def without_tones(probs: np.ndarray, tones: np.ndarray) -> np.ndarray:
    """probs (B, n) with each tone window and the TONE_SHADOW windows after it set to 0."""
    quiet = tones[:, :probs.shape[1]].copy()
    for k in range(1, TONE_SHADOW + 1):
        quiet[:, k:] |= tones[:, :probs.shape[1] - k]
    return np.where(quiet, np.float32(0), probs).astype(np.float32)


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

