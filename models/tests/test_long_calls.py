"""long_calls.py diarizes long calls through onnxruntime and scores them whole and in windows."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import long_calls                              # noqa: E402
import synth                                   # noqa: E402
from export import export                      # noqa: E402
from model import ModelConfig, Diarizer        # noqa: E402


def test_windowed_confusion_forgives_a_label_swap_between_windows():
    ref = [(0.0, 8.0, "a"), (8.0, 16.0, "b"), (16.0, 24.0, "a")]
    hyp = [(0.0, 8.0, "x"), (8.0, 16.0, "x"), (16.0, 24.0, "y")]     # one label per window, wrong across them
    c, t, _ = long_calls.confusion(ref, hyp)
    wc, wt = long_calls.windowed(ref, hyp, 8.0, 24.0)
    assert c > 0 and wc == 0 and abs(t - wt) < 1.0


def test_main_prints_a_row_per_seed(tmp_path, capsys):
    torch.manual_seed(0)
    prefix = str(tmp_path / "m")
    export(Diarizer(ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, model_id="long-smoke")).eval(), prefix)
    corpus = tmp_path / "corpus_val.npz"
    synth.write_fake_corpus(corpus, n_speakers=4)
    long_calls.main(["--model", prefix, "--corpus", str(corpus), "--noise", str(tmp_path / "none.npz"),
                     "--seeds", "1,2", "--seconds", "20", "--threads", "1"])
    rows = [l for l in capsys.readouterr().out.splitlines() if l.strip().split(" ")[0] in ("1", "2")]
    assert len(rows) == 2
