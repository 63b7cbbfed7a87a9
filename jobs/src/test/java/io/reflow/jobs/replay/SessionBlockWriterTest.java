package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
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
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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
            List<JsonNode> posted = fixture.stream().flatMap(m -> m.events().stream()).toList();
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

    private KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness(Duration flushAge) throws Exception {
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), flushAge, 100L * 1024 * 1024, 3);
        return new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey, Types.STRING);
    }

    private static SessionChunk chunk(String session, long ts) throws Exception {
        return RecordingMessages.decode(NOW, List.of(RecordingMessages.message(1, session, "w",
                "[{\"type\":2,\"timestamp\":" + ts + ",\"data\":{}}]"))).get(0);
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
