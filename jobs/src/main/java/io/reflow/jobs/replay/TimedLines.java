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

    /** Concatenates the lines of all packed chunks in timestamp order (stable: equal timestamps keep arrival order). */
    static byte[] sortedConcatenation(Iterable<byte[]> packedChunks) {
        List<Line> lines = new ArrayList<>();
        for (byte[] chunk : packedChunks) {
            decode(chunk, lines);
        }
        lines.sort(Comparator.comparingLong(Line::timestamp));
        int size = 0;
        for (Line l : lines) {
            size += l.bytes().length;
        }
        byte[] result = new byte[size];
        int pos = 0;
        for (Line l : lines) {
            System.arraycopy(l.bytes(), 0, result, pos, l.bytes().length);
            pos += l.bytes().length;
        }
        return result;
    }
}
