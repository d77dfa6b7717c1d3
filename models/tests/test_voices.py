"""Tests for models/voices.py on the tiny fake corpus of synth.write_fake_corpus."""

import numpy as np
import pytest

import synth
from corpus import load_corpus
from scipy import signal

from voices import TrainingVoices, formant_shift, speed_perturb

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


def vowel(f0=150.0, formant=1000.0, seconds=2.0):
    """A buzz at f0 through one resonance: a pitch and a formant that can be read back."""
    t = np.arange(int(seconds * SR)) / SR
    b, a = signal.iirpeak(formant, 5, SR)
    x = signal.lfilter(b, a, signal.sawtooth(2 * np.pi * f0 * t))
    return (x / np.abs(x).max() * 0.5).astype(np.float32)


def autocorr_pitch_hz(x):
    x = x[: SR // 2] - x[: SR // 2].mean()
    r = np.correlate(x, x, "full")[len(x) - 1:]
    lo, hi = SR // 400, SR // 60
    return SR / (lo + int(np.argmax(r[lo:hi])))


def centroid_hz(x):
    p = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SR)
    band = (f > 300) & (f < 3000)
    return float((f[band] * p[band]).sum() / p[band].sum())


@pytest.mark.parametrize("factor", [0.88, 1.12])
def test_formant_shift_moves_the_envelope_and_keeps_the_pitch(factor):
    x = vowel()
    y = formant_shift(x, factor)
    assert len(y) == len(x)
    assert autocorr_pitch_hz(y) == pytest.approx(autocorr_pitch_hz(x), rel=0.02)
    assert centroid_hz(y) / centroid_hz(x) == pytest.approx(factor, abs=0.03)


def test_formant_copies_are_new_identities_named_apart_from_speed_copies(corpus):
    v = TrainingVoices(corpus, factors=(0.9,), held_out=(), formant_factors=(1.1,))
    assert v.num_speakers == 12
    assert v.speaker_name[4] == "tone0@0.9" and v.speaker_name[8] == "tone0~1.1"
    u = int(corpus.speaker_utts[2][0])
    orig, moved = v.utterance(u), v.utterance(u + 2 * len(corpus))
    assert len(moved) == len(orig)                                  # same tempo
    assert pitch_hz(moved) == pytest.approx(pitch_hz(orig), rel=0.03)  # same pitch
    assert not np.allclose(moved, orig, atol=1e-3)


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


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_similar_share_sets_how_often_a_call_is_one_gender(corpus, share):
    from train import TrainConfig, training_synths
    voices = TrainingVoices(corpus, factors=(0.9, 1.1), held_out=())
    gender = dict(zip(voices.speaker_name, voices.speaker_gender))
    rng = np.random.default_rng(3)
    for synth in training_synths(TrainConfig(similar_share=share), voices, None):
        one_gender = [len({gender[n] for n in synth.make_call(rng, n_speakers=2, duration=6.0).speaker_names}) == 1
                      for _ in range(20)]
        # 12 voices, 6 of each gender: drawn freely, about 5 in 11 second voices share the first one's
        assert all(one_gender) if share == 1.0 else not all(one_gender)


def test_level_dbfs_sets_the_speech_level_of_training_calls(corpus):
    from train import TrainConfig, training_synths
    voices = TrainingVoices(corpus, factors=(), held_out=())
    rng = np.random.default_rng(5)

    def level(call):
        speech = np.zeros(len(call.audio), bool)
        for s, e, _ in call.segments:
            speech[int(s * call.sample_rate):int(e * call.sample_rate)] = True
        return 10 * np.log10(np.mean(call.audio[speech].astype(np.float64) ** 2))

    for synth in training_synths(TrainConfig(level_dbfs="-50,-44"), voices, None):
        levels = [level(synth.make_call(rng, n_speakers=2, duration=6.0)) for _ in range(6)]
        assert max(levels) < -40.0, levels          # the default range starts at -32 (MEETING: -38)
    with pytest.raises(ValueError, match="LO,HI"):
        training_synths(TrainConfig(level_dbfs="-40"), voices, None)
