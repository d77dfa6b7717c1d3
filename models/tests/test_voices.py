"""Tests for models/voices.py on the tiny fake corpus of synth.write_fake_corpus."""

import numpy as np
import pytest

import synth
from corpus import load_corpus
from voices import TrainingVoices, speed_perturb

SR = 16000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("corpus") / "corpus_fake.npz")
    synth.write_fake_corpus(path, n_speakers=4, utts_per_speaker=3)
    return load_corpus(path)


def pitch_hz(x):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    lo = int(60 * len(x) / SR)
    return (lo + int(np.argmax(spec[lo:int(400 * len(x) / SR)]))) * SR / len(x)


def test_copies_are_new_identities_with_their_own_family(corpus):
    v = TrainingVoices(corpus, factors=(0.9, 1.1), held_out=())
    assert v.num_speakers == 12
    assert v.speaker_name[4] == "tone0@0.9" and v.speaker_name[11] == "tone3@1.1"
    assert len(set(v.speaker_family)) == 12
    assert v.speaker_gender[5] == corpus.speaker_gender[1]


def test_copy_is_faster_and_higher(corpus):
    v = TrainingVoices(corpus, factors=(0.9, 1.1), held_out=())
    u = int(corpus.speaker_utts[2][0])
    orig, fast = v.utterance(u), v.utterance(u + 2 * len(corpus))
    assert len(fast) == pytest.approx(len(orig) / 1.1, abs=2)
    assert pitch_hz(fast) == pytest.approx(1.1 * pitch_hz(orig), rel=0.03)


def test_held_out_voice_and_its_copies_are_never_drawn(corpus):
    v = TrainingVoices(corpus, factors=(0.9,), held_out=("tone1",))
    assert [len(v.speaker_utts[i]) for i in (1, 5)] == [0, 0]
    s = synth.CallSynth(v, synth.SynthConfig(p_noise=0.0, p_reverb=0.0))
    names = {n for seed in range(20) for n in s.make_call(np.random.default_rng(seed), n_speakers=3).speaker_names}
    assert not {"tone1", "tone1@0.9"} & names
    assert "tone0@0.9" in names or "tone2@0.9" in names


def test_unknown_held_out_name_is_refused(corpus):
    with pytest.raises(ValueError, match="nobody"):
        TrainingVoices(corpus, held_out=("nobody",))


def test_speed_one_is_identity():
    x = np.arange(10, dtype=np.float32)
    assert speed_perturb(x, 1.0) is x


def test_weights_that_heard_a_voice_never_count_it_as_held_out():
    from train import TrainConfig, held_out_of
    t = TrainConfig(held_out="a,b")
    assert held_out_of(t, None) == "a,b"                                   # from scratch
    assert held_out_of(t, {"model_config": {"held_out": "a,b"}}) == "a,b"  # resumed: still unheard
    assert held_out_of(t, {"model_config": {"held_out": "b"}}) == "b"      # started from weights that heard a
    assert held_out_of(t, {"model_config": {}}) == ""                      # the shipped model heard both
