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
