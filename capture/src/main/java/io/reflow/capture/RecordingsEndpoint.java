package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingEventPart;
import io.reflow.contracts.RecordingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /s/}: one {@link RecordingMessage} per {@code $snapshot} item on the recordings topic,
 * keyed by session id. Items that cannot be replayed go to the dead-letter topic with the reason;
 * the rest of the request is accepted. A message larger than the Kafka message limit is split into
 * several consecutive messages of whole rrweb events (same key, so same partition, in order), and a single event
 * larger than the limit into consecutive {@link RecordingEventPart}s, which the replay job joins again.
 * A project with recordings off, or over its recording volume limit, is answered {@code quota_limited}
 * and nothing of the request is written.
 */
final class RecordingsEndpoint {
    /** PostHog's answer when recordings are off or limited for the project; posthog-js then stops recording. */
    static final Reply QUOTA_LIMITED = Reply.quotaLimited(VolumeLimiter.RECORDINGS);
    /** Room in a part message for the digits of a larger index and count than the sizing message had. */
    private static final int PART_HEADROOM = 32;

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
                    List.of()).withEncrypt(team.recording().encrypt());
            split(new Recording(empty, Json.encode(empty), payload.json(), item), 0, item.snapshotEventCount(),
                    team, records);
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
    private record Recording(RecordingMessage withoutEvents, byte[] encodedWithoutEvents, byte[] body, PayloadItem item) {
        String sessionId() {
            return withoutEvents.sessionId();
        }
    }

    /**
     * Writes events {@code [from, to)} of the item as one message, or as several if that is over the Kafka limit;
     * one event over the limit alone is cut into {@link RecordingEventPart}s.
     */
    private void split(Recording r, int from, int to, Team team, List<SinkRecord> out) {
        int start = r.item().snapshotEventStart(from);
        int end = r.item().snapshotEventEnd(to - 1);
        int size = SplicedJson.filledSize(r.encodedWithoutEvents(), end - start);
        if (size <= config.kafkaMaxMessageBytes()) {
            out.add(recording(r.sessionId(), SplicedJson.fillLastArray(r.encodedWithoutEvents(), r.body(), start, end), team));
            return;
        }
        if (to - from == 1) {
            cutIntoParts(r, start, end, team, out);
            return;
        }
        int half = (from + to) / 2;
        split(r, from, half, team, out);
        split(r, half, to, team, out);
    }

    private void cutIntoParts(Recording r, int start, int end, Team team, List<SinkRecord> out) {
        String id = UUID.randomUUID().toString();
        byte[] emptyPart = Json.encode(r.withoutEvents().withEventPart(new RecordingEventPart(id, 0, 2, "")));
        int perPart = RecordingEventPart.rawBytesFor(config.kafkaMaxMessageBytes() - emptyPart.length - PART_HEADROOM);
        int count = Math.max(2, (end - start + perPart - 1) / perPart);
        for (int index = 0; index < count; index++) {
            int from = start + index * perPart;
            int to = Math.min(end, from + perPart);
            RecordingEventPart part = RecordingEventPart.of(id, index, count, r.body(), from, to);
            out.add(recording(r.sessionId(), Json.encode(r.withoutEvents().withEventPart(part)), team));
        }
        metrics.eventParts(count);
    }

    private SinkRecord recording(String sessionId, byte[] value, Team team) {
        return new SinkRecord(config.recordingsTopic(), sessionId, value, Map.of(
                SinkRecord.HEADER_TEAM_ID, Long.toString(team.teamId()),
                SinkRecord.HEADER_SESSION_ID, sessionId));
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
