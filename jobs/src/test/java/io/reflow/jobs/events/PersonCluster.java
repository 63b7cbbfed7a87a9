package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.KeyedBytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The person stage for many keys at once, with the feedback topic as an in-memory queue whose delivery the test
 * controls: what the Flink job does minus Kafka, so scenario tests can order every message. Two engines: the pure
 * {@link PersonLogic} (state and messages through their JSON encoding on every step, as through RocksDB and Kafka),
 * or the real {@link PersonProcessor} operator under Flink's keyed test harness, its outputs collected from the main
 * and side outputs.
 */
final class PersonCluster implements PersonLogic.Output, AutoCloseable {
    final List<PersonMessage> inFlight = new ArrayList<>();
    final List<EnrichedEvent> events = new ArrayList<>();
    final List<PersonRow> persons = new ArrayList<>();
    final List<PersonDistinctIdRow> distinctIds = new ArrayList<>();
    final List<IngestionWarning> warnings = new ArrayList<>();
    long now = 1_000_000;
    /** How far processing time moves per input (0: every person created in the same millisecond, ranks tie). */
    long tick = 10;
    private final Map<String, byte[]> states = new HashMap<>();
    private final KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> harness;

    private PersonCluster(KeyedOneInputStreamOperatorTestHarness<String, PersonInput, KeyedBytes> harness) {
        this.harness = harness;
    }

    /** Runs {@link PersonLogic} directly. */
    static PersonCluster pure() {
        return new PersonCluster(null);
    }

    /** Runs the {@link PersonProcessor} operator under Flink's keyed one-input test harness (heap state backend). */
    static PersonCluster flink() {
        try {
            var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PersonProcessor()),
                    PersonInput::key, Types.STRING);
            h.open();
            return new PersonCluster(h);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Processes a fresh event on its key (messages it sends stay in flight). */
    PersonCluster send(NormalizedEvent e) {
        now += tick;
        String key = e.key();
        if (harness != null) {
            run(PersonInput.event(e, "events", 0, 0));
        } else {
            apply(key, PersonLogic.onEvent(key, KeyState.decode(states.get(key)), roundTrip(e), 0, now, this));
        }
        return this;
    }

    /** Delivers every message in flight, and what they cause, in order. */
    PersonCluster settle() {
        int guard = 0;
        while (!inFlight.isEmpty()) {
            deliver(0);
            assertThat(++guard).as("messages keep coming").isLessThan(10_000);
        }
        return this;
    }

    /** Delivers the first message in flight that matches. */
    PersonCluster deliverFirst(Predicate<PersonMessage> which) {
        for (int i = 0; i < inFlight.size(); i++) {
            if (which.test(inFlight.get(i))) {
                deliver(i);
                return this;
            }
        }
        throw new AssertionError("no such message in flight: " + inFlight.stream().map(m -> m.type + "→" + m.target).toList());
    }

    private void deliver(int index) {
        now += tick;
        byte[] bytes = inFlight.remove(index).encode();
        PersonMessage m = PersonMessage.decode(bytes);
        String key = m.key();
        if (harness != null) {
            run(PersonInput.message(key, bytes, "merges", 0, 0));
        } else {
            apply(key, PersonLogic.onMessage(key, KeyState.decode(states.get(key)), m, now, this));
        }
    }

    private void apply(String key, PersonLogic.Next next) {
        if (next.changed()) {
            if (next.state() == null) {
                states.remove(key);
            } else {
                states.put(key, next.state().encode());
            }
        }
    }

    private void run(PersonInput input) {
        try {
            harness.setProcessingTime(now);
            harness.processElement(input, 0L);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (Object o : harness.getOutput()) {
            @SuppressWarnings("unchecked")
            StreamRecord<KeyedBytes> r = (StreamRecord<KeyedBytes>) o;
            events.add(Json.decode(r.getValue().value(), EnrichedEvent.class));
        }
        harness.getOutput().clear();
        drain(PersonProcessor.PERSONS, b -> persons.add(Json.decode(b.value(), PersonRow.class)));
        drain(PersonProcessor.DISTINCT_IDS, b -> distinctIds.add(Json.decode(b.value(), PersonDistinctIdRow.class)));
        drain(PersonProcessor.WARNINGS, b -> warnings.add(Json.decode(b.value(), IngestionWarning.class)));
        drain(PersonProcessor.MERGES, b -> {
            PersonMessage m = PersonMessage.decode(b.value());
            assertThat(b.key()).isEqualTo(m.key());
            inFlight.add(m);
        });
        var dead = harness.getSideOutput(PersonProcessor.DEAD_LETTERS);
        assertThat(dead == null ? List.of() : List.copyOf(dead)).as("dead letters").isEmpty();
    }

    private void drain(OutputTag<KeyedBytes> tag, java.util.function.Consumer<KeyedBytes> to) {
        var queue = harness.getSideOutput(tag);
        if (queue != null) {
            queue.forEach(r -> to.accept(r.getValue()));
            queue.clear();
        }
    }

    static NormalizedEvent roundTrip(NormalizedEvent e) {
        return Json.decode(Json.encode(e), NormalizedEvent.class);
    }

    @Override
    public void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Override
    public void event(EventRow event) {
        events.add(event.toEnriched());
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
        inFlight.add(message);
    }

    // ---------------------------------------------------------------------------- what tests look at

    KeyState state(String distinctId) {
        return KeyState.decode(stateBytes(DistinctIds.key(TestEvents.TEAM, distinctId)));
    }

    private byte[] stateBytes(String key) {
        if (harness == null) {
            return states.get(key);
        }
        try {
            KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
            backend.setCurrentKey(key);
            return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor()).value();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every key that holds state. */
    Set<String> keys() {
        if (harness == null) {
            return Set.copyOf(states.keySet());
        }
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        try (var keys = backend.getKeys(PersonProcessor.STATE, VoidNamespace.INSTANCE)) {
            Set<String> out = keys.collect(Collectors.toSet());
            assertThat(harness.numKeyedStateEntries()).isEqualTo(out.size());
            assertThat(harness.numProcessingTimeTimers()).isZero();
            return out;
        }
    }

    private static ValueStateDescriptor<byte[]> descriptor() {
        return new ValueStateDescriptor<>(PersonProcessor.STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The person a distinct id belongs to, following pointers to its host. */
    KeyState.Person personOf(String distinctId) {
        String d = distinctId;
        for (int i = 0; i < 100; i++) {
            KeyState s = state(d);
            if (s == null) {
                return null;
            }
            if (s.person != null) {
                return s.person;
            }
            d = s.pointer.host;
        }
        throw new AssertionError("pointer cycle from " + distinctId);
    }

    /** The newest row of each person id, as ClickHouse's ReplacingMergeTree keeps it. */
    Map<String, PersonRow> personTable() {
        Map<String, PersonRow> table = new LinkedHashMap<>();
        for (PersonRow r : persons) {
            table.merge(r.id(), r, (a, b) -> b.version() > a.version() ? b : a);
        }
        return table;
    }

    /** The newest distinct-id row of each distinct id: distinct id → person id. */
    Map<String, String> distinctIdTable() {
        Map<String, PersonDistinctIdRow> table = new LinkedHashMap<>();
        for (PersonDistinctIdRow r : distinctIds) {
            table.merge(r.distinctId(), r, (a, b) -> b.version() > a.version() ? b : a);
        }
        Map<String, String> out = new LinkedHashMap<>();
        table.forEach((k, v) -> out.put(k, v.personId()));
        return out;
    }

    List<PersonRow> livePersons() {
        return personTable().values().stream().filter(r -> r.isDeleted() == 0).sorted(Comparator.comparing(PersonRow::id)).toList();
    }

    EnrichedEvent event(String uuid) {
        List<EnrichedEvent> found = events.stream().filter(e -> e.uuid().equals(uuid)).toList();
        assertThat(found).as("event " + uuid + " published exactly once").hasSize(1);
        return found.get(0);
    }

    List<String> warningTypes() {
        return warnings.stream().map(IngestionWarning::type).toList();
    }

    /**
     * What must hold once everything settled: every distinct id's newest row points at the live person its key
     * leads to, that person lists it, no live person row is left for a person no key hosts, and distinct-id row
     * versions only grow.
     */
    void assertConsistent() {
        assertThat(inFlight).isEmpty();
        Map<String, String> table = distinctIdTable();
        Map<String, PersonRow> personRows = personTable();
        for (Map.Entry<String, String> row : table.entrySet()) {
            KeyState.Person p = personOf(row.getKey());
            assertThat(p).as("person of " + row.getKey()).isNotNull();
            assertThat(row.getValue()).as("distinct id row of " + row.getKey()).isEqualTo(p.id);
            assertThat(p.distinctIds).as("distinct ids of " + p.id).containsKey(row.getKey());
            assertThat(personRows.get(p.id).isDeleted()).isZero();
            assertThat(personRows.get(p.id).version()).isEqualTo(p.version);
            assertThat(TestEvents.tree(personRows.get(p.id).properties())).isEqualTo(p.properties);
        }
        for (PersonRow live : livePersons()) {
            assertThat(keys().stream().map(k -> KeyState.decode(stateBytes(k))).filter(s -> s.person != null)
                    .anyMatch(s -> s.person.id.equals(live.id()))).as("a key hosts live person " + live.id()).isTrue();
        }
        Map<String, Long> lastVersion = new HashMap<>();
        for (PersonDistinctIdRow r : distinctIds) {
            Long before = lastVersion.put(r.distinctId(), r.version());
            if (before != null) {
                assertThat(r.version()).as("versions of " + r.distinctId()).isGreaterThan(before);
            }
        }
    }
}
