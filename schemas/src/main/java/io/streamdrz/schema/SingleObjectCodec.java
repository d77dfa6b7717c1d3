package io.streamdrz.schema;

import io.streamdrz.schema.RecordDecodeException.Reason;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Encodes and decodes one generated record type in Avro's
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: the marker {@code 0xC3 0x01}, the writer schema's 8-byte little-endian
 * CRC-64-AVRO fingerprint, then the Avro binary body.
 *
 * <p>Records are written with the current (generated) schema. On reading, the
 * fingerprint selects the writer schema from a {@link SchemaStore} (normally
 * {@link ReleasedSchemas}) and Avro schema resolution turns it into the current class,
 * so records written with any released version decode. Every failure is a
 * {@link RecordDecodeException} with a {@link Reason}; this class never lets Avro's
 * own exceptions escape, because the topology must be able to route any bad input
 * to the dead-letter topic without knowing Avro.
 *
 * <p>Thread-safe; share one instance per record type.
 */
public final class SingleObjectCodec<T extends SpecificRecord> {

    /** Length of the single-object header: 2 marker bytes and the 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final Schema schema;
    private final SpecificData model;
    private final SchemaStore schemaStore;
    private final byte[] header;
    private final DatumWriter<T> writer;
    // Writer schemas seen so far, each with its resolving reader; bounded by the number
    // of released schemas because failed look-ups are never cached.
    private final ConcurrentMap<Long, WriterSchema<T>> writerSchemas = new ConcurrentHashMap<>();

    /**
     * @param recordClass   the generated class to write and to read into
     * @param schemaStore where fingerprints are looked up; must contain the class's own schema,
     *                    otherwise this codec would write records that nobody can read
     */
    public SingleObjectCodec(Class<T> recordClass, SchemaStore schemaStore) {
        this.model = SpecificData.getForClass(recordClass);
        this.schema = model.getSchema(recordClass);
        this.schemaStore = Objects.requireNonNull(schemaStore, "schemaStore");
        long fingerprint = ReleasedSchemas.fingerprint(schema);
        if (schemaStore.findByFingerprint(fingerprint) == null) {
            throw new IllegalStateException("the current schema of " + schema.getFullName() + " (fingerprint "
                    + hex(fingerprint) + ") is not in the schema store; release it before writing with it");
        }
        this.header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .put(MARKER_0).put(MARKER_1).putLong(fingerprint).array();
        this.writer = new SpecificDatumWriter<>(schema, model);
    }

    /** A codec that reads every released version of the record. */
    public static <T extends SpecificRecord> SingleObjectCodec<T> forReleased(Class<T> recordClass) {
        return new SingleObjectCodec<>(recordClass, ReleasedSchemas.get());
    }

    /** The current schema: what {@link #encode} writes and {@link #decode} returns. */
    public Schema schema() {
        return schema;
    }

    /**
     * @throws SerializationException if the record does not satisfy its own schema
     *                                (a required field left null, for example)
     */
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER_LENGTH + 256);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + ": " + e, e);
        }
        return out.toByteArray();
    }

    /**
     * @throws RecordDecodeException naming the {@link Reason} if the bytes are not a
     *                               complete, single-object encoded record readable as this type
     */
    public T decode(byte[] bytes) {
        long fingerprint = readHeader(bytes);
        WriterSchema<T> writerSchema = writerSchemaFor(fingerprint);
        checkBodyLength(bytes, fingerprint, writerSchema.schema());
        try {
            return writerSchema.reader().read(null, bodyDecoder(bytes));
        } catch (EOFException e) {
            throw truncated(bytes, fingerprint, e);
        } catch (IOException | RuntimeException e) {
            throw malformed(fingerprint, e);
        }
    }

    /**
     * Walks the body without materialising it and checks that it ends exactly where the
     * record does. Avro allocates a string or bytes field at its declared length before
     * checking that the input holds that many bytes, so without this pass one corrupt
     * length prefix could make the decoder allocate gigabytes; skipping allocates nothing.
     */
    private void checkBodyLength(byte[] bytes, long fingerprint, Schema writerSchema) {
        BinaryDecoder decoder = bodyDecoder(bytes);
        try {
            GenericDatumReader.skip(writerSchema, decoder);
        } catch (EOFException e) {
            throw truncated(bytes, fingerprint, e);
        } catch (IOException | RuntimeException e) {
            throw malformed(fingerprint, e);
        }
        int leftOver = remaining(decoder);
        if (leftOver != 0) {
            // Extra bytes mean the writer used a different schema than its fingerprint
            // claims; accepting the record would hide that.
            throw new RecordDecodeException(Reason.MALFORMED, leftOver + " bytes left over after a complete "
                    + schema.getName() + " record (writer schema " + hex(fingerprint) + ")");
        }
    }

    private static BinaryDecoder bodyDecoder(byte[] bytes) {
        return DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
    }

    private RecordDecodeException truncated(byte[] bytes, long fingerprint, EOFException cause) {
        return new RecordDecodeException(Reason.TRUNCATED, "the body ends before the " + schema.getName()
                + " record is complete (" + bytes.length + " bytes in all, writer schema " + hex(fingerprint) + ")", cause);
    }

    private RecordDecodeException malformed(long fingerprint, Exception cause) {
        return new RecordDecodeException(Reason.MALFORMED, "the body does not follow writer schema "
                + hex(fingerprint) + " of " + schema.getFullName() + ": " + cause, cause);
    }

    /** Checks the marker and returns the writer schema fingerprint. */
    private static long readHeader(byte[] bytes) {
        if (bytes.length == 0) {
            throw new RecordDecodeException(Reason.TRUNCATED,
                    "0 bytes; a single-object record starts with a " + HEADER_LENGTH + "-byte header");
        }
        if (bytes[0] != MARKER_0 || (bytes.length > 1 && bytes[1] != MARKER_1)) {
            throw new RecordDecodeException(Reason.NOT_SINGLE_OBJECT, String.format(
                    "starts with %s, not the Avro single-object marker C3 01", leadingBytes(bytes)));
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new RecordDecodeException(Reason.TRUNCATED, bytes.length + " bytes, shorter than the "
                    + HEADER_LENGTH + "-byte single-object header");
        }
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private WriterSchema<T> writerSchemaFor(long fingerprint) {
        WriterSchema<T> known = writerSchemas.get(fingerprint);
        if (known != null) {
            return known;
        }
        Schema writerSchema = schemaStore.findByFingerprint(fingerprint);
        if (writerSchema == null) {
            throw new RecordDecodeException(Reason.UNKNOWN_FINGERPRINT, "writer schema fingerprint "
                    + hex(fingerprint) + " is not a released schema (expected a version of "
                    + schema.getFullName() + ")");
        }
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            throw new RecordDecodeException(Reason.INCOMPATIBLE_SCHEMA, "records written with "
                    + writerSchema.getFullName() + " (fingerprint " + hex(fingerprint) + ") cannot be read as "
                    + schema.getFullName() + ": " + compatibility.getDescription());
        }
        WriterSchema<T> created = new WriterSchema<>(writerSchema,
                new SpecificDatumReader<>(writerSchema, schema, model));
        WriterSchema<T> raced = writerSchemas.putIfAbsent(fingerprint, created);
        return raced != null ? raced : created;
    }

    private static int remaining(BinaryDecoder decoder) {
        try {
            return decoder.isEnd() ? 0 : Math.max(1, decoder.inputStream().available());
        } catch (IOException e) {
            return 1;
        }
    }

    private static String leadingBytes(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(2, bytes.length); i++) {
            text.append(i == 0 ? "" : " ").append(String.format("%02X", bytes[i] & 0xFF));
        }
        return text.toString();
    }

    private record WriterSchema<T>(Schema schema, DatumReader<T> reader) {
    }

    /** A fingerprint as Avro's Java API reports it: the 64-bit value in hex. */
    static String hex(long fingerprint) {
        return String.format("0x%016x", fingerprint);
    }
}
