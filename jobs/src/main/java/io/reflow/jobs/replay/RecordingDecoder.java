package io.reflow.jobs.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingEventPart;
import io.reflow.contracts.RetentionClass;
import io.reflow.contracts.SessionIds;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns one recordings-topic message ({@link io.reflow.contracts.RecordingMessage} as JSON) into a {@link SessionChunk}
 * in one streaming pass over its bytes. A message that cannot be used at all, and each rrweb event that is not valid,
 * goes to the dead letters with the reason; the valid events around it are kept.
 *
 * <p>An event's block line is its own bytes from the message ({@code [window_id, event]}), not a re-serialised tree:
 * only posthog-js per-event compression ({@code "cv": "2024-10"}) is undone, by cutting out the {@code cv} member and
 * putting the gunzipped JSON of each compressed field ({@link CompressedFields}) in place of its string, so stored
 * blocks replay in a stock rrweb player. Everything copied was checked by the parser (strict JSON, valid UTF-8), and a
 * line break between tokens becomes a space, so a line is always one line. Metrics come from the few fields the
 * summary needs; the rare meta and plugin events (URLs, console lines) are read as trees.
 *
 * <p>Reuses its buffers from message to message: one instance per thread.
 */
public final class RecordingDecoder implements AutoCloseable {
    static final String STAGE = "replay-decode";
    static final long MAX_FUTURE_MS = Duration.ofDays(7).toMillis();
    private static final JsonFactory JSON = Json.mapper().getFactory();

    private static final int FULL_SNAPSHOT = 2;
    private static final int INCREMENTAL_SNAPSHOT = 3;
    private static final int META = 4;
    private static final int PLUGIN = 6;
    private static final int SOURCE_MUTATION = 0;
    private static final int SOURCE_STYLESHEET_RULE = 8;
    private static final List<String> MUTATION_FIELDS = List.of("texts", "attributes", "removes", "adds");
    private static final List<String> STYLESHEET_FIELDS = List.of("adds", "removes");

    private final long maxDecompressedEventBytes;
    private final CompressedFields compressed = new CompressedFields(JSON);
    private final GrowableBytes lines = new GrowableBytes();
    private final EventFields event = new EventFields();

    public RecordingDecoder(long maxDecompressedEventBytes) {
        if (maxDecompressedEventBytes <= 0) {
            throw new IllegalArgumentException("the decompressed event limit must be positive");
        }
        this.maxDecompressedEventBytes = maxDecompressedEventBytes;
    }

    /** Who sent the events of a message, as capture stamped it. */
    record Origin(long teamId, String sessionId, String windowId, String distinctId, String snapshotSource,
                  String snapshotLibrary, long receivedAtMs, RetentionClass retention, boolean encrypt) {}

    /**
     * The chunk one recordings-topic message becomes at processing time {@code now}, or null when nothing in it is
     * usable; every rejected message or event goes to {@code deadLetters} with its reason.
     */
    public SessionChunk decode(ConsumedRecord record, long now, Consumer<DeadLetter> deadLetters) {
        byte[] value = record.value();
        if (value == null) {
            deadLetters.accept(DeadLetter.ofRecord(STAGE, "invalid_message", "the message has no value", record));
            return null;
        }
        Header h = new Header();
        Decoded inline;
        try {
            inline = scanMessage(value, now, h);
            if (inline == null) {
                h = new Header();
                inline = readMessage(value, now, h, record);
            }
        } catch (IOException | IllegalArgumentException e) {
            deadLetters.accept(DeadLetter.ofRecord(STAGE, "invalid_message", "cannot decode RecordingMessage: " + e.getMessage(), record));
            return null;
        }
        if (!SessionIds.isValid(h.sessionId)) {
            deadLetters.accept(DeadLetter.ofRecord(STAGE, "invalid_session_id",
                    "session id must be 1-70 chars of [A-Za-z0-9-]", record));
            return null;
        }
        if (h.teamId <= 0) {
            deadLetters.accept(DeadLetter.ofRecord(STAGE, "missing_team", "message has no team_id", record));
            return null;
        }
        RetentionClass retention;
        try {
            retention = RetentionClass.parse(h.retention);
        } catch (IllegalArgumentException e) {
            deadLetters.accept(DeadLetter.ofRecord(STAGE, "invalid_retention", e.getMessage(), record));
            return null;
        }
        Origin origin = h.origin(retention);
        if (h.eventPart != null) {
            RecordingEventPart part = h.eventPart;
            return SessionChunk.part(origin, new SessionChunk.EventPart(part.id(), part.index(), part.count(), part.bytes(),
                    h.windowId, record.topic(), record.partition(), record.offset()));
        }
        return chunk(origin, inline == null ? Decoded.NONE : inline, record, deadLetters);
    }

    /**
     * The message read by {@link JsonBytes} alone, when it is as capture writes it: header fields of their usual types
     * (strings without escapes, plain integers, booleans, nulls; no event part), then the events array, last. Null for
     * anything else, and then {@link #readMessage} reads it all again: this path only ever accepts what that one reads
     * the same way.
     */
    private Decoded scanMessage(byte[] b, long now, Header h) throws IOException {
        int end = b.length;
        int i = JsonBytes.skipWhitespace(b, 0, end);
        if (i >= end || b[i] != '{') {
            return null;
        }
        i = JsonBytes.skipWhitespace(b, i + 1, end);
        while (i < end && b[i] == '"') {
            int keyEnd = JsonBytes.skipString(b, i, end);
            if (keyEnd == JsonBytes.FAIL || hasBackslash(b, i + 1, keyEnd - 1)) {
                return null;
            }
            int keyFrom = i + 1;
            int keyTo = keyEnd - 1;
            i = JsonBytes.skipWhitespace(b, keyEnd, end);
            if (i >= end || b[i] != ':') {
                return null;
            }
            i = JsonBytes.skipWhitespace(b, i + 1, end);
            if (i >= end) {
                return null;
            }
            int valueEnd;
            boolean isTeam = JsonBytes.equalsAscii(b, keyFrom, keyTo, "team_id");
            if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "events")) {
                if (b[i] != '[' || h.teamId == 0 || !h.sessionIdSeen || !h.windowIdSeen) {
                    return null;
                }
                return scanEvents(b, i, h.windowId, now); // null unless the array ends the message
            } else if (isTeam || JsonBytes.equalsAscii(b, keyFrom, keyTo, "received_at_ms")) {
                long v = 0;
                if (b[i] == 'n') {
                    valueEnd = JsonBytes.literal(b, i, end, "null");
                } else {
                    valueEnd = JsonBytes.plainIntegerEnd(b, i, end);
                    if (valueEnd != JsonBytes.FAIL) {
                        v = JsonBytes.parsePlainInteger(b, i, valueEnd);
                    }
                }
                if (valueEnd == JsonBytes.FAIL) {
                    return null;
                }
                if (isTeam) {
                    h.teamId = v;
                } else {
                    h.receivedAtMs = v;
                }
            } else if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "encrypt")) {
                valueEnd = b[i] == 't' ? JsonBytes.literal(b, i, end, "true")
                        : JsonBytes.literal(b, i, end, b[i] == 'f' ? "false" : "null");
                if (valueEnd == JsonBytes.FAIL) {
                    return null;
                }
                h.encrypt = b[i] == 't';
            } else if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "event_part")) {
                valueEnd = JsonBytes.literal(b, i, end, "null");
                if (valueEnd == JsonBytes.FAIL) {
                    return null;
                }
                h.eventPart = null;
            } else {
                int field = headerStringField(b, keyFrom, keyTo);
                if (field < 0) {
                    valueEnd = JsonBytes.skipValue(b, i, end);
                    if (valueEnd == JsonBytes.FAIL) {
                        return null;
                    }
                } else {
                    String value = null;
                    if (b[i] == '"') {
                        valueEnd = JsonBytes.skipString(b, i, end);
                        if (valueEnd == JsonBytes.FAIL || hasBackslash(b, i + 1, valueEnd - 1)) {
                            return null;
                        }
                        value = new String(b, i + 1, valueEnd - i - 2, StandardCharsets.UTF_8);
                    } else {
                        valueEnd = JsonBytes.literal(b, i, end, "null");
                        if (valueEnd == JsonBytes.FAIL) {
                            return null;
                        }
                    }
                    h.setString(field, value);
                }
            }
            i = JsonBytes.skipWhitespace(b, valueEnd, end);
            if (i >= end || b[i] != ',') {
                return null;
            }
            i = JsonBytes.skipWhitespace(b, i + 1, end);
        }
        return null;
    }

    private static final String[] HEADER_STRINGS = {"session_id", "window_id", "distinct_id", "snapshot_source",
            "snapshot_library", "retention"};

    /** Which of {@link #HEADER_STRINGS} the name between {@code from} and {@code to} is, or -1. */
    private static int headerStringField(byte[] b, int from, int to) {
        for (int f = 0; f < HEADER_STRINGS.length; f++) {
            if (JsonBytes.equalsAscii(b, from, to, HEADER_STRINGS[f])) {
                return f;
            }
        }
        return -1;
    }

    /** The message read by Jackson, whatever its shape: its header into {@code h}, and its events. */
    private Decoded readMessage(byte[] value, long now, Header h, ConsumedRecord record) throws IOException {
        Decoded inline = null;
        boolean eventsLater = false;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "a recording message is a JSON object");
            }
            JsonToken t;
            fields:
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "team_id" -> h.teamId = longValue(p, v, name);
                    case "session_id" -> {
                        h.sessionId = stringValue(p, v, name);
                        h.sessionIdSeen = true;
                    }
                    case "window_id" -> {
                        h.windowId = stringValue(p, v, name);
                        h.windowIdSeen = true;
                    }
                    case "distinct_id" -> h.distinctId = stringValue(p, v, name);
                    case "snapshot_source" -> h.snapshotSource = stringValue(p, v, name);
                    case "snapshot_library" -> h.snapshotLibrary = stringValue(p, v, name);
                    case "received_at_ms" -> h.receivedAtMs = longValue(p, v, name);
                    case "retention" -> h.retention = stringValue(p, v, name);
                    case "encrypt" -> h.encrypt = booleanValue(p, v, name);
                    case "event_part" -> h.eventPart = v == JsonToken.VALUE_NULL ? null
                            : Json.mapper().readValue(p, RecordingEventPart.class);
                    case "events" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            inline = null;
                            eventsLater = false;
                        } else if (v != JsonToken.START_ARRAY) {
                            throw new JsonParseException(p, "events must be an array");
                        } else if (h.teamId != 0 && h.sessionIdSeen && h.windowIdSeen) {
                            // capture writes events last: decode them now, in the same pass
                            int arrayStart = offset(p.currentTokenLocation().getByteOffset());
                            Decoded fast = scanEvents(value, arrayStart, h.windowId, now);
                            if (fast != null) {
                                inline = fast; // the message ended with the events: nothing left to read
                                eventsLater = false;
                                t = JsonToken.END_OBJECT;
                                break fields;
                            }
                            inline = decodeEvents(p, value, h.windowId, now, record);
                            eventsLater = false;
                        } else {
                            p.skipChildren();
                            eventsLater = true;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new JsonParseException(p, "unexpected " + t + " in a recording message");
            }
            if (eventsLater && h.eventPart == null) {
                inline = decodeEventsOf(value, h.windowId, now, record);
            }
        }
        return inline;
    }

    /**
     * The chunk of one whole rrweb event (the joined parts of an event too large for one Kafka message).
     *
     * @throws IOException when {@code eventJson} is not JSON
     */
    SessionChunk decodeEvent(Origin origin, byte[] eventJson, long now, ConsumedRecord record,
                             Consumer<DeadLetter> deadLetters) throws IOException {
        byte[] array = new byte[eventJson.length + 2];
        array[0] = '[';
        System.arraycopy(eventJson, 0, array, 1, eventJson.length);
        array[array.length - 1] = ']';
        Decoded decoded;
        try (JsonParser p = JSON.createParser(array)) {
            p.nextToken();
            decoded = decodeEvents(p, array, origin.windowId(), now, record);
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "more than one JSON value");
            }
        }
        return chunk(origin, decoded, record, deadLetters);
    }

    private SessionChunk chunk(Origin origin, Decoded decoded, ConsumedRecord record, Consumer<DeadLetter> deadLetters) {
        for (Rejection r : decoded.rejected) {
            deadLetters.accept(DeadLetter.of(STAGE, r.reason, r.detail, record, origin.teamId(), origin.sessionId(), r.payload));
        }
        if (decoded.metrics.eventCount() == 0) {
            deadLetters.accept(DeadLetter.of(STAGE, "no_valid_events", "message holds no valid rrweb event",
                    record, origin.teamId(), origin.sessionId(), null));
            return null;
        }
        return new SessionChunk(origin.teamId(), origin.sessionId(), origin.distinctId(),
                orDefault(origin.snapshotSource(), "web"), orDefault(origin.snapshotLibrary(), "web"),
                origin.retention().pathSegment(), origin.receivedAtMs(), decoded.metrics, decoded.lines,
                decoded.console, null, origin.encrypt());
    }

    /** Finds the events array of a message whose header came after it, and decodes it. */
    private Decoded decodeEventsOf(byte[] value, String windowId, long now, ConsumedRecord record) throws IOException {
        Decoded last = null;
        try (JsonParser p = JSON.createParser(value)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("events")) {
                    last = v == JsonToken.START_ARRAY ? decodeEvents(p, value, windowId, now, record) : null;
                } else {
                    p.skipChildren();
                }
            }
        }
        return last;
    }

    /** Decodes the events array the parser stands at the start of, up to its end. */
    private Decoded decodeEvents(JsonParser p, byte[] source, String windowId, long now, ConsumedRecord record)
            throws IOException {
        EventsOut out = new EventsOut(windowId, now);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new JsonParseException(p, "the events array is not closed");
            }
            if (t != JsonToken.START_OBJECT) {
                JsonNode node = Json.mapper().readTree(p);
                out.add(new Rejection("event_not_object", "rrweb event rejected", String.valueOf(node)));
            } else {
                out.add(decodeEvent(p, source, out.window, out.latestAllowed, 0));
            }
        }
        return out.decoded();
    }

    /**
     * The events array at {@code arrayStart} read with {@link JsonBytes}: plain events (neither per-event compression
     * nor a meta or plugin event) are checked and copied without a parser, the others are handed to Jackson one by one.
     * Null when the array holds anything {@link JsonBytes} does not accept, or the message goes on after the array
     * with more than its closing brace: then the caller decodes it all with Jackson.
     */
    private Decoded scanEvents(byte[] b, int arrayStart, String windowId, long now) throws IOException {
        int end = b.length;
        EventsOut out = new EventsOut(windowId, now);
        int i = JsonBytes.skipWhitespace(b, arrayStart + 1, end);
        if (i < end && b[i] == ']') {
            i++;
        } else {
            while (true) {
                if (i >= end || b[i] != '{') {
                    return null;
                }
                int eventEnd = scanEvent(b, i, end, out);
                if (eventEnd == JsonBytes.FAIL) {
                    return null;
                }
                i = JsonBytes.skipWhitespace(b, eventEnd, end);
                if (i >= end) {
                    return null;
                }
                if (b[i] == ']') {
                    i++;
                    break;
                }
                if (b[i] != ',') {
                    return null;
                }
                i = JsonBytes.skipWhitespace(b, i + 1, end);
            }
        }
        i = JsonBytes.skipWhitespace(b, i, end);
        if (i >= end || b[i] != '}' || JsonBytes.skipWhitespace(b, i + 1, end) != end) {
            return null;
        }
        return out.decoded();
    }

    /** Reads one event at {@code start} ('{') into {@code out}; returns its end, or {@link JsonBytes#FAIL}. */
    private int scanEvent(byte[] b, int start, int end, EventsOut out) throws IOException {
        EventFields e = event.reset(b, start);
        latin1s.truncate(0);
        boolean plainType = false;
        boolean plainTimestamp = false;
        boolean needsParser = false;
        int dataStringFrom = -1;
        int dataStringTo = -1;
        int i = JsonBytes.skipWhitespace(b, start + 1, end);
        if (i < end && b[i] == '}') {
            i++;
            needsParser = true;
        } else {
            while (true) {
                if (i >= end || b[i] != '"') {
                    return JsonBytes.FAIL;
                }
                int keyEnd = JsonBytes.skipString(b, i, end);
                if (keyEnd == JsonBytes.FAIL) {
                    return JsonBytes.FAIL;
                }
                int keyFrom = i + 1;
                int keyTo = keyEnd - 1;
                needsParser |= hasBackslash(b, keyFrom, keyTo); // a name written with escapes: Jackson reads it
                boolean isCv = JsonBytes.equalsAscii(b, keyFrom, keyTo, "cv");
                e.addMember(i, isCv);
                i = JsonBytes.skipWhitespace(b, keyEnd, end);
                if (i >= end || b[i] != ':') {
                    return JsonBytes.FAIL;
                }
                i = JsonBytes.skipWhitespace(b, i + 1, end);
                int valueEnd;
                if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "type")) {
                    valueEnd = JsonBytes.plainIntegerEnd(b, i, end);
                    plainType = valueEnd != JsonBytes.FAIL;
                    if (plainType) {
                        long v = JsonBytes.parsePlainInteger(b, i, valueEnd);
                        plainType = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                        e.type = (int) v;
                    } else {
                        valueEnd = JsonBytes.skipValue(b, i, end);
                    }
                } else if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "timestamp")) {
                    valueEnd = JsonBytes.plainIntegerEnd(b, i, end);
                    plainTimestamp = valueEnd != JsonBytes.FAIL;
                    if (plainTimestamp) {
                        e.timestamp = JsonBytes.parsePlainInteger(b, i, valueEnd);
                    } else {
                        valueEnd = JsonBytes.skipValue(b, i, end);
                    }
                } else if (JsonBytes.equalsAscii(b, keyFrom, keyTo, "data")) {
                    e.dataSource = -1;
                    e.dataType = -1;
                    e.dataIsString = i < end && b[i] == '"';
                    dataStringFrom = -1;
                    java.util.Arrays.fill(fieldFrom, -1);
                    if (i < end && b[i] == '{') {
                        valueEnd = scanData(b, i, end, e);
                        if (valueEnd == DATA_NEEDS_PARSER) {
                            needsParser = true;
                            valueEnd = JsonBytes.skipValue(b, i, end);
                        }
                    } else if (e.dataIsString) {
                        dataLatin1 = latin1s.size();
                        valueEnd = JsonBytes.latin1String(b, i, end, latin1s);
                        if (valueEnd == JsonBytes.FAIL) {
                            latin1s.truncate(dataLatin1);
                            dataLatin1 = -1;
                            valueEnd = JsonBytes.skipValue(b, i, end);
                        }
                        dataLatin1Length = dataLatin1 < 0 ? 0 : latin1s.size() - dataLatin1;
                        dataStringFrom = i;
                        dataStringTo = valueEnd;
                    } else {
                        valueEnd = JsonBytes.skipValue(b, i, end);
                    }
                } else if (isCv) {
                    valueEnd = JsonBytes.skipValue(b, i, end);
                    e.cvPresent = true;
                    if (JsonBytes.equalsAscii(b, i, valueEnd, VERSION_2024_10_JSON)) {
                        e.cv = PerEventCompression.VERSION_2024_10;
                    } else {
                        needsParser = true; // Jackson says what is wrong with it
                    }
                } else {
                    valueEnd = JsonBytes.skipValue(b, i, end);
                }
                if (valueEnd == JsonBytes.FAIL) {
                    return JsonBytes.FAIL;
                }
                i = JsonBytes.skipWhitespace(b, valueEnd, end);
                if (i >= end) {
                    return JsonBytes.FAIL;
                }
                if (b[i] == '}') {
                    i++;
                    break;
                }
                if (b[i] != ',') {
                    return JsonBytes.FAIL;
                }
                i = JsonBytes.skipWhitespace(b, i + 1, end);
            }
        }
        int eventEnd = i;
        e.end = eventEnd;
        needsParser |= !plainType || !plainTimestamp || e.type == META || e.type == PLUGIN
                || e.timestamp <= 0 || e.timestamp > out.latestAllowed;
        if (needsParser) {
            try (JsonParser p = JSON.createParser(b, start, eventEnd - start)) {
                p.nextToken();
                out.add(decodeEvent(p, b, out.window, out.latestAllowed, start));
            }
            return eventEnd;
        }
        if (e.type != INCREMENTAL_SNAPSHOT) {
            e.dataSource = -1;
            e.dataType = -1;
        }
        if (e.cvPresent) {
            if (dataStringFrom >= 0) {
                e.data.add(latin1Field("data", "data", dataStringFrom, dataStringTo, dataLatin1, dataLatin1Length));
            }
            for (int f = 0; f < COMPRESSIBLE.length; f++) {
                if (fieldFrom[f] >= 0) {
                    e.data.add(latin1Field(COMPRESSIBLE[f], COMPRESSIBLE_PATHS[f], fieldFrom[f], fieldTo[f],
                            fieldLatin1[f], fieldLatin1Length[f]));
                }
            }
        }
        out.add(appendLine(e, out.window));
        return eventEnd;
    }

    private static final String[] COMPRESSIBLE = {"texts", "attributes", "removes", "adds"};
    private static final String[] COMPRESSIBLE_PATHS = {"data.texts", "data.attributes", "data.removes", "data.adds"};
    private static final String VERSION_2024_10_JSON = "\"" + PerEventCompression.VERSION_2024_10 + "\"";
    private static final int DATA_NEEDS_PARSER = -2;
    private final int[] fieldFrom = new int[COMPRESSIBLE.length];
    private final int[] fieldTo = new int[COMPRESSIBLE.length];
    /**
     * The chars of the strings that may be compressed fields, as bytes, read while they were scanned
     * ({@link JsonBytes#latin1String}): where each starts in {@link #latin1s} and how long it is; -1 when the scan left
     * it to {@link JsonBytes#latin1}.
     */
    private final int[] fieldLatin1 = new int[COMPRESSIBLE.length];
    private final int[] fieldLatin1Length = new int[COMPRESSIBLE.length];
    private int dataLatin1;
    private int dataLatin1Length;
    private final GrowableBytes latin1s = new GrowableBytes();
    private final String[] latin1Problem = new String[1];

    private CompressedField latin1Field(String name, String path, int from, int to, int scanned, int scannedLength) {
        if (scanned >= 0) {
            byte[] bytes = java.util.Arrays.copyOfRange(latin1s.array(), scanned, scanned + scannedLength);
            return new CompressedField(name, path, from, to, bytes, null);
        }
        latin1Problem[0] = null;
        byte[] bytes = JsonBytes.latin1(event.source, from, to, path, latin1Problem);
        return new CompressedField(name, path, from, to, bytes, latin1Problem[0]);
    }

    /**
     * Reads the data object at {@code i}: {@code source} and {@code type} into {@code e}, and where the string values of
     * the fields per-event compression may compress are ({@link #fieldFrom}); returns its end, {@link JsonBytes#FAIL},
     * or {@link #DATA_NEEDS_PARSER} when source or type is not a plain int.
     */
    private int scanData(byte[] b, int i, int end, EventFields e) {
        i = JsonBytes.skipWhitespace(b, i + 1, end);
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return JsonBytes.FAIL;
            }
            int keyEnd = JsonBytes.skipString(b, i, end);
            if (keyEnd == JsonBytes.FAIL) {
                return JsonBytes.FAIL;
            }
            int keyFrom = i + 1;
            int keyTo = keyEnd - 1;
            if (hasBackslash(b, keyFrom, keyTo)) {
                return DATA_NEEDS_PARSER;
            }
            i = JsonBytes.skipWhitespace(b, keyEnd, end);
            if (i >= end || b[i] != ':') {
                return JsonBytes.FAIL;
            }
            i = JsonBytes.skipWhitespace(b, i + 1, end);
            boolean isSource = JsonBytes.equalsAscii(b, keyFrom, keyTo, "source");
            boolean isType = !isSource && JsonBytes.equalsAscii(b, keyFrom, keyTo, "type");
            int valueEnd;
            if (isSource || isType) {
                valueEnd = JsonBytes.plainIntegerEnd(b, i, end);
                if (valueEnd == JsonBytes.FAIL) {
                    return DATA_NEEDS_PARSER;
                }
                long v = JsonBytes.parsePlainInteger(b, i, valueEnd);
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    return DATA_NEEDS_PARSER;
                }
                if (isSource) {
                    e.dataSource = (int) v;
                } else {
                    e.dataType = (int) v;
                }
            } else {
                int f = compressibleField(b, keyFrom, keyTo);
                valueEnd = JsonBytes.FAIL;
                if (f >= 0 && i < end && b[i] == '"') {
                    int mark = latin1s.size();
                    valueEnd = JsonBytes.latin1String(b, i, end, latin1s);
                    if (valueEnd == JsonBytes.FAIL) {
                        latin1s.truncate(mark);
                        fieldLatin1[f] = -1;
                    } else {
                        fieldLatin1[f] = mark;
                        fieldLatin1Length[f] = latin1s.size() - mark;
                    }
                }
                if (valueEnd == JsonBytes.FAIL) {
                    valueEnd = JsonBytes.skipValue(b, i, end);
                }
                if (valueEnd == JsonBytes.FAIL) {
                    return JsonBytes.FAIL;
                }
                if (f >= 0) {
                    fieldFrom[f] = b[i] == '"' ? i : -1;
                    fieldTo[f] = valueEnd;
                }
            }
            i = JsonBytes.skipWhitespace(b, valueEnd, end);
            if (i >= end) {
                return JsonBytes.FAIL;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return JsonBytes.FAIL;
            }
            i = JsonBytes.skipWhitespace(b, i + 1, end);
        }
    }

    /** Which of {@link #COMPRESSIBLE} the name between {@code from} and {@code to} is, or -1. */
    private static int compressibleField(byte[] b, int from, int to) {
        for (int f = 0; f < COMPRESSIBLE.length; f++) {
            if (JsonBytes.equalsAscii(b, from, to, COMPRESSIBLE[f])) {
                return f;
            }
        }
        return -1;
    }

    private static boolean hasBackslash(byte[] b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] == '\\') {
                return true;
            }
        }
        return false;
    }

    /** What the events of one message add up to while they are decoded. */
    private final class EventsOut {
        final String windowId;
        final byte[] window;
        final long latestAllowed;
        ConsoleLogs.Builder console;
        BlockMetrics metrics = BlockMetrics.empty().withMessage();
        List<Rejection> rejected = List.of();

        EventsOut(String windowId, long now) {
            this.windowId = windowId == null ? "" : windowId;
            this.window = JsonStringEncoder.getInstance().quoteAsUTF8(this.windowId);
            this.latestAllowed = now + MAX_FUTURE_MS;
            lines.reset();
            latin1s.reset();
        }

        /** The outcome of one event: null when {@link #event} holds it, appended to the lines. */
        void add(Rejection rejection) {
            if (rejection == null) {
                metrics = event.addTo(metrics);
                ConsoleLogs.Line log = event.consoleLine(windowId);
                if (log != null) {
                    (console == null ? console = new ConsoleLogs.Builder() : console).add(log);
                }
                return;
            }
            if (rejected.isEmpty()) {
                rejected = new ArrayList<>();
            }
            rejected.add(rejection);
        }

        Decoded decoded() {
            return new Decoded(metrics, java.util.Arrays.copyOf(lines.array(), lines.size()),
                    console == null ? null : console.build(), rejected);
        }
    }

    /**
     * Reads the event the parser stands at the start of and appends its line to {@link #lines}; returns why it was
     * refused instead (then nothing is appended).
     */
    private Rejection decodeEvent(JsonParser p, byte[] source, byte[] window, long latestAllowed, int base) throws IOException {
        EventFields e = event.reset(source, base + offset(p.currentTokenLocation().getByteOffset()));
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            e.addMember(base + offset(p.currentTokenLocation().getByteOffset()), name.equals("cv"));
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> {
                    e.typeIsInt = canConvertToInt(p, v);
                    e.type = e.typeIsInt ? intValue(p, v) : -1;
                    p.skipChildren();
                }
                case "timestamp" -> {
                    e.timestampIsIntegral = v == JsonToken.VALUE_NUMBER_INT;
                    e.timestamp = e.timestampIsIntegral ? longOf(p) : 0;
                    p.skipChildren();
                }
                case "cv" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        e.cv = p.getText();
                        e.cvShown = null;
                    } else {
                        e.cv = null;
                        e.cvShown = String.valueOf((JsonNode) Json.mapper().readTree(p));
                    }
                    e.cvPresent = true;
                }
                case "data" -> {
                    e.data.clear();
                    e.dataSource = -1;
                    if (v == JsonToken.VALUE_STRING) {
                        e.data.add(compressedField(p, "data", "data", base));
                        e.dataIsString = true;
                    } else {
                        e.dataIsString = false;
                        if (v == JsonToken.START_OBJECT) {
                            readData(p, e, base);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        e.end = base + offset(p.currentTokenLocation().getByteOffset()) + 1;
        String problem = e.problem(latestAllowed);
        if (problem != null) {
            return new Rejection(problem, "rrweb event rejected", e.raw());
        }
        return appendLine(e, window);
    }

    private void readData(JsonParser p, EventFields e, int base) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "source" -> e.dataSource = asInt(p, v);
                case "type" -> e.dataType = asInt(p, v);
                case "texts", "attributes", "removes", "adds" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        e.data.removeIf(f -> f.name.equals(name));
                        e.data.add(compressedField(p, name, "data." + name, base));
                    } else {
                        e.data.removeIf(f -> f.name.equals(name));
                    }
                }
                default -> { }
            }
            p.skipChildren();
        }
    }

    /** A string value that may be a compressed field: its span, and its chars as bytes (or why they are not bytes). */
    private CompressedField compressedField(JsonParser p, String name, String path, int base) throws IOException {
        int start = base + offset(p.currentTokenLocation().getByteOffset());
        char[] chars = p.getTextCharacters();
        int from = p.getTextOffset();
        int length = p.getTextLength();
        byte[] bytes = new byte[length];
        String notBytes = null;
        for (int i = 0; i < length; i++) {
            char c = chars[from + i];
            if (c > 0xFF) {
                notBytes = path + ": character U+" + Integer.toHexString(c) + " at " + i + " is not a byte (ISO-8859-1)";
                bytes = null;
                break;
            }
            bytes[i] = (byte) c;
        }
        return new CompressedField(name, path, start, base + offset(p.currentLocation().getByteOffset()), bytes, notBytes);
    }

    /** Writes {@code [window, event]\n} with the event's per-event compression undone, framed as {@link TimedLines}. */
    private Rejection appendLine(EventFields e, byte[] window) {
        List<CompressedField> replaced = List.of();
        if (e.cvPresent) {
            if (e.cv == null || !PerEventCompression.VERSION_2024_10.equals(e.cv)) {
                String shown = e.cv != null ? Json.mapper().getNodeFactory().textNode(e.cv).toString() : e.cvShown;
                return new Rejection("unsupported_compression_version", "cv " + shown
                        + " is not a per-event compression this decoder knows (" + PerEventCompression.VERSION_2024_10 + ")", e.raw());
            }
            replaced = e.compressedFields();
            for (CompressedField f : replaced) {
                if (f.bytes == null) {
                    return new Rejection("compressed_field_undecodable", f.notBytes, e.raw());
                }
            }
        }
        GrowableBytes out = lines;
        int mark = out.size();
        out.writeLong(e.timestamp);
        out.writeInt(0);
        int lineStart = out.size();
        out.write('[');
        out.write('"');
        out.write(window);
        out.write('"');
        out.write(',');
        int eventStart = out.size();
        if (!e.cvPresent) {
            out.write(e.source, e.start, e.end - e.start);
        } else {
            try {
                writeWithoutCv(e, sortedByStart(replaced), out);
            } catch (CompressedFields.Rejected r) {
                out.truncate(mark);
                return new Rejection(r.reason, r.getMessage(), e.raw());
            }
        }
        out.write(']');
        byte[] bytes = out.array();
        for (int i = eventStart, end = out.size(); i < end; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                bytes[i] = ' '; // whitespace between tokens: inside strings the parser allowed none
            }
        }
        out.write('\n');
        int lineLength = out.size() - lineStart;
        out.setInt(mark + 8, lineLength);
        e.lineBytes = lineLength;
        e.lineStart = lineStart;
        e.eventStartInLine = eventStart - lineStart;
        return null;
    }

    /** The event as an object of its members but the cv ones, each compressed field inflated in place of its string. */
    private void writeWithoutCv(EventFields e, List<CompressedField> fields, GrowableBytes out) throws CompressedFields.Rejected {
        CompressedFields.Budget budget = new CompressedFields.Budget(maxDecompressedEventBytes);
        out.write('{');
        boolean first = true;
        int next = 0;
        for (int m = 0; m < e.members; m++) {
            if (e.memberIsCv[m]) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            int cursor = e.memberStarts[m];
            int end = e.memberEnd(m);
            while (next < fields.size() && fields.get(next).start < end) {
                CompressedField f = fields.get(next++);
                out.write(e.source, cursor, f.start - cursor);
                compressed.inflateInto(f.bytes, f.path, budget, out);
                cursor = f.end;
            }
            out.write(e.source, cursor, end - cursor);
        }
        out.write('}');
    }

    private static List<CompressedField> sortedByStart(List<CompressedField> fields) {
        if (fields.size() < 2) {
            return fields;
        }
        List<CompressedField> sorted = new ArrayList<>(fields);
        sorted.sort((a, b) -> Integer.compare(a.start, b.start));
        return sorted;
    }

    @Override
    public void close() {
        compressed.close();
    }

    // --- scalar values with databind's coercions ---

    private static long longValue(JsonParser p, JsonToken v, String name) throws IOException {
        return switch (v) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getValueAsLong();
            case VALUE_NULL -> 0;
            case VALUE_STRING -> {
                try {
                    yield Long.parseLong(p.getText().trim());
                } catch (NumberFormatException e) {
                    throw new JsonParseException(p, name + " is not a number: " + p.getText());
                }
            }
            default -> throw new JsonParseException(p, name + " is not a number");
        };
    }

    private static String stringValue(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!v.isScalarValue()) {
            throw new JsonParseException(p, name + " is not a string");
        }
        return p.getText();
    }

    private static boolean booleanValue(JsonParser p, JsonToken v, String name) throws IOException {
        return switch (v) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw new JsonParseException(p, name + " is not a boolean");
        };
    }

    /** As {@code JsonNode.canConvertToInt()} for the node this value would be. */
    private static boolean canConvertToInt(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            return p.getNumberType() == JsonParser.NumberType.INT;
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
        }
        return false;
    }

    private static int intValue(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : (int) p.getDoubleValue();
    }

    /** As {@code JsonNode.asInt(-1)} for the node this value would be. */
    private static int asInt(JsonParser p, JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : (int) longOf(p);
            case VALUE_NUMBER_FLOAT -> (int) p.getDoubleValue();
            case VALUE_STRING -> com.fasterxml.jackson.core.io.NumberInput.parseAsInt(p.getText(), -1);
            case VALUE_TRUE -> 1;
            case VALUE_FALSE -> 0;
            default -> -1;
        };
    }

    private static long longOf(JsonParser p) throws IOException {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue() : p.getLongValue();
    }

    private static int offset(long byteOffset) {
        return (int) byteOffset;
    }

    static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    // --- what one message and one event are made of while decoding ---

    private static final class Header {
        long teamId;
        String sessionId;
        boolean sessionIdSeen;
        String windowId;
        boolean windowIdSeen;
        String distinctId;
        String snapshotSource;
        String snapshotLibrary;
        long receivedAtMs;
        String retention;
        boolean encrypt;
        RecordingEventPart eventPart;

        /** Sets the string field {@code field} of {@link #HEADER_STRINGS} as the Jackson path sets it. */
        void setString(int field, String value) {
            switch (field) {
                case 0 -> {
                    sessionId = value;
                    sessionIdSeen = true;
                }
                case 1 -> {
                    windowId = value;
                    windowIdSeen = true;
                }
                case 2 -> distinctId = value;
                case 3 -> snapshotSource = value;
                case 4 -> snapshotLibrary = value;
                default -> retention = value;
            }
        }

        Origin origin(RetentionClass retentionClass) {
            return new Origin(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs,
                    retentionClass, encrypt);
        }
    }

    private record Rejection(String reason, String detail, String payload) {}

    private record Decoded(BlockMetrics metrics, byte[] lines, byte[] console, List<Rejection> rejected) {
        static final Decoded NONE = new Decoded(BlockMetrics.empty().withMessage(), new byte[0], null, List.of());
    }

    private record CompressedField(String name, String path, int start, int end, byte[] bytes, String notBytes) {}

    private final class EventFields {
        byte[] source;
        int start;
        int end;
        boolean typeIsInt;
        int type;
        boolean timestampIsIntegral;
        long timestamp;
        boolean cvPresent;
        String cv;
        String cvShown;
        int members;
        int[] memberStarts = new int[8];
        boolean[] memberIsCv = new boolean[8];
        boolean dataIsString;
        int dataSource;
        int dataType;
        final List<CompressedField> data = new ArrayList<>(4);
        int lineBytes;
        int lineStart;
        int eventStartInLine;

        EventFields reset(byte[] from, int at) {
            source = from;
            start = at;
            typeIsInt = false;
            type = -1;
            timestampIsIntegral = false;
            timestamp = 0;
            cvPresent = false;
            cv = null;
            cvShown = null;
            members = 0;
            dataIsString = false;
            dataSource = -1;
            dataType = -1;
            data.clear();
            return this;
        }

        void addMember(int nameStart, boolean isCv) {
            if (members == memberStarts.length) {
                memberStarts = java.util.Arrays.copyOf(memberStarts, members * 2);
                memberIsCv = java.util.Arrays.copyOf(memberIsCv, members * 2);
            }
            memberStarts[members] = nameStart;
            memberIsCv[members++] = isCv;
        }

        /**
         * Where member {@code m}'s value ends: before the comma ahead of the next member, or before the closing
         * brace, whitespace left out. Between two members there is only whitespace and one comma.
         */
        int memberEnd(int m) {
            int i = (m + 1 < members ? memberStarts[m + 1] : end - 1) - 1;
            while (JsonBytes.isWhitespace(source[i])) {
                i--;
            }
            if (m + 1 < members) {
                i--; // the comma
                while (JsonBytes.isWhitespace(source[i])) {
                    i--;
                }
            }
            return i + 1;
        }

        String problem(long latestAllowed) {
            if (!typeIsInt) {
                return "event_without_type";
            }
            if (!timestampIsIntegral) {
                return "event_without_timestamp";
            }
            if (timestamp <= 0) {
                return "timestamp_not_positive";
            }
            if (timestamp > latestAllowed) {
                return "timestamp_too_far_in_future";
            }
            return null;
        }

        /** The fields per-event compression compressed in this event, in the order they are decoded. */
        List<CompressedField> compressedFields() {
            if (type == FULL_SNAPSHOT && dataIsString) {
                return data;
            }
            if (type == INCREMENTAL_SNAPSHOT && !dataIsString) {
                List<String> names = dataSource == SOURCE_MUTATION ? MUTATION_FIELDS
                        : dataSource == SOURCE_STYLESHEET_RULE ? STYLESHEET_FIELDS : List.of();
                List<CompressedField> fields = new ArrayList<>(names.size());
                for (String name : names) {
                    for (CompressedField f : data) {
                        if (f.name.equals(name)) {
                            fields.add(f);
                        }
                    }
                }
                return fields;
            }
            return List.of();
        }

        String raw() {
            return new String(source, start, end - start, StandardCharsets.UTF_8);
        }

        /** The decoded event as a tree: for the rare events whose metrics need more than type and source. */
        JsonNode tree() {
            byte[] written = lines.array();
            int from = lineStart + eventStartInLine;
            int to = lineStart + lineBytes - 2; // before "]\n"
            try {
                return Json.mapper().readTree(written, from, to - from);
            } catch (IOException e) {
                throw new IllegalStateException("a line the decoder wrote is not JSON", e);
            }
        }

        BlockMetrics addTo(BlockMetrics metrics) {
            if (type == META || type == PLUGIN) {
                return metrics.withEvent(tree(), timestamp, lineBytes);
            }
            return metrics.withEvent(type, dataSource, dataType, timestamp, lineBytes);
        }

        ConsoleLogs.Line consoleLine(String windowId) {
            return type == PLUGIN ? ConsoleLogs.of(tree(), timestamp, windowId) : null;
        }
    }
}
