package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropertyUpdatesTest {
    @Test
    void setOverwritesSetOnceOnlyFillsGapsUnsetRemoves() {
        ObjectNode p = obj("{\"plan\":\"free\",\"first_seen\":\"mon\",\"tmp\":1}");
        var outcome = PropertyUpdates.apply(p, updates("{\"plan\":\"pro\"}", "{\"first_seen\":\"tue\",\"source\":\"ad\"}", "[\"tmp\"]"), false);
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.setOnceApplied()).containsExactly("source");
        assertThat(p).isEqualTo(obj("{\"plan\":\"pro\",\"first_seen\":\"mon\",\"source\":\"ad\"}"));
    }

    @Test
    void setWinsOverSetOnceOfTheSameKeyInOneEvent() {
        ObjectNode p = obj("{}");
        var outcome = PropertyUpdates.apply(p, updates("{\"k\":\"set\"}", "{\"k\":\"once\"}", null), false);
        assertThat(p).isEqualTo(obj("{\"k\":\"set\"}"));
        assertThat(outcome.setOnceApplied()).isEmpty();
    }

    @Test
    void nothingChangesWhenValuesAreEqual() {
        ObjectNode p = obj("{\"plan\":\"pro\",\"n\":{\"a\":[1,2]}}");
        var outcome = PropertyUpdates.apply(p, updates("{\"plan\":\"pro\",\"n\":{\"a\":[1,2]}}", "{\"plan\":\"x\"}", "[\"absent\"]"), false);
        assertThat(outcome.changed()).isFalse();
        assertThat(p).isEqualTo(obj("{\"plan\":\"pro\",\"n\":{\"a\":[1,2]}}"));
    }

    @Test
    void pageViewPropertiesAloneDoNotUpdateAPersonButRideAlongWithARealChange() {
        ObjectNode p = obj("{\"$current_url\":\"/a\"}");
        assertThat(PropertyUpdates.apply(p, updates("{\"$current_url\":\"/b\",\"$browser\":\"Firefox\"}", null, null), false).changed())
                .isFalse();
        assertThat(p).isEqualTo(obj("{\"$current_url\":\"/a\"}"));

        assertThat(PropertyUpdates.apply(p, updates("{\"$current_url\":\"/b\",\"plan\":\"pro\"}", null, null), false).changed()).isTrue();
        assertThat(p).isEqualTo(obj("{\"$current_url\":\"/b\",\"plan\":\"pro\"}"));

        assertThat(PropertyUpdates.apply(p, updates("{\"$current_url\":\"/c\"}", null, null), true).changed()).isTrue();
        assertThat(p.get("$current_url").asText()).isEqualTo("/c");
    }

    @Test
    void aMergeKeepsTheTargetsValuesButTheOtherPersonsValueForWhatTheMergeEventsSetOnceFilledIn() {
        ObjectNode other = obj("{\"a\":\"other\",\"only_other\":1,\"$initial_referrer\":\"google\",\"gone\":true}");
        // the target before the identify: {a: into}; the identify set $initial_referrer once and unset "gone"
        ObjectNode into = obj("{\"a\":\"into\",\"$initial_referrer\":\"$direct\",\"email\":\"x@y\"}");
        PropertyUpdates.Updates identify = updates("{\"email\":\"x@y\"}", "{\"$initial_referrer\":\"$direct\"}", "[\"gone\"]");

        ObjectNode merged = PropertyUpdates.merge(other, into, identify, List.of("$initial_referrer"));

        assertThat(merged).isEqualTo(obj("{\"a\":\"into\",\"only_other\":1,\"$initial_referrer\":\"google\",\"email\":\"x@y\"}"));
        assertThat(other.has("gone")).as("inputs untouched").isTrue();
    }

    @Test
    void aMergeWhereTheTargetHadTheSetOnceValueBeforeKeepsIt() {
        ObjectNode other = obj("{\"k\":\"other\"}");
        ObjectNode into = obj("{\"k\":\"into\"}");
        ObjectNode merged = PropertyUpdates.merge(other, into, updates(null, "{\"k\":\"event\"}", null), List.of());
        assertThat(merged).isEqualTo(obj("{\"k\":\"into\"}"));
    }

    static PropertyUpdates.Updates updates(String set, String setOnce, String unset) {
        List<String> keys = new java.util.ArrayList<>();
        if (unset != null) {
            TestEvents.tree(unset).forEach(k -> keys.add(k.asText()));
        }
        return new PropertyUpdates.Updates(PropertyUpdates.object(set), PropertyUpdates.object(setOnce), keys);
    }

    static ObjectNode obj(String json) {
        return (ObjectNode) TestEvents.tree(json);
    }
}
