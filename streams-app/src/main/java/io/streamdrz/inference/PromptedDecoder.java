package io.streamdrz.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Log-mel features in, segments out: one encoder run, then KV-cached greedy decoding
 * with the token grammar enforced by masking (the Java twin of {@code generate} in
 * {@code models/export.py}).
 *
 * <p>Several chunks, from different calls, decode together as one batch: every step
 * runs the decoder once for all rows, and rows that have emitted EOS are fed PAD until
 * the last row is done. Each step feeds back the decoder's {@code present_k/v} as
 * {@code past_k/v}, so the prefix is never run again.
 *
 * <p>Thread-safe: it keeps no state between calls; the sessions are ONNX Runtime's.
 */
public final class PromptedDecoder {

    private static final Set<String> ENCODER_OUT = Set.of("cross_k", "cross_v", "speaker_embedding");
    /** The decoder outputs a step returns; {@code logits} goes to a pinned, reused tensor. */
    private static final Set<String> PRESENT_OUT = Set.of("present_k", "present_v");

    private final DiarizationModel model;
    private final ModelContract c;
    private final TokenGrammar grammar;

    public PromptedDecoder(DiarizationModel model) {
        this.model = model;
        this.c = model.contract();
        this.grammar = new TokenGrammar(c);
    }

    public TokenGrammar grammar() {
        return grammar;
    }

    /**
     * Decodes a batch.
     *
     * @param features  {@code batch} rows of {@code (n_frames, n_mels)} features, row-major, back to back
     * @param nPrompted per row, how many prompt slots hold a speaker
     */
    public List<DecodedChunk> decode(float[] features, int[] nPrompted) {
        int batch = nPrompted.length;
        int rowSize = c.nFrames * c.mel.nMels();
        if (features.length != batch * rowSize) {
            throw new IllegalArgumentException("features hold " + features.length + " floats, expected "
                    + batch + " x " + c.nFrames + " x " + c.mel.nMels());
        }
        if (batch == 0) {
            return List.of();
        }
        try {
            return run(features, nPrompted);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed while decoding a batch of " + batch + ": "
                    + e.getMessage(), e);
        }
    }

    private List<DecodedChunk> run(float[] features, int[] nPrompted) throws OrtException {
        OrtEnvironment env = model.env();
        int batch = nPrompted.length;
        int vocab = c.vocabSize;
        long[] pastShape = {c.decoderLayers, batch, c.decoderHeads, 0, c.headDim};
        TokenGrammar.Cursor[] cursors = new TokenGrammar.Cursor[batch];
        int[][] tokens = new int[batch][c.maxLen];
        double[][] probs = new double[batch][c.maxLen];
        int[] length = new int[batch];
        long[] next = new long[batch];
        for (int b = 0; b < batch; b++) {
            cursors[b] = grammar.start(nPrompted[b]);
            tokens[b][0] = c.tokenSod;
            probs[b][0] = 1.0;
            length[b] = 1;
            next[b] = c.tokenSod;
        }
        boolean[] allowed = new boolean[vocab];
        float[] logits = new float[batch * vocab];
        int embSize = c.encoderFrames * c.speakerDim;
        float[][] embeddings = new float[batch][embSize];

        // Reused across the steps: the token and position tensors wrap direct buffers that
        // are rewritten in place before each run, and the logits land in a pinned output
        // tensor, so a step allocates nothing on the Java side but its Result.
        LongBuffer tokenBuffer = directLongs(batch);
        LongBuffer positionBuffer = directLongs(1);
        FloatBuffer logitsBuffer = ByteBuffer.allocateDirect(batch * vocab * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        try (OnnxTensor feats = OnnxTensor.createTensor(env, FloatBuffer.wrap(features),
                new long[]{batch, c.nFrames, c.mel.nMels()});
             OrtSession.Result encoded = model.encoder().run(Map.of("features", feats), ENCODER_OUT);
             OnnxTensor emptyK = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), pastShape);
             OnnxTensor emptyV = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), pastShape);
             OnnxTensor tok = OnnxTensor.createTensor(env, tokenBuffer, new long[]{batch, 1});
             OnnxTensor position = OnnxTensor.createTensor(env, positionBuffer, new long[]{1});
             OnnxTensor logitsOut = OnnxTensor.createTensor(env, logitsBuffer, new long[]{batch, vocab})) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("tokens", tok);
            in.put("position", position);
            in.put("cross_k", (OnnxTensor) encoded.get("cross_k").orElseThrow());
            in.put("cross_v", (OnnxTensor) encoded.get("cross_v").orElseThrow());
            in.put("past_k", emptyK);
            in.put("past_v", emptyV);
            FloatBuffer emb = ((OnnxTensor) encoded.get("speaker_embedding").orElseThrow()).getFloatBuffer();
            for (int b = 0; b < batch; b++) {
                emb.get(b * embSize, embeddings[b]);
            }
            Map<String, OnnxTensor> pinned = Map.of("logits", logitsOut);
            OrtSession.Result previous = null;
            try {
                for (int pos = 0; pos < c.maxLen - 1; pos++) {
                    tokenBuffer.put(0, next);
                    positionBuffer.put(0, pos);
                    OrtSession.Result step = model.decoder().run(in, PRESENT_OUT, pinned);
                    if (previous != null) {
                        previous.close();
                    }
                    previous = step;
                    in.put("past_k", (OnnxTensor) step.get("present_k").orElseThrow());
                    in.put("past_v", (OnnxTensor) step.get("present_v").orElseThrow());
                    logitsBuffer.get(0, logits);

                    boolean allDone = true;
                    for (int b = 0; b < batch; b++) {
                        TokenGrammar.Cursor cur = cursors[b];
                        if (cur.finished()) {
                            next[b] = c.tokenPad;
                            continue;
                        }
                        cur.allowed(allowed);
                        int t = pick(logits, b * vocab, allowed);
                        tokens[b][length[b]] = t;
                        probs[b][length[b]] = probability(logits, b * vocab, allowed, t);
                        length[b]++;
                        cur.accept(t);
                        next[b] = t;
                        allDone &= cur.finished();
                    }
                    if (allDone) {
                        break;
                    }
                }
            } finally {
                if (previous != null) {
                    previous.close();
                }
            }
        }
        List<DecodedChunk> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] t = Arrays.copyOf(tokens[b], length[b]);
            double[] p = Arrays.copyOf(probs[b], length[b]);
            out.add(new DecodedChunk(t, p, nPrompted[b], grammar.segments(t, p), embeddings[b]));
        }
        return out;
    }

    private static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /** Greedy choice: the allowed token with the highest logit (the first one on a tie, as numpy's argmax). */
    static int pick(float[] logits, int offset, boolean[] allowed) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < allowed.length; v++) {
            if (allowed[v] && (best < 0 || logits[offset + v] > bestValue)) {
                best = v;
                bestValue = logits[offset + v];
            }
        }
        return best;
    }

    /** Softmax over the allowed tokens only, in double precision, evaluated at {@code token}. */
    static double probability(float[] logits, int offset, boolean[] allowed, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < allowed.length; v++) {
            if (allowed[v]) {
                max = Math.max(max, logits[offset + v]);
            }
        }
        double sum = 0;
        for (int v = 0; v < allowed.length; v++) {
            if (allowed[v]) {
                sum += Math.exp(logits[offset + v] - max);
            }
        }
        return Math.exp(logits[offset + token] - max) / sum;
    }
}
