package io.reflow.jobs.common;

/** A Kafka record a job produces: key (may be null) and value bytes. */
public record KeyedBytes(String key, byte[] value) {}
