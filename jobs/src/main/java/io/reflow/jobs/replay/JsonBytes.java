package io.reflow.jobs.replay;

/**
 * A strict reader of JSON values in a byte array, for skipping over the parts of rrweb events the replay job copies
 * but does not look into. It accepts less than JSON allows (no value nested deeper than {@value #MAX_DEPTH}, no
 * string or name longer than {@value #MAX_STRING_BYTES} bytes, UTF-8 checked strictly) and never accepts what
 * Jackson's defaults refuse, so whatever it passes can be copied into a block as it is, and whatever it does not is
 * left to Jackson to accept or refuse. Every method returns the position after what it read, or {@link #FAIL}.
 */
final class JsonBytes {
    static final int FAIL = -1;
    static final int MAX_DEPTH = 200;
    static final int MAX_STRING_BYTES = 1 << 20;
    private static final int MAX_NUMBER_CHARS = 1000;

    private JsonBytes() {}

    static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    static int skipWhitespace(byte[] b, int i, int end) {
        while (i < end && isWhitespace(b[i])) {
            i++;
        }
        return i;
    }

    /** Skips one value starting at {@code i} (no whitespace before it). */
    static int skipValue(byte[] b, int i, int end) {
        return skipValue(b, i, end, 0);
    }

    private static int skipValue(byte[] b, int i, int end, int depth) {
        if (i >= end) {
            return FAIL;
        }
        return switch (b[i]) {
            case '{' -> skipObject(b, i, end, depth + 1);
            case '[' -> skipArray(b, i, end, depth + 1);
            case '"' -> skipString(b, i, end);
            case 't' -> literal(b, i, end, "true");
            case 'f' -> literal(b, i, end, "false");
            case 'n' -> literal(b, i, end, "null");
            default -> skipNumber(b, i, end);
        };
    }

    private static int skipObject(byte[] b, int i, int end, int depth) {
        if (depth > MAX_DEPTH) {
            return FAIL;
        }
        i = skipWhitespace(b, i + 1, end);
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return FAIL;
            }
            i = skipString(b, i, end);
            if (i == FAIL) {
                return FAIL;
            }
            i = skipWhitespace(b, i, end);
            if (i >= end || b[i] != ':') {
                return FAIL;
            }
            i = skipValue(b, skipWhitespace(b, i + 1, end), end, depth);
            if (i == FAIL) {
                return FAIL;
            }
            i = skipWhitespace(b, i, end);
            if (i >= end) {
                return FAIL;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return FAIL;
            }
            i = skipWhitespace(b, i + 1, end);
        }
    }

    private static int skipArray(byte[] b, int i, int end, int depth) {
        if (depth > MAX_DEPTH) {
            return FAIL;
        }
        i = skipWhitespace(b, i + 1, end);
        if (i < end && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = skipValue(b, i, end, depth);
            if (i == FAIL) {
                return FAIL;
            }
            i = skipWhitespace(b, i, end);
            if (i >= end) {
                return FAIL;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            if (b[i] != ',') {
                return FAIL;
            }
            i = skipWhitespace(b, i + 1, end);
        }
    }

    /** Skips a string starting at its opening quote: escapes, control characters and UTF-8 checked. */
    static int skipString(byte[] b, int i, int end) {
        int start = i;
        i++;
        int limit = Math.min(end, start + MAX_STRING_BYTES);
        while (i < limit) {
            int c = b[i] & 0xFF;
            switch (STRING_BYTE[c]) {
                case PLAIN -> i++;
                case QUOTE -> {
                    return i + 1;
                }
                case LATIN1_PAIR -> {
                    // C2/C3 and a continuation byte: U+0080 to U+00FF, most of a posthog-js gzip string
                    if (i + 1 >= limit || (b[i + 1] & 0xC0) != 0x80) {
                        return FAIL;
                    }
                    i += 2;
                }
                case BACKSLASH -> {
                    if (i + 1 >= limit) {
                        return FAIL;
                    }
                    switch (b[i + 1]) {
                        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
                        case 'u' -> {
                            if (i + 5 >= limit || HEX[b[i + 2] & 0xFF] < 0 || HEX[b[i + 3] & 0xFF] < 0
                                    || HEX[b[i + 4] & 0xFF] < 0 || HEX[b[i + 5] & 0xFF] < 0) {
                                return FAIL;
                            }
                            i += 6;
                        }
                        default -> {
                            return FAIL;
                        }
                    }
                }
                case CONTROL -> {
                    return FAIL;
                }
                default -> {
                    i = skipUtf8(b, i, limit, c);
                    if (i == FAIL) {
                        return FAIL;
                    }
                }
            }
        }
        return FAIL;
    }

    /**
     * Reads the string at {@code i} (its opening quote) as {@link #skipString} does and, in the same pass, appends its
     * chars to {@code out} as ISO-8859-1 bytes: how posthog-js writes a gzip member into JSON. Returns the position after
     * the closing quote, or {@link #FAIL} when {@link #skipString} would fail or when a char is above U+00FF; then
     * {@code out} holds some of the chars and the caller takes the two-pass road ({@link #skipString}, {@link #latin1}),
     * which tells the two apart.
     */
    static int latin1String(byte[] b, int i, int end, GrowableBytes out) {
        int start = i;
        i++;
        int limit = Math.min(end, start + MAX_STRING_BYTES);
        out.ensureSpace(Math.min(limit - i, 1 << 16));
        byte[] o = out.array();
        int n = out.size();
        while (i < limit) {
            if (n == o.length) {
                out.advance(n - out.size());
                out.ensureSpace(limit - i);
                o = out.array();
            }
            int c = b[i] & 0xFF;
            switch (STRING_BYTE[c]) {
                case PLAIN -> {
                    o[n++] = (byte) c;
                    i++;
                }
                case QUOTE -> {
                    out.advance(n - out.size());
                    return i + 1;
                }
                case LATIN1_PAIR -> {
                    if (i + 1 >= limit || (b[i + 1] & 0xC0) != 0x80) {
                        return FAIL;
                    }
                    o[n++] = (byte) ((c & 0x1F) << 6 | (b[i + 1] & 0x3F));
                    i += 2;
                }
                case BACKSLASH -> {
                    if (i + 1 >= limit) {
                        return FAIL;
                    }
                    int ch;
                    int length = 2;
                    switch (b[i + 1]) {
                        case '"' -> ch = '"';
                        case '\\' -> ch = '\\';
                        case '/' -> ch = '/';
                        case 'b' -> ch = '\b';
                        case 'f' -> ch = '\f';
                        case 'n' -> ch = '\n';
                        case 'r' -> ch = '\r';
                        case 't' -> ch = '\t';
                        case 'u' -> {
                            if (i + 5 >= limit) {
                                return FAIL;
                            }
                            int h1 = HEX[b[i + 2] & 0xFF];
                            int h2 = HEX[b[i + 3] & 0xFF];
                            int h3 = HEX[b[i + 4] & 0xFF];
                            int h4 = HEX[b[i + 5] & 0xFF];
                            if ((h1 | h2 | h3 | h4) < 0) {
                                return FAIL;
                            }
                            ch = h1 << 12 | h2 << 8 | h3 << 4 | h4;
                            length = 6;
                        }
                        default -> {
                            return FAIL;
                        }
                    }
                    if (ch > 0xFF) {
                        return FAIL;
                    }
                    o[n++] = (byte) ch;
                    i += length;
                }
                default -> {
                    return FAIL; // a control character, or a char above U+00FF
                }
            }
        }
        return FAIL;
    }

    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte BACKSLASH = 2;
    private static final byte CONTROL = 3;
    private static final byte LATIN1_PAIR = 4;
    private static final byte OTHER_UTF8 = 5;
    /** What a byte inside a JSON string is, by its value. */
    private static final byte[] STRING_BYTE = new byte[256];
    /** A hex digit's value, -1 for any other byte. */
    private static final byte[] HEX = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            STRING_BYTE[c] = c < 0x20 ? CONTROL : c == '"' ? QUOTE : c == '\\' ? BACKSLASH : c < 0x80 ? PLAIN
                    : c == 0xC2 || c == 0xC3 ? LATIN1_PAIR : OTHER_UTF8;
            HEX[c] = (byte) (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
        }
    }

    /** One multi-byte UTF-8 character: no overlong forms, no surrogates, nothing above U+10FFFF. */
    private static int skipUtf8(byte[] b, int i, int limit, int c) {
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) {
                lo = 0xA0;
            } else if (c == 0xED) {
                hi = 0x9F;
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) {
                lo = 0x90;
            } else if (c == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return FAIL;
        }
        if (i + n >= limit) {
            return FAIL;
        }
        int second = b[i + 1] & 0xFF;
        if (second < lo || second > hi) {
            return FAIL;
        }
        for (int k = 2; k <= n; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                return FAIL;
            }
        }
        return i + n + 1;
    }

    /** The end of {@code word} at {@code i} when it stands there as a whole value, else {@link #FAIL}. */
    static int literal(byte[] b, int i, int end, String word) {
        int n = word.length();
        if (i + n > end) {
            return FAIL;
        }
        for (int k = 0; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                return FAIL;
            }
        }
        return delimited(b, i + n, end);
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, followed by a delimiter. */
    static int skipNumber(byte[] b, int i, int end) {
        int start = i;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end) {
            return FAIL;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(b, i, end);
        } else {
            return FAIL;
        }
        if (i < end && b[i] == '.') {
            int after = digits(b, i + 1, end);
            if (after == i + 1) {
                return FAIL;
            }
            i = after;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int after = digits(b, i, end);
            if (after == i) {
                return FAIL;
            }
            i = after;
        }
        if (i - start > MAX_NUMBER_CHARS) {
            return FAIL;
        }
        return delimited(b, i, end);
    }

    /**
     * A plain integer ({@code -?(0|[1-9][0-9]*)} of at most 18 digits, followed by a delimiter) at {@code i}: its end, or
     * {@link #FAIL} for anything else (a fraction, an exponent, a longer number), which the caller leaves to Jackson.
     */
    static int plainIntegerEnd(byte[] b, int i, int end) {
        int start = i;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end) {
            return FAIL;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(b, i, end);
        } else {
            return FAIL;
        }
        if (i - start > 18) {
            return FAIL;
        }
        return delimited(b, i, end);
    }

    /** The value of a plain integer between {@code from} and {@code to} (as {@link #plainIntegerEnd} found it). */
    static long parsePlainInteger(byte[] b, int from, int to) {
        boolean negative = b[from] == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return negative ? -v : v;
    }

    private static int digits(byte[] b, int i, int end) {
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    private static int delimited(byte[] b, int i, int end) {
        if (i >= end) {
            return i;
        }
        byte c = b[i];
        return c == ',' || c == '}' || c == ']' || isWhitespace(c) ? i : FAIL;
    }

    /** Whether the bytes from {@code from} to {@code to} are exactly {@code ascii}. */
    static boolean equalsAscii(byte[] b, int from, int to, String ascii) {
        if (to - from != ascii.length()) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (b[from + k] != ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The chars of the string between {@code from} (its opening quote) and {@code to} (after its closing quote), which
     * {@link #skipString} accepted, as ISO-8859-1 bytes: how posthog-js writes a gzip member into JSON. Null when a char
     * is above U+00FF; then {@code problem[0]} says which.
     */
    static byte[] latin1(byte[] b, int from, int to, String path, String[] problem) {
        byte[] out = new byte[to - from - 2];
        int n = 0;
        int i = from + 1;
        int end = to - 1;
        while (i < end) {
            int c = b[i] & 0xFF;
            int ch;
            if (c == '\\') {
                byte e = b[i + 1];
                switch (e) {
                    case 'u' -> {
                        ch = HEX[b[i + 2] & 0xFF] << 12 | HEX[b[i + 3] & 0xFF] << 8 | HEX[b[i + 4] & 0xFF] << 4 | HEX[b[i + 5] & 0xFF];
                        i += 6;
                    }
                    case 'b' -> { ch = '\b'; i += 2; }
                    case 'f' -> { ch = '\f'; i += 2; }
                    case 'n' -> { ch = '\n'; i += 2; }
                    case 'r' -> { ch = '\r'; i += 2; }
                    case 't' -> { ch = '\t'; i += 2; }
                    default -> { ch = e; i += 2; } // " \ /
                }
            } else if (c < 0x80) {
                ch = c;
                i++;
            } else if (c < 0xE0) {
                ch = (c & 0x1F) << 6 | (b[i + 1] & 0x3F);
                i += 2;
            } else if (c < 0xF0) {
                ch = (c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
                i += 3;
            } else {
                int cp = (c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
                ch = Character.highSurrogate(cp);
                i += 4;
            }
            if (ch > 0xFF) {
                problem[0] = path + ": character U+" + Integer.toHexString(ch) + " at " + n + " is not a byte (ISO-8859-1)";
                return null;
            }
            out[n++] = (byte) ch;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
