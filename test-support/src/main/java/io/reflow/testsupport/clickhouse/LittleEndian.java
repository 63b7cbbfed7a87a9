package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.io.InputStream;

/** Little-endian integers in byte arrays, and reading exactly n bytes. */
final class LittleEndian {
    private LittleEndian() {}

    static void putInt32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void putInt64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static int getInt32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static long getInt64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    /** False on a clean end of stream before the first byte if {@code eofAllowedAtStart}; an error on any other short read. */
    static boolean readFully(InputStream in, byte[] b, int off, int len, boolean eofAllowedAtStart) throws IOException {
        int n = 0;
        while (n < len) {
            int count = in.read(b, off + n, len - n);
            if (count < 0) {
                if (n == 0 && eofAllowedAtStart) {
                    return false;
                }
                throw new IOException("truncated stream: " + n + " of " + len + " bytes");
            }
            n += count;
        }
        return true;
    }

    /**
     * Skips by reading: the JDK HTTP server's request body streams inherit FilterInputStream.skip, which skips
     * on the socket behind their back and leaves them waiting for bytes that already went by.
     */
    static void skipFully(InputStream in, long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(8192, Math.max(1, n))];
        long left = n;
        while (left > 0) {
            int count = in.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (count < 0) {
                throw new IOException("truncated stream: " + (n - left) + " of " + n + " bytes to skip");
            }
            left -= count;
        }
    }
}
