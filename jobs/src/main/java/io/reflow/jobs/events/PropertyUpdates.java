package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Person property updates as PostHog applies them: {@code $set_once} only where the person has no value,
 * {@code $set} where the value differs ({@code $set} wins over {@code $set_once} for the same key), then
 * {@code $unset}. Changes to properties that change on every page view (URL, viewport, browser, GeoIP…) do not
 * update a person on their own: they are applied only together with another change.
 */
public final class PropertyUpdates {
    /** PostHog's FILTERED_PERSON_UPDATE_PROPERTIES. */
    static final Set<String> NOT_AN_UPDATE_ON_THEIR_OWN = Set.of(
            "$current_url", "$pathname", "$referring_domain", "$referrer",
            "$screen_height", "$screen_width", "$viewport_height", "$viewport_width",
            "$browser", "$browser_version", "$device_type", "$raw_user_agent", "$os", "$os_name", "$os_version",
            "$geoip_postal_code", "$geoip_time_zone", "$geoip_latitude", "$geoip_longitude", "$geoip_accuracy_radius",
            "$geoip_subdivision_1_code", "$geoip_subdivision_1_name", "$geoip_subdivision_2_code",
            "$geoip_subdivision_2_name", "$geoip_subdivision_3_code", "$geoip_subdivision_3_name",
            "$geoip_city_confidence", "$geoip_country_confidence", "$geoip_postal_code_confidence",
            "$geoip_subdivision_1_confidence", "$geoip_subdivision_2_confidence");

    /** What one event asks of its person's properties. */
    public record Updates(ObjectNode set, ObjectNode setOnce, List<String> unset) {
        public static final Updates NONE = new Updates(Json.mapper().createObjectNode(), Json.mapper().createObjectNode(), List.of());

        public static Updates of(NormalizedEvent e) {
            if (e.set() == null && e.setOnce() == null && e.unset() == null) {
                return NONE;
            }
            List<String> unset = new ArrayList<>();
            if (e.unset() != null) {
                readTree(e.unset()).forEach(k -> unset.add(k.asText()));
            }
            return new Updates(object(e.set()), object(e.setOnce()), List.copyOf(unset));
        }

        public boolean isEmpty() {
            return set.isEmpty() && setOnce.isEmpty() && unset.isEmpty();
        }
    }

    /**
     * @param changed whether the properties changed
     * @param setOnceApplied the keys a {@code $set_once} gave a value (the person had none, and no {@code $set} of
     *     the same event overrode it): a merge that follows lets the other person's value win for them
     */
    public record Outcome(boolean changed, List<String> setOnceApplied, Map<String, JsonNode> previous) {
        static final Outcome NONE = new Outcome(false, List.of(), Map.of());

        /** Puts back what {@link #apply} changed ({@code previous}: each changed key's old value, null if absent). */
        void undo(ObjectNode properties) {
            previous.forEach((key, value) -> {
                if (value == null) {
                    properties.remove(key);
                } else {
                    properties.set(key, value);
                }
            });
        }
    }

    private PropertyUpdates() {}

    /**
     * Applies {@code updates} to {@code properties} in place.
     *
     * @param evenIfOnlyFiltered apply changes of page-view properties even when nothing else changes (a new person,
     *     a merge: the person is written anyway)
     */
    public static Outcome apply(ObjectNode properties, Updates updates, boolean evenIfOnlyFiltered) {
        if (updates.isEmpty()) {
            return Outcome.NONE;
        }
        Map<String, JsonNode> toSet = new LinkedHashMap<>(capacity(updates.setOnce().size() + updates.set().size()));
        Set<String> setOnceApplied = new LinkedHashSet<>(capacity(updates.setOnce().size())); // removed from by key
        boolean meaningful = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = updates.setOnce().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!properties.has(f.getKey())) {
                toSet.put(f.getKey(), f.getValue());
                setOnceApplied.add(f.getKey());
                meaningful = true;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = updates.set().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!Objects.equals(properties.get(f.getKey()), f.getValue())) {
                toSet.put(f.getKey(), f.getValue());
                setOnceApplied.remove(f.getKey());
                meaningful |= !NOT_AN_UPDATE_ON_THEIR_OWN.contains(f.getKey());
            }
        }
        List<String> toUnset = new ArrayList<>();
        for (String key : updates.unset()) {
            if (properties.has(key)) {
                toUnset.add(key);
                meaningful = true;
            }
        }
        if (toSet.isEmpty() && toUnset.isEmpty() || !meaningful && !evenIfOnlyFiltered) {
            return Outcome.NONE;
        }
        Map<String, JsonNode> previous = new HashMap<>(capacity(toSet.size() + toUnset.size()));
        toSet.keySet().forEach(k -> previous.put(k, properties.get(k)));
        toUnset.forEach(k -> previous.put(k, properties.get(k)));
        toSet.forEach(properties::set);
        toUnset.forEach(properties::remove);
        setOnceApplied.removeAll(toUnset);
        return new Outcome(true, List.copyOf(setOnceApplied), previous);
    }

    /** A hash map's initial capacity for {@code entries} entries without resizing. */
    private static int capacity(int entries) {
        return Math.max(4, (int) (entries / 0.75f) + 1);
    }

    /**
     * The properties of a merged person: the other person's, overridden by the target's ("the target wins
     * conflicts"), then the merging event's own updates as if applied after the merge, as PostHog does. The
     * target already carries the event's updates (they were applied when the event was processed on its side), so
     * for the keys its {@code $set_once} gave a value, the other person's value wins back, and its {@code $unset}
     * keys are removed from the other person's side too.
     */
    public static ObjectNode merge(ObjectNode other, ObjectNode into, Updates mergeEvent, List<String> setOnceApplied) {
        ObjectNode merged = other.deepCopy();
        merged.setAll(into.deepCopy());
        for (String key : setOnceApplied) {
            if (other.has(key) && Objects.equals(into.get(key), mergeEvent.setOnce().get(key))) {
                merged.set(key, other.get(key).deepCopy());
            }
        }
        for (String key : mergeEvent.unset()) {
            if (!into.has(key)) {
                merged.remove(key);
            }
        }
        return merged;
    }

    static ObjectNode object(String json) {
        if (json == null) {
            return Json.mapper().createObjectNode();
        }
        JsonNode node = readTree(json);
        return node instanceof ObjectNode o ? o : Json.mapper().createObjectNode();
    }

    static JsonNode readTree(String json) {
        JsonNode node = ReadJson.tree(json);
        return node == null || node.isMissingNode() ? Json.mapper().createArrayNode() : node;
    }
}
