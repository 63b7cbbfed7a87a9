package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class CaptureConfigTest {

    @Test
    void defaults() {
        CaptureConfig c = CaptureConfig.defaults();
        assertThat(c.port()).isEqualTo(8010);
        assertThat(c.kafkaBootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.recordingsTopic()).isEqualTo(Topics.RECORDINGS);
        assertThat(c.eventsTopic()).isEqualTo(Topics.EVENTS);
        assertThat(c.deadLetterTopic()).isEqualTo(Topics.DEAD_LETTER);
        assertThat(c.maxEventsBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.maxBatchBytes()).isEqualTo(20 * 1024 * 1024);
        assertThat(c.maxRecordingsBytes()).isEqualTo(25 * 1024 * 1024);
        assertThat(c.kafkaCompression()).isEqualTo("zstd");
        assertThat(c.kafkaProducerOverrides()).isEmpty();
        assertThat(c.trustedProxies().isEmpty()).isTrue();
    }

    @Test
    void trustedProxiesComeFromACommaSeparatedList() {
        CaptureConfig c = CaptureConfig.fromEnv(Map.of("CAPTURE_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32"));
        assertThat(c.trustedProxies().contains("10.20.30.40")).isTrue();
        assertThat(c.trustedProxies().contains("2001:db8:1::1")).isTrue();
        assertThat(c.trustedProxies().contains("192.0.2.1")).isFalse();
        assertThatThrownBy(() -> CaptureConfig.fromEnv(Map.of("CAPTURE_TRUSTED_PROXIES", "10.0.0.0/99")))
                .hasMessageContaining("CAPTURE_TRUSTED_PROXIES");
    }

    @Test
    void readsTheEnvironment() {
        CaptureConfig c = CaptureConfig.fromEnv(Map.of("CAPTURE_PORT", "9000", "KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
                "KAFKA_RECORDINGS_TOPIC", "rec", "TEAM_REGISTRY", "/cfg/teams.json", "CAPTURE_MAX_RECORDINGS_BYTES", "1000",
                "KAFKA_COMPRESSION", "LZ4", "KAFKA_MESSAGE_TIMEOUT_MS", "7000",
                "KAFKA_PRODUCER_SECURITY_PROTOCOL", "SSL", "KAFKA_PRODUCER_ACKS", "1"));
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.recordingsTopic()).isEqualTo("rec");
        assertThat(c.teamRegistry()).isEqualTo(Path.of("/cfg/teams.json"));
        assertThat(c.maxRecordingsBytes()).isEqualTo(1000);
        assertThat(c.kafkaMessageTimeout()).isEqualTo(Duration.ofSeconds(7));

        Map<String, Object> producer = KafkaRecordSink.producerProperties(c);
        assertThat(producer).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "k1:9092,k2:9092")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 7000)
                .containsEntry("security.protocol", "SSL")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "1"); // explicit operator overrides win
        assertThat(KafkaRecordSink.producerProperties(CaptureConfig.defaults())).containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> CaptureConfig.fromEnv(Map.of("CAPTURE_PORT", "http"))).hasMessageContaining("CAPTURE_PORT");
        assertThatThrownBy(() -> CaptureConfig.fromEnv(Map.of("CAPTURE_PORT", "70000"))).hasMessageContaining("CAPTURE_PORT");
        assertThatThrownBy(() -> CaptureConfig.fromEnv(Map.of("KAFKA_COMPRESSION", "brotli"))).hasMessageContaining("KAFKA_COMPRESSION");
        assertThatThrownBy(() -> CaptureConfig.fromEnv(Map.of("CAPTURE_MAX_EVENTS_BYTES", "0"))).hasMessageContaining("CAPTURE_MAX_EVENTS_BYTES");
    }
}
