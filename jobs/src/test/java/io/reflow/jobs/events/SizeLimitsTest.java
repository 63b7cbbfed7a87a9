package io.reflow.jobs.events;

import static io.reflow.jobs.events.PersonProcessorTest.events;
import static io.reflow.jobs.events.PersonProcessorTest.feedBack;
import static io.reflow.jobs.events.PersonProcessorTest.harness;
import static io.reflow.jobs.events.PersonProcessorTest.input;
import static io.reflow.jobs.events.PersonProcessorTest.side;
import static io.reflow.jobs.events.PersonProcessorTest.stateOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.KeyedBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Person properties stay within PostHog's limit, and no record the person stage writes is larger than a Kafka
 * message may be: what does not fit is refused, trimmed or dead-lettered with a warning, and the stage goes on.
 */
class SizeLimitsTest {
    static final String BIG = "b".repeat(600_000);
    static final String HALF_MB = "h".repeat(500_000);

    @Test
    void anUpdateThatWouldMakeThePersonTooLargeIsRefusedWithAWarningAndTheEventIsStillPublished() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("u", "{\"blob\":\"" + BIG + "\"}")), 0L);
            NormalizedEvent tooMuch = TestEvents.set("u", "{\"more\":\"" + "m".repeat(100_000) + "\",\"plan\":\"pro\"}");
            h.processElement(input(tooMuch), 0L);

            // (the events carrying 600 KB in $set are published without their person properties: not looked at here)
            assertThat(warnings(h)).filteredOn(w -> w.type().equals("person_properties_size_violation")).singleElement().satisfies(w -> {
                JsonNode d = TestEvents.tree(w.details());
                assertThat(d.get("eventUuid").asText()).isEqualTo(tooMuch.uuid());
                assertThat(d.get("personId").asText()).isEqualTo(DistinctIds.personUuid(2, "u"));
                assertThat(d.get("limitBytes").asInt()).isEqualTo(655_360);
            });
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).as("only the creation").singleElement()
                    .satisfies(r -> assertThat(r.version()).isZero());
            assertThat(stateOf(h, "2:u").person.properties.fieldNames()).toIterable().containsExactly("blob");
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(tooMuch.uuid())).singleElement().satisfies(e -> {
                assertThat(TestEvents.tree(e.personProperties()).fieldNames()).toIterable().containsExactly("blob");
                assertThat(e.personMode()).isEqualTo("full");
            });

            // the person stays usable: a small update still applies
            h.processElement(input(TestEvents.set("u", "{\"plan\":\"pro\"}")), 0L);
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).extracting(PersonRow::version).containsExactly(0L, 1L);
            assertThat(stateOf(h, "2:u").person.properties.get("plan").asText()).isEqualTo("pro");
            assertThat(PersonProcessorTest.side(h, PersonProcessor.DEAD_LETTERS)).isEmpty();
        }
    }

    @Test
    void aNewPersonWhoseFirstUpdateIsTooLargeIsCreatedWithoutThoseProperties() throws Exception {
        try (var h = harness()) {
            h.open();
            NormalizedEvent first = TestEvents.set("n", "{\"blob\":\"" + "x".repeat(700_000) + "\"}");
            h.processElement(input(first), 0L);

            assertThat(warnings(h)).extracting(IngestionWarning::type).containsExactly("person_properties_size_violation");
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).singleElement()
                    .satisfies(r -> assertThat(r.properties()).isEqualTo("{}"));
            assertThat(events(h)).singleElement().satisfies(e -> {
                assertThat(e.uuid()).isEqualTo(first.uuid());
                assertThat(e.personId()).isEqualTo(DistinctIds.personUuid(2, "n"));
                assertThat(e.personProperties()).isEqualTo("{}");
            });
        }
    }

    @Test
    void anEventRowTooLargeForKafkaIsPublishedWithoutItsPersonPropertiesAndAWarning() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("u", "{\"blob\":\"" + BIG + "\"}")), 0L);
            NormalizedEvent large = TestEvents.normalized("u", "{\"event\":\"uploaded\",\"properties\":{\"file\":\"" + HALF_MB + "\"}}");
            h.processElement(input(large), 0L);

            List<KeyedBytes> rows = h.extractOutputValues();
            assertThat(rows).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(1_000_000));
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(large.uuid())).singleElement().satisfies(e -> {
                assertThat(e.personProperties()).isEqualTo("{}");
                assertThat(TestEvents.tree(e.properties()).get("file").asText()).hasSize(500_000);
                assertThat(e.personId()).isEqualTo(DistinctIds.personUuid(2, "u"));
            });
            assertThat(warnings(h)).filteredOn(w -> about(w, large.uuid())).singleElement().satisfies(w -> {
                assertThat(w.type()).isEqualTo("message_size_too_large");
                assertThat(TestEvents.tree(w.details()).get("action").asText()).isEqualTo("published without person properties");
            });
            assertThat(PersonProcessorTest.side(h, PersonProcessor.DEAD_LETTERS)).isEmpty();
        }
    }

    @Test
    void anEventTooLargeEvenWithoutItsPersonIsADeadLetterWithAWarningAndTheStageGoesOn() throws Exception {
        try (var h = harness()) {
            h.open();
            NormalizedEvent huge = TestEvents.normalized("u", "{\"event\":\"uploaded\",\"properties\":{\"file\":\""
                    + "f".repeat(1_100_000) + "\"}}");
            h.processElement(input(huge), 0L);
            h.processElement(input(TestEvents.set("u", "{\"plan\":\"pro\"}")), 0L);

            assertThat(events(h)).extracting(EnrichedEvent::uuid).doesNotContain(huge.uuid()).hasSize(1);
            List<DeadLetter> dead = PersonProcessorTest.side(h, PersonProcessor.DEAD_LETTERS);
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("message_too_large");
                assertThat(d.teamId()).isEqualTo(2);
                assertThat(d.payload()).hasSize(SizeLimits.DEAD_LETTER_PAYLOAD_CHARS);
                assertThat(Json.encode(d).length).isLessThan(1_000_000);
            });
            assertThat(warnings(h)).singleElement().satisfies(w -> {
                assertThat(w.type()).isEqualTo("message_size_too_large");
                JsonNode d = TestEvents.tree(w.details());
                assertThat(d.get("eventUuid").asText()).isEqualTo(huge.uuid());
                assertThat(d.get("action").asText()).isEqualTo("dead-lettered");
            });
            assertThat(stateOf(h, "2:u").person.properties.get("plan").asText()).isEqualTo("pro");
        }
    }

    @Test
    void aMergeWhosePropertiesWouldBeTooLargeKeepsTheTargetPersonsPropertiesWithAWarning() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("anon", "{\"a\":\"" + "a".repeat(400_000) + "\"}")), 0L);
            h.processElement(input(TestEvents.set("user", "{\"u\":\"" + "u".repeat(400_000) + "\"}")), 0L);
            NormalizedEvent identify = TestEvents.identify("user", "anon");
            h.processElement(input(identify), 0L);
            feedBack(h);

            KeyState.Person merged = stateOf(h, "2:user").person;
            assertThat(merged.properties.fieldNames()).toIterable().containsExactly("u");
            assertThat(merged.distinctIds).containsOnlyKeys("user", "anon");
            assertThat(stateOf(h, "2:anon").pointer.host).isEqualTo("user");
            assertThat(warnings(h)).singleElement().satisfies(w -> {
                assertThat(w.type()).isEqualTo("person_properties_size_violation");
                assertThat(TestEvents.tree(w.details()).get("eventUuid").asText()).isEqualTo(identify.uuid());
            });
            PersonRow newest = side(h, PersonProcessor.PERSONS, PersonRow.class).stream()
                    .filter(r -> r.id().equals(merged.id)).reduce((a, b) -> b).orElseThrow();
            assertThat(newest.version()).isEqualTo(merged.version);
            assertThat(TestEvents.tree(newest.properties()).fieldNames()).toIterable().containsExactly("u");
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(identify.uuid())).singleElement()
                    .satisfies(e -> assertThat(e.personId()).isEqualTo(merged.id));
        }
    }

    @Test
    void aFeedbackMessageTooLargeTravelsWithoutThePropertiesAndTheMergeStillHappens() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("user", "{\"blob\":\"" + BIG + "\"}")), 0L);
            NormalizedEvent identify = TestEvents.normalized("user", "{\"event\":\"$identify\",\"properties\":{"
                    + "\"$anon_distinct_id\":\"fresh\",\"note\":\"" + HALF_MB + "\"}}");
            h.processElement(input(identify), 0L);
            assertThat(h.getSideOutput(PersonProcessor.MERGES)).allSatisfy(r ->
                    assertThat(r.getValue().value().length).isLessThanOrEqualTo(1_000_000));
            feedBack(h);

            assertThat(warnings(h)).filteredOn(w -> about(w, identify.uuid())).singleElement().satisfies(w -> {
                assertThat(w.type()).isEqualTo("message_size_too_large");
                assertThat(TestEvents.tree(w.details()).get("record").asText()).isEqualTo("person message MERGE_REQUEST");
            });
            assertThat(stateOf(h, "2:fresh").pointer.host).isEqualTo("user");
            assertThat(stateOf(h, "2:user").person.distinctIds).containsOnlyKeys("user", "fresh");
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(identify.uuid())).singleElement().satisfies(e -> {
                assertThat(e.personId()).isEqualTo(DistinctIds.personUuid(2, "user"));
                assertThat(e.properties()).isEqualTo("{}");
            });
            assertThat(PersonProcessorTest.side(h, PersonProcessor.DEAD_LETTERS)).isEmpty();
        }
    }

    @Test
    void utf8LengthCountsBytesNotChars() {
        assertThat(SizeLimits.utf8Length("aé€😀")).isEqualTo("aé€😀".getBytes(StandardCharsets.UTF_8).length);
        assertThat(SizeLimits.tooLargeForAPerson("{\"a\":\"" + "€".repeat(220_000) + "\"}")).isTrue();
        assertThat(SizeLimits.tooLargeForAPerson("{\"a\":\"" + "a".repeat(600_000) + "\"}")).isFalse();
    }

    private static boolean about(IngestionWarning w, String eventUuid) {
        return TestEvents.tree(w.details()).path("eventUuid").asText().equals(eventUuid);
    }

    private static List<IngestionWarning> warnings(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> h) {
        return side(h, PersonProcessor.WARNINGS, IngestionWarning.class);
    }
}
