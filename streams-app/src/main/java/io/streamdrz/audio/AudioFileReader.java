package io.streamdrz.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads an audio file of any supported kind into mono samples: WAV (recognized by its
 * header, whatever the file is called) or headerless audio whose format is given, or
 * implied by the extension: {@code .ul}, {@code .ulaw}, {@code .mulaw}, {@code .mu}
 * (G.711 mu-law) and {@code .al}, {@code .alaw} (A-law) are 8 kHz mono.
 *
 * <p>Every failure is an {@link AudioDecodeException} naming the file and the problem.
 */
public final class AudioFileReader {

    private AudioFileReader() {
    }

    /**
     * Reads {@code file}. {@code raw} (may be null) says how to read it when it is not a
     * WAV file; WAV files always describe themselves.
     */
    public static AudioClip read(Path file, RawFormat raw) throws AudioDecodeException {
        return read(file, raw, false);
    }

    /**
     * As {@link #read(Path, RawFormat)}. A WAV file cut short is decoded up to the cut
     * with a warning, or refused when {@code strict}.
     */
    public static AudioClip read(Path file, RawFormat raw, boolean strict) throws AudioDecodeException {
        byte[] bytes = readBytes(file);
        if (bytes.length == 0) {
            throw new AudioDecodeException(file.toString(), "empty file (0 bytes)");
        }
        if (WavReader.looksLikeWav(bytes) || (bytes.length >= 4 && new String(bytes, 0, 4,
                java.nio.charset.StandardCharsets.ISO_8859_1).matches("RIFF|RF64"))) {
            return WavReader.decode(bytes, file.toString(), strict);
        }
        RawFormat format = rawFormat(file, raw);
        if (bytes.length % format.bytesPerFrame() != 0) {
            throw new AudioDecodeException(file.toString(), "raw audio of " + bytes.length
                    + " bytes is not a whole number of " + format.bytesPerFrame() + "-byte frames");
        }
        float[] samples = PcmDecoder.decodeMono(bytes, 0, bytes.length, format.encoding(), format.channels());
        return new AudioClip(samples, format.sampleRate());
    }

    /** Reads {@code file} and converts it to {@code sampleRate}. */
    public static AudioClip read(Path file, RawFormat raw, int sampleRate) throws AudioDecodeException {
        return read(file, raw, sampleRate, false);
    }

    /** Reads {@code file}, refusing a WAV file cut short when {@code strict}, and converts it to {@code sampleRate}. */
    public static AudioClip read(Path file, RawFormat raw, int sampleRate, boolean strict) throws AudioDecodeException {
        return read(file, raw, strict).atRate(sampleRate);
    }

    /** Duration in seconds from the header (WAV) or the size (raw), without decoding. */
    public static double probeSeconds(Path file, RawFormat raw) throws AudioDecodeException {
        byte[] head = new byte[64 * 1024];
        int n;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
            size = Files.size(file);
        } catch (IOException e) {
            throw failure(file, e);
        }
        if (size == 0) {
            throw new AudioDecodeException(file.toString(), "empty file (0 bytes)");
        }
        if (WavReader.looksLikeWav(head)) {
            try {
                return WavReader.layout(java.util.Arrays.copyOf(head, n), size, file.toString()).seconds();
            } catch (AudioDecodeException headerBeyondFirstBlock) {
                return read(file, raw).seconds();   // rare: metadata chunks push "data" past 64 KiB
            }
        }
        RawFormat format = rawFormat(file, raw);
        return size / format.bytesPerFrame() / (double) format.sampleRate();
    }

    /** The raw format for a non-WAV file: the one given, else the one its extension implies. */
    static RawFormat rawFormat(Path file, RawFormat given) throws AudioDecodeException {
        if (given != null) {
            return given;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        switch (ext) {
            case "ul": case "ulaw": case "mulaw": case "mu":
                return new RawFormat(SampleEncoding.MULAW, 8000, 1);
            case "al": case "alaw":
                return new RawFormat(SampleEncoding.ALAW, 8000, 1);
            default:
                throw new AudioDecodeException(file.toString(),
                        "not a WAV file (no RIFF/WAVE header) and no raw format given for it");
        }
    }

    private static byte[] readBytes(Path file) throws AudioDecodeException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    private static AudioDecodeException failure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new AudioDecodeException(file.toString(), "no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new AudioDecodeException(file.toString(), "permission denied");
        }
        return new AudioDecodeException(file.toString(), "cannot read: " + e.getMessage());
    }
}
