"""Open-set identification measures on scores whose answer is known."""
import os

import numpy as np

import identify_eval as ie


def fold(scores, truth):
    return np.asarray(scores, dtype=np.float64), truth


def test_threshold_at_fa_accepts_at_most_that_share_of_non_targets():
    rng = np.random.default_rng(1)
    scores = rng.uniform(-1, 1, 10000)
    target = np.zeros(10000, dtype=bool)
    thr = ie.threshold_at_fa(scores, target, 0.01)
    assert np.mean(scores >= thr) <= 0.01
    assert np.mean(scores >= thr - 0.01) > 0.005


def test_measures_of_a_clean_open_set():
    # probes 0, 1: enrolled voices 0 and 1; probe 2: unknown, scoring low everywhere
    S, truth = fold([[0.9, 0.1], [0.2, 0.8], [0.3, 0.2]], [0, 1, -1])
    m = ie.measures([(S, truth)], threshold=0.5)
    assert m["eer"] == 0.0
    assert m["top1"] == 1.0
    assert m["named_right"] == 1.0 and m["named_wrong"] == 0.0
    assert m["unknown_named"] == 0.0
    assert (m["probes_enrolled"], m["probes_unknown"], m["target_trials"]) == (2, 1, 2)


def test_an_unknown_voice_above_the_threshold_is_named():
    S, truth = fold([[0.9, 0.1], [0.7, 0.6]], [0, -1])
    m = ie.measures([(S, truth)], threshold=0.5)
    assert m["unknown_named"] == 1.0
    assert m["named_right"] == 1.0


def test_mfcc_statistics_are_standardized_over_what_is_compared():
    P, E = ie.standardized([[1.0, 100.0], [3.0, 300.0]], [[2.0, 200.0]])
    both = np.concatenate([P, E])
    assert np.allclose(both.mean(0), 0) and np.allclose(both.std(0), 1, atol=1e-6)


def voice(c, frames=100):
    """A profile whose cosine with ANA ([1, 0, 0]) is c and with BO ([0, 1, 0]) is 0 (as SpeakerIdentifierTest)."""
    return np.array([c, 0.0, np.sqrt(1 - c * c)]) * frames, frames


PRINTS = {"ana": np.array([1.0, 0, 0]), "bo": np.array([0, 1.0, 0])}


def test_identify_is_the_twin_of_the_java_rule():
    out = ie.identify({0: voice(0.8), 1: voice(0.5)}, PRINTS, {}, 0.6)
    assert list(out) == [0] and out[0][0] == "ana" and abs(out[0][1] - 0.8) < 1e-9
    assert ie.identify({0: voice(0.9, ie.MIN_PROFILE_FRAMES - 1)}, PRINTS, {}, 0.6) == {}
    named = ie.identify({0: voice(0.7)}, PRINTS, {}, 0.6)
    assert ie.identify({0: voice(0.575)}, PRINTS, named, 0.6)[0][0] == "ana"     # sticks within the hysteresis
    assert ie.identify({0: voice(0.5)}, PRINTS, named, 0.6) == {}                 # clearly below: dropped
    assert ie.identify({0: voice(0.575)}, PRINTS, {}, 0.6) == {}                  # never named at that score
    both = ie.identify({0: voice(0.7), 1: voice(0.9)}, PRINTS, {}, 0.6)
    assert list(both) == [1]                                                        # one label per speaker
    assert ie.identify({}, {"bo": PRINTS["bo"]}, {0: ("ana", 0.9)}, 0.6) == {}      # a deleted print
