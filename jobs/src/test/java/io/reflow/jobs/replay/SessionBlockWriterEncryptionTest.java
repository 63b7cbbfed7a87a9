package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.contracts.SessionKeyRow;
import io.reflow.contracts.crypto.BlockEncryption;
import io.reflow.contracts.crypto.DataKey;
import io.reflow.contracts.crypto.MasterKey;
import io.reflow.jobs.common.KeyedBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionBlockWriterEncryptionTest {
    static final long NOW = DecodeRecordingsTest.NOW;

    @TempDir
    Path out;
    @TempDir
    Path secrets;

    @Test
    void anEncryptingTeamsSessionGetsOneDataKeyPublishedWrappedAndItsBlocksAreEncryptedBesidePlainOnes() throws Exception {
        MasterKey master = masterKeyFile();
        RecordingMessage secret = RecordingMessages.message(1, "secret-session", "w1",
                "[{\"type\":3,\"timestamp\":1795300000001,\"data\":{\"source\":5,\"text\":\"my password\"}}]").withEncrypt(true);
        RecordingMessage open = RecordingMessages.message(2, "open-session", "w1",
                "[{\"type\":3,\"timestamp\":1795300000002,\"data\":{\"source\":2,\"type\":2}}]");

        try (var harness = harness(secrets.resolve("master.key").toString())) {
            harness.open();
            harness.setProcessingTime(NOW);
            for (SessionChunk c : RecordingMessages.decode(NOW, List.of(secret, open))) {
                harness.processElement(c, 0L);
            }
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, NOW);
            harness.notifyOfCompletedCheckpoint(1);

            List<SessionKeyRow> keyRows = keyRows(harness);
            assertThat(keyRows).singleElement().satisfies(row -> {
                assertThat(row.teamId()).isEqualTo(1);
                assertThat(row.sessionId()).isEqualTo("secret-session");
                assertThat(row.masterKeyId()).isEqualTo(master.id());
                assertThat(row.expiresAt() - row.createdAt()).isEqualTo(Duration.ofDays(30).toMillis());
                assertThat(row.isDeleted()).isZero();
            });
            SessionKeyRow row = keyRows.get(0);
            DataKey key = master.unwrap(row.wrappedKey(), UUID.fromString(row.keyId()), 1, "secret-session");

            List<SessionBlockSummary> rows = summaries(harness.extractOutputValues());
            SessionBlockSummary secretRow = rows.stream().filter(r -> r.teamId() == 1).findFirst().orElseThrow();
            SessionBlockSummary openRow = rows.stream().filter(r -> r.teamId() == 2).findFirst().orElseThrow();
            assertThat(BlockUrl.parse(secretRow.blockUrl()).key()).as("one batch file").isEqualTo(BlockUrl.parse(openRow.blockUrl()).key());

            byte[] encrypted = rawBlock(secretRow.blockUrl());
            assertThat(BlockEncryption.isEncrypted(encrypted)).isTrue();
            assertThat(BlockEncryption.keyId(encrypted)).isEqualTo(key.id());
            assertThat(RecordingBlock.decode(BlockEncryption.decrypt(encrypted, key)))
                    .extracting(e -> e.event().path("data").path("text").asText()).containsExactly("my password");
            assertThat(new String(encrypted, StandardCharsets.ISO_8859_1)).doesNotContain("password");
            assertThat(secretRow.size()).isEqualTo(RecordingBlock.decompress(BlockEncryption.decrypt(encrypted, key)).length);
            assertThat(BlockEncryption.isEncrypted(rawBlock(openRow.blockUrl()))).isFalse();
            assertThat(RecordingBlock.decode(rawBlock(openRow.blockUrl()))).hasSize(1);

            // a later block of the same session reuses its key: no second key row
            for (SessionChunk c : RecordingMessages.decode(NOW + 1000, List.of(RecordingMessages.message(1, "secret-session", "w1",
                    "[{\"type\":3,\"timestamp\":1795300000009,\"data\":{\"source\":2,\"type\":2}}]").withEncrypt(true)))) {
                harness.processElement(c, 0L);
            }
            harness.setProcessingTime(NOW + 1000);
            harness.prepareSnapshotPreBarrier(2);
            harness.snapshot(2, NOW + 1000);
            harness.notifyOfCompletedCheckpoint(2);
            assertThat(keyRows(harness)).hasSize(1);
            SessionBlockSummary later = summaries(harness.extractOutputValues()).get(2);
            assertThat(BlockEncryption.keyId(rawBlock(later.blockUrl()))).isEqualTo(key.id());

            // the data key is in no record the writer emits, in no form
            List<String> emitted = new ArrayList<>();
            harness.extractOutputValues().forEach(kb -> emitted.add(new String(kb.value(), StandardCharsets.UTF_8)));
            for (var tag : List.of(SessionBlockWriter.LOG_ENTRIES, SessionBlockWriter.SESSION_KEYS)) {
                var side = harness.getSideOutput(tag);
                if (side != null) {
                    side.forEach(r -> emitted.add(new String(r.getValue().value(), StandardCharsets.UTF_8)));
                }
            }
            assertThat(emitted).hasSizeGreaterThanOrEqualTo(4);
            for (String text : emitted) {
                assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(key.bytes()))
                        .doesNotContain(Base64.getUrlEncoder().encodeToString(key.bytes()))
                        .doesNotContainIgnoringCase(HexFormat.of().formatHex(key.bytes()));
            }
        }
    }

    @Test
    void withoutAMasterKeyAnEncryptingTeamsBlocksAreNotWrittenInTheClear() throws Exception {
        RecordingMessage secret = RecordingMessages.message(1, "secret-session", "w1",
                "[{\"type\":3,\"timestamp\":1795300000001,\"data\":{\"source\":2,\"type\":2}}]").withEncrypt(true);
        Path missing = secrets.resolve("absent.key");
        Files.writeString(missing, "not base64 of 32 bytes");
        try (var harness = harness(missing.toString())) {
            assertThatThrownBy(harness::open).hasMessageContaining("master key");
        }
        assertThat(System.getenv(MasterKey.ENV)).as("this test needs an environment without a master key").isNull();
        assertThat(System.getenv(MasterKey.FILE_ENV)).isNull();
        try (var harness = harness(null)) {
            harness.open();
            harness.setProcessingTime(NOW);
            for (SessionChunk c : RecordingMessages.decode(NOW, List.of(secret))) {
                harness.processElement(c, 0L);
            }
            assertThatThrownBy(() -> harness.prepareSnapshotPreBarrier(1)).hasMessageContaining("no master key");
        }
    }

    private MasterKey masterKeyFile() throws Exception {
        String text = MasterKey.generateBase64();
        Files.writeString(secrets.resolve("master.key"), text + "\n");
        return MasterKey.fromBase64(text);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness(String masterKeyFile) throws Exception {
        BlockWriterSettings settings = new BlockWriterSettings(out.toUri(), Duration.ZERO, Duration.ZERO, 100L * 1024 * 1024, 3,
                null, masterKeyFile);
        return new KeyedOneInputStreamOperatorTestHarness<>(new SessionBlockWriter(settings), SessionChunk::sessionKey, Types.STRING);
    }

    private static List<SessionKeyRow> keyRows(KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, KeyedBytes> harness) {
        var side = harness.getSideOutput(SessionBlockWriter.SESSION_KEYS);
        if (side == null) {
            return List.of();
        }
        List<SessionKeyRow> rows = new ArrayList<>();
        for (StreamRecord<KeyedBytes> r : side) {
            SessionKeyRow row = Json.decode(r.getValue().value(), SessionKeyRow.class);
            assertThat(r.getValue().key()).as("keyed by key id, for compaction").isEqualTo(row.keyId());
            rows.add(row);
        }
        return rows;
    }

    private static List<SessionBlockSummary> summaries(List<KeyedBytes> values) {
        return values.stream().map(v -> Json.decode(v.value(), SessionBlockSummary.class)).toList();
    }

    private static byte[] rawBlock(String blockUrl) throws Exception {
        BlockUrl url = BlockUrl.parse(blockUrl);
        byte[] file = Files.readAllBytes(Path.of("/" + url.key()));
        return Arrays.copyOfRange(file, (int) url.start(), (int) url.endInclusive() + 1);
    }
}
