package io.reflow.jobs.events;

import static io.reflow.jobs.events.PersonProcessorTest.events;
import static io.reflow.jobs.events.PersonProcessorTest.feedBack;
import static io.reflow.jobs.events.PersonProcessorTest.harness;
import static io.reflow.jobs.events.PersonProcessorTest.input;
import static io.reflow.jobs.events.PersonProcessorTest.side;
import static io.reflow.jobs.events.PersonProcessorTest.stateOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@code $groupidentify} (posthog-js {@code group(type, key, properties)}): an event of its distinct id's person that
 * never updates, identifies or merges it; the group stays in the event's properties; what PostHog drops is a dead
 * letter with PostHog's warning.
 */
class GroupIdentifyTest {
    static final String GROUP = "{\"event\":\"$groupidentify\",\"properties\":{\"$group_type\":\"company\","
            + "\"$group_key\":\"acme\",\"$group_set\":{\"name\":\"Acme\",\"seats\":12},\"$set\":{\"plan\":\"free\"},"
            + "\"$set_once\":{\"first\":\"g\"},\"$unset\":[\"plan\"],\"$anon_distinct_id\":\"other\",\"alias\":\"other\","
            + "\"$groups\":{\"company\":\"acme\"}}}";

    @Test
    void aGroupIdentifyIsAnEventOfItsPersonThatNeitherUpdatesNorIdentifiesNorMergesIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(input(TestEvents.set("u", "{\"plan\":\"pro\"}")), 0L);
            h.processElement(input(TestEvents.set("other", "{\"x\":1}")), 0L);
            NormalizedEvent group = TestEvents.normalized("u", GROUP);
            h.processElement(input(group), 0L);
            assertThat(feedBack(h)).as("no message to another key").isZero();

            assertThat(group.mergeOther()).isNull();
            assertThat(events(h)).filteredOn(e -> e.uuid().equals(group.uuid())).singleElement().satisfies(e -> {
                assertThat(e.personId()).isEqualTo(DistinctIds.personUuid(2, "u"));
                assertThat(TestEvents.tree(e.personProperties())).isEqualTo(TestEvents.tree("{\"plan\":\"pro\"}"));
                assertThat(e.personMode()).isEqualTo("full");
                JsonNode p = TestEvents.tree(e.properties());
                assertThat(p.get("$group_type").asText()).isEqualTo("company");
                assertThat(p.get("$group_key").asText()).isEqualTo("acme");
                assertThat(p.get("$group_set")).isEqualTo(TestEvents.tree("{\"name\":\"Acme\",\"seats\":12}"));
                assertThat(p.get("$groups")).isEqualTo(TestEvents.tree("{\"company\":\"acme\"}"));
                assertThat(p.has("$set") || p.has("$set_once") || p.has("$unset")).isFalse();
            });
            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).as("the two creations only")
                    .extracting(PersonRow::version).containsExactly(0L, 0L);
            KeyState.Person u = stateOf(h, "2:u").person;
            assertThat(u.identified).isFalse();
            assertThat(u.version).isZero();
            assertThat(u.distinctIds).containsOnlyKeys("u");
            assertThat(stateOf(h, "2:other").person.distinctIds).containsOnlyKeys("other");
            assertThat(side(h, PersonProcessor.WARNINGS, IngestionWarning.class)).isEmpty();
        }
    }

    @Test
    void aGroupIdentifyOfANewDistinctIdGivesItAPersonWithoutPropertiesAsAnyEventWould() throws Exception {
        try (var h = harness()) {
            h.open();
            NormalizedEvent group = TestEvents.normalized("server-side", GROUP);
            h.processElement(input(group), 0L);

            assertThat(side(h, PersonProcessor.PERSONS, PersonRow.class)).singleElement().satisfies(r -> {
                assertThat(r.properties()).isEqualTo("{}");
                assertThat(r.isIdentified()).isZero();
            });
            assertThat(side(h, PersonProcessor.DISTINCT_IDS, PersonDistinctIdRow.class)).extracting(PersonDistinctIdRow::distinctId)
                    .containsExactly("server-side");
            assertThat(events(h)).singleElement().satisfies(e -> assertThat(e.personProperties()).isEqualTo("{}"));
            assertThat(h.getSideOutput(PersonProcessor.MERGES)).isNull();
        }
    }

    @Test
    void aGroupKeyLongerThan400CharactersOrAGroupSetThatIsNotAnObjectIsADeadLetterWithPostHogsWarning() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new NormalizeEvents()))) {
            h.open();
            CapturedEvent longKey = TestEvents.captured("u", "{\"event\":\"$groupidentify\",\"properties\":{"
                    + "\"$group_type\":\"company\",\"$group_key\":\"" + "k".repeat(401) + "\"}}");
            CapturedEvent badSet = TestEvents.captured("u", "{\"event\":\"$groupidentify\",\"properties\":{"
                    + "\"$group_type\":\"company\",\"$group_key\":\"acme\",\"$group_set\":\"Acme\"}}");
            CapturedEvent fine = TestEvents.captured("u", "{\"event\":\"$groupidentify\",\"properties\":{"
                    + "\"$group_type\":\"company\",\"$group_key\":\"" + "k".repeat(400) + "\"}}");
            h.processElement(new ConsumedRecord("events", 0, 7, 0L, null, Json.encode(longKey)), 0L);
            h.processElement(new ConsumedRecord("events", 0, 8, 0L, null, Json.encode(badSet)), 0L);
            h.processElement(new ConsumedRecord("events", 0, 9, 0L, null, Json.encode(fine)), 0L);

            assertThat(h.extractOutputValues()).extracting(in -> in.event().uuid()).containsExactly(fine.uuid());
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(NormalizeEvents.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).extracting(DeadLetter::reason, DeadLetter::sourceOffset).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("group_key_too_long", 7L),
                    org.assertj.core.groups.Tuple.tuple("invalid_group_set", 8L));
            List<IngestionWarning> warnings = new ArrayList<>();
            h.getSideOutput(NormalizeEvents.WARNINGS).forEach(r -> warnings.add(Json.decode(r.getValue().value(), IngestionWarning.class)));
            assertThat(warnings).extracting(IngestionWarning::type, w -> TestEvents.tree(w.details()).get("eventUuid").asText())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("group_key_too_long", longKey.uuid()),
                            org.assertj.core.groups.Tuple.tuple("invalid_group_set", badSet.uuid()));
        }
    }
}
