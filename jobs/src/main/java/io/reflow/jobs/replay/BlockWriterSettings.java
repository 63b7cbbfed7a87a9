package io.reflow.jobs.replay;

import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.crypto.MasterKey;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the block writer batches: where batch files go ({@code s3://bucket/prefix}), how long a session's
 * events may wait (flush age), after how long without new data a session is written even if younger than the
 * flush age (idle flush; only matters when shorter than the flush age), how much a subtask may buffer before it
 * writes everything, the zstd level and dictionary ({@code none} for plain zstd; see
 * {@link io.reflow.contracts.BlockDictionaries}). Blocks are only ever written at checkpoints, so a session waits at most
 * flush age + checkpoint interval, and a session that went quiet at most idle time + checkpoint interval.
 *
 * <p>{@code heapBufferBytes}: the lines a subtask received since it last moved lines into keyed state wait on the heap up
 * to this many bytes, then every session's go into RocksDB as one compressed entry each (and at every checkpoint, but for
 * the sessions written then); 0 puts every message's lines into RocksDB as it arrives.
 *
 * <p>{@code masterKeyFile}: where the master key that wraps session data keys is (null: {@code REFLOW_MASTER_KEY} or
 * {@code REFLOW_MASTER_KEY_FILE} in the task manager's environment). Only the path travels in the job graph, never the key.
 */
public record BlockWriterSettings(URI outputBase, Duration flushAge, Duration idleFlush, long maxBufferedBytes, int zstdLevel,
                                  String dictionary, String masterKeyFile, long heapBufferBytes) implements Serializable {
    /** How many bytes of lines a subtask collects on the heap before it moves them into keyed state, by default. */
    public static final long DEFAULT_HEAP_BUFFER_BYTES = 8L * 1024 * 1024;

    public BlockWriterSettings {
        if (outputBase == null || outputBase.getScheme() == null) {
            throw new IllegalArgumentException("output base must be a URI such as s3://bucket/prefix, was " + outputBase);
        }
        if (flushAge == null || flushAge.isNegative()) {
            throw new IllegalArgumentException("flush age must be zero or positive");
        }
        if (idleFlush == null || idleFlush.isNegative()) {
            throw new IllegalArgumentException("idle flush time must be zero or positive");
        }
        if (maxBufferedBytes <= 0) {
            throw new IllegalArgumentException("max buffered bytes must be positive");
        }
        if (heapBufferBytes < 0) {
            throw new IllegalArgumentException("the heap buffer size must be zero or positive");
        }
        if (zstdLevel < 1 || zstdLevel > 22) {
            throw new IllegalArgumentException("zstd level must be 1..22");
        }
        dictionary = dictionary == null ? BlockDictionaries.standard().current().name() : dictionary;
        BlockDictionaries.standard().named(dictionary); // fails early for an unknown name
        String base = outputBase.toString();
        outputBase = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    public BlockWriterSettings(URI outputBase, Duration flushAge, Duration idleFlush, long maxBufferedBytes, int zstdLevel,
                               String dictionary, String masterKeyFile) {
        this(outputBase, flushAge, idleFlush, maxBufferedBytes, zstdLevel, dictionary, masterKeyFile, DEFAULT_HEAP_BUFFER_BYTES);
    }

    public BlockWriterSettings(URI outputBase, Duration flushAge, Duration idleFlush, long maxBufferedBytes, int zstdLevel,
                               String dictionary) {
        this(outputBase, flushAge, idleFlush, maxBufferedBytes, zstdLevel, dictionary, null);
    }

    /** The master key, read where this task runs; empty when none is configured. */
    public Optional<MasterKey> masterKey() {
        return masterKeyFile != null ? Optional.of(MasterKey.fromFile(Path.of(masterKeyFile))) : MasterKey.fromEnv(System.getenv());
    }

    /** With the current shipped dictionary. */
    public BlockWriterSettings(URI outputBase, Duration flushAge, Duration idleFlush, long maxBufferedBytes, int zstdLevel) {
        this(outputBase, flushAge, idleFlush, maxBufferedBytes, zstdLevel, null);
    }

    /** Without idle flushing: every session waits for its flush age. */
    public BlockWriterSettings(URI outputBase, Duration flushAge, long maxBufferedBytes, int zstdLevel) {
        this(outputBase, flushAge, flushAge, maxBufferedBytes, zstdLevel, null);
    }
}
