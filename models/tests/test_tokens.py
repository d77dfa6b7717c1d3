"""Token grammar: round trip, quantization, and the decoding masks."""

import numpy as np

from tokens import TokenSpec

tk = TokenSpec()


def test_round_trip_quantized_segments():
    segs = [(0.0, 1.23, 0), (0.95, 2.0, 1), (3.04, 7.99, 0), (5.0, 6.0, 2)]
    toks = tk.encode(segs)
    assert toks[0] == tk.sod and toks[-1] == tk.eos and len(toks) == 2 + 3 * 4
    back = tk.decode(toks)
    expect = sorted((round(round(s / 0.1) * 0.1, 3), round(round(e / 0.1) * 0.1, 3), l) for s, e, l in segs)
    assert [(s, e, l) for s, e, l, _ in back] == expect
    assert all(c == 1.0 for *_, c in back)


def test_segments_vanishing_after_quantization_are_dropped_and_times_clipped():
    toks = tk.encode([(1.01, 1.04, 0), (-0.5, 9.5, 1)])
    assert tk.decode(toks)[0][:3] == (0.0, 8.0, 1)
    assert len(tk.decode(toks)) == 1


def test_truncates_to_max_segments():
    segs = [(i * 0.3, i * 0.3 + 0.2, 0) for i in range(26)]
    assert len(tk.decode(tk.encode(segs))) == tk.max_segments


def test_confidence_is_geometric_mean_of_token_probs():
    toks = tk.encode([(1.0, 2.0, 0)])
    probs = [1.0, 0.5, 0.5, 0.125, 1.0]
    conf = tk.decode(toks, probs)[0][3]
    assert abs(conf - (0.5 * 0.5 * 0.125) ** (1 / 3)) < 1e-9


def test_grammar_masks():
    # after SOD: EOS or any start except the last bin
    m = tk.allowed_next([tk.sod], n_prompted=0)
    assert m[tk.eos] and m[tk.time0] and not m[tk.time0 + tk.n_bins - 1] and not m[tk.spk0]
    # after a start at bin 10: only ends > 10
    m = tk.allowed_next([tk.sod, tk.time0 + 10], 0)
    assert not m[tk.time0 + 10] and m[tk.time0 + 11] and not m[tk.eos] and not m[tk.spk0]
    # speaker position: with no prompts only label 0 is allowed first
    m = tk.allowed_next([tk.sod, tk.time0 + 10, tk.time0 + 20], 0)
    assert m[tk.spk0] and not m[tk.spk0 + 1]
    # with two prompted speakers labels 0, 1 and the new label 2 are allowed
    m = tk.allowed_next([tk.sod, tk.time0 + 10, tk.time0 + 20], 2)
    assert m[tk.spk0: tk.spk0 + 3].all() and not m[tk.spk0 + 3]
    # next start must not go back in time; EOS allowed after a complete triple
    m = tk.allowed_next([tk.sod, tk.time0 + 10, tk.time0 + 20, tk.spk0], 0)
    assert m[tk.eos] and not m[tk.time0 + 9] and m[tk.time0 + 10]
    # after EOS only PAD
    m = tk.allowed_next([tk.sod, tk.eos], 0)
    assert m.sum() == 1 and m[tk.pad]


def test_random_grammatical_walks_decode_to_valid_segments():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n_prompted = int(rng.integers(0, 4))
        seq = [tk.sod]
        while seq[-1] not in (tk.eos, tk.pad) and len(seq) < tk.max_len:
            allowed = np.flatnonzero(tk.allowed_next(seq, n_prompted))
            seq.append(int(rng.choice(allowed)))
        segs = tk.decode(seq)
        assert len(segs) == (len(seq) - 2) // 3
        starts = [s for s, *_ in segs]
        assert starts == sorted(starts)
        assert all(e > s for s, e, *_ in segs)
        seen = n_prompted
        for *_, lab, _c in segs:
            assert lab <= seen
            seen = max(seen, lab + 1)
