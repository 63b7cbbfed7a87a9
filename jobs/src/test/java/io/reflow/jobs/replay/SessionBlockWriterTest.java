package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.jobs.common.KeyedBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionBlockWriterTest {
    static final long NOW = DecodeRecordingsTest.NOW;

    @TempDir
    Path out;

    @Test
    void aCheckpointWritesOneBlockPerSessionIntoOneFileVisibleOnlyAfterCommit() throws Exception {
        List<RecordingMessage> fixture = RecordingMessages.fromFixture("run1_configjs_09_POST_s_.request.json");
        RecordingMessage other = RecordingMessages.message(2, "other-session", "w9",
                "[{\"type\":4,\"timestamp\":1795300000005,\"data\":{\"href\":\"http://b/\"}},{\"type\":3,\"timestamp\":1795300000001,\"data\":{\"source\":2,\"type\":2}}]");
        List<RecordingMessage> all = new ArrayList<>(fixture);
        all.add(other);

        try (var harness = harness(Duration.ZERO)) {
            harness.open();
            harness.setProcessingTime(NOW);
            for (SessionChunk c : RecordingMessages.decode(NOW, all)) {
                harness.processElement(c, 0L);
            }
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, NOW);

            List<SessionBlockSummary> rows = summaries(harness.extractOutputValues());
            assertThat(rows).extracting(SessionBlockSummary::sessionId)
                    .containsExactlyInAnyOrder(fixture.get(0).sessionId(), "other-session");
            assertThat(committedFiles()).isEmpty();

            harness.notifyOfCompletedCheckpoint(1);

            assertThat(committedFiles()).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
            SessionBlockSummary fixtureRow = rows.stream().filter(r -> r.teamId() == 1).findFirst().orElseThrow();
            List<RecordingBlock.Entry> entries = readBlock(fixtureRow.blockUrl());
            List<JsonNode> posted = RecordingMessages.decompressedEvents("run1_configjs_09_POST_s_.request.json");
            assertThat(entries).extracting(RecordingBlock.Entry::event).containsExactlyInAnyOrderElementsOf(posted);
            assertThat(entries).extracting(e -> e.event().get("timestamp").asLong()).isSorted();
            assertThat(fixtureRow.eventCount()).isEqualTo(posted.size());
            assertThat(fixtureRow.messageCount()).isEqualTo(fixture.size());
            assertThat(fixtureRow.retentionPeriodDays()).isEqualTo(30);
            assertThat(fixtureRow.size()).isEqualTo(RecordingBlock.decompress(rawBlock(fixtureRow.blockUrl())).length);

            SessionBlockSummary otherRow = rows.stream().filter(r -> r.teamId() == 2).findFirst().orElseThrow();
            assertThat(readBlock(otherRow.blockUrl())).extracting(e -> e.event().get("timestamp").asLong())
                    .containsExactly(1795300000001L, 1795300000005L);
            assertThat(otherRow.clickCount()).isEqualTo(1);
            assertThat(otherRow.firstUrl()).isEqualTo("http://b/");
            assertThat(otherRow.firstTimestamp()).isEqualTo(1795300000001L);
            assertThat(otherRow.lastTimestamp()).isEqualTo(1795300000005L);
        }
    }

    @Test
    void aSessionWaitsForItsFlushAgeAndItsStateIsClearedWhenWritten() throws Exception {
        try (var harness = harness(Duration.ofSeconds(10))) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(chunk("s-a", 1795300000000L), 0L);
            harness.setProcessingTime(NOW + 5_000);
            harness.processElement(chunk("s-b", 1795300000001L), 0L);

            harness.setProcessingTime(NOW + 9_000);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.setProcessingTime(NOW + 10_000);
            harness.prepareSnapshotPreBarrier(2);
            assertThat(summaries(harness.extractOutputValues())).extracting(SessionBlockSummary::sessionId).containsExactly("s-a");
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2); // s-b: buffer + lines

            harness.setProcessingTime(NOW + 15_000);
            harness.prepareSnapshotPreBarrier(3);
            assertThat(summaries(harness.extractOutputValues())).extracting(SessionBlockSummary::sessionId).containsExactly("s-a", "s-b");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionIdleForTheIdleTimeIsWrittenAtTheNextCheckpointEvenIfYoungerThanTheFlushAge() throws Exception {
        try (var harness = harness(Duration.ofSeconds(30), Duration.ofSeconds(5))) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(chunk("quiet", 1795300000000L), 0L);
            harness.processElement(chunk("busy", 1795300000000L), 0L);
            for (long t = 2_000; t <= 8_000; t += 2_000) { // "busy" keeps sending every 2 s, "quiet" sent once
                harness.setProcessingTime(NOW + t);
                harness.processElement(chunk("busy", 1795300000000L + t), 0L);
            }

            harness.setProcessingTime(NOW + 4_999);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(harness.extractOutputValues()).as("nobody idle for 5 s yet").isEmpty();

            harness.setProcessingTime(NOW + 9_000);
            harness.prepareSnapshotPreBarrier(2);
            harness.snapshot(2, NOW + 9_000);
            assertThat(summaries(harness.extractOutputValues())).extracting(SessionBlockSummary::sessionId).containsExactly("quiet");
            assertThat(harness.numKeyedStateEntries()).as("only busy's buffer + lines are left").isEqualTo(2);
            harness.notifyOfCompletedCheckpoint(2);
            assertThat(committedFiles()).hasSize(1);

            // busy goes quiet too: written once it has been idle for 5 s, long before its 30 s flush age
            harness.setProcessingTime(NOW + 12_999);
            harness.prepareSnapshotPreBarrier(3);
            assertThat(harness.extractOutputValues()).hasSize(1);
            harness.setProcessingTime(NOW + 13_000);
            harness.prepareSnapshotPreBarrier(4);
            List<SessionBlockSummary> rows = summaries(harness.extractOutputValues());
            assertThat(rows).extracting(SessionBlockSummary::sessionId).containsExactly("quiet", "busy");
            assertThat(rows.get(1).messageCount()).isEqualTo(5);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void consoleLinesLeaveWithTheirBlockDeduplicatedPerBlockAndTheirStateIsCleared() throws Exception {
        String hello = "{\"type\":6,\"timestamp\":%d,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"%s\",\"payload\":[\"\\\"hello\\\"\"]}}}";
        SessionChunk first = RecordingMessages.decode(NOW, List.of(RecordingMessages.message(5, "s-log", "w-1",
                "[" + hello.formatted(1795300000003L, "log") + "," + hello.formatted(1795300000004L, "warn") + "]"))).get(0);
        SessionChunk second = RecordingMessages.decode(NOW, List.of(RecordingMessages.message(5, "s-log", "w-2",
                "[" + hello.formatted(1795300000001L, "log") + "]"))).get(0);
        SessionChunk third = RecordingMessages.decode(NOW, List.of(RecordingMessages.message(5, "s-log", "w-2",
                "[" + hello.formatted(1795300000009L, "log") + "]"))).get(0);

        try (var harness = harness(Duration.ZERO)) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(first, 0L);
            harness.processElement(second, 0L);
            assertThat(harness.numKeyedStateEntries()).as("console lines (the buffer and the lines go into state at the checkpoint)")
                    .isEqualTo(1);
            harness.prepareSnapshotPreBarrier(1);

            assertThat(summaries(harness.extractOutputValues())).singleElement()
                    .satisfies(r -> assertThat(r.consoleLogCount()).isEqualTo(2));
            assertThat(logEntries(harness)).containsExactly(
                    new LogEntry(5, "s-log", LogEntry.SESSION_REPLAY, "s-log", "w-2", 1795300000001L, "info", "hello", 30),
                    new LogEntry(5, "s-log", LogEntry.SESSION_REPLAY, "s-log", "w-1", 1795300000004L, "warn", "hello", 30));
            assertThat(harness.getSideOutput(SessionBlockWriter.LOG_ENTRIES)).extracting(r -> r.getValue().key())
                    .containsOnly("s-log");
            assertThat(harness.numKeyedStateEntries()).isZero();

            // the next block of the session has its own rows, even for a line the previous block had
            harness.processElement(third, 0L);
            harness.prepareSnapshotPreBarrier(2);
            assertThat(logEntries(harness)).hasSize(3).last()
                    .satisfies(e -> assertThat(e.timestamp()).isEqualTo(1795300000009L));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void filesPendingAtACheckpointAreCommittedWhenTheJobRestoresFromIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(Duration.ZERO)) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(chunk("s-a", 1795300000000L), 0L);
            harness.prepareSnapshotPreBarrier(1);
            snapshot = harness.snapshot(1, NOW);
            // the job fails before checkpoint 1's completion is announced
        }
        assertThat(committedFiles()).isEmpty();

        try (var restored = harness(Duration.ZERO)) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(committedFiles()).hasSize(1);
        }
        try (var again = harness(Duration.ZERO)) {
            again.initializeState(snapshot); // committing twice is harmless
            again.open();
            assertThat(committedFiles()).hasSize(1);
        }
    }

    /**
     * state/session-block-writer-0.1.0-rocksdb.snapshot was written by the block writer as of commit aa057ee (before
     * idle flushing and log entries; RocksDB, as in production): sessions old-a (two messages) and old-b buffered, no
     * pending file. SessionBuffer has gained a field since and the console-lines state is new; a checkpoint or
     * savepoint from then (bin/local's data dir, a cluster's savepoint) must restore and write what it held.
     */
    @Test
    void stateWrittenBeforeIdleFlushAndLogEntriesRestoresAndIsWritten() throws Exception {
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(
                Path.of(getClass().getResource("/state/session-block-writer-0.1.0-rocksdb.snapshot").toURI()).toString());
        try (var harness = harness(Duration.ofHours(1), Duration.ofMinutes(30))) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            harness.initializeState(old);
            harness.open();
            harness.setProcessingTime(NOW + 1_000);
            harness.processElement(chunk("old-a", 1795300000003L), 0L); // more for a restored session
            assertThat(keys(harness, SessionBlockWriter.BUFFER_STATE)).as("restored sessions").containsExactlyInAnyOrder("1/old-a", "2/old-b");
            harness.prepareSnapshotPreBarrier(2); // after a restore the writer writes everything it holds
            harness.snapshot(2, NOW + 1_000);
            harness.notifyOfCompletedCheckpoint(2);

            List<SessionBlockSummary> rows = summaries(harness.extractOutputValues());
            assertThat(rows).extracting(SessionBlockSummary::sessionId).containsExactlyInAnyOrder("old-a", "old-b");
            SessionBlockSummary a = rows.stream().filter(r -> r.sessionId().equals("old-a")).findFirst().orElseThrow();
            assertThat(a.messageCount()).isEqualTo(3);
            assertThat(a.eventCount()).isEqualTo(4);
            assertThat(a.firstUrl()).isEqualTo("http://old/");
            assertThat(a.clickCount()).isEqualTo(1);
            assertThat(readBlock(a.blockUrl())).extracting(e -> e.event().get("timestamp").asLong())
                    .containsExactly(1795300000000L, 1795300000001L, 1795300000002L, 1795300000003L);
            assertThat(logEntries(harness)).isEmpty();
            for (String state : List.of(SessionBlockWriter.BUFFER_STATE, SessionBlockWriter.LINES_STATE, SessionBlockWriter.CONSOLE_STATE)) {
                assertThat(keys(harness, state)).as(state + " in RocksDB").isEmpty();
            }
        }
    }

    private static List<String> keys(KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness, String state)
            throws Exception {
        org.apache.flink.runtime.state.KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }

    @Test
    void aRestoredSessionFromBeforeIdleTrackingCountsItsFirstArrivalAsItsLastActivity() {
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), Duration.ofSeconds(60), Duration.ofSeconds(5), 1, 3);
        SessionBuffer restored = new SessionBuffer(1, "s", "d", "web", "web", "30d", NOW, 0L, BlockMetrics.empty());

        assertThat(restored.isDue(NOW + 4_999, settings)).isFalse();
        assertThat(restored.isDue(NOW + 5_000, settings)).isTrue();
    }

    /**
     * The buffer limit counts what a block will hold (uncompressed line bytes), the same measure that is given back
     * when a session is written. It used to add the packed size (12 bytes more per event) and take back the line
     * bytes, so the count crept up with every written session until it forced "write everything" for no reason.
     */
    @Test
    void theBufferLimitCountsUncompressedBlockBytesAndWritingASessionGivesThemBack() throws Exception {
        SessionChunk a = chunk("s-a", 1795300000000L);
        long blockBytes = a.metrics().size();
        assertThat(ChunkCodec.packedLines(a).length).as("packed lines carry 12 bytes per event more").isEqualTo(blockBytes + 12);
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), Duration.ofHours(1), Duration.ofHours(1), blockBytes + 1, 3);
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey, Types.STRING)) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(a, 0L);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(harness.extractOutputValues()).as("one session's block bytes are below the limit").isEmpty();

            harness.processElement(chunk("s-b", 1795300000001L), 0L);
            harness.prepareSnapshotPreBarrier(2);
            assertThat(harness.extractOutputValues()).as("two are above it: everything is written").hasSize(2);

            for (int round = 0; round < 3; round++) {
                harness.processElement(chunk("s-c" + round, 1795300000002L), 0L);
                harness.prepareSnapshotPreBarrier(3 + round);
                assertThat(harness.extractOutputValues()).as("nothing left counted from before").hasSize(2 + 2 * round);
                harness.processElement(chunk("s-d" + round, 1795300000003L), 0L);
                harness.prepareSnapshotPreBarrier(10 + round);
                assertThat(harness.extractOutputValues()).hasSize(4 + 2 * round);
            }
        }
    }

    @Test
    void linesWaitOnTheHeapUntilItsBufferIsFullThenGoIntoStateAsOneEntryPerSession() throws Exception {
        SessionChunk a1 = chunk("s-a", 1795300000000L);
        long packed = ChunkCodec.packedLines(a1).length;
        // room for three messages' lines: the fourth moves all four into state
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), Duration.ofHours(1), Duration.ofHours(1),
                100L * 1024 * 1024, 3, null, null, 3 * packed);
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey,
                Types.STRING)) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(a1, 0L);
            harness.processElement(chunk("s-a", 1795300000001L), 0L);
            harness.processElement(chunk("s-b", 1795300000002L), 0L);
            assertThat(keys(harness, SessionBlockWriter.LINES_STATE)).as("lines on the heap").isEmpty();

            harness.processElement(chunk("s-a", 1795300000003L), 0L);
            assertThat(keys(harness, SessionBlockWriter.LINES_STATE)).containsExactlyInAnyOrder("1/s-a", "1/s-b");
            harness.getOperator().setCurrentKey("1/s-a");
            assertThat(storedLines(harness)).as("one compressed entry for s-a's three messages").hasSize(1);

            harness.processElement(chunk("s-a", 1795300000004L), 0L);
            harness.endInput();
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, NOW);
            harness.notifyOfCompletedCheckpoint(1);
            SessionBlockSummary a = summaries(harness.extractOutputValues()).stream()
                    .filter(r -> r.sessionId().equals("s-a")).findFirst().orElseThrow();
            assertThat(readBlock(a.blockUrl())).extracting(e -> e.event().get("timestamp").asLong())
                    .as("lines from state, then those still on the heap")
                    .containsExactly(1795300000000L, 1795300000001L, 1795300000003L, 1795300000004L);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aSessionNotDueAtACheckpointTakesItsHeapLinesIntoStateSoTheSnapshotHoldsThem() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(Duration.ofSeconds(10))) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(chunk("s-a", 1795300000000L), 0L);
            harness.processElement(chunk("s-a", 1795300000001L), 0L);
            harness.setProcessingTime(NOW + 1_000);
            harness.prepareSnapshotPreBarrier(1);
            snapshot = harness.snapshot(1, NOW + 1_000);
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(keys(harness, SessionBlockWriter.LINES_STATE)).containsExactly("1/s-a");
        }
        try (var restored = harness(Duration.ofSeconds(10))) {
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(NOW + 2_000);
            restored.processElement(chunk("s-a", 1795300000002L), 0L);
            restored.setProcessingTime(NOW + 10_000);
            restored.prepareSnapshotPreBarrier(2);
            restored.snapshot(2, NOW + 10_000);
            restored.notifyOfCompletedCheckpoint(2);
            SessionBlockSummary row = summaries(restored.extractOutputValues()).get(0);
            assertThat(readBlock(row.blockUrl())).extracting(e -> e.event().get("timestamp").asLong())
                    .containsExactly(1795300000000L, 1795300000001L, 1795300000002L);
            assertThat(row.messageCount()).isEqualTo(3);
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    private static List<byte[]> storedLines(KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness)
            throws Exception {
        Iterable<byte[]> stored = harness.getOperator().getKeyedStateStore().getListState(
                new org.apache.flink.api.common.state.ListStateDescriptor<>(SessionBlockWriter.LINES_STATE,
                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)).get();
        List<byte[]> list = new ArrayList<>();
        stored.forEach(list::add);
        return list;
    }

    @Test
    void endOfInputWritesEverythingStillBuffered() throws Exception {
        try (var harness = harness(Duration.ofHours(1))) {
            harness.open();
            harness.setProcessingTime(NOW);
            harness.processElement(chunk("s-a", 1795300000000L), 0L);
            harness.endInput();
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, NOW);
            harness.notifyOfCompletedCheckpoint(1);

            assertThat(summaries(harness.extractOutputValues())).hasSize(1);
            assertThat(committedFiles()).hasSize(1);
        }
    }

    @Test
    void blocksAreCompressedWithTheShippedDictionaryUnlessTheSettingsSayNone() throws Exception {
        for (String dictionary : new String[] {null, "none"}) {
            BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), Duration.ZERO, Duration.ZERO, 100L * 1024 * 1024, 3,
                    dictionary);
            try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey,
                    Types.STRING)) {
                harness.open();
                harness.setProcessingTime(NOW);
                for (SessionChunk c : RecordingMessages.decode(NOW, RecordingMessages.fromFixture("run1_configjs_09_POST_s_.request.json"))) {
                    harness.processElement(c, 0L);
                }
                harness.prepareSnapshotPreBarrier(1);
                harness.snapshot(1, NOW);
                harness.notifyOfCompletedCheckpoint(1);

                SessionBlockSummary row = summaries(harness.extractOutputValues()).get(0);
                byte[] block = rawBlock(row.blockUrl());
                long expectedId = dictionary == null ? BlockDictionaries.standard().current().id() : 0;
                assertThat(com.github.luben.zstd.Zstd.getDictIdFromFrame(block)).as("dictionary %s", dictionary).isEqualTo(expectedId);
                assertThat(readBlock(row.blockUrl())).hasSize((int) row.eventCount());
            }
        }
        assertThatThrownBy(() -> new BlockWriterSettings(out.toUri(), Duration.ZERO, Duration.ZERO, 1, 3, "rrweb-404"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rrweb-404");
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness(Duration flushAge) throws Exception {
        return harness(flushAge, flushAge);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness(Duration flushAge, Duration idle)
            throws Exception {
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), flushAge, idle, 100L * 1024 * 1024, 3);
        return new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey, Types.STRING);
    }

    private static SessionChunk chunk(String session, long ts) throws Exception {
        return RecordingMessages.decode(NOW, List.of(RecordingMessages.message(1, session, "w",
                "[{\"type\":2,\"timestamp\":" + ts + ",\"data\":{}}]"))).get(0);
    }

    private static List<LogEntry> logEntries(KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness) {
        var side = harness.getSideOutput(SessionBlockWriter.LOG_ENTRIES);
        return side == null ? List.of() : side.stream().map(r -> Json.decode(r.getValue().value(), LogEntry.class)).toList();
    }

    private static List<SessionBlockSummary> summaries(List<KeyedBytes> out) {
        return out.stream().map(k -> Json.decode(k.value(), SessionBlockSummary.class)).toList();
    }

    private List<Path> committedFiles() throws Exception {
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static byte[] rawBlock(String blockUrl) throws Exception {
        BlockUrl url = BlockUrl.parse(blockUrl);
        byte[] file = Files.readAllBytes(Path.of("/" + url.key()));
        return Arrays.copyOfRange(file, (int) url.start(), (int) url.endInclusive() + 1);
    }

    private static List<RecordingBlock.Entry> readBlock(String blockUrl) throws Exception {
        return RecordingBlock.decode(rawBlock(blockUrl));
    }
}
