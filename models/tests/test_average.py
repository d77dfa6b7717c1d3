"""Tests for models/average.py: weight averaging of checkpoints."""

import dataclasses

import pytest
import torch

from average import average_states, held_out_by, held_out_of, mean_states


def state(seed, classes=5):
    g = torch.Generator().manual_seed(seed)
    return {"enc.weight": torch.randn(4, 3, generator=g), "spk_classes": torch.randn(classes, 8, generator=g),
            "steps": torch.tensor([seed])}


def test_ends_and_middle():
    a, b = state(0), state(1)
    assert torch.equal(average_states(a, b, 0.0)["enc.weight"], a["enc.weight"])
    assert torch.allclose(average_states(a, b, 1.0)["enc.weight"], b["enc.weight"])
    mid = average_states(a, b, 0.25)["enc.weight"]
    assert torch.allclose(mid, 0.75 * a["enc.weight"] + 0.25 * b["enc.weight"])


def test_bf16_checkpoint_is_averaged_in_float32():
    a, b = state(0), state(1)
    b = {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in b.items()}
    out = average_states(a, b, 0.5)
    assert out["enc.weight"].dtype == torch.float32
    assert torch.equal(out["steps"], a["steps"])


def test_classifier_of_other_identities_is_dropped():
    out = average_states(state(0, classes=5), state(1, classes=9), 0.5)
    assert "spk_classes" not in out and "enc.weight" in out
    assert "spk_classes" in average_states(state(0), state(1), 0.5)


def test_other_networks_are_refused():
    a, b = state(0), state(1)
    b["enc.weight"] = torch.zeros(4, 4)
    with pytest.raises(ValueError, match="not one network"):
        average_states(a, b, 0.5)
    del b["enc.weight"]
    with pytest.raises(ValueError, match="differ in parameters"):
        average_states(a, b, 0.5)
    with pytest.raises(ValueError, match="not in"):
        average_states(state(0), state(1), 1.5)


def test_the_result_never_heard_only_what_every_contributing_checkpoint_held_out():
    fish = {"model_config": {"held_out": "small_fish,big_fish"}}
    heard = {"model_config": {"held_out": ""}}
    one = {"model_config": {"held_out": "big_fish,armelle"}}
    assert held_out_of(heard, fish, 1.0) == "small_fish,big_fish"      # B alone: its own
    assert held_out_of(fish, heard, 0.0) == "small_fish,big_fish"
    assert held_out_of(heard, fish, 0.5) == ""                         # A heard them
    assert held_out_of(fish, one, 0.5) == "big_fish"


def test_the_mean_of_many_gives_each_the_same_share():
    states = [state(i) for i in range(4)]
    out = mean_states(states)
    assert torch.allclose(out["enc.weight"], sum(s["enc.weight"] for s in states) / 4, atol=1e-6)
    assert not torch.allclose(out["enc.weight"], average_states(states[2], states[3], 0.5)["enc.weight"])
    assert torch.equal(out["steps"], states[0]["steps"])
    assert torch.equal(mean_states(states[:1])["enc.weight"], states[0]["enc.weight"])
    with pytest.raises(ValueError, match="no checkpoints"):
        mean_states([])


def test_the_mean_never_heard_only_what_all_held_out():
    fish = {"model_config": {"held_out": "small_fish,big_fish"}}
    one = {"model_config": {"held_out": "big_fish,armelle"}}
    assert held_out_by([fish, fish, fish]) == "small_fish,big_fish"
    assert held_out_by([fish, fish, one]) == "big_fish"


def test_without_an_exported_model_the_first_checkpoints_own_recipe_is_kept():
    from average import recipe_config
    from model import ModelConfig
    own = dict(dataclasses.asdict(ModelConfig(match_threshold=0.33, n_train_speakers=9)), retired_key=1)
    cfg = recipe_config("", own)
    assert cfg.match_threshold == 0.33 and cfg.n_train_speakers == 0
