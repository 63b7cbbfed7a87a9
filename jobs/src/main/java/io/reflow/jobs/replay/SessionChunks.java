package io.reflow.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.RetentionClass;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.util.function.Consumer;

/**
 * The rrweb events of one recording message, checked and decoded into a {@link SessionChunk}: each event that is
 * not a valid rrweb event (or whose posthog-js per-event compression does not decode) is a dead letter, the
 * valid ones around it are kept.
 */
final class SessionChunks {
    static final String STAGE = DecodeRecordings.STAGE;

    private SessionChunks() {}

    /** The chunk of the message's valid events, or null (after a {@code no_valid_events} dead letter) when none is. */
    static SessionChunk decode(RecordingMessage message, RetentionClass retention, long now, long maxDecompressedEventBytes,
                               ConsumedRecord origin, Consumer<DeadLetter> deadLetters) {
        String windowId = message.windowId() == null ? "" : message.windowId();
        long latestAllowed = now + DecodeRecordings.MAX_FUTURE_MS;
        TimedLines.Builder lines = new TimedLines.Builder();
        ConsoleLogs.Builder console = new ConsoleLogs.Builder();
        BlockMetrics metrics = BlockMetrics.empty().withMessage();
        for (JsonNode posted : message.events()) {
            String problem = problemWith(posted, latestAllowed);
            if (problem != null) {
                deadLetters.accept(DeadLetter.of(STAGE, problem, "rrweb event rejected", origin,
                        message.teamId(), message.sessionId(), String.valueOf(posted)));
                continue;
            }
            JsonNode event;
            try {
                event = PerEventCompression.decode(posted, maxDecompressedEventBytes);
            } catch (PerEventCompression.UndecodableEvent e) {
                deadLetters.accept(DeadLetter.of(STAGE, e.reason(), e.getMessage(), origin,
                        message.teamId(), message.sessionId(), posted.toString()));
                continue;
            }
            long ts = event.get("timestamp").asLong();
            byte[] line = RecordingBlock.line(windowId, event);
            lines.add(ts, line);
            metrics = metrics.withEvent(event, ts, line.length);
            ConsoleLogs.Line log = ConsoleLogs.of(event, ts, windowId);
            if (log != null) {
                console.add(log);
            }
        }
        if (metrics.eventCount() == 0) {
            deadLetters.accept(DeadLetter.of(STAGE, "no_valid_events", "message holds no valid rrweb event",
                    origin, message.teamId(), message.sessionId(), null));
            return null;
        }
        return new SessionChunk(message.teamId(), message.sessionId(), message.distinctId(),
                orDefault(message.snapshotSource(), "web"), orDefault(message.snapshotLibrary(), "web"),
                retention.pathSegment(), message.receivedAtMs(), metrics, lines.build(),
                console.isEmpty() ? null : console.build(), null, message.encrypt());
    }

    private static String problemWith(JsonNode event, long latestAllowed) {
        if (event == null || !event.isObject()) {
            return "event_not_object";
        }
        if (!event.path("type").canConvertToInt()) {
            return "event_without_type";
        }
        JsonNode ts = event.get("timestamp");
        if (ts == null || !ts.isIntegralNumber()) {
            return "event_without_timestamp";
        }
        if (ts.asLong() <= 0) {
            return "timestamp_not_positive";
        }
        if (ts.asLong() > latestAllowed) {
            return "timestamp_too_far_in_future";
        }
        return null;
    }

    static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
