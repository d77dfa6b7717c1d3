"""evaluate_real.py end to end on a tiny exported model and synthetic items: every system
and both embedders are scored, RTTMs and renders are written, the table prints."""
import os

import numpy as np
import torch

import evaluate_real
import embedding_eval
from export import export, OnnxDiarizer
from model import ModelConfig, Diarizer
from test_baseline import two_voices


def test_evaluate_set_scores_every_system(tmp_path):
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, dropout=0.0, model_id="real-smoke")
    prefix = str(tmp_path / "m")
    export(Diarizer(cfg).eval(), prefix)
    model = OnnxDiarizer(prefix, threads=1)
    audio, ref = two_voices(np.random.default_rng(0))
    items = [("syn-0", audio.astype(np.float32), ref)]

    # the model's window embeddings are unit vectors, one per window, from the right chunk
    w = [(0.5, 1.5), (9.0, 10.0)]
    E = embedding_eval.model_embedder(model)(items[0][1], w)
    assert E.shape == (2, cfg.spk_dim) and np.allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)

    res, hyps = evaluate_real.evaluate_set(items, model)
    for system in ("model", "model-cap", "model-final", "baseline", "baseline-vad"):
        r = res[system]
        assert r["der_collar0"] >= 0 and 0 <= r["jer"] <= 1
        assert abs(r["missed_collar0"] + r["false_alarm_collar0"] + r["confusion_collar0"] - r["der_collar0"]) < 2e-4
    assert res["baseline"]["der_collar025"] < 0.05            # two easy voices, true count given
    assert res["embedding"]["mfcc"]["windows"] >= 10
    assert res["embedding"]["final"]["windows"] == res["embedding"]["model"]["windows"]

    evaluate_real.write_rttms(str(tmp_path / "rttm"), hyps)
    evaluate_real.render(str(tmp_path / "wav"), items)
    assert sorted(os.listdir(tmp_path / "rttm")) == ["syn-0.baseline.rttm", "syn-0.final.rttm", "syn-0.hyp.rttm"]
    assert sorted(os.listdir(tmp_path / "wav")) == ["syn-0.rttm", "syn-0.wav"]
    assert "syn" in evaluate_real.table({"sets": {"syn": res}})


def test_the_final_embedder_scores_window_pairs_as_the_final_pass_measures_pieces(tmp_path):
    import dataclasses
    import voicebank
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, dropout=0.0, model_id="final-smoke")
    export(Diarizer(cfg).eval(), str(tmp_path / "m"))
    model = OnnxDiarizer(str(tmp_path / "m"), threads=1)
    audio, _ = two_voices(np.random.default_rng(1))
    w = [(0.5, 1.5), (2.0, 3.0), (9.0, 10.0), (11.0, 12.0)]
    U = embedding_eval.model_embedder(model)(audio, w)
    assert np.allclose(embedding_eval.final_embedder(model)(audio, w), U)     # weight 0: the voice alone
    model.cfg = dataclasses.replace(model.cfg, final_cepstral_weight=0.5)
    E = embedding_eval.final_embedder(model)(audio, w)
    C, cs = cfg.chunk_seconds, cfg.chunk_samples
    rows = []
    for a, b in w:
        k = int(a // C)
        frames, centre = voicebank.cepstral_frames(cfg, audio[k * cs: (k + 1) * cs])
        rows.append(voicebank.cepstral_stats(frames, centre, a - k * C, b - k * C))
    want = (voicebank.distances([], U) + 0.5 * voicebank.cepstral_distances(rows)) / 1.5
    assert np.allclose(1.0 - E @ E.T, want, atol=1e-9)
    assert not np.allclose(E @ E.T, U @ U.T, atol=1e-3)


def test_false_alarm_outside_vad_counts_only_claims_past_speech():
    audio = np.zeros(10 * evaluate_real.SR, dtype=np.float32)
    ref, speech = [(1.0, 3.0, "a")], {"f": [(1.0, 4.0)]}
    # 3-4 s: no reference speaker but the VAD hears speech (a sound taken for speech);
    # 4-6 s: past the VAD's speech too (a segment kept whole): only that counts
    share = evaluate_real.false_alarm_outside_vad([("f", audio, ref)], {"f": [(1.0, 6.0, 0)]}, speech)
    assert abs(share - 2.0 / 2.0) < 0.01
    assert evaluate_real.false_alarm_outside_vad([("f", audio, ref)], {"f": [(1.0, 3.5, 0)]}, speech) == 0.0


def test_der_interval_spans_what_drawing_the_files_again_gives():
    import der
    same = {f"f{i}": der.Result(missed=0.1, total=1.0) for i in range(10)}
    low, high = evaluate_real.der_interval(same)
    assert abs(low - 0.1) < 1e-9 and abs(high - 0.1) < 1e-9         # alike files: no spread
    mixed = {**same, "bad": der.Result(missed=5.0, total=5.0)}      # one file all wrong
    low, high = evaluate_real.der_interval(mixed)
    pooled = (1.0 + 5.0) / 15.0
    assert low < pooled < high and low <= 0.1 + 1e-9 and high > 0.5
    assert all(x != x for x in evaluate_real.der_interval({"one": der.Result(total=1.0)}))
