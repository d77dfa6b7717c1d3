"""The evaluation command runs end to end through onnxruntime and writes results.json."""
import json

import torch

import evaluate
import synth
from export import export
from model import ModelConfig, Diarizer


def test_evaluate_writes_results_for_every_set(tmp_path):
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, dropout=0.0, model_id="eval-smoke")
    prefix = str(tmp_path / "m")
    export(Diarizer(cfg).eval(), prefix)
    corpus = tmp_path / "corpus_test.npz"
    synth.write_fake_corpus(corpus, n_speakers=6)
    out = tmp_path / "results.json"
    render = tmp_path / "calls"
    evaluate.main(["--model", prefix, "--corpus", str(corpus), "--noise", str(tmp_path / "none.npz"),
                   "--out", str(out), "--limit", "2", "--render", str(render), "--threads", "1"])
    res = json.loads(out.read_text())
    assert res["model_id"] == "eval-smoke" and res["runtime"] == "onnxruntime"
    for name in ("2spk", "3spk", "prompted2", "2spk-model-labels", "2spk-no-recipe", "2spk-cap2", "3spk-cap3"):
        r = res[name]
        assert r["calls"] == 2
        assert r["der_collar0"] >= 0.0 and r["der_collar025"] >= 0.0
        assert r["hours"] > 0 and 0.0 <= r["jer"] <= 1.0
    # rendered calls come with reference and hypothesis RTTMs
    assert sorted(p.name for p in render.iterdir() if p.name.startswith("2spk-000")) == \
        ["2spk-000.hyp.rttm", "2spk-000.rttm", "2spk-000.wav"]
