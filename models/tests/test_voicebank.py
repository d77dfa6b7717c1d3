"""voicebank.py: the call's own speech, clustered again, decides who is who (the cases
VoiceBankTest.java checks of the Java twin)."""
import dataclasses

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from model import ModelConfig
from voicebank import (BankPiece, average_linkage, cepstral_distances, cepstral_frames, cepstral_stats, distances,
                       final_labels, final_pieces, pieces, quantize, relabel)

CFG = ModelConfig(recluster_pieces=8, recluster_piece_seconds=1.0)


def _emb(chunk_voice, dim=16):
    """Unit embeddings per encoder frame; chunk frame k carries voice chunk_voice(t) (t its
    centre in seconds; None: noise)."""
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((CFG.n_enc, dim)) * 0.01
    for k in range(CFG.n_enc - CFG.chunk_enc_start):
        v = chunk_voice((k + 0.5) * CFG.enc_frame_seconds)
        if v is not None:
            emb[CFG.chunk_enc_start + k, v] += 1
    return emb / np.linalg.norm(emb, axis=1, keepdims=True)


def _bank(dim=16):
    return [BankPiece(quantize(np.eye(dim)[v]), 1.0, lab) for _ in range(3) for v, lab in ((4, 0), (7, 1))]


def _seg(s, e, lab):
    return (s, e, lab, 0.9)


def test_pieces_are_equal_parts_of_each_segment_and_slivers_are_left_out():
    P = pieces([(0.0, 2.6, 0), (3.0, 3.1, 1), (4.0, 4.4, 0)], 1.0)
    assert [(round(a, 3), round(b, 3), i) for a, b, i in P] == [(0.0, 0.867, 0), (0.867, 1.733, 0),
                                                             (1.733, 2.6, 0), (4.0, 4.4, 2)]


def test_a_turn_the_stream_gave_the_wrong_speaker_takes_the_voice_it_sounds_like():
    voice = lambda t: 4 if t < 2.0 else 7 if t < 4.0 else None   # noqa: E731
    out, _ = relabel(CFG, _bank(), [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 0)], _emb(voice), n_labels=2)
    assert out == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1)]


def test_a_segment_of_two_voices_splits_where_its_pieces_change_label():
    voice = lambda t: 4 if t < 2.0 else 7 if t < 4.0 else None   # noqa: E731
    out, _ = relabel(CFG, _bank(), [_seg(0.0, 4.0, 1)], _emb(voice), n_labels=2)
    assert out == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1)]


def test_a_speaker_the_bank_has_no_piece_of_keeps_the_label_the_stream_gave():
    voice = lambda t: 7 if t < 2.0 else None     # noqa: E731  (like speaker 1, but labelled new)
    segs = [_seg(0.0, 2.0, 2)]
    assert relabel(CFG, _bank(), segs, _emb(voice), n_labels=3)[0] == segs


def test_with_new_speakers_to_the_bank_a_known_voice_labelled_new_takes_its_label_and_a_new_voice_keeps_its_own():
    bank_judges = dataclasses.replace(CFG, recluster_new_speakers="bank")
    known = lambda t: 7 if t < 2.0 else None     # noqa: E731  (speaker 1's voice, labelled new, in a 2-party call)
    segs = [_seg(0.0, 2.0, 2)]
    assert relabel(bank_judges, _bank(), segs, _emb(known), n_labels=3, speaker_cap=2)[0] == [_seg(0.0, 2.0, 1)]
    assert relabel(CFG, _bank(), segs, _emb(known), n_labels=3, speaker_cap=2)[0] == segs
    stranger = lambda t: 11 if t < 2.0 else None     # noqa: E731  (a voice the bank has not heard)
    assert relabel(bank_judges, _bank(), segs, _emb(stranger), n_labels=3)[0] == segs
    one_voice = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1)]     # an empty bank leaves the first speech to the stream
    assert relabel(bank_judges, [], one_voice, _emb(lambda t: 7 if t < 4.0 else None), n_labels=2)[0] == one_voice


def test_the_bank_keeps_its_newest_pieces_with_their_labels_and_no_more_than_configured():
    _, bank = relabel(CFG, _bank(), [_seg(0.0, 4.0, 0)], _emb(lambda t: 7 if t < 4.0 else None), n_labels=2)
    assert len(bank) == 8
    assert all(p.label == 1 and abs(p.seconds - 1.0) < 1e-9 for p in bank[4:])
    assert bank[0].label == 0                      # the oldest kept is the third of the six


def test_the_speaker_cap_bounds_the_clusters_and_without_it_each_known_voice_keeps_its_label():
    voice = lambda t: 4 if t < 2.0 else 7 if t < 4.0 else None   # noqa: E731
    segs = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1)]
    assert relabel(CFG, _bank(), segs, _emb(voice), n_labels=2)[0] == segs
    one, _ = relabel(CFG, _bank(), segs, _emb(voice), n_labels=2, speaker_cap=1)
    assert one == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 0)]


def test_a_label_the_stream_gave_a_voice_the_bank_holds_goes_back_to_it_within_the_merge_distance():
    # three labels, two voices: speaker 2 sounds like speaker 1 (cosine 0.96). Into three
    # clusters each keeps its label; with a merge distance above 0.04 the two are one
    like_1 = (np.eye(16)[7] + 0.3 * np.eye(16)[9]) / np.linalg.norm(np.eye(16)[7] + 0.3 * np.eye(16)[9])
    bank = _bank() + [BankPiece(quantize(like_1), 1.0, 2) for _ in range(2)]
    emb = _emb(lambda t: None)
    emb[CFG.chunk_enc_start:CFG.chunk_enc_start + int(2.0 / CFG.enc_frame_seconds)] = like_1
    segs = [_seg(0.0, 2.0, 2)]
    assert relabel(CFG, bank, segs, emb, n_labels=3)[0] == segs
    merging = dataclasses.replace(CFG, recluster_merge_distance=0.2)
    assert relabel(merging, bank, segs, emb, n_labels=3)[0] == [_seg(0.0, 2.0, 1)]
    near = dataclasses.replace(CFG, recluster_merge_distance=0.02)
    assert relabel(near, bank, segs, emb, n_labels=3)[0] == segs


def test_average_linkage_merges_below_the_merge_distance_only_once_n_clusters_are_left():
    X = np.array([[1, 0, 0], [0.95, 0.31, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    D = distances([], X)
    assert list(average_linkage(D, 3)) == [0, 0, 1, 2]
    assert list(average_linkage(D, 3, merge_distance=0.5)) == [0, 0, 1, 2]     # the rest are 1 apart
    assert list(average_linkage(D, 4, merge_distance=0.1)) == [0, 0, 1, 2]     # 0.05 apart merge
    assert list(average_linkage(D, 4)) == [0, 1, 2, 3]
    assert list(average_linkage(D, 1, merge_distance=2.0)) == [0, 0, 0, 0]


def test_a_segment_too_short_for_a_piece_keeps_its_label_and_the_bank_is_unchanged():
    bank = _bank()
    segs = [_seg(1.0, 1.1, 0)]
    out, after = relabel(CFG, bank, segs, _emb(lambda t: 7), n_labels=2)
    assert out == segs and after is bank


def test_average_linkage_makes_the_partition_scipy_makes():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 6)) + 3 * np.eye(6)[rng.integers(0, 3, 40)]
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ours = average_linkage(distances([], X), 3)
    ref = fcluster(linkage(X, method="average", metric="cosine"), t=3, criterion="maxclust")
    pairs = {(a, b) for a, b in zip(ours, ref)}
    assert len(pairs) == 3 and len({a for a, _ in pairs}) == 3    # the same partition
    assert list(ours[:1]) == [0] and set(ours) == {0, 1, 2}


def test_bank_distances_are_the_exact_integer_cosine_and_the_rest_that_of_the_values():
    rng = np.random.default_rng(11)
    unit = lambda v: v / np.linalg.norm(v)    # noqa: E731
    bank = [BankPiece(quantize(unit(rng.standard_normal(32))), 1.0, i % 2) for i in range(5)]
    fresh = [unit(rng.standard_normal(32)) for _ in range(2)]
    D = distances(bank, fresh)
    rows = np.array([p.embedding / 127.0 for p in bank] + fresh)
    off = ~np.eye(7, dtype=bool)
    assert np.allclose(D[off], (1.0 - rows @ rows.T)[off], atol=1e-12) and np.array_equal(D[:5, 5:], D[5:, :5].T)
    exact = int(bank[1].embedding.astype(np.int64) @ bank[3].embedding.astype(np.int64))
    assert D[1, 3] == 1.0 - exact / (127.0 * 127.0)          # bit for bit, as VoiceBank.java
    assert list(average_linkage(D, 2)) == list(average_linkage(distances([], rows), 2))
    assert np.allclose(distances([], fresh), 1.0 - np.array(fresh) @ np.array(fresh).T)


def test_quantize_keeps_a_unit_embedding_within_a_hundredth_of_cosine():
    v = np.random.default_rng(1).standard_normal(128)
    v /= np.linalg.norm(v)
    q = quantize(v)
    assert q.dtype == np.int8 and abs(float(q.astype(np.float64) @ v) / 127.0 - 1.0) < 0.01
    assert list(quantize([1.0, -1.0, 0.5 / 127, -0.5 / 127])) == [127, -127, 1, 0]


def _tone(freq, seconds, seed):
    """A harmonic tone in a little noise: a 'voice' whose spectrum, not its embedding, tells it."""
    t = np.arange(int(seconds * CFG.sample_rate)) / CFG.sample_rate
    x = sum(np.sin(2 * np.pi * freq * h * t) / h for h in (1, 2, 3))
    return (0.1 * x + 0.003 * np.random.default_rng(seed).standard_normal(len(t))).astype(np.float32)


def _cepstra(audio):
    frames, centre = cepstral_frames(CFG, audio)
    return cepstral_stats(frames, centre, 0.0, len(audio) / CFG.sample_rate)


def test_with_a_cepstral_weight_two_voices_the_embedding_hears_as_one_are_told_apart_by_their_spectra():
    # every frame has the same embedding; speaker 0 spoke a low tone, speaker 1 a high one.
    # The chunk: the low tone, then the high one, all given label 0 by the stream
    cepstral = dataclasses.replace(CFG, recluster_cepstral_weight=1.0)
    same = np.eye(16)[4]
    bank = [BankPiece(quantize(same), 1.0, lab, _cepstra(_tone(f, 1.0, i)))
            for i in range(3) for f, lab in ((150.0, 0), (900.0, 1))]
    chunk = np.concatenate([_tone(150.0, 2.0, 7), _tone(900.0, 2.0, 8), np.zeros(4 * CFG.sample_rate, np.float32)])
    emb = _emb(lambda t: 4 if t < 4.0 else None)
    segs = [_seg(0.0, 4.0, 0)]
    out, grown = relabel(cepstral, bank, segs, emb, n_labels=2, chunk=chunk)
    assert out == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1)]
    assert all(p.cepstra.dtype == np.int16 and p.cepstra.shape == (38,) for p in grown)
    voice_alone, plain = relabel(CFG, bank, segs, emb, n_labels=2, chunk=chunk)
    assert voice_alone != out and all(p.cepstra is None for p in plain[len(bank):])   # noise decides there


def test_a_bank_without_cepstra_is_clustered_by_voice_alone_and_its_new_pieces_get_them():
    cepstral = dataclasses.replace(CFG, recluster_cepstral_weight=1.0)
    voice = lambda t: 4 if t < 2.0 else 7 if t < 4.0 else None   # noqa: E731
    chunk = np.concatenate([_tone(150.0, 4.0, 1), np.zeros(4 * CFG.sample_rate, np.float32)])
    segs = [_seg(0.0, 4.0, 1)]
    out, grown = relabel(cepstral, _bank(), segs, _emb(voice), n_labels=2, chunk=chunk)
    assert out == relabel(CFG, _bank(), segs, _emb(voice), n_labels=2)[0]
    assert [p.cepstra is None for p in grown] == [True] * 4 + [False] * 4


def test_cepstral_distances_ignore_what_every_piece_shares_as_a_channel_does():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 38))
    q = lambda v: np.floor(256 * v + 0.5).astype(np.int16)    # noqa: E731
    D = cepstral_distances(q(X))
    shifted = cepstral_distances(q(X + 3.0 * rng.standard_normal(38)))
    assert np.allclose(D, shifted, atol=0.02) and np.allclose(np.diag(D), 0.0, atol=1e-9)
    assert D[0, 1] > 0.1


def _chunk_frames(voice_at, n_chunks, dim=16):
    """Per chunk, unit embeddings of its chunk frames; frame of call time t carries voice voice_at(t)."""
    F, C = CFG.enc_frame_seconds, CFG.chunk_seconds
    n = CFG.n_enc - CFG.chunk_enc_start
    out = []
    for k in range(n_chunks):
        e = np.full((n, dim), 0.01)
        for j in range(n):
            v = voice_at(k * C + (j + 0.5) * F)
            if v is not None:
                e[j, v] += 1.0
        out.append(e / np.linalg.norm(e, axis=1, keepdims=True))
    return out


def _final(cfg, segs, chunk_frames, chunks=None, merge_distance=None):
    """final_labels over the pieces the stream would have cut chunk by chunk (the segments
    given are the call's, none joined across a chunk boundary later)."""
    rows = []
    for k, frames in enumerate(chunk_frames):
        rows += final_pieces(cfg, segs, k, frames, None if chunks is None else chunks[k])
    return final_labels(cfg, segs, rows, merge_distance)


def test_final_pieces_cut_the_segments_within_their_chunk_and_carry_the_live_label():
    voice = lambda t: 4 if t < 10.0 else 7   # noqa: E731
    frames = _chunk_frames(voice, 2)
    segs = [_seg(0.0, 0.1, 0), _seg(6.0, 10.0, 1), _seg(10.0, 13.0, 0)]
    rows = final_pieces(CFG, segs, 1, frames[1])            # chunk 1 is 8 .. 16 s
    assert [(r.start, r.end, r.label) for r in rows] == [(8.0, 9.0, 1), (9.0, 10.0, 1), (10.0, 11.0, 0),
                                                         (11.0, 12.0, 0), (12.0, 13.0, 0)]
    assert all(r.voice.dtype == np.float32 and abs(np.linalg.norm(r.voice) - 1.0) < 1e-6 for r in rows)
    assert int(np.argmax(rows[0].voice)) == 4 and int(np.argmax(rows[2].voice)) == 7
    assert all(r.cepstra is None for r in rows)              # no audio, no statistics
    chunk = _tone(300.0, CFG.chunk_seconds, 1)
    assert all(r.cepstra.dtype == np.int16 for r in final_pieces(CFG, segs, 1, frames[1], chunk))
    # chunk 0: 0.1 s is too short for a piece; 6..8 s of the second segment is there
    assert [(r.start, r.end, r.label) for r in final_pieces(CFG, segs, 0, frames[0])] == [(6.0, 7.0, 1), (7.0, 8.0, 1)]


def test_final_labels_give_each_voice_the_live_label_it_holds_most_and_split_a_mixed_segment():
    final = dataclasses.replace(CFG, final_relabel="labels")
    voice = lambda t: 4 if t < 2.0 or 4.0 <= t < 6.0 or 9.0 <= t < 11.0 else 7 if t < 4.0 else None   # noqa: E731
    frames = _chunk_frames(voice, 2)
    # the stream gave voice 4 the other voice's label in the second chunk
    segs = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1), _seg(4.0, 6.0, 0), _seg(9.0, 11.0, 1)]
    assert _final(final, segs, frames) == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1), _seg(4.0, 6.0, 0),
                                           _seg(9.0, 11.0, 0)]
    mixed = [_seg(0.0, 4.0, 0), _seg(4.0, 6.0, 1)]         # voices 4 then 7 in one live segment
    voice_b = lambda t: 4 if t < 2.0 else 7 if t < 6.0 else None   # noqa: E731
    assert _final(final, mixed, _chunk_frames(voice_b, 1)) == [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1),
                                                               _seg(4.0, 6.0, 1)]
    assert _final(final, [_seg(0.0, 0.1, 0)], frames) == [_seg(0.0, 0.1, 0)]    # too short for a piece


def test_final_labels_split_a_segment_across_a_chunk_boundary_by_the_pieces_of_both_chunks():
    final = dataclasses.replace(CFG, final_relabel="labels")
    voice = lambda t: 4 if t < 2.0 or 10.0 <= t < 12.0 else 7   # noqa: E731
    segs = [_seg(0.0, 2.0, 0), _seg(2.0, 10.0, 1), _seg(10.0, 12.0, 1)]     # one voice 4 labelled 1 at 10 s
    segs_joined = [_seg(0.0, 2.0, 0), _seg(2.0, 12.0, 1)]                   # as the stream joined them
    want = [_seg(0.0, 2.0, 0), _seg(2.0, 10.0, 1), _seg(10.0, 12.0, 0)]
    assert _final(final, segs_joined, _chunk_frames(voice, 2)) == want
    assert _final(final, segs, _chunk_frames(voice, 2)) == want


def test_final_labels_never_make_more_or_fewer_speakers_than_the_live_labels():
    final = dataclasses.replace(CFG, final_relabel="labels")
    three = lambda t: 4 if t < 2.0 else 7 if t < 4.0 else 11 if t < 6.0 else None   # noqa: E731
    out = _final(final, [_seg(0.0, 2.0, 0), _seg(2.0, 6.0, 1)], _chunk_frames(three, 1))
    assert {lab for *_, lab, _ in out} == {0, 1}


def test_final_labels_merge_a_made_up_label_only_below_the_merge_distance():
    final = dataclasses.replace(CFG, final_relabel="labels")
    two = lambda t: 4 if t < 2.0 or 4.0 <= t < 6.0 else 7   # noqa: E731  (voice 4 twice, labelled 0 and 2)
    segs = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1), _seg(4.0, 6.0, 2)]
    assert {lab for *_, lab, _ in _final(final, segs, _chunk_frames(two, 1))} == {0, 1, 2}
    want = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1), _seg(4.0, 6.0, 0)]
    assert _final(dataclasses.replace(final, final_merge_distance=0.5), segs, _chunk_frames(two, 1)) == want
    assert _final(final, segs, _chunk_frames(two, 1), merge_distance=0.5) == want     # final_eval.py's grid
    # two voices far apart (cosine distance about 1) stay two
    assert {lab for *_, lab, _ in _final(dataclasses.replace(final, final_merge_distance=0.5), segs[:2],
                                         _chunk_frames(two, 1))} == {0, 1}


def test_one_voice_given_two_live_labels_is_one_speaker_again_below_the_merge_distance():
    final = dataclasses.replace(CFG, final_relabel="labels")
    one = lambda t: 4 if t < 6.0 else None   # noqa: E731
    segs = [_seg(0.0, 2.0, 0), _seg(2.0, 4.0, 1), _seg(4.0, 6.0, 0)]
    assert {lab for *_, lab, _ in _final(final, segs, _chunk_frames(one, 1))} == {0, 1}
    merged = _final(dataclasses.replace(final, final_merge_distance=0.75), segs, _chunk_frames(one, 1))
    assert {lab for *_, lab, _ in merged} == {0}


def test_final_labels_of_a_call_with_more_pieces_than_the_bound_join_neighbours(monkeypatch):
    import voicebank
    final = dataclasses.replace(CFG, final_relabel="labels")
    voice = lambda t: 4 if int(t // 4) % 2 == 0 else 7   # noqa: E731  (4 s turns of two voices)
    segs = [_seg(4.0 * j, 4.0 * j + 4.0, 1 if j == 4 else j % 2) for j in range(8)]   # turn 4 mislabelled
    want = [_seg(4.0 * j, 4.0 * j + 4.0, j % 2) for j in range(8)]
    assert _final(final, segs, _chunk_frames(voice, 4)) == want
    monkeypatch.setattr(voicebank, "FINAL_MAX_PIECES", 10)       # 32 pieces of 1 s are too many
    sizes, link = [], voicebank.average_linkage
    monkeypatch.setattr(voicebank, "average_linkage", lambda D, n, *a: sizes.append(len(D)) or link(D, n, *a))
    assert _final(final, segs, _chunk_frames(voice, 4)) == want
    assert sizes == [8]                                           # 32 pieces in fours
    assert list(voicebank._final_groups(11)) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_final_labels_with_a_cepstral_weight_tell_apart_two_voices_the_embedding_hears_as_one():
    # every frame has one embedding; the low tone is label 0's voice, the high one label 1's,
    # and the stream gave the second chunk's high tone label 0
    final = dataclasses.replace(CFG, final_relabel="labels", final_cepstral_weight=1.0)
    low, high = (lambda s: _tone(150.0, 4.0, s)), (lambda s: _tone(900.0, 4.0, s))
    audio = np.concatenate([low(1), high(2), low(3), high(4)])
    C = CFG.chunk_samples
    chunks = [audio[k * C: (k + 1) * C] for k in range(2)]
    frames = _chunk_frames(lambda t: 4, 2)
    segs = [_seg(0.0, 4.0, 0), _seg(4.0, 8.0, 1), _seg(8.0, 12.0, 0), _seg(12.0, 16.0, 0)]
    want = [_seg(0.0, 4.0, 0), _seg(4.0, 8.0, 1), _seg(8.0, 12.0, 0), _seg(12.0, 16.0, 1)]
    assert _final(final, segs, frames, chunks) == want
    assert _final(final, segs, frames) != want                 # without the audio: the voice alone
    assert _final(dataclasses.replace(final, final_cepstral_weight=0.0), segs, frames, chunks) != want
