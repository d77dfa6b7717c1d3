package io.streamdrz.schema;

import io.streamdrz.state.BufferedFrame;
import io.streamdrz.state.CallAudioState;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.CallSpeakersState;
import io.streamdrz.state.ChunkArchive;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The rules that keep old records readable: every version registered, every version readable, none edited. */
class ReleasedSchemasTest {

    /** Fingerprints recorded when each version was released. Add a line for each new release; never edit one. */
    private static final Map<String, Long> RELEASED_FINGERPRINTS = new TreeMap<>(Map.ofEntries(
            Map.entry("AudioFrame-v1.avsc", 0xea4840c2b5f3abeaL),
            Map.entry("AudioFrame-v2.avsc", 0x4d0b579b4be550c3L),
            Map.entry("AudioFrame-v3.avsc", 0xf053921b4d1d0f78L),
            Map.entry("SpeakerSegment-v1.avsc", 0xa3bf6f08819eefb6L),
            Map.entry("SpeakerSegment-v2.avsc", 0x334f35beb4e5609fL),
            Map.entry("SpeakerSegment-v3.avsc", 0x8283ffb4bf7e72c7L),
            Map.entry("SpeakerSegment-v4.avsc", 0xf5afaed95d64ff57L),
            Map.entry("Voiceprint-v1.avsc", 0xb17d46fc9733fa05L),
            Map.entry("CallSpeakersState-v1.avsc", 0x32edbac87f42d7bfL),
            Map.entry("BufferedFrame-v1.avsc", 0x5d9dd29a844d10a4L),
            Map.entry("CallAudioState-v1.avsc", 0x0d9878c56d6044c7L),
            Map.entry("ChunkArchive-v1.avsc", 0x8dd488240f6968bfL),
            Map.entry("CallDiarizationState-v1.avsc", 0x73bbf965fb885d88L),
            Map.entry("CallDiarizationState-v2.avsc", 0x5352da3a8c0d7e15L),
            Map.entry("CallDiarizationState-v3.avsc", 0x50a22ae6ce0246f1L),
            Map.entry("CallDiarizationState-v4.avsc", 0x7ff92fd596cc058dL)));

    /** The current schema of every record, the streams app's internal state included. */
    private static final List<Schema> CURRENT = List.of(AudioFrame.getClassSchema(), SpeakerSegment.getClassSchema(),
            Voiceprint.getClassSchema(), BufferedFrame.getClassSchema(), CallAudioState.getClassSchema(),
            CallDiarizationState.getClassSchema(), CallSpeakersState.getClassSchema(), ChunkArchive.getClassSchema());

    private static final Path RELEASED_DIRECTORY = Path.of("src/main/resources/streamdrz/schemas");
    private final ReleasedSchemas released = ReleasedSchemas.get();

    @Test
    void theCurrentSchemaOfEachRecordIsItsNewestReleasedVersion() {
        // Changing src/main/avro without releasing the change would write records whose
        // fingerprint no reader knows.
        for (Schema current : CURRENT) {
            List<Schema> versions = released.versions(current.getFullName());
            assertFalse(versions.isEmpty(), current.getFullName() + " was never released");
            assertEquals(ReleasedSchemas.fingerprint(current),
                    ReleasedSchemas.fingerprint(versions.get(versions.size() - 1)),
                    current.getFullName() + ": src/main/avro differs from the newest released version");
        }
    }

    @Test
    void theCurrentClassCanReadEveryReleasedVersion() {
        for (Schema current : CURRENT) {
            for (Schema old : released.versions(current.getFullName())) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
                assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(), result.getDescription());
            }
        }
    }

    @Test
    void everySchemaFileIsListedInTheIndexAndEveryListedFileExists() throws IOException {
        Set<String> files;
        try (Stream<Path> listing = Files.list(RELEASED_DIRECTORY)) {
            files = listing.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".avsc"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, new TreeSet<>(ReleasedSchemas.releasedFiles()));
    }

    @Test
    void releasedFilesNeverChangeAndAreRegisteredInVersionOrder() throws IOException {
        assertEquals(RELEASED_FINGERPRINTS.keySet(), new TreeSet<>(ReleasedSchemas.releasedFiles()),
                "record the fingerprint of a newly released version below");
        for (var entry : RELEASED_FINGERPRINTS.entrySet()) {
            Schema schema = new Schema.Parser().parse(RELEASED_DIRECTORY.resolve(entry.getKey()).toFile());
            long fingerprint = ReleasedSchemas.fingerprint(schema);
            assertEquals(entry.getValue(), fingerprint, entry.getKey() + " was edited after its release; "
                    + "records written with it would no longer decode. Release a new version instead.");
            int version = Integer.parseInt(entry.getKey().replaceAll(".*-v(\\d+)\\.avsc", "$1"));
            List<Schema> versions = released.versions(schema.getFullName());
            assertEquals(fingerprint, ReleasedSchemas.fingerprint(versions.get(version - 1)),
                    entry.getKey() + " is not version " + version + " in the store");
        }
    }
}
