package io.streamdrz.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every released version of every streamdrz record schema, looked up by the
 * CRC-64-AVRO fingerprint that Avro's single-object encoding puts in front of each
 * record.
 *
 * <p>The versions are the {@code .avsc} files listed, oldest first, in
 * {@code streamdrz/schemas/released-schemas.txt} on the class path. Registering old
 * versions, not only the current one, is what lets records that still sit in topics
 * and changelogs decode after a schema evolves: the reader resolves the old writer
 * schema against the current generated class.
 */
public final class ReleasedSchemas implements SchemaStore {

    static final String DIRECTORY = "/streamdrz/schemas/";
    static final String INDEX = DIRECTORY + "released-schemas.txt";

    private final Map<Long, Schema> byFingerprint;
    private final Map<String, List<Schema>> byFullName;

    private ReleasedSchemas(Map<Long, Schema> byFingerprint, Map<String, List<Schema>> byFullName) {
        this.byFingerprint = byFingerprint;
        this.byFullName = byFullName;
    }

    /** The released schemas on the class path, loaded once. */
    public static ReleasedSchemas get() {
        return Holder.INSTANCE;
    }

    /** The 64-bit fingerprint that identifies a schema in single-object encoded bytes. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    /** The released versions of one record, oldest first; empty if it was never released. */
    public List<Schema> versions(String fullName) {
        return byFullName.getOrDefault(fullName, List.of());
    }

    /** Every released schema, each record's versions oldest first. */
    public Collection<Schema> all() {
        return byFingerprint.values();
    }

    static ReleasedSchemas load() {
        Map<Long, Schema> byFingerprint = new LinkedHashMap<>();
        Map<String, List<Schema>> byFullName = new LinkedHashMap<>();
        for (String file : releasedFiles()) {
            // One parser per file: versions of the same record share a full name,
            // and a parser refuses to define a name twice.
            Schema schema = parse(file);
            Schema previous = byFingerprint.putIfAbsent(fingerprint(schema), schema);
            if (previous != null) {
                throw new IllegalStateException(file + " is identical (in parsing canonical form) to an earlier"
                        + " released version of " + previous.getFullName() + "; a release must change the schema");
            }
            byFullName.computeIfAbsent(schema.getFullName(), name -> new ArrayList<>()).add(schema);
        }
        byFullName.replaceAll((name, versions) -> List.copyOf(versions));
        return new ReleasedSchemas(Collections.unmodifiableMap(byFingerprint), Collections.unmodifiableMap(byFullName));
    }

    static List<String> releasedFiles() {
        try (InputStream in = open(INDEX);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> files = new ArrayList<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    files.add(name);
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
    }

    private static Schema parse(String file) {
        try (InputStream in = open(DIRECTORY + file)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read released schema " + file, e);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = ReleasedSchemas.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException(resource + " is not on the class path");
        }
        return in;
    }

    private static final class Holder {
        static final ReleasedSchemas INSTANCE = load();
    }
}
