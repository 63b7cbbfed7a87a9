package io.reflow.jobs.events;

import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;

/**
 * The sizes the events job keeps to, so that no person and no record can stop it.
 *
 * <ul>
 *   <li>A person's properties stay within {@link #MAX_PERSON_PROPERTIES_BYTES} (as UTF-8 JSON): PostHog's limit
 *       (the {@code check_properties_size} constraint of its person table, 640 KiB). As in PostHog, an update that
 *       would go past it is refused with a {@code person_properties_size_violation} warning; the person stays as it
 *       was and the event is still published.</li>
 *   <li>Every record the job writes stays within {@link #MAX_RECORD_BYTES}, capture's limit for what it writes to
 *       Kafka and below the producers' default {@code max.request.size} (1 MiB): a larger record would fail the
 *       Kafka sink, and with it the job, again after every restart. An event row that is too large is published
 *       without its person properties; if it is still too large it becomes a dead letter (PostHog drops such events
 *       with {@code message_size_too_large}). A feedback message that is too large travels without the event's
 *       properties and the target person's properties snapshot (the event is then published without them). Each
 *       case is reported as a {@code message_size_too_large} warning.</li>
 * </ul>
 */
final class SizeLimits {
    static final int MAX_PERSON_PROPERTIES_BYTES = 640 * 1024;
    static final int MAX_RECORD_BYTES = 1_000_000;
    /** How much of a record a dead letter keeps. */
    static final int DEAD_LETTER_PAYLOAD_CHARS = 100_000;

    /** A record ready to write, or null when it cannot be made to fit; the warning says what was done (or null). */
    record Fitted(byte[] value, IngestionWarning warning) {}

    private SizeLimits() {}

    static boolean tooLargeForAPerson(String propertiesJson) {
        // UTF-8 takes at most 3 bytes per char: most persons are decided without counting
        return propertiesJson.length() * 3L > MAX_PERSON_PROPERTIES_BYTES
                && utf8Length(propertiesJson) > MAX_PERSON_PROPERTIES_BYTES;
    }

    static Fitted event(EventRow row) {
        byte[] value = JsonRows.event(row);
        if (value.length <= MAX_RECORD_BYTES) {
            return new Fitted(value, null);
        }
        byte[] trimmed = JsonRows.event(row.withoutPersonProperties());
        boolean fits = trimmed.length <= MAX_RECORD_BYTES;
        NormalizedEvent e = row.event();
        return new Fitted(fits ? trimmed : null, warning(e.teamId(), e.createdAt(), "event", e.uuid(), e.distinctId(),
                value.length, fits ? "published without person properties" : "dead-lettered"));
    }

    static Fitted message(PersonMessage m) {
        byte[] value = m.encode();
        if (value.length <= MAX_RECORD_BYTES) {
            return new Fitted(value, null);
        }
        PersonMessage trimmed = PersonMessage.decode(value);
        if (trimmed.into != null) {
            PersonMessage.Snapshot s = trimmed.into;
            trimmed.into = new PersonMessage.Snapshot(s.host(), s.rank(), s.personId(), s.createdAt(),
                    Json.mapper().createObjectNode());
        }
        NormalizedEvent e = trimmed.event;
        if (e != null) {
            trimmed.event = new NormalizedEvent(e.uuid(), e.event(), e.teamId(), e.distinctId(), e.timestamp(),
                    e.createdAt(), "{}", e.elementsChain(), e.sessionId(), e.processPerson(), e.mergeOther(), e.set(),
                    e.setOnce(), e.unset());
        }
        byte[] smaller = trimmed.encode();
        boolean fits = smaller.length <= MAX_RECORD_BYTES;
        return new Fitted(fits ? smaller : null, warning(m.teamId, e != null ? e.createdAt() : 0L,
                "person message " + m.type, e != null ? e.uuid() : "", e != null ? e.distinctId() : m.target, value.length,
                fits ? "sent without the event's and the person's properties" : "dead-lettered"));
    }

    static String deadLetterPayload(byte[] value) {
        String s = new String(value, 0, Math.min(value.length, DEAD_LETTER_PAYLOAD_CHARS * 3), StandardCharsets.UTF_8);
        return s.length() > DEAD_LETTER_PAYLOAD_CHARS ? s.substring(0, DEAD_LETTER_PAYLOAD_CHARS) : s;
    }

    private static IngestionWarning warning(long team, long timestamp, String what, String eventUuid, String distinctId,
                                            int bytes, String action) {
        return Warnings.of(team, Warnings.MESSAGE_SIZE_TOO_LARGE, timestamp, "record", what, "eventUuid", eventUuid,
                "distinctId", distinctId, "bytes", bytes, "limitBytes", MAX_RECORD_BYTES, "action", action);
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
