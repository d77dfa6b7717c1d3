"""lda_head.lda: the discriminant directions of speakers, whitened within speaker."""
import numpy as np

from lda_head import lda


def _speakers(n_per=400, seed=0):
    """Three speakers apart along axis 2 only; axis 0 varies far more, within each speaker."""
    rng = np.random.default_rng(seed)
    X, Y = [], []
    for c, centre in enumerate((-1.0, 0.0, 1.0)):
        z = rng.standard_normal((n_per, 4)) * np.array([10.0, 1.0, 0.3, 1.0])
        z[:, 2] += centre
        X.append(z)
        Y += [c] * n_per
    return np.concatenate(X), np.array(Y)


def test_leading_direction_is_the_one_speakers_differ_in():
    X, Y = _speakers()
    V, _ = lda(X, Y, 1)
    v = V[:, 0] / np.linalg.norm(V[:, 0])
    assert abs(v[2]) > 0.99        # not axis 0, where the variance is largest


def test_directions_are_whitened_within_speaker():
    X, Y = _speakers()
    V, _ = lda(X, Y, 2, reg=0.0)
    Z = X @ V
    within = sum((Z[Y == c] - Z[Y == c].mean(0)).T @ (Z[Y == c] - Z[Y == c].mean(0)) for c in range(3)) / len(Z)
    assert np.allclose(within, np.eye(2), atol=1e-6)


def test_keeps_only_the_dims_asked_for():
    X, Y = _speakers()
    assert lda(X, Y, 2)[0].shape == (4, 2)
