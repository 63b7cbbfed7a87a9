package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What PostHog's ingestion does to an event before persons: uuid, clock-skew corrected timestamp, event name
 * limit, property sanitising, {@code $ip}, the {@code $set}/{@code $set_once} sent outside properties, initial and
 * campaign person properties, {@code $process_person_profile}, the merge an identify/alias asks for, and the
 * elements chain. Pure: a {@link CapturedEvent} in, an {@link Accepted} event with its warnings or a
 * {@link Rejected} reason out.
 */
public final class EventNormalizer {
    static final int MAX_EVENT_NAME_CHARS = 200;
    static final int MAX_GROUP_KEY_CHARS = 400;
    private static final Pattern UUID_SHAPE = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> MERGE_EVENTS = Set.of("$identify", "$create_alias", "$merge_dangerously");
    private static final Set<String> NO_PERSON_EVENTS = Set.of("$identify", "$create_alias", "$merge_dangerously",
            "$groupidentify");
    private static final Set<String> NO_INITIAL_PROPERTIES = Set.of("$snapshot", "$performance_event");
    /** PostHog's event-to-person properties: they go to the person ({@code $set}) and as {@code $initial_*} ({@code $set_once}). */
    static final List<String> EVENT_TO_PERSON = List.of(
            "$app_build", "$app_name", "$app_namespace", "$app_version",
            "$browser", "$browser_version", "$device_type", "$current_url", "$pathname", "$os", "$os_version",
            "$referring_domain", "$referrer", "$screen_height", "$screen_width", "$viewport_height", "$viewport_width",
            "$raw_user_agent",
            "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_name", "utm_term", "gclid", "gad_source",
            "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "twclid", "li_fat_id", "mc_cid", "igshid",
            "ttclid", "rdt_cid", "irclid", "_kx", "epik", "qclid", "sccid");

    /** Each of {@link #EVENT_TO_PERSON} → its {@code $initial_*} name ({@code $browser} → {@code $initial_browser}). */
    private static final Map<String, String> INITIAL_NAMES = EVENT_TO_PERSON.stream()
            .collect(Collectors.toUnmodifiableMap(k -> k, k -> "$initial_" + (k.startsWith("$") ? k.substring(1) : k)));

    /** The result of normalising one captured event. */
    public sealed interface Result permits Accepted, Rejected {}

    /**
     * @param illegalDistinctId the distinct id is one {@link DistinctIds#isIllegal} refuses: the event is personless
     *     and does not go through person state at all
     */
    public record Accepted(NormalizedEvent event, List<IngestionWarning> warnings, boolean illegalDistinctId) implements Result {}

    /** A dead-letter reason: the event cannot be stored; {@code warnings} tell the team (PostHog's, where it has one). */
    public record Rejected(String reason, String detail, List<IngestionWarning> warnings) implements Result {
        public Rejected(String reason, String detail) {
            this(reason, detail, List.of());
        }
    }

    private EventNormalizer() {}

    public static Result normalize(CapturedEvent c) {
        return normalize(c, false, false);
    }

    /**
     * @param owned {@code c} was decoded for this call and is not used after it: its event's properties are changed
     *     in place instead of copied (the result is the same)
     * @param clean no string in {@code c}'s event holds a NUL or a surrogate that is not part of a pair (the reader
     *     knows): nothing to sanitise
     */
    static Result normalize(CapturedEvent c, boolean owned, boolean clean) {
        if (c.teamId() <= 0) {
            return new Rejected("missing_team", "the message has no team_id");
        }
        JsonNode raw = c.event();
        if (raw == null || !raw.isObject()) {
            return new Rejected("invalid_event", "the event must be a JSON object");
        }
        String distinctId = c.distinctId() != null ? c.distinctId() : distinctIdOf(raw);
        if (distinctId == null) {
            return new Rejected("missing_distinct_id", "the event has no distinct_id");
        }
        distinctId = clean(distinctId);
        JsonNode nameNode = raw.get("event");
        if (nameNode == null || nameNode.isNull() || nameNode.isTextual() && nameNode.asText().isBlank()) {
            return new Rejected("missing_event_name", "the event has no \"event\" name");
        }
        JsonNode propertiesNode = raw.get("properties");
        if (propertiesNode != null && !propertiesNode.isNull() && !propertiesNode.isObject()) {
            return new Rejected("invalid_properties", "properties must be a JSON object");
        }
        long team = c.teamId();
        Instant now = instantOf(c.now(), c.receivedAtMs());
        long createdAt = c.receivedAtMs() > 0 ? c.receivedAtMs() : now.toEpochMilli();
        List<IngestionWarning> warnings = new ArrayList<>();

        String name = clean(nameNode.isTextual() ? nameNode.asText() : nameNode.toString());
        if (name.codePointCount(0, name.length()) > MAX_EVENT_NAME_CHARS) {
            name = name.substring(0, name.offsetByCodePoints(0, MAX_EVENT_NAME_CHARS));
        }

        String uuid = c.uuid() != null && UUID_SHAPE.matcher(c.uuid()).matches() ? c.uuid().toLowerCase(Locale.ROOT) : null;
        if (uuid == null) {
            uuid = DistinctIds.uuid5(DistinctIds.EVENT_NAMESPACE,
                    team + ":" + distinctId + ":" + new String(Json.encode(raw), StandardCharsets.UTF_8)).toString();
            warnings.add(Warnings.of(team, Warnings.INVALID_EVENT_UUID, createdAt,
                    "eventUuid", c.uuid() == null ? "" : clean(c.uuid()), "generatedUuid", uuid, "event", name,
                    "distinctId", distinctId));
        }

        // an event decoded for this call alone is changed in place; one the caller keeps is copied first
        ObjectNode properties = propertiesNode == null || propertiesNode.isNull()
                ? JsonNodeFactory.instance.objectNode()
                : (ObjectNode) sanitize(owned ? propertiesNode : propertiesNode.deepCopy(), clean);

        EventTimestamps.Resolved ts = EventTimestamps.resolve(now, c.sentAt(),
                properties.path("$ignore_sent_at").asBoolean(false), raw.get("timestamp"), raw.get("offset"));
        for (EventTimestamps.Problem p : ts.problems()) {
            Map<String, Object> details = new TreeMap<>(p.details());
            details.put("eventUuid", uuid);
            warnings.add(Warnings.of(team, p.type(), createdAt, details));
        }

        boolean processPerson = true;
        JsonNode ppp = properties.get("$process_person_profile");
        if (ppp != null) {
            if (ppp.isBoolean()) {
                processPerson = ppp.asBoolean();
            } else {
                warnings.add(Warnings.of(team, Warnings.INVALID_PROCESS_PERSON_PROFILE, createdAt,
                        "eventUuid", uuid, "event", name, "distinctId", distinctId, "value", ppp.toString()));
            }
        }
        if ("$groupidentify".equals(name)) {
            Rejected invalid = invalidGroupIdentify(properties, team, createdAt, uuid, distinctId);
            if (invalid != null) {
                return invalid;
            }
        }
        boolean illegal = DistinctIds.isIllegal(distinctId);
        if (illegal) {
            warnings.add(Warnings.of(team, Warnings.ILLEGAL_DISTINCT_ID, createdAt,
                    "eventUuid", uuid, "event", name, "distinctId", distinctId));
            processPerson = false;
        } else if (!processPerson && NO_PERSON_EVENTS.contains(name)) {
            warnings.add(Warnings.of(team, Warnings.PERSONLESS_MERGE_EVENT, createdAt,
                    "eventUuid", uuid, "event", name, "distinctId", distinctId));
        }

        String mergeOther = null;
        if (processPerson && MERGE_EVENTS.contains(name)) {
            JsonNode other = "$identify".equals(name) ? properties.get("$anon_distinct_id") : truthy(properties.get("alias"));
            if (other != null) {
                String otherId = other.isTextual() ? other.asText() : other.isNull() ? "null" : other.toString();
                if (DistinctIds.isIllegal(otherId)) {
                    warnings.add(Warnings.of(team, Warnings.CANNOT_MERGE_ILLEGAL, createdAt,
                            "illegalDistinctId", otherId, "otherDistinctId", distinctId, "eventUuid", uuid));
                } else if (!otherId.equals(distinctId)) {
                    mergeOther = otherId;
                }
            }
        }

        // $set / $set_once / $unset sent next to properties (posthog-js identify does) count as if inside them
        for (String field : List.of("$set", "$set_once")) {
            JsonNode outside = raw.get(field);
            if (outside != null && outside.isObject()) {
                ObjectNode inside = properties.get(field) instanceof ObjectNode o ? o : properties.putObject(field);
                inside.setAll((ObjectNode) sanitize(outside.deepCopy(), clean));
            }
        }
        if (raw.get("$unset") != null && !properties.has("$unset")) {
            properties.set("$unset", sanitize(raw.get("$unset").deepCopy(), clean));
        }
        JsonNode ipProperty = properties.get("$ip");
        if ((ipProperty == null || ipProperty.isNull()) && c.ip() != null && !c.ip().isBlank()) {
            properties.put("$ip", clean(c.ip()));
        }
        if (processPerson && "$groupidentify".equals(name)) {
            // as PostHog: a group identify is an event of its distinct id's person (created if new, as for any
            // event) that never updates or merges it. Its group ($group_type, $group_key, $group_set) stays in the
            // event's properties: there is no groups table to upsert into, and one can be built from these events.
            properties.remove("$set");
            properties.remove("$set_once");
            properties.remove("$unset");
            properties.remove("$process_person_profile");
        } else if (processPerson) {
            if (!NO_INITIAL_PROPERTIES.contains(name)) {
                addInitialProperties(properties);
            }
            properties.remove("$process_person_profile");
        } else {
            properties.remove("$set");
            properties.remove("$set_once");
            properties.remove("$unset");
            properties.put("$process_person_profile", false);
        }
        if (c.sentAt() != null && !c.sentAt().isBlank()) {
            properties.put("$sent_at", clean(c.sentAt()));
        }
        String elementsChain = elementsChain(properties);

        String set = null;
        String setOnce = null;
        String unset = null;
        if (processPerson) {
            set = nonEmptyObject(properties.get("$set"));
            setOnce = nonEmptyObject(properties.get("$set_once"));
            unset = unsetKeys(properties.get("$unset"));
        }
        JsonNode session = properties.get("$session_id");
        String sessionId = session != null && session.isTextual() ? session.asText() : "";

        NormalizedEvent event = new NormalizedEvent(uuid, name, team, distinctId, ts.timestampMs(), createdAt,
                JsonDocument.of(properties), elementsChain, sessionId, processPerson,
                mergeOther, set, setOnce, unset);
        return new Accepted(event, List.copyOf(warnings), illegal);
    }

    /**
     * PostHog drops a group identify whose group key is longer than {@value #MAX_GROUP_KEY_CHARS} characters or whose
     * {@code $group_set} is not an object, with an ingestion warning; here it is a dead letter with that warning.
     */
    static Rejected invalidGroupIdentify(ObjectNode properties, long team, long createdAt, String uuid, String distinctId) {
        JsonNode key = properties.get("$group_key");
        String keyText = key == null || key.isNull() ? "" : key.isTextual() ? key.asText() : key.toString();
        if (keyText.length() > MAX_GROUP_KEY_CHARS) {
            return new Rejected(Warnings.GROUP_KEY_TOO_LONG, "$group_key is " + keyText.length() + " characters long (at most "
                    + MAX_GROUP_KEY_CHARS + ")", List.of(Warnings.of(team, Warnings.GROUP_KEY_TOO_LONG, createdAt,
                    "eventUuid", uuid, "event", "$groupidentify", "distinctId", distinctId,
                    "groupKey", keyText.substring(0, 100) + "…", "groupKeyLength", keyText.length(),
                    "maxGroupKeyLength", MAX_GROUP_KEY_CHARS)));
        }
        JsonNode set = properties.get("$group_set");
        if (set != null && !set.isNull() && !set.isObject()) {
            return new Rejected(Warnings.INVALID_GROUP_SET, "$group_set must be a JSON object",
                    List.of(Warnings.of(team, Warnings.INVALID_GROUP_SET, createdAt, "eventUuid", uuid,
                            "event", "$groupidentify", "distinctId", distinctId, "groupType",
                            properties.path("$group_type").asText(""), "groupKey", keyText)));
        }
        return null;
    }

    /** PostHog's initial/campaign person properties: each present is {@code $set}, and {@code $set_once} as {@code $initial_*}. */
    static void addInitialProperties(ObjectNode properties) {
        ObjectNode set = null;
        ObjectNode setOnce = null;
        for (String key : EVENT_TO_PERSON) {
            JsonNode value = properties.get(key);
            if (value == null) {
                continue;
            }
            if (set == null) {
                set = JsonNodeFactory.instance.objectNode();
                setOnce = JsonNodeFactory.instance.objectNode();
            }
            set.set(key, value);
            setOnce.set(INITIAL_NAMES.get(key), value);
        }
        if (set == null) {
            return;
        }
        // what the client asked for explicitly wins over what is derived from the event
        if (properties.get("$set") instanceof ObjectNode explicit) {
            set.setAll(explicit);
        }
        if (properties.get("$set_once") instanceof ObjectNode explicit) {
            setOnce.setAll(explicit);
        }
        properties.set("$set", set);
        properties.set("$set_once", setOnce);
    }

    /**
     * The autocapture elements chain: {@code $elements_chain} as sent by current SDKs, or built from the legacy
     * {@code $elements} array as PostHog does. Both are moved out of the properties into their own column.
     */
    static String elementsChain(ObjectNode properties) {
        JsonNode chain = properties.remove("$elements_chain");
        JsonNode elements = properties.remove("$elements");
        if (chain != null && chain.isTextual()) {
            return chain.asText();
        }
        if (elements == null || !elements.isArray()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode el : elements) {
            if (!el.isObject()) {
                continue;
            }
            StringBuilder s = new StringBuilder();
            s.append(el.path("tag_name").asText(""));
            List<String> classes = new ArrayList<>();
            JsonNode cls = el.get("attr__class");
            if (cls != null && cls.isArray()) {
                cls.forEach(c -> classes.add(c.asText()));
            } else if (cls != null && cls.isTextual()) {
                for (String c : cls.asText().split("\\s+")) {
                    if (!c.isEmpty()) {
                        classes.add(c);
                    }
                }
            }
            classes.sort(null);
            classes.forEach(c -> s.append('.').append(c.replace("\"", "")));
            TreeMap<String, String> attributes = new TreeMap<>();
            String text = el.path("$el_text").asText("");
            if (!text.isEmpty()) {
                attributes.put("text", text.length() > 400 ? text.substring(0, 400) : text);
            }
            attributes.put("nth-child", el.path("nth_child").asText("0"));
            attributes.put("nth-of-type", el.path("nth_of_type").asText("0"));
            String href = el.path("attr__href").asText("");
            if (!href.isEmpty()) {
                attributes.put("href", href.length() > 2048 ? href.substring(0, 2048) : href);
            }
            String id = el.path("attr__id").asText("");
            if (!id.isEmpty()) {
                attributes.put("attr_id", id);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = el.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().startsWith("attr__")) {
                    attributes.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
                }
            }
            s.append(':');
            attributes.forEach((k, v) -> s.append(k.replace("\"", "\\\"")).append("=\"").append(v.replace("\"", "\\\"")).append('"'));
            parts.add(s.toString());
        }
        return String.join(";", parts);
    }

    private static JsonNode sanitize(JsonNode node, boolean clean) {
        return clean ? node : sanitize(node);
    }

    /** Replaces what cannot be encoded as UTF-8 (lone surrogates) and NUL characters, in every string of a JSON tree. */
    static JsonNode sanitize(JsonNode node) {
        if (node.isTextual()) {
            String s = node.asText();
            String c = clean(s);
            return c == s ? node : TextNode.valueOf(c);
        }
        if (node instanceof ObjectNode o) {
            List<String> badKeys = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                f.setValue(sanitize(f.getValue()));
                if (clean(f.getKey()) != f.getKey()) {
                    badKeys = badKeys == null ? new ArrayList<>() : badKeys;
                    badKeys.add(f.getKey());
                }
            }
            if (badKeys != null) {
                for (String k : badKeys) {
                    o.set(clean(k), o.remove(k));
                }
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, sanitize(a.get(i)));
            }
        }
        return node;
    }

    /** The string itself when it is clean (the common case, no copy), else a copy with U+FFFD for each bad char. */
    static String clean(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch == 0 || Character.isSurrogate(ch)) {
                if (ch != 0 && Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return replaceBad(s);
            }
        }
        return s;
    }

    private static String replaceBad(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(ch).append(s.charAt(++i));
            } else if (ch == 0 || Character.isSurrogate(ch)) {
                b.append('\uFFFD');
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static String distinctIdOf(JsonNode event) {
        JsonNode id = event.get("distinct_id");
        if (id == null || id.isNull()) {
            id = event.path("properties").get("distinct_id");
        }
        if (id == null || !(id.isTextual() || id.isNumber())) {
            return null;
        }
        String s = id.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static Instant instantOf(String now, long receivedAtMs) {
        Instant parsed = EventTimestamps.parse(now);
        return parsed != null ? parsed : Instant.ofEpochMilli(receivedAtMs);
    }

    /** JavaScript truthiness, as PostHog tests {@code properties.alias}: null for a falsy value. */
    private static JsonNode truthy(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()
                || v.isTextual() && v.asText().isEmpty()
                || v.isBoolean() && !v.asBoolean()
                || v.isNumber() && (v.asDouble() == 0 || Double.isNaN(v.asDouble()))) {
            return null;
        }
        return v;
    }

    private static String nonEmptyObject(JsonNode node) {
        return node instanceof ObjectNode o && !o.isEmpty() ? JsonRows.text(o) : null;
    }

    private static String unsetKeys(JsonNode node) {
        if (node == null) {
            return null;
        }
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        if (node.isArray()) {
            node.forEach(k -> {
                if (k.isTextual()) {
                    keys.add(k.asText());
                }
            });
        } else if (node.isObject()) {
            node.fieldNames().forEachRemaining(keys::add);
        }
        return keys.isEmpty() ? null : ReadJson.string(keys);
    }
}
