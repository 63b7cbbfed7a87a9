package io.reflow.jobs.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.util.List;

/**
 * A message of the person-merges feedback topic: what one key of the person stage asks of another key
 * ({@code team_id:target}). The job writes it with its exactly-once sink and reads it back (read_committed) as a
 * second source; Kafka key is the target key.
 *
 * <ul>
 *   <li>{@code EVENT}: an event of a distinct id whose person is hosted elsewhere, forwarded to the host.</li>
 *   <li>{@code MERGE_REQUEST}: an identify/alias was processed on the target person's side ({@code into}); the
 *       other distinct id ({@code target}) decides: join, refuse, or start the merge.</li>
 *   <li>{@code MERGE_PULL}: the two persons merge, and the sender's host is newer: the target sends its person.</li>
 *   <li>{@code MERGE_STATE}: a whole person, sent from the older host to the newer one, which merges it in.</li>
 *   <li>{@code JOIN}: a distinct id that had no person now belongs to the target's person.</li>
 *   <li>{@code REPOINT}: a distinct id's person now lives at {@code host} (keeps forwarding chains short and
 *       personless events' person ids current).</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class PersonMessage {
    public enum Type { EVENT, MERGE_REQUEST, MERGE_PULL, MERGE_STATE, JOIN, REPOINT }

    /** Which side of a merge a person is: the identify/alias target (wins conflicts, keeps its id) or the other. */
    public enum Role {
        INTO, OTHER;

        Role opposite() {
            return this == INTO ? OTHER : INTO;
        }
    }

    @JsonProperty("type") public Type type;
    @JsonProperty("team_id") public long teamId;
    @JsonProperty("target") public String target;
    @JsonProperty("hops") public int hops;

    /** The event to forward (EVENT), or the identify/alias event a merge emits when it is done (MERGE_*). */
    @JsonProperty("event") public NormalizedEvent event;
    /** MERGE_*: the keys the merge event's $set_once gave the target person a value (see PropertyUpdates.merge). */
    @JsonProperty("set_once_applied") public List<String> setOnceApplied;

    /** MERGE_REQUEST: the target person as the event left it. */
    @JsonProperty("into") public Snapshot into;

    /**
     * MERGE_PULL: the host asking for the person (its rank, person id and creation time); MERGE_STATE: the sender and
     * the person id it now points to; REPOINT: the new host, its rank and the person id; JOIN: the person id joined.
     */
    @JsonProperty("host") public String host;
    @JsonProperty("rank") public Long rank;
    @JsonProperty("person_id") public String personId;
    @JsonProperty("person_created_at") public Long personCreatedAt;
    /** MERGE_PULL: the role of the person at the target; MERGE_STATE: the role of the person carried. */
    @JsonProperty("role") public Role role;
    /** MERGE_STATE: the person. */
    @JsonProperty("person") public KeyState.Person person;
    /** JOIN: the distinct id that joined, and the version of the distinct-id row it was given. */
    @JsonProperty("distinct_id") public String distinctId;
    @JsonProperty("version") public Long version;

    /** A person as seen by the side that sent a merge request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Snapshot(
            @JsonProperty("host") String host,
            @JsonProperty("rank") long rank,
            @JsonProperty("person_id") String personId,
            @JsonProperty("created_at") long createdAt,
            @JsonProperty("properties") ObjectNode properties) {}

    public String key() {
        return DistinctIds.key(teamId, target);
    }

    public static PersonMessage decode(byte[] bytes) {
        PersonMessage m = ReadJson.decode(bytes, PersonMessage.class);
        if (m.type == null || m.target == null || m.teamId <= 0) {
            throw new IllegalArgumentException("a person message needs type, team_id and target");
        }
        return m;
    }

    public byte[] encode() {
        return Json.encode(this);
    }

    static PersonMessage to(Type type, long teamId, String target, int hops) {
        PersonMessage m = new PersonMessage();
        m.type = type;
        m.teamId = teamId;
        m.target = target;
        m.hops = hops;
        return m;
    }
}
