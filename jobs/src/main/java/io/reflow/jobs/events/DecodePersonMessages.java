package io.reflow.jobs.events;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.UncheckedIOException;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Person-merges feedback records → inputs of the person stage, keyed by their target; what does not decode is a dead letter. */
public final class DecodePersonMessages extends ProcessFunction<ConsumedRecord, PersonInput> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("person-merges-dead-letters") {};
    static final String STAGE = "events-person-merges";

    @Override
    public void processElement(ConsumedRecord record, Context ctx, Collector<PersonInput> out) {
        PersonMessage message;
        try {
            message = PersonMessage.decode(record.value());
        } catch (UncheckedIOException | IllegalArgumentException | NullPointerException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.ofRecord(STAGE, "invalid_person_message", String.valueOf(e.getMessage()), record));
            return;
        }
        out.collect(PersonInput.message(message.key(), record.value(), record.topic(), record.partition(), record.offset()));
    }
}
