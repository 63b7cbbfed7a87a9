package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the rows the events job publishes most (enriched events, person rows, distinct-id rows) byte for byte as
 * {@link Json#encode} writes them, without Jackson's per-row machinery. Most of an event row is its properties and
 * its person's properties, each a JSON document carried as a string: each string is written in one tight pass over
 * its chars into a per-thread buffer sized for the worst case up front, and the last long string written is
 * remembered (a person's properties, the same string, go into its person row and its event row). The escapes are Jackson's defaults:
 * {@code \"}, {@code \\}, {@code \b \t \n \f \r}, a six-char \\u escape (upper-case hex) for other control
 * characters and for every surrogate (each half of a pair, or a lone one); everything else, non-ASCII included, as
 * its UTF-8 bytes. JsonRowsTest holds it to Jackson's output.
 */
final class JsonRows {
    /** 0: written as is; else the char after the backslash, or 'u' for a six-char \\u escape. */
    private static final byte[] ESCAPES = new byte[128];
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    private static final ThreadLocal<Out> OUT = ThreadLocal.withInitial(Out::new);

    private JsonRows() {}

    static byte[] event(EnrichedEvent e) {
        Out o = OUT.get().reset();
        o.raw("{\"uuid\":").string(e.uuid())
                .raw(",\"event\":").string(e.event())
                .raw(",\"properties\":").string(e.properties());
        return eventRest(o, e.timestamp(), e.teamId(), e.distinctId(), e.elementsChain(), e.createdAt(), e.sessionId(),
                e.personId(), e.personProperties(), e.personCreatedAt(), e.personMode());
    }

    /** The same row as {@link #event(EnrichedEvent)} of {@link EventRow#toEnriched()}, the properties spliced in. */
    static byte[] event(EventRow r) {
        NormalizedEvent e = r.event();
        Out o = OUT.get().reset();
        o.raw("{\"uuid\":").string(e.uuid())
                .raw(",\"event\":").string(e.event())
                .raw(",\"properties\":");
        if (e.propertiesDocument() == null) {
            o.raw("null");
        } else {
            o.literal(e.propertiesDocument().literal());
        }
        return eventRest(o, e.timestamp(), e.teamId(), e.distinctId(), e.elementsChain(), e.createdAt(), e.sessionId(),
                r.personId(), r.personProperties(), r.personCreatedAt(), r.personMode());
    }

    private static byte[] eventRest(Out o, long timestamp, long teamId, String distinctId, String elementsChain,
                                    long createdAt, String sessionId, String personId, String personProperties,
                                    long personCreatedAt, String personMode) {
        o.raw(",\"timestamp\":").number(timestamp)
                .raw(",\"team_id\":").number(teamId)
                .raw(",\"distinct_id\":").string(distinctId)
                .raw(",\"elements_chain\":").string(elementsChain)
                .raw(",\"created_at\":").number(createdAt)
                .raw(",\"session_id\":").string(sessionId)
                .raw(",\"person_id\":").string(personId)
                .raw(",\"person_properties\":").string(personProperties)
                .raw(",\"person_created_at\":").number(personCreatedAt)
                .raw(",\"person_mode\":").string(personMode)
                .ascii('}');
        return o.toBytes();
    }

    /** {@code text} as a JSON string literal (quotes included, UTF-8), as the rows hold it. */
    static byte[] literal(String text) {
        return OUT.get().reset().string(text).toBytes();
    }

    /**
     * The same bytes as {@code literal(ReadJson.string(tree))}: the JSON string literal holding {@code tree}'s JSON
     * as Jackson writes it, written in one walk of the tree (Jackson's escapes inside, the row's escapes around them).
     */
    static byte[] literal(JsonNode tree) {
        Out o = OUT.get().reset();
        o.raw("\"").tree(tree, true).raw("\"");
        return o.toBytes();
    }

    /**
     * The same string as {@code ReadJson.string(tree)} (Jackson's JSON text of it), from one walk of the tree into
     * UTF-8; written by Jackson when a string in it holds a surrogate that is not half of a pair (UTF-8 cannot).
     */
    static String text(JsonNode tree) {
        Out o = OUT.get().reset();
        o.loneSurrogate = false;
        o.tree(tree, false);
        return o.loneSurrogate ? ReadJson.string(tree) : new String(o.buf, 0, o.len, StandardCharsets.UTF_8);
    }

    static byte[] person(PersonRow r) {
        Out o = OUT.get().reset();
        o.raw("{\"id\":").string(r.id())
                .raw(",\"team_id\":").number(r.teamId())
                .raw(",\"properties\":").string(r.properties())
                .raw(",\"is_identified\":").number(r.isIdentified())
                .raw(",\"created_at\":").number(r.createdAt())
                .raw(",\"version\":").number(r.version())
                .raw(",\"is_deleted\":").number(r.isDeleted())
                .ascii('}');
        return o.toBytes();
    }

    static byte[] distinctId(PersonDistinctIdRow r) {
        Out o = OUT.get().reset();
        o.raw("{\"team_id\":").number(r.teamId())
                .raw(",\"distinct_id\":").string(r.distinctId())
                .raw(",\"person_id\":").string(r.personId())
                .raw(",\"version\":").number(r.version())
                .raw(",\"is_deleted\":").number(r.isDeleted())
                .ascii('}');
        return o.toBytes();
    }

    /** A growable byte buffer for one row, reused by the rows a thread writes (only the result is copied). */
    private static final class Out {
        /** Strings at least this long are remembered once written (a person's properties go to two rows). */
        private static final int REMEMBER_CHARS = 256;
        private byte[] buf = new byte[4096];
        private char[] chars = new char[1024];
        private int len;
        private String remembered;
        /** {@link #text}: a string held a surrogate that UTF-8 cannot hold. */
        private boolean loneSurrogate;
        private byte[] rememberedBytes = new byte[0];
        private int rememberedLength;

        Out reset() {
            len = 0;
            return this;
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        Out raw(String ascii) {
            int n = ascii.length();
            ensure(n);
            ascii.getBytes(0, n, buf, len); // ASCII only: the deprecated method is exactly right (and fastest)
            len += n;
            return this;
        }

        Out ascii(char c) {
            ensure(1);
            buf[len++] = (byte) c;
            return this;
        }

        Out number(long v) {
            return raw(Long.toString(v));
        }

        /** {@code s} as a JSON string: one pass over its chars, as Jackson's generator does, into room made once. */
        Out string(String s) {
            if (s == null) {
                return raw("null");
            }
            if (s == remembered) { // the very same string as a moment ago: its JSON form is known
                ensure(rememberedLength);
                System.arraycopy(rememberedBytes, 0, buf, len, rememberedLength);
                len += rememberedLength;
                return this;
            }
            int start = len;
            raw("\"").escaped(s).raw("\"");
            if (s.length() >= REMEMBER_CHARS) {
                int written = len - start;
                if (rememberedBytes.length < written) {
                    rememberedBytes = new byte[Math.max(written, rememberedBytes.length * 2)];
                }
                System.arraycopy(buf, start, rememberedBytes, 0, written);
                rememberedLength = written;
                remembered = s;
            }
            return this;
        }

        /** {@code s}'s chars as a JSON string holds them (without the quotes). */
        private Out escaped(String s) {
            int n = s.length();
            if (chars.length < n) {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            char[] cs = chars;
            s.getChars(0, n, cs, 0);
            ensure(6 * n); // the most a char can take: a six-char escape
            byte[] b = buf;
            int o = len;
            for (int i = 0; i < n; i++) {
                char c = cs[i];
                if (c < 0x80) {
                    o = ascii(b, o, c);
                } else if (c < 0x800) {
                    b[o++] = (byte) (0xC0 | c >> 6);
                    b[o++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isSurrogate(c)) { // Jackson escapes each half of a pair, and a lone one
                    o = unicodeEscape(b, o, c);
                } else {
                    b[o++] = (byte) (0xE0 | c >> 12);
                    b[o++] = (byte) (0x80 | c >> 6 & 0x3F);
                    b[o++] = (byte) (0x80 | c & 0x3F);
                }
            }
            len = o;
            return this;
        }

        /** Bytes that are already what the row holds (a {@link JsonDocument#literal()}). */
        Out literal(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
            return this;
        }

        /**
         * {@code node}'s JSON as {@code Json.mapper()} writes it, escaped for a JSON string. Punctuation, numbers and
         * literals need no escaping; what Jackson might write differently than a plain walk (non-finite doubles,
         * decimals, floats, binary, POJOs) is left to Jackson and its text escaped.
         */
        Out tree(JsonNode node, boolean inLiteral) {
            if (node instanceof ObjectNode object) {
                ascii('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (!first) {
                        ascii(',');
                    }
                    first = false;
                    documentString(field.getKey(), inLiteral).ascii(':').tree(field.getValue(), inLiteral);
                }
                return ascii('}');
            }
            if (node instanceof ArrayNode array) {
                ascii('[');
                for (int i = 0, n = array.size(); i < n; i++) {
                    if (i > 0) {
                        ascii(',');
                    }
                    tree(array.get(i), inLiteral);
                }
                return ascii(']');
            }
            if (node instanceof TextNode) {
                return documentString(node.textValue(), inLiteral);
            }
            if (node instanceof IntNode || node instanceof LongNode) {
                return number(node.longValue());
            }
            if (node instanceof BooleanNode) {
                return raw(node.booleanValue() ? "true" : "false");
            }
            if (node instanceof NullNode) {
                return raw("null");
            }
            if (node instanceof DoubleNode && Double.isFinite(node.doubleValue())) {
                return raw(Double.toString(node.doubleValue()));
            }
            if (node instanceof BigIntegerNode) {
                return raw(node.bigIntegerValue().toString());
            }
            String jackson = ReadJson.string(node);
            return inLiteral ? escaped(jackson) : utf8(jackson);
        }

        private Out documentString(String s, boolean inLiteral) {
            return inLiteral ? innerString(s) : raw("\"").escapedOnce(s).raw("\"");
        }

        /**
         * {@code s}'s chars as Jackson escapes them in its JSON text ({@link #escaped}'s escapes for ASCII), the rest
         * as UTF-8; a surrogate that is not half of a pair sets {@link #loneSurrogate}.
         */
        private Out escapedOnce(String s) {
            return utf8(s, true);
        }

        /** {@code s} as UTF-8, nothing escaped. */
        private Out utf8(String s) {
            return utf8(s, false);
        }

        /** {@code s} as UTF-8, its ASCII chars escaped as {@link #escapedOnce} says when {@code escapeAscii}. */
        private Out utf8(String s, boolean escapeAscii) {
            int n = s.length();
            ensure((escapeAscii ? 6 : 3) * n);
            byte[] b = buf;
            int o = len;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (escapeAscii) {
                        o = ascii(b, o, c);
                    } else {
                        b[o++] = (byte) c;
                    }
                } else {
                    o = utf8(b, o, s, i, c);
                    if (Character.isHighSurrogate(c) && o >= 0) {
                        i++;
                    }
                    if (o < 0) {
                        loneSurrogate = true;
                        o = ~o;
                    }
                }
            }
            len = o;
            return this;
        }

        /** ASCII {@code c} at {@code o} as a JSON string holds it (escaped where JSON asks); the new position. */
        private static int ascii(byte[] b, int o, char c) {
            byte esc = ESCAPES[c];
            if (esc == 0) {
                b[o++] = (byte) c;
            } else if (esc == 'u') {
                o = unicodeEscape(b, o, c);
            } else {
                b[o++] = '\\';
                b[o++] = esc;
            }
            return o;
        }

        /**
         * Non-ASCII {@code c} (at {@code i} of {@code s}) as UTF-8 at {@code o}: the new position, or {@code ~o}
         * (nothing written) when {@code c} is a surrogate that is not the first half of a pair.
         */
        private static int utf8(byte[] b, int o, String s, int i, char c) {
            if (c < 0x800) {
                b[o++] = (byte) (0xC0 | c >> 6);
                b[o++] = (byte) (0x80 | c & 0x3F);
            } else if (!Character.isSurrogate(c)) {
                b[o++] = (byte) (0xE0 | c >> 12);
                b[o++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[o++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(i + 1));
                b[o++] = (byte) (0xF0 | cp >> 18);
                b[o++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[o++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[o++] = (byte) (0x80 | cp & 0x3F);
            } else {
                return ~o;
            }
            return o;
        }

        /**
         * A string inside the document: Jackson's escapes for it ({@code \"}, {@code \\}, short and six-char
         * escapes of control characters; anything else as is), each char of that escaped again as {@link #string}
         * does. So a quote takes four bytes ({@code \\\"}), a newline three ({@code \\n}), a surrogate the six
         * of its \\u escape.
         */
        private Out innerString(String s) {
            int n = s.length();
            ensure(7 * n + 4); // the most a char can take: a control character's escape, escaped
            byte[] b = buf;
            int o = len;
            b[o++] = '\\';
            b[o++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    byte esc = ESCAPES[c];
                    if (esc == 0) {
                        b[o++] = (byte) c;
                    } else if (esc == 'u') {
                        b[o++] = '\\';
                        b[o++] = '\\';
                        b[o++] = 'u';
                        b[o++] = '0';
                        b[o++] = '0';
                        b[o++] = HEX[c >> 4];
                        b[o++] = HEX[c & 0xF];
                    } else if (c == '"' || c == '\\') {
                        b[o++] = '\\';
                        b[o++] = '\\';
                        b[o++] = '\\';
                        b[o++] = (byte) c;
                    } else {
                        b[o++] = '\\';
                        b[o++] = '\\';
                        b[o++] = esc;
                    }
                } else if (c < 0x800) {
                    b[o++] = (byte) (0xC0 | c >> 6);
                    b[o++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    o = unicodeEscape(b, o, c);
                } else {
                    b[o++] = (byte) (0xE0 | c >> 12);
                    b[o++] = (byte) (0x80 | c >> 6 & 0x3F);
                    b[o++] = (byte) (0x80 | c & 0x3F);
                }
            }
            b[o++] = '\\';
            b[o++] = '"';
            len = o;
            return this;
        }

        private static int unicodeEscape(byte[] b, int o, char c) {
            b[o++] = '\\';
            b[o++] = 'u';
            b[o++] = HEX[c >> 12];
            b[o++] = HEX[c >> 8 & 0xF];
            b[o++] = HEX[c >> 4 & 0xF];
            b[o++] = HEX[c & 0xF];
            return o;
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, len);
        }
    }
}
