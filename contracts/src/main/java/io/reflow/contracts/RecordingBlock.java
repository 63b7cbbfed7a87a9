package io.reflow.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of one session block: one independently decompressible zstd frame holding UTF-8
 * JSON lines {@code [window_id, rrweb_event]} in timestamp order. Because every block is a whole
 * frame, a batch file (blocks back to back) is itself a valid {@code .zst} stream.
 */
public final class RecordingBlock {
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

    public static byte[] decompress(byte[] block) {
        long size = Zstd.getFrameContentSize(block);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a recording block (no zstd frame content size)");
        }
        return Zstd.decompress(block, (int) size);
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
