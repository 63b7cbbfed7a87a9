package io.reflow.jobs.events;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
                .raw("}");
        return o.toBytes();
    }

    static byte[] distinctId(PersonDistinctIdRow r) {
        Out o = OUT.get().reset();
        o.raw("{\"team_id\":").number(r.teamId())
                .raw(",\"distinct_id\":").string(r.distinctId())
                .raw(",\"person_id\":").string(r.personId())
                .raw(",\"version\":").number(r.version())
                .raw(",\"is_deleted\":").number(r.isDeleted())
                .raw("}");
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

        Out number(long v) {
            return raw(Long.toString(v));
        }

        /** {@code s} as a JSON string: one pass over its chars, as Jackson's generator does, into room made once. */
        Out string(String s) {
            if (s == null) {
                return raw("null");
            }
            int n = s.length();
            if (s == remembered) { // the very same string as a moment ago: its JSON form is known
                ensure(rememberedLength);
                System.arraycopy(rememberedBytes, 0, buf, len, rememberedLength);
                len += rememberedLength;
                return this;
            }
            if (chars.length < n) {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            char[] cs = chars;
            s.getChars(0, n, cs, 0);
            ensure(6 * n + 2); // the most a char can take: a six-char escape
            byte[] b = buf;
            int o = len;
            b[o++] = '"';
            for (int i = 0; i < n; i++) {
                char c = cs[i];
                if (c < 0x80) {
                    byte esc = ESCAPES[c];
                    if (esc == 0) {
                        b[o++] = (byte) c;
                    } else if (esc == 'u') {
                        o = unicodeEscape(b, o, c);
                    } else {
                        b[o++] = '\\';
                        b[o++] = esc;
                    }
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
            b[o++] = '"';
            if (n >= REMEMBER_CHARS) {
                int written = o - len;
                if (rememberedBytes.length < written) {
                    rememberedBytes = new byte[Math.max(written, rememberedBytes.length * 2)];
                }
                System.arraycopy(b, len, rememberedBytes, 0, written);
                rememberedLength = written;
                remembered = s;
            }
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
