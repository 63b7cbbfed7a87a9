package io.reflow.jobs.common;

/** A Kafka record as consumed, with its coordinates so a dead letter can say where it came from. */
public record ConsumedRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {}
