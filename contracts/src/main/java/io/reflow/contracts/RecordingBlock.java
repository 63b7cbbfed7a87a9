package io.reflow.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of one session block: one independently decompressible zstd frame holding UTF-8
 * JSON lines {@code [window_id, rrweb_event]} in timestamp order. Because every block is a whole
 * frame, a batch file (blocks back to back) is itself a valid {@code .zst} stream. A block may be compressed with a
 * trained dictionary ({@link BlockDictionary}), whose id its frame header carries.
 */
public final class RecordingBlock {
    /** The longest a zstd frame header can be (ZSTD_FRAMEHEADERSIZE_MAX): enough to read the dictionary id. */
    private static final int FRAME_HEADER_MAX = 18;
    /** From this size on, {@link #compressForStorage} uses plain zstd. */
    public static final int DICTIONARY_MAX_BLOCK_BYTES = 16 * 1024;

    private RecordingBlock() {}

    /** One line of a block: the window the event was recorded in and the rrweb event. */
    public record Entry(String windowId, JsonNode event) {}

    public static byte[] line(String windowId, JsonNode event) {
        ArrayNode pair = Json.mapper().createArrayNode();
        pair.add(windowId);
        pair.add(event);
        byte[] json = Json.encode(pair);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    public static byte[] compress(byte[] lines, int level) {
        return Zstd.compress(lines, level);
    }

    /** Compressed with {@code dictionary} (its id goes into the frame header), or plain when it is null. */
    public static byte[] compress(byte[] lines, int level, BlockDictionary dictionary) {
        return dictionary == null ? compress(lines, level) : Zstd.compress(lines, dictionary.compressor(level));
    }

    /**
     * How the replay job stores a block: with the dictionary when the block is small, where a dictionary pays most
     * (a few seconds of one session), and plain zstd from {@link #DICTIONARY_MAX_BLOCK_BYTES} on, where the block holds
     * enough of its own history and a dictionary trained on other pages can cost a little (docs/BENCHMARKS.md).
     */
    public static byte[] compressForStorage(byte[] lines, int level, BlockDictionary dictionary) {
        return compress(lines, level, lines.length < DICTIONARY_MAX_BLOCK_BYTES ? dictionary : null);
    }

    /** A whole block, with the dictionary its frame header names ({@link BlockDictionaries#standard()}). */
    public static byte[] decompress(byte[] block) {
        return decompress(block, BlockDictionaries.standard());
    }

    public static byte[] decompress(byte[] block, BlockDictionaries dictionaries) {
        long size = Zstd.getFrameContentSize(block);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a recording block (no zstd frame content size)");
        }
        BlockDictionary dictionary = dictionaries.forFrame(block);
        return dictionary == null ? Zstd.decompress(block, (int) size)
                : Zstd.decompress(block, dictionary.decompressor(), (int) size);
    }

    /** The lines of a block read as a stream, with the dictionary its frame header names. */
    public static InputStream decompressing(InputStream block, BlockDictionaries dictionaries) throws IOException {
        BufferedInputStream in = new BufferedInputStream(block, 64 * 1024);
        in.mark(FRAME_HEADER_MAX);
        byte[] header = in.readNBytes(FRAME_HEADER_MAX);
        in.reset();
        BlockDictionary dictionary = dictionaries.forFrame(header);
        ZstdInputStream lines = new ZstdInputStream(in);
        if (dictionary != null) {
            lines.setDict(dictionary.decompressor());
        }
        return lines;
    }

    public static List<Entry> decode(byte[] block) {
        String text = new String(decompress(block), StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode pair = Json.mapper().readTree(line);
                entries.add(new Entry(pair.get(0).asText(), pair.get(1)));
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt block line: " + e.getMessage(), e);
            }
        }
        return entries;
    }
}
