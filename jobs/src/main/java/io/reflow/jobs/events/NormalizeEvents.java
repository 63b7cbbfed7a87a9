package io.reflow.jobs.events;

import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.KeyedBytes;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Events-topic records → {@link NormalizedEvent}s for the person stage ({@link EventNormalizer}). A record that
 * cannot be decoded or stored goes to the dead-letter output with the reason; warnings go to their own output. An
 * event whose distinct id is illegal goes on too, personless: the person stage publishes it without touching state.
 */
public final class NormalizeEvents extends ProcessFunction<ConsumedRecord, PersonInput> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("events-dead-letters") {};
    public static final OutputTag<KeyedBytes> WARNINGS = new OutputTag<>("events-warnings") {};
    static final String STAGE = "events-normalize";

    @Override
    public void processElement(ConsumedRecord record, Context ctx, Collector<PersonInput> out) {
        CapturedEvent captured;
        boolean clean = false;
        try {
            JsonTreeReader.Captured read = JsonTreeReader.capturedEvent(record.value());
            if (read != null) {
                captured = read.event();
                clean = read.clean();
            } else { // what the quick reader does not take, Jackson decides (and words the error)
                captured = ReadJson.decode(record.value(), CapturedEvent.class);
            }
        } catch (UncheckedIOException | IllegalArgumentException | NullPointerException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "invalid_message", String.valueOf(e.getMessage()), record));
            return;
        }
        EventNormalizer.Result result;
        try {
            result = EventNormalizer.normalize(captured, true, clean);
        } catch (RuntimeException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "normalization_failed", String.valueOf(e), record));
            return;
        }
        if (result instanceof EventNormalizer.Rejected rejected) {
            for (IngestionWarning w : rejected.warnings()) {
                ctx.output(WARNINGS, PersonProcessor.warning(w));
            }
            ctx.output(DEAD_LETTERS, DeadLetter.of(STAGE, rejected.reason(), rejected.detail(), record,
                    captured.teamId() > 0 ? captured.teamId() : null, null, new String(record.value(), StandardCharsets.UTF_8)));
            return;
        }
        EventNormalizer.Accepted accepted = (EventNormalizer.Accepted) result;
        for (IngestionWarning w : accepted.warnings()) {
            ctx.output(WARNINGS, PersonProcessor.warning(w));
        }
        NormalizedEvent event = accepted.event();
        // an illegal distinct id's event is personless: it passes the person stage without touching state, so that
        // every event row leaves from there (the events sink then runs in the person stage's task, no extra hop)
        out.collect(PersonInput.event(event, record.topic(), record.partition(), record.offset()));
    }
}
