package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaRecordSinkTest {
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final KafkaRecordSink sink = new KafkaRecordSink(producer, null);

    @Test
    void completesOnlyWhenEveryRecordIsAcknowledged() {
        CompletableFuture<Void> sent = sink.send(List.of(record("a"), record("b")));
        assertThat(producer.history()).hasSize(2);
        ProducerRecord<byte[], byte[]> first = producer.history().get(0);
        assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(new String(first.headers().lastHeader("team_id").value(), StandardCharsets.UTF_8)).isEqualTo("7");

        producer.completeNext();
        assertThat(sent).isNotDone();
        producer.completeNext();
        assertThat(sent).isCompleted();
        assertThat(sink.ready()).isTrue();
    }

    @Test
    void failsAsSoonAsOneRecordFails() {
        CompletableFuture<Void> sent = sink.send(List.of(record("a"), record("b")));
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
        assertThat(sent).isCompletedExceptionally();
        assertThat(sink.ready()).isFalse();
        producer.completeNext();
        assertThat(sink.send(List.of())).isCompleted();
    }

    private static SinkRecord record(String key) {
        return new SinkRecord("topic", key, "{}".getBytes(StandardCharsets.UTF_8), Map.of("team_id", "7"));
    }
}
