package io.streamdrz.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The encoder once, and one KV-cached decoder step at position {@code past} (the
 * middle of a typical chunk's decode) for a batch of rows: what {@link PromptedDecoder}
 * repeats up to {@code max_len} times per chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecoderStepBench {

    @Param({"1", "4", "16"})
    public int batch;

    @Param({"30"})
    public int past;

    private EngineFixture fixture;
    private OrtEnvironment env;
    private float[] features;
    private OnnxTensor featureTensor;
    private OrtSession.Result encoded;
    private Map<String, OnnxTensor> stepInputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        fixture = new EngineFixture();
        env = fixture.model.env();
        ModelContract c = fixture.model.contract();
        int row = c.nFrames * c.mel.nMels();
        features = new float[batch * row];
        for (int b = 0; b < batch; b++) {
            float[] f = fixture.engine.features(fixture.batch(batch).get(b).samples());
            System.arraycopy(f, 0, features, b * row, row);
        }
        featureTensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(features), new long[]{batch, c.nFrames, c.mel.nMels()});
        encoded = fixture.model.encoder().run(Map.of("features", featureTensor));
        long[] pastShape = {c.decoderLayers, batch, c.decoderHeads, past, c.headDim};
        int pastSize = c.decoderLayers * batch * c.decoderHeads * past * c.headDim;
        long[] tokens = new long[batch];
        Arrays.fill(tokens, c.tokenTime0 + 10);
        stepInputs = new HashMap<>();
        stepInputs.put("tokens", OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[]{batch, 1}));
        stepInputs.put("position", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[]{past}), new long[]{1}));
        stepInputs.put("past_k", OnnxTensor.createTensor(env, FloatBuffer.allocate(pastSize), pastShape));
        stepInputs.put("past_v", OnnxTensor.createTensor(env, FloatBuffer.allocate(pastSize), pastShape));
        stepInputs.put("cross_k", (OnnxTensor) encoded.get("cross_k").orElseThrow());
        stepInputs.put("cross_v", (OnnxTensor) encoded.get("cross_v").orElseThrow());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (String name : new String[]{"tokens", "position", "past_k", "past_v"}) {
            stepInputs.get(name).close();
        }
        encoded.close();
        featureTensor.close();
        fixture.close();
    }

    @Benchmark
    public float decoderStep() throws OrtException {
        try (OrtSession.Result r = fixture.model.decoder().run(stepInputs, Set.of("logits", "present_k", "present_v"))) {
            return ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer().get(0);
        }
    }

    @Benchmark
    public float encoder() throws OrtException {
        try (OrtSession.Result r = fixture.model.encoder().run(Map.of("features", featureTensor))) {
            return ((OnnxTensor) r.get("cross_k").orElseThrow()).getFloatBuffer().get(0);
        }
    }
}
