package io.reflow.capture;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Reads a capture body in one streaming pass, noting each item's byte range, and keeps of each item only what
 * capture looks at: items are passed on as the bytes they are (see {@link SplicedJson}), so building whole trees
 * would be wasted work. Everything is still parsed, so a body that is not well-formed JSON is refused.
 *
 * <p>For events, the top-level scalars and a few properties are kept (name, ids, token, session id, IP); for
 * snapshots, everything but the rrweb events of {@code properties.$snapshot_data}, whose byte ranges are noted.
 * A {@link Payload#fullItem full item} is parsed again only when it is needed whole (dead letters, IP removal).
 */
final class PayloadReader {
    enum Mode { EVENTS, SNAPSHOTS }

    private static final String BATCH = "batch";
    private static final String PROPERTIES = "properties";
    private static final String SNAPSHOT_DATA = "$snapshot_data";
    /** Top-level fields of an event kept even when they are objects or arrays (so that checks see their type). */
    private static final Set<String> CHECKED_FIELDS = Set.of(PROPERTIES, "event", "distinct_id", "uuid", "sent_at", "api_key", "token", "$token");
    private static final Set<String> EVENT_PROPERTIES = Set.of("token", "distinct_id", "$session_id", "$ip");

    private final JsonParser parser;
    private final Mode mode;

    private PayloadReader(JsonParser parser, Mode mode) {
        this.parser = parser;
        this.mode = mode;
    }

    static Payload read(byte[] json, Mode mode) {
        Payload quick = mode == Mode.SNAPSHOTS ? SnapshotBodyScanner.read(json) : null;
        return quick != null ? quick : readWithJackson(json, mode);
    }

    /** The body read with Jackson's token stream; also what {@link SnapshotBodyScanner} leaves to Jackson. */
    static Payload readWithJackson(byte[] json, Mode mode) {
        try (JsonParser parser = Json.mapper().createParser(json)) {
            return new PayloadReader(parser, mode).body(json);
        } catch (JsonProcessingException e) {
            throw CaptureException.badRequest("invalid_payload", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw CaptureException.badRequest("invalid_payload", "the body cannot be read: " + e.getMessage());
        }
    }

    private Payload body(byte[] json) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw CaptureException.badRequest("invalid_payload", "the body is empty");
        }
        List<PayloadItem> items = new ArrayList<>();
        JsonNode root;
        if (first == JsonToken.START_ARRAY) {
            items(items);
            root = Json.mapper().createObjectNode();
        } else if (first == JsonToken.START_OBJECT) {
            // {"api_key": …, "batch": […]} or a single event: which one shows only when (if) "batch" comes
            int start = tokenStart();
            ObjectNode object = Json.mapper().createObjectNode();
            SnapshotData data = new SnapshotData();
            boolean batch = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(BATCH) && !batch) {
                    batch = true;
                    if (value == JsonToken.START_ARRAY) {
                        items(items);
                    } else if (value == JsonToken.START_OBJECT) {
                        items.add(item());
                    } else {
                        throw notEvents();
                    }
                } else {
                    field(object, name, value, data);
                }
            }
            if (!batch) {
                items.add(item(object, start, tokenStart() + 1, data));
            }
            root = object;
        } else {
            throw notEvents();
        }
        if (items.isEmpty()) {
            throw CaptureException.badRequest("empty_batch", "the request contains no events");
        }
        return new Payload(json, root, List.copyOf(items));
    }

    private void items(List<PayloadItem> into) throws IOException {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            into.add(item());
        }
    }

    /** The item at the current token. */
    private PayloadItem item() throws IOException {
        int start = tokenStart();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            JsonNode node = Json.mapper().readTree(parser); // not an event at all: kept whole to be dead-lettered
            return new PayloadItem(node, start, tokenEnd(), null, false);
        }
        ObjectNode object = Json.mapper().createObjectNode();
        SnapshotData data = new SnapshotData();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            field(object, name, parser.nextToken(), data);
        }
        return item(object, start, tokenStart() + 1, data);
    }

    /** One field of an item whose value starts at the current token. */
    private void field(ObjectNode into, String name, JsonToken value, SnapshotData data) throws IOException {
        if (name.equals(PROPERTIES) && value == JsonToken.START_OBJECT) {
            into.set(name, properties(data));
        } else if (mode == Mode.EVENTS && value.isStructStart() && !CHECKED_FIELDS.contains(name)) {
            parser.skipChildren();
        } else {
            into.set(name, Json.mapper().readTree(parser));
        }
    }

    private static PayloadItem item(JsonNode node, int start, int end, SnapshotData data) {
        return data.ranges == null ? new PayloadItem(node, start, end, null, false)
                : new PayloadItem(node, start, end, Arrays.copyOf(data.ranges, data.count), data.allObjects);
    }

    /** A properties object, as far as the mode keeps it; an array {@code $snapshot_data} is scanned into {@code data}. */
    private ObjectNode properties(SnapshotData data) throws IOException {
        ObjectNode properties = Json.mapper().createObjectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (mode == Mode.SNAPSHOTS && name.equals(SNAPSHOT_DATA) && value == JsonToken.START_ARRAY && data.ranges == null) {
                data.scan(parser);
            } else if (mode == Mode.EVENTS && !EVENT_PROPERTIES.contains(name)) {
                parser.skipChildren();
            } else {
                properties.set(name, Json.mapper().readTree(parser));
            }
        }
        return properties;
    }

    /** Offset of the current token's first byte. */
    private int tokenStart() {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    /** Offset just past the value that ends at the current token. */
    private int tokenEnd() {
        return (int) parser.currentLocation().getByteOffset();
    }

    private static CaptureException notEvents() {
        return CaptureException.badRequest("invalid_payload", "expected an event, an array of events or {\"batch\": [...]}");
    }

    /** The byte ranges of the elements of one {@code $snapshot_data} array (none while there is no such array). */
    private static final class SnapshotData {
        int[] ranges;
        int count;
        boolean allObjects = true;

        void scan(JsonParser parser) throws IOException {
            ranges = new int[32];
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                allObjects &= t == JsonToken.START_OBJECT;
                parser.skipChildren();
                int end = (int) parser.currentLocation().getByteOffset();
                if (count + 2 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, 2 * ranges.length);
                }
                ranges[count++] = start;
                ranges[count++] = end;
            }
        }
    }
}
