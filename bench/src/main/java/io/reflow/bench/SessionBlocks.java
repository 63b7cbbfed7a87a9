package io.reflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's lines cut into blocks the way the replay job cuts them: a block holds what arrived within one flush
 * age (10 s by default) of its first event.
 */
final class SessionBlocks {
    private SessionBlocks() {}

    static List<byte[]> of(RrwebCorpus.Session session, Duration flushAge) {
        List<byte[]> blocks = new ArrayList<>();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        long blockStart = Long.MIN_VALUE;
        for (byte[] line : session.lines()) {
            long ts = timestamp(line);
            if (blockStart == Long.MIN_VALUE) {
                blockStart = ts;
            } else if (ts - blockStart >= flushAge.toMillis()) {
                blocks.add(block.toByteArray());
                block.reset();
                blockStart = ts;
            }
            block.writeBytes(line);
        }
        if (block.size() > 0) {
            blocks.add(block.toByteArray());
        }
        return blocks;
    }

    /** Each session as a single block. */
    static List<byte[]> whole(List<RrwebCorpus.Session> sessions) {
        return sessions.stream().map(s -> RrwebCorpus.concat(s.lines())).toList();
    }

    static List<byte[]> of(List<RrwebCorpus.Session> sessions, Duration flushAge) {
        List<byte[]> blocks = new ArrayList<>();
        sessions.forEach(s -> blocks.addAll(of(s, flushAge)));
        return blocks;
    }

    private static long timestamp(byte[] line) {
        try {
            JsonNode pair = Json.mapper().readTree(line);
            return pair.get(1).path("timestamp").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
