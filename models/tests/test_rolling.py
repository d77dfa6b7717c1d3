"""Tests for models/rolling.py with a fake model that knows voices by their amplitude."""

import numpy as np

from model import ModelConfig
from prompts import ChunkOutput, StreamingDiarizer
from rolling import chunk_aligned_probabilities, diarize_rolling, flips, streamed_speech

cfg = ModelConfig()
SR = cfg.sample_rate
LEVELS = [0.1, 0.3]
TURNS = [(0.0, 3.0, 0), (3.5, 9.0, 1), (9.5, 12.0, 0), (12.0, 16.5, 1), (17.0, 20.0, 0)]


def call_audio():
    audio = np.zeros(int(20 * SR), np.float32)
    for s, e, v in TURNS:
        audio[int(s * SR): int(e * SR)] = LEVELS[v]
    return audio


def fake_model(inputs, n_prompted):
    """Prompted voices keep their slot's label; new ones are labelled in order of appearance."""
    off = cfg.prompt_slots * cfg.slot_samples
    outs = []
    for x, npr in zip(inputs, n_prompted):
        local = {round(float(x[i * cfg.slot_samples + 100]), 2): i for i in range(npr)}
        chunk, segs, prev, start = x[off:], [], 0.0, 0
        for t in range(0, len(chunk) + 1, SR // 10):
            lvl = round(float(chunk[t]), 2) if t < len(chunk) else 0.0
            if lvl != prev:
                if prev != 0.0:
                    segs.append((start / SR, t / SR, local.setdefault(prev, len(local)), 0.9))
                prev, start = lvl, t
        outs.append(ChunkOutput(segs))
    return outs


def test_provisional_windows_leave_the_final_stream_as_it_was():
    sd = StreamingDiarizer(cfg, fake_model)
    final, _ = diarize_rolling(sd, call_audio(), hop=1.0)
    assert final == sd.diarize_many([call_audio()])[0]


def test_provisional_labels_cover_the_newest_hop_and_agree_with_the_final_ones():
    sd = StreamingDiarizer(cfg, fake_model)
    final, provisional = diarize_rolling(sd, call_audio(), hop=1.0)
    for s, e, _ in provisional:             # each inside one hop, never past a final chunk's end
        assert int(s + 1e-6) == int(e - 1e-6) and e - s <= 1.0 + 1e-6
    assert abs(sum(e - s for s, e, _ in provisional) - sum(e - s for s, e, _ in TURNS)) < 0.3
    voice_label = {v: {lab for s, e, lab in provisional if ts <= s and e <= te} for ts, te, v in TURNS}
    assert voice_label == {0: {0}, 1: {1}}
    both, differ = flips(final, provisional, 20.0)
    assert both > 10.0 and differ == 0.0


def test_flips_counts_the_time_labels_differ():
    both, differ = flips([(0.0, 2.0, 0, 0.9)], [(1.0, 3.0, 1)], 4.0)
    assert (round(both, 2), round(differ, 2)) == (1.0, 1.0)


def test_a_windows_speech_comes_from_the_calls_vad_stream_at_its_own_offset():
    probs = np.zeros(100, np.float32)
    probs[10:40] = 0.9                      # VAD windows 10..39 of the call: 0.32 s to 1.28 s
    w0 = 1000                               # the window starts between two VAD windows
    (a, b), = streamed_speech(cfg, probs, w0, w0 + 2 * SR)
    assert abs(a - ((10 * 512 - w0) / SR - cfg.vad_pad)) < 1e-6
    assert abs(b - ((40 * 512 - w0) / SR + cfg.vad_pad)) < 1e-6
    assert streamed_speech(cfg, None, w0, w0 + SR) is None


def test_the_live_vad_stream_starts_afresh_at_every_chunk():
    heard = []

    class FakeVad:
        def probabilities(self, audio, rate):
            heard.append(len(audio))
            return np.full((1, len(audio) // 512), len(heard), np.float32)

    c = cfg.chunk_samples
    probs = chunk_aligned_probabilities(FakeVad(), cfg, np.zeros(2 * c + c // 2, np.float32))
    assert heard == [c, c, c // 2]
    assert len(probs) == (2 * c + c // 2) // 512
    assert probs[c // 512 - 1] == 1 and probs[c // 512] == 2 and probs[-1] == 3


def test_windows_through_the_window_graph_see_the_newest_seconds_and_agree():
    seen = []

    def fake_windows(inputs, speech):
        seen.extend(len(x) for x in inputs)
        n_prompted = [sum(x[i * cfg.slot_samples + 100] != 0 for i in range(cfg.prompt_slots)) for x in inputs]
        return [ChunkOutput(o.segments, None, sp) for o, sp in zip(fake_model(inputs, n_prompted), speech)]

    sd = StreamingDiarizer(cfg, fake_model)
    final, provisional = diarize_rolling(sd, call_audio(), hop=1.0, run_windows=fake_windows)
    assert seen and set(seen) == {cfg.window_input_samples}
    assert final == sd.diarize_many([call_audio()])[0]
    # from the second chunk on, the prompts tell the voices apart; in the first, a short
    # window that hears only the second voice can only call it by order of appearance
    # (the fake model has no embeddings)
    later = [s for s in provisional if s[0] >= cfg.chunk_seconds]
    both, differ = flips([s for s in final if s[1] > cfg.chunk_seconds], later, 20.0)
    assert both > 5.0 and differ == 0.0
    _, early = flips(final, [s for s in provisional if s[0] < cfg.chunk_seconds], 20.0)
    assert early > 0.0
