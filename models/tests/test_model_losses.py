"""Tests for the training losses of models/model.py."""

import torch
import torch.nn.functional as F

from model import aam_loss


def test_aam_loss_is_fp32_under_bf16_autocast():
    # On CUDA, autocast made the class product bf16 while acos stayed fp32, and the
    # margin's scatter refused the mix; the loss now runs outside autocast everywhere.
    g = torch.Generator().manual_seed(0)
    emb = F.normalize(torch.randn(32, 16, generator=g), dim=-1)
    classes = torch.randn(5, 16, generator=g)
    targets = torch.randint(0, 5, (32,), generator=g)
    want = aam_loss(emb, targets, classes, margin=0.1)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        got = aam_loss(emb, targets, classes, margin=0.1)
    assert got.dtype == torch.float32
    assert torch.allclose(got, want, atol=1e-6)


def test_activity_loss_weighs_only_the_overlapped_frames():
    from train import activity_loss
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 5, 6, generator=g)
    act = torch.zeros(2, 5, 6)
    act[0, 1, 0] = 1.0                       # one speaker
    act[1, 3, 0] = act[1, 3, 2] = 1.0        # two at once: the one overlapped frame
    plain = F.binary_cross_entropy_with_logits(logits, act)
    assert torch.allclose(activity_loss(logits, act), plain)
    per = F.binary_cross_entropy_with_logits(logits, act, reduction="none")
    extra = 2.0 * per[1, 3].sum() / per.numel()   # weight 3: that frame counts twice more
    assert torch.allclose(activity_loss(logits, act, 3.0), plain + extra)
