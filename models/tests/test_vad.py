"""The speech gate: Silero VAD regions, the gate and the fill, and the shipped model on
audio that holds no speech (digital silence, low-level noise, mains hum, DTMF, music)."""
import os

import numpy as np
import pytest

from model import ModelConfig
from vad import speech_regions, gate, tone_windows, without_tones, TONE_SHADOW, DTMF_ROWS_HZ, DTMF_COLUMNS_HZ
from prompts import StreamingDiarizer, fill_speech, uncovered

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SR = 16000


def test_regions_follow_the_hysteresis():
    cfg = ModelConfig()
    w = 0.032
    p = [0.0] * 10 + [0.9] * 20 + [0.4] * 5 + [0.9] * 10 + [0.0] * 10 + [0.6] * 3 + [0.0] * 10
    r = speech_regions(p, w, cfg.vad_threshold, cfg.vad_neg_threshold, cfg)
    # 0.4 stays above the end threshold (0.35): one region over the dip; the 3-window burst is too short
    assert len(r) == 1
    assert r[0][0] == pytest.approx(10 * w - cfg.vad_pad)
    assert r[0][1] == pytest.approx(45 * w + cfg.vad_pad)
    assert speech_regions([0.2] * 50, w, cfg.vad_threshold, cfg.vad_neg_threshold, cfg) == []
    assert len(speech_regions([0.2] * 50, w, 0.1, 0.05, cfg)) == 1


def test_gate_keeps_segments_that_reach_speech_whole():
    segs = [(0.0, 4.0, 0, 0.9), (5.0, 5.5, 1, 0.9), (6.5, 8.0, 1, 0.9), (8.0, 9.0, 2, 0.9)]
    assert gate(segs, [(1.0, 2.0), (6.8, 6.9), (9.0, 9.5)]) == [(0.0, 4.0, 0, 0.9), (6.5, 8.0, 1, 0.9)]
    assert gate(segs, []) == []


def test_uncovered_parts():
    assert uncovered([(0.0, 3.0)], [(0.5, 1.0, 0), (2.0, 4.0, 1)]) == [(0.0, 0.5), (1.0, 2.0)]


def test_fill_gives_uncovered_speech_to_the_closest_voice():
    cfg = ModelConfig()
    n = cfg.n_enc
    emb = np.zeros((n, cfg.spk_dim), np.float32)
    a, b = np.eye(cfg.spk_dim)[0], np.eye(cfg.spk_dim)[1]
    t = (np.arange(n - cfg.chunk_enc_start) + 0.5) * cfg.enc_frame_seconds
    chunk = emb[cfg.chunk_enc_start:]
    chunk[t < 4.0] = a
    chunk[t >= 4.0] = b
    segs = [(0.0, 2.0, 0, 0.9), (5.0, 7.0, 1, 0.9)]
    out = fill_speech(cfg, segs, [(0.0, 8.0)], [], emb)
    filled = [s for s in out if s[3] == 0.0]
    assert [(s[0], s[1]) for s in filled] == [(2.0, 5.0), (7.0, 8.0)]
    assert [s[2] for s in filled] == [0, 1]        # the gap in voice a's time is a's, the tail b's
    assert fill_speech(cfg, segs, [(0.0, 8.0)], [], None) == segs



def at_level(x, db):
    return (x / np.sqrt(np.mean(x ** 2)) * 10 ** (db / 20)).astype(np.float32)


def piano(seconds, rng):
    """Hold music as a phone system plays it: notes with overtones and a fifth below, each
    decaying, a new one every quarter to three quarters of a second."""
    n = int(seconds * SR)
    out = np.zeros(n)
    notes = [261.6, 293.7, 329.6, 349.2, 392.0, 440.0, 493.9, 523.3]
    t = 0.0
    while t < seconds:
        d, f = rng.choice([0.25, 0.5, 0.75]), notes[rng.integers(len(notes))]
        k = np.arange(int(min(2 * d, seconds - t) * SR))
        tone = sum(np.sin(2 * np.pi * f * h * k / SR) / h ** 1.5 for h in range(1, 6))
        chord = 0.3 * sum(np.sin(2 * np.pi * f / 2 * r * k / SR) for r in (1, 1.25, 1.5))
        a = int(t * SR)
        out[a:a + len(k)] += (tone + chord) * np.exp(-3.0 * k / SR)
        t += d
    return out


def key_presses_over_hum(seconds, rate):
    """Keys at -20 dBFS over mains hum at -30, made at `rate` and heard at 16 kHz: Silero
    alone takes some of them for speech."""
    from realsets import to_16k
    from tone_eval import key_presses, FLOORS
    return to_16k(key_presses(seconds, rate, -20, FLOORS["hum -30"], seed=3), rate)


def non_speech(seconds, seed=7):
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    keys = (t // 0.2) % 4
    dtmf = np.where(t % 0.2 < 0.1, np.sin(2 * np.pi * 697 * t) + np.sin(2 * np.pi * (1209 + 127 * keys) * t), 0.0)
    return {
        "digital silence": np.zeros(n, np.float32),
        "white noise -60 dBFS": at_level(rng.standard_normal(n), -60),
        "white noise -45 dBFS": at_level(rng.standard_normal(n), -45),
        "mains hum 50 Hz -30 dBFS": at_level(sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 8)), -30),
        "DTMF tones -20 dBFS": at_level(dtmf, -20),
        "keys over hum, 8 kHz": key_presses_over_hum(seconds, 8000),
        "keys over hum, 16 kHz": key_presses_over_hum(seconds, 16000),
        "hold music (piano) -25 dBFS": at_level(piano(seconds, rng), -25),
    }


@pytest.fixture(scope="module")
def model():
    from export import OnnxDiarizer
    prefix = os.path.join(ROOT, "models", "shipped", "streamdrz")
    if not os.path.exists(prefix + "-encoder.onnx"):
        pytest.skip("no exported model")
    return OnnxDiarizer(prefix, threads=2)


def test_no_speech_is_heard_in_silence_noise_hum_tones_and_music(model):
    assert model.vad is not None, "the shipped model has no speech gate"
    signals = non_speech(40.0)
    out = StreamingDiarizer(model.cfg, model.run_chunks).diarize_many(list(signals.values()))
    heard = {name: round(sum(e - s for s, e, *_ in segs), 2) for name, segs in zip(signals, out) if segs}
    assert heard == {}


def test_speech_is_still_heard(model):
    import soundfile as sf
    audio, sr = sf.read(os.path.join(ROOT, "streams-app/src/test/resources/model-fixtures/call-0.wav"), dtype="float32")
    assert sr == SR
    segs = StreamingDiarizer(model.cfg, model.run_chunks).diarize_many([audio])[0]
    assert sum(e - s for s, e, *_ in segs) > 0.3 * len(audio) / SR


@pytest.mark.parametrize("rate", [8000, 16000])
def test_every_key_is_a_tone_alone_and_over_hum(rate):
    window = 256 if rate == 8000 else 512
    t = np.arange(int(0.3 * rate)) / rate
    hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 8))
    for row in DTMF_ROWS_HZ:
        for col in DTMF_COLUMNS_HZ:
            key = np.sin(2 * np.pi * row * t) + 0.7 * np.sin(2 * np.pi * col * t)
            for audio in (at_level(key, -20), at_level(key, -30) + at_level(hum, -30)):
                assert tone_windows(audio[None], rate)[0].all(), (row, col)
    assert not tone_windows(at_level(hum, -30)[None], rate).any()
    one = at_level(np.sin(2 * np.pi * DTMF_ROWS_HZ[0] * t), -20)      # a row alone is no key
    assert not tone_windows(one[None], rate).any()
    assert len(tone_windows(np.zeros((1, 3 * window + 5)), rate)[0]) == 3


def test_speech_has_no_tone_windows():
    import soundfile as sf
    audio, _ = sf.read(os.path.join(ROOT, "streams-app/src/test/resources/model-fixtures/call-0.wav"), dtype="float32")
    assert not tone_windows(audio[None], SR).any()


def test_a_tone_and_its_shadow_are_no_speech():
    tones = np.zeros((2, 20), bool)
    tones[0, 3] = tones[0, 4] = True
    out = without_tones(np.full((2, 20), 0.9, np.float32), tones)
    assert (out[0, 3:5 + TONE_SHADOW] == 0).all()
    assert (out[0, :3] == np.float32(0.9)).all() and (out[0, 5 + TONE_SHADOW:] == np.float32(0.9)).all()
    assert (out[1] == np.float32(0.9)).all()


def test_fill_stops_at_the_end_of_a_short_call():
    """The VAD runs on the zero-padded chunk, so its last region can reach past the audio."""
    from prompts import ChunkOutput
    cfg = ModelConfig()

    def run_chunks(inputs, n_prompted):
        emb = np.zeros((len(inputs), cfg.n_enc, cfg.spk_dim), np.float32)
        emb[:, :, 0] = 1.0
        return [ChunkOutput([], emb[b], [(0.0, 0.35)]) for b in range(len(inputs))]

    segs = StreamingDiarizer(cfg, run_chunks).diarize_many([np.zeros(int(0.3 * SR), np.float32)])[0]
    assert [(s, e) for s, e, *_ in segs] == [(0.0, 0.3)]


@pytest.mark.parametrize("rate", [8000, 16000])
def test_vad_hears_a_call_and_not_silence_at_both_rates(rate):
    import soundfile as sf
    from scipy.signal import resample_poly
    from vad import SileroVad
    vad = SileroVad(os.path.join(ROOT, "models", "shipped", "silero_vad.onnx"))
    audio, _ = sf.read(os.path.join(ROOT, "streams-app/src/test/resources/model-fixtures/call-0.wav"), dtype="float32")
    audio = resample_poly(audio, rate, SR).astype(np.float32)
    p = vad.probabilities(np.stack([audio, np.zeros_like(audio)]), rate)
    assert p.shape[1] == len(audio) // (rate // 1000 * 32)
    assert (p[0] >= 0.5).mean() > 0.3
    assert p[1].max() < 0.1


def test_vad_input_column_and_a_fork_that_starts_where_its_parent_was():
    """--vad_input: the VAD's probability is the features' last column, one value per mel
    frame, and a model given the input starts out encoding as the weights it was made from."""
    import dataclasses
    import soundfile as sf
    import torch
    from model import Diarizer
    from vad import with_vad
    cfg = ModelConfig(enc_layers=1, dec_layers=1, d_model=64)
    vcfg = dataclasses.replace(cfg, vad_input=1)
    audio, _ = sf.read(os.path.join(ROOT, "streams-app/src/test/resources/model-fixtures/call-0.wav"), dtype="float32")
    x = np.zeros((2, cfg.input_samples), np.float32)
    n = min(len(audio), cfg.chunk_samples)
    x[0, -cfg.chunk_samples:][:n] = audio[:n]
    x = torch.from_numpy(x)
    plain = Diarizer(cfg).eval()
    feats = plain.frontend(x)
    assert with_vad(feats, x, cfg) is feats
    both = with_vad(feats, x, vcfg)
    assert both.shape == (2, feats.shape[1], cfg.n_mels + 1)
    col = both[..., -1].numpy()
    chunk = slice(cfg.prompt_samples // cfg.hop_length, None)
    assert (col[0, chunk] >= 0.5).mean() > 0.3 and col[1].max() < 0.1
    fork = Diarizer(vcfg).eval()
    assert fork.load_state_dict(plain.state_dict(), strict=False).missing_keys == ["encoder.vad.weight"]
    with torch.no_grad():
        assert torch.equal(fork.encode(both)[0], plain.encode(feats)[0])
        with pytest.raises(ValueError, match="with_vad"):
            fork.encode(feats)
        fork.encoder.vad.weight.fill_(0.1)
        assert not torch.allclose(fork.encode(both)[0], plain.encode(feats)[0])
