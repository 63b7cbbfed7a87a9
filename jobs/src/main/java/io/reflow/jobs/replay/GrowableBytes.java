package io.reflow.jobs.replay;

import java.util.Arrays;

/** A byte buffer that grows as it is written, can be cut back to a mark, and is reused from message to message. */
final class GrowableBytes {
    private static final int KEEP_AT_MOST = 1 << 20;
    private byte[] bytes = new byte[8192];
    private int size;

    int size() {
        return size;
    }

    byte[] array() {
        return bytes;
    }

    void ensureSpace(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
        }
    }

    void write(int b) {
        ensureSpace(1);
        bytes[size++] = (byte) b;
    }

    void write(byte[] from, int offset, int length) {
        ensureSpace(length);
        System.arraycopy(from, offset, bytes, size, length);
        size += length;
    }

    void write(byte[] from) {
        write(from, 0, from.length);
    }

    void writeLong(long v) {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    void writeInt(int v) {
        ensureSpace(4);
        setInt(size, v);
        size += 4;
    }

    void setInt(int at, int v) {
        bytes[at] = (byte) (v >>> 24);
        bytes[at + 1] = (byte) (v >>> 16);
        bytes[at + 2] = (byte) (v >>> 8);
        bytes[at + 3] = (byte) v;
    }

    /** Marks {@code n} more bytes written directly into {@link #array()} after {@link #ensureSpace}. */
    void advance(int n) {
        size += n;
    }

    void truncate(int newSize) {
        size = newSize;
    }

    /** Empties the buffer, giving back memory a very large message made it take. */
    void reset() {
        size = 0;
        if (bytes.length > KEEP_AT_MOST) {
            bytes = new byte[8192];
        }
    }
}
