package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.IngestionWarning;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventNormalizerTest {
    @Test
    void everyRealPosthogJsEventIsAcceptedPersonlessWithItsUuidCorrectedTimestampIpAndElementsChain() {
        List<CapturedEvent> fixtures = TestEvents.fixtureEvents();
        assertThat(fixtures).hasSize(45);
        for (CapturedEvent c : fixtures) {
            EventNormalizer.Accepted a = (EventNormalizer.Accepted) EventNormalizer.normalize(c);
            NormalizedEvent e = a.event();
            assertThat(a.warnings()).as(c.uuid()).isEmpty();
            assertThat(a.illegalDistinctId()).isFalse();
            assertThat(e.uuid()).isEqualTo(c.uuid());
            assertThat(e.event()).isEqualTo(c.event().get("event").asText());
            assertThat(e.teamId()).isEqualTo(2);
            assertThat(e.distinctId()).isEqualTo(c.distinctId());
            assertThat(e.processPerson()).as("posthog-js defaults to identified_only: anonymous events are personless").isFalse();
            assertThat(e.mergeOther()).isNull();
            assertThat(e.set()).isNull();
            assertThat(e.sessionId()).isEqualTo(c.event().get("properties").get("$session_id").asText());
            assertThat(e.createdAt()).isEqualTo(c.receivedAtMs());
            long expected = c.event().has("timestamp")
                    // capture received it 120 ms after sent_at: the client clock is taken as right, plus the transit
                    ? Instant.parse(c.event().get("timestamp").asText()).toEpochMilli() + 120
                    : c.receivedAtMs() - c.event().get("offset").asLong();
            assertThat(e.timestamp()).as(c.uuid()).isEqualTo(expected);
            JsonNode props = TestEvents.tree(e.properties());
            assertThat(props.get("$ip").asText()).isEqualTo("127.0.0.1");
            assertThat(props.get("$process_person_profile").asBoolean(true)).isFalse();
            assertThat(props.get("$sent_at").asText()).isEqualTo(c.sentAt());
            assertThat(props.has("$elements_chain")).isFalse();
            if (e.event().equals("$autocapture")) {
                assertThat(e.elementsChain()).isEqualTo(c.event().get("properties").get("$elements_chain").asText());
            }
        }
    }

    @Test
    void identifyMovesSetOutsidePropertiesInAndAsksToMergeTheAnonymousId() {
        NormalizedEvent e = TestEvents.identify("user-1", "anon-1", "{\"email\":\"a@b.c\"}", "{\"first\":\"yes\"}");
        assertThat(e.processPerson()).isTrue();
        assertThat(e.mergeOther()).isEqualTo("anon-1");
        assertThat(TestEvents.tree(e.set())).isEqualTo(TestEvents.tree("{\"email\":\"a@b.c\"}"));
        assertThat(TestEvents.tree(e.setOnce())).isEqualTo(TestEvents.tree("{\"first\":\"yes\"}"));
        JsonNode props = TestEvents.tree(e.properties());
        assertThat(props.get("$set").get("email").asText()).isEqualTo("a@b.c");
        assertThat(props.has("$process_person_profile")).isFalse();
    }

    @Test
    void aliasAndMergeDangerouslyAskToMergeTheAlias() {
        assertThat(TestEvents.alias("user-1", "old-id").mergeOther()).isEqualTo("old-id");
        assertThat(TestEvents.mergeDangerously("user-1", "old-id").mergeOther()).isEqualTo("old-id");
        assertThat(TestEvents.normalized("u", "{\"event\":\"$create_alias\",\"properties\":{\"alias\":\"\"}}").mergeOther()).isNull();
        assertThat(TestEvents.identify("same", "same").mergeOther()).isNull();
    }

    @Test
    void mergingWithAnIllegalIdIsRefusedWithAWarningButTheEventIsKept() {
        EventNormalizer.Accepted a = accept(TestEvents.captured("user-1",
                "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"undefined\"}}"));
        assertThat(a.event().mergeOther()).isNull();
        assertThat(a.event().processPerson()).isTrue();
        assertThat(a.warnings()).extracting(IngestionWarning::type).containsExactly("cannot_merge_with_illegal_distinct_id");
        assertThat(TestEvents.tree(a.warnings().get(0).details()).get("illegalDistinctId").asText()).isEqualTo("undefined");
    }

    @Test
    void anIllegalDistinctIdMakesTheEventPersonlessWithAWarning() {
        for (String id : List.of("anonymous", "null", "undefined", "0", "NaN", "[object Object]", "guest", "distinct_id", "email")) {
            EventNormalizer.Accepted a = accept(TestEvents.captured(id,
                    "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"anon-9\",\"$set\":{\"a\":1}}}"));
            assertThat(a.illegalDistinctId()).as(id).isTrue();
            assertThat(a.event().processPerson()).isFalse();
            assertThat(a.event().mergeOther()).isNull();
            assertThat(a.event().set()).isNull();
            assertThat(a.warnings()).extracting(IngestionWarning::type).containsExactly("illegal_distinct_id");
        }
    }

    @Test
    void personProcessingEventsGetInitialAndCampaignPropertiesButTheClientsOwnSetWins() {
        NormalizedEvent e = TestEvents.normalized("u", "{\"event\":\"$pageview\",\"properties\":{\"$browser\":\"Chrome\","
                + "\"utm_source\":\"news\",\"$referrer\":\"https://x/\",\"$set\":{\"$browser\":\"Mine\"}}}");
        assertThat(TestEvents.tree(e.set())).isEqualTo(TestEvents.tree(
                "{\"$browser\":\"Mine\",\"$referrer\":\"https://x/\",\"utm_source\":\"news\"}"));
        assertThat(TestEvents.tree(e.setOnce())).isEqualTo(TestEvents.tree(
                "{\"$initial_browser\":\"Chrome\",\"$initial_referrer\":\"https://x/\",\"$initial_utm_source\":\"news\"}"));
    }

    @Test
    void personlessEventsDropPersonUpdates() {
        NormalizedEvent e = TestEvents.normalized("u", "{\"event\":\"x\",\"$set\":{\"a\":1},\"properties\":{"
                + "\"$process_person_profile\":false,\"$set_once\":{\"b\":2},\"$unset\":[\"c\"]}}");
        assertThat(e.processPerson()).isFalse();
        assertThat(e.set()).isNull();
        assertThat(e.setOnce()).isNull();
        assertThat(e.unset()).isNull();
        JsonNode props = TestEvents.tree(e.properties());
        assertThat(props.has("$set")).isFalse();
        assertThat(props.has("$set_once")).isFalse();
        assertThat(props.has("$unset")).isFalse();
    }

    @Test
    void aPersonlessIdentifyIsKeptPersonlessWithAWarningAndMergesNothing() {
        EventNormalizer.Accepted a = accept(TestEvents.captured("user-1",
                "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"a\",\"$process_person_profile\":false}}"));
        assertThat(a.event().processPerson()).isFalse();
        assertThat(a.event().mergeOther()).isNull();
        assertThat(a.warnings()).extracting(IngestionWarning::type)
                .containsExactly("invalid_event_when_process_person_profile_is_false");
    }

    @Test
    void aGroupIdentifyNeverUpdatesThePerson() {
        NormalizedEvent e = TestEvents.normalized("u", "{\"event\":\"$groupidentify\",\"properties\":{\"$group_type\":\"company\","
                + "\"$group_set\":{\"n\":1},\"$set\":{\"a\":1},\"$browser\":\"Chrome\"}}");
        assertThat(e.processPerson()).isTrue();
        assertThat(e.set()).isNull();
        assertThat(e.setOnce()).isNull();
        assertThat(TestEvents.tree(e.properties()).has("$set")).isFalse();
    }

    @Test
    void unsetAcceptsAListOrAnObjectsKeys() {
        assertThat(TestEvents.normalized("u", "{\"event\":\"x\",\"properties\":{\"$unset\":[\"a\",\"b\"]}}").unset())
                .isEqualTo("[\"a\",\"b\"]");
        assertThat(TestEvents.normalized("u", "{\"event\":\"x\",\"properties\":{\"$unset\":{\"a\":null}}}").unset())
                .isEqualTo("[\"a\"]");
    }

    @Test
    void theClientsIpIsKeptAndCapturesIsAddedWhenThereIsNone() {
        JsonNode own = TestEvents.tree(TestEvents.normalized("u", "{\"event\":\"x\",\"properties\":{\"$ip\":\"10.0.0.1\"}}").properties());
        assertThat(own.get("$ip").asText()).isEqualTo("10.0.0.1");
        JsonNode added = TestEvents.tree(TestEvents.normalized("u", "{\"event\":\"x\"}").properties());
        assertThat(added.get("$ip").asText()).isEqualTo("203.0.113.7");
    }

    @Test
    void anInvalidUuidIsReplacedDeterministicallyWithAWarning() {
        CapturedEvent c = TestEvents.captured("u", "{\"uuid\":\"not-a-uuid\",\"event\":\"x\",\"timestamp\":\"2026-11-21T00:00:00Z\"}");
        EventNormalizer.Accepted a = accept(c);
        EventNormalizer.Accepted again = accept(c);
        assertThat(a.event().uuid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
                .isEqualTo(again.event().uuid());
        assertThat(a.warnings()).extracting(IngestionWarning::type).containsExactly("invalid_event_uuid");

        CapturedEvent upper = TestEvents.captured("u", "{\"uuid\":\"01A2006F-E564-70F4-8C85-5127CC9A6E10\",\"event\":\"x\"}");
        assertThat(accept(upper).event().uuid()).isEqualTo("01a2006f-e564-70f4-8c85-5127cc9a6e10");
    }

    @Test
    void longOrNonStringEventNamesAreLimitedTo200Characters() {
        String longName = "e".repeat(250);
        assertThat(TestEvents.normalized("u", "{\"event\":\"" + longName + "\"}").event()).hasSize(200);
        assertThat(TestEvents.normalized("u", "{\"event\":{\"a\":1}}").event()).isEqualTo("{\"a\":1}");
    }

    @Test
    void strayUtf16SurrogatesAndNulCharactersAreReplacedSoTheEventCanBeEncoded() {
        NormalizedEvent e = TestEvents.normalized("u", "{\"event\":\"x\\ud800y\",\"properties\":{\"k\\udc00\":\"a\\u0000b\","
                + "\"ok\":\"\\ud83d\\ude00\",\"list\":[\"\\ud800\"]}}");
        assertThat(e.event()).isEqualTo("x\uFFFDy");
        JsonNode props = TestEvents.tree(e.properties());
        assertThat(props.get("k\uFFFD").asText()).isEqualTo("a\uFFFDb");
        assertThat(props.get("ok").asText()).isEqualTo("\uD83D\uDE00");
        assertThat(props.get("list").get(0).asText()).isEqualTo("\uFFFD");
    }

    @Test
    void legacyElementsAreTurnedIntoAnElementsChain() {
        NormalizedEvent e = TestEvents.normalized("u", "{\"event\":\"$autocapture\",\"properties\":{\"$elements\":["
                + "{\"tag_name\":\"a\",\"$el_text\":\"Go\",\"attr__class\":\"btn primary\",\"attr__href\":\"/go\",\"nth_child\":1,\"nth_of_type\":2},"
                + "{\"tag_name\":\"div\",\"attr__id\":\"main\"}]}}");
        assertThat(e.elementsChain()).isEqualTo("a.btn.primary:attr__class=\"btn primary\"attr__href=\"/go\"href=\"/go\""
                + "nth-child=\"1\"nth-of-type=\"2\"text=\"Go\";div:attr__id=\"main\"attr_id=\"main\"nth-child=\"0\"nth-of-type=\"0\"");
        assertThat(TestEvents.tree(e.properties()).has("$elements")).isFalse();
    }

    @Test
    void whatCannotBeStoredIsRejectedWithAReason() {
        assertThat(reject(new CapturedEvent("u", "d", 0, "t", null, null, 1, null, TestEvents.tree("{\"event\":\"x\"}"))))
                .isEqualTo("missing_team");
        assertThat(reject(new CapturedEvent("u", "d", 2, "t", null, null, 1, null, TestEvents.tree("[1]"))))
                .isEqualTo("invalid_event");
        assertThat(reject(new CapturedEvent("u", "d", 2, "t", null, null, 1, null, TestEvents.tree("{\"event\":\" \"}"))))
                .isEqualTo("missing_event_name");
        assertThat(reject(new CapturedEvent("u", "d", 2, "t", null, null, 1, null, TestEvents.tree("{\"event\":\"x\",\"properties\":[]}"))))
                .isEqualTo("invalid_properties");
        assertThat(reject(new CapturedEvent("u", null, 2, "t", null, null, 1, null, TestEvents.tree("{\"event\":\"x\"}"))))
                .isEqualTo("missing_distinct_id");
    }

    @Test
    void anInvalidProcessPersonProfileValueKeepsPersonProcessingWithAWarning() {
        EventNormalizer.Accepted a = accept(TestEvents.captured("u", "{\"event\":\"x\",\"properties\":{\"$process_person_profile\":\"no\"}}"));
        assertThat(a.event().processPerson()).isTrue();
        assertThat(a.warnings()).extracting(IngestionWarning::type).containsExactly("invalid_process_person_profile");
        ObjectNode props = (ObjectNode) TestEvents.tree(a.event().properties());
        assertThat(props.has("$process_person_profile")).isFalse();
    }

    private static EventNormalizer.Accepted accept(CapturedEvent c) {
        return (EventNormalizer.Accepted) EventNormalizer.normalize(c);
    }

    private static String reject(CapturedEvent c) {
        return ((EventNormalizer.Rejected) EventNormalizer.normalize(c)).reason();
    }
}
