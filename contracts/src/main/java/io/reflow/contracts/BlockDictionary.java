package io.reflow.contracts;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A zstd dictionary trained on rrweb blocks. Its id is written into the header of every frame compressed with it,
 * so a reader finds the dictionary a block needs from the block alone ({@link BlockDictionaries}); a block written
 * without one has id 0. Small blocks (a session's last few seconds) compress much better with a dictionary, since
 * the rrweb structure and common markup need not be learned again in every block.
 */
public final class BlockDictionary {
    private static final int MAGIC = 0xEC30A437;

    private final String name;
    private final long id;
    private final byte[] bytes;
    private final Map<Integer, ZstdDictCompress> compressors = new ConcurrentHashMap<>();
    private volatile ZstdDictDecompress decompressor;

    public BlockDictionary(String name, byte[] bytes) {
        if (bytes.length < 8 || readIntLE(bytes, 0) != MAGIC) {
            throw new IllegalArgumentException("dictionary " + name + " is not a zstd dictionary");
        }
        this.name = name;
        this.bytes = bytes.clone();
        this.id = Zstd.getDictIdFromDict(this.bytes);
        if (id == 0) {
            throw new IllegalArgumentException("dictionary " + name + " has no id");
        }
    }

    public String name() {
        return name;
    }

    public long id() {
        return id;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** A compression context with this dictionary at {@code level}, its id in every frame: reuse it on one thread. */
    public ZstdCompressCtx newCompressContext(int level) {
        return new ZstdCompressCtx().loadDict(compressor(level)).setContentSize(true).setDictID(true);
    }

    /** A decompression context with this dictionary: reuse it on one thread. */
    public ZstdDecompressCtx newDecompressContext() {
        ZstdDecompressCtx context = new ZstdDecompressCtx();
        context.loadDict(decompressor());
        return context;
    }

    ZstdDictCompress compressor(int level) {
        return compressors.computeIfAbsent(level, l -> new ZstdDictCompress(bytes, l));
    }

    ZstdDictDecompress decompressor() {
        ZstdDictDecompress d = decompressor;
        if (d == null) {
            d = new ZstdDictDecompress(bytes);
            decompressor = d;
        }
        return d;
    }

    /**
     * Trains a dictionary of at most {@code maxBytes} on sample blocks (their uncompressed lines) and gives it
     * {@code id}, which must not be one of an older dictionary still needed to read stored blocks.
     */
    public static BlockDictionary train(String name, long id, List<byte[]> samples, int maxBytes) {
        if (id <= 0 || id > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("a dictionary id is 1..2^32-1");
        }
        long total = samples.stream().mapToLong(s -> s.length).sum();
        ZstdDictTrainer trainer = new ZstdDictTrainer((int) Math.min(Integer.MAX_VALUE - 8, total), maxBytes);
        for (byte[] sample : samples) {
            trainer.addSample(sample);
        }
        byte[] dict = trainer.trainSamples();
        // the id is the 4 bytes after the magic number (zstd's dictionary format)
        dict[4] = (byte) id;
        dict[5] = (byte) (id >>> 8);
        dict[6] = (byte) (id >>> 16);
        dict[7] = (byte) (id >>> 24);
        return new BlockDictionary(name, dict);
    }

    private static int readIntLE(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
