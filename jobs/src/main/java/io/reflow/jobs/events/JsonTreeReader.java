package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflow.contracts.CapturedEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 JSON straight into the tree {@link ReadJson} (Jackson) would build from it: the same node types
 * (an integer is an {@link IntNode} when it fits an int, else a {@link LongNode}; a number with a fraction or an
 * exponent a {@link DoubleNode} of {@link Double#parseDouble}), the same strings, the same order, a repeated name
 * keeping its first place and its last value. It takes only the plain road: anything else (malformed UTF-8, invalid
 * JSON, integers beyond a long, non-finite doubles, deep nesting, trailing content, an envelope field of
 * an unusual type or given twice) makes it answer null, and the caller asks Jackson, which then decides exactly as
 * before (errors included). Field names are taken from a small per-thread cache (an event's property names repeat;
 * a name that does not is simply made again), so no table grows with the names seen.
 */
final class JsonTreeReader {
    /** A captured event, and whether no string in it can need {@link EventNormalizer#sanitize} (no NUL, no surrogate from an escape). */
    record Captured(CapturedEvent event, boolean clean) {}

    private static final ThreadLocal<JsonTreeReader> READERS = ThreadLocal.withInitial(JsonTreeReader::new);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 500; // Jackson refuses more than 1000
    private static final int MAX_NAME_CHARS = 50_000; // Jackson's limits: 50,000 chars for a name,
    private static final int MAX_INPUT_BYTES = 10_000_000; // 20,000,000 for a string: no string of this can reach it
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int NAME_CACHE_SLOTS = 1024;

    /** Thrown when the input leaves the plain road; never escapes this class. */
    private static final class OffRoad extends RuntimeException {
        OffRoad() {
            super(null, null, false, false);
        }
    }

    private static final OffRoad OFF_ROAD = new OffRoad();

    private final String[] names = new String[NAME_CACHE_SLOTS];
    private final byte[][] nameBytes = new byte[NAME_CACHE_SLOTS][];
    private char[] chars = new char[256];
    private byte[] b;
    private int pos;
    private int end;
    /** A \\u escape gave a NUL or a surrogate: strings may need sanitising. */
    private boolean oddEscape;

    private JsonTreeReader() {}

    /** {@code bytes} as Jackson decodes a {@link CapturedEvent} (ignoring unknown fields), or null: ask Jackson. */
    static Captured capturedEvent(byte[] bytes) {
        JsonTreeReader r = READERS.get();
        try {
            r.start(bytes);
            CapturedEvent event = r.readCapturedEvent();
            return new Captured(event, !r.oddEscape);
        } catch (OffRoad | ArrayIndexOutOfBoundsException e) {
            return null;
        } finally {
            r.b = null;
        }
    }

    /** The JSON value that is all of {@code bytes}, as Jackson's tree, or null: ask Jackson. */
    static JsonNode tree(byte[] bytes) {
        JsonTreeReader r = READERS.get();
        try {
            r.start(bytes);
            r.skipWhitespace();
            JsonNode node = r.value(0);
            r.skipWhitespace();
            return r.pos == r.end ? node : null;
        } catch (OffRoad | ArrayIndexOutOfBoundsException e) {
            return null;
        } finally {
            r.b = null;
        }
    }

    private void start(byte[] bytes) {
        if (bytes.length > MAX_INPUT_BYTES) {
            throw OFF_ROAD;
        }
        b = bytes;
        pos = 0;
        end = bytes.length;
        oddEscape = false;
    }

    private CapturedEvent readCapturedEvent() {
        String uuid = null;
        String distinctId = null;
        String token = null;
        String ip = null;
        String now = null;
        String sentAt = null;
        long teamId = 0;
        long receivedAtMs = 0;
        JsonNode event = null;
        int seen = 0;
        skipWhitespace();
        expect('{');
        skipWhitespace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                expect('"');
                String name = name();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                int field;
                switch (name) {
                    case "uuid" -> {
                        field = 1;
                        uuid = stringOrNull();
                    }
                    case "distinct_id" -> {
                        field = 2;
                        distinctId = stringOrNull();
                    }
                    case "team_id" -> {
                        field = 4;
                        teamId = integer();
                    }
                    case "token" -> {
                        field = 8;
                        token = stringOrNull();
                    }
                    case "ip" -> {
                        field = 16;
                        ip = stringOrNull();
                    }
                    case "now" -> {
                        field = 32;
                        now = stringOrNull();
                    }
                    case "received_at_ms" -> {
                        field = 64;
                        receivedAtMs = integer();
                    }
                    case "sent_at" -> {
                        field = 128;
                        sentAt = stringOrNull();
                    }
                    case "event" -> {
                        field = 256;
                        if (peek() != '{') {
                            throw OFF_ROAD;
                        }
                        event = value(0);
                    }
                    default -> {
                        field = 0;
                        value(0); // unknown: read (it must be valid JSON) and dropped, as Jackson skips it
                    }
                }
                if ((seen & field) != 0) {
                    throw OFF_ROAD;
                }
                seen |= field;
                skipWhitespace();
                byte c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw OFF_ROAD;
                }
                skipWhitespace();
            }
        }
        skipWhitespace();
        if (pos != end) {
            throw OFF_ROAD;
        }
        return new CapturedEvent(uuid, distinctId, teamId, token, ip, now, receivedAtMs, sentAt, event);
    }

    private String stringOrNull() {
        byte c = peek();
        if (c == '"') {
            pos++;
            return string();
        }
        if (c == 'n') {
            literal("null");
            return null;
        }
        throw OFF_ROAD;
    }

    private long integer() {
        byte c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            throw OFF_ROAD;
        }
        JsonNode n = number();
        if (n instanceof IntNode || n instanceof LongNode) {
            return n.longValue();
        }
        throw OFF_ROAD;
    }

    private JsonNode value(int depth) {
        byte c = peek();
        switch (c) {
            case '{' -> {
                return object(depth + 1);
            }
            case '[' -> {
                return array(depth + 1);
            }
            case '"' -> {
                pos++;
                return TextNode.valueOf(string());
            }
            case 't' -> {
                literal("true");
                return BooleanNode.TRUE;
            }
            case 'f' -> {
                literal("false");
                return BooleanNode.FALSE;
            }
            case 'n' -> {
                literal("null");
                return NullNode.instance;
            }
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    return number();
                }
                throw OFF_ROAD;
            }
        }
    }

    private ObjectNode object(int depth) {
        if (depth > MAX_DEPTH) {
            throw OFF_ROAD;
        }
        pos++;
        ObjectNode o = NODES.objectNode();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return o;
        }
        while (true) {
            expect('"');
            String name = name();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            o.replace(name, value(depth)); // as Jackson: a repeated name keeps its place, takes the last value
            skipWhitespace();
            byte c = next();
            if (c == '}') {
                return o;
            }
            if (c != ',') {
                throw OFF_ROAD;
            }
            skipWhitespace();
        }
    }

    private ArrayNode array(int depth) {
        if (depth > MAX_DEPTH) {
            throw OFF_ROAD;
        }
        pos++;
        ArrayNode a = NODES.arrayNode();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return a;
        }
        while (true) {
            a.add(value(depth));
            skipWhitespace();
            byte c = next();
            if (c == ']') {
                return a;
            }
            if (c != ',') {
                throw OFF_ROAD;
            }
            skipWhitespace();
        }
    }

    /** After the opening quote of a name: an ASCII name without escapes comes from the cache. */
    private String name() {
        byte[] in = b;
        int start = pos;
        int hash = 0;
        int p = start;
        while (true) {
            byte c = in[p];
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) { // an escape, a control character or a non-ASCII byte (negative)
                String name = string();
                if (name.length() > MAX_NAME_CHARS) {
                    throw OFF_ROAD;
                }
                return name;
            }
            hash = 31 * hash + c;
            p++;
        }
        int length = p - start;
        if (length > MAX_NAME_CHARS) {
            throw OFF_ROAD;
        }
        pos = p + 1;
        int slot = (hash ^ hash >>> 16) & (NAME_CACHE_SLOTS - 1);
        byte[] cached = nameBytes[slot];
        if (cached != null && Arrays.equals(cached, 0, cached.length, in, start, p)) {
            return names[slot];
        }
        String name = new String(in, start, length, StandardCharsets.ISO_8859_1);
        nameBytes[slot] = Arrays.copyOfRange(in, start, p);
        names[slot] = name;
        return name;
    }

    /** After the opening quote: the string's chars, up to and past its closing quote. */
    private String string() {
        byte[] in = b;
        int start = pos;
        int p = start;
        while (true) {
            byte c = in[p];
            if (c == '"') {
                pos = p + 1;
                return new String(in, start, p - start, StandardCharsets.ISO_8859_1); // ASCII
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            p++;
        }
        if (chars.length < end - start) {
            chars = new char[Math.max(end - start, chars.length * 2)];
        }
        char[] out = chars;
        int n = 0;
        for (int i = start; i < p; i++) {
            out[n++] = (char) in[i];
        }
        while (true) {
            int c = in[p++] & 0xFF;
            if (c == '"') {
                pos = p;
                return new String(out, 0, n);
            }
            if (c == '\\') {
                int e = in[p++];
                char ch = switch (e) {
                    case '"' -> '"';
                    case '\\' -> '\\';
                    case '/' -> '/';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'u' -> {
                        int v = hex(in[p]) << 12 | hex(in[p + 1]) << 8 | hex(in[p + 2]) << 4 | hex(in[p + 3]);
                        p += 4;
                        yield (char) v;
                    }
                    default -> throw OFF_ROAD;
                };
                if (ch == 0 || Character.isSurrogate(ch)) {
                    oddEscape = true;
                }
                out[n++] = ch;
            } else if (c < 0x20) {
                throw OFF_ROAD; // Jackson refuses unescaped control characters
            } else if (c < 0x80) {
                out[n++] = (char) c;
            } else if (c < 0xE0) {
                int cp = (c & 0x1F) << 6 | continuation(in[p++]);
                if (cp < 0x80) {
                    throw OFF_ROAD; // overlong (or a stray continuation byte)
                }
                out[n++] = (char) cp;
            } else if (c < 0xF0) {
                int cp = (c & 0x0F) << 12 | continuation(in[p]) << 6 | continuation(in[p + 1]);
                p += 2;
                if (cp < 0x800 || Character.isSurrogate((char) cp)) {
                    throw OFF_ROAD;
                }
                out[n++] = (char) cp;
            } else if (c < 0xF5) {
                int cp = (c & 0x07) << 18 | continuation(in[p]) << 12 | continuation(in[p + 1]) << 6
                        | continuation(in[p + 2]);
                p += 3;
                if (cp < 0x10000 || cp > 0x10FFFF) {
                    throw OFF_ROAD;
                }
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                throw OFF_ROAD;
            }
        }
    }

    private static int continuation(byte c) {
        if ((c & 0xC0) != 0x80) {
            throw OFF_ROAD;
        }
        return c & 0x3F;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw OFF_ROAD;
    }

    private JsonNode number() {
        byte[] in = b;
        int start = pos;
        int p = start;
        boolean negative = in[p] == '-';
        if (negative) {
            p++;
        }
        int digitsStart = p;
        if (in[p] == '0') {
            p++;
        } else if (in[p] >= '1' && in[p] <= '9') {
            while (p < end && in[p] >= '0' && in[p] <= '9') {
                p++;
            }
        } else {
            throw OFF_ROAD;
        }
        int digits = p - digitsStart;
        boolean fraction = false;
        if (p < end && in[p] == '.') {
            fraction = true;
            p++;
            p = digits(in, p);
        }
        if (p < end && (in[p] == 'e' || in[p] == 'E')) {
            fraction = true;
            p++;
            if (p < end && (in[p] == '+' || in[p] == '-')) {
                p++;
            }
            p = digits(in, p);
        }
        pos = p;
        if (!fraction) {
            long v;
            if (digits <= 18) {
                v = 0;
                for (int i = digitsStart; i < p; i++) {
                    v = v * 10 + (in[i] - '0');
                }
                if (negative) {
                    v = -v;
                }
            } else if (digits == 19) { // a long if it fits, else Jackson makes it a BigIntegerNode
                try {
                    v = Long.parseLong(new String(in, start, p - start, StandardCharsets.ISO_8859_1));
                } catch (NumberFormatException e) {
                    throw OFF_ROAD;
                }
            } else {
                throw OFF_ROAD;
            }
            return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
        }
        if (p - start > MAX_NUMBER_CHARS) {
            throw OFF_ROAD;
        }
        double d = Double.parseDouble(new String(in, start, p - start, StandardCharsets.ISO_8859_1));
        if (!Double.isFinite(d)) {
            throw OFF_ROAD;
        }
        return DoubleNode.valueOf(d);
    }

    /** At least one digit from {@code p}: the position after them. */
    private int digits(byte[] in, int p) {
        int from = p;
        while (p < end && in[p] >= '0' && in[p] <= '9') {
            p++;
        }
        if (p == from) {
            throw OFF_ROAD;
        }
        return p;
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw OFF_ROAD;
            }
        }
        pos += word.length();
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte c = b[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    private byte peek() {
        return b[pos]; // past the end: ArrayIndexOutOfBoundsException, taken as off the road
    }

    private byte next() {
        return b[pos++];
    }

    private void expect(char c) {
        if (b[pos] != c) {
            throw OFF_ROAD;
        }
        pos++;
    }
}
