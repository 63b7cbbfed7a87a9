package io.reflow.jobs.events;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the keyed person stage receives: a fresh event from the events topic, or a message from the person-merges
 * feedback topic (kept as its JSON bytes; decoded in the keyed stage). {@code key} is the target's
 * {@code team_id:distinct_id}; topic, partition and offset say where the input came from (for dead letters).
 * Flink writes it with {@link PersonInputSerializer}.
 */
@TypeInfo(PersonInputSerializer.Factory.class)
public record PersonInput(String key, NormalizedEvent event, byte[] message, String topic, int partition, long offset) {
    public static PersonInput event(NormalizedEvent event, String topic, int partition, long offset) {
        return new PersonInput(event.key(), event, null, topic, partition, offset);
    }

    public static PersonInput message(String key, byte[] message, String topic, int partition, long offset) {
        return new PersonInput(key, null, message, topic, partition, offset);
    }
}
