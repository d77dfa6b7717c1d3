package io.streamdrz.recipe;

import io.streamdrz.audio.WavReader;
import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.inference.SileroVad;
import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.inference.VadSpec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speech gate alone (the same cases as models/tests/test_vad.py), and the shipped
 * model with its VAD on long audio that holds no speech.
 */
class SpeechGateTest {

    private static final int SR = 16_000;
    private static final VadSpec SPEC = ContractFixtures.contract().vad;

    private static ChunkSegment seg(double s, double e, int label) {
        return new ChunkSegment(s, e, label, 0.9);
    }

    @Test
    void regionsFollowTheHysteresis() {
        float[] p = new float[68];
        java.util.Arrays.fill(p, 10, 30, 0.9f);
        java.util.Arrays.fill(p, 30, 35, 0.4f);     // above the end threshold: no end
        java.util.Arrays.fill(p, 35, 45, 0.9f);
        java.util.Arrays.fill(p, 55, 58, 0.6f);     // too short to be speech
        List<SpeechRegion> sure = SpeechRegion.fromVad(p, 0.032, SPEC);
        assertEquals(1, sure.size());
        assertEquals(10 * 0.032 - SPEC.padSeconds(), sure.get(0).start(), 1e-9);
        assertEquals(45 * 0.032 + SPEC.padSeconds(), sure.get(0).end(), 1e-9);

        float[] low = new float[50];
        java.util.Arrays.fill(low, 0.2f);
        assertEquals(0, SpeechRegion.fromVad(low, 0.032, SPEC).size());
    }

    @Test
    void gateKeepsSegmentsThatReachSpeechWhole() {
        List<ChunkSegment> segs = List.of(seg(0.0, 4.0, 0), seg(5.0, 5.5, 1), seg(6.5, 8.0, 1), seg(8.0, 9.0, 2));
        List<SpeechRegion> regions = List.of(new SpeechRegion(1.0, 2.0), new SpeechRegion(6.8, 6.9),
                new SpeechRegion(9.0, 9.5));
        assertEquals(List.of(seg(0.0, 4.0, 0), seg(6.5, 8.0, 1)), SpeechGate.gate(segs, regions));
        assertEquals(List.of(), SpeechGate.gate(segs, List.of()));
    }

    @Test
    void fillGivesUncoveredSpeechToTheClosestVoice() {
        ModelContract c = ContractFixtures.contract();
        float[] emb = new float[c.encoderFrames * c.speakerDim];
        for (int k = c.encoderChunkStart; k < c.encoderFrames; k++) {
            double t = (k - c.encoderChunkStart + 0.5) * c.encoderFrameSeconds;
            emb[k * c.speakerDim + (t < 4.0 ? 0 : 1)] = 1f;
        }
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 0), seg(5.0, 7.0, 1));
        List<SpeechRegion> all = List.of(new SpeechRegion(0.0, 8.0));
        List<ChunkSegment> out = SpeechGate.fill(c, segs, all, new int[0], emb);
        List<ChunkSegment> filled = out.stream().filter(s -> s.confidence() == 0.0).toList();
        assertEquals(List.of(new ChunkSegment(2.0, 5.0, 0, 0.0), new ChunkSegment(7.0, 8.0, 1, 0.0)), filled);
        assertEquals(segs, SpeechGate.fill(c, segs, all, new int[0], null));
    }

    @Test
    void fillStopsAtTheEndOfAShortCall() {
        ModelContract c = ContractFixtures.contract();
        float[] emb = new float[c.encoderFrames * c.speakerDim];
        for (int k = 0; k < c.encoderFrames; k++) {
            emb[k * c.speakerDim] = 1f;
        }
        List<SpeechRegion> vad = List.of(new SpeechRegion(0.0, 0.35));
        List<ChunkSegment> out = SpeechGate.apply(c, List.of(), vad, 0.3, new int[0], emb);
        assertEquals(List.of(new ChunkSegment(0.0, 0.3, 0, 0.0)), out);
    }

    @Test
    void vadHearsACallAndNotSilenceAtBothRates() throws Exception {
        io.streamdrz.audio.AudioClip call = WavReader.read(ModelFixtures.file("call-0.wav"));
        SileroVad vad = ModelFixtures.model().vad();
        for (int rate : new int[]{8_000, 16_000}) {
            float[] audio = call.atRate(rate).samples();
            float[][] p = vad.probabilities(new float[][]{audio, new float[audio.length]}, 0, audio.length, rate);
            assertEquals(audio.length / SileroVad.windowSamples(rate), p[0].length);
            int speech = 0;
            float silenceMax = 0;
            for (int k = 0; k < p[0].length; k++) {
                speech += p[0][k] >= 0.5 ? 1 : 0;
                silenceMax = Math.max(silenceMax, p[1][k]);
            }
            assertTrue(speech > 0.3 * p[0].length, rate + " Hz: " + speech + " of " + p[0].length + " windows");
            assertTrue(silenceMax < 0.1, rate + " Hz: silence at p " + silenceMax);
        }
    }

    @Test
    void twentyMinutesOfSilenceOrLowNoiseGiveNoSpeech() {
        CallDiarizer diarizer = new CallDiarizer(ModelFixtures.engine());
        float[] silence = new float[20 * 60 * SR];
        assertEquals(List.of(), diarizer.diarize(silence));

        float[] noise = new float[20 * 60 * SR];
        Random rng = new Random(7);
        float level = (float) Math.pow(10, -60 / 20.0);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextGaussian() * level;
        }
        assertEquals(List.of(), diarizer.diarize(noise));
    }

    /**
     * Dialling over mains hum: each of the 16 keys in turn, 50 to 200 ms long and 60 to
     * 300 ms apart, at about -20 dBFS, over hum at about -32 dBFS. Silero alone hears some
     * of it as speech.
     */
    private static float[] keysOverHum(int seconds) {
        double[] rows = {697, 770, 852, 941};
        double[] columns = {1209, 1336, 1477, 1633};
        double[] lengths = {0.05, 0.12, 0.2, 0.08};
        double[] gaps = {0.1, 0.3, 0.06, 0.2};
        float[] out = new float[seconds * SR];
        int at = SR / 4;
        for (int i = 0; at < out.length; i++) {
            int n = Math.min(out.length - at, (int) (lengths[i % 4] * SR));
            for (int k = 0; k < n; k++) {
                double t = k / (double) SR;
                out[at + k] = (float) (0.1 * (Math.sin(2 * Math.PI * rows[i % 16 / 4] * t)
                        + Math.sin(2 * Math.PI * columns[i % 4] * t)));
            }
            at += n + (int) (gaps[(i / 4) % 4] * SR);
        }
        for (int i = 0; i < out.length; i++) {
            double t = i / (double) SR;
            for (int k = 1; k < 8; k++) {
                out[i] += (float) (0.03 * Math.sin(2 * Math.PI * 50 * k * t) / k);
            }
        }
        return out;
    }

    /** Hold music: decaying notes with overtones and a chord below, a new note every 0.25-0.75 s. */
    private static float[] piano(int seconds) {
        double[] notes = {261.6, 329.6, 293.7, 392.0, 349.2, 440.0, 523.3, 493.9};
        double[] lengths = {0.5, 0.25, 0.75};
        float[] out = new float[seconds * SR];
        double t = 0;
        for (int i = 0; t < seconds; i++) {
            double f = notes[i % notes.length];
            int start = (int) (t * SR);
            for (int k = 0; k < 2 * lengths[i % 3] * SR && start + k < out.length; k++) {
                double x = 0;
                for (int h = 1; h < 6; h++) {
                    x += Math.sin(2 * Math.PI * f * h * k / SR) / Math.pow(h, 1.5);
                }
                for (double r : new double[]{1, 1.25, 1.5}) {
                    x += 0.3 * Math.sin(2 * Math.PI * f / 2 * r * k / SR);
                }
                out[start + k] += (float) (0.02 * x * Math.exp(-3.0 * k / SR));
            }
            t += lengths[i % 3];
        }
        return out;
    }

    @Test
    void humTonesAndMusicGiveNoSpeechButACallDoes() throws Exception {
        CallDiarizer diarizer = new CallDiarizer(ModelFixtures.engine());
        float[] hum = new float[40 * SR];
        float[] dtmf = new float[40 * SR];
        for (int i = 0; i < hum.length; i++) {
            double t = i / (double) SR;
            for (int k = 1; k < 8; k++) {
                hum[i] += (float) (0.02 * Math.sin(2 * Math.PI * 50 * k * t) / k);
            }
            int key = (int) (t / 0.2) % 4;
            dtmf[i] = t % 0.2 < 0.1 ? (float) (0.07 * (Math.sin(2 * Math.PI * 697 * t)
                    + Math.sin(2 * Math.PI * (1209 + 127 * key) * t))) : 0f;
        }
        assertEquals(List.of(), diarizer.diarize(hum));
        assertEquals(List.of(), diarizer.diarize(dtmf));
        assertEquals(List.of(), diarizer.diarize(piano(40)));
        assertEquals(List.of(), diarizer.diarize(keysOverHum(40)));

        float[] call = WavReader.read(ModelFixtures.file("call-0.wav")).samples();
        double speech = diarizer.diarize(call).stream().mapToDouble(s -> s.end() - s.start()).sum();
        assertTrue(speech > 0.3 * call.length / SR, "speech heard in a call: " + speech + " s");
    }
}
