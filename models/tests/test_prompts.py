"""Prompt layout, label order of training examples, and the streaming stitcher."""
from dataclasses import dataclass

import numpy as np

from model import ModelConfig
from prompts import (clean_regions, training_example, StreamingDiarizer, build_input, ChunkOutput,
                     ChunkVoices, CallState)

cfg = ModelConfig()


@dataclass
class FakeCall:
    audio: np.ndarray
    segments: list


def test_clean_regions_exclude_overlap():
    segs = [(0.0, 4.0, 0), (3.0, 5.0, 1), (1.0, 1.5, 1)]
    assert clean_regions(segs, 0, 0.0, 10.0) == [(0.0, 1.0), (1.5, 3.0)]
    assert clean_regions(segs, 1, 0.0, 10.0) == [(4.0, 5.0)]
    assert clean_regions(segs, 0, 0.0, 2.0) == [(0.0, 1.0), (1.5, 2.0)]


def test_build_input_places_prompts_in_slots():
    p0, p1 = np.ones(100, np.float32), np.full(50000, 2.0, np.float32)
    chunk = np.full(cfg.chunk_samples + 10, 3.0, np.float32)
    x = build_input(cfg, chunk, [p0, p1])
    assert x.shape == (cfg.input_samples,)
    assert (x[:100] == 1).all() and (x[100: cfg.slot_samples] == 0).all()
    s1 = cfg.slot_samples
    assert (x[s1: s1 + cfg.prompt_samples] == 2).all() and (x[s1 + cfg.prompt_samples: 2 * s1] == 0).all()
    assert (x[3 * s1:] == 3).all()


def test_training_example_labels_prompted_speakers_first():
    sr = cfg.sample_rate
    segs = [(0.0, 3.0, 0), (3.0, 6.0, 1), (8.0, 9.0, 1), (9.5, 11.0, 0), (12.0, 13.0, 2), (15.0, 19.0, 1)]
    audio = np.zeros(20 * sr, np.float32)
    for s, e, lab in segs:
        audio[int(s * sr): int(e * sr)] = 0.1 * (lab + 1)
    call = FakeCall(audio, segs)
    n_prompted_seen = set()
    for seed in range(60):
        ex = training_example(cfg, call, np.random.default_rng(seed), p_no_prompt=0.0, p_drop=0.0)
        n_prompted_seen.add(ex.n_prompted)
        assert ex.prompted == sorted(ex.prompted)
        for i, lab in enumerate(ex.prompted):     # slot i holds speaker ex.prompted[i]
            assert np.isclose(ex.audio[i * cfg.slot_samples + 10], 0.1 * (lab + 1))
        # expected chunk-local labels: prompted slot, then order of first appearance
        local = {lab: i for i, lab in enumerate(ex.prompted)}
        c0 = ex.chunk_start
        expect = []
        for s, e, lab in sorted(segs):
            s, e = max(s, c0) - c0, min(e, c0 + cfg.chunk_seconds) - c0
            if e - s >= 0.05:
                local.setdefault(lab, len(local))
                expect.append((s, e, local[lab]))
        assert [l for *_, l in ex.segments] == [l for *_, l in expect]
        assert ex.tokens == cfg.tokens.encode(expect)
        assert ex.activity.shape == (cfg.n_enc - cfg.chunk_enc_start, cfg.max_speakers)
    assert {0, 2} <= n_prompted_seen


def test_streaming_diarizer_keeps_labels_across_chunks_via_prompts():
    """A fake model that recognises speakers by amplitude, labels prompted voices by
    their slot, and new voices in order of appearance: the stitched output must use
    one call label per voice for the whole call and merge across chunk boundaries."""
    sr, C = cfg.sample_rate, cfg.chunk_seconds
    level_of_voice = [0.1, 0.3]
    turns = [(0.0, 3.0, 0), (3.5, 9.0, 1), (9.5, 12.0, 0), (12.0, 16.5, 1), (17.0, 20.0, 0)]
    audio = np.zeros(int(20 * sr), np.float32)
    for s, e, v in turns:
        audio[int(s * sr): int(e * sr)] = level_of_voice[v]
    off = cfg.prompt_slots * cfg.slot_samples

    def fake_model(inputs, n_prompted):
        outs = []
        for x, npr in zip(inputs, n_prompted):
            slots = [x[i * cfg.slot_samples + 100] for i in range(npr)]
            chunk = x[off:]
            local, segs = {}, []
            for i, lvl in enumerate(slots):
                local[round(float(lvl), 2)] = i
            prev, start = 0.0, 0
            for t in range(0, len(chunk) + 1, sr // 10):
                lvl = round(float(chunk[t]), 2) if t < len(chunk) else 0.0
                if lvl != prev:
                    if prev != 0.0:
                        if prev not in local:
                            local[prev] = len(local)
                        segs.append((start / sr, t / sr, local[prev], 0.9))
                    prev, start = lvl, t
            outs.append(ChunkOutput(segs))
        return outs

    out = StreamingDiarizer(cfg, fake_model).diarize_many([audio])[0]
    labels = {}
    for s, e, lab, _ in out:
        voice = [v for ts, te, v in turns if ts <= s + 0.05 and e - 0.05 <= te]
        assert len(voice) == 1, (s, e, lab)
        labels.setdefault(voice[0], set()).add(lab)
    assert labels == {0: {0}, 1: {1}}
    # 3.5-9.0 crosses the chunk boundary at 8 s and must come out as one segment
    assert any(abs(s - 3.5) < 0.11 and abs(e - 9.0) < 0.11 for s, e, _, _ in out)


def _embeddings(cfg, chunk_voice, slot_voice, dim=8):
    """Unit embeddings per encoder frame: slot j's frames carry slot_voice[j], chunk frame
    k carries chunk_voice(k) (a voice index or None for noise)."""
    rng = np.random.default_rng(0)
    voices = np.eye(dim)
    emb = rng.standard_normal((cfg.n_enc, dim)) * 0.01
    per_slot = cfg.slot_samples // (2 * cfg.stack * cfg.hop_length)
    for j, v in enumerate(slot_voice):
        emb[j * per_slot: (j + 1) * per_slot] += voices[v]
    for k in range(cfg.n_enc - cfg.chunk_enc_start):
        v = chunk_voice(k)
        if v is not None:
            emb[cfg.chunk_enc_start + k] += voices[v]
    return emb / np.linalg.norm(emb, axis=1, keepdims=True)


def test_match_labels_ignores_silent_frames_of_a_short_prompt():
    cfg = ModelConfig()
    step = 2 * cfg.stack * cfg.hop_length
    f = cfg.enc_frame_seconds
    emb = _embeddings(cfg, lambda k: 6 if k * f < 3.0 else None, [6])
    per_slot = cfg.slot_samples // step
    emb[6:per_slot] = -emb[0]          # the slot's frames after its 0.5 s of audio point away
    segs = [(0.0, 3.0, 0, 0.9)]
    assert ChunkVoices(cfg, segs, [6 * step], emb).match_labels() == {0: 0}
    assert ChunkVoices(cfg, segs, [per_slot * step], emb).match_labels() == {}     # a prompt that long would not match


def test_labels_of_a_chunk_without_prompts_merge_only_above_the_stricter_threshold():
    cfg = ModelConfig(merge_threshold=0.7, unprompted_merge_threshold=0.9)
    f = cfg.enc_frame_seconds
    segs = [(0.0, 2.0, 0, 0.9), (2.0, 4.0, 1, 0.9)]

    def emb_with(slot_voice):
        # label 0 is voice 4; label 1 a voice at cosine 0.8 to it (between the thresholds)
        emb = _embeddings(cfg, lambda k: 4 if k * f < 2.0 else None, slot_voice)
        near = np.zeros(emb.shape[1])
        near[4], near[6] = 0.8, 0.6
        for k in range(cfg.n_enc - cfg.chunk_enc_start):
            if 2.0 <= k * f < 4.0:
                emb[cfg.chunk_enc_start + k] = near
        return emb

    unprompted = ChunkVoices(cfg, segs, [], emb_with([]))
    assert unprompted.merge_new_labels(unprompted.match_labels()) == {}
    # with a prompt (voice 1, like neither label) both labels are leftovers: the usual threshold
    prompted = ChunkVoices(cfg, segs, [cfg.prompt_samples], emb_with([1]))
    slot_of = prompted.match_labels()
    assert slot_of == {}
    assert prompted.merge_new_labels(slot_of) == {1: 0}


def test_a_new_voice_takes_the_label_of_a_speaker_without_prompt_first():
    cfg = ModelConfig()
    sd = StreamingDiarizer(cfg, None)
    st = CallState()
    sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), [],
              ChunkOutput([(0.0, 3.0, 0, 0.9), (3.0, 3.4, 1, 0.9)]))
    assert st.n_labels == 2 and sorted(st.prompts) == [0]      # speaker 1 spoke too briefly for a prompt
    prompts = sd.choose_prompts(st)
    sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), prompts,
              ChunkOutput([(0.0, 3.0, 0, 0.9), (3.0, 5.0, 1, 0.9)]))
    assert st.n_labels == 2                                     # the new voice is speaker 1, not a third
    assert [s[2] for s in st.segments][-1] == 1 and sorted(st.prompts) == [0, 1]


def _full_call_state(cfg, voices):
    """A call whose speakers 0 and 1 have voice profiles of `voices` (40 frames each) and prompts."""
    from prompts import SpeakerPrompt
    prompts = {lab: SpeakerPrompt(lab, np.full(cfg.prompt_samples, 0.1, np.float32), 2.0, 0, np.eye(8)[v] * 40.0, 40)
               for lab, v in enumerate(voices)}
    return CallState(prompts=prompts, n_labels=len(voices), chunk_index=1)


def test_a_full_call_gives_a_would_be_new_speaker_to_the_known_voice_it_sounds_like():
    cfg = ModelConfig()
    f = cfg.enc_frame_seconds
    # speakers 0 and 1 are voices 1 and 2; the chunk has voice 1 (label 0), then voice 2
    # twice under labels the model made up (1, 2) that sound unlike either slot's prompt
    emb = _embeddings(cfg, lambda k: 1 if k * f < 2.0 else 2 if k * f < 6.0 else None, [1, 5])
    segs = [(0.0, 2.0, 0, 0.9), (2.0, 4.0, 1, 0.9), (4.0, 6.0, 2, 0.9)]
    for cap, expect_labels, expect_n in ((0, [0, 2], 3), (2, [0, 1], 2)):
        st = _full_call_state(cfg, [1, 3])         # speaker 1's profile: voice 3 (unlike anyone here)
        st.prompts[1].voice = np.eye(8)[2] * 10.0 + np.eye(8)[3] * 40.0   # cosine 0.24 to voice 2
        sd = StreamingDiarizer(ModelConfig(merge_threshold=0.99), None, speaker_cap=cap)
        sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), sd.choose_prompts(st), ChunkOutput(segs, emb))
        # without the cap the unmatched voice (labels 1 and 2 sound alike: one speaker) is
        # speaker 2; with it, the known speaker it sounds most like (segments joined across the gap)
        assert [s[2] for s in st.segments] == expect_labels, cap
        assert st.n_labels == expect_n


def test_a_full_call_without_voices_gives_a_new_speaker_to_a_known_one_not_speaking():
    cfg = ModelConfig()
    st = _full_call_state(cfg, [1, 2])
    sd = StreamingDiarizer(cfg, None, speaker_cap=2)
    # no embeddings: the model's labels decide; label 0 is slot 0 (speaker 0), label 2 is new
    sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), [st.prompts[0]],
              ChunkOutput([(0.0, 2.0, 0, 0.9), (3.0, 5.0, 2, 0.9)]))
    assert st.n_labels == 2 and [s[2] for s in st.segments] == [0, 1]


def test_voice_profiles_grow_by_the_frames_a_prompted_speaker_speaks_alone():
    cfg = ModelConfig()
    f = cfg.enc_frame_seconds
    sd = StreamingDiarizer(cfg, None)
    st = CallState()
    emb = _embeddings(cfg, lambda k: 4 if k * f < 3.0 else 6 if k * f < 5.0 else None, [])
    # labels 0 (0-3 s) and 1 (2.5-5 s) overlap for 0.5 s; label 1 speaks too briefly for a prompt
    sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), [],
              ChunkOutput([(0.0, 3.0, 0, 0.9), (2.5, 3.1, 1, 0.9)], emb))
    t = (np.arange(cfg.n_enc - cfg.chunk_enc_start) + 0.5) * f
    alone = (t < 2.5)                                   # label 0's frames without label 1
    assert sorted(st.prompts) == [0] and st.prompts[0].voice_frames == int(alone.sum())
    np.testing.assert_allclose(st.prompts[0].voice, emb[cfg.chunk_enc_start:][alone].sum(0))
    before = st.prompts[0].voice.copy()
    sd.absorb(st, np.zeros(cfg.chunk_samples, np.float32), sd.choose_prompts(st),
              ChunkOutput([(0.0, 3.0, 0, 0.9)], emb))
    assert st.prompts[0].voice_frames == int(alone.sum()) + int((t < 3.0).sum())
    np.testing.assert_allclose(st.prompts[0].voice, before + emb[cfg.chunk_enc_start:][t < 3.0].sum(0))


def test_a_prompt_gives_way_to_a_region_as_long_that_sounds_more_like_the_profile():
    from prompts import SpeakerPrompt
    cfg = ModelConfig()
    f = cfg.enc_frame_seconds
    sr = cfg.sample_rate
    # speaker 0's prompt sounds like voice 5, but everything heard of them so far was voice 4
    emb = _embeddings(cfg, lambda k: 4 if k * f < 3.0 else None, [5])
    chunk = np.linspace(-1, 1, cfg.chunk_samples).astype(np.float32)
    for frames, replaced in ((cfg.profile_min_frames, True), (cfg.profile_min_frames - 1, False)):
        old = SpeakerPrompt(0, np.full(cfg.prompt_samples, 0.1, np.float32), 2.0, 0, np.eye(8)[4] * frames, frames)
        st = CallState(prompts={0: old}, n_labels=1, chunk_index=1)
        sd = StreamingDiarizer(cfg, None)
        sd.absorb(st, chunk, sd.choose_prompts(st), ChunkOutput([(0.0, 3.0, 0, 0.9)], emb))
        assert [s[2] for s in st.segments] == [0]
        # the clean region 0.1-2.9 s, centre-cropped to 2 s: as long as the prompt
        got = st.prompts[0].audio
        assert np.array_equal(got, chunk[int(0.5 * sr): int(2.5 * sr)]) == replaced, frames
        assert st.prompts[0].voice_frames > frames          # the profile grows either way


def test_activity_segments_are_the_runs_above_the_threshold():
    from prompts import activity_segments
    cfg = ModelConfig(max_speakers=2)
    on, off = 2.0, -2.0
    act = np.array([[on, off], [on, on], [off, on], [off, on], [on, off]])
    segs = activity_segments(cfg, act)
    assert [(round(s, 2), round(e, 2), k) for s, e, k, _ in segs] == [(0.0, 0.16, 0), (0.08, 0.32, 1), (0.32, 0.4, 0)]
    assert abs(segs[0][3] - 1 / (1 + np.exp(-2.0))) < 1e-9
    assert activity_segments(ModelConfig(max_speakers=2, live_activity_threshold=0.9), act) == []


def test_drop_nested_removes_a_second_label_inside_a_turn_only():
    from prompts import drop_nested
    turn, inside, edge = (0.0, 4.0, 0, 0.9), (1.0, 1.6, 1, 0.3), (3.5, 5.5, 1, 0.5)
    # 0.6 s wholly inside label 0's turn: dropped; the edge has 0.5 of its 2.0 s inside it
    assert drop_nested([turn, inside, edge], 0.5) == [turn, edge]
    assert drop_nested([turn, inside, edge], 0.25) == [turn]
    assert drop_nested([turn, inside, edge], 2.0) == [turn, inside, edge]      # off


def test_drop_nested_keeps_the_longer_of_two_and_counts_cover_once():
    from prompts import drop_nested
    a, b = (0.0, 4.0, 0, 0.5), (2.0, 5.0, 1, 0.5)           # b has 2 of its 3 s inside a
    assert drop_nested([a, b], 0.6) == [a] and drop_nested([a, b], 0.7) == [a, b]
    seg, c1, c2 = (1.0, 2.0, 2, 0.5), (0.0, 1.3, 0, 0.5), (0.1, 1.3, 0, 0.5)
    assert drop_nested([c1, c2, seg], 0.5) == [c1, c2, seg]   # 0.3 s covered, not 0.6
    assert drop_nested([c1, c2, seg], 0.25) == [c1, c2]
    assert drop_nested([(0.0, 2.0, 0, 0.5), (0.5, 1.0, 0, 0.5)], 0.5) == [(0.0, 2.0, 0, 0.5), (0.5, 1.0, 0, 0.5)]


def test_diarize_many_final_is_the_final_pass_over_the_pieces_stream_many_cut_chunk_by_chunk(monkeypatch):
    """diarize_many(final=True) streams with stream_many, which cuts each chunk's pieces
    right after the chunk was stitched, from that chunk's frames and audio, and hands
    final_labels each call's segments and pieces; without final, no pieces are kept."""
    import dataclasses
    import prompts
    final_cfg = dataclasses.replace(cfg, final_relabel="labels", final_cepstral_weight=0.5)
    rng = np.random.default_rng(3)
    calls = [rng.standard_normal(int(s * cfg.sample_rate)).astype(np.float32) * 0.1 for s in (20.0, 9.0)]

    emb = rng.standard_normal((cfg.n_enc, 8))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)

    def fake_model(inputs, n_prompted):       # the same answer for every chunk: the passes must agree
        return [ChunkOutput([(0.5, 3.0, 0, 0.9), (4.0, 7.0, 1, 0.9)], emb) for _ in inputs]

    cut, seen = [], []
    real_pieces = prompts.final_pieces

    def spy_pieces(c, segments, k, frames, chunk):
        cut.append((len(segments), k, frames.shape, chunk))
        return real_pieces(c, segments, k, frames, chunk)

    monkeypatch.setattr(prompts, "final_pieces", spy_pieces)
    monkeypatch.setattr(prompts, "final_labels", lambda c, segs, rows: seen.append((list(segs), rows)) or segs)
    sd = StreamingDiarizer(final_cfg, fake_model)
    live = sd.stream_many(calls)
    assert all(rows == [] for _, rows in live) and cut == []
    assert sd.diarize_many(calls) == [segs for segs, _ in live]
    sd.diarize_many(calls, final=True)
    cs = cfg.chunk_samples
    assert [k for _, k, _, _ in cut] == [0, 0, 1, 1, 2]          # chunk by chunk, both calls batched
    assert all(shape == (cfg.n_enc - cfg.chunk_enc_start, 8) for _, _, shape, _ in cut)
    audio_of = [calls[0], calls[1], calls[0], calls[1], calls[0]]
    assert all(np.array_equal(chunk, a[k * cs: (k + 1) * cs]) for (_, k, _, chunk), a in zip(cut, audio_of))
    assert [len(segs) for segs, _ in seen] == [len(segs) for segs, _ in live]
    for segs, rows in seen:
        assert rows and all(r.cepstra is not None for r in rows)
        chunk_of = [int(r.start // cfg.chunk_seconds) for r in rows]
        assert chunk_of == sorted(chunk_of) and all(r.end <= (k + 1) * cfg.chunk_seconds for r, k in zip(rows, chunk_of))
        assert all(any(s <= r.start and r.end <= e and lab == r.label for s, e, lab, _ in segs) for r in rows)
