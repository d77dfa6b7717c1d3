"""overlap_eval's counting: the overlap floor, the detector's AUC and its hits and false alarms."""
import numpy as np
import pytest

from overlap_eval import auc, detection, overlap_floor, speaker_counts


def test_counts_and_floor_of_one_overlap():
    # A talks 0-2 s, B 1.5-3 s: 3.5 s of speaker time, 0.5 s beyond the first speaker
    counts = speaker_counts([(0.0, 2.0, "A"), (1.5, 3.0, "B")], 4.0)
    assert counts[:150].max() == 1 and (counts[150:200] == 2).all() and counts[300:].max() == 0
    assert overlap_floor(counts) == pytest.approx(0.5 / 3.5)


def test_no_speech_has_no_floor():
    assert overlap_floor(speaker_counts([], 2.0)) == 0.0


def test_auc_orders_scores():
    positive = np.array([False, False, True, True])
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), positive) == 1.0
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), positive) == 0.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), positive) == 0.5
    assert np.isnan(auc(np.array([0.1, 0.2]), np.array([True, True])))


def test_detection_counts_hits_and_false_alarms():
    scores = np.array([0.9, 0.6, 0.7, 0.2, 0.1])
    positive = np.array([True, True, False, True, False])
    precision, recall, net = detection(scores, positive, 0.5)
    assert (precision, recall, net) == (pytest.approx(2 / 3), pytest.approx(2 / 3), 1)
    assert detection(scores, positive, 0.95) == (0.0, 0.0, 0)


def test_tally_splits_missed_speech_where_one_and_where_two_talk():
    from overlap_eval import STEP, tally
    ref = speaker_counts([(0.0, 2.0, "A"), (1.0, 3.0, "B")], 4.0)      # two talk 1-2 s
    hyp = speaker_counts([(0.0, 1.5, 0)], 4.0)                        # one label, 0-1.5 s
    vad = speaker_counts([(0.0, 2.5)], 4.0) > 0
    out = {}
    tally(out, ref, hyp, vad)
    assert out["ref_time"] == pytest.approx(4.0) and out["beyond_first"] == pytest.approx(1.0)
    assert out["missed_alone"] == pytest.approx(1.0)          # 2-3 s, B alone, no output
    assert out["missed_overlap"] == pytest.approx(0.5)        # 1.5-2 s both missed, beyond the floor
    assert out["alone_vad_missed"] == pytest.approx(0.5)      # 2.5-3 s
    assert out["hyp_overlap"] == 0.0 and STEP == 0.01
