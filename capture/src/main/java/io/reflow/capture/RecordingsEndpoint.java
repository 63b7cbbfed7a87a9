package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code POST /s/}: one {@link RecordingMessage} per {@code $snapshot} item on the recordings topic,
 * keyed by session id. Items that cannot be replayed go to the dead-letter topic with the reason;
 * the rest of the request is accepted. A message larger than the Kafka message limit is split into
 * several consecutive messages of whole rrweb events (same key, so same partition, in order).
 */
final class RecordingsEndpoint {
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9-]{1,70}");
    /** PostHog's answer when recordings are off for the project; posthog-js then stops recording. */
    static final Reply RECORDINGS_OFF = Reply.json(200, Map.of("status", 1, "quota_limited", List.of("recordings")));

    private final CaptureConfig config;
    private final Authenticator auth;
    private final GuardedSink sink;

    RecordingsEndpoint(CaptureConfig config, Authenticator auth, GuardedSink sink) {
        this.config = config;
        this.auth = auth;
        this.sink = sink;
    }

    CompletableFuture<Reply> handle(Request request) {
        Payload payload = Payload.parse(BodyDecoder.decode(request, config.maxRecordingsBytes()));
        Team team = auth.authenticate(payload.token(request));
        if (!team.recordingsEnabled()) {
            return CompletableFuture.completedFuture(RECORDINGS_OFF);
        }
        List<SinkRecord> records = new ArrayList<>();
        for (JsonNode item : payload.events()) {
            String invalid = invalidReason(item);
            if (invalid != null) {
                records.add(deadLetter(request, team, invalid, item));
                continue;
            }
            JsonNode props = item.get("properties");
            List<JsonNode> events = new ArrayList<>();
            props.get("$snapshot_data").forEach(events::add);
            RecordingMessage message = new RecordingMessage(team.teamId(),
                    props.get("$session_id").asText(),
                    Payload.text(props, "$window_id"),
                    Payload.distinctId(item),
                    orDefault(Payload.text(props, "$snapshot_source"), "web"),
                    orDefault(Payload.text(props, "$lib"), "unknown"),
                    request.receivedAtMs(),
                    payload.sentAt(item, request),
                    team.retention().pathSegment(),
                    events);
            split(message, request, team, records);
        }
        return sink.send(records).thenApply(done -> Reply.OK);
    }

    /** Why an item cannot become a recording message, or null when it can. */
    private static String invalidReason(JsonNode item) {
        if (!"$snapshot".equals(Payload.text(item, "event"))) {
            return "not_a_snapshot";
        }
        JsonNode props = item.path("properties");
        JsonNode sessionId = props.get("$session_id");
        if (sessionId == null || sessionId.isNull() || (sessionId.isTextual() && sessionId.asText().isEmpty())) {
            return "missing_session_id";
        }
        if (!sessionId.isTextual() || !SESSION_ID.matcher(sessionId.asText()).matches()) {
            return "invalid_session_id";
        }
        if (Payload.distinctId(item) == null) {
            return "missing_distinct_id";
        }
        JsonNode data = props.get("$snapshot_data");
        if (data == null || !data.isArray() || data.isEmpty()) {
            return "no_events";
        }
        for (JsonNode e : data) {
            if (!e.isObject()) {
                return "invalid_events";
            }
        }
        return null;
    }

    private void split(RecordingMessage message, Request request, Team team, List<SinkRecord> out) {
        byte[] value = Json.encode(message);
        if (value.length <= config.kafkaMaxMessageBytes()) {
            out.add(new SinkRecord(config.recordingsTopic(), message.sessionId(), value, Map.of(
                    SinkRecord.HEADER_TEAM_ID, Long.toString(team.teamId()),
                    SinkRecord.HEADER_SESSION_ID, message.sessionId())));
            return;
        }
        List<JsonNode> events = message.events();
        if (events.size() == 1) {
            out.add(DeadLetters.record(config.deadLetterTopic(), message.sessionId(), new DeadLetter(DeadLetter.SOURCE,
                    request.path(), "event_too_large", "one rrweb event of " + value.length
                    + " bytes exceeds the Kafka message limit of " + config.kafkaMaxMessageBytes() + " bytes (session "
                    + message.sessionId() + ")", team.teamId(), team.apiToken(), request.receivedAtMs(), null), config.kafkaMaxMessageBytes()));
            return;
        }
        int half = events.size() / 2;
        split(withEvents(message, events.subList(0, half)), request, team, out);
        split(withEvents(message, events.subList(half, events.size())), request, team, out);
    }

    private static RecordingMessage withEvents(RecordingMessage m, List<JsonNode> events) {
        return new RecordingMessage(m.teamId(), m.sessionId(), m.windowId(), m.distinctId(), m.snapshotSource(),
                m.snapshotLibrary(), m.receivedAtMs(), m.sentAt(), m.retention(), events);
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
