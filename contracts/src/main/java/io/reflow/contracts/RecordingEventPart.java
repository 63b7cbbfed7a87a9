package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Base64;

/**
 * One part of a single rrweb event too large for one Kafka message. Capture cuts the event's JSON into
 * {@code count} consecutive messages of the same session (same key, so same partition, in order); the replay
 * job joins parts {@code 0..count-1} of one {@code id} back into the event. {@code data} is base64 of the
 * part's bytes, so a cut may fall inside a UTF-8 sequence.
 */
public record RecordingEventPart(
        @JsonProperty("id") String id,
        @JsonProperty("index") int index,
        @JsonProperty("count") int count,
        @JsonProperty("data") String data) {

    public RecordingEventPart {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an event part needs an id");
        }
        if (count < 2 || index < 0 || index >= count) {
            throw new IllegalArgumentException("event part " + index + " of " + count + " is not a valid part");
        }
        if (data == null) {
            throw new IllegalArgumentException("an event part needs data");
        }
    }

    public static RecordingEventPart of(String id, int index, int count, byte[] bytes, int from, int to) {
        byte[] slice = java.util.Arrays.copyOfRange(bytes, from, to);
        return new RecordingEventPart(id, index, count, Base64.getEncoder().encodeToString(slice));
    }

    public byte[] bytes() {
        return Base64.getDecoder().decode(data);
    }

    /** How many raw bytes fit in a part whose encoded message may use {@code budget} bytes for its data. */
    public static int rawBytesFor(int budget) {
        return Math.max(1, budget / 4 * 3);
    }
}
