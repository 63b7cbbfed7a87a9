package io.reflow.jobs.replay;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Block lines tagged with their event timestamp, packed into one byte array per Kafka message
 * ({@code [long ts][int length][line bytes]...}) so a message costs one state entry, and sorted
 * by timestamp only when the block is written.
 */
final class TimedLines {
    private TimedLines() {}

    record Line(long timestamp, byte[] bytes) {}

    static final class Builder {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buffer);

        Builder add(long timestamp, byte[] line) {
            try {
                out.writeLong(timestamp);
                out.writeInt(line.length);
                out.write(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        byte[] build() {
            return buffer.toByteArray();
        }
    }

    static List<Line> decode(byte[] packed, List<Line> into) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(packed))) {
            while (in.available() > 0) {
                long ts = in.readLong();
                byte[] line = new byte[in.readInt()];
                in.readFully(line);
                into.add(new Line(ts, line));
            }
            return into;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt buffered lines", e);
        }
    }

    /**
     * Concatenates the lines of all packed chunks in timestamp order (stable: equal timestamps keep arrival order).
     * Lines nearly always arrive in order; then they are copied straight out of the chunks, and otherwise only their
     * positions are sorted, never the lines themselves.
     */
    static byte[] sortedConcatenation(Iterable<byte[]> packedChunks) {
        List<byte[]> chunks = new ArrayList<>();
        int lines = 0;
        long size = 0;
        boolean inOrder = true;
        long previous = Long.MIN_VALUE;
        for (byte[] chunk : packedChunks) {
            chunks.add(chunk);
            for (int at = 0; at < chunk.length; ) {
                long ts = readLong(chunk, at);
                int length = readInt(chunk, at + 8);
                inOrder &= ts >= previous;
                previous = ts;
                size += length;
                lines++;
                at += 12 + length;
            }
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a block of " + size + " bytes is larger than an array can hold");
        }
        byte[] result = new byte[(int) size];
        int pos = 0;
        if (inOrder) {
            for (byte[] chunk : chunks) {
                for (int at = 0; at < chunk.length; ) {
                    int length = readInt(chunk, at + 8);
                    System.arraycopy(chunk, at + 12, result, pos, length);
                    pos += length;
                    at += 12 + length;
                }
            }
            return result;
        }
        long[] timestamps = new long[lines];
        int[] chunkOf = new int[lines];
        int[] offsetOf = new int[lines];
        Integer[] order = new Integer[lines];
        int n = 0;
        for (int c = 0; c < chunks.size(); c++) {
            byte[] chunk = chunks.get(c);
            for (int at = 0; at < chunk.length; ) {
                timestamps[n] = readLong(chunk, at);
                chunkOf[n] = c;
                offsetOf[n] = at;
                order[n] = n;
                n++;
                at += 12 + readInt(chunk, at + 8);
            }
        }
        java.util.Arrays.sort(order, Comparator.comparingLong(i -> timestamps[i])); // stable
        for (int i : order) {
            byte[] chunk = chunks.get(chunkOf[i]);
            int length = readInt(chunk, offsetOf[i] + 8);
            System.arraycopy(chunk, offsetOf[i] + 12, result, pos, length);
            pos += length;
        }
        return result;
    }

    private static long readLong(byte[] b, int at) {
        return (long) readInt(b, at) << 32 | (readInt(b, at + 4) & 0xFFFFFFFFL);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
