package io.reflow.jobs.replay;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns recordings-topic messages into {@link SessionChunk}s ({@link RecordingDecoder}). A message that cannot be used
 * at all, and each rrweb event that is not valid, goes to the dead-letter output with the reason; the valid events
 * around it are kept.
 *
 * <p>posthog-js per-event compression ({@code "cv": "2024-10"}) is undone here, so stored blocks hold plain rrweb
 * events a stock player replays; an event that does not decode, or decodes to more than
 * {@code maxDecompressedEventBytes}, is a dead letter. Console plugin lines are picked out for the log_entries topic
 * ({@link ConsoleLogs}). A part of an event too large for one Kafka message passes on as a part chunk for
 * {@link JoinEventParts}.
 */
public final class DecodeRecordings extends ProcessFunction<ConsumedRecord, SessionChunk> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("replay-dead-letters") {};
    static final String STAGE = RecordingDecoder.STAGE;
    static final long MAX_FUTURE_MS = RecordingDecoder.MAX_FUTURE_MS;
    /** What one rrweb event may decompress to by default: capture's 1 MB Kafka messages of gzip JSON stay well below. */
    public static final long DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES = 64L * 1024 * 1024;

    private final long maxDecompressedEventBytes;
    private transient RecordingDecoder decoder;

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
    public void open(OpenContext context) throws Exception {
        super.open(context);
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
    public void processElement(ConsumedRecord record, Context ctx, Collector<SessionChunk> out) {
        SessionChunk chunk = decoder.decode(record, ctx.timerService().currentProcessingTime(),
                dead -> ctx.output(DEAD_LETTERS, dead));
        if (chunk != null) {
            out.collect(chunk);
        }
    }
}
