package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When an event happened, as PostHog decides it: the client's {@code timestamp} corrected for the client's clock
 * skew with the request's {@code sent_at} and capture's {@code now} ({@code now + (timestamp - sent_at)}); or
 * {@code now - offset} for legacy SDKs that send an {@code offset} in milliseconds; or {@code now}. A timestamp that
 * does not parse, or lands more than 23 hours after {@code now}, yields {@code now} and a warning.
 */
public final class EventTimestamps {
    static final Duration FUTURE_CUTOFF = Duration.ofHours(23);

    /** A timestamp with what went wrong on the way (ingestion warning types with their details). */
    public record Resolved(long timestampMs, List<Problem> problems) {}

    /** An ingestion warning to raise: PostHog's type name and details. */
    public record Problem(String type, Map<String, Object> details) {}

    private static final DateTimeFormatter SQL = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private EventTimestamps() {}

    /**
     * @param now capture's receive time
     * @param sentAt the request's {@code sent_at} as sent, or null
     * @param ignoreSentAt the event's {@code $ignore_sent_at} property
     * @param timestamp the event's {@code timestamp} field (ISO-8601 string, or epoch milliseconds), or null
     * @param offset the event's {@code offset} field (milliseconds before sending), or null
     */
    public static Resolved resolve(Instant now, String sentAt, boolean ignoreSentAt, JsonNode timestamp, JsonNode offset) {
        List<Problem> problems = new ArrayList<>();
        Instant sent = null;
        if (!ignoreSentAt && sentAt != null && !sentAt.isBlank()) {
            sent = parse(sentAt);
            if (sent == null) {
                problems.add(invalid("sent_at", sentAt));
            }
        }
        Instant result = now;
        if (present(timestamp)) {
            Instant ts = timestamp.isNumber() ? ofEpochMilli(timestamp.asLong())
                    : timestamp.isTextual() ? parse(timestamp.asText()) : null;
            if (ts == null) {
                problems.add(invalid("timestamp", timestamp.toString()));
            } else if (sent != null) {
                result = plus(now, Duration.between(sent, ts));
            } else {
                result = ts;
            }
        } else if (present(offset)) {
            Long ms = offset.isNumber() ? Long.valueOf(offset.asLong())
                    : offset.isTextual() ? parseLong(offset.asText()) : null;
            if (ms == null) {
                problems.add(invalid("offset", offset.toString()));
            } else {
                result = plus(now, Duration.ofMillis(-ms));
            }
        }
        if (result == null) {
            problems.add(invalid("timestamp", timestamp == null ? String.valueOf(offset) : timestamp.toString()));
            result = now;
        }
        if (Duration.between(now, result).compareTo(FUTURE_CUTOFF) > 0) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("timestamp", present(timestamp) ? timestamp.asText() : "");
            details.put("sentAt", sentAt == null ? "" : sentAt);
            details.put("offset", present(offset) ? offset.asText() : "");
            details.put("now", now.toString());
            details.put("result", result.toString());
            problems.add(new Problem("event_timestamp_in_future", details));
            result = now;
        }
        int year = result.atOffset(ZoneOffset.UTC).getYear();
        if (year < 0 || year > 9999) {
            problems.add(invalid("timestamp", result.toString()));
            result = now;
        }
        return new Resolved(result.toEpochMilli(), List.copyOf(problems));
    }

    /**
     * An instant from the date formats clients send: ISO-8601 with offset or zone, without one (UTC), with a space
     * instead of 'T', a bare date, or RFC 1123. Null when it is none of them.
     */
    public static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        if (s.isEmpty()) {
            return null;
        }
        Instant utc = parseUtc(s);
        if (utc != null) {
            return utc;
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException ignored) {
            // next format
        }
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant();
        } catch (DateTimeException ignored) {
            // next format
        }
        try {
            return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException ignored) {
            // next format
        }
        try {
            return LocalDateTime.parse(s, SQL).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException ignored) {
            // next format
        }
        if (s.length() > 10 && s.charAt(10) == ' ') {
            Instant spaced = parse(s.substring(0, 10) + "T" + s.substring(11));
            if (spaced != null) {
                return spaced;
            }
        }
        try {
            return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeException ignored) {
            // next format
        }
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException ignored) {
            return null;
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f…]Z}, what JavaScript's {@code toISOString()} and capture write, without a
     * formatter (three per event: they were a tenth of normalisation's time); null for anything else.
     */
    static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n - 1 - 20 > 9 || n - 1 - 20 < 1) {
                return null;
            }
            int fraction = digits(s, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The decimal number in {@code s[from, to)}, or -1 if it is not all digits. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static Instant ofEpochMilli(long ms) {
        try {
            return Instant.ofEpochMilli(ms);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static Long parseLong(String s) {
        try {
            return (long) Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode() && !(node.isTextual() && node.asText().isBlank());
    }

    private static Instant plus(Instant base, Duration d) {
        try {
            return base.plus(d);
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    private static Problem invalid(String field, String value) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        details.put("value", value);
        details.put("reason", "not a date-time this pipeline can read");
        return new Problem("ignored_invalid_timestamp", details);
    }
}
