"""Embedding measures: EER and clustering error on scores whose answer is known."""

import numpy as np

import embedding_eval as ee
from test_baseline import two_voices


def test_eer_is_zero_when_separable_and_half_when_random():
    rng = np.random.default_rng(0)
    same = np.arange(2000) % 2 == 0
    scores = np.where(same, rng.uniform(0.6, 1.0, 2000), rng.uniform(-1.0, 0.5, 2000))
    assert ee.eer(scores, same) == 0.0
    assert abs(ee.eer(rng.standard_normal(20000), rng.random(20000) < 0.3) - 0.5) < 0.02
    assert ee.eer(-scores, same) == 1.0     # scores that say the opposite
    assert np.isnan(ee.eer(scores[same], same[same]))


def test_clustering_error_counts_windows_under_the_best_mapping():
    E = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [0.95, 0.05]])
    assert ee.clustering_errors(E, ["b", "b", "a", "a", "b"]) == (0, 5)
    assert ee.clustering_errors(E, ["b", "b", "a", "a", "a"]) == (1, 5)


def test_windows_come_from_single_speaker_regions_inside_one_chunk():
    ref = [(0.0, 3.5, "A"), (3.0, 5.0, "B"), (6.5, 10.2, "A"), (11.0, 11.8, "B")]
    w = ee.windows_of(ref, 12.0)
    # A alone 0-3 (3 windows); B alone 3.5-5 (1); A 6.5-10.2 split at 8 s: 6.5-8 (1), 8-10.2 (2); B too short
    assert w == [(0.0, 1.0, "A"), (1.0, 2.0, "A"), (2.0, 3.0, "A"), (3.5, 4.5, "B"),
                 (6.5, 7.5, "A"), (8.0, 9.0, "A"), (9.0, 10.0, "A")]


def test_mfcc_embedder_tells_two_synthetic_voices_apart():
    audio, ref = two_voices(np.random.default_rng(0))
    res = ee.evaluate_embedder([("x", audio.astype(np.float32), ref)], ee.mfcc_embedder())
    assert res["windows"] >= 10 and res["files"] == 1
    assert res["eer"] < 0.1 and res["cluster_error"] == 0.0


def test_eer_interval_is_wide_with_few_files_and_holds_the_eer():
    rng = np.random.default_rng(5)

    def files(n):
        out_s, out_m = [], []
        for _ in range(n):
            same = rng.random(200) < 0.7
            out_s.append(np.where(same, 1.0, 0.0) + rng.standard_normal(200) * (0.3 + rng.random()))
            out_m.append(same)
        return out_s, out_m
    s3, m3 = files(3)
    s40, m40 = files(40)
    lo3, hi3 = ee.eer_interval(s3, m3)
    lo40, hi40 = ee.eer_interval(s40, m40)
    assert lo40 <= ee.eer(np.concatenate(s40), np.concatenate(m40)) <= hi40
    assert hi3 - lo3 > hi40 - lo40          # more files, a narrower interval
    assert all(np.isnan(ee.eer_interval(s3[:1], m3[:1])))
