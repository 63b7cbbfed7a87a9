package io.reflow.capture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decompresses lz-string's {@code compressToBase64} format, which old posthog-js versions send with
 * {@code compression=lz64}. The stream is LZW over UTF-16 code units, written as bits into base64
 * characters (6 bits each, most significant first). Codes 0 and 1 introduce an 8- or 16-bit literal,
 * 2 ends the stream, every other code names a dictionary entry; the code width grows by one bit each
 * time the dictionary doubles.
 *
 * <p>Every dictionary entry is a run of the output produced so far (the previous entry plus the first
 * character of the next one, which is written right after it), so entries are kept as offset and
 * length into the output instead of as strings. The decoded size limit is checked while decoding:
 * a small input that expands without bound is refused as soon as the output passes the limit.
 */
final class Lz64 {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    private static final int[] VALUE = new int[128];
    private static final int FIRST_ENTRY = 3;
    private static final int MAX_CODE_BITS = 30;

    static {
        Arrays.fill(VALUE, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            VALUE[ALPHABET.charAt(i)] = i;
        }
        VALUE[' '] = VALUE['+']; // an unencoded '+' in a form body arrives as a space
    }

    private Lz64() {}

    /** The UTF-8 bytes of the decompressed text; 400 {@code invalid_lz64} when it is not lz-string data, 413 past {@code limit}. */
    static byte[] decode(CharSequence input, int limit) {
        if (input.length() == 0) {
            throw invalid("the lz64 body is empty");
        }
        Bits bits = new Bits(input);
        Output out = new Output(limit);
        Entries dictionary = new Entries();
        int codeBits = 3;
        int enlargeIn = 4;

        int first = bits.read(2);
        if (first == 2) {
            return new byte[0];
        }
        if (first > 2) {
            throw invalid("the lz64 data does not start with a literal");
        }
        int w = out.length();
        out.append((char) bits.read(first == 0 ? 8 : 16));
        dictionary.add(w, 1);
        int wLength = 1;

        while (true) {
            if (bits.pastEnd()) {
                throw invalid("the lz64 data ends without its end marker");
            }
            int code = bits.read(codeBits);
            boolean literal = code == 0 || code == 1;
            if (literal) {
                int at = out.length();
                out.append((char) bits.read(code == 0 ? 8 : 16));
                dictionary.add(at, 1);
                code = dictionary.nextCode() - 1;
                enlargeIn--;
            } else if (code == 2) {
                return out.utf8();
            }
            if (enlargeIn == 0) {
                enlargeIn = 1 << codeBits;
                codeBits = widen(codeBits);
            }
            int entry;
            int entryLength;
            if (literal) {
                entry = dictionary.offset(code);
                entryLength = 1;
            } else if (code < dictionary.nextCode()) {
                entryLength = dictionary.length(code);
                entry = out.copy(dictionary.offset(code), entryLength);
            } else if (code == dictionary.nextCode()) {
                entry = out.copy(w, wLength);
                out.append(out.charAt(w));
                entryLength = wLength + 1;
            } else {
                throw invalid("the lz64 data refers to a dictionary entry that does not exist");
            }
            // w is immediately followed by entry in the output, so w + entry[0] is the run starting at w
            dictionary.add(w, wLength + 1);
            enlargeIn--;
            w = entry;
            wLength = entryLength;
            if (enlargeIn == 0) {
                enlargeIn = 1 << codeBits;
                codeBits = widen(codeBits);
            }
        }
    }

    private static int widen(int codeBits) {
        if (codeBits >= MAX_CODE_BITS) {
            throw invalid("the lz64 dictionary grows beyond any real input");
        }
        return codeBits + 1;
    }

    private static CaptureException invalid(String detail) {
        return CaptureException.badRequest("invalid_lz64", detail);
    }

    /** Reads the base64 characters as a bit stream; past the end it yields zeros, as lz-string does. */
    private static final class Bits {
        private final CharSequence input;
        private int index;
        private int value;
        private int mask = 32;

        Bits(CharSequence input) {
            this.input = input;
            this.value = valueAt(0);
            this.index = 1;
        }

        int read(int count) {
            int result = 0;
            for (int bit = 0; bit < count; bit++) {
                if ((value & mask) != 0) {
                    result |= 1 << bit;
                }
                mask >>= 1;
                if (mask == 0) {
                    mask = 32;
                    value = index < input.length() ? valueAt(index) : 0;
                    index++;
                }
            }
            return result;
        }

        boolean pastEnd() {
            return index > input.length();
        }

        private int valueAt(int i) {
            char c = input.charAt(i);
            int v = c < VALUE.length ? VALUE[c] : -1;
            if (v < 0) {
                throw invalid("the lz64 data contains a character outside its base64 alphabet at offset " + i);
            }
            return v;
        }
    }

    /** The decompressed UTF-16 text, refused once longer than the limit (every char is at least one UTF-8 byte). */
    private static final class Output {
        private final int limit;
        private char[] chars = new char[1024];
        private int length;

        Output(int limit) {
            this.limit = limit;
        }

        int length() {
            return length;
        }

        char charAt(int i) {
            return chars[i];
        }

        void append(char c) {
            reserve(1);
            chars[length++] = c;
        }

        /** Appends the run at {@code from} of {@code count} chars; returns where the copy starts. */
        int copy(int from, int count) {
            reserve(count);
            int at = length;
            System.arraycopy(chars, from, chars, at, count);
            length += count;
            return at;
        }

        byte[] utf8() {
            byte[] bytes = new String(chars, 0, length).getBytes(StandardCharsets.UTF_8);
            if (bytes.length > limit) {
                throw tooLarge();
            }
            return bytes;
        }

        private void reserve(int count) {
            if ((long) length + count > limit) {
                throw tooLarge();
            }
            if (length + count > chars.length) {
                chars = Arrays.copyOf(chars, (int) Math.min(limit, Math.max(2L * chars.length, (long) length + count)));
            }
        }

        private CaptureException tooLarge() {
            return CaptureException.tooLarge("the decoded body is larger than this endpoint's limit of " + limit + " bytes");
        }
    }

    /** Dictionary entries from code {@link #FIRST_ENTRY} on, as (offset, length) runs of the output. */
    private static final class Entries {
        private int[] runs = new int[2 * 256];
        private int count;

        void add(int offset, int length) {
            if (2 * count + 2 > runs.length) {
                runs = Arrays.copyOf(runs, 2 * runs.length);
            }
            runs[2 * count] = offset;
            runs[2 * count + 1] = length;
            count++;
        }

        int nextCode() {
            return FIRST_ENTRY + count;
        }

        int offset(int code) {
            return runs[2 * (code - FIRST_ENTRY)];
        }

        int length(int code) {
            return runs[2 * (code - FIRST_ENTRY) + 1];
        }
    }
}
