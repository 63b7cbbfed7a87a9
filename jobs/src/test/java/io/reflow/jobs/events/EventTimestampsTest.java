package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimestampsTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @Test
    void aClientClockThatRunsAnHourAheadIsCorrectedWithSentAtAndCapturesNow() {
        // the client thinks it is 13:00 when it sends; the event happened 2 s before sending
        var r = EventTimestamps.resolve(NOW, "2026-11-22T13:00:00.000Z", false, text("2026-11-22T12:59:58.000Z"), null);
        assertThat(Instant.ofEpochMilli(r.timestampMs())).isEqualTo(Instant.parse("2026-11-22T11:59:58Z"));
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void withoutSentAtTheTimestampIsTakenAsIs() {
        var r = EventTimestamps.resolve(NOW, null, false, text("2026-11-22T11:00:00+01:00"), null);
        assertThat(Instant.ofEpochMilli(r.timestampMs())).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    }

    @Test
    void ignoreSentAtTakesTheTimestampAsIs() {
        var r = EventTimestamps.resolve(NOW, "2026-11-22T13:00:00Z", true, text("2026-11-22T11:00:00Z"), null);
        assertThat(Instant.ofEpochMilli(r.timestampMs())).isEqualTo(Instant.parse("2026-11-22T11:00:00Z"));
    }

    @Test
    void legacyOffsetIsMillisecondsBeforeCapturesNow() {
        var r = EventTimestamps.resolve(NOW, "2026-11-22T13:00:00Z", false, null, JsonNodeFactory.instance.numberNode(1112));
        assertThat(r.timestampMs()).isEqualTo(NOW.toEpochMilli() - 1112);
    }

    @Test
    void noTimestampAndNoOffsetIsNow() {
        assertThat(EventTimestamps.resolve(NOW, null, false, null, null).timestampMs()).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void anUnreadableTimestampIsNowWithAWarning() {
        var r = EventTimestamps.resolve(NOW, "2026-11-22T12:00:00Z", false, text("yesterday-ish"), null);
        assertThat(r.timestampMs()).isEqualTo(NOW.toEpochMilli());
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.type()).isEqualTo("ignored_invalid_timestamp");
            assertThat(p.details()).containsEntry("field", "timestamp");
        });
    }

    @Test
    void anUnreadableSentAtIsIgnoredWithAWarning() {
        var r = EventTimestamps.resolve(NOW, "not a date", false, text("2026-11-22T11:00:00Z"), null);
        assertThat(Instant.ofEpochMilli(r.timestampMs())).isEqualTo(Instant.parse("2026-11-22T11:00:00Z"));
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.details()).containsEntry("field", "sent_at"));
    }

    @Test
    void moreThan23HoursInTheFutureIsNowWithAWarning() {
        var r = EventTimestamps.resolve(NOW, null, false, text("2026-11-24T12:00:00Z"), null);
        assertThat(r.timestampMs()).isEqualTo(NOW.toEpochMilli());
        assertThat(r.problems()).extracting(EventTimestamps.Problem::type).containsExactly("event_timestamp_in_future");

        var ok = EventTimestamps.resolve(NOW, null, false, text("2026-11-23T10:00:00Z"), null);
        assertThat(Instant.ofEpochMilli(ok.timestampMs())).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(ok.problems()).isEmpty();
    }

    @Test
    void epochMillisecondTimestampsAreAccepted() {
        var r = EventTimestamps.resolve(NOW, null, false, JsonNodeFactory.instance.numberNode(1795300000123L), null);
        assertThat(r.timestampMs()).isEqualTo(1795300000123L);
    }

    @Test
    void parsesTheDateFormatsClientsSend() {
        Instant expected = Instant.parse("2026-11-21T23:27:42.948Z");
        assertThat(EventTimestamps.parse("2026-11-21T23:27:42.948Z")).isEqualTo(expected);
        assertThat(EventTimestamps.parse("2026-11-22T00:27:42.948+01:00")).isEqualTo(expected);
        assertThat(EventTimestamps.parse("2026-11-21T23:27:42.948")).isEqualTo(expected);
        assertThat(EventTimestamps.parse("2026-11-21 23:27:42.948")).isEqualTo(expected);
        assertThat(EventTimestamps.parse("2026-11-21")).isEqualTo(Instant.parse("2026-11-21T00:00:00Z"));
        assertThat(EventTimestamps.parse("Sat, 21 Nov 2026 23:27:42 GMT")).isEqualTo(Instant.parse("2026-11-21T23:27:42Z"));
        assertThat(EventTimestamps.parse("")).isNull();
        assertThat(EventTimestamps.parse("21/11/2026")).isNull();
    }

    @Test
    void aTimestampThatIsNotAStringOrNumberIsNowWithAWarning() {
        JsonNode object = JsonNodeFactory.instance.objectNode().put("a", 1);
        var r = EventTimestamps.resolve(NOW, null, false, object, null);
        assertThat(r.timestampMs()).isEqualTo(NOW.toEpochMilli());
        assertThat(r.problems()).hasSize(1);
    }

    private static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }

    @Test
    void theUtcFastPathAgreesWithJavasParserAndLeavesEverythingElseToTheFormats() {
        for (String t : java.util.List.of("2026-11-22T10:00:00Z", "2026-11-22T10:00:00.1Z", "2026-11-22T10:00:00.123Z",
                "2024-02-29T23:59:59.999999Z", "1999-12-31T00:00:00.123456789Z")) {
            assertThat(EventTimestamps.parseUtc(t)).as(t).isEqualTo(Instant.parse(t));
            assertThat(EventTimestamps.parse(t)).as(t).isEqualTo(Instant.parse(t));
        }
        for (String t : java.util.List.of("2026-11-22T10:00:00+00:00", "2026-11-22 10:00:00Z", "2026-02-30T10:00:00Z",
                "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00.1234567890Z", "2026-1x-22T10:00:00Z", "2026-11-22")) {
            assertThat(EventTimestamps.parseUtc(t)).as(t).isNull();
        }
        assertThat(EventTimestamps.parse("2026-11-22T11:00:00+01:00")).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    }
}
