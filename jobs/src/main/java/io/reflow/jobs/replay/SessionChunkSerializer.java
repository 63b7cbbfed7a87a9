package io.reflow.jobs.replay;

import io.reflow.jobs.common.SerializerTypeInfo;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link SessionChunk} field by field, for the shuffle by session and the state of {@link JoinEventParts}.
 * Flink's POJO serializer reached every field by reflection and copied each chunk between chained operators; a chunk is
 * immutable, so this one does not copy at all.
 */
public final class SessionChunkSerializer extends TypeSerializerSingleton<SessionChunk> {
    public static final SessionChunkSerializer INSTANCE = new SessionChunkSerializer();
    private static final int VERSION = 1;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public SessionChunk createInstance() {
        return null;
    }

    @Override
    public SessionChunk copy(SessionChunk from) {
        return from;
    }

    @Override
    public SessionChunk copy(SessionChunk from, SessionChunk reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SessionChunk c, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(c.teamId());
        StringValue.writeString(c.sessionId(), out);
        StringValue.writeString(c.distinctId(), out);
        StringValue.writeString(c.snapshotSource(), out);
        StringValue.writeString(c.snapshotLibrary(), out);
        StringValue.writeString(c.retention(), out);
        out.writeLong(c.receivedAtMs());
        writeMetrics(c.metrics(), out);
        writeBytes(c.lines(), out);
        writeBytes(c.consoleLogs(), out);
        SessionChunk.EventPart part = c.eventPart();
        out.writeBoolean(part != null);
        if (part != null) {
            StringValue.writeString(part.id(), out);
            out.writeInt(part.index());
            out.writeInt(part.count());
            writeBytes(part.bytes(), out);
            StringValue.writeString(part.windowId(), out);
            StringValue.writeString(part.sourceTopic(), out);
            out.writeInt(part.sourcePartition());
            out.writeLong(part.sourceOffset());
        }
        out.writeBoolean(c.encrypt());
    }

    @Override
    public SessionChunk deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("unknown session chunk version " + version);
        }
        long teamId = in.readLong();
        String sessionId = StringValue.readString(in);
        String distinctId = StringValue.readString(in);
        String snapshotSource = StringValue.readString(in);
        String snapshotLibrary = StringValue.readString(in);
        String retention = StringValue.readString(in);
        long receivedAtMs = in.readLong();
        BlockMetrics metrics = readMetrics(in);
        byte[] lines = readBytes(in);
        byte[] console = readBytes(in);
        SessionChunk.EventPart part = null;
        if (in.readBoolean()) {
            part = new SessionChunk.EventPart(StringValue.readString(in), in.readInt(), in.readInt(), readBytes(in),
                    StringValue.readString(in), StringValue.readString(in), in.readInt(), in.readLong());
        }
        return new SessionChunk(teamId, sessionId, distinctId, snapshotSource, snapshotLibrary, retention, receivedAtMs,
                metrics, lines, console, part, in.readBoolean());
    }

    @Override
    public SessionChunk deserialize(SessionChunk reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    static void writeMetrics(BlockMetrics m, DataOutputView out) throws IOException {
        out.writeLong(m.firstTimestamp());
        out.writeLong(m.lastTimestamp());
        out.writeLong(m.eventCount());
        out.writeLong(m.messageCount());
        out.writeLong(m.size());
        out.writeLong(m.clickCount());
        out.writeLong(m.keypressCount());
        out.writeLong(m.mouseActivityCount());
        out.writeLong(m.activeMilliseconds());
        out.writeLong(m.firstActiveTimestamp());
        out.writeLong(m.lastActiveTimestamp());
        out.writeLong(m.consoleLogCount());
        out.writeLong(m.consoleWarnCount());
        out.writeLong(m.consoleErrorCount());
        StringValue.writeString(m.firstUrl(), out);
        out.writeInt(m.urls().length);
        for (String url : m.urls()) {
            StringValue.writeString(url, out);
        }
    }

    static BlockMetrics readMetrics(DataInputView in) throws IOException {
        long[] v = new long[14];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readLong();
        }
        String firstUrl = StringValue.readString(in);
        String[] urls = new String[in.readInt()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = StringValue.readString(in);
        }
        return new BlockMetrics(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                firstUrl, urls);
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    @Override
    public TypeSerializerSnapshot<SessionChunk> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer of chunks held in state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SessionChunk> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Gives {@link SessionChunk} this serializer wherever Flink meets the type. */
    public static final class Factory extends TypeInfoFactory<SessionChunk> {
        @Override
        public TypeInformation<SessionChunk> createTypeInfo(java.lang.reflect.Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(SessionChunk.class, INSTANCE);
        }
    }

}
