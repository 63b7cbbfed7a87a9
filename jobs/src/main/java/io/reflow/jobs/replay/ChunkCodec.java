package io.reflow.jobs.replay;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;

/**
 * Compresses a session's packed lines ({@link TimedLines}) with fast zstd and the rrweb dictionary when the block writer
 * moves them from its heap buffer into RocksDB, and decompresses them when the session's block is written: RocksDB's
 * flushes, compactions and checkpoint uploads then move a fraction of the bytes. Lines that were stored uncompressed
 * (by versions before chunks were compressed) are read as they are. Reusable contexts; one instance per thread.
 */
final class ChunkCodec implements AutoCloseable {
    static final int LEVEL = 1;
    private static final String DICTIONARY = "rrweb-1";

    private final ZstdCompressCtx compress;
    private final ZstdDecompressCtx decompress;

    ChunkCodec() {
        BlockDictionary dictionary = BlockDictionaries.standard().named(DICTIONARY).orElseThrow(
                () -> new IllegalStateException("the zstd dictionary " + DICTIONARY + " is not on the classpath"));
        compress = dictionary.newCompressContext(LEVEL);
        decompress = dictionary.newDecompressContext();
    }

    byte[] compress(byte[] packed, int offset, int length) {
        if (length == 0) {
            return new byte[0];
        }
        byte[] out = new byte[(int) Zstd.compressBound(length)];
        int n = compress.compressByteArray(out, 0, out.length, packed, offset, length);
        return java.util.Arrays.copyOf(out, n);
    }

    /** The packed lines of a buffered chunk; chunks buffered before they were compressed are returned as they are. */
    byte[] decompress(byte[] frame) {
        if (!isZstdFrame(frame)) {
            return frame; // packed lines start with a timestamp, never with zstd's magic number
        }
        long size = Zstd.getFrameContentSize(frame);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalStateException("a buffered chunk is not a zstd frame with its content size");
        }
        return decompress.decompress(frame, (int) size);
    }

    private static boolean isZstdFrame(byte[] b) {
        return b.length >= 4 && (b[0] & 0xFF) == 0x28 && (b[1] & 0xFF) == 0xB5 && (b[2] & 0xFF) == 0x2F && (b[3] & 0xFF) == 0xFD;
    }

    /** The packed lines of a chunk, for the occasional reader (tests, tools). */
    static byte[] packedLines(SessionChunk chunk) {
        try (ChunkCodec codec = new ChunkCodec()) {
            return codec.decompress(chunk.lines());
        }
    }

    @Override
    public void close() {
        compress.close();
        decompress.close();
    }
}
