package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The LZ4 frame format, ClickHouse's {@code Content-Encoding: lz4} (what the JDBC driver uses with
 * {@code client.use_http_compression=true}). Frames written here carry their data in stored (uncompressed)
 * blocks, which the format allows; frames read here may use any block size, dependency and checksum flags.
 */
final class Lz4Frames {
    private static final int MAGIC = 0x184D2204;
    private static final int FLG_VERSION_1_INDEPENDENT_BLOCKS = 0x60;
    private static final int BD_MAX_BLOCK_4MB = 0x70;
    private static final int MAX_BLOCK = 4 << 20;
    private static final int STORED_BLOCK = 0x80000000;

    private Lz4Frames() {}

    static void write(byte[] data, OutputStream out) throws IOException {
        byte[] header = new byte[7];
        LittleEndian.putInt32(header, 0, MAGIC);
        header[4] = (byte) FLG_VERSION_1_INDEPENDENT_BLOCKS;
        header[5] = (byte) BD_MAX_BLOCK_4MB;
        header[6] = (byte) (XxHash32.hash(header, 4, 2) >>> 8);
        out.write(header);
        byte[] size = new byte[4];
        for (int offset = 0; offset < data.length; offset += MAX_BLOCK) {
            int length = Math.min(MAX_BLOCK, data.length - offset);
            LittleEndian.putInt32(size, 0, length | STORED_BLOCK);
            out.write(size);
            out.write(data, offset, length);
        }
        LittleEndian.putInt32(size, 0, 0);
        out.write(size);
    }

    static byte[] read(InputStream in) throws IOException {
        Lz4Block out = new Lz4Block(64 * 1024);
        byte[] word = new byte[4];
        while (LittleEndian.readFully(in, word, 0, 4, true)) {
            int magic = LittleEndian.getInt32(word, 0);
            if ((magic & 0xFFFFFFF0) == 0x184D2A50) { // skippable frame
                LittleEndian.readFully(in, word, 0, 4, false);
                LittleEndian.skipFully(in, LittleEndian.getInt32(word, 0) & 0xFFFFFFFFL);
                continue;
            }
            if (magic != MAGIC) {
                throw new IOException("not an LZ4 frame (magic " + Integer.toHexString(magic) + ")");
            }
            int flg = in.read();
            int bd = in.read();
            if (flg < 0 || bd < 0 || (flg >>> 6) != 1) {
                throw new IOException("unsupported LZ4 frame descriptor");
            }
            boolean blockChecksum = (flg & 0x10) != 0;
            boolean contentSize = (flg & 0x08) != 0;
            boolean contentChecksum = (flg & 0x04) != 0;
            boolean dictionary = (flg & 0x01) != 0;
            LittleEndian.skipFully(in, (contentSize ? 8 : 0) + (dictionary ? 4 : 0) + 1); // + header checksum
            while (true) {
                LittleEndian.readFully(in, word, 0, 4, false);
                int size = LittleEndian.getInt32(word, 0);
                if (size == 0) {
                    break;
                }
                int length = size & ~STORED_BLOCK;
                byte[] block = new byte[length];
                LittleEndian.readFully(in, block, 0, length, false);
                if ((size & STORED_BLOCK) != 0) {
                    out.appendRaw(block, 0, length);
                } else {
                    out.decode(block, 0, length);
                }
                if (blockChecksum) {
                    LittleEndian.skipFully(in, 4);
                }
            }
            if (contentChecksum) {
                LittleEndian.skipFully(in, 4);
            }
        }
        return out.toByteArray();
    }

    /** xxHash32 with seed 0, as the frame header checksum needs it. */
    static final class XxHash32 {
        private static final int P1 = 0x9E3779B1;
        private static final int P2 = 0x85EBCA77;
        private static final int P3 = 0xC2B2AE3D;
        private static final int P4 = 0x27D4EB2F;
        private static final int P5 = 0x165667B1;

        private XxHash32() {}

        static int hash(byte[] b, int off, int len) {
            int p = off;
            int end = off + len;
            int h;
            if (len >= 16) {
                int v1 = P1 + P2;
                int v2 = P2;
                int v3 = 0;
                int v4 = -P1;
                for (; p <= end - 16; p += 16) {
                    v1 = round(v1, LittleEndian.getInt32(b, p));
                    v2 = round(v2, LittleEndian.getInt32(b, p + 4));
                    v3 = round(v3, LittleEndian.getInt32(b, p + 8));
                    v4 = round(v4, LittleEndian.getInt32(b, p + 12));
                }
                h = Integer.rotateLeft(v1, 1) + Integer.rotateLeft(v2, 7) + Integer.rotateLeft(v3, 12) + Integer.rotateLeft(v4, 18);
            } else {
                h = P5;
            }
            h += len;
            for (; p <= end - 4; p += 4) {
                h = Integer.rotateLeft(h + LittleEndian.getInt32(b, p) * P3, 17) * P4;
            }
            for (; p < end; p++) {
                h = Integer.rotateLeft(h + (b[p] & 0xff) * P5, 11) * P1;
            }
            h ^= h >>> 15;
            h *= P2;
            h ^= h >>> 13;
            h *= P3;
            h ^= h >>> 16;
            return h;
        }

        private static int round(int acc, int input) {
            return Integer.rotateLeft(acc + input * P2, 13) * P1;
        }
    }
}
