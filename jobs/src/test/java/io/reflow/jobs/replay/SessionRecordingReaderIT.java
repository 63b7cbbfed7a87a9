package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.contracts.reader.BlockRef;
import io.reflow.contracts.reader.SessionRecordingReader;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.testsupport.flink.FlinkS3;
import io.reflow.testsupport.s3.S3Extension;
import io.reflow.contracts.reader.S3BlockSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SessionRecordingReader} with {@link S3BlockSource} against a real S3 API server (S3Proxy), reading blocks the
 * real block writer wrote through Flink's S3 filesystem and committed: one ranged GET per block, events in
 * timestamp order, one block open at a time unless blocks overlap in time.
 */
class SessionRecordingReaderIT {
    static final long NOW = DecodeRecordingsTest.NOW;

    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @BeforeAll
    static void flinkS3() {
        FlinkS3.initialize(FlinkS3.configuration(S3.endpoint(), S3.accessKey(), S3.secretKey()));
    }

    @Test
    void aSessionWrittenAsSeveralBlocksReadsBackInOrderOneRangedGetAtATime() throws Exception {
        RecordingMessage recorded = RecordingMessages.fromFixture("run1_configjs_09_POST_s_.request.json").get(0);
        List<JsonNode> decoded = RecordingMessages.decompressedFixture("run1_configjs_09_POST_s_.request.json").get(0);
        // the recording, sent as three messages whose time ranges do not overlap; each becomes a block of its own
        List<Integer> cuts = cutsBetweenDistinctTimestamps(recorded.events(), 3);
        List<RecordingMessage> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parts.add(new RecordingMessage(1, "reader-s1", recorded.windowId(), recorded.distinctId(), "web", "web", 0L, null,
                    "30d", recorded.events().subList(cuts.get(i), cuts.get(i + 1))));
        }
        // another session in the same batch files
        RecordingMessage other = RecordingMessages.message(1, "reader-other", "w", "[{\"type\":2,\"timestamp\":1795300000000,\"data\":{}}]");

        List<SessionBlockSummary> rows = write(List.of(List.of(parts.get(0), other), List.of(parts.get(1)), List.of(parts.get(2))));

        List<SessionBlockSummary> session = rows.stream().filter(r -> r.sessionId().equals("reader-s1")).toList();
        assertThat(session).hasSize(3);
        assertThat(session.stream().map(r -> BlockUrl.parse(r.blockUrl()).key()).distinct()).as("three batch files").hasSize(3);
        CountingS3 source = new CountingS3();
        SessionRecordingReader reader = new SessionRecordingReader(source, false);
        List<SessionBlockSummary> shuffled = List.of(session.get(2), session.get(0), session.get(1));
        try (SessionRecordingReader.SessionEvents events = reader.read(BlockRef.fromSummaries(shuffled))) {
            List<RecordingBlock.Entry> all = new ArrayList<>();
            events.forEachRemaining(all::add);

            assertThat(all).extracting(RecordingBlock.Entry::event)
                    .containsExactlyElementsOf(decoded.stream().sorted(Comparator.comparingLong(e -> e.get("timestamp").asLong())).toList());
            assertThat(all).extracting(RecordingBlock.Entry::windowId).containsOnly(recorded.windowId());
            assertThat(events.maxOpenBlocks()).isEqualTo(1);
        }
        assertThat(source.ranges).as("one ranged GET per block, never a whole file")
                .containsExactlyElementsOf(session.stream().map(r -> BlockUrl.parse(r.blockUrl()).rangeHeader()).toList());
    }

    @Test
    void blocksThatOverlapInTimeAreMerged() throws Exception {
        RecordingMessage early = timed("reader-s2", "w1", 1000, 2000, 3000, 4000);
        RecordingMessage late = timed("reader-s2", "w2", 1500, 2500, 9000); // arrived after `early` was written
        RecordingMessage after = timed("reader-s2", "w1", 10000, 11000);

        List<SessionBlockSummary> rows = write(List.of(List.of(early), List.of(late), List.of(after)));

        assertThat(rows).hasSize(3);
        SessionRecordingReader reader = new SessionRecordingReader(new S3BlockSource(S3.client()));
        try (SessionRecordingReader.SessionEvents events = reader.read(BlockRef.fromSummaries(rows))) {
            List<String> order = events.stream().map(e -> e.windowId() + "@" + (e.event().get("timestamp").asLong() - 1795300000000L)).toList();
            assertThat(order).containsExactly("w1@1000", "w2@1500", "w1@2000", "w2@2500", "w1@3000", "w1@4000", "w2@9000",
                    "w1@10000", "w1@11000");
            assertThat(events.maxOpenBlocks()).isEqualTo(2);
        }
    }

    @Test
    void aRangeTheObjectDoesNotHoldOrAMissingObjectFailsNamingTheBlock() throws Exception {
        List<SessionBlockSummary> rows = write(List.of(List.of(timed("reader-s3", "w", 1, 2))));
        BlockUrl url = BlockUrl.parse(rows.get(0).blockUrl());
        BlockUrl tooLong = new BlockUrl(url.scheme(), url.bucket(), url.key(), url.start(), url.endInclusive() + 100);
        BlockUrl missing = new BlockUrl(url.scheme(), url.bucket(), url.key() + ".nope", url.start(), url.endInclusive());
        SessionRecordingReader reader = new SessionRecordingReader(new S3BlockSource(S3.client(), Duration.ofMillis(300)));

        assertThatThrownBy(() -> reader.readAll(List.of(new BlockRef(tooLong, 1, 2))))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(tooLong.toString()).hasMessageContaining("instead of exactly the block");
        assertThatThrownBy(() -> reader.readAll(List.of(new BlockRef(missing, 1, 2))))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(missing.toString());
        assertThat(reader.readAll(List.of(new BlockRef(url, 1, 2)))).hasSize(2);
    }

    @Test
    void aBlockWhoseFileAppearsMomentsAfterItsRowIsReadOnceItDoes() throws Exception {
        List<SessionBlockSummary> rows = write(List.of(List.of(timed("reader-s4", "w", 1, 2, 3))));
        BlockUrl url = BlockUrl.parse(rows.get(0).blockUrl());
        String later = url.key() + ".later";
        BlockUrl fresh = new BlockUrl(url.scheme(), url.bucket(), later, url.start(), url.endInclusive());
        SessionRecordingReader reader = new SessionRecordingReader(new S3BlockSource(S3.client(), Duration.ofSeconds(10)));

        Thread commit = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            S3.client().copyObject(b -> b.sourceBucket(url.bucket()).sourceKey(url.key())
                    .destinationBucket(url.bucket()).destinationKey(later));
        });
        commit.start();
        try {
            assertThat(reader.readAll(List.of(new BlockRef(fresh, 1, 3)))).hasSize(3);
        } finally {
            commit.join();
        }
    }

    /** Runs the real block writer: each inner list is one checkpoint's messages; returns the summary rows of committed blocks. */
    private static List<SessionBlockSummary> write(List<List<RecordingMessage>> checkpoints) throws Exception {
        URI base = URI.create("s3://" + S3.bucket() + "/reader-it-" + UUID.randomUUID().toString().substring(0, 8));
        BlockWriterSettings settings = new BlockWriterSettings(base, Duration.ZERO, 100L * 1024 * 1024, 3);
        try (KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness =
                     new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey, Types.STRING)) {
            harness.open();
            harness.setProcessingTime(NOW);
            long checkpoint = 0;
            for (List<RecordingMessage> messages : checkpoints) {
                for (SessionChunk chunk : RecordingMessages.decode(NOW, messages)) {
                    harness.processElement(chunk, 0L);
                }
                checkpoint++;
                harness.prepareSnapshotPreBarrier(checkpoint);
                harness.snapshot(checkpoint, NOW);
                harness.notifyOfCompletedCheckpoint(checkpoint);
            }
            return harness.extractOutputValues().stream().map(k -> Json.decode(k.value(), SessionBlockSummary.class)).toList();
        }
    }

    private static RecordingMessage timed(String session, String window, long... offsets) {
        StringBuilder events = new StringBuilder("[");
        for (long offset : offsets) {
            events.append(events.length() > 1 ? "," : "")
                    .append("{\"type\":3,\"timestamp\":").append(1795300000000L + offset).append(",\"data\":{\"source\":1,\"positions\":[]}}");
        }
        return RecordingMessages.message(1, session, window, events.append("]").toString());
    }

    /** {@code parts + 1} indexes cutting the events into parts whose timestamps do not touch. */
    private static List<Integer> cutsBetweenDistinctTimestamps(List<JsonNode> events, int parts) {
        List<Integer> cuts = new ArrayList<>(List.of(0));
        for (int p = 1; p < parts; p++) {
            int i = Math.max(cuts.get(p - 1) + 1, events.size() * p / parts);
            while (events.get(i).get("timestamp").asLong() <= events.get(i - 1).get("timestamp").asLong()) {
                i++;
            }
            cuts.add(i);
        }
        cuts.add(events.size());
        return cuts;
    }

    /** S3BlockSource, noting the Range of every GET. */
    static final class CountingS3 implements io.reflow.contracts.reader.BlockSource {
        final List<String> ranges = new ArrayList<>();
        private final S3BlockSource delegate = new S3BlockSource(S3.client());

        @Override
        public java.io.InputStream open(BlockUrl block) throws IOException {
            ranges.add(block.rangeHeader());
            return delegate.open(block);
        }
    }
}
