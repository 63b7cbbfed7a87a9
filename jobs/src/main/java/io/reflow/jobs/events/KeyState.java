package io.reflow.jobs.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the person stage keeps for one distinct id (one key, {@code team_id:distinct_id}): nothing (the id was never
 * seen with person processing), the {@link Person} itself (this key <em>hosts</em> the person: every change to it
 * happens here), or a {@link Pointer} to the key that hosts the person this distinct id belongs to. A key goes
 * empty → host → pointer and never back, so pointers never form a cycle. Stored as JSON bytes (RocksDB in
 * production), so fields can be added without a state migration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class KeyState {
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

    public static KeyState decode(byte[] bytes) {
        return bytes == null ? null : ReadJson.decode(bytes, KeyState.class);
    }

    public byte[] encode() {
        return Json.encode(this);
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
