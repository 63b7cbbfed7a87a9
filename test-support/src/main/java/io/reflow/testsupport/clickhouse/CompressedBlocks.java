package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * ClickHouse's own compressed framing, spoken over HTTP when a client sends {@code compress=1} (for the response)
 * or {@code decompress=1} (for the request body); the JDBC driver asks for it by default. Each block is
 * {@code checksum(16) | method(1) | compressed size incl. these 9 header bytes(4) | uncompressed size(4) | data},
 * the checksum being CityHash128 of everything after it.
 *
 * <p>Blocks written here are literal-only LZ4: a test server's responses need to be correct, not small.
 */
final class CompressedBlocks {
    private static final byte METHOD_NONE = 0x02;
    private static final byte METHOD_LZ4 = (byte) 0x82;
    private static final int HEADER = 9;
    private static final int CHECKSUM = 16;
    private static final int MAX_BLOCK = 1 << 20;

    private CompressedBlocks() {}

    static void write(byte[] data, OutputStream out) throws IOException {
        for (int offset = 0; offset < data.length; offset += MAX_BLOCK) {
            int length = Math.min(MAX_BLOCK, data.length - offset);
            byte[] lz4 = Lz4Block.literalsOnly(data, offset, length);
            byte[] block = new byte[HEADER + lz4.length];
            block[0] = METHOD_LZ4;
            LittleEndian.putInt32(block, 1, block.length);
            LittleEndian.putInt32(block, 5, length);
            System.arraycopy(lz4, 0, block, HEADER, lz4.length);
            long[] checksum = CityHash128.hash(block, 0, block.length);
            byte[] header = new byte[CHECKSUM];
            LittleEndian.putInt64(header, 0, checksum[0]);
            LittleEndian.putInt64(header, 8, checksum[1]);
            out.write(header);
            out.write(block);
        }
    }

    static byte[] read(InputStream in) throws IOException {
        Lz4Block out = new Lz4Block(64 * 1024);
        byte[] checksum = new byte[CHECKSUM];
        while (LittleEndian.readFully(in, checksum, 0, CHECKSUM, true)) {
            byte[] header = new byte[HEADER];
            LittleEndian.readFully(in, header, 0, HEADER, false);
            int compressedSize = LittleEndian.getInt32(header, 1);
            int uncompressedSize = LittleEndian.getInt32(header, 5);
            if (compressedSize < HEADER || uncompressedSize < 0) {
                throw new IOException("corrupt compressed block header");
            }
            byte[] block = new byte[compressedSize];
            System.arraycopy(header, 0, block, 0, HEADER);
            LittleEndian.readFully(in, block, HEADER, compressedSize - HEADER, false);
            long[] expected = CityHash128.hash(block, 0, block.length);
            if (LittleEndian.getInt64(checksum, 0) != expected[0] || LittleEndian.getInt64(checksum, 8) != expected[1]) {
                throw new IOException("checksum mismatch in compressed block");
            }
            int before = out.size();
            switch (block[0]) {
                case METHOD_NONE -> out.appendRaw(block, HEADER, compressedSize - HEADER);
                case METHOD_LZ4 -> out.decode(block, HEADER, compressedSize - HEADER);
                default -> throw new IOException(String.format("unsupported compression method 0x%02x (LZ4 and NONE are)", block[0]));
            }
            if (out.size() - before != uncompressedSize) {
                throw new IOException("block decoded to " + (out.size() - before) + " bytes, header says " + uncompressedSize);
            }
        }
        return out.toByteArray();
    }
}
