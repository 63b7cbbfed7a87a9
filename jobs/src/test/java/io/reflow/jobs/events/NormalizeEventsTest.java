package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class NormalizeEventsTest {
    @Test
    void eventsGoOnToThePersonStageKeyedByTeamAndDistinctIdAndWhatCannotBeReadIsADeadLetter() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new NormalizeEvents()))) {
            h.open();
            CapturedEvent ok = TestEvents.fixture("run1_configjs_04_POST_e_.request.json").get(0);
            h.processElement(record(Json.encode(ok), 0), 0L);
            h.processElement(record("{\"team_id\":2,".getBytes(StandardCharsets.UTF_8), 1), 0L);
            h.processElement(record(Json.encode(TestEvents.captured("u", "{\"event\":\"\"}")), 2), 0L);
            h.processElement(record(Json.encode(TestEvents.captured("undefined", "{\"event\":\"clicked\",\"properties\":{\"$set\":{\"a\":1}}}")), 3), 0L);

            assertThat(h.extractOutputValues()).hasSize(2).satisfiesExactly(in -> {
                assertThat(in.key()).isEqualTo("2:" + ok.distinctId());
                assertThat(in.event().uuid()).isEqualTo(ok.uuid());
                assertThat(in.offset()).isZero();
            }, in -> {
                // an illegal distinct id goes on personless: the person stage publishes it without state
                assertThat(in.key()).isEqualTo("2:undefined");
                assertThat(in.event().processPerson()).isFalse();
                assertThat(in.event().set()).isNull();
                assertThat(in.offset()).isEqualTo(3);
            });
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(NormalizeEvents.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).extracting(DeadLetter::reason, DeadLetter::sourceOffset)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid_message", 1L),
                            org.assertj.core.groups.Tuple.tuple("missing_event_name", 2L));
            assertThat(dead.get(1).teamId()).isEqualTo(2);

            List<IngestionWarning> warnings = new ArrayList<>();
            h.getSideOutput(NormalizeEvents.WARNINGS).forEach(r -> warnings.add(Json.decode(r.getValue().value(), IngestionWarning.class)));
            assertThat(warnings).extracting(IngestionWarning::type).containsExactly("illegal_distinct_id");
        }
    }

    private static ConsumedRecord record(byte[] value, long offset) {
        return new ConsumedRecord("events", 0, offset, 0L, null, value);
    }
}
