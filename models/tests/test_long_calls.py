"""long_calls.py diarizes long calls through onnxruntime and scores them whole and in windows."""

import torch

import long_calls
import synth
from export import export
from model import ModelConfig, Diarizer


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
                     "--seeds", "1,2", "--seconds", "20", "--threads", "1", "--max-speakers", "2",
                     "--render", str(tmp_path / "calls")])
    out = capsys.readouterr().out
    rows = [l for l in out.splitlines() if l.strip().split(" ")[0] in ("1", "2")]
    assert len(rows) == 2
    assert "at most 2 speakers a call" in out
    for seed in (1, 2):       # the rendered call, its reference and the capped hypothesis
        base = tmp_path / "calls" / f"long-{seed}"
        assert base.with_suffix(".wav").stat().st_size > 20 * 16000 * 2
        assert base.with_suffix(".rttm").read_text().startswith(f"SPEAKER long-{seed} 1 ")
        assert len({l.split()[7] for l in (tmp_path / "calls" / f"long-{seed}.hyp.rttm").read_text().splitlines()}) <= 2


def test_single_chunks_diarizes_each_chunk_as_a_call_of_its_own():
    import numpy as np
    from prompts import ChunkOutput

    class OneVoiceModel:                  # hears one speaker through every whole chunk
        cfg = ModelConfig()
        calls = []

        def run_chunks(self, inputs, n_prompted):
            self.calls.append(list(n_prompted))
            return [ChunkOutput([(0.0, 8.0, 0, 0.9)]) for _ in inputs]

    m = OneVoiceModel()
    audio = np.zeros(2 * m.cfg.chunk_samples, dtype=np.float32)
    ref = [(0.0, 4.0, "a"), (4.0, 8.0, "b"), (8.0, 16.0, "b")]
    c, t = long_calls.single_chunks(m.cfg, m, audio, ref)
    assert m.calls == [[0, 0]]            # both chunks in one run, neither prompted
    # chunk 0: b's 4 s (less the collar at 4.0 and 8.0) go to the label mapped to a;
    # chunk 1: one speaker, one label, no confusion although the call's a and b differ
    assert 3.0 < c < 4.0 and 14.0 < t < 16.0
