"""Real-speech loaders: the Fish Fillets script parser, dialogue building, the AMI files."""
import os

import numpy as np
import pytest
import soundfile as sf

import realsets

CODE_LUA = '''
local function prog_init_room()
    -- addv(5, "commented-v-out")
    if isReady(small) then
        addm(8, "vit-m-hlava")
        addv(random(10) + 5, "vit-v-proc")
        adddel(10)
        addv(7, "bar-v-kdyby" ..random(2))
        addm(0, "vit-m-" .. name)
        planDialogSet(5, "vit-x-other", 101, vladce, "talking")
        addm(20 + random(30), "vit-m-tak") addv(2, "vit-v-tak")
    end
end
'''


def test_parse_code_lua_keeps_lead_lines_in_order():
    assert realsets.parse_code_lua(CODE_LUA) == [
        ("m", "vit-m-hlava", 1), ("v", "vit-v-proc", 1), ("v", "bar-v-kdyby", 2),
        ("m", "vit-m-tak", 1), ("v", "vit-v-tak", 1)]


def test_trim_silence_finds_the_voice():
    sr = realsets.SR
    x = np.zeros(3 * sr, dtype=np.float32)
    x[sr: 2 * sr] = 0.3 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr)
    y = realsets.trim_silence(x)
    assert abs(len(y) / sr - 1.0) <= 0.041


def test_telephone_band_limits_and_keeps_length():
    rng = np.random.default_rng(0)
    x = (0.1 * rng.standard_normal(realsets.SR * 2)).astype(np.float32)
    y = realsets.telephone(x)
    assert len(y) == len(x) and y.dtype == np.float32
    spec = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(len(y), 1 / realsets.SR)
    assert spec[f > 4500].sum() < 1e-3 * spec[(f > 500) & (f < 3000)].sum()


def _fake_cache(root):
    """One level with four lines of two 'voices' (tones), as prepare_data unpacks it."""
    script = root / "pkgs/fillets-ng-data" / realsets.FILLETS / "script/lvl"
    sound = root / "pkgs/fillets-ng-data-cs" / realsets.FILLETS / "sound/lvl/cs"
    script.mkdir(parents=True)
    sound.mkdir(parents=True)
    lines = [("m", "l-m-a"), ("v", "l-v-b"), ("m", "l-m-c"), ("v", "l-v-d")]
    script.joinpath("code.lua").write_text("\n".join(f'add{s}(1, "{n}")' for s, n in lines))
    sr = 22050
    for i, (s, n) in enumerate(lines):
        t = np.arange(int((2.0 + 0.5 * i) * sr)) / sr
        tone = 0.2 * np.sin(2 * np.pi * (220 if s == "m" else 110) * t)
        audio = np.concatenate([np.zeros(sr // 4), tone, np.zeros(sr // 4)]).astype(np.float32)
        sf.write(str(sound / f"{n}.ogg"), audio, sr, format="OGG", subtype="VORBIS")
    return lines


def test_fillets_dialogues_are_deterministic_and_honest(tmp_path):
    _fake_cache(tmp_path)
    a = realsets.fillets_dialogues(str(tmp_path), n=5, min_seconds=12.5, max_seconds=13.0)
    b = realsets.fillets_dialogues(str(tmp_path), n=5, min_seconds=12.5, max_seconds=13.0)
    assert len(a) == 1 and a[0][0] == "fillets-lvl"
    fid, audio, ref = a[0]
    assert np.array_equal(audio, b[0][1]) and ref == b[0][2]
    assert [s for _, _, s in ref] == ["small_fish", "big_fish", "small_fish", "big_fish"]
    # trimmed lines: each reference turn is as long as its tone, not its padded file
    assert [round(e - s, 1) for s, e, _ in ref] == [2.0, 2.5, 3.0, 3.5]
    sr = realsets.SR
    for s, e, _ in ref:     # speech inside each turn, only the noise floor just before it
        assert np.sqrt(np.mean(audio[int(s * sr) + 160: int(e * sr) - 160] ** 2)) > 0.03
        before = audio[max(0, int(s * sr) - 1600): int(s * sr) - 160]
        assert len(before) == 0 or np.sqrt(np.mean(before ** 2)) < 0.03 or \
            any(s0 < s - 0.01 < e0 for s0, e0, _ in ref)    # unless it overlaps the previous line
    phone = realsets.fillets_dialogues(str(tmp_path), n=5, min_seconds=12.5, max_seconds=13.0, phone=True)
    assert phone[0][0] == "fillets-phone-lvl" and phone[0][2] == ref and len(phone[0][1]) == len(audio)


@pytest.mark.skipif(not os.path.exists(os.path.join(realsets.AMI_DIR, "trn01.wav")),
                    reason="no AMI excerpts at realsets.AMI_DIR")
def test_ami_loader_reads_the_excerpts():
    items = realsets.ami()
    assert len(items) == 9
    fid, audio, ref = items[0]
    assert fid == "trn01" and audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) / realsets.SR - 30.0) < 0.01
    assert len({s for _, _, s in ref}) == 4 and all(0 <= s < e <= 30.0 + 1e-6 for s, e, _ in ref)


def test_fillets_caveat_follows_the_models_held_out_identities():
    from model import ModelConfig
    assert "unseen voices" in realsets.fillets_caveat(ModelConfig(held_out=",".join(realsets.FISH_IDENTITIES)))
    assert "training identities" in realsets.fillets_caveat(ModelConfig(held_out=""))
    assert "training identities" in realsets.fillets_caveat(ModelConfig(held_out="fillets_cs_small_fish"))


def fake_real_corpus(tmp_path):
    """Six tone voices; voices 0-3 'real' (0 and 1 one family), 4-5 TTS."""
    from synth import write_fake_corpus
    path = tmp_path / "corpus_test.npz"
    write_fake_corpus(path, n_speakers=6, utts_per_speaker=30)
    t = dict(np.load(path))
    t["speaker_kind"] = np.array(["real"] * 4 + ["tts"] * 2)
    t["speaker_family"] = np.array(["fam_a", "fam_a", "fam_b", "fam_c", "tts_d", "tts_e"])
    np.savez(path, **t)
    return path


def test_corpus_dialogues_pair_real_voices_of_two_families(tmp_path):
    path = fake_real_corpus(tmp_path)
    items = realsets.corpus_dialogues(str(path), n=6, min_seconds=20.0, max_seconds=30.0)
    family = {"tone0": "a", "tone1": "a", "tone2": "b", "tone3": "c"}
    pairs = set()
    for fid, audio, ref in items:
        names = sorted({spk for _, _, spk in ref})
        assert len(names) == 2 and all(n in family for n in names), names   # both real
        assert family[names[0]] != family[names[1]]
        pairs.add(tuple(sorted(family[n] for n in names)))
        assert ref[-1][1] <= len(audio) / realsets.SR and len(audio) / realsets.SR >= 20.0
    assert pairs == {("a", "b"), ("a", "c"), ("b", "c")}          # the family pairs in turn
    again = realsets.corpus_dialogues(str(path), n=6, min_seconds=20.0, max_seconds=30.0)
    assert all(np.array_equal(a, b) and r == s for (_, a, r), (_, b, s) in zip(items, again))


def test_corpus_monologues_are_one_real_voice_each_in_turn(tmp_path):
    path = fake_real_corpus(tmp_path)
    items = realsets.corpus_monologues(str(path), n=8, min_seconds=5.0, max_seconds=12.0)
    voices = []
    for fid, audio, ref in items:
        names = {spk for _, _, spk in ref}
        assert len(names) == 1, names
        voices += names
        seconds = len(audio) / realsets.SR
        assert ref[-1][1] <= seconds and 5.0 <= seconds <= 24.0    # pauses and the last line run past
    assert voices == ["tone0", "tone1", "tone2", "tone3"] * 2              # the real voices in turn
    again = realsets.corpus_monologues(str(path), n=8, min_seconds=5.0, max_seconds=12.0)
    assert all(np.array_equal(a, b) and r == s for (_, a, r), (_, b, s) in zip(items, again))


def test_corpus_dialogues_leave_pauses_inside_a_line_out_of_the_reference(tmp_path):
    """Every third fake utterance pauses 0.5 s in its middle: that pause is no speech."""
    path = fake_real_corpus(tmp_path)
    _, audio, ref = realsets.corpus_dialogues(str(path), n=1, min_seconds=20.0, max_seconds=30.0)[0]
    sr, step = realsets.SR, 0.01
    t = (np.arange(len(audio) // int(sr * step)) + 0.5) * step
    speech = np.any([(t >= s) & (t < e) for s, e, _ in ref], axis=0)
    frame = int(sr * step)
    quiet = np.array([np.abs(audio[i * frame:(i + 1) * frame]).max() < 1e-3 for i in range(len(t))])
    # no 0.3 s run of silence lies inside a reference turn
    runs = np.flatnonzero(np.diff(np.concatenate([[0], (speech & quiet).astype(int), [0]]))).reshape(-1, 2)
    assert len(runs) == 0 or (runs[:, 1] - runs[:, 0]).max() < 30


def test_join_clips_splits_a_line_at_its_pause_only_when_asked():
    sr = realsets.SR
    tone = 0.3 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr).astype(np.float32)
    line = np.concatenate([tone, np.zeros(sr // 2, np.float32), tone])
    whole = realsets.join_clips([("a", line)], np.random.default_rng(0))[1]
    split = realsets.join_clips([("a", line)], np.random.default_rng(0), split_pauses=True)[1]
    assert len(whole) == 1 and abs(whole[0][1] - whole[0][0] - 2.5) < 0.02
    assert len(split) == 2 and abs((split[1][0] - split[0][1]) - 0.5) < 0.03


def test_corpus_dialogues_refuse_a_corpus_without_two_real_families(tmp_path):
    from synth import write_fake_corpus
    path = tmp_path / "corpus_tts.npz"
    write_fake_corpus(path, n_speakers=3, utts_per_speaker=30)
    with pytest.raises(ValueError, match="no two families"):
        realsets.corpus_dialogues(str(path), n=2)


def test_corpus_dialogues_are_exactly_what_a_16_bit_wav_holds(tmp_path):
    """The Java engine reads the rendered WAV: it must hear the samples Python scored."""
    _, audio, _ = realsets.corpus_dialogues(str(fake_real_corpus(tmp_path)), n=1, min_seconds=20.0,
                                            max_seconds=30.0)[0]
    sf.write(tmp_path / "d.wav", audio, realsets.SR, subtype="PCM_16")
    back, _ = sf.read(tmp_path / "d.wav", dtype="float32")
    assert np.array_equal(audio, back)
