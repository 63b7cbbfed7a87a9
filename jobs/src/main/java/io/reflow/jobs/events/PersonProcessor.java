package io.reflow.jobs.events;

import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.KeyedBytes;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The keyed person stage (key {@code team_id:distinct_id}): loads the key's {@link KeyState}, runs
 * {@link PersonLogic}, stores the state when it changed, and publishes. Main output: enriched events for
 * {@code clickhouse_events_json}; side outputs: person rows, distinct-id rows, ingestion warnings, messages for the
 * person-merges feedback topic, and dead letters for inputs it cannot handle (nothing is published for those, and
 * the state is left as it was). No timers: a person is kept for as long as the job runs (it must be: a distinct id
 * can come back any time), and a personless or illegal distinct id never gets state.
 */
public final class PersonProcessor extends KeyedProcessFunction<String, PersonInput, KeyedBytes> {
    public static final OutputTag<KeyedBytes> PERSONS = new OutputTag<>("persons") {};
    public static final OutputTag<KeyedBytes> DISTINCT_IDS = new OutputTag<>("person-distinct-ids") {};
    public static final OutputTag<KeyedBytes> WARNINGS = new OutputTag<>("person-warnings") {};
    public static final OutputTag<KeyedBytes> MERGES = new OutputTag<>("person-merges") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("person-dead-letters") {};
    static final String STATE = "person-key-state";
    static final String STAGE = "events-person";

    private transient ValueState<byte[]> state;

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(PersonInput in, Context ctx, Collector<KeyedBytes> out) throws Exception {
        String key = ctx.getCurrentKey();
        long now = ctx.timerService().currentProcessingTime();
        Buffer buffer = new Buffer();
        PersonLogic.Next next;
        try {
            // an illegal distinct id never has state: its personless events need not look
            KeyState current = in.event() != null && illegalPersonless(in.event()) ? null : KeyState.decode(state.value());
            next = in.event() != null
                    ? PersonLogic.onEvent(key, current, in.event(), 0, now, buffer)
                    : PersonLogic.onMessage(key, current, PersonMessage.decode(in.message()), now, buffer);
        } catch (RuntimeException e) {
            String payload = SizeLimits.deadLetterPayload(in.event() != null ? Json.encode(in.event()) : in.message());
            ctx.output(DEAD_LETTERS, new DeadLetter(STAGE, "person_processing_failed", String.valueOf(e), in.topic(),
                    in.partition(), in.offset(), DistinctIds.teamOf(key), null, payload));
            return;
        }
        if (next.changed()) {
            if (next.state() == null) {
                state.clear();
            } else {
                state.update(next.state().encode());
            }
        }
        for (EventRow e : buffer.events) {
            SizeLimits.Fitted fitted = SizeLimits.event(e);
            if (fitted.warning() != null) {
                ctx.output(WARNINGS, warning(fitted.warning()));
            }
            if (fitted.value() != null) {
                out.collect(new KeyedBytes(e.event().uuid(), fitted.value()));
            } else {
                ctx.output(DEAD_LETTERS, tooLarge(in, key, "an enriched event", Json.encode(e.toEnriched())));
            }
        }
        for (PersonRow r : buffer.persons) {
            byte[] value = JsonRows.person(r);
            if (value.length <= SizeLimits.MAX_RECORD_BYTES) {
                ctx.output(PERSONS, new KeyedBytes(r.id(), value));
            } else { // cannot happen while person properties are capped well below it
                ctx.output(DEAD_LETTERS, tooLarge(in, key, "a person row", value));
            }
        }
        for (PersonDistinctIdRow r : buffer.distinctIds) {
            ctx.output(DISTINCT_IDS, new KeyedBytes(DistinctIds.key(r.teamId(), r.distinctId()), JsonRows.distinctId(r)));
        }
        for (IngestionWarning w : buffer.warnings) {
            ctx.output(WARNINGS, warning(w));
        }
        for (PersonMessage m : buffer.messages) {
            SizeLimits.Fitted fitted = SizeLimits.message(m);
            if (fitted.warning() != null) {
                ctx.output(WARNINGS, warning(fitted.warning()));
            }
            if (fitted.value() != null) {
                ctx.output(MERGES, new KeyedBytes(m.key(), fitted.value()));
            } else {
                ctx.output(DEAD_LETTERS, tooLarge(in, key, "a person message", m.encode()));
            }
        }
    }

    private static boolean illegalPersonless(NormalizedEvent e) {
        return !e.processPerson() && DistinctIds.isIllegal(e.distinctId());
    }

    private static DeadLetter tooLarge(PersonInput in, String key, String what, byte[] value) {
        return new DeadLetter(STAGE, "message_too_large", what + " of " + value.length + " bytes is larger than "
                + SizeLimits.MAX_RECORD_BYTES + " bytes", in.topic(), in.partition(), in.offset(), DistinctIds.teamOf(key),
                null, SizeLimits.deadLetterPayload(value));
    }

    static KeyedBytes warning(IngestionWarning w) {
        return new KeyedBytes(Long.toString(w.teamId()), Json.encode(w));
    }

    /** Collects one input's outputs, so an input that fails publishes nothing. */
    static final class Buffer implements PersonLogic.Output {
        final List<EventRow> events = new ArrayList<>(1);
        final List<PersonRow> persons = new ArrayList<>(0);
        final List<PersonDistinctIdRow> distinctIds = new ArrayList<>(0);
        final List<IngestionWarning> warnings = new ArrayList<>(0);
        final List<PersonMessage> messages = new ArrayList<>(0);

        @Override
        public void event(EventRow event) {
            events.add(event);
        }

        @Override
        public void person(PersonRow row) {
            persons.add(row);
        }

        @Override
        public void distinctId(PersonDistinctIdRow row) {
            distinctIds.add(row);
        }

        @Override
        public void warning(IngestionWarning warning) {
            warnings.add(warning);
        }

        @Override
        public void send(PersonMessage message) {
            messages.add(message);
        }
    }
}
