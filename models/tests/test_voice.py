"""The voice network: frames line up with the encoder's, silence does not move the
channel mean, training windows hold one voice, and a graft carries the weights."""

import numpy as np
import torch

from model import ModelConfig, Diarizer, VoiceNet
from voice import VOICE_FIELDS, compact, graft, window_means


def test_frames_line_up_with_the_encoder():
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, voice_channels=16)
    model = Diarizer(cfg).eval()
    for n_frames in (cfg.n_frames, cfg.window_n_frames):
        feats = torch.randn(1, n_frames, cfg.n_mels)
        with torch.no_grad():
            mem, _ = model.encode(feats)
            assert model.voice(feats).shape[1] == mem.shape[1]


def test_a_louder_channel_gives_the_same_embedding():
    # the sliding mean removes a constant offset of the log-mel frames (a gain or a
    # fixed colouring of the channel), but only where there is audio: the digital
    # silence of prompt padding stays out of the mean
    torch.manual_seed(0)
    net = VoiceNet(ModelConfig(voice_channels=16)).eval()
    feats = torch.randn(1, 800, 80) - 4.0
    feats[:, 300:400] = np.log(1e-6)                       # a padded stretch
    coloured = feats.clone()
    coloured[:, :300] += torch.linspace(-2, 2, 80)           # a channel tilt over the mel bins
    coloured[:, 400:] += torch.linspace(-2, 2, 80)
    with torch.no_grad():
        a, b = net(feats), net(coloured)
    far = slice(0, 10)      # frames whose 3 s mean sees only audio (the rest sees the pad's edge too)
    np.testing.assert_allclose(a[:, far].numpy(), b[:, far].numpy(), atol=1e-4)
    assert not torch.allclose(net(feats + torch.randn_like(feats)), a, atol=1e-2)


def test_windows_hold_one_identity_throughout():
    emb = torch.nn.functional.normalize(torch.randn(1, 30, 4), dim=-1)
    spk = torch.tensor([[3] * 12 + [5] * 6 + [-100] * 6 + [5] * 6])
    e, ids = window_means(emb, spk, width=12, stride=6)
    assert ids.tolist() == [3]                   # windows at 6 and 12 mix voices, 18 a gap
    np.testing.assert_allclose(e[0].numpy(), torch.nn.functional.normalize(emb[0, :12].mean(0), dim=0).numpy(),
                               atol=1e-6)


def test_graft_puts_the_voice_network_into_a_diarizer(tmp_path):
    torch.manual_seed(1)
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1)
    base = Diarizer(cfg)
    torch.save({"model": base.state_dict(), "iter": 7, "model_config": vars(cfg).copy()}, tmp_path / "d.pt")
    vcfg = ModelConfig(voice_channels=16)
    net = VoiceNet(vcfg)
    torch.save({"net": net.state_dict(), "iter": 3, "train_config": {},
                "model_config": {k: getattr(vcfg, k) for k in VOICE_FIELDS}}, tmp_path / "v.pt")
    graft(str(tmp_path / "d.pt"), str(tmp_path / "v.pt"), str(tmp_path / "g.pt"))

    from export import load_checkpoint
    model = load_checkpoint(str(tmp_path / "g.pt"))
    assert model.cfg.voice_channels == 16
    feats = torch.randn(1, cfg.n_frames, cfg.n_mels)
    with torch.no_grad():
        mem, _ = model.encode(feats)
        np.testing.assert_allclose(model.speaker_embeddings(mem, feats).numpy(), net.eval()(feats).numpy(), atol=1e-5)
        mem0, _ = base.eval().encode(feats)
        np.testing.assert_allclose(mem.numpy(), mem0.numpy(), atol=1e-5)     # the diarizer itself is untouched


def test_aam_loss_is_softmax_of_scaled_cosines_plus_a_margin():
    from model import aam_loss
    torch.manual_seed(2)
    emb = torch.nn.functional.normalize(torch.randn(8, 4), dim=-1)
    classes, targets = torch.randn(3, 4), torch.randint(0, 3, (8,))
    cos = emb @ torch.nn.functional.normalize(classes, dim=-1).T
    plain = torch.nn.functional.cross_entropy(cos * 30.0, targets)
    assert torch.allclose(aam_loss(emb, targets, classes, margin=0.0), plain, atol=1e-4)
    assert aam_loss(emb, targets, classes, margin=0.2) > plain      # the margin makes the target harder


def test_compact_keeps_the_weights_in_bf16_without_the_optimizer(tmp_path):
    torch.manual_seed(3)
    vcfg = ModelConfig(voice_channels=16)
    net = VoiceNet(vcfg).eval()
    classes = torch.randn(5, vcfg.spk_dim)
    opt = torch.optim.AdamW(list(net.parameters()), lr=1e-3)
    torch.save({"net": net.state_dict(), "classes": classes, "optim": opt.state_dict(), "iter": 40,
                "best_eer": 0.25, "model_config": {k: getattr(vcfg, k) for k in VOICE_FIELDS}, "train_config": {}},
               tmp_path / "full.pt")
    compact(str(tmp_path / "full.pt"), str(tmp_path / "small.pt"))
    s = torch.load(tmp_path / "small.pt", weights_only=False)
    assert "optim" not in s and s["iter"] == 40 and s["best_eer"] == 0.25
    assert all(v.dtype == torch.bfloat16 for v in s["net"].values() if v.is_floating_point())
    again = VoiceNet(vcfg).eval()
    again.load_state_dict(s["net"])
    feats = torch.randn(1, 300, 80) - 4.0
    with torch.no_grad():       # bf16 keeps about three significant digits of each weight
        assert torch.nn.functional.cosine_similarity(again(feats), net(feats), dim=-1).min() > 0.99
