"""Corpus loader and split rules, tested without the Debian packages (tiny corpora built in tmp_path)."""

from pathlib import Path

import numpy as np
import pytest


from corpus import decode_to_float, load_corpus, load_noise, mulaw_decode, mulaw_encode
from prepare_data import (
    TEST_FAMILIES,
    VAL_FAMILIES,
    Identity,
    assign_splits,
    canonical_identity,
    fillets_letter,
    join_words,
    normalize,
    split_long,
    trim_silence,
    write_corpus,
    write_noise,
)

SR = 16000


def tone(seconds: float, freq: float, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def pcm16(x: np.ndarray) -> np.ndarray:
    return np.round(x * 32767).astype(np.int16)


@pytest.fixture
def speakers():
    """Three speakers with 2, 1 and 3 utterances of distinct tones (int16, 16 kHz)."""
    plan = {"ann": [(0.5, 200), (0.8, 300)], "bob": [(1.0, 400)], "cyd": [(0.6, 500), (0.7, 600), (0.9, 700)]}
    entries = []
    for name, utts in plan.items():
        clips = [pcm16(tone(s, f)) for s, f in utts]
        ident = Identity(name, "real" if name != "cyd" else "tts", "en", "F", name)
        entries.append((ident, np.concatenate(clips), np.array([len(c) for c in clips], dtype=np.int64)))
    return entries


def test_pcm16_round_trip(tmp_path, speakers):
    path = tmp_path / "corpus.npz"
    write_corpus(path, speakers, compact=False)
    c = load_corpus(path)
    assert (c.source_rate, c.sample_rate, c.encoding, len(c), c.num_speakers) == (16000, 16000, "pcm16", 6, 3)
    assert [s.name for s in c.speakers] == ["ann", "bob", "cyd"]
    assert [s.kind for s in c.speakers] == ["real", "real", "tts"]
    assert [list(u) for u in c.utterances_of] == [[0, 1], [2], [3, 4, 5]]
    np.testing.assert_array_equal(c.utt_speaker, [0, 0, 1, 2, 2, 2])
    x = c.utterance(4)
    assert x.dtype == np.float32 and len(x) == int(0.7 * SR)
    np.testing.assert_allclose(x, tone(0.7, 600), atol=1e-4)
    np.testing.assert_allclose(c.speaker_seconds(), [1.3, 1.0, 2.2], atol=1e-3)
    assert c.speaker_index("bob") == 1
    # the column interface synth.CallSynth reads
    assert c.speaker_name == ["ann", "bob", "cyd"] and c.speaker_gender == ["F"] * 3
    assert [list(u) for u in c.speaker_utts] == [[0, 1], [2], [3, 4, 5]]
    assert isinstance(c.audio, np.memmap)  # uncompressed npz: audio is mapped, not read


def test_mulaw_round_trip(tmp_path, speakers):
    path = tmp_path / "compact.npz"
    write_corpus(path, speakers, compact=True)
    c = load_corpus(path)
    assert (c.source_rate, c.sample_rate, c.encoding) == (8000, 16000, "mulaw")
    assert c.audio.dtype == np.uint8
    for i, (seconds, freq) in enumerate([(0.5, 200), (0.8, 300), (1.0, 400)]):
        x = c.utterance(i)
        ref = tone(seconds, freq)
        assert x.dtype == np.float32 and abs(len(x) - len(ref)) <= 2
        n = min(len(x), len(ref))
        core = slice(200, n - 200)  # resampling filters ring at the edges
        err = x[core] - ref[core]
        # 8-bit mu-law is about 38 dB SNR on a loud tone
        snr = 10 * np.log10(np.mean(ref[core] ** 2) / np.mean(err**2))
        assert snr > 30, snr


def test_mulaw_codec_matches_g711():
    pcm = np.array([0, 1, -1, 100, -100, 1000, -1000, 32767, -32768], dtype=np.int16)
    codes = mulaw_encode(pcm)
    # reference bytes from the ITU-T G.711 table codec
    assert list(codes) == [0xFF, 0xFF, 0x7F, 0xF2, 0x72, 0xCE, 0x4E, 0x80, 0x00]
    full = np.arange(-32768, 32768, 7, dtype=np.int16)
    back = mulaw_decode(mulaw_encode(full)).astype(np.int32)
    rel = np.abs(back - full) / np.maximum(np.abs(full.astype(np.int32)), 256)
    assert rel.max() < 0.07
    codes = np.arange(256, dtype=np.uint8)
    again = mulaw_encode(mulaw_decode(codes))
    assert np.array_equal(again[codes != 0x7F], codes[codes != 0x7F])  # 0x7F is "-0", re-encoded as 0xFF


def test_decode_to_float_upsamples_mulaw():
    codes = mulaw_encode(pcm16(tone(0.1, 440)[::2]))
    x = decode_to_float(codes, "mulaw", 8000)
    assert x.dtype == np.float32 and len(x) == 2 * len(codes)
    assert np.abs(x).max() <= 1.0


def test_noise_round_trip(tmp_path):
    clips = [("music", "moh/a.wav", pcm16(tone(1.0, 220))), ("ambience", "sp/b.flac", pcm16(tone(0.5, 880, 0.1)))]
    write_noise(tmp_path / "noise.npz", clips, compact=False)
    write_noise(tmp_path / "noise8k.npz", clips, compact=True)
    for name in ("noise.npz", "noise8k.npz"):
        n = load_noise(tmp_path / name)
        assert len(n) == 2 and n.kind == ["music", "ambience"]
        assert list(n.indices_of("ambience")) == [1]
        assert abs(len(n.clip(0)) - SR) <= 2 and n.clip(1).dtype == np.float32


# ---------------------------------------------------------------- splits


def test_aliases_are_one_identity():
    assert canonical_identity("asterisk:en_US_f_Allison") == canonical_identity("asterisk:es_MX_f_Allison") == "allison"
    assert canonical_identity("flite:kal") == canonical_identity("flite:kal16") == canonical_identity("festival:kal_diphone")
    assert canonical_identity("flite:slt") == canonical_identity("festival:cmu_us_slt_arctic_hts")
    assert len({canonical_identity(f"festival:nsk_{l}") for l in ("hi", "mr", "te")}) == 1
    assert canonical_identity("flite:awb") != canonical_identity("flite:rms")


def fake_identities():
    return [
        Identity(canonical_identity("asterisk:en_US_f_Allison"), "real", "en", "F", "allison"),
        Identity("armelle", "real", "fr", "F", "armelle"),
        Identity("tuxpaint_da", "real", "da", "M", "reader_da"),
        Identity("ktuberling_da", "real", "da", "?", "reader_da"),
        Identity("klettres_da", "real", "da", "?", "reader_da"),
        Identity("espeak_fr_m3_lo", "tts", "fr", "M", "espeak_m3"),
        Identity("espeak_fr_m3_hi", "tts", "fr", "M", "espeak_m3"),
        Identity("tuxpaint_be", "real", "be", "F", "reader_be"),
        Identity("fillets_cs_big_fish", "real", "cs", "M", "fillets_cs_big_fish"),
        Identity("fillets_cs_minor_x", "real", "cs", "?", "fillets_cs_minor_x", minor=True),
        Identity("espeak_en_m1_lo", "tts", "en", "M", "espeak_m1"),
    ]


def test_split_by_family():
    ids = fake_identities()
    splits = assign_splits(ids)
    assert set(splits) == {i.name for i in ids}  # every identity exactly once
    by_family = {}
    for ident in ids:
        by_family.setdefault(ident.family, set()).add(splits[ident.name])
    assert all(len(s) == 1 for s in by_family.values())  # no family straddles splits
    assert splits["armelle"] == splits["tuxpaint_da"] == splits["klettres_da"] == "test"
    assert splits["espeak_fr_m3_lo"] == splits["espeak_fr_m3_hi"] == "test"
    assert splits["tuxpaint_be"] == "val"
    assert splits["allison"] == splits["fillets_cs_big_fish"] == splits["espeak_en_m1_lo"] == "train"
    assert splits["fillets_cs_minor_x"] != "test"


def test_allison_en_and_es_share_a_split():
    en = Identity(canonical_identity("asterisk:en_US_f_Allison"), "real", "en", "F", "allison")
    es = Identity(canonical_identity("asterisk:es_MX_f_Allison"), "real", "es", "F", "allison")
    assert en.name == es.name
    assert len(set(assign_splits([en, es]).values())) == 1


def test_minor_character_never_in_test():
    minor = Identity("fillets_cs_minor_x", "real", "cs", "?", TEST_FAMILIES[0], minor=True)
    with pytest.raises(ValueError, match="minor"):
        assign_splits([minor])


def test_fixed_lists_are_disjoint():
    assert not set(TEST_FAMILIES) & set(VAL_FAMILIES)


# ---------------------------------------------------------------- processing helpers


def test_fillets_letter():
    assert fillets_letter("vit-m-hlava") == "m"
    assert fillets_letter("zd2-x-pokoj") == "x"
    assert fillets_letter("m-obdivovat") == "m"
    assert fillets_letter("key8") is None
    assert fillets_letter("unlocking-0") is None


def test_trim_split_normalize():
    x = np.concatenate([np.zeros(SR, np.float32), tone(1.0, 300), np.zeros(SR, np.float32)])
    y = trim_silence(x)
    assert SR <= len(y) <= SR + int(0.15 * SR)
    long = np.tile(np.concatenate([tone(0.9, 300), np.zeros(int(0.1 * SR), np.float32)]), 40)  # 40 s
    pieces = split_long(long)
    assert len(pieces) == 3 and all(len(p) <= 15 * SR for p in pieces) and sum(map(len, pieces)) == len(long)
    z = normalize(tone(1.0, 300, 0.01))
    assert abs(20 * np.log10(np.sqrt(np.mean(z**2))) + 23) < 0.5
    assert np.abs(normalize(np.r_[tone(1.0, 300, 0.01), [0.9]])).max() <= 0.98 + 1e-6
    assert normalize(np.zeros(SR, np.float32)) is None


def test_join_words():
    words = [(tone(0.4, 300), f"w{i}") for i in range(30)]
    utts = join_words(words, np.random.default_rng(0))
    assert sum(len(c) for _, c in utts) == 30
    assert all(len(a) <= 7 * SR for a, _ in utts)
    assert all(len(a) >= 2 * SR for a, _ in utts[:-1])
