package io.reflow.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.RetentionClass;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns recordings-topic messages into {@link SessionChunk}s. A message that cannot be used at all,
 * and each rrweb event that is not valid, goes to the dead-letter output with the reason; the valid
 * events around it are kept.
 *
 * <p>posthog-js per-event compression ({@code "cv": "2024-10"}) is undone here, so stored blocks hold plain rrweb
 * events a stock player replays ({@link PerEventCompression}); an event that does not decode, or decodes to more
 * than {@code maxDecompressedEventBytes}, is a dead letter. Console plugin lines are picked out for the
 * log_entries topic ({@link ConsoleLogs}).
 */
public final class DecodeRecordings extends ProcessFunction<ConsumedRecord, SessionChunk> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("replay-dead-letters") {};
    static final String STAGE = "replay-decode";
    static final long MAX_FUTURE_MS = Duration.ofDays(7).toMillis();
    /** What one rrweb event may decompress to by default: capture's 1 MB Kafka messages of gzip JSON stay well below. */
    public static final long DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES = 64L * 1024 * 1024;
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9-]{1,70}");

    private final long maxDecompressedEventBytes;

    public DecodeRecordings() {
        this(DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES);
    }

    public DecodeRecordings(long maxDecompressedEventBytes) {
        if (maxDecompressedEventBytes <= 0) {
            throw new IllegalArgumentException("the decompressed event limit must be positive");
        }
        this.maxDecompressedEventBytes = maxDecompressedEventBytes;
    }

    @Override
    public void processElement(ConsumedRecord record, Context ctx, Collector<SessionChunk> out) {
        RecordingMessage message;
        try {
            message = Json.decode(record.value(), RecordingMessage.class);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "invalid_message", e.getMessage(), record));
            return;
        }
        if (message.sessionId() == null || !SESSION_ID.matcher(message.sessionId()).matches()) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "invalid_session_id",
                    "session id must be 1-70 chars of [A-Za-z0-9-]", record));
            return;
        }
        if (message.teamId() <= 0) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "missing_team", "message has no team_id", record));
            return;
        }
        RetentionClass retention;
        try {
            retention = RetentionClass.parse(message.retention());
        } catch (IllegalArgumentException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "invalid_retention", e.getMessage(), record));
            return;
        }
        String windowId = message.windowId() == null ? "" : message.windowId();
        long latestAllowed = ctx.timerService().currentProcessingTime() + MAX_FUTURE_MS;
        TimedLines.Builder lines = new TimedLines.Builder();
        ConsoleLogs.Builder console = new ConsoleLogs.Builder();
        BlockMetrics metrics = BlockMetrics.empty().withMessage();
        for (JsonNode posted : message.events()) {
            String problem = problemWith(posted, latestAllowed);
            if (problem != null) {
                ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, problem, "rrweb event rejected", record,
                        message.teamId(), message.sessionId(), String.valueOf(posted)));
                continue;
            }
            JsonNode event;
            try {
                event = PerEventCompression.decode(posted, maxDecompressedEventBytes);
            } catch (PerEventCompression.UndecodableEvent e) {
                ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, e.reason(), e.getMessage(), record,
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
            ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, "no_valid_events", "message holds no valid rrweb event",
                    record, message.teamId(), message.sessionId(), null));
            return;
        }
        out.collect(new SessionChunk(message.teamId(), message.sessionId(), message.distinctId(),
                orDefault(message.snapshotSource(), "web"), orDefault(message.snapshotLibrary(), "web"),
                retention.pathSegment(), message.receivedAtMs(), metrics, lines.build(),
                console.isEmpty() ? null : console.build()));
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

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
