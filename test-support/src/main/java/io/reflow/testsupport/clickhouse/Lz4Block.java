package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.util.Arrays;

/** Decoder for the LZ4 block format, appending to an output that earlier blocks may share (LZ4 frames can chain). */
final class Lz4Block {
    private byte[] out;
    private int size;

    Lz4Block(int initialCapacity) {
        out = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(out, size);
    }

    /** Decodes one block from {@code src}; matches may reach back into anything decoded before. */
    void decode(byte[] src, int offset, int length) throws IOException {
        int s = offset;
        int end = offset + length;
        try {
            while (s < end) {
                int token = src[s++] & 0xff;
                int literals = token >>> 4;
                if (literals == 15) {
                    int more;
                    do {
                        more = src[s++] & 0xff;
                        literals += more;
                    } while (more == 255);
                }
                if (s + literals > end) {
                    throw new IOException("corrupt LZ4 block: literals run past the block");
                }
                ensureCapacity(literals);
                System.arraycopy(src, s, out, size, literals);
                s += literals;
                size += literals;
                if (s >= end) {
                    break; // the last sequence has literals only
                }
                int matchOffset = (src[s] & 0xff) | (src[s + 1] & 0xff) << 8;
                s += 2;
                if (matchOffset == 0 || matchOffset > size) {
                    throw new IOException("corrupt LZ4 block: match offset " + matchOffset + " at output " + size);
                }
                int matchLength = token & 0x0f;
                if (matchLength == 15) {
                    int more;
                    do {
                        more = src[s++] & 0xff;
                        matchLength += more;
                    } while (more == 255);
                }
                matchLength += 4;
                ensureCapacity(matchLength);
                for (int i = 0; i < matchLength; i++) { // byte by byte: a match may overlap its own output
                    out[size] = out[size - matchOffset];
                    size++;
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException("corrupt LZ4 block", e);
        }
    }

    void appendRaw(byte[] src, int offset, int length) {
        ensureCapacity(length);
        System.arraycopy(src, offset, out, size, length);
        size += length;
    }

    private void ensureCapacity(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    /** An LZ4 block holding {@code length} bytes as literals only: valid LZ4 without a match finder. */
    static byte[] literalsOnly(byte[] data, int offset, int length) {
        int extraLengthBytes = length >= 15 ? (length - 15) / 255 + 1 : 0;
        byte[] block = new byte[1 + extraLengthBytes + length];
        int p = 0;
        if (length >= 15) {
            block[p++] = (byte) 0xF0;
            int rest = length - 15;
            while (rest >= 255) {
                block[p++] = (byte) 0xFF;
                rest -= 255;
            }
            block[p++] = (byte) rest;
        } else {
            block[p++] = (byte) (length << 4);
        }
        System.arraycopy(data, offset, block, p, length);
        return block;
    }
}
