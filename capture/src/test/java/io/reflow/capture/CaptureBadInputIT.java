package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table ({@link BadInputs}) against capture writing to a real broker: for every row the HTTP
 * status, the JSON reason, and exactly what reached the recordings, events and dead-letter topics.
 */
class CaptureBadInputIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private KafkaRecordSink sink;
    private CaptureServer server;

    static List<BadInput> table() {
        return BadInputs.all();
    }

    @Test
    void theTableIsBigEnough() {
        assertThat(table()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(table()).extracting(BadInput::name).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void answersAndWritesExactlyWhatItShould(BadInput input) throws Exception {
        List<String> env = new ArrayList<>(List.of(BadInputs.ENV));
        env.addAll(List.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_RECORDINGS_TOPIC", KAFKA.freshTopic("recordings", 2),
                "KAFKA_EVENTS_TOPIC", KAFKA.freshTopic("events", 2),
                "KAFKA_DEAD_LETTER_TOPIC", KAFKA.freshTopic("dead-letter", 1),
                "KAFKA_MESSAGE_TIMEOUT_MS", "30000"));
        CaptureConfig config = TestTeams.config(env.toArray(String[]::new));
        sink = KafkaRecordSink.create(config);
        server = CaptureServer.start(config, sink, TestTeams.registry());

        RawHttp.Response response = null;
        for (int i = 0; i < input.times(); i++) {
            response = RawHttp.exchange(server.port(), input.wire());
        }

        assertThat(response.status()).as(response.body()).isEqualTo(input.status());
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(response.header("access-control-allow-origin")).isNotNull();
        JsonNode body = Json.mapper().readTree(response.body());
        if (input.code() != null) {
            assertThat(body.get("code").asText()).isEqualTo(input.code());
            assertThat(body.get("detail").asText()).isNotBlank();
            assertThat(body.get("type").asText()).isNotBlank();
        } else {
            assertThat(body).isEqualTo(Json.mapper().readTree(input.okBody()));
        }
        if (input.status() == 503) {
            assertThat(response.header("retry-after")).isNotNull();
        }

        List<String> uuids = TopicContents.read(KAFKA.bootstrapServers(), config.eventsTopic()).stream()
                .map(r -> Json.decode(r.value(), CapturedEvent.class).uuid()).toList();
        assertThat(uuids).as("events").containsExactlyInAnyOrderElementsOf(input.eventUuids());

        List<String> sessions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(KAFKA.bootstrapServers(), config.recordingsTopic())) {
            RecordingMessage m = Json.decode(r.value(), RecordingMessage.class);
            assertThat(TopicContents.key(r)).isEqualTo(m.sessionId());
            assertThat(m.events()).isNotEmpty();
            sessions.add(m.sessionId());
        }
        assertThat(sessions).as("recordings").containsExactlyInAnyOrderElementsOf(input.sessionIds());

        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(KAFKA.bootstrapServers(), config.deadLetterTopic())) {
            DeadLetter letter = Json.decode(r.value(), DeadLetter.class);
            assertThat(TopicContents.header(r, "reason")).isEqualTo(letter.reason());
            assertThat(TopicContents.header(r, "team_id")).isEqualTo("1");
            assertThat(letter.teamId()).isEqualTo(1);
            assertThat(letter.detail()).isNotBlank();
            assertThat(r.value().length).isLessThanOrEqualTo(BadInputs.KAFKA_MAX_MESSAGE_BYTES);
            reasons.add(letter.reason());
        }
        assertThat(reasons).as("dead letters").containsExactlyElementsOf(input.deadLetterReasons());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (sink != null) {
            sink.close();
        }
    }
}
