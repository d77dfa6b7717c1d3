package io.streamdrz.client;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.audio.RawFormat;
import io.streamdrz.audio.WavReader;
import io.streamdrz.speakers.CallHints;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One call to produce: its id, its audio (mono, at the file's own rate unless a rate
 * was asked for) and the hints its first frame carries (AudioFrame v3; none by default).
 * Files are read with the engine's {@link AudioFileReader}, so {@code produce} accepts
 * exactly what {@code diarize} accepts.
 */
public record CallAudio(String callId, AudioClip audio, CallHints hints) {

    public CallAudio {
        hints = hints == null ? CallHints.NONE : hints;
    }

    /** A call without hints. */
    public CallAudio(String callId, AudioClip audio) {
        this(callId, audio, CallHints.NONE);
    }

    private static final Set<String> AUDIO_EXTENSIONS =
            Set.of("wav", "wave", "ul", "ulaw", "mulaw", "mu", "al", "alaw", "raw", "pcm");

    /** Reads one file; the call id is the file name without extension. A WAV cut short is read up to the cut. */
    public static CallAudio read(Path file, RawFormat raw, Integer rate) throws AudioDecodeException {
        return read(file, raw, rate, false);
    }

    /** As {@link #read(Path, RawFormat, Integer)}; with {@code strict} a WAV cut short is refused. */
    public static CallAudio read(Path file, RawFormat raw, Integer rate, boolean strict) throws AudioDecodeException {
        AudioClip clip = AudioFileReader.read(file, raw, strict);
        return new CallAudio(idOf(file), rate == null ? clip : clip.atRate(rate));
    }

    /** A file, or every audio file of a directory (sorted by name), as calls. */
    public static List<CallAudio> readAll(Path fileOrDirectory, RawFormat raw, Integer rate) throws AudioDecodeException {
        return readAll(fileOrDirectory, raw, rate, false);
    }

    /** As {@link #readAll(Path, RawFormat, Integer)}; with {@code strict} a WAV cut short is refused. */
    public static List<CallAudio> readAll(Path fileOrDirectory, RawFormat raw, Integer rate, boolean strict)
            throws AudioDecodeException {
        if (!Files.isDirectory(fileOrDirectory)) {
            return List.of(read(fileOrDirectory, raw, rate, strict));
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(fileOrDirectory)) {
            files = listing.filter(Files::isRegularFile).filter(CallAudio::isAudio).sorted().toList();
        } catch (IOException e) {
            throw new AudioDecodeException(fileOrDirectory.toString(), "cannot list the directory: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new AudioDecodeException(fileOrDirectory.toString(), "no audio files in the directory");
        }
        List<CallAudio> calls = new ArrayList<>();
        for (Path f : files) {
            calls.add(read(f, raw, rate, strict));
        }
        return calls;
    }

    /** A WAV resource on the class path (the demo's bundled call). */
    public static CallAudio resource(String resource, String callId) {
        try (InputStream in = CallAudio.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return new CallAudio(callId, WavReader.decode(in.readAllBytes(), resource));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    public CallAudio withId(String id) {
        return new CallAudio(id, audio, hints);
    }

    /** This call with {@code hints} on its first frame. */
    public CallAudio withHints(CallHints hints) {
        return new CallAudio(callId, audio, hints);
    }

    private static boolean isAudio(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && AUDIO_EXTENSIONS.contains(name.substring(dot + 1));
    }

    static String idOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
