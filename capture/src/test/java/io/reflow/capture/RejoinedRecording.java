package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rrweb events of recording messages in the order they were written, with events cut into parts joined again
 * as the replay job joins them; {@code cutEvents} counts the events that had been cut.
 */
record RejoinedRecording(List<JsonNode> events, int cutEvents) {

    static RejoinedRecording of(List<byte[]> messageValues) {
        List<JsonNode> events = new ArrayList<>();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        int cut = 0;
        for (byte[] value : messageValues) {
            RecordingMessage m = Json.decode(value, RecordingMessage.class);
            if (m.eventPart() == null) {
                if (pending.size() > 0) {
                    throw new IllegalStateException("a message of whole events between the parts of a cut event");
                }
                events.addAll(m.events());
                continue;
            }
            pending.writeBytes(m.eventPart().bytes());
            if (m.eventPart().index() == m.eventPart().count() - 1) {
                try {
                    events.add(Json.mapper().readTree(pending.toByteArray()));
                } catch (IOException e) {
                    throw new UncheckedIOException("joined parts are not JSON", e);
                }
                pending.reset();
                cut++;
            }
        }
        return new RejoinedRecording(events, cut);
    }
}
