package io.streamdrz.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Live windows through the window graph: the encoder alone on the prompts and a call's
 * newest audio, whose frame-wise activity head says who speaks, so that no decoder runs.
 * A window costs about a third of a final chunk that way. The Java twin of
 * {@code OnnxDiarizer.run_windows} and {@code activity_segments} in {@code models/}.
 *
 * <p>Thread-safe: it keeps no state between calls.
 */
public final class WindowEncoder {

    private static final Set<String> OUTPUTS = Set.of("activity", "speaker_embedding");

    private final DiarizationModel model;
    private final ModelContract c;

    public WindowEncoder(DiarizationModel model) {
        if (model.window() == null) {
            throw new IllegalArgumentException(model.contract().modelId + " has no live window graph");
        }
        this.model = model;
        this.c = model.contract();
    }

    /**
     * @param features  {@code batch} rows of the windows' {@code (frames, n_mels)} features, back to back
     * @param nPrompted per row, how many prompt slots hold a speaker
     * @return per row, its segments; no tokens; the embeddings zero padded to a chunk's frames,
     *         as the recipe indexes them
     */
    public List<DecodedChunk> run(float[] features, int[] nPrompted) {
        int batch = nPrompted.length;
        int frames = c.mel.frames(c.windowInputSamples());
        try (OnnxTensor feats = OnnxTensor.createTensor(model.env(), FloatBuffer.wrap(features),
                new long[]{batch, frames, c.mel.nMels()});
             OrtSession.Result out = model.window().run(Map.of("features", feats), OUTPUTS)) {
            OnnxTensor act = (OnnxTensor) out.get("activity").orElseThrow();
            OnnxTensor emb = (OnnxTensor) out.get("speaker_embedding").orElseThrow();
            int actFrames = (int) act.getInfo().getShape()[1];
            int embFrames = (int) emb.getInfo().getShape()[1];
            FloatBuffer a = act.getFloatBuffer();
            FloatBuffer e = emb.getFloatBuffer();
            List<DecodedChunk> chunks = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                float[] logits = new float[actFrames * c.maxSpeakers];
                a.get(b * logits.length, logits);
                float[] padded = new float[c.encoderFrames * c.speakerDim];
                e.get(b * embFrames * c.speakerDim, padded, 0, embFrames * c.speakerDim);
                chunks.add(new DecodedChunk(new int[0], new double[0], nPrompted[b],
                        segments(logits, actFrames, c.maxSpeakers, c.live.activityThreshold(), c.encoderFrameSeconds),
                        padded));
            }
            return chunks;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch + " live windows: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Each run of frames where a label's probability exceeds {@code threshold} is one
     * segment of that label, its confidence the run's mean probability; sorted by start,
     * then end.
     *
     * @param logits row-major {@code (frames, labels)} activity logits
     */
    static List<ChunkSegment> segments(float[] logits, int frames, int labels, double threshold, double frameSeconds) {
        List<ChunkSegment> out = new ArrayList<>();
        for (int k = 0; k < labels; k++) {
            int i = 0;
            while (i < frames) {
                if (probability(logits[i * labels + k]) <= threshold) {
                    i++;
                    continue;
                }
                int j = i;
                double sum = 0;
                while (j < frames && probability(logits[j * labels + k]) > threshold) {
                    sum += probability(logits[j * labels + k]);
                    j++;
                }
                out.add(new ChunkSegment(i * frameSeconds, j * frameSeconds, k, sum / (j - i)));
                i = j;
            }
        }
        out.sort(Comparator.comparingDouble(ChunkSegment::start).thenComparingDouble(ChunkSegment::end));
        return out;
    }

    private static double probability(float logit) {
        return 1.0 / (1.0 + Math.exp(-logit));
    }
}
