package io.reflow.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Undoes posthog-js per-event compression ({@code "cv": "2024-10"} on an rrweb event), so that stored
 * events replay in a stock rrweb player:
 * <ul>
 *   <li>full snapshots (type 2) carry {@code data} as a gzip string;</li>
 *   <li>mutations (type 3, source 0) carry {@code texts}, {@code attributes}, {@code removes}, {@code adds} as gzip strings;</li>
 *   <li>stylesheet rules (type 3, source 8) carry {@code adds} and {@code removes} as gzip strings.</li>
 * </ul>
 * A gzip string is decoded as: its chars taken as ISO-8859-1 bytes, gunzipped, parsed as JSON. A field of one of
 * those that is not a string is kept as it is (the SDK leaves a field uncompressed when it is not worth it); the
 * decoded event has no {@code cv}. Decompressed bytes are counted per event against a limit, so a small
 * "gzip bomb" cannot blow up memory.
 */
public final class PerEventCompression {
    /** The only per-event compression version posthog-js has shipped. */
    public static final String VERSION_2024_10 = "2024-10";
    public static final String FIELD = "cv";

    private static final int FULL_SNAPSHOT = 2;
    private static final int INCREMENTAL_SNAPSHOT = 3;
    private static final int SOURCE_MUTATION = 0;
    private static final int SOURCE_STYLESHEET_RULE = 8;
    private static final List<String> MUTATION_FIELDS = List.of("texts", "attributes", "removes", "adds");
    private static final List<String> STYLESHEET_FIELDS = List.of("adds", "removes");
    private static final ObjectReader STRICT = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PerEventCompression() {}

    /** Why an event could not be decoded: a short machine reason (for a dead letter) and a detail. */
    public static final class UndecodableEvent extends Exception {
        private final String reason;

        UndecodableEvent(String reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        /** {@code unsupported_compression_version}, {@code compressed_field_undecodable} or {@code compressed_event_too_large}. */
        public String reason() {
            return reason;
        }
    }

    /** True when the event carries per-event compression (any {@code cv} field). */
    public static boolean isCompressed(JsonNode event) {
        return event != null && event.isObject() && event.has(FIELD);
    }

    /**
     * The event with its compressed fields decoded and without {@code cv}; the event itself when it is not
     * compressed. The argument is never modified.
     *
     * @param maxDecompressedBytes how many bytes all gzip fields of this event may decompress to, together
     */
    public static JsonNode decode(JsonNode event, long maxDecompressedBytes) throws UndecodableEvent {
        if (!isCompressed(event)) {
            return event;
        }
        JsonNode version = event.get(FIELD);
        if (!version.isTextual() || !VERSION_2024_10.equals(version.asText())) {
            throw new UndecodableEvent("unsupported_compression_version",
                    "cv " + version + " is not a per-event compression this decoder knows (" + VERSION_2024_10 + ")");
        }
        ObjectNode decoded = event.deepCopy();
        decoded.remove(FIELD);
        Budget budget = new Budget(maxDecompressedBytes);
        int type = event.path("type").asInt(-1);
        if (type == FULL_SNAPSHOT) {
            decodeField(decoded, "data", "data", budget);
        } else if (type == INCREMENTAL_SNAPSHOT && decoded.get("data") instanceof ObjectNode data) {
            int source = data.path("source").asInt(-1);
            List<String> fields = source == SOURCE_MUTATION ? MUTATION_FIELDS
                    : source == SOURCE_STYLESHEET_RULE ? STYLESHEET_FIELDS : List.of();
            for (String field : fields) {
                decodeField(data, field, "data." + field, budget);
            }
        }
        return decoded;
    }

    /** Gunzips a per-event compression string (chars as ISO-8859-1 bytes) and parses the JSON inside. */
    public static JsonNode decodeString(String compressed, long maxDecompressedBytes) throws UndecodableEvent {
        return decodeString(compressed, "value", new Budget(maxDecompressedBytes));
    }

    private static void decodeField(ObjectNode parent, String field, String path, Budget budget) throws UndecodableEvent {
        JsonNode value = parent.get(field);
        if (value != null && value.isTextual()) {
            parent.set(field, decodeString(value.asText(), path, budget));
        }
    }

    private static JsonNode decodeString(String compressed, String path, Budget budget) throws UndecodableEvent {
        byte[] bytes = new byte[compressed.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = compressed.charAt(i);
            if (c > 0xFF) {
                throw new UndecodableEvent("compressed_field_undecodable",
                        path + ": character U+" + Integer.toHexString(c) + " at " + i + " is not a byte (ISO-8859-1)");
            }
            bytes[i] = (byte) c;
        }
        if (bytes.length < 2 || (bytes[0] & 0xFF) != 0x1F || (bytes[1] & 0xFF) != 0x8B) {
            throw new UndecodableEvent("compressed_field_undecodable", path + ": not gzip (no 1f 8b magic)");
        }
        try (InputStream in = new Limited(new GZIPInputStream(new ByteArrayInputStream(bytes), 8192), budget, path)) {
            JsonNode value = STRICT.readTree(in);
            if (value == null || value.isMissingNode()) {
                throw new UndecodableEvent("compressed_field_undecodable", path + ": gzip holds no JSON value");
            }
            return value;
        } catch (TooLarge e) {
            throw new UndecodableEvent("compressed_event_too_large", e.getMessage());
        } catch (JsonProcessingException e) {
            throw new UndecodableEvent("compressed_field_undecodable", path + ": not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UndecodableEvent("compressed_field_undecodable", path + ": not gzip: " + e.getMessage());
        }
    }

    private static final class Budget {
        private final long limit;
        private long used;

        Budget(long limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("decompression limit must be positive");
            }
            this.limit = limit;
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Counts what the gzip stream yields against the event's budget and fails as soon as it is exceeded. */
    private static final class Limited extends FilterInputStream {
        private final Budget budget;
        private final String path;

        Limited(InputStream in, Budget budget, String path) {
            super(in);
            this.budget = budget;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws TooLarge {
            budget.used += n;
            if (budget.used > budget.limit) {
                throw new TooLarge(path + ": decompresses to more than the limit of " + budget.limit + " bytes per event");
            }
        }
    }
}
