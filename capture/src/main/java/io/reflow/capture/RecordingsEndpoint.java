package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /s/}: one {@link RecordingMessage} per {@code $snapshot} item on the recordings topic,
 * keyed by session id. Items that cannot be replayed go to the dead-letter topic with the reason;
 * the rest of the request is accepted. A message larger than the Kafka message limit is split into
 * several consecutive messages of whole rrweb events (same key, so same partition, in order).
 * A project with recordings off, or over its recording volume limit, is answered {@code quota_limited}
 * and nothing of the request is written.
 */
final class RecordingsEndpoint {
    /** PostHog's answer when recordings are off or limited for the project; posthog-js then stops recording. */
    static final Reply QUOTA_LIMITED = Reply.quotaLimited(VolumeLimiter.RECORDINGS);

    private final CaptureConfig config;
    private final Authenticator auth;
    private final GuardedSink sink;
    private final VolumeLimiter limiter;
    private final CaptureMetrics metrics;

    RecordingsEndpoint(CaptureConfig config, Authenticator auth, GuardedSink sink, VolumeLimiter limiter, CaptureMetrics metrics) {
        this.config = config;
        this.auth = auth;
        this.sink = sink;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    CompletableFuture<Reply> handle(Request request) {
        byte[] json = BodyDecoder.decode(request, config.maxRecordingsBytes());
        metrics.decodedBytes(request.route(), json.length);
        Payload payload = Payload.parseSnapshots(json);
        Team team = auth.authenticate(payload.token(request));
        if (!team.recordingsEnabled()) {
            metrics.quotaLimited(VolumeLimiter.RECORDINGS, "recordings_disabled");
            return CompletableFuture.completedFuture(QUOTA_LIMITED);
        }
        if (!limiter.allowRecordingBytes(team, json.length)) {
            metrics.quotaLimited(VolumeLimiter.RECORDINGS, "volume_limit");
            return CompletableFuture.completedFuture(QUOTA_LIMITED);
        }
        List<SinkRecord> records = new ArrayList<>();
        for (PayloadItem item : payload.items()) {
            String invalid = invalidReason(item);
            if (invalid != null) {
                records.add(deadLetter(request, team, invalid, payload.fullItem(item)));
                continue;
            }
            JsonNode props = item.node().get("properties");
            RecordingMessage empty = new RecordingMessage(team.teamId(),
                    props.get("$session_id").asText(),
                    Payload.text(props, "$window_id"),
                    Payload.distinctId(item.node()),
                    orDefault(Payload.text(props, "$snapshot_source"), "web"),
                    orDefault(Payload.text(props, "$lib"), "unknown"),
                    request.receivedAtMs(),
                    payload.sentAt(item.node(), request),
                    team.retention().pathSegment(),
                    List.of());
            split(new Recording(empty.sessionId(), Json.encode(empty), payload.json(), item), 0, item.snapshotEventCount(),
                    request, team, records);
        }
        return sink.send(records).thenApply(done -> Reply.OK);
    }

    /** Why an item cannot become a recording message, or null when it can. */
    private static String invalidReason(PayloadItem item) {
        JsonNode node = item.node();
        if (!"$snapshot".equals(Payload.text(node, "event"))) {
            return "not_a_snapshot";
        }
        JsonNode props = node.path("properties");
        JsonNode sessionId = props.get("$session_id");
        if (sessionId == null || sessionId.isNull() || (sessionId.isTextual() && sessionId.asText().isEmpty())) {
            return "missing_session_id";
        }
        if (!ItemChecks.isValidSessionId(sessionId)) {
            return "invalid_session_id";
        }
        if (Payload.distinctId(node) == null) {
            return "missing_distinct_id";
        }
        if (item.snapshotEventCount() == 0) {
            return "no_events";
        }
        if (!item.snapshotEventsAreObjects()) {
            return "invalid_events";
        }
        return null;
    }

    /**
     * One valid item on its way to the topic: the message encoded without events, and where its rrweb events lie
     * in the body.
     */
    private record Recording(String sessionId, byte[] encodedWithoutEvents, byte[] body, PayloadItem item) {}

    /** Writes events {@code [from, to)} of the item as one message, or as several if that is over the Kafka limit. */
    private void split(Recording r, int from, int to, Request request, Team team, List<SinkRecord> out) {
        int start = r.item().snapshotEventStart(from);
        int end = r.item().snapshotEventEnd(to - 1);
        int size = SplicedJson.filledSize(r.encodedWithoutEvents(), end - start);
        if (size <= config.kafkaMaxMessageBytes()) {
            out.add(new SinkRecord(config.recordingsTopic(), r.sessionId(),
                    SplicedJson.fillLastArray(r.encodedWithoutEvents(), r.body(), start, end), Map.of(
                    SinkRecord.HEADER_TEAM_ID, Long.toString(team.teamId()),
                    SinkRecord.HEADER_SESSION_ID, r.sessionId())));
            return;
        }
        if (to - from == 1) {
            out.add(DeadLetters.record(config.deadLetterTopic(), r.sessionId(), new DeadLetter(DeadLetter.SOURCE,
                    request.path(), "event_too_large", "one rrweb event of " + size
                    + " bytes exceeds the Kafka message limit of " + config.kafkaMaxMessageBytes() + " bytes (session "
                    + r.sessionId() + ")", team.teamId(), team.apiToken(), request.receivedAtMs(), null), config.kafkaMaxMessageBytes()));
            return;
        }
        int half = (from + to) / 2;
        split(r, from, half, request, team, out);
        split(r, half, to, request, team, out);
    }

    private SinkRecord deadLetter(Request request, Team team, String reason, JsonNode item) {
        String detail = switch (reason) {
            case "not_a_snapshot" -> "only $snapshot events are accepted on " + request.path();
            case "missing_session_id" -> "the item has no properties.$session_id";
            case "invalid_session_id" -> "properties.$session_id must be 1-70 characters of A-Z, a-z, 0-9 and '-'";
            case "missing_distinct_id" -> "the item has no distinct_id";
            case "no_events" -> "properties.$snapshot_data holds no rrweb events";
            default -> "properties.$snapshot_data must be an array of rrweb event objects";
        };
        return DeadLetters.record(config.deadLetterTopic(), null, new DeadLetter(DeadLetter.SOURCE, request.path(),
                reason, detail, team.teamId(), team.apiToken(), request.receivedAtMs(), item), config.kafkaMaxMessageBytes());
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
