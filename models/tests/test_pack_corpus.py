"""Tests for models/pack_corpus.py on the tiny fake corpus of synth.write_fake_corpus."""

import numpy as np

import pack_corpus
import synth
from corpus import load_corpus


def test_cut_keeps_each_identity_under_the_limit_and_its_audio_intact(tmp_path):
    path = str(tmp_path / "c.npz")
    synth.write_fake_corpus(path, n_speakers=3, utts_per_speaker=6)
    with np.load(path) as z:
        full = {k: z[k] for k in z.files}
        cut = pack_corpus.cut(z, max_seconds=5.0)
    sr = int(full["sample_rate"])
    for spk in range(3):
        mine = cut["utt_length"][cut["utt_speaker"] == spk]
        assert 1 <= len(mine) < 6 and (mine.sum() <= 5.0 * sr or len(mine) == 1)
    first = int(np.flatnonzero(full["utt_speaker"] == 1)[0])
    kept = int(np.flatnonzero(cut["utt_speaker"] == 1)[0])
    o, n = full["utt_offset"][first], full["utt_length"][first]
    assert np.array_equal(cut["audio"][cut["utt_offset"][kept]:][:n], full["audio"][o:o + n])


def test_pack_then_unpack_gives_a_corpus_load_corpus_reads(tmp_path):
    src, packed, out = tmp_path / "src", tmp_path / "packed", tmp_path / "out"
    src.mkdir()
    synth.write_fake_corpus(str(src / "corpus_train.npz"), n_speakers=2, utts_per_speaker=4)
    np.savez(src / "noise.npz", x=np.zeros(3))
    pack_corpus.pack(4.0, str(packed), src=str(src))
    assert sorted(p.name for p in packed.iterdir()) == ["corpus_train.npz.xz", "noise.npz.xz"]
    pack_corpus.unpack(str(packed), str(out))
    c = load_corpus(str(out / "corpus_train.npz"))
    assert list(c.speaker_name) == ["tone0", "tone1"] and 2 <= len(c) < 8
