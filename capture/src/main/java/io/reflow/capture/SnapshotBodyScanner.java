package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The quick way through a recordings body: the same {@link Payload} as {@link PayloadReader} in snapshot mode, read
 * straight off the bytes. Most of a recording is rrweb events that capture only passes on; stepping over them with
 * Jackson's token stream (field-name hashing, token state) cost more than inflating the body.
 *
 * <p>Everything is still checked as Jackson's default parser checks it (grammar, escapes, UTF-8 lead and
 * continuation bytes, no control characters in strings, no leading zeros, no trailing commas). Whatever this reader is
 * not sure about — an escape or non-ASCII byte in a field name it keeps, an rrweb event that is not an object, a
 * body that is not plain UTF-8 JSON, a number longer or nesting deeper than it bothers with, any error — makes it
 * give up, and {@link PayloadReader} reads the body with Jackson, which accepts or refuses it exactly as before.
 * Values capture keeps (all but the rrweb events) become the nodes Jackson would make.
 */
final class SnapshotBodyScanner {
    private static final String BATCH = "batch";
    private static final String PROPERTIES = "properties";
    private static final String SNAPSHOT_DATA = "$snapshot_data";
    /** Well below Jackson's limits (nesting 1000, number 1000 characters, name 50,000 bytes): past these, Jackson decides. */
    private static final int MAX_DEPTH = 800;
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_NAME_BYTES = 1000;
    /** Not a failure: only "let Jackson read this body". Preallocated and without a stack trace, so it costs nothing. */
    private static final RuntimeException GIVE_UP = new RuntimeException("give up", null, false, false) {};

    /** What a byte inside a string is, as Jackson's UTF-8 input codes tell. */
    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte BACKSLASH = 2;
    private static final byte UTF8_2 = 3;
    private static final byte UTF8_3 = 4;
    private static final byte UTF8_4 = 5;
    private static final byte INVALID = 6;
    private static final byte[] STRING_BYTES = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            STRING_BYTES[c] = c < 0x20 ? INVALID : c == '"' ? QUOTE : c == '\\' ? BACKSLASH : c < 0x80 ? PLAIN
                    : (c & 0xe0) == 0xc0 ? UTF8_2 : (c & 0xf0) == 0xe0 ? UTF8_3 : (c & 0xf8) == 0xf0 ? UTF8_4 : INVALID;
        }
    }

    private final byte[] b;
    private final byte[] containers = new byte[MAX_DEPTH + 1];
    /** The end of the value read last. */
    private int end;

    private SnapshotBodyScanner(byte[] json) {
        this.b = json;
    }

    /** The body read as {@link PayloadReader} reads it in snapshot mode, or null when Jackson should read it. */
    static Payload read(byte[] json) {
        try {
            return new SnapshotBodyScanner(json).body();
        } catch (RuntimeException e) { // GIVE_UP, or an index past the end on a truncated body
            return null;
        }
    }

    private Payload body() {
        int p = ws(0);
        List<PayloadItem> items = new ArrayList<>();
        ObjectNode root = Json.mapper().createObjectNode();
        if (at(p) == '[') {
            items(p, items);
        } else if (at(p) == '{') {
            int start = p;
            SnapshotData data = new SnapshotData();
            boolean batch = false;
            p = ws(p + 1);
            if (at(p) != '}') {
                while (true) {
                    String name = keptName(p);
                    int v = ws(expect(ws(end), ':') + 1);
                    if (name.equals(BATCH) && !batch) {
                        batch = true;
                        if (at(v) == '[') {
                            items(v, items);
                        } else if (at(v) == '{') {
                            items.add(item(v));
                        } else {
                            throw GIVE_UP;
                        }
                    } else {
                        field(root, name, v, data);
                    }
                    p = ws(end);
                    if (at(p) == '}') {
                        break;
                    }
                    p = ws(expect(p, ',') + 1);
                }
            }
            if (!batch) {
                items.add(item(root, start, p + 1, data));
            }
        } else {
            throw GIVE_UP;
        }
        if (items.isEmpty()) {
            throw GIVE_UP;
        }
        return new Payload(b, root, List.copyOf(items));
    }

    /** The items of the array at {@code p}. */
    private void items(int p, List<PayloadItem> into) {
        p = ws(p + 1);
        if (at(p) == ']') {
            end = p + 1;
            return;
        }
        while (true) {
            into.add(item(p));
            p = ws(end);
            if (at(p) == ']') {
                end = p + 1;
                return;
            }
            p = ws(expect(p, ',') + 1);
        }
    }

    /** The item at {@code p}: an object, or Jackson reads the body (it keeps anything else whole, to dead-letter it). */
    private PayloadItem item(int start) {
        if (at(start) != '{') {
            throw GIVE_UP;
        }
        ObjectNode object = Json.mapper().createObjectNode();
        SnapshotData data = new SnapshotData();
        int p = ws(start + 1);
        if (at(p) != '}') {
            while (true) {
                String name = keptName(p);
                field(object, name, ws(expect(ws(end), ':') + 1), data);
                p = ws(end);
                if (at(p) == '}') {
                    break;
                }
                p = ws(expect(p, ',') + 1);
            }
        }
        end = p + 1;
        return item(object, start, p + 1, data);
    }

    private static PayloadItem item(JsonNode node, int start, int end, SnapshotData data) {
        return data.ranges == null ? new PayloadItem(node, start, end, null, false)
                : new PayloadItem(node, start, end, Arrays.copyOf(data.ranges, data.count), data.allObjects);
    }

    /** One field of an item whose value starts at {@code v}; as {@link PayloadReader} does in snapshot mode. */
    private void field(ObjectNode into, String name, int v, SnapshotData data) {
        if (name.equals(PROPERTIES) && at(v) == '{') {
            into.set(name, properties(v, data));
        } else {
            into.set(name, value(v));
        }
    }

    private ObjectNode properties(int start, SnapshotData data) {
        ObjectNode properties = Json.mapper().createObjectNode();
        int p = ws(start + 1);
        if (at(p) != '}') {
            while (true) {
                String name = keptName(p);
                int v = ws(expect(ws(end), ':') + 1);
                if (name.equals(SNAPSHOT_DATA) && at(v) == '[' && data.ranges == null) {
                    data.scan(v);
                } else {
                    properties.set(name, value(v));
                }
                p = ws(end);
                if (at(p) == '}') {
                    break;
                }
                p = ws(expect(p, ',') + 1);
            }
        }
        end = p + 1;
        return properties;
    }

    /** The node Jackson makes of the value at {@code v}. */
    private JsonNode value(int v) {
        byte c = at(v);
        switch (c) {
            case '"' -> {
                end = string(v);
                return isPlainAscii(v + 1, end - 1) ? TextNode.valueOf(new String(b, v + 1, end - v - 2, StandardCharsets.ISO_8859_1))
                        : jackson(v);
            }
            case 't' -> {
                end = literal(v, "true");
                return BooleanNode.TRUE;
            }
            case 'f' -> {
                end = literal(v, "false");
                return BooleanNode.FALSE;
            }
            case 'n' -> {
                end = literal(v, "null");
                return NullNode.getInstance();
            }
            case '{', '[' -> {
                end = container(v, 0);
                return jackson(v);
            }
            default -> {
                end = number(v);
                int digits = end - v - (c == '-' ? 1 : 0);
                for (int i = v; i < end; i++) {
                    if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
                        return jackson(v);
                    }
                }
                return digits <= 9 ? IntNode.valueOf(Integer.parseInt(new String(b, v, end - v, StandardCharsets.ISO_8859_1)))
                        : jackson(v);
            }
        }
    }

    /** The value at {@code [v, end)}, which this scanner found well-formed, as Jackson reads it. */
    private JsonNode jackson(int v) {
        try {
            return Json.mapper().readTree(b, v, end - v);
        } catch (IOException | RuntimeException e) {
            throw GIVE_UP;
        }
    }

    /** A field name kept as a string: plain ASCII without escapes (else Jackson reads the body). */
    private String keptName(int p) {
        if (at(p) != '"') {
            throw GIVE_UP;
        }
        end = string(p);
        if (end - p - 2 > MAX_NAME_BYTES || !isPlainAscii(p + 1, end - 1)) {
            throw GIVE_UP;
        }
        return new String(b, p + 1, end - p - 2, StandardCharsets.ISO_8859_1);
    }

    private boolean isPlainAscii(int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0x20 || b[i] == '\\') { // bytes >= 0x80 are negative
                return false;
            }
        }
        return true;
    }

    /**
     * Steps over the object or array at {@code p} (at nesting depth {@code depth} below the value), checking it;
     * returns the offset just past it.
     */
    private int container(int p, int depth) {
        int top = 0;
        containers[top++] = b[p++];
        checkDepth(depth + top);
        boolean first = true; // just after an opening bracket, where the closing one may follow
        while (true) {
            p = ws(p);
            byte open = containers[top - 1];
            if (first && at(p) == closing(open)) {
                p++;
                top--;
                if (top == 0) {
                    return p;
                }
            } else {
                if (open == '{') {
                    if (at(p) != '"') {
                        throw GIVE_UP;
                    }
                    int nameEnd = string(p);
                    if (nameEnd - p - 2 > MAX_NAME_BYTES) {
                        throw GIVE_UP;
                    }
                    p = ws(expect(ws(nameEnd), ':') + 1);
                }
                byte c = at(p);
                if (c == '{' || c == '[') {
                    containers[top++] = c;
                    checkDepth(depth + top);
                    p++;
                    first = true;
                    continue;
                }
                p = scalar(p);
            }
            // after a value inside containers[top - 1]: a ',' and the next member, or the closing bracket
            while (true) {
                p = ws(p);
                byte c = at(p);
                if (c == ',') {
                    p++;
                    first = false;
                    break;
                }
                if (c != closing(containers[top - 1])) {
                    throw GIVE_UP;
                }
                p++;
                top--;
                if (top == 0) {
                    return p;
                }
            }
        }
    }

    private static byte closing(byte open) {
        return open == '{' ? (byte) '}' : (byte) ']';
    }

    private static void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw GIVE_UP;
        }
    }

    private int scalar(int p) {
        byte c = at(p);
        return switch (c) {
            case '"' -> string(p);
            case 't' -> literal(p, "true");
            case 'f' -> literal(p, "false");
            case 'n' -> literal(p, "null");
            default -> number(p);
        };
    }

    /**
     * Steps over the string at {@code p}, checking it as Jackson does: no raw control characters, only JSON's escapes,
     * UTF-8 sequences with a valid lead byte and continuation bytes. Returns the offset just past the closing quote.
     */
    private int string(int p) {
        byte[] b = this.b;
        int n = b.length;
        p++;
        while (true) {
            while (p < n && STRING_BYTES[b[p] & 0xff] == PLAIN) {
                p++;
            }
            if (p >= n) {
                throw GIVE_UP;
            }
            switch (STRING_BYTES[b[p] & 0xff]) {
                case QUOTE -> {
                    return p + 1;
                }
                case BACKSLASH -> p = escape(p);
                case UTF8_2 -> p = continuation(p + 1, 1);
                case UTF8_3 -> p = continuation(p + 1, 2);
                case UTF8_4 -> p = continuation(p + 1, 3);
                default -> throw GIVE_UP; // a control character, or a byte no UTF-8 sequence starts with
            }
        }
    }

    /** The offset after the escape sequence at {@code p}. */
    private int escape(int p) {
        switch (at(p + 1)) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return p + 2;
            }
            case 'u' -> {
                for (int i = p + 2; i < p + 6; i++) {
                    byte h = at(i);
                    if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                        throw GIVE_UP;
                    }
                }
                return p + 6;
            }
            default -> throw GIVE_UP;
        }
    }

    /** The offset after {@code count} UTF-8 continuation bytes at {@code p}. */
    private int continuation(int p, int count) {
        for (int i = p; i < p + count; i++) {
            if ((at(i) & 0xc0) != 0x80) {
                throw GIVE_UP;
            }
        }
        return p + count;
    }

    /** Steps over a number in JSON's grammar (no leading zeros, '+', or bare '.'), returning the offset past it. */
    private int number(int p) {
        int start = p;
        if (at(p) == '-') {
            p++;
        }
        if (at(p) == '0') {
            p++;
            if (p < b.length && isDigit(b[p])) {
                throw GIVE_UP;
            }
        } else if (isDigit(at(p))) {
            p = digits(p);
        } else {
            throw GIVE_UP;
        }
        if (p < b.length && b[p] == '.') {
            p = requiredDigits(p + 1);
        }
        if (p < b.length && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            if (at(p) == '+' || at(p) == '-') {
                p++;
            }
            p = requiredDigits(p);
        }
        if (p - start > MAX_NUMBER_CHARS) {
            throw GIVE_UP;
        }
        return p;
    }

    private int requiredDigits(int p) {
        if (!isDigit(at(p))) {
            throw GIVE_UP;
        }
        return digits(p);
    }

    private int digits(int p) {
        while (p < b.length && isDigit(b[p])) {
            p++;
        }
        return p;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private int literal(int p, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (at(p + i) != word.charAt(i)) {
                throw GIVE_UP;
            }
        }
        return p + word.length();
    }

    private int ws(int p) {
        while (p < b.length && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    private int expect(int p, char c) {
        if (at(p) != c) {
            throw GIVE_UP;
        }
        return p;
    }

    private byte at(int p) {
        if (p >= b.length) {
            throw GIVE_UP;
        }
        return b[p];
    }

    /** The byte ranges of the elements of one {@code $snapshot_data} array, which must all be objects. */
    private final class SnapshotData {
        int[] ranges;
        int count;
        final boolean allObjects = true;

        void scan(int start) {
            ranges = new int[32];
            int p = ws(start + 1);
            if (at(p) == ']') {
                end = p + 1;
                return;
            }
            while (true) {
                if (at(p) != '{') {
                    throw GIVE_UP; // Jackson notes other elements; they only lead to a dead letter
                }
                int elementEnd = container(p, 0);
                if (count + 2 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, 2 * ranges.length);
                }
                ranges[count++] = p;
                ranges[count++] = elementEnd;
                p = ws(elementEnd);
                if (at(p) == ']') {
                    end = p + 1;
                    return;
                }
                p = ws(expect(p, ',') + 1);
            }
        }
    }
}
