package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /e/} and its aliases: one Kafka record per event on the events topic, keyed
 * {@code token:distinct_id}. An event that cannot be processed (no name, no distinct id) goes to the
 * dead-letter topic with the reason; the rest of the request is accepted.
 */
final class EventsEndpoint {
    private final CaptureConfig config;
    private final Authenticator auth;
    private final GuardedSink sink;

    EventsEndpoint(CaptureConfig config, Authenticator auth, GuardedSink sink) {
        this.config = config;
        this.auth = auth;
        this.sink = sink;
    }

    CompletableFuture<Reply> handle(Request request, int decodedLimit) {
        Payload payload = Payload.parse(BodyDecoder.decode(request, decodedLimit));
        Team team = auth.authenticate(payload.token(request));
        String ip = team.anonymizeIps() ? ClientIp.anonymize(request.remoteIp()) : request.remoteIp();
        String now = Instant.ofEpochMilli(request.receivedAtMs()).toString();

        List<SinkRecord> records = new ArrayList<>(payload.events().size());
        for (JsonNode event : payload.events()) {
            records.add(toRecord(event, payload, request, team, ip, now));
        }
        return sink.send(records).thenApply(done -> Reply.OK);
    }

    private SinkRecord toRecord(JsonNode event, Payload payload, Request request, Team team, String ip, String now) {
        String name = Payload.text(event, "event");
        String distinctId = Payload.distinctId(event);
        if (name == null) {
            return deadLetter(request, team, "missing_event_name", "the event has no \"event\" name", event);
        }
        if (distinctId == null) {
            return deadLetter(request, team, "missing_distinct_id", "the event has no distinct_id", event);
        }
        if (team.anonymizeIps() && event.path("properties").isObject()) {
            event = event.deepCopy();
            ((ObjectNode) event.get("properties")).remove("$ip");
        }
        String uuid = Payload.text(event, "uuid");
        CapturedEvent captured = new CapturedEvent(
                uuid != null ? uuid : Uuids.v7(request.receivedAtMs()).toString(),
                distinctId, team.teamId(), team.apiToken(), ip, now, request.receivedAtMs(),
                payload.sentAt(event, request), event);
        byte[] value = Json.encode(captured);
        if (value.length > config.kafkaMaxMessageBytes()) {
            return deadLetter(request, team, "event_too_large", "the event is " + value.length
                    + " bytes, more than the Kafka message limit of " + config.kafkaMaxMessageBytes(), event);
        }
        return new SinkRecord(config.eventsTopic(), team.apiToken() + ":" + distinctId, value, Map.of(
                SinkRecord.HEADER_TEAM_ID, Long.toString(team.teamId()),
                SinkRecord.HEADER_TOKEN, team.apiToken(),
                SinkRecord.HEADER_DISTINCT_ID, distinctId));
    }

    private SinkRecord deadLetter(Request request, Team team, String reason, String detail, JsonNode event) {
        return DeadLetters.record(config.deadLetterTopic(), null,
                new DeadLetter(DeadLetter.SOURCE, request.path(), reason, detail, team.teamId(), team.apiToken(),
                        request.receivedAtMs(), event), config.kafkaMaxMessageBytes());
    }
}
