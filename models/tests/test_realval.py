"""realval.py: real validation only for models that never heard its voices, scored with
the app's speech gate; train.py falls back to synthetic validation alone, saying why."""
import numpy as np
import pytest

import realsets
import realval
import train
from model import ModelConfig
from prompts import ChunkOutput, build_input

BOTH = ",".join(realsets.FISH_IDENTITIES)


class HalfSpeech:
    """A VAD that hears speech in the first half of whatever it is given."""

    def probabilities(self, audio, sample_rate):
        n = audio.shape[1] // (512 if sample_rate == 16000 else 256)
        return np.tile((np.arange(n) < n // 2).astype(np.float32), (audio.shape[0], 1))


class NoSpeech:
    """A VAD that hears no speech at all: the gate then drops every segment."""

    def probabilities(self, audio, sample_rate):
        return np.zeros((audio.shape[0], audio.shape[1] // (512 if sample_rate == 16000 else 256)), np.float32)


def silent_model(inputs, n_prompted):
    return [ChunkOutput([], None) for _ in inputs]


def real_corpus(tmp_path):
    """A fake training corpus of four real voices: tone0 and tone1 one person (family a)."""
    import synth
    path = tmp_path / "corpus_train.npz"
    synth.write_fake_corpus(str(path), n_speakers=4, utts_per_speaker=24)
    with np.load(path) as z:
        t = {k: z[k] for k in z.files}
    t["speaker_kind"] = np.array(["real"] * 4)
    t["speaker_family"] = np.array(["a", "a", "b", "c"])
    np.savez(path, **t)
    return tmp_path


def test_only_a_model_that_never_heard_both_leads_is_validated_on_the_fish():
    assert realval.unseen(BOTH)
    assert realval.unseen("someone," + BOTH)
    assert not realval.unseen(realsets.FISH_IDENTITIES[0])
    assert not realval.unseen("")


def test_held_out_training_voices_count_only_with_their_whole_family(tmp_path):
    corpus = str(real_corpus(tmp_path) / "corpus_train.npz")
    assert realval.unseen_voices("tone0,tone2,tone3", corpus) == ["tone2", "tone3"]     # tone1 is tone0
    assert realval.unseen_voices("tone0,tone1,tone2", corpus) == ["tone0", "tone1", "tone2"]


def test_dialogues_between_held_out_voices_are_the_validation(tmp_path, monkeypatch):
    cache = real_corpus(tmp_path)
    monkeypatch.setattr(realval, "VOICE_DIALOGUES", 3)
    items = realval.validation_items("tone2,tone3", str(cache))
    assert len(items) == 3 and all(fid.startswith("held-out-train") for fid, _, _ in items)
    assert {spk for _, _, ref in items for _, _, spk in ref} == {"tone2", "tone3"}
    with pytest.raises(ValueError, match="never heard"):
        realval.validation_items("tone0,tone2", str(cache))       # one whole family: nobody to talk to


def test_monologues_are_of_the_voices_it_never_heard_one_at_a_time(tmp_path):
    cache = real_corpus(tmp_path)
    items = realval.validation_monologues("tone0,tone2", str(cache), n=4)
    assert [sorted({spk for _, _, spk in ref}) for _, _, ref in items] == [["tone2"]] * 4   # tone0's family is heard
    assert all(fid.startswith("held-out-single") for fid, _, _ in items)
    with pytest.raises(ValueError, match="never heard"):
        realval.validation_monologues("tone0", str(cache), n=2)


def test_gated_gives_each_chunk_the_vads_speech():
    cfg = ModelConfig()
    x = np.stack([build_input(cfg, np.zeros(cfg.chunk_samples, np.float32), [])] * 2)
    outs = realval.gated(silent_model, cfg, HalfSpeech())(x, [0, 0])
    for o in outs:
        assert len(o.speech) == 1
        a, b = o.speech[0]
        assert a == 0.0 and abs(b - cfg.chunk_seconds / 2) < 0.1


def test_a_model_that_finds_nobody_misses_everything():
    cfg = ModelConfig()
    audio = np.zeros(20 * realsets.SR, dtype=np.float32)
    items = [("f", audio, [(1.0, 4.0, "a"), (6.0, 9.0, "b")])]
    d = realval.real_der(silent_model, cfg, items, HalfSpeech())
    assert d[0.0] == pytest.approx(1.0) and d[0.25] == pytest.approx(1.0)


def test_training_goes_on_without_real_validation_it_cannot_have(tmp_path, capsys):
    mcfg = ModelConfig()
    tcfg = train.TrainConfig(corpus_dir=str(tmp_path))
    mcfg.held_out = ""
    assert train.real_validation(tcfg, mcfg) == ([], None)           # heard the fish: not asked
    mcfg.held_out = BOTH
    assert train.real_validation(tcfg, mcfg) == ([], None)           # no Fish Fillets data here
    assert "no real validation" in capsys.readouterr().out


def test_threshold_grid_defaults_to_the_checkpoints_own_values():
    cfg = ModelConfig(match_threshold=0.4, merge_threshold=0.7)
    only = realval.settings(cfg, "", "")
    assert [(c.match_threshold, c.merge_threshold) for _, c in only] == [(0.4, 0.7)]
    grid = realval.settings(cfg, "0.3,0.5", "0.6")
    assert [(c.match_threshold, c.merge_threshold) for _, c in grid] == [(0.3, 0.6), (0.5, 0.6)]
    assert grid[0][0] == "match 0.3 merge 0.6" and cfg.match_threshold == 0.4      # the model's own untouched


def test_any_other_recipe_value_can_be_varied_in_the_grid():
    cfg = ModelConfig(match_threshold=0.4, merge_threshold=0.7, nested_share=2.0, recluster_pieces=0)
    grid = realval.settings(cfg, "", "0.6,0.7", ["nested_share=2.0,0.6", "recluster_pieces=256"])
    assert [(c.merge_threshold, c.nested_share, c.recluster_pieces) for _, c in grid] == [
        (0.6, 2.0, 256), (0.6, 0.6, 256), (0.7, 2.0, 256), (0.7, 0.6, 256)]
    assert isinstance(grid[0][1].recluster_pieces, int)                # a field keeps its type
    assert grid[1][0] == "match 0.4 merge 0.6 nested_share 0.6 recluster_pieces 256"
    for bad in (["no_such_field=1"], ["nested_share"]):
        with pytest.raises(ValueError, match="FIELD=V1,V2"):
            realval.settings(cfg, "", "", bad)


def test_like_takes_an_exported_models_recipe_but_keeps_what_the_checkpoint_never_heard(tmp_path):
    import torch
    from export import export
    from model import Diarizer
    torch.manual_seed(0)
    shipped = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, dropout=0.0, model_id="like",
                          match_threshold=0.33, recluster_pieces=64, recluster_new_speakers="bank")
    export(Diarizer(shipped).eval(), str(tmp_path / "m"))
    snapshot = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, held_out=BOTH)
    assert realval.recipe(snapshot, "") is snapshot
    cfg = realval.recipe(snapshot, str(tmp_path / "m"))
    assert (cfg.match_threshold, cfg.recluster_pieces, cfg.recluster_new_speakers) == (0.33, 64, "bank")
    assert cfg.held_out == BOTH and realval.unseen(cfg.held_out)


def small_held_out_run(tmp_path, monkeypatch, *flags):
    """A tiny training run that held its two voices out, its real validation one dialogue
    that a gate hearing nothing scores at DER 1; returns (run folder, evaluation records)."""
    import json
    import synth
    for split in ("train", "val"):
        synth.write_fake_corpus(str(tmp_path / f"corpus_{split}.npz"), n_speakers=4, utts_per_speaker=6)
    audio = np.zeros(10 * realsets.SR, dtype=np.float32)
    monkeypatch.setattr(realsets, "FISH_IDENTITIES", ("tone0", "tone1"))
    monkeypatch.setattr(realval, "validation_items", lambda held_out, cache_dir: [("d", audio, [(1.0, 4.0, "a")])])
    monkeypatch.setattr(realval, "load_vad", lambda: NoSpeech())
    out = tmp_path / "run"
    train.main([f"--out={out}", f"--corpus_dir={tmp_path}", "--init_from=none", "--held_out=tone0,tone1",
                "--speed_factors=", "--d_model=32", "--n_heads=2", "--enc_layers=1", "--dec_layers=1",
                "--batch_size=2", "--workers=0", "--eval_interval=2", "--val_calls=1",
                "--autocast_bf16=false", "--log_interval=1", *flags])
    return out, [r for r in map(json.loads, open(out / "log.jsonl")) if "val_der_collar025" in r]


def test_a_run_that_held_the_leads_out_is_validated_on_real_dialogue_as_it_trains(tmp_path, monkeypatch):
    import os
    out, evals = small_held_out_run(tmp_path, monkeypatch, "--max_iters=2")
    assert evals and evals[-1]["real_val_der_collar025"] == pytest.approx(1.0) and evals[-1]["best_real"]
    assert os.path.exists(out / "best_real.pt")


def test_the_mean_of_the_last_snapshots_is_validated_too(tmp_path, monkeypatch):
    import torch
    out, evals = small_held_out_run(tmp_path, monkeypatch, "--max_iters=4", "--tail_snaps=3")
    assert "real_val_tail_der_collar025" not in evals[0]          # one snapshot: nothing to average yet
    assert evals[1]["tail_snaps"] == 2 and evals[1]["best_tail"]
    tail = torch.load(out / "best_tail.pt", weights_only=False)
    snaps = [torch.load(out / f"snap-{i}.pt", weights_only=False)["model"] for i in (2, 4)]
    key = next(k for k, v in tail["model"].items() if v.is_floating_point() and v.dim() == 2)
    assert torch.allclose(tail["model"][key], (snaps[0][key] + snaps[1][key]) / 2, atol=1e-6)
    assert not torch.allclose(snaps[0][key], snaps[1][key])
    assert tail["iter"] == 4 and tail["real_der"] == pytest.approx(1.0)
