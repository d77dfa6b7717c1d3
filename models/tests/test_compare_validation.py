"""Tests for the paired bootstrap of models/compare_validation.py."""

import numpy as np

from compare_validation import paired_interval, set_ders


def errors(rate, n=30, seed=0):
    rng = np.random.default_rng(seed)
    total = rng.uniform(30, 60, size=n)
    return {"2spk": np.stack([rate * total * rng.uniform(0.5, 1.5, size=n), total], axis=1)}


def test_set_der_pools_seconds_over_calls():
    e = {"x": np.array([[1.0, 10.0], [3.0, 30.0], [0.0, 60.0]])}
    assert set_ders(e)["x"] == 4.0
    assert set_ders(e, {"x": np.array([1, 1])})["x"] == 10.0


def test_identical_models_give_an_interval_of_zero():
    a = errors(0.1)
    assert paired_interval(a, a, n=200) == (0.0, 0.0, 0.0)


def test_a_model_better_on_every_call_is_resolved():
    a = errors(0.1)
    b = {k: v * np.array([0.8, 1.0]) for k, v in a.items()}    # 20 % less error on each call
    low, high, better = paired_interval(a, b, n=500)
    assert high < 0 and better == 1.0
    assert low < set_ders(b)["2spk"] - set_ders(a)["2spk"] < high


def test_cache_scores_a_model_once_and_tells_models_apart(tmp_path, monkeypatch):
    import compare_validation
    scored = []

    def fake(prefix, sets, threads=2):
        scored.append(prefix)
        return {n: np.full((3, 2), float(len(scored))) for n in sets}

    monkeypatch.setattr(compare_validation, "set_errors", fake)
    for name, body in (("a", b"one"), ("b", b"two")):
        for part in ("-encoder.onnx", "-decoder.onnx"):
            (tmp_path / (name + part)).write_bytes(body)
    a, b, cache = str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "cache")
    sets = {"2spk": None, "long": None}
    first = compare_validation.cached_errors(a, sets, "48 5-16", cache)
    again = compare_validation.cached_errors(a, sets, "48 5-16", cache)
    assert scored == [a] and all(np.array_equal(first[n], again[n]) for n in sets)
    compare_validation.cached_errors(b, sets, "48 5-16", cache)
    compare_validation.cached_errors(a, sets, "96 17-40", cache)      # other calls: scored again
    assert scored == [a, b, a]
