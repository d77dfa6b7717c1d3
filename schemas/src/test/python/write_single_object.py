"""Write one record in Avro single-object encoding from an .avsc file alone, with fastavro.

Usage: write_single_object.py SCHEMA.avsc 'RECORD-AS-JSON' > record.bin

Fields of Avro type "bytes" are given in the JSON as base64 strings. The script
stands in for a streamdrz producer written in another language, so it must need
nothing from the Java build except the schema file.
"""
import base64
import io
import json
import sys

try:
    import fastavro
    from fastavro.schema import fingerprint, parse_schema, to_parsing_canonical_form
except ImportError as error:
    sys.exit(f"fastavro is not importable by {sys.executable}: {error}")

SINGLE_OBJECT_MARKER = b"\xc3\x01"


def single_object_bytes(schema, record):
    out = io.BytesIO()
    out.write(SINGLE_OBJECT_MARKER)
    # fastavro gives the CRC-64-AVRO fingerprint of the parsing canonical form as the
    # hex of its little-endian bytes: exactly the 8 bytes the header needs.
    out.write(bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO")))
    fastavro.schemaless_writer(out, schema, record)
    return out.getvalue()


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        schema = parse_schema(json.load(f))
    record = json.loads(argv[2])
    for field in schema["fields"]:
        if field["type"] == "bytes":
            record[field["name"]] = base64.b64decode(record[field["name"]])
    sys.stdout.buffer.write(single_object_bytes(schema, record))


if __name__ == "__main__":
    main(sys.argv)
