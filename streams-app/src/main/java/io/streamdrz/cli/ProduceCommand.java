package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.audio.RawFormat;
import io.streamdrz.audio.SampleEncoding;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.FrameEncoding;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.speakers.CallHints;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamdrz produce}: audio files to audio-in as AudioFrame records, one call per file. */
@Command(name = "produce",
        mixinStandardHelpOptions = true,
        header = "Send audio files to audio-in, one call per file.",
        sortOptions = false,
        description = {
            "Send audio files to audio-in as AudioFrame records. A directory sends each audio file in it as "
                + "its own call, all at once (frames interleaved as live calls would be). The call id is the file "
                + "name without extension. Each call's last frame carries end-of-stream."},
        footer = {"", "Examples:",
            "  streamdrz produce --realtime call.wav",
            "  streamdrz produce --encoding mulaw --rate 8000 --speed 4 calls/",
            "  streamdrz produce -b kafka:9092 --call-id call-42 --frame-ms 40 call.wav"})
public final class ProduceCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Parameters(paramLabel = "AUDIO", description = "An audio file, or a directory of them (one call each).")
    private Path input;

    @Option(names = "--encoding", paramLabel = "ENC", defaultValue = "s16le",
            description = "Frame encoding: s16le, f32le, mulaw, alaw (default: ${DEFAULT-VALUE}).")
    private String encoding;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "20",
            description = "Audio per frame (default: ${DEFAULT-VALUE}).")
    private int frameMs;

    @Option(names = "--rate", paramLabel = "HZ", description = "Resample to this rate before sending (default: the file's).")
    private Integer rate;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "1",
            description = "Channels per frame; the mono audio is copied to each (default: ${DEFAULT-VALUE}).")
    private int channels;

    @Option(names = "--realtime", description = "Pace the frames in real time (same as --speed 1).")
    private boolean realtime;

    @Option(names = "--speed", paramLabel = "X",
            description = "Pace at X times real time; 0 (the default) sends as fast as possible.")
    private Double speed;

    @Option(names = "--call-id", paramLabel = "ID", description = "Call id for a single file (default: its name).")
    private String callId;

    @Option(names = "--no-end-of-stream", description = "Do not mark the last frame; the app finishes the call when it idles.")
    private boolean noEnd;

    @Option(names = "--raw", paramLabel = "ENCODING",
            description = "Read non-WAV files as headerless audio: s16le, s24le, s32le, u8, f32le, f64le, mulaw, alaw.")
    private String raw;

    @Option(names = "--raw-rate", paramLabel = "HZ", description = "Sample rate of --raw input (default: 8000).")
    private int rawRate = 8000;

    @Option(names = "--strict",
            description = "Refuse a WAV file cut short instead of sending the audio before the cut (with a warning).")
    private boolean strict;

    @Option(names = "--expected-speakers", paramLabel = "N",
            description = "Hint on each call's first frame: at most N speakers, the call's own speaker cap.")
    private Integer expectedSpeakers;

    @Option(names = "--expected-speaker", paramLabel = "ID",
            description = "Hint on each call's first frame: this enrolled speaker is expected (repeatable); "
                    + "identification then considers only these.")
    private List<String> expectedSpeakerIds = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AudioEncoding enc;
        AudioProducer.Options options;
        RawFormat rawFormat;
        try {
            enc = FrameEncoding.parse(encoding);
            double pace = speed != null ? speed : realtime ? 1.0 : 0.0;
            options = new AudioProducer.Options(enc, frameMs, channels, pace, !noEnd);
            rawFormat = raw == null ? null : new RawFormat(SampleEncoding.parse(raw), rawRate, 1);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<CallAudio> calls;
        try {
            calls = new ArrayList<>(CallAudio.readAll(input, rawFormat, rate, strict));
        } catch (AudioDecodeException e) {
            err.println("streamdrz produce: " + e.getMessage());
            return 1;
        }
        CallHints hints = new CallHints(expectedSpeakers, expectedSpeakerIds);
        if (hints.problem() != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "bad call hints: " + hints.problem());
        }
        calls.replaceAll(c -> c.withHints(hints));
        if (callId != null) {
            if (calls.size() != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--call-id needs a single file");
            }
            calls.set(0, calls.get(0).withId(callId));
        }
        StreamdrzConfig config;
        try {
            config = kafka.load(Map.of());
        } catch (ConfigException e) {
            err.println("streamdrz produce: " + e.getMessage());
            return 2;
        }
        Map<String, Object> producerConfig = new HashMap<>(config.producerProperties());
        producerConfig.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        if (options.speed() > 0) {
            producerConfig.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        }
        double seconds = calls.stream().mapToDouble(c -> c.audio().seconds()).sum();
        long start = System.nanoTime();
        long frames;
        try (KafkaProducer<String, AudioFrame> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), new AudioFrameSerde())) {
            frames = AudioProducer.produce(producer, config.audioInTopic(), calls, options, frame -> { });
        } catch (KafkaException | IllegalStateException e) {
            err.println("streamdrz produce: " + e.getMessage());
            return 1;
        }
        err.printf(Locale.ROOT, "sent %d frames of %d call(s), %.1f s of audio, to %s in %.1f s%n", frames,
                calls.size(), seconds, config.audioInTopic(), (System.nanoTime() - start) / 1e9);
        err.flush();
        return 0;
    }
}
