package io.reflow.contracts.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.crypto.BlockEncryption;
import io.reflow.contracts.crypto.BlockKeys;
import io.reflow.contracts.crypto.DataKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionRecordingReaderTest {
    @TempDir
    Path dir;

    /** Blocks appended to one batch file, as the block writer does. */
    final class BatchFile {
        final Path path;
        final ByteArrayOutputStream content = new ByteArrayOutputStream();

        BatchFile(String name) {
            path = dir.resolve(name);
        }

        BlockRef block(long... timestamps) throws IOException {
            return block("w1", timestamps);
        }

        BlockRef block(String window, long... timestamps) throws IOException {
            return block(null, window, timestamps);
        }

        /** A block encrypted with {@code key} (plain when null). */
        BlockRef block(DataKey key, String window, long... timestamps) throws IOException {
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            for (long ts : timestamps) {
                lines.write(RecordingBlock.line(window, event(ts)));
            }
            byte[] block = RecordingBlock.compress(lines.toByteArray(), 3);
            if (key != null) {
                block = BlockEncryption.encrypt(block, key);
            }
            long start = content.size();
            content.write(block);
            Files.write(path, content.toByteArray());
            BlockUrl url = new BlockUrl("file", "", path.toString().substring(1), start, content.size() - 1);
            return new BlockRef(url, timestamps[0], timestamps[timestamps.length - 1]);
        }
    }

    @Test
    void blocksThatDoNotOverlapAreReadOneAtATimeInTimestampOrder() throws IOException {
        BatchFile first = new BatchFile("a.jsonl.zst");
        BatchFile second = new BatchFile("b.jsonl.zst");
        BlockRef b1 = first.block(100, 110, 120);
        first.block(5, 6); // another session's block in the same file
        BlockRef b2 = second.block(130, 140);
        BlockRef b3 = first.block(150);
        CountingSource source = new CountingSource(BlockSource.files());

        try (SessionRecordingReader.SessionEvents events = new SessionRecordingReader(source).read(List.of(b3, b1, b2))) {
            List<Long> order = new ArrayList<>();
            events.forEachRemaining(e -> order.add(e.event().get("timestamp").asLong()));

            assertThat(order).containsExactly(100L, 110L, 120L, 130L, 140L, 150L);
            assertThat(events.maxOpenBlocks()).isEqualTo(1);
            assertThat(events.blocksOpened()).isEqualTo(3);
        }
        assertThat(source.opened.get()).isEqualTo(3);
        assertThat(source.open.get()).as("every stream closed").isZero();
    }

    @Test
    void encryptedBlocksAreDecryptedAndBlocksWhoseKeyIsGoneReadAsDeleted() throws IOException {
        BatchFile file = new BatchFile("enc.jsonl.zst");
        DataKey kept = DataKey.generate();
        DataKey destroyed = DataKey.generate();
        BlockRef plain = file.block(null, "w1", 100, 110);
        BlockRef encrypted = file.block(kept, "w1", 120, 130);
        BlockRef deletedBlock = file.block(destroyed, "w1", 140);
        BlockRef laterEncrypted = file.block(kept, "w1", 150);
        SessionRecordingReader reader = new SessionRecordingReader(BlockSource.files(), BlockKeys.of(List.of(kept)));

        try (SessionRecordingReader.SessionEvents events = reader.read(List.of(plain, encrypted, deletedBlock, laterEncrypted))) {
            List<Long> order = new ArrayList<>();
            events.forEachRemaining(e -> order.add(e.event().get("timestamp").asLong()));
            assertThat(order).containsExactly(100L, 110L, 120L, 130L, 150L);
            assertThat(events.deletedBlocks()).containsExactly(deletedBlock);
            assertThat(events.allDeleted()).isFalse();
        }

        SessionRecordingReader withoutKeys = new SessionRecordingReader(BlockSource.files(), BlockKeys.none());
        try (SessionRecordingReader.SessionEvents events = withoutKeys.read(List.of(encrypted, deletedBlock))) {
            assertThat(events.hasNext()).isFalse();
            assertThat(events.deletedBlocks()).containsExactly(encrypted, deletedBlock);
            assertThat(events.allDeleted()).isTrue();
        }
    }

    @Test
    void overlappingBlocksAreMergedEventByEvent() throws IOException {
        BatchFile file = new BatchFile("c.jsonl.zst");
        BlockRef early = file.block("w1", 100, 200, 300, 400);
        BlockRef late = file.block("w2", 150, 250, 250, 900); // a message that arrived after `early` was written
        BlockRef after = file.block("w1", 1000, 1001);

        SessionRecordingReader reader = new SessionRecordingReader(BlockSource.files());
        try (SessionRecordingReader.SessionEvents events = reader.read(List.of(early, late, after))) {
            List<String> order = new ArrayList<>();
            events.forEachRemaining(e -> order.add(e.windowId() + "@" + e.event().get("timestamp").asLong()));

            assertThat(order).containsExactly("w1@100", "w2@150", "w1@200", "w2@250", "w2@250", "w1@300", "w1@400", "w2@900",
                    "w1@1000", "w1@1001");
            assertThat(events.maxOpenBlocks()).isEqualTo(2);
        }
    }

    @Test
    void aUrlListedTwiceIsReadOnceAndUrlsWithoutTimestampsStillComeOutInOrder() throws IOException {
        BatchFile file = new BatchFile("d.jsonl.zst");
        BlockRef b1 = file.block(10, 20);
        BlockRef b2 = file.block(15, 30);

        List<RecordingBlock.Entry> all = new SessionRecordingReader(BlockSource.files())
                .readAll(BlockRef.fromUrls(List.of(b2.url().toString(), b1.url().toString(), b2.url().toString())));

        assertThat(all).extracting(e -> e.event().get("timestamp").asLong()).containsExactly(10L, 15L, 20L, 30L);
    }

    @Test
    void aTruncatedOrMissingBlockFailsNamingTheBlock() throws IOException {
        BatchFile file = new BatchFile("e.jsonl.zst");
        BlockRef b = file.block(10, 20);
        BlockRef beyond = new BlockRef(new BlockUrl("file", "", b.url().key(), 0, b.url().endInclusive() + 10), 10, 20);
        BlockRef missing = BlockRef.of("file:///" + dir.resolve("nope").toString().substring(1) + "?range=bytes=0-9", 1, 2);
        BlockSource truncating = url -> {
            byte[] whole;
            try (InputStream in = BlockSource.files().open(url)) {
                whole = in.readAllBytes();
            }
            return new ExactLength(new java.io.ByteArrayInputStream(whole, 0, whole.length / 2), url.length(), url.toString());
        };
        SessionRecordingReader reader = new SessionRecordingReader(BlockSource.files());

        assertThatThrownBy(() -> reader.readAll(List.of(beyond))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(beyond.url().toString()).hasMessageContaining("beyond the end");
        assertThatThrownBy(() -> reader.readAll(List.of(missing))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.url().toString());
        assertThatThrownBy(() -> new SessionRecordingReader(truncating).readAll(List.of(b))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(b.url().toString());
        assertThat(new SessionRecordingReader(BlockSource.files()).readAll(List.of(b))).hasSize(2);
    }

    @Test
    void eventsStillCarryingPerEventCompressionAreDecodedOnTheWayOut() throws Exception {
        Path path = dir.resolve("legacy.jsonl.zst");
        JsonNode compressed = Json.mapper().readTree("{\"type\":2,\"timestamp\":7,\"cv\":\"2024-10\",\"data\":"
                + Json.mapper().getNodeFactory().textNode(gzip("{\"node\":{\"id\":1}}")) + "}");
        byte[] block = RecordingBlock.compress(RecordingBlock.line("w", compressed), 3);
        Files.write(path, block);
        BlockRef ref = new BlockRef(new BlockUrl("file", "", path.toString().substring(1), 0, block.length - 1), 7, 7);

        assertThat(new SessionRecordingReader(BlockSource.files()).readAll(List.of(ref)))
                .singleElement().satisfies(e -> assertThat(e.event()).isEqualTo(Json.mapper().readTree(
                        "{\"type\":2,\"timestamp\":7,\"data\":{\"node\":{\"id\":1}}}")));
        assertThat(new SessionRecordingReader(BlockSource.files(), false).readAll(List.of(ref)))
                .singleElement().satisfies(e -> assertThat(e.event()).isEqualTo(compressed));
    }

    private static String gzip(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static JsonNode event(long ts) {
        try {
            return Json.mapper().readTree("{\"type\":3,\"timestamp\":" + ts + ",\"data\":{\"source\":1,\"positions\":[]}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts opened and still open streams. */
    static final class CountingSource implements BlockSource {
        final BlockSource delegate;
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();

        CountingSource(BlockSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public InputStream open(BlockUrl block) throws IOException {
            opened.incrementAndGet();
            open.incrementAndGet();
            return new java.io.FilterInputStream(delegate.open(block)) {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        open.decrementAndGet();
                    }
                    super.close();
                }
            };
        }
    }
}
