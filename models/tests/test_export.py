"""ONNX graphs agree with PyTorch: encoder outputs, step logits and greedy tokens."""

import copy

import numpy as np
import pytest
import torch

from model import ModelConfig, Diarizer
from export import export, OnnxDiarizer, contract, config_from_metadata


@pytest.fixture(scope="module", params=[0, 32], ids=["encoder-voice", "voice-net"])
def exported(tmp_path_factory, request):
    """A tiny model whose voice embedding comes from the encoder, and one with a voice network."""
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=64, n_heads=2, enc_layers=1, dec_layers=2, dropout=0.0, model_id="parity-test",
                      voice_channels=request.param)
    model = Diarizer(cfg).eval()
    if model.voice is not None:      # running statistics away from 0/1, so export must carry them
        for m in model.voice.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    # random weights give near-uniform logits; sharpen them so greedy choices are not ties
    with torch.no_grad():
        model.head.weight.mul_(50)
    prefix = str(tmp_path_factory.mktemp("onnx") / "m")
    export(model, prefix, int8_window=False)     # float, to compare with PyTorch exactly
    return model, prefix


def test_metadata_round_trips_the_contract(exported):
    model, prefix = exported
    ort = OnnxDiarizer(prefix)
    meta = ort.enc.get_modelmeta().custom_metadata_map
    assert meta["streamdrz.graph"] == "encoder"
    assert ort.dec.get_modelmeta().custom_metadata_map["streamdrz.graph"] == "decoder"
    for k, v in contract(model.cfg).items():
        assert meta[k] == v
    back = config_from_metadata(meta)
    assert back.tokens == model.cfg.tokens and back.input_samples == model.cfg.input_samples


def test_logits_and_greedy_tokens_match(exported):
    model, prefix = exported
    ort = OnnxDiarizer(prefix)
    rng = np.random.default_rng(3)
    audio = (rng.standard_normal((3, model.cfg.input_samples)) * 0.05).astype(np.float32)
    feats = ort.features(audio)
    n_prompted = [0, 1, 2]

    with torch.no_grad():
        seqs_pt, _ = model.generate(torch.from_numpy(feats), n_prompted)
        mem, act_pt = model.encode(torch.from_numpy(feats))
        ck, cv = model.cross_kv(mem)
        emb_pt = model.speaker_embeddings(mem, torch.from_numpy(feats))
    ck_o, cv_o, act_o, emb_o = ort.enc.run(None, {"features": feats})
    np.testing.assert_allclose(ck_o, ck.numpy(), atol=1e-4)
    np.testing.assert_allclose(act_o, act_pt.numpy(), atol=1e-4)
    np.testing.assert_allclose(emb_o, emb_pt.numpy(), atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(emb_o, axis=-1), 1.0, atol=1e-4)

    seqs_o, _, logits_o = ort.generate(feats, n_prompted)
    assert seqs_o == seqs_pt
    # teacher-forced PyTorch logits along the ONNX-decoded sequence
    L = len(logits_o)
    toks = torch.tensor([s[:L] for s in seqs_o])
    with torch.no_grad():
        pk, pv = model.empty_cache(3)
        logits_pt, _, _ = model.decode_step(toks, 0, pk, pv, ck, cv)
    np.testing.assert_allclose(np.stack(logits_o, axis=1), logits_pt.numpy(), atol=2e-3, rtol=1e-3)
    assert any(len(s) > 4 for s in seqs_o), "decoding should produce some triples to compare"


def test_the_window_graph_is_the_encoder_on_a_shorter_input(exported):
    model, prefix = exported
    ort = OnnxDiarizer(prefix)
    cfg = model.cfg
    assert ort.window.get_modelmeta().custom_metadata_map["streamdrz.graph"] == "window"
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((2, cfg.window_input_samples)) * 0.05).astype(np.float32)
    with torch.no_grad():
        feats = torch.from_numpy(ort.features(x))
        mem, act = model.encode(feats)
        emb = model.speaker_embeddings(mem, feats).numpy()
    outs = ort.run_windows(x, [None, [(0.0, 1.0)]])
    assert outs[1].speech == [(0.0, 1.0)]
    for b, out in enumerate(outs):
        assert out.embeddings.shape == (cfg.n_enc, cfg.spk_dim)     # padded to a chunk's frames for the recipe
        np.testing.assert_allclose(out.embeddings[: emb.shape[1]], emb[b], atol=1e-4)
        assert not out.embeddings[emb.shape[1]:].any()
        on = 1 / (1 + np.exp(-act[b].numpy())) > cfg.live_activity_threshold
        covered = np.zeros_like(on)
        for s, e, k, _ in out.segments:
            covered[int(round(s / cfg.enc_frame_seconds)): int(round(e / cfg.enc_frame_seconds)), k] = True
        assert (covered == on).all()


def test_the_int8_window_graph_stays_close_to_the_float_one(exported, tmp_path):
    model, prefix = exported
    quantized = copy.deepcopy(model)         # export names its window graph in the model's config
    export(quantized, str(tmp_path / "q"), int8_window=True)
    cfg = model.cfg
    x = (np.random.default_rng(5).standard_normal((1, cfg.window_input_samples)) * 0.05).astype(np.float32)
    full = OnnxDiarizer(prefix).run_windows(x, [None])[0]
    small = OnnxDiarizer(str(tmp_path / "q")).run_windows(x, [None])[0]
    n = cfg.window_n_frames // (2 * cfg.stack)
    assert (full.embeddings[:n] * small.embeddings[:n]).sum(-1).min() > 0.9


def test_nested_share_round_trips_and_reads_as_off_when_absent():
    meta = contract(ModelConfig(nested_share=0.3))
    assert float(meta["streamdrz.overlap.nested_share"]) == 0.3
    assert config_from_metadata(meta).nested_share == 0.3
    del meta["streamdrz.overlap.nested_share"]
    assert config_from_metadata(meta).nested_share == 2.0      # files from before the key: nothing dropped


def test_a_restamp_sets_the_voice_bank_as_an_integer_and_carries_the_new_id_to_the_window(exported, tmp_path):
    import argparse
    import shutil
    from export import OVERRIDES, restamp
    _, prefix = exported
    for part in ("encoder", "decoder", "window"):         # the contract names the window file: same stem
        shutil.copy(f"{prefix}-{part}.onnx", tmp_path / f"m-{part}.onnx")
    a = argparse.Namespace(model_id="parity-test-c2", live_window_seconds=None, vad_file=None, ckpt=None,
                           **{f: None for f in OVERRIDES})
    a.recluster_pieces = 128.0                   # argparse gives floats
    a.recluster_new_speakers = "bank"
    restamp(str(tmp_path / "m"), a)
    r = OnnxDiarizer(str(tmp_path / "m"))
    meta = r.enc.get_modelmeta().custom_metadata_map
    assert meta["streamdrz.recluster.pieces"] == "128" and r.cfg.recluster_pieces == 128
    assert meta["streamdrz.recluster.new_speakers"] == "bank" and r.cfg.recluster_new_speakers == "bank"
    assert meta["streamdrz.model_id"] == "parity-test-c2"
    import onnx
    window = {p.key: p.value for p in onnx.load(str(tmp_path / "m-window.onnx")).metadata_props}
    assert window == {"streamdrz.model_id": "parity-test-c2", "streamdrz.graph": "window"}


def test_the_voice_bank_reads_as_off_in_a_file_without_its_keys():
    meta = contract(ModelConfig(recluster_pieces=64))
    assert config_from_metadata(meta).recluster_pieces == 64
    del meta["streamdrz.recluster.pieces"], meta["streamdrz.recluster.piece_seconds"]
    assert config_from_metadata(meta).recluster_pieces == 0


@pytest.mark.parametrize("field, value, absent, wrong", [("recluster_new_speakers", "bank", "stream", "Bank"),
                                                        ("final_relabel", "labels", "none", "always")])
def test_a_text_recipe_value_travels_reads_as_its_old_value_when_absent_and_refuses_other_words(field, value, absent,
                                                                                                wrong):
    key = "streamdrz." + field.replace("_", ".", 1)
    meta = contract(ModelConfig(**{field: value}))
    assert getattr(config_from_metadata(meta), field) == value
    meta[key] = wrong
    with pytest.raises(ValueError, match=key[len("streamdrz."):]):
        config_from_metadata(meta)
    del meta[key]
    assert getattr(config_from_metadata(meta), field) == absent


@pytest.mark.parametrize("field", ["recluster_merge_distance", "recluster_cepstral_weight", "final_cepstral_weight"])
def test_later_recipe_values_travel_in_the_contract_and_read_as_0_when_absent(field):
    meta = contract(ModelConfig(recluster_pieces=256, **{field: 0.4}))
    assert getattr(config_from_metadata(meta), field) == 0.4
    del meta["streamdrz." + field.replace("_", ".", 1)]
    assert getattr(config_from_metadata(meta), field) == 0.0


def test_compact_weights_are_bf16_and_load_back(tmp_path):
    from export import save_weights, load_checkpoint
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, dropout=0.0)
    model = Diarizer(cfg)
    from dataclasses import asdict
    torch.save({"model": model.state_dict(), "iter": 7, "best_der": 0.5, "model_config": asdict(cfg),
                "train_config": {}, "optim": {}}, tmp_path / "ckpt.pt")
    save_weights(str(tmp_path / "ckpt.pt"), str(tmp_path / "small.pt"), compact=True)
    state = torch.load(tmp_path / "small.pt", weights_only=False)
    assert "optim" not in state and all(v.dtype == torch.bfloat16 for v in state["model"].values() if v.is_floating_point())
    back = load_checkpoint(str(tmp_path / "small.pt"))
    w, w0 = back.state_dict(), model.state_dict()
    assert all(w[k].dtype == w0[k].dtype and torch.allclose(w[k], w0[k], atol=2e-2, rtol=1e-2) for k in w0)


def test_a_model_fed_the_vad_is_refused_rather_than_exported_wrong(tmp_path):
    model = Diarizer(ModelConfig(d_model=64, n_heads=2, enc_layers=1, dec_layers=1, vad_input=1))
    with pytest.raises(SystemExit, match="vad_input"):
        export(model, str(tmp_path / "m"))
    assert not list(tmp_path.iterdir())
