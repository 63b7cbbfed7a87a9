package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.KeyedBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** The keyed person operator under Flink's test harness: state, side outputs, feedback messages, restore. */
class PersonProcessorTest {
    static final long NOW = 1_800_000_000_000L;

    @Test
    void aPersonGetsOneStateEntryAndNoTimersAndPersonlessOrFreshEventsAddNone() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(NOW);
            h.processElement(input(TestEvents.personless("anon", "$pageview")), 0L);
            assertThat(h.numKeyedStateEntries()).isZero();

            NormalizedEvent created = TestEvents.set("u1", "{\"plan\":\"pro\"}");
            h.processElement(input(created), 0L);
            h.processElement(input(TestEvents.event("u1", "clicked")), 0L);

            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(events(h)).extracting(EnrichedEvent::personId)
                    .containsExactly(DistinctIds.personUuid(2, "anon"), DistinctIds.personUuid(2, "u1"), DistinctIds.personUuid(2, "u1"));
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).extracting(PersonRow::id, PersonRow::version)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(DistinctIds.personUuid(2, "u1"), 0L));
            assertThat(side(h, PersonProcessor.DISTINCT_IDS, PersonDistinctIdRow.class))
                    .containsExactly(new PersonDistinctIdRow(2, "u1", DistinctIds.personUuid(2, "u1"), 0, 0));
            assertThat(h.getSideOutput(PersonProcessor.PERSONS).peek().getValue().key()).isEqualTo(DistinctIds.personUuid(2, "u1"));
            assertThat(h.getSideOutput(PersonProcessor.DISTINCT_IDS).peek().getValue().key()).isEqualTo("2:u1");
            assertThat(h.getOutput().stream().map(r -> ((StreamRecord<KeyedBytes>) r).getValue().key()).toList())
                    .as("events are keyed by uuid").contains(created.uuid());
        }
    }

    @Test
    void anIllegalDistinctIdsEventIsPublishedPersonlessWithoutState() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(NOW);
            NormalizedEvent illegal = TestEvents.normalized("undefined", "{\"event\":\"clicked\",\"properties\":{\"$set\":{\"a\":1}}}");
            assertThat(illegal.processPerson()).isFalse();
            h.processElement(input(illegal), 0L);

            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(events(h)).singleElement().satisfies(e -> {
                assertThat(e.distinctId()).isEqualTo("undefined");
                assertThat(e.personMode()).isEqualTo("propertyless");
                assertThat(e.personId()).isEqualTo(DistinctIds.personUuid(2, "undefined"));
                assertThat(e.personProperties()).isEqualTo("{}");
                assertThat(e.personCreatedAt()).isEqualTo(PersonLogic.PERSONLESS_CREATED_AT);
            });
            assertThat(h.getSideOutput(PersonProcessor.PERSONS)).isNullOrEmpty();
            assertThat(h.getSideOutput(PersonProcessor.DISTINCT_IDS)).isNullOrEmpty();
        }
    }

    @Test
    void anIdentifyAcrossKeysRunsThroughItsFeedbackMessagesAndTheMergedAwayHostKeepsOnlyAPointer() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(NOW);
            h.processElement(input(TestEvents.set("anon", "{\"a\":1}")), 0L);
            h.setProcessingTime(NOW + 1);
            NormalizedEvent identify = TestEvents.identify("user", "anon", "{\"email\":\"u@x\"}", null);
            h.processElement(input(identify), 0L);
            int rounds = feedBack(h);

            assertThat(rounds).as("request, then the person state").isEqualTo(2);
            assertThat(stateOf(h, "2:anon").pointer.host).isEqualTo("user");
            assertThat(stateOf(h, "2:anon").person).isNull();
            KeyState.Person merged = stateOf(h, "2:user").person;
            assertThat(merged.id).isEqualTo(DistinctIds.personUuid(2, "user"));
            assertThat(merged.distinctIds).containsOnlyKeys("user", "anon");
            assertThat(TestEvents.tree(Json.mapper().writeValueAsString(merged.properties)))
                    .isEqualTo(TestEvents.tree("{\"a\":1,\"email\":\"u@x\"}"));
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(identify.uuid())).singleElement()
                    .satisfies(e -> assertThat(e.personId()).isEqualTo(merged.id));
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).filteredOn(r -> r.isDeleted() == 1)
                    .extracting(PersonRow::id).containsExactly(DistinctIds.personUuid(2, "anon"));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void personStateIsRestoredFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(NOW);
            h.processElement(input(TestEvents.set("u1", "{\"plan\":\"pro\"}")), 0L);
            snapshot = h.snapshot(1, NOW);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(input(TestEvents.set("u1", "{\"seats\":3}")), 0L);
            assertThat(side(restored, PersonProcessor.PERSONS, PersonRow.class)).singleElement().satisfies(r -> {
                assertThat(r.version()).isEqualTo(1);
                assertThat(TestEvents.tree(r.properties())).isEqualTo(TestEvents.tree("{\"plan\":\"pro\",\"seats\":3}"));
            });
            assertThat(side(restored, PersonProcessor.DISTINCT_IDS, PersonDistinctIdRow.class)).isEmpty();
        }
    }

    @Test
    void aMessageThatCannotBeHandledIsADeadLetterAndChangesNothing() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("u1", "{\"a\":1}")), 0L);
            byte[] before = stateBytes(h, "2:u1");
            byte[] broken = "{\"type\":\"MERGE_STATE\",\"team_id\":2,\"target\":\"u1\"}".getBytes(StandardCharsets.UTF_8);
            h.processElement(new StreamRecord<>(PersonInput.message("2:u1", broken, "merges", 1, 42)));

            assertThat(side(h, PersonProcessor.DEAD_LETTERS)).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("person_processing_failed");
                assertThat(d.sourceTopic()).isEqualTo("merges");
                assertThat(d.sourceOffset()).isEqualTo(42);
                assertThat(d.teamId()).isEqualTo(2);
            });
            assertThat(stateBytes(h, "2:u1")).isEqualTo(before);
            assertThat(events(h)).hasSize(1);
        }
    }

    @Test
    void refusedMergesWarnOnTheWarningsOutput() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.identify("user-1", "anon")), 0L);
            feedBack(h);
            h.processElement(input(TestEvents.identify("user-2", "anon")), 0L);
            feedBack(h);
            List<IngestionWarning> warnings = new ArrayList<>();
            h.getSideOutput(PersonProcessor.WARNINGS).forEach(r -> warnings.add(Json.decode(r.getValue().value(), IngestionWarning.class)));
            assertThat(warnings).singleElement().satisfies(w -> {
                assertThat(w.type()).isEqualTo("cannot_merge_already_identified");
                assertThat(w.source()).isEqualTo("reflow-events");
                assertThat(w.teamId()).isEqualTo(2);
            });
        }
    }

    @Test
    void whatFlowsBetweenOperatorsHasItsOwnOrFlinksSerializersNotKryo() {
        assertThat(TypeInformation.of(PersonInput.class).createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(PersonInputSerializer.INSTANCE);
        assertThat(TypeInformation.of(PersonInput.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(PersonInputSerializer.INSTANCE);
        assertThat(TypeInformation.of(NormalizedEvent.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(KeyedBytes.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(DeadLetter.class)).isInstanceOf(PojoTypeInfo.class);
    }

    // ------------------------------------------------------------------------------------------------

    static KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PersonProcessor()),
                PersonInput::key, Types.STRING);
    }

    static PersonInput input(NormalizedEvent e) {
        return PersonInput.event(e, "events", 0, 0);
    }

    /** Feeds the feedback messages back in until there are none: the Kafka loop, by hand. Returns the rounds. */
    static int feedBack(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h) throws Exception {
        int rounds = 0;
        int consumed = 0;
        while (true) {
            List<KeyedBytes> all = new ArrayList<>();
            ConcurrentLinkedQueue<StreamRecord<KeyedBytes>> queue = h.getSideOutput(PersonProcessor.MERGES);
            if (queue != null) {
                queue.forEach(r -> all.add(r.getValue()));
            }
            if (all.size() == consumed) {
                return rounds;
            }
            List<KeyedBytes> fresh = all.subList(consumed, all.size());
            consumed = all.size();
            rounds++;
            for (KeyedBytes m : List.copyOf(fresh)) {
                h.processElement(new StreamRecord<>(PersonInput.message(m.key(), m.value(), "merges", 0, 0)));
            }
        }
    }

    static List<EnrichedEvent> events(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h) {
        return h.extractOutputValues().stream().map(k -> Json.decode(k.value(), EnrichedEvent.class)).toList();
    }

    static <T> List<T> side(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h,
                            OutputTag<KeyedBytes> tag, Class<T> type) {
        List<T> out = new ArrayList<>();
        if (h.getSideOutput(tag) != null) {
            h.getSideOutput(tag).forEach(r -> out.add(Json.decode(r.getValue().value(), type)));
        }
        return out;
    }

    static List<DeadLetter> side(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h,
                                 OutputTag<DeadLetter> tag) {
        List<DeadLetter> out = new ArrayList<>();
        if (h.getSideOutput(tag) != null) {
            h.getSideOutput(tag).forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    static byte[] stateBytes(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h, String key) throws Exception {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        ValueState<byte[]> state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(PersonProcessor.STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        return state.value();
    }

    static KeyState stateOf(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h, String key) throws Exception {
        return KeyState.decode(stateBytes(h, key));
    }
}
