package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /e/} and its aliases (and the legacy {@code GET /e/?data=} pixel): one Kafka record per event on
 * the events topic, keyed {@code token:distinct_id}. An event that cannot be processed ({@link ItemChecks}) goes
 * to the dead-letter topic with the reason; the rest of the request is accepted. A team over its events limit
 * is answered {@code quota_limited} and nothing of the request is written.
 */
final class EventsEndpoint {
    static final Reply QUOTA_LIMITED = Reply.quotaLimited(VolumeLimiter.EVENTS);

    private final CaptureConfig config;
    private final Authenticator auth;
    private final GuardedSink sink;
    private final VolumeLimiter limiter;
    private final CaptureMetrics metrics;

    EventsEndpoint(CaptureConfig config, Authenticator auth, GuardedSink sink, VolumeLimiter limiter, CaptureMetrics metrics) {
        this.config = config;
        this.auth = auth;
        this.sink = sink;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    CompletableFuture<Reply> handle(Request request, int decodedLimit) {
        byte[] json = BodyDecoder.decode(request, decodedLimit);
        metrics.decodedBytes(request.route(), json.length);
        Payload payload = Payload.parse(json);
        Team team = auth.authenticate(payload.token(request));
        if (!limiter.allowEvents(team, payload.items().size())) {
            metrics.quotaLimited(VolumeLimiter.EVENTS, "volume_limit");
            return CompletableFuture.completedFuture(QUOTA_LIMITED);
        }
        String ip = team.anonymizeIps() ? ClientIp.anonymize(request.remoteIp()) : request.remoteIp();
        String now = Instant.ofEpochMilli(request.receivedAtMs()).toString();

        List<SinkRecord> records = new ArrayList<>(payload.items().size());
        for (PayloadItem item : payload.items()) {
            records.add(toRecord(item, payload, request, team, ip, now));
        }
        return sink.send(records).thenApply(done -> Reply.OK);
    }

    private SinkRecord toRecord(PayloadItem item, Payload payload, Request request, Team team, String ip, String now) {
        JsonNode event = item.node();
        String invalid = ItemChecks.invalidEvent(event);
        if (invalid != null) {
            return deadLetter(request, team, invalid, ItemChecks.describe(invalid), payload.fullItem(item));
        }
        String distinctId = Payload.distinctId(event);
        String uuid = Payload.text(event, "uuid");
        CapturedEvent captured = new CapturedEvent(
                uuid != null ? uuid : Uuids.v7(request.receivedAtMs()).toString(),
                distinctId, team.teamId(), team.apiToken(), ip, now, request.receivedAtMs(),
                payload.sentAt(event, request), null);
        byte[] value;
        if (team.anonymizeIps() && event.path("properties").has("$ip")) {
            ObjectNode anonymised = (ObjectNode) payload.fullItem(item);
            ((ObjectNode) anonymised.get("properties")).remove("$ip");
            value = Json.encode(new CapturedEvent(captured.uuid(), distinctId, captured.teamId(), captured.token(), ip, now,
                    captured.receivedAtMs(), captured.sentAt(), anonymised));
        } else {
            // the event goes on as the client sent it: its bytes are copied, not parsed and encoded again
            value = SplicedJson.fillLastValue(Json.encode(captured), payload.json(), item.start(), item.end());
        }
        if (value.length > config.kafkaMaxMessageBytes()) {
            return deadLetter(request, team, "event_too_large", "the event is " + value.length
                    + " bytes, more than the Kafka message limit of " + config.kafkaMaxMessageBytes(), payload.fullItem(item));
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
