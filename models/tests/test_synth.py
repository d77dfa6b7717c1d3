"""Tests for models/synth.py on a tiny fake corpus (harmonic tones, one pitch per speaker),
so they run anywhere without the real corpus. Run from the repository root:
    models/.venv/bin/python -m pytest -q models/tests/test_synth.py
"""
import io
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import synth
from synth import CallSynth, NpzCorpus, NpzNoise, SynthConfig, read_rttm, write_rttm

SR = 16000
CLEAN = dict(p_reverb=0.0, p_noise=0.0, p_narrowband=0.0, p_bandpass=0.0, match_bandwidth=False)


@pytest.fixture(scope='module')
def corpus_path(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('corpus') / 'corpus_fake.npz')
    synth.write_fake_corpus(path, n_speakers=6, utts_per_speaker=12)
    return path


@pytest.fixture(scope='module')
def corpus(corpus_path):
    return NpzCorpus(corpus_path)


@pytest.fixture(scope='module')
def noise_path(tmp_path_factory):
    rng = np.random.default_rng(5)
    clips = [(rng.standard_normal(SR) * 3000).astype(np.int16) for _ in range(4)]
    path = str(tmp_path_factory.mktemp('noise') / 'noise.npz')
    np.savez(path, sample_rate=SR, encoding='pcm16', audio=np.concatenate(clips),
             utt_offset=np.arange(4, dtype=np.int64) * SR, utt_length=np.full(4, SR, np.int64),
             kind=np.array(['music', 'ambience', 'music', 'ambience']))
    return path


def make(corpus, seed, noise=None, n_speakers=None, duration=None, return_tracks=False, **cfg):
    s = CallSynth(corpus, SynthConfig(**cfg), noise)
    return s.make_call(np.random.default_rng(seed), n_speakers=n_speakers, duration=duration,
                       return_tracks=return_tracks)


def overlapped_seconds(segments):
    """Time during which two or more speakers talk."""
    events = sorted([(a, 1) for a, b, _ in segments] + [(b, -1) for a, b, _ in segments])
    total, active, last = 0.0, 0, 0.0
    for t, d in events:
        if active >= 2:
            total += t - last
        active, last = active + d, t
    return total


def turn_changes(segments):
    """(overlap seconds) per change of speaker, segments sorted by start."""
    segs = sorted(segments)
    return [max(0.0, a0_b0[1] - nxt[0]) for a0_b0, nxt in zip(segs, segs[1:]) if a0_b0[2] != nxt[2]]


def frame_rms_db(x, frame=160):
    n = len(x) // frame
    p = np.mean(x[:n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
    return 10 * np.log10(p + 1e-20)


# --- the reference is what was mixed


def test_segments_match_each_speakers_track(corpus):
    for seed in range(4):
        call = make(corpus, seed, n_speakers=2 + seed % 3, duration=30.0, return_tracks=True,
                    p_backchannel=0.8, p_interrupt=0.2, p_overlap=0.3, merge_gap_s=0.0, **CLEAN)
        assert call.tracks.shape == (len(call.speaker_names), len(call.audio))
        assert np.allclose(call.tracks.sum(0), call.audio, atol=1e-6)  # clean: the mix is the tracks
        for label, track in enumerate(call.tracks):
            db = frame_rms_db(track)
            ref = np.median(db[db > -100])
            inside = np.zeros(len(db), bool)
            near = np.zeros(len(db), bool)  # frames within 20 ms of a segment edge
            for a, b, k in call.segments:
                fa, fb = int(round(a * 100)), int(round(b * 100))
                near[max(0, fa - 2):fa + 2] = near[max(0, fb - 2):fb + 2] = True
                if k == label:
                    inside[fa:fb] = True
            assert (db[inside & ~near] > ref - 25).all(), 'silence inside a segment'
            assert (db[~inside & ~near] < ref - 50).all(), 'speech outside the segments'


def test_segments_are_well_formed(corpus):
    call = make(corpus, 3, duration=40.0)
    assert call.sample_rate == SR and call.audio.dtype == np.float32
    assert len(call.audio) == 40 * SR and np.abs(call.audio).max() <= 0.98 + 1e-6
    for label in range(len(call.speaker_names)):
        own = sorted((a, b) for a, b, k in call.segments if k == label)
        assert all(0 <= a < b <= 40.0 for a, b in own)
        assert all(b0 + 0.1 - 1e-9 <= a1 for (_, b0), (a1, _) in zip(own, own[1:])), 'unmerged close gap'


def test_rttm_round_trip(tmp_path):
    segments = [(0.5, 2.25, 0), (1.9, 3.0, 1), (3.5, 4.123456, 0)]
    names = ['allison', 'kal 16']
    write_rttm(tmp_path / 'a.rttm', 'call_1', segments, names)
    lines = (tmp_path / 'a.rttm').read_text().splitlines()
    assert lines[0] == 'SPEAKER call_1 1 0.500 1.750 <NA> <NA> allison <NA> <NA>'
    got = read_rttm(tmp_path / 'a.rttm')['call_1']
    want = [(a, b, ['allison', 'kal_16'][k]) for a, b, k in segments]
    assert [w[2] for w in got] == [w[2] for w in want]
    assert np.allclose([g[:2] for g in got], [w[:2] for w in want], atol=1.5e-3)


def test_render_cli(corpus_path, noise_path, tmp_path):
    out = tmp_path / 'calls'
    subprocess.run([sys.executable, os.path.join(MODELS, 'synth.py'), 'render', '--corpus', corpus_path,
                    '--noise', noise_path, '--n', '2', '--speakers', '2', '--duration', '12', '--seed', '1',
                    '--out', str(out)], check=True, capture_output=True)
    from scipy.io import wavfile
    names = sorted(os.listdir(out))
    assert names == ['calls.jsonl', 'synth_1_0000.rttm', 'synth_1_0000.wav', 'synth_1_0001.rttm', 'synth_1_0001.wav']
    sr, x = wavfile.read(out / 'synth_1_0000.wav')
    assert sr == SR and x.dtype == np.int16 and len(x) == 12 * SR
    segs = read_rttm(out / 'synth_1_0000.rttm')['synth_1_0000']
    assert len({s for _, _, s in segs}) == 2 and all(s.startswith('tone') for _, _, s in segs)


# --- speakers


def test_fixed_speaker_count(corpus):
    for n in (1, 2, 3, 4):
        for seed in range(6):
            call = make(corpus, seed, n_speakers=n, duration=20.0, **CLEAN)
            assert sorted({k for _, _, k in call.segments}) == list(range(n))
            assert len(call.speaker_names) == n == len(set(call.speaker_names))


def test_speaker_count_distribution(corpus):
    probs = (0.1, 0.6, 0.2, 0.1)
    s = CallSynth(corpus, SynthConfig(n_speakers_probs=probs, duration_s=(20.0, 20.0), p_backchannel=0.0, **CLEAN))
    counts = np.bincount([len(s.make_call(np.random.default_rng(i)).speaker_names) for i in range(300)],
                         minlength=5)[1:]
    assert np.abs(counts / 300 - probs).max() < 0.08, counts  # 3 sigma of p=0.6 over 300 calls is 0.085


def test_labels_in_order_of_first_appearance(corpus):
    for seed in range(20):
        call = make(corpus, seed, duration=25.0, p_backchannel=0.6, p_interrupt=0.2)
        first = [min(a for a, _, k in call.segments if k == label) for label in range(len(call.speaker_names))]
        assert first == sorted(first)


def test_similar_speakers_share_gender(corpus):
    for seed in range(10):
        call = make(corpus, seed, n_speakers=3, duration=20.0, p_similar_speakers=1.0, **CLEAN)
        genders = {corpus.speaker_gender[corpus.speaker_name.index(n)] for n in call.speaker_names}
        assert len(genders) == 1


# --- turn taking


def test_no_overlap_when_switched_off(corpus):
    for seed in range(12):
        call = make(corpus, seed, duration=30.0, p_overlap=0.0, p_interrupt=0.0, p_backchannel=0.0, **CLEAN)
        assert overlapped_seconds(call.segments) == 0.0


def test_overlap_length_follows_config(corpus):
    # every turn change overlaps by exactly overlap_s (utterances are whole: no internal splits)
    changes = []
    for seed in range(6):
        call = make(corpus, seed, n_speakers=2, duration=30.0, p_overlap=1.0, overlap_s=(0.4, 0.4),
                    p_interrupt=0.0, p_backchannel=0.0, split_pause_s=10.0, **CLEAN)
        changes += turn_changes(call.segments)
    assert len(changes) > 30
    assert np.allclose(changes, 0.4, atol=0.011)


def test_overlap_probability_follows_config(corpus):
    def stats(p):
        changes, overlap, speech = [], 0.0, 0.0
        for seed in range(40):
            call = make(corpus, seed, n_speakers=2, duration=30.0, p_overlap=p, overlap_s=(0.2, 0.6),
                        p_interrupt=0.0, p_backchannel=0.0, split_pause_s=10.0, **CLEAN)
            changes += turn_changes(call.segments)
            overlap += overlapped_seconds(call.segments)
            speech += sum(b - a for a, b, _ in call.segments)
        return np.mean(np.array(changes) > 0), overlap / speech, len(changes)

    fractions = {p: stats(p) for p in (0.0, 0.3, 0.7)}
    for p, (frac, _, n) in fractions.items():
        assert abs(frac - p) < 0.07, (p, frac, n)  # share of turn changes that overlap
    ratios = [fractions[p][1] for p in (0.0, 0.3, 0.7)]
    assert ratios[0] == 0.0 < ratios[1] < ratios[2]


def test_interrupted_speaker_stops_early(corpus):
    changes = []
    for seed in range(6):
        call = make(corpus, seed, n_speakers=2, duration=30.0, p_interrupt=1.0, interrupt_tail_s=(0.3, 0.3),
                    p_overlap=0.0, p_backchannel=0.0, split_pause_s=10.0, turn_utts=(1, 1), **CLEAN)
        changes += turn_changes(call.segments)
    changes = np.array(changes)
    assert (changes <= 0.3 + 0.011).all()
    assert np.mean(np.abs(changes - 0.3) < 0.011) > 0.7  # else the cut fell in a pause


def test_backchannels_are_short_and_inside_a_turn(corpus):
    found = 0
    for seed in range(6):
        call = make(corpus, seed, n_speakers=2, duration=30.0, p_backchannel=1.0, backchannel_s=(0.2, 0.8),
                    p_overlap=0.0, p_interrupt=0.0, split_pause_s=10.0, merge_gap_s=0.0, **CLEAN)
        for a, b, k in call.segments:
            inside = any(a2 <= a and b <= b2 for a2, b2, k2 in call.segments if k2 != k)
            if inside:
                assert b - a <= 0.8 + 1e-6
                found += 1
    assert found > 20


# --- determinism, channel, noise, codecs


def test_same_seed_same_call(corpus, noise_path):
    noise = NpzNoise(noise_path)
    a = make(corpus, 11, noise=noise, duration=20.0, p_reverb=1.0, p_noise=1.0)
    b = make(corpus, 11, noise=noise, duration=20.0, p_reverb=1.0, p_noise=1.0)
    c = make(corpus, 12, noise=noise, duration=20.0, p_reverb=1.0, p_noise=1.0)
    assert np.array_equal(a.audio, b.audio) and a.segments == b.segments and a.speaker_names == b.speaker_names
    assert a.meta == b.meta
    assert not np.array_equal(a.audio[:len(c.audio)], c.audio)


def band_ratio_db(audio, segments, label, lo_hz):
    """Energy above lo_hz over energy in 500-3000 Hz, in Hann-windowed 32 ms frames
    lying wholly where only `label` speaks (a hard gate would splatter the spectrum)."""
    solo = np.zeros(len(audio), bool)
    for a, b, k in segments:
        if k == label:
            solo[int(a * SR):int(b * SR)] = True
    for a, b, k in segments:
        if k != label:
            solo[int(a * SR):int(b * SR)] = False
    n = 512
    starts = [i for i in range(0, len(audio) - n, n // 2) if solo[i:i + n].all()]
    frames = np.stack([audio[i:i + n] for i in starts]) * np.hanning(n)
    spec = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).sum(0)
    f = np.fft.rfftfreq(n, 1 / SR)
    return 10 * np.log10(spec[f > lo_hz].sum() / spec[(f > 500) & (f < 3000)].sum())


@pytest.mark.parametrize('channel,lo_hz,min_db', [
    (dict(p_narrowband=0.0, p_bandpass=1.0), 3600, 15),   # wideband call, telephone band-pass
    (dict(p_narrowband=0.0, p_bandpass=1.0), 4000, 25),
    (dict(p_narrowband=1.0, p_bandpass=1.0), 3600, 15),   # 8 kHz call, band-pass at 8 kHz
    (dict(p_narrowband=1.0, p_bandpass=0.0), 4200, 60),   # 8 kHz round trip: nothing above 4 kHz
])
def test_channel_degrades_every_speaker_alike(corpus, channel, lo_hz, min_db):
    off = dict(p_reverb=0.0, p_noise=0.0, match_bandwidth=False)
    for seed in range(3):
        # the channel is drawn last, so the same seed gives the same call before it
        plain = make(corpus, seed, n_speakers=3, duration=20.0, p_narrowband=0.0, p_bandpass=0.0, **off)
        phone = make(corpus, seed, n_speakers=3, duration=20.0, codec_probs={'pcm': 1.0}, **channel, **off)
        assert plain.segments == phone.segments
        for label in range(3):
            drop = band_ratio_db(plain.audio, plain.segments, label, lo_hz) - \
                band_ratio_db(phone.audio, phone.segments, label, lo_hz)
            assert drop > min_db, (seed, label, drop)


def test_wideband_call_gets_the_narrowest_speakers_band(tmp_path):
    path = str(tmp_path / 'two.npz')
    synth.write_fake_corpus(path, n_speakers=2, utts_per_speaker=4, narrowband=(0,))
    two = NpzCorpus(path)
    wide = dict(p_reverb=0.0, p_noise=0.0, p_narrowband=0.0, p_bandpass=0.0)
    raw = make(two, 0, n_speakers=2, duration=15.0, match_bandwidth=False, **wide)
    matched = make(two, 0, n_speakers=2, duration=15.0, **wide)
    assert raw.meta['channel'] == 'wideband' and matched.meta['channel'].startswith('wideband-3')
    label = raw.speaker_names.index('tone1')  # the 7 kHz one
    drop = band_ratio_db(raw.audio, raw.segments, label, 4000) - \
        band_ratio_db(matched.audio, matched.segments, label, 4000)
    assert drop > 40, drop


def test_noise_at_configured_snr(corpus):
    call = make(corpus, 4, duration=20.0, return_tracks=True, p_reverb=0.0, p_narrowband=0.0, p_bandpass=0.0,
                match_bandwidth=False,
                p_noise=1.0, noise_kinds={'pink': 1.0}, snr_db=(10.0, 10.0))
    speech = call.tracks.sum(0)
    noise = call.audio - speech
    mask = np.zeros(len(speech), bool)
    for a, b, _ in call.segments:
        mask[int(a * SR):int(b * SR)] = True
    snr = 10 * np.log10(np.mean(speech[mask] ** 2) / np.mean(noise ** 2))
    assert abs(snr - 10.0) < 0.5, snr
    assert call.meta['noise'] == 'pink' and call.meta['snr_db'] == 10.0


def test_noise_bank_and_babble(corpus, noise_path):
    noise = NpzNoise(noise_path)
    for kind in ('music', 'ambience', 'babble', 'brown'):
        call = make(corpus, 1, noise=noise, n_speakers=2, duration=10.0, p_noise=1.0, noise_kinds={kind: 1.0})
        assert call.meta['noise'] == kind and np.isfinite(call.audio).all()


def test_room_keeps_alignment(corpus):
    dry = make(corpus, 2, duration=15.0, return_tracks=True, **CLEAN)
    wet = make(corpus, 2, duration=15.0, return_tracks=True, **{**CLEAN, 'p_reverb': 1.0})
    assert dry.segments == wet.segments and len(wet.meta['rooms']) == len(wet.speaker_names)
    lag = np.argmax(np.correlate(wet.tracks[0][:SR * 4], dry.tracks[0][:SR * 4][:800], 'valid'))
    assert lag < 5  # the direct path is at t = 0


def test_g711_matches_libsndfile():
    sf = pytest.importorskip('soundfile')
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    for subtype, encode, decode in (('ULAW', synth.mulaw_encode_float, synth.mulaw_decode_float),
                                    ('ALAW', synth.alaw_encode, synth.alaw_decode)):
        buf = io.BytesIO()
        sf.write(buf, pcm, 8000, format='RAW', subtype=subtype)
        theirs = np.frombuffer(buf.getvalue(), np.uint8)
        ours = encode(pcm / 32768.0)
        # mu-law is bit exact; libsndfile rounds 127 negative A-law values the other way
        assert np.mean(theirs == ours) > (0.9999 if subtype == 'ULAW' else 0.997)
        buf = io.BytesIO(np.arange(256, dtype=np.uint8).tobytes())
        y, _ = sf.read(buf, format='RAW', subtype=subtype, samplerate=8000, channels=1, dtype='int16')
        assert np.array_equal(y, np.round(decode(np.arange(256, dtype=np.uint8)) * 32768).astype(np.int16))


def test_gsm_round_trip_or_fallback(corpus):
    t = np.arange(8000) / 8000
    x = (0.3 * np.sin(2 * np.pi * 440 * t) * np.hanning(8000)).astype(np.float32)
    y = synth.gsm_roundtrip(x)
    call = make(corpus, 0, duration=10.0, p_narrowband=1.0, codec_probs={'gsm': 1.0})
    if y is None:  # no GSM in this libsndfile: the synth says it used mu-law instead
        assert call.meta['channel'] == 'narrowband-mulaw'
        return
    assert len(y) == len(x)
    assert 10 * np.log10(np.sum(x ** 2) / np.sum((y - x) ** 2)) > 10  # aligned, no delay
    assert call.meta['channel'] == 'narrowband-gsm'


def test_config_override_parsing():
    cfg = synth._config(['p_overlap=0.5', 'duration_s=30,30', 'codec_probs={"gsm": 1}', 'turn_utts=2,4'])
    assert cfg == replace(SynthConfig(), p_overlap=0.5, duration_s=(30.0, 30.0), codec_probs={'gsm': 1},
                          turn_utts=(2, 4))


def test_speakers_of_one_call_come_from_different_families(tmp_path):
    """Identities of one family may be one person: a call never pairs them."""
    path = tmp_path / 'fam.npz'
    synth.write_fake_corpus(path, n_speakers=6)
    corpus = NpzCorpus(str(path))
    # pair the fake identities up into three families
    corpus.speaker_family = [f'fam{i // 2}' for i in range(len(corpus.speaker_name))]
    gen = CallSynth(corpus, SynthConfig(p_noise=0.0, p_reverb=0.0, duration_s=(12.0, 12.0)))
    rng = np.random.default_rng(0)
    for _ in range(30):
        call = gen.make_call(rng, n_speakers=3)
        fams = [corpus.speaker_family[corpus.speaker_name.index(n)] for n in call.speaker_names]
        assert len(set(fams)) == len(fams)
    with pytest.raises(ValueError):
        gen.make_call(rng, n_speakers=4)


def test_meeting_calls_overlap_more_and_reverberate(corpus):
    from synth import MEETING
    share = {}
    for name, cfg in (('default', {}), ('meeting', MEETING)):
        talk = overlap = 0.0
        rooms = 0
        for seed in range(12):
            call = make(corpus, seed, duration=30.0, **cfg)
            talk += sum(b - a for a, b, _ in call.segments)
            overlap += overlapped_seconds(call.segments)
            rooms += len(call.meta['rooms'])
        share[name] = (overlap / talk, rooms)
    assert share['meeting'][0] > 1.5 * share['default'][0], share
    assert share['meeting'][1] > share['default'][1], share
