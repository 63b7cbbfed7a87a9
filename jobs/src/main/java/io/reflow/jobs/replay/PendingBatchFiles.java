package io.reflow.jobs.replay;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Batch files closed for commit but not yet committed, each tagged with the checkpoint whose
 * completion makes it visible. Kept in operator state so a restored job commits them again
 * (committing is idempotent).
 */
final class PendingBatchFiles {
    private final RecoverableWriter writer;
    private final SimpleVersionedSerializer<RecoverableWriter.CommitRecoverable> serializer;
    private final List<Pending> pending = new ArrayList<>();

    private record Pending(long checkpointId, RecoverableWriter.CommitRecoverable recoverable) {}

    PendingBatchFiles(RecoverableWriter writer) {
        this.writer = writer;
        this.serializer = writer.getCommitRecoverableSerializer();
    }

    void add(long checkpointId, RecoverableWriter.CommitRecoverable recoverable) {
        pending.add(new Pending(checkpointId, recoverable));
    }

    int size() {
        return pending.size();
    }

    /** Commits every file of checkpoints up to {@code checkpointId}. */
    void commitUpTo(long checkpointId) throws IOException {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p.checkpointId() <= checkpointId) {
                writer.recoverForCommit(p.recoverable()).commit();
                it.remove();
            }
        }
    }

    /** Re-commits files restored from a completed checkpoint; a file committed before the failure stays as it is. */
    static void commitRestored(RecoverableWriter writer, Iterable<byte[]> entries) throws IOException {
        SimpleVersionedSerializer<RecoverableWriter.CommitRecoverable> serializer = writer.getCommitRecoverableSerializer();
        for (byte[] entry : entries) {
            writer.recoverForCommit(decode(serializer, entry).recoverable()).commitAfterRecovery();
        }
    }

    List<byte[]> toState() {
        List<byte[]> entries = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            entries.add(encode(serializer, p));
        }
        return entries;
    }

    private static byte[] encode(SimpleVersionedSerializer<RecoverableWriter.CommitRecoverable> serializer, Pending p) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            byte[] recoverable = serializer.serialize(p.recoverable());
            out.writeLong(p.checkpointId());
            out.writeInt(serializer.getVersion());
            out.writeInt(recoverable.length);
            out.write(recoverable);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Pending decode(SimpleVersionedSerializer<RecoverableWriter.CommitRecoverable> serializer, byte[] entry)
            throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry));
        long checkpointId = in.readLong();
        int version = in.readInt();
        byte[] recoverable = new byte[in.readInt()];
        in.readFully(recoverable);
        return new Pending(checkpointId, serializer.deserialize(version, recoverable));
    }
}
