package io.reflow.jobs.replay;

import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RetentionClass;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.contracts.SessionKeyRow;
import io.reflow.contracts.crypto.BlockEncryption;
import io.reflow.contracts.crypto.DataKey;
import io.reflow.contracts.crypto.MasterKey;
import io.reflow.jobs.common.KeyedBytes;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Buffers each session's events in keyed state (RocksDB in production; the lines of the last few MB received wait on the
 * heap first, see {@link BlockWriterSettings#heapBufferBytes()}) and, just before a checkpoint
 * barrier, writes every session that is due as one zstd block into a batch file for this subtask
 * (one per retention class), then emits one summary row per block, and the block's console lines
 * (deduplicated) to the {@link #LOG_ENTRIES} side output. The file is closed for commit before the
 * barrier, recorded in operator state with the checkpoint, and committed when that checkpoint completes
 * (again after a restore). The summary rows and log entries travel in the same checkpoint into exactly-once
 * Kafka sinks, so they are committed with the checkpoint that commits their file.
 *
 * <p>A session is due when its first buffered message is at least the flush age old, or when nothing new
 * arrived for the idle time, or when the subtask buffers more than its limit (then every session is). A
 * written session leaves no state behind but its data key (below); the operator registers no timers.
 *
 * <p>A session whose team encrypts recordings ({@link SessionBuffer#encrypt()}) gets a random AES-256 data key at its
 * first block; every block is compressed, then encrypted with it ({@link BlockEncryption}). The key is kept in keyed
 * state only wrapped by the master key (so checkpoints never hold it in the clear), for {@link #DATA_KEY_REUSE} (less at most {@link #KEY_REFRESH_EVERY}) after
 * its last use, and published wrapped as a {@link SessionKeyRow} to the {@link #SESSION_KEYS} side output in the
 * checkpoint of the first block it encrypts. Unwrapped keys live only in a small in-memory cache; they are never
 * logged and never go into a summary row.
 */
public final class SessionBlockWriter extends AbstractStreamOperator<KeyedBytes>
        implements OneInputStreamOperator<SessionChunk, KeyedBytes>, BoundedOneInput {
    static final String BUFFER_STATE = "session-buffer";
    static final String LINES_STATE = "session-lines";
    static final String PENDING_STATE = "pending-batch-files";
    static final String CONSOLE_STATE = "session-console-logs";
    /** One serialized {@link io.reflow.contracts.LogEntry} per deduplicated console line of every written block. */
    public static final OutputTag<KeyedBytes> LOG_ENTRIES = new OutputTag<>("log-entries", TypeInformation.of(KeyedBytes.class));

    /** One {@link SessionKeyRow} per data key generated, keyed by key id, committed with the first block it encrypts. */
    public static final OutputTag<KeyedBytes> SESSION_KEYS = new OutputTag<>("session-keys", TypeInformation.of(KeyedBytes.class));
    static final String DATA_KEY_STATE = "session-data-key";
    /** How long a session keeps its data key after its last block: later blocks of the same session share it. */
    static final java.time.Duration DATA_KEY_REUSE = java.time.Duration.ofHours(24);
    private static final int KEY_CACHE_SIZE = 10_000;
    /** How often a session's key row is written again to restart its reuse window: not at every block. */
    static final java.time.Duration KEY_REFRESH_EVERY = java.time.Duration.ofHours(1);

    private final BlockWriterSettings settings;

    private transient ValueState<SessionBuffer> buffer;
    private transient ListState<byte[]> lines;
    private transient ListState<byte[]> console;
    private transient ListState<byte[]> pendingState;
    private transient RecoverableWriter writer;
    private transient PendingBatchFiles pending;
    private transient long bufferedBytes;
    private transient long lastCheckpointId;
    private transient String fileIdPrefix;
    private transient BlockDictionary dictionary;
    private transient ValueState<byte[]> dataKeyRow;
    private transient Optional<MasterKey> masterKey;
    private transient Map<String, DataKey> keyCache;
    private transient Map<String, UsedKey> usedKeys;
    private transient ChunkCodec chunks;
    /**
     * Sessions whose {@link SessionBuffer} changed since the last checkpoint, written to keyed state only at the next
     * one: a chunk then costs one RocksDB write (its lines) instead of a read and two writes. Small (what a summary row
     * says, not the events), and rebuilt from the records replayed after a restore like all state since a checkpoint.
     */
    private transient Map<String, SessionBuffer> changed;
    /**
     * Packed lines received since they were last moved into keyed state, per session: at most
     * {@link BlockWriterSettings#heapBufferBytes()} in all, then each session's go into RocksDB as one compressed entry
     * ({@link #moveLinesToState}), and so do all at every checkpoint but those of the sessions written then, which go
     * straight into their blocks. A message then costs no RocksDB write and no compression of its own.
     */
    private transient Map<String, List<byte[]>> heapLines;
    private transient long heapLineBytes;
    private transient GrowableBytes joined;

    public SessionBlockWriter(BlockWriterSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        buffer = context.getKeyedStateStore().getState(
                new ValueStateDescriptor<>(BUFFER_STATE, TypeInformation.of(SessionBuffer.class)));
        lines = context.getKeyedStateStore().getListState(
                new ListStateDescriptor<>(LINES_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        console = context.getKeyedStateStore().getListState(
                new ListStateDescriptor<>(CONSOLE_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>(PENDING_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        ValueStateDescriptor<byte[]> keyDescriptor = new ValueStateDescriptor<>(DATA_KEY_STATE,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        keyDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(DATA_KEY_REUSE)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        dataKeyRow = context.getKeyedStateStore().getState(keyDescriptor);
        masterKey = settings.masterKey();
        keyCache = lruMap();
        usedKeys = lruMap();
        writer = FileSystem.get(settings.outputBase()).createRecoverableWriter();
        dictionary = BlockDictionaries.standard().named(settings.dictionary()).orElse(null);
        chunks = new ChunkCodec();
        changed = new HashMap<>();
        heapLines = new HashMap<>();
        joined = new GrowableBytes();
        pending = new PendingBatchFiles(writer);
        if (context.isRestored()) {
            PendingBatchFiles.commitRestored(writer, pendingState.get());
            pendingState.clear();
            bufferedBytes = settings.maxBufferedBytes(); // unknown after a restore: write everything at the next checkpoint
        }
        fileIdPrefix = UUID.randomUUID().toString().substring(0, 8) + "-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement(StreamRecord<SessionChunk> element) throws Exception {
        SessionChunk chunk = element.getValue();
        String key = chunk.sessionKey();
        SessionBuffer current = changed.get(key);
        if (current == null) {
            current = buffer.value();
        }
        long now = now();
        changed.put(key, current == null ? SessionBuffer.start(chunk, now) : current.plus(chunk, now));
        if (chunk.consoleLogs().length > 0) {
            console.add(chunk.consoleLogs());
        }
        // the same measure that is taken off when the session is written (the uncompressed block bytes)
        bufferedBytes += chunk.metrics().size();
        byte[] packed = chunks.decompress(chunk.lines());
        heapLines.computeIfAbsent(key, k -> new ArrayList<>(4)).add(packed);
        heapLineBytes += packed.length;
        if (heapLineBytes > settings.heapBufferBytes()) {
            moveLinesToState(Set.of());
        }
    }

    /** Moves the heap's lines of every session but {@code except} into keyed state, one compressed entry per session. */
    private void moveLinesToState(Set<String> except) throws Exception {
        for (Map.Entry<String, List<byte[]>> e : heapLines.entrySet()) {
            if (!except.contains(e.getKey())) {
                setCurrentKey(e.getKey());
                joined.reset();
                for (byte[] packed : e.getValue()) {
                    joined.write(packed);
                }
                lines.add(chunks.compress(joined.array(), 0, joined.size()));
            }
        }
        joined.reset();
        heapLines.clear();
        heapLineBytes = 0;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        lastCheckpointId = checkpointId;
        writeDueSessions(checkpointId, bufferedBytes >= settings.maxBufferedBytes());
    }

    @Override
    public void endInput() throws Exception {
        // bounded runs and stop --drain: write everything now; the final checkpoint commits it
        writeDueSessions(lastCheckpointId + 1, true);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        pendingState.update(pending.toState());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        pending.commitUpTo(checkpointId);
    }

    @Override
    public void close() throws Exception {
        if (chunks != null) {
            chunks.close();
        }
        super.close();
    }

    private void writeDueSessions(long checkpointId, boolean writeAll) throws Exception {
        long now = now();
        Set<String> keys = new LinkedHashSet<>(changed.keySet());
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stream = backend.getKeys(BUFFER_STATE, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        Map<String, BatchFile> files = new HashMap<>();
        Set<String> written = new java.util.HashSet<>();
        try {
            for (String key : keys) {
                setCurrentKey(key);
                SessionBuffer session = changed.containsKey(key) ? changed.get(key) : buffer.value();
                if (session == null || (!writeAll && !session.isDue(now, settings))) {
                    continue;
                }
                List<byte[]> packed = new ArrayList<>();
                Iterable<byte[]> stored = lines.get();
                if (stored != null) {
                    for (byte[] chunk : stored) {
                        packed.add(chunks.decompress(chunk));
                    }
                }
                packed.addAll(heapLines.getOrDefault(key, List.of())); // they arrived after those in state
                written.add(key);
                byte[] content = TimedLines.sortedConcatenation(packed);
                BatchFile file = files.get(session.retention());
                if (file == null) {
                    file = BatchFile.open(writer, fileUri(session.retention(), checkpointId, now));
                    files.put(session.retention(), file);
                }
                byte[] block = RecordingBlock.compressForStorage(content, settings.zstdLevel(), dictionary);
                if (session.encrypt()) {
                    block = BlockEncryption.encrypt(block, dataKey(session, now));
                }
                BlockUrl url = file.append(block);
                output.collect(new StreamRecord<>(summary(session, url)));
                int retentionDays = RetentionClass.parse(session.retention()).days();
                for (ConsoleLogs.Line line : ConsoleLogs.deduplicated(console.get())) {
                    LogEntry entry = ConsoleLogs.entry(session.teamId(), session.sessionId(), retentionDays, line);
                    output.collect(LOG_ENTRIES, new StreamRecord<>(new KeyedBytes(session.sessionId(), Json.encode(entry))));
                }
                bufferedBytes = Math.max(0, bufferedBytes - session.metrics().size());
                changed.remove(key);
                buffer.clear();
                lines.clear();
                console.clear();
            }
            // what stays buffered goes into state before the snapshot
            moveLinesToState(written);
            for (Map.Entry<String, SessionBuffer> e : changed.entrySet()) {
                setCurrentKey(e.getKey());
                buffer.update(e.getValue());
            }
            changed.clear();
            for (BatchFile file : files.values()) {
                pending.add(checkpointId, file.closeForCommit());
            }
        } catch (Exception e) {
            files.values().forEach(BatchFile::discard);
            throw e;
        }
        if (writeAll) {
            bufferedBytes = 0;
        }
    }

    /** The session's data key: the one it already has, or a new one published as a key row. */
    private DataKey dataKey(SessionBuffer session, long now) throws Exception {
        String sessionKey = session.teamId() + "/" + session.sessionId();
        UsedKey used = usedKeys.get(sessionKey);
        if (used == null) {
            byte[] stored = dataKeyRow.value();
            if (stored != null) {
                used = new UsedKey(Json.decode(stored, SessionKeyRow.class), stored, 0);
            }
        }
        if (used != null && used.row().expiresAt() > now) {
            if (now - used.refreshedAt() >= KEY_REFRESH_EVERY.toMillis()) {
                dataKeyRow.update(used.json()); // refreshes the reuse window
                used = new UsedKey(used.row(), used.json(), now);
            }
            usedKeys.put(sessionKey, used);
            SessionKeyRow row = used.row();
            DataKey cached = keyCache.get(row.keyId());
            if (cached == null) {
                cached = master(session).unwrap(row.wrappedKey(), UUID.fromString(row.keyId()), row.teamId(), row.sessionId());
                keyCache.put(row.keyId(), cached);
            }
            return cached;
        }
        MasterKey master = master(session);
        DataKey key = DataKey.generate();
        int days = RetentionClass.parse(session.retention()).days();
        SessionKeyRow row = new SessionKeyRow(session.teamId(), session.sessionId(), session.distinctId(), key.id().toString(),
                master.wrap(key, session.teamId(), session.sessionId()), master.id(), now, now + days * 86_400_000L, days, 0, now);
        byte[] json = Json.encode(row);
        dataKeyRow.update(json);
        keyCache.put(row.keyId(), key);
        usedKeys.put(sessionKey, new UsedKey(row, json, now));
        output.collect(SESSION_KEYS, new StreamRecord<>(new KeyedBytes(row.keyId(), json)));
        return key;
    }

    /** A session's key row as in state, and when this writer last refreshed its reuse window there. */
    private record UsedKey(SessionKeyRow row, byte[] json, long refreshedAt) {}

    private static <V> Map<String, V> lruMap() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > KEY_CACHE_SIZE;
            }
        };
    }

    private MasterKey master(SessionBuffer session) {
        return masterKey.orElseThrow(() -> new IllegalStateException("team " + session.teamId()
                + " encrypts recordings, but the replay job has no master key: set " + MasterKey.ENV + " or "
                + MasterKey.FILE_ENV + " on the task managers, or encryption.master-key-file"));
    }

    private URI fileUri(String retention, long checkpointId, long now) {
        String date = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalDate().toString();
        Path path = new Path(new Path(settings.outputBase()), retention + "/" + date + "/" + fileIdPrefix + "-" + checkpointId + ".jsonl.zst");
        return path.toUri();
    }

    private static KeyedBytes summary(SessionBuffer s, BlockUrl url) {
        BlockMetrics m = s.metrics();
        SessionBlockSummary row = new SessionBlockSummary(s.teamId(), s.sessionId(), s.distinctId(), m.firstTimestamp(),
                m.lastTimestamp(), url.toString(), m.firstUrl(), Arrays.asList(m.urls()), m.clickCount(), m.keypressCount(),
                m.mouseActivityCount(), m.activeMilliseconds(), m.consoleLogCount(), m.consoleWarnCount(),
                m.consoleErrorCount(), m.size(), m.eventCount(), m.messageCount(), s.snapshotSource(), s.snapshotLibrary(),
                RetentionClass.parse(s.retention()).days());
        return new KeyedBytes(s.sessionId(), Json.encode(row));
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
