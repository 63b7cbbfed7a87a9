package io.reflow.jobs.events;

import io.reflow.jobs.common.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link PersonInput}, what crosses the person stage's {@code keyBy}: its fields in order,
 * strings as length-prefixed UTF-8 (Flink's own string serializer writes them char by char), the event's
 * properties (a JSON document of a few KB) as the bytes of their {@link JsonDocument}, copied as they are. Only the network between the operators uses
 * it, never state, so its format can change freely.
 */
public final class PersonInputSerializer extends TypeSerializerSingleton<PersonInput> {
    public static final PersonInputSerializer INSTANCE = new PersonInputSerializer();
    private static final int NULL = -1;
    private static final byte EVENT = 1;
    private static final byte MESSAGE = 2;

    @Override
    public boolean isImmutableType() {
        return true; // records, and the message bytes are never written to
    }

    @Override
    public PersonInput createInstance() {
        return null;
    }

    @Override
    public PersonInput copy(PersonInput from) {
        return from;
    }

    @Override
    public PersonInput copy(PersonInput from, PersonInput reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PersonInput in, DataOutputView out) throws IOException {
        NormalizedEvent e = in.event();
        out.writeByte(e != null ? EVENT : MESSAGE);
        Utf8.write(in.key(), out);
        Utf8.write(in.topic(), out);
        out.writeInt(in.partition());
        out.writeLong(in.offset());
        if (e == null) {
            byte[] m = in.message();
            out.writeInt(m == null ? NULL : m.length);
            if (m != null) {
                out.write(m);
            }
            return;
        }
        Utf8.write(e.uuid(), out);
        Utf8.write(e.event(), out);
        out.writeLong(e.teamId());
        Utf8.write(e.distinctId(), out);
        out.writeLong(e.timestamp());
        out.writeLong(e.createdAt());
        JsonDocument properties = e.propertiesDocument();
        if (properties == null) {
            out.writeInt(NULL);
        } else {
            byte[] literal = properties.literal();
            out.writeInt(literal.length);
            out.write(literal);
        }
        Utf8.write(e.elementsChain(), out);
        Utf8.write(e.sessionId(), out);
        out.writeBoolean(e.processPerson());
        Utf8.write(e.mergeOther(), out);
        Utf8.write(e.set(), out);
        Utf8.write(e.setOnce(), out);
        Utf8.write(e.unset(), out);
    }

    @Override
    public PersonInput deserialize(DataInputView in) throws IOException {
        byte kind = in.readByte();
        String key = Utf8.read(in);
        String topic = Utf8.read(in);
        int partition = in.readInt();
        long offset = in.readLong();
        if (kind == MESSAGE) {
            int n = in.readInt();
            byte[] m = null;
            if (n != NULL) {
                m = new byte[n];
                in.readFully(m);
            }
            return new PersonInput(key, null, m, topic, partition, offset);
        }
        if (kind != EVENT) {
            throw new IOException("not a person input: kind " + kind);
        }
        NormalizedEvent e = new NormalizedEvent(Utf8.read(in), Utf8.read(in), in.readLong(), Utf8.read(in),
                in.readLong(), in.readLong(), readDocument(in), Utf8.read(in), Utf8.read(in), in.readBoolean(),
                Utf8.read(in), Utf8.read(in), Utf8.read(in), Utf8.read(in));
        return new PersonInput(key, e, null, topic, partition, offset);
    }

    private static JsonDocument readDocument(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n == NULL) {
            return null;
        }
        byte[] literal = new byte[n];
        in.readFully(literal);
        return JsonDocument.ofLiteral(literal);
    }

    @Override
    public PersonInput deserialize(PersonInput reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<PersonInput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PersonInput> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    public static final class Factory extends TypeInfoFactory<PersonInput> {
        @Override
        public TypeInformation<PersonInput> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(PersonInput.class, INSTANCE);
        }
    }
}
