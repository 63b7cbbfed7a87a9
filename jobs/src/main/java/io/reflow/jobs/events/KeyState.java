package io.reflow.jobs.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What the person stage keeps for one distinct id (one key, {@code team_id:distinct_id}): nothing (the id was never
 * seen with person processing), the {@link Person} itself (this key <em>hosts</em> the person: every change to it
 * happens here), or a {@link Pointer} to the key that hosts the person this distinct id belongs to. A key goes
 * empty → host → pointer and never back, so pointers never form a cycle. Stored in a compact binary form
 * ({@link #encode}; RocksDB in production); travels as JSON inside person messages.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class KeyState {
    private static final byte FORMAT = 1;
    private static final byte EMPTY = 0;
    private static final byte HOST = 1;
    private static final byte POINTER = 2;

    @JsonProperty("person")
    public Person person;
    @JsonProperty("pointer")
    public Pointer pointer;

    public static KeyState hosting(Person person) {
        KeyState s = new KeyState();
        s.person = person;
        return s;
    }

    public static KeyState pointingTo(Pointer pointer) {
        KeyState s = new KeyState();
        s.pointer = pointer;
        return s;
    }

    /** Reads {@link #encode}'s format, and the JSON this state was stored as before it (which starts with '{'). */
    public static KeyState decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length > 0 && bytes[0] == '{') {
            return ReadJson.decode(bytes, KeyState.class);
        }
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown person state format " + format);
            }
            KeyState s = new KeyState();
            byte kind = in.readByte();
            if (kind == HOST) {
                Person p = new Person();
                p.id = Utf8.read(in);
                p.createdAt = in.readLong();
                p.identified = in.readBoolean();
                p.version = in.readLong();
                p.rank = in.readLong();
                String properties = Utf8.read(in);
                if (properties == null) {
                    p.properties = Json.mapper().createObjectNode();
                } else {
                    p.properties = (ObjectNode) ReadJson.tree(properties);
                    p.propertiesJson = properties;
                    p.propertiesJsonOf = p.properties;
                }
                int ids = in.readInt();
                p.distinctIds = new LinkedHashMap<>(Math.max(4, ids * 2));
                for (int i = 0; i < ids; i++) {
                    p.distinctIds.put(Utf8.read(in), in.readLong());
                }
                s.person = p;
            } else if (kind == POINTER) {
                s.pointer = Pointer.to(Utf8.read(in), in.readLong(), Utf8.read(in), in.readLong());
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode the person state", e);
        }
    }

    /**
     * Binary, as RocksDB keeps it: a format byte, the kind (empty, host, pointer), the fields in order, strings as
     * length-prefixed UTF-8 and a person's properties as their JSON. Fields are added with a new format byte.
     */
    public byte[] encode() {
        try {
            DataOutputSerializer out = new DataOutputSerializer(person != null ? 256 + 2 * 1024 : 96);
            out.writeByte(FORMAT);
            if (person != null) {
                Person p = person;
                out.writeByte(HOST);
                Utf8.write(p.id, out);
                out.writeLong(p.createdAt);
                out.writeBoolean(p.identified);
                out.writeLong(p.version);
                out.writeLong(p.rank);
                Utf8.write(p.properties == null ? null : p.propertiesJson(), out);
                out.writeInt(p.distinctIds.size());
                for (Map.Entry<String, Long> d : p.distinctIds.entrySet()) {
                    Utf8.write(d.getKey(), out);
                    out.writeLong(d.getValue());
                }
            } else if (pointer != null) {
                out.writeByte(POINTER);
                Utf8.write(pointer.host, out);
                out.writeLong(pointer.rank);
                Utf8.write(pointer.personId, out);
                out.writeLong(pointer.personCreatedAt);
            } else {
                out.writeByte(EMPTY);
            }
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the person state", e);
        }
    }

    /**
     * A person, hosted by one key. {@code rank} (with the host's distinct id as tie-break) orders hosts: when two
     * persons merge, the person state travels from the older host to the newer one, so a merge never waits for a
     * lock and two merges crossing each other can never send both persons away.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Person {
        @JsonProperty("id")
        public String id;
        @JsonProperty("created_at")
        public long createdAt;
        @JsonProperty("identified")
        public boolean identified;
        @JsonProperty("version")
        public long version;
        @JsonProperty("rank")
        public long rank;
        @JsonProperty("properties")
        public ObjectNode properties;
        /** Every distinct id of the person with the version of its last distinct-id row: this host writes those rows. */
        @JsonProperty("distinct_ids")
        public LinkedHashMap<String, Long> distinctIds;
        /** {@link #properties} as JSON, when known: valid while {@link #properties} is this very object, unchanged. */
        @JsonIgnore
        private String propertiesJson;
        @JsonIgnore
        private ObjectNode propertiesJsonOf;

        /**
         * The JSON of {@link #properties}: as it was read or last written when they are the same object and were not
         * changed in place since (whoever changes them in place calls {@link #propertiesChanged}), else written now.
         */
        public String propertiesJson() {
            if (propertiesJson == null || propertiesJsonOf != properties) {
                propertiesJson = JsonRows.text(properties);
                propertiesJsonOf = properties;
            }
            return propertiesJson;
        }

        /** {@link #properties} were changed in place: their JSON is written again when next needed. */
        public void propertiesChanged() {
            propertiesJson = null;
            propertiesJsonOf = null;
        }

        public static Person create(String id, long createdAt, long rank, String distinctId, long distinctIdVersion) {
            Person p = new Person();
            p.id = id;
            p.createdAt = createdAt;
            p.rank = rank;
            p.properties = Json.mapper().createObjectNode();
            p.distinctIds = new LinkedHashMap<>(Map.of(distinctId, distinctIdVersion));
            return p;
        }
    }

    /** Where the person of a distinct id lives, and (possibly stale) its id and creation time for personless events. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Pointer {
        @JsonProperty("host")
        public String host;
        @JsonProperty("rank")
        public long rank;
        @JsonProperty("person_id")
        public String personId;
        @JsonProperty("person_created_at")
        public long personCreatedAt;

        public static Pointer to(String host, long rank, String personId, long personCreatedAt) {
            Pointer p = new Pointer();
            p.host = host;
            p.rank = rank;
            p.personId = personId;
            p.personCreatedAt = personCreatedAt;
            return p;
        }
    }

    /** Whether host {@code (rankA, hostA)} is older than host {@code (rankB, hostB)}. */
    public static boolean older(long rankA, String hostA, long rankB, String hostB) {
        return rankA != rankB ? rankA < rankB : hostA.compareTo(hostB) < 0;
    }
}
