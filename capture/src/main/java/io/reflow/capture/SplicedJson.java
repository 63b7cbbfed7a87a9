package io.reflow.capture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Wire records whose last field is JSON the client sent, written by copying those bytes into the record's own
 * encoding instead of parsing them into a tree and encoding that again (for a recording, most of the work).
 * The record is encoded by the contract's codec with that field empty, and the bytes are put in its place.
 */
final class SplicedJson {
    private static final byte[] EMPTY_ARRAY_LAST = "[]}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_LAST = "null}".getBytes(StandardCharsets.US_ASCII);

    private SplicedJson() {}

    /**
     * An encoded record ending in {@code "<field>":[]}} with the array's elements taken from {@code source[from, to)}
     * (elements with their separators, as they lie in the body).
     */
    static byte[] fillLastArray(byte[] encodedWithEmptyArray, byte[] source, int from, int to) {
        int keep = prefixBefore(encodedWithEmptyArray, EMPTY_ARRAY_LAST) + 1; // up to and including '['
        byte[] out = Arrays.copyOf(encodedWithEmptyArray, keep + (to - from) + 2);
        System.arraycopy(source, from, out, keep, to - from);
        out[out.length - 2] = ']';
        out[out.length - 1] = '}';
        return out;
    }

    /** The size {@link #fillLastArray} gives for that many source bytes. */
    static int filledSize(byte[] encodedWithEmptyArray, int sourceBytes) {
        return encodedWithEmptyArray.length + sourceBytes;
    }

    /** An encoded record ending in {@code "<field>":null}} with the value taken from {@code source[from, to)}. */
    static byte[] fillLastValue(byte[] encodedWithNull, byte[] source, int from, int to) {
        int keep = prefixBefore(encodedWithNull, NULL_LAST);
        byte[] out = Arrays.copyOf(encodedWithNull, keep + (to - from) + 1);
        System.arraycopy(source, from, out, keep, to - from);
        out[out.length - 1] = '}';
        return out;
    }

    private static int prefixBefore(byte[] encoded, byte[] tail) {
        int at = encoded.length - tail.length;
        if (at < 0 || !Arrays.equals(encoded, at, encoded.length, tail, 0, tail.length)) {
            throw new IllegalStateException("the record's last field is not where splicing expects it");
        }
        return at;
    }
}
