package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlTemplateTest {

    @Test
    void rendersGivenValuesOverDefaults() {
        String rendered = SqlTemplate.render("'${KAFKA_BROKERS}' '${SESSION_REPLAY_EVENTS_TOPIC}' '${KAFKA_GROUP_PREFIX}x'",
                SqlTemplate.withDefaults(Map.of("KAFKA_BROKERS", "k1:9092,k2:9092", "KAFKA_GROUP_PREFIX", "prod_")), "t");
        assertThat(rendered).isEqualTo("'k1:9092,k2:9092' '" + Topics.SESSION_REPLAY_EVENTS + "' 'prod_x'");
    }

    @Test
    void namesEveryMissingVariable() {
        assertThatThrownBy(() -> SqlTemplate.render("${KAFKA_BROKERS} ${NOPE}", SqlTemplate.defaults(), "0001_x"))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("0001_x needs KAFKA_BROKERS, NOPE");
    }

    @Test
    void refusesValuesThatCouldEndALiteral() {
        assertThatThrownBy(() -> SqlTemplate.render("'${KAFKA_BROKERS}'", Map.of("KAFKA_BROKERS", "x'; DROP TABLE y"), "t"))
                .isInstanceOf(MigrationException.class).hasMessageContaining("KAFKA_BROKERS");
    }
}
