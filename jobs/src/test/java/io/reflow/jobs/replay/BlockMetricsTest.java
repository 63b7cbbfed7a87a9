package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.RecordingMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BlockMetricsTest {
    static final long NOW = DecodeRecordingsTest.NOW;

    /** A session's messages, metrics folded message by message as the block writer does, against one pass over all events. */
    @ParameterizedTest
    @ValueSource(strings = {"run1_configjs", "run2_jsonconfig_nocompress", "run7_legacy_v1.160.0"})
    void activeTimeOfMessagesAddedUpIsTheActiveTimeOfTheWholeSession(String run) throws Exception {
        List<RecordingMessage> messages = new ArrayList<>();
        List<String> requests = switch (run) {
            case "run1_configjs" -> List.of("run1_configjs_09_POST_s_.request.json", "run1_configjs_11_POST_s_.request.json");
            case "run2_jsonconfig_nocompress" -> List.of("run2_jsonconfig_nocompress_10_POST_s_.request.json",
                    "run2_jsonconfig_nocompress_12_POST_s_.request.json");
            default -> List.of("run7_legacy_v1.160.0_07_POST_s_.request.json", "run7_legacy_v1.160.0_09_POST_s_.request.json",
                    "run7_legacy_v1.160.0_11_POST_s_.request.json");
        };
        requests.forEach(r -> messages.addAll(RecordingMessages.fromFixture(r)));

        BlockMetrics folded = null;
        for (SessionChunk chunk : RecordingMessages.decode(NOW, messages)) {
            folded = folded == null ? chunk.metrics() : folded.plus(chunk.metrics());
        }
        BlockMetrics whole = BlockMetrics.empty();
        List<JsonNode> all = messages.stream().flatMap(m -> m.events().stream())
                .sorted(Comparator.comparingLong(e -> e.get("timestamp").asLong())).toList();
        for (JsonNode e : all) {
            whole = whole.withEvent(e, e.get("timestamp").asLong(), 1);
        }

        assertThat(messages).hasSizeGreaterThanOrEqualTo(3);
        assertThat(whole.activeMilliseconds()).isPositive();
        assertThat(folded.activeMilliseconds()).isEqualTo(whole.activeMilliseconds());
        assertThat(folded.firstActiveTimestamp()).isEqualTo(whole.firstActiveTimestamp());
        assertThat(folded.lastActiveTimestamp()).isEqualTo(whole.lastActiveTimestamp());
    }

    @Test
    void gapsLongerThanTheThresholdAndMessagesOutOfTimeOrderAddNothingBetweenThem() throws Exception {
        BlockMetrics first = metrics(1_000, 2_000);
        BlockMetrics soon = metrics(4_000, 4_500);
        BlockMetrics late = metrics(20_000, 21_000);
        BlockMetrics earlier = metrics(100, 300);
        BlockMetrics quiet = BlockMetrics.empty().withEvent(event(2, 5_000), 5_000, 1);

        assertThat(first.plus(soon).activeMilliseconds()).isEqualTo(1_000 + 2_000 + 500);
        assertThat(first.plus(late).activeMilliseconds()).isEqualTo(1_000 + 1_000);
        assertThat(first.plus(earlier).activeMilliseconds()).isEqualTo(1_000 + 200);
        assertThat(quiet.plus(first).activeMilliseconds()).isEqualTo(1_000);
        assertThat(first.plus(quiet).plus(soon).activeMilliseconds()).isEqualTo(3_500);
    }

    /** Mouse moves at the given offsets. */
    private static BlockMetrics metrics(long... timestamps) throws Exception {
        BlockMetrics m = BlockMetrics.empty();
        for (long ts : timestamps) {
            m = m.withEvent(event(3, ts), ts, 1);
        }
        return m;
    }

    private static JsonNode event(int type, long ts) throws Exception {
        return io.reflow.contracts.Json.mapper().readTree(type == 3
                ? "{\"type\":3,\"timestamp\":" + ts + ",\"data\":{\"source\":1}}"
                : "{\"type\":" + type + ",\"timestamp\":" + ts + ",\"data\":{}}");
    }
}
