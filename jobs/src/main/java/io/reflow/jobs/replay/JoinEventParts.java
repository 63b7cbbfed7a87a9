package io.reflow.jobs.replay;

import io.reflow.contracts.RetentionClass;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins the parts of an rrweb event that capture cut because it was larger than a Kafka message
 * ({@link io.reflow.contracts.RecordingEventPart}) back into the event, then decodes it like any other
 * ({@link RecordingDecoder}). Chunks of whole events pass straight through. Keyed by session: a session's messages
 * share a Kafka partition, so its parts arrive in order, and nothing of the session overtakes them.
 *
 * <p>The parts received so far are keyed state (RocksDB in production, so a large snapshot is not on the heap).
 * An event whose parts stop coming (a part lost to a failed request that the client then sent again under a new
 * id) becomes a dead letter when a new event's first part arrives, or after {@code partTimeout}.
 */
public final class JoinEventParts extends KeyedProcessFunction<String, SessionChunk, SessionChunk> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("replay-part-dead-letters") {};
    static final String STAGE = "replay-join-parts";
    public static final Duration DEFAULT_PART_TIMEOUT = Duration.ofMinutes(10);

    private final long maxDecompressedEventBytes;
    private final long partTimeoutMs;
    private transient ValueState<PartsInProgress> progress;
    private transient ListState<byte[]> parts;
    private transient RecordingDecoder decoder;

    /** What is known of the event being joined: its first part (without bytes), the next index, the expiry timer. */
    public record PartsInProgress(SessionChunk first, int next, long expiresAt) {}

    public JoinEventParts(long maxDecompressedEventBytes, Duration partTimeout) {
        if (partTimeout.isNegative() || partTimeout.isZero()) {
            throw new IllegalArgumentException("the part timeout must be positive");
        }
        this.maxDecompressedEventBytes = maxDecompressedEventBytes;
        this.partTimeoutMs = partTimeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        progress = getRuntimeContext().getState(new ValueStateDescriptor<>("event-parts-progress",
                TypeInformation.of(PartsInProgress.class)));
        parts = getRuntimeContext().getListState(new ListStateDescriptor<>("event-parts",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        decoder = new RecordingDecoder(maxDecompressedEventBytes);
    }

    @Override
    public void close() throws Exception {
        if (decoder != null) {
            decoder.close();
        }
        super.close();
    }

    @Override
    public void processElement(SessionChunk chunk, Context ctx, Collector<SessionChunk> out) throws Exception {
        SessionChunk.EventPart part = chunk.eventPart();
        if (part == null) {
            out.collect(chunk);
            return;
        }
        PartsInProgress current = progress.value();
        if (current != null && !(current.first().eventPart().id().equals(part.id()) && current.next() == part.index())) {
            abandon(current, ctx, "incomplete_event_parts", "received " + current.next() + " of "
                    + current.first().eventPart().count() + " parts of event " + current.first().eventPart().id()
                    + " before " + describe(part));
            current = null;
        }
        if (current == null && part.index() != 0) {
            ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, "orphan_event_part", describe(part) + " arrived without the parts before it",
                    origin(part), chunk.teamId(), chunk.sessionId(), null));
            return;
        }
        if (current == null) {
            long expiresAt = ctx.timerService().currentProcessingTime() + partTimeoutMs;
            ctx.timerService().registerProcessingTimeTimer(expiresAt);
            current = new PartsInProgress(withoutBytes(chunk), 0, expiresAt);
        }
        parts.add(part.bytes());
        if (part.index() < part.count() - 1) {
            progress.update(new PartsInProgress(current.first(), part.index() + 1, current.expiresAt()));
            return;
        }
        byte[] joined = joined();
        ctx.timerService().deleteProcessingTimeTimer(current.expiresAt());
        clear();
        emitEvent(current.first(), joined, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChunk> out) throws Exception {
        PartsInProgress current = progress.value();
        if (current != null && current.expiresAt() == timestamp) {
            abandon(current, ctx, "incomplete_event_parts", "received " + current.next() + " of "
                    + current.first().eventPart().count() + " parts of event " + current.first().eventPart().id()
                    + ", then nothing for " + Duration.ofMillis(partTimeoutMs));
        }
    }

    private void emitEvent(SessionChunk first, byte[] joined, Context ctx, Collector<SessionChunk> out) {
        SessionChunk.EventPart part = first.eventPart();
        RecordingDecoder.Origin origin = new RecordingDecoder.Origin(first.teamId(), first.sessionId(), part.windowId(),
                first.distinctId(), first.snapshotSource(), first.snapshotLibrary(), first.receivedAtMs(),
                RetentionClass.parse(first.retention()), first.encrypt());
        SessionChunk chunk;
        try {
            chunk = decoder.decodeEvent(origin, joined, ctx.timerService().currentProcessingTime(), origin(part),
                    dead -> ctx.output(DEAD_LETTERS, dead));
        } catch (IOException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, "invalid_event_parts", "the joined parts of event " + part.id()
                    + " are not JSON: " + e.getMessage(), origin(part), first.teamId(), first.sessionId(), null));
            return;
        }
        if (chunk != null) {
            out.collect(chunk);
        }
    }

    private void abandon(PartsInProgress current, Context ctx, String reason, String detail) throws Exception {
        SessionChunk first = current.first();
        ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, reason, detail, origin(first.eventPart()), first.teamId(),
                first.sessionId(), null));
        ctx.timerService().deleteProcessingTimeTimer(current.expiresAt());
        clear();
    }

    private byte[] joined() throws Exception {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] bytes : parts.get()) {
            joined.write(bytes);
        }
        return joined.toByteArray();
    }

    private void clear() {
        progress.clear();
        parts.clear();
    }

    private static SessionChunk withoutBytes(SessionChunk chunk) {
        SessionChunk.EventPart p = chunk.eventPart();
        return new SessionChunk(chunk.teamId(), chunk.sessionId(), chunk.distinctId(), chunk.snapshotSource(),
                chunk.snapshotLibrary(), chunk.retention(), chunk.receivedAtMs(), chunk.metrics(), null, null,
                new SessionChunk.EventPart(p.id(), p.index(), p.count(), new byte[0], p.windowId(), p.sourceTopic(),
                        p.sourcePartition(), p.sourceOffset()), chunk.encrypt());
    }

    private static ConsumedRecord origin(SessionChunk.EventPart part) {
        return new ConsumedRecord(part.sourceTopic(), part.sourcePartition(), part.sourceOffset(), 0L, null, null);
    }

    private static String describe(SessionChunk.EventPart part) {
        return "part " + part.index() + " of " + part.count() + " of event " + part.id();
    }
}
