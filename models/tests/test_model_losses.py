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
