package io.reflow.jobs.events;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the rows the events job publishes most (enriched events, person rows, distinct-id rows) byte for byte as
 * {@link Json#encode} writes them, without Jackson. Most of an event row is its properties and its person's
 * properties, each a JSON document carried as a string: escaping them is a loop over their UTF-8 bytes that copies
 * runs of plain bytes at once, where Jackson's generator goes char by char. The escapes are Jackson's defaults:
 * {@code \"}, {@code \\}, {@code \b \t \n \f \r}, a six-char \\u escape (upper-case hex) for other control characters;
 * characters beyond the BMP as their escaped surrogate pair; everything else, non-ASCII included, as its
 * UTF-8 bytes. A string with an unpaired surrogate (normalisation
 * replaces them, so it should not happen) makes the whole row go through Jackson, so the result is always Jackson's.
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

    private JsonRows() {}

    /** Thrown inside a writer when a string cannot be written as Jackson would; the row is then left to Jackson. */
    private static final class NotPlain extends RuntimeException {
        NotPlain() {
            super(null, null, false, false);
        }
    }

    static byte[] event(EnrichedEvent e) {
        try {
            Out o = new Out(256 + 2 * (length(e.properties()) + length(e.personProperties())));
            o.raw("{\"uuid\":").string(e.uuid())
                    .raw(",\"event\":").string(e.event())
                    .raw(",\"properties\":").string(e.properties())
                    .raw(",\"timestamp\":").number(e.timestamp())
                    .raw(",\"team_id\":").number(e.teamId())
                    .raw(",\"distinct_id\":").string(e.distinctId())
                    .raw(",\"elements_chain\":").string(e.elementsChain())
                    .raw(",\"created_at\":").number(e.createdAt())
                    .raw(",\"session_id\":").string(e.sessionId())
                    .raw(",\"person_id\":").string(e.personId())
                    .raw(",\"person_properties\":").string(e.personProperties())
                    .raw(",\"person_created_at\":").number(e.personCreatedAt())
                    .raw(",\"person_mode\":").string(e.personMode())
                    .raw("}");
            return o.toBytes();
        } catch (NotPlain notPlain) {
            return Json.encode(e);
        }
    }

    static byte[] person(PersonRow r) {
        try {
            Out o = new Out(160 + 2 * length(r.properties()));
            o.raw("{\"id\":").string(r.id())
                    .raw(",\"team_id\":").number(r.teamId())
                    .raw(",\"properties\":").string(r.properties())
                    .raw(",\"is_identified\":").number(r.isIdentified())
                    .raw(",\"created_at\":").number(r.createdAt())
                    .raw(",\"version\":").number(r.version())
                    .raw(",\"is_deleted\":").number(r.isDeleted())
                    .raw("}");
            return o.toBytes();
        } catch (NotPlain notPlain) {
            return Json.encode(r);
        }
    }

    static byte[] distinctId(PersonDistinctIdRow r) {
        try {
            Out o = new Out(160 + length(r.distinctId()));
            o.raw("{\"team_id\":").number(r.teamId())
                    .raw(",\"distinct_id\":").string(r.distinctId())
                    .raw(",\"person_id\":").string(r.personId())
                    .raw(",\"version\":").number(r.version())
                    .raw(",\"is_deleted\":").number(r.isDeleted())
                    .raw("}");
            return o.toBytes();
        } catch (NotPlain notPlain) {
            return Json.encode(r);
        }
    }

    private static int length(String s) {
        return s == null ? 4 : s.length();
    }

    private static byte[] utf8(String s) {
        byte[] bytes = Utf8.exact(s);
        if (bytes == null) {
            throw new NotPlain();
        }
        return bytes;
    }

    /** A growable byte buffer for one row. */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
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

        Out number(long v) {
            return raw(Long.toString(v));
        }

        Out string(String s) {
            if (s == null) {
                return raw("null");
            }
            byte[] src = utf8(s);
            ensure(src.length + 2);
            buf[len++] = '"';
            int runStart = 0;
            for (int i = 0; i < src.length; i++) {
                int b = src[i];
                if (b >= 0 ? ESCAPES[b] == 0 : (b & 0xF8) != 0xF0) {
                    continue;
                }
                int run = i - runStart;
                ensure(run + 12 + (src.length - i) + 1);
                System.arraycopy(src, runStart, buf, len, run);
                len += run;
                if (b < 0) { // a 4-byte sequence: Jackson writes the code point as its surrogate pair, escaped
                    int cp = (b & 0x07) << 18 | (src[i + 1] & 0x3F) << 12 | (src[i + 2] & 0x3F) << 6 | (src[i + 3] & 0x3F);
                    unicodeEscape(Character.highSurrogate(cp));
                    unicodeEscape(Character.lowSurrogate(cp));
                    i += 3;
                    runStart = i + 1;
                    continue;
                }
                byte esc = ESCAPES[b];
                buf[len++] = '\\';
                if (esc == 'u') {
                    buf[len++] = 'u';
                    buf[len++] = '0';
                    buf[len++] = '0';
                    buf[len++] = HEX[b >> 4];
                    buf[len++] = HEX[b & 0xF];
                } else {
                    buf[len++] = esc;
                }
                runStart = i + 1;
            }
            int run = src.length - runStart;
            ensure(run + 1);
            System.arraycopy(src, runStart, buf, len, run);
            len += run;
            buf[len++] = '"';
            return this;
        }

        private void unicodeEscape(char c) {
            buf[len++] = '\\';
            buf[len++] = 'u';
            buf[len++] = HEX[c >> 12];
            buf[len++] = HEX[(c >> 8) & 0xF];
            buf[len++] = HEX[(c >> 4) & 0xF];
            buf[len++] = HEX[c & 0xF];
        }

        byte[] toBytes() {
            return len == buf.length ? buf : Arrays.copyOf(buf, len);
        }
    }
}
