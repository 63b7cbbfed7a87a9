package io.reflow.jobs.replay;

import io.reflow.contracts.Json;
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
 * events a stock player replays ({@link SessionChunks}); an event that does not decode, or decodes to more
 * than {@code maxDecompressedEventBytes}, is a dead letter. Console plugin lines are picked out for the
 * log_entries topic ({@link ConsoleLogs}). A part of an event too large for one Kafka message passes on as a
 * part chunk for {@link JoinEventParts}.
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
        if (message.eventPart() != null) {
            out.collect(SessionChunk.part(message, retention, new SessionChunk.EventPart(message.eventPart().id(),
                    message.eventPart().index(), message.eventPart().count(), message.eventPart().bytes(),
                    message.windowId(), record.topic(), record.partition(), record.offset())));
            return;
        }
        SessionChunk chunk = SessionChunks.decode(message, retention, ctx.timerService().currentProcessingTime(),
                maxDecompressedEventBytes, record, dead -> ctx.output(DEAD_LETTERS, dead));
        if (chunk != null) {
            out.collect(chunk);
        }
    }
}
