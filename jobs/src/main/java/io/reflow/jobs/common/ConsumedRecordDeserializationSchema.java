package io.reflow.jobs.common;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes Kafka records through undecoded: decoding happens in a function of its own, where a record
 * that cannot be decoded becomes a dead letter instead of failing the source.
 */
public final class ConsumedRecordDeserializationSchema implements KafkaRecordDeserializationSchema<ConsumedRecord> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ConsumedRecord> out) {
        out.collect(new ConsumedRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value()));
    }

    @Override
    public TypeInformation<ConsumedRecord> getProducedType() {
        return TypeInformation.of(ConsumedRecord.class);
    }
}
