package io.reflow.capture;

import io.reflow.contracts.Json;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds dead-letter records; an offending item too large for one Kafka message is replaced by a note of its size. */
final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {}

    static SinkRecord record(String topic, String key, DeadLetter letter, int maxMessageBytes) {
        LOG.debug("dead-lettering an item from {} of team {}: {} ({})", letter.endpoint(), letter.teamId(), letter.reason(), letter.detail());
        byte[] value = Json.encode(letter);
        if (value.length > maxMessageBytes) {
            value = Json.encode(new DeadLetter(letter.source(), letter.endpoint(), letter.reason(),
                    letter.detail() + " (payload of " + value.length + " bytes dropped: larger than the Kafka message limit)",
                    letter.teamId(), letter.token(), letter.receivedAtMs(), null));
        }
        return new SinkRecord(topic, key, value, Map.of(
                SinkRecord.HEADER_REASON, letter.reason(),
                SinkRecord.HEADER_TEAM_ID, Long.toString(letter.teamId())));
    }
}
