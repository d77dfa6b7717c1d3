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
