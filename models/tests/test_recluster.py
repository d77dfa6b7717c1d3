"""recluster.py's pieces and causal re-clustering on made-up embeddings."""
import numpy as np

import recluster


def test_pieces_split_at_chunk_boundaries_and_drop_slivers():
    P = recluster.pieces([(7.5, 10.0, 0), (12.0, 12.1, 1)], chunk_seconds=8.0)
    assert [(round(a, 3), round(b, 3), i) for a, b, i in P] == [(7.5, 8.0, 0), (8.0, 9.0, 0), (9.0, 10.0, 0)]


def test_causal_keeps_voices_apart_when_the_stream_swaps_their_labels():
    rng = np.random.default_rng(0)
    a, b = np.eye(8)[0], np.eye(8)[1]
    voice = np.array([0, 1, 0, 1, 0, 1, 0, 1])          # who really speaks each piece
    X = np.array([(a if v == 0 else b) + 0.05 * rng.standard_normal(8) for v in voice])
    chunk_of = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    stream = np.array([0, 1, 0, 1, 1, 0, 1, 0])         # the second chunk's labels swapped
    out = recluster.causal(X, chunk_of, stream, np.ones(8))
    assert list(out) == list(voice)


def test_causal_never_splits_what_the_stream_calls_one_speaker():
    X = np.vstack([np.eye(4)[0], np.eye(4)[1], np.eye(4)[0]])
    out = recluster.causal(X, np.array([0, 0, 1]), np.array([0, 0, 0]), np.ones(3))
    assert list(out) == [0, 0, 0]


def test_lagged_decides_a_chunk_with_the_next_one_heard():
    # chunk 1 holds one piece of a new voice b that the stream calls speaker 0; chunk 2
    # holds more of b, under a label of its own. Decided at once (lag 0) the lone piece
    # stays with speaker 0, whose voice a dominates; one chunk later it joins b's cluster.
    a, b = np.eye(8)[0], np.eye(8)[1]
    X = np.array([a, a, a, b + 0.3 * a, b, b])
    chunk_of = np.array([0, 0, 1, 1, 2, 2])
    stream = np.array([0, 0, 0, 0, 1, 1])
    now = recluster.lagged(X, chunk_of, stream, np.ones(6), lag=0)
    late = recluster.lagged(X, chunk_of, stream, np.ones(6), lag=1)
    assert list(now[:4]) == [0, 0, 0, 0]
    assert list(late) == [0, 0, 0, 1, 1, 1]


def test_lagged_cap_keeps_two_clusters():
    X = np.vstack([np.eye(4)[i] for i in (0, 1, 2, 0, 1, 2)])
    stream = np.array([0, 1, 2, 0, 1, 2])
    out = recluster.lagged(X, np.array([0, 0, 0, 1, 1, 1]), stream, np.ones(6), lag=0, cap=2)
    assert len(set(out[3:])) <= 2


def test_fused_rows_have_the_weighted_mean_of_the_voice_and_cepstral_cosines():
    rng = np.random.default_rng(2)
    X, C = rng.standard_normal((5, 8)), rng.standard_normal((5, 38))
    F = recluster.fused(X, C, 0.6)
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)    # noqa: E731
    Cs = (C - C.mean(0)) / (C.std(0) + 1e-6)
    want = (unit(X) @ unit(X).T + 0.6 * unit(Cs) @ unit(Cs).T) / 1.6
    assert np.allclose(F @ F.T, want) and np.allclose(np.linalg.norm(F, axis=1), 1.0)
    assert not np.allclose(recluster.fused(X, C, 0.0) @ recluster.fused(X, C, 0.0).T, want)


def test_stream_embeddings_are_the_unit_mean_of_the_streaming_pass_frames_of_the_pieces_chunk():
    from types import SimpleNamespace
    from model import ModelConfig
    cfg = ModelConfig()
    frames = cfg.n_enc
    chunks = [np.zeros((frames, 4)) for _ in range(2)]
    chunks[0][cfg.chunk_enc_start:, 0] = 1.0        # chunk 0: voice along axis 0
    chunks[1][cfg.chunk_enc_start:, 1] = 2.0        # chunk 1: axis 1
    chunks[1][cfg.chunk_enc_start + int(1.0 / cfg.enc_frame_seconds):, 2] = 2.0   # from 1 s into it, axis 1 + 2
    outs = iter([[SimpleNamespace(embeddings=c)] for c in chunks])
    model = SimpleNamespace(cfg=cfg, run_chunks=lambda inputs, n: next(outs))
    kept = recluster.StreamEmbeddings(model)
    kept.run_chunks(None, None)
    kept.run_chunks(None, None)
    E = kept.embed(None, [(1.0, 2.0), (cfg.chunk_seconds, cfg.chunk_seconds + 1.0),
                          (cfg.chunk_seconds + 1.0, cfg.chunk_seconds + 2.0)])
    assert np.allclose(E, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 2 ** -0.5, 2 ** -0.5, 0]])
