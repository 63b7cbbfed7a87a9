package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.events.KeyState.Person;
import io.reflow.jobs.events.KeyState.Pointer;
import io.reflow.jobs.events.PersonMessage.Role;
import io.reflow.jobs.events.PersonMessage.Snapshot;
import io.reflow.jobs.events.PersonMessage.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The person stage's transitions, as pure functions of (key, state, input, processing time): no Flink here. Each
 * call returns the key's next state and reports what to publish (events, person rows, distinct-id rows, warnings)
 * and what to send to other keys through the feedback topic.
 *
 * <p>The protocol. A person lives at one <em>host</em> key; its other distinct ids point there. An event of a
 * pointer is forwarded to the host. An identify/alias/merge_dangerously is first applied at the event's own person
 * (creating it if needed, marking it identified), then a {@code MERGE_REQUEST} goes to the other distinct id, which
 * (following its pointer to its host if it has one) decides: unknown id → it joins the target person; same person
 * → nothing to do; identified and not {@code $merge_dangerously} → refused with a warning; otherwise the two persons
 * merge, and the person state travels from the older host to the newer (directly, or after a {@code MERGE_PULL}).
 * The host that receives the other person merges properties (target wins), publishes the merged person with a
 * higher version, the merged-away person deleted, and every moved distinct id with a higher version, then tells
 * those distinct ids where their person is now. The merging event itself is published when the merge is settled,
 * with the merged person.
 */
public final class PersonLogic {
    /** A message that bounced this often is not going anywhere (a bug or lost state): warned about and settled. */
    static final int MAX_HOPS = 32;
    /** PostHog's created_at for the stand-in person of a personless event: 1970-01-01T00:00:05Z. */
    public static final long PERSONLESS_CREATED_AT = 5_000L;
    /** PostHog: a personless event of a distinct id with a person older than this gets the person ("force_upgrade"). */
    static final long FORCE_UPGRADE_AFTER_MS = 60_000L;

    public static final String MODE_FULL = "full";
    public static final String MODE_PROPERTYLESS = "propertyless";
    public static final String MODE_FORCE_UPGRADE = "force_upgrade";

    /** Where the transitions publish. */
    public interface Output {
        void event(EventRow event);

        void person(PersonRow row);

        void distinctId(PersonDistinctIdRow row);

        void warning(IngestionWarning warning);

        void send(PersonMessage message);
    }

    /** The key's state after an input (null: nothing kept), and whether it changed. */
    public record Next(KeyState state, boolean changed) {
        static Next same(KeyState s) {
            return new Next(s, false);
        }

        static Next changed(KeyState s) {
            return new Next(s, true);
        }
    }

    private PersonLogic() {}

    // ------------------------------------------------------------------------------------------------
    // events

    /** An event for key {@code key}: fresh from the events topic ({@code hops} 0), or forwarded to this host. */
    public static Next onEvent(String key, KeyState state, NormalizedEvent e, int hops, long now, Output out) {
        long team = DistinctIds.teamOf(key);
        String self = DistinctIds.distinctIdOf(key);
        if (!e.processPerson()) {
            personless(state, e, out);
            return Next.same(state);
        }
        if (state != null && state.pointer != null) {
            forward(team, state.pointer.host, hops, e, out);
            return Next.same(state);
        }
        boolean created = state == null || state.person == null;
        Person p;
        if (created) {
            p = Person.create(DistinctIds.personUuid(team, self), e.timestamp(), now, self, 0);
            state = KeyState.hosting(p);
            out.distinctId(new PersonDistinctIdRow(team, self, p.id, 0, 0));
        } else {
            p = state.person;
        }
        if (hops > 1 && !e.distinctId().equals(self)) {
            out.send(repoint(team, e.distinctId(), self, p));
        }
        String other = e.mergeOther();
        PropertyUpdates.Updates updates = PropertyUpdates.Updates.of(e);
        PropertyUpdates.Outcome applied = PropertyUpdates.apply(p.properties, updates, created || other != null);
        String properties = null; // the person's properties as JSON, written once for the row and the event
        if (applied.changed()) {
            p.propertiesChanged();
            properties = p.propertiesJson();
            if (SizeLimits.tooLargeForAPerson(properties)) {
                applied.undo(p.properties);
                p.propertiesChanged();
                applied = PropertyUpdates.Outcome.NONE;
                properties = null;
                out.warning(Warnings.of(team, Warnings.PERSON_PROPERTIES_SIZE_VIOLATION, e.createdAt(),
                        "personId", p.id, "distinctId", e.distinctId(), "eventUuid", e.uuid(),
                        "limitBytes", SizeLimits.MAX_PERSON_PROPERTIES_BYTES,
                        "message", "Person properties update would exceed the size limit and was rejected"));
            }
        }
        boolean changed = created || applied.changed();
        if (other != null && !p.identified) {
            p.identified = true;
            changed = true;
        }
        if (changed && !created) {
            p.version++;
        }
        if (properties == null) {
            properties = p.propertiesJson(); // unchanged: as read from the state, not written again
        }
        if (changed) {
            out.person(row(team, p, properties));
        }
        if (other != null && !p.distinctIds.containsKey(other)) {
            PersonMessage m = PersonMessage.to(Type.MERGE_REQUEST, team, other, 0);
            m.event = e;
            m.setOnceApplied = applied.setOnceApplied();
            m.into = new Snapshot(self, p.rank, p.id, p.createdAt, p.properties.deepCopy());
            out.send(m);
        } else {
            out.event(enrich(e, p.id, properties, p.createdAt, MODE_FULL));
        }
        return new Next(state, changed);
    }

    /**
     * A personless event: the person of its distinct id if it has one (PostHog's "force_upgrade" when that person is
     * more than a minute older than the event, else "propertyless"), else the id derived from the distinct id. No
     * person properties, no state change.
     */
    static void personless(KeyState state, NormalizedEvent e, Output out) {
        String personId;
        long createdAt;
        if (state != null && state.person != null) {
            personId = state.person.id;
            createdAt = state.person.createdAt;
        } else if (state != null && state.pointer != null) {
            personId = state.pointer.personId;
            createdAt = state.pointer.personCreatedAt;
        } else {
            out.event(personlessEvent(e));
            return;
        }
        String mode = e.timestamp() > createdAt + FORCE_UPGRADE_AFTER_MS ? MODE_FORCE_UPGRADE : MODE_PROPERTYLESS;
        out.event(new EventRow(e, personId, "{}", createdAt, mode));
    }

    /** The event of a distinct id without a person: derived person id, PostHog's sentinel creation time, no properties. */
    public static EventRow personlessEvent(NormalizedEvent e) {
        return new EventRow(e, DistinctIds.personUuid(e.teamId(), e.distinctId()), "{}", PERSONLESS_CREATED_AT,
                MODE_PROPERTYLESS);
    }

    // ------------------------------------------------------------------------------------------------
    // messages

    public static Next onMessage(String key, KeyState state, PersonMessage m, long now, Output out) {
        return switch (m.type) {
            case EVENT -> onEvent(key, state, m.event, m.hops, now, out);
            case MERGE_REQUEST -> onMergeRequest(key, state, m, out);
            case MERGE_PULL -> onMergePull(key, state, m, out);
            case MERGE_STATE -> onMergeState(key, state, m, out);
            case JOIN -> onJoin(key, state, m, out);
            case REPOINT -> onRepoint(state, m);
        };
    }

    /** At the other distinct id of an identify/alias (or, following pointers, at its host). */
    static Next onMergeRequest(String key, KeyState state, PersonMessage m, Output out) {
        long team = DistinctIds.teamOf(key);
        String self = DistinctIds.distinctIdOf(key);
        Snapshot into = m.into;
        NormalizedEvent e = m.event;
        if (state == null || state.person == null && state.pointer == null) {
            // never seen with a person: it simply joins the target person
            long version = into.personId().equals(DistinctIds.personUuid(team, self)) ? 0 : 1;
            out.distinctId(new PersonDistinctIdRow(team, self, into.personId(), version, 0));
            PersonMessage join = PersonMessage.to(Type.JOIN, team, into.host(), 0);
            join.distinctId = self;
            join.personId = into.personId();
            join.version = version;
            out.send(join);
            out.event(enrich(e, into.personId(), into.properties(), into.createdAt(), MODE_FULL));
            return Next.changed(KeyState.pointingTo(Pointer.to(into.host(), into.rank(), into.personId(), into.createdAt())));
        }
        if (state.pointer != null) {
            Pointer ptr = state.pointer;
            if (ptr.host.equals(into.host()) || ptr.personId.equals(into.personId())) {
                out.event(enrich(e, into.personId(), into.properties(), into.createdAt(), MODE_FULL));
            } else {
                forward(team, ptr.host, m, out);
            }
            return Next.same(state);
        }
        Person p = state.person;
        if (self.equals(into.host()) || p.id.equals(into.personId())) {
            out.event(enrich(e, p.id, p.propertiesJson(), p.createdAt, MODE_FULL));
            return Next.same(state);
        }
        if (p.identified && !"$merge_dangerously".equals(e.event())) {
            out.warning(Warnings.of(team, Warnings.CANNOT_MERGE_IDENTIFIED, e.createdAt(),
                    "sourcePersonDistinctId", e.mergeOther(), "targetPersonDistinctId", e.distinctId(),
                    "eventUuid", e.uuid()));
            out.event(enrich(e, into.personId(), into.properties(), into.createdAt(), MODE_FULL));
            return Next.same(state);
        }
        if (KeyState.older(p.rank, self, into.rank(), into.host())) {
            out.send(mergeState(team, into.host(), self, into.personId(), Role.OTHER, p, m));
            return Next.changed(KeyState.pointingTo(Pointer.to(into.host(), into.rank(), into.personId(),
                    Math.min(p.createdAt, into.createdAt()))));
        }
        out.send(mergePull(team, into.host(), self, p, Role.INTO, m));
        return Next.same(state);
    }

    /** At a host asked to send its person (role {@code m.role}) to the newer host {@code m.host}. */
    static Next onMergePull(String key, KeyState state, PersonMessage m, Output out) {
        long team = DistinctIds.teamOf(key);
        String self = DistinctIds.distinctIdOf(key);
        if (state == null || state.person == null && state.pointer == null) {
            lost(team, self, m, out);
            return Next.same(state);
        }
        if (state.pointer != null) {
            forward(team, state.pointer.host, m, out);
            return Next.same(state);
        }
        Person p = state.person;
        if (self.equals(m.host)) {
            // both sides already ended up in this person
            out.event(enrich(m.event, p.id, p.propertiesJson(), p.createdAt, MODE_FULL));
            return Next.same(state);
        }
        if (KeyState.older(p.rank, self, m.rank, m.host)) {
            String survivor = m.role == Role.INTO ? p.id : m.personId;
            out.send(mergeState(team, m.host, self, survivor, m.role, p, m));
            return Next.changed(KeyState.pointingTo(Pointer.to(m.host, m.rank, survivor,
                    Math.min(p.createdAt, m.personCreatedAt))));
        }
        out.send(mergePull(team, m.host, self, p, m.role.opposite(), m));
        return Next.same(state);
    }

    /** At the newer host: merges the person carried (role {@code m.role}) into the one hosted here. */
    static Next onMergeState(String key, KeyState state, PersonMessage m, Output out) {
        long team = DistinctIds.teamOf(key);
        String self = DistinctIds.distinctIdOf(key);
        if (state != null && state.pointer != null) {
            forward(team, state.pointer.host, m, out);
            return Next.same(state);
        }
        Person incoming = m.person;
        if (state == null || state.person == null) {
            // cannot happen (a person is only sent to a host): keep it here rather than lose it
            lost(team, self, m, out);
            return Next.changed(KeyState.hosting(incoming));
        }
        Person p = state.person;
        boolean incomingIsInto = m.role == Role.INTO;
        Person into = incomingIsInto ? incoming : p;
        Person other = incomingIsInto ? p : incoming;
        ObjectNode properties = PropertyUpdates.merge(other.properties, into.properties,
                PropertyUpdates.Updates.of(m.event), m.setOnceApplied == null ? List.of() : m.setOnceApplied);
        String propertiesJson = json(properties);
        if (SizeLimits.tooLargeForAPerson(propertiesJson)) {
            // the merged person keeps the target's properties only (it is within the limit)
            out.warning(Warnings.of(team, Warnings.PERSON_PROPERTIES_SIZE_VIOLATION, m.event.createdAt(),
                    "personId", into.id, "otherPersonId", other.id, "distinctId", m.event.distinctId(),
                    "eventUuid", m.event.uuid(), "limitBytes", SizeLimits.MAX_PERSON_PROPERTIES_BYTES,
                    "message", "The merged person's properties would exceed the size limit: only the target person's were kept"));
            properties = into.properties.deepCopy();
            propertiesJson = json(properties);
        }

        LinkedHashMap<String, Long> ids = new LinkedHashMap<>(into.distinctIds);
        List<String> moved = new ArrayList<>();
        for (Map.Entry<String, Long> d : other.distinctIds.entrySet()) {
            long version = Math.max(d.getValue(), ids.getOrDefault(d.getKey(), -1L)) + 1;
            ids.put(d.getKey(), version);
            moved.add(d.getKey());
            out.distinctId(new PersonDistinctIdRow(team, d.getKey(), into.id, version, 0));
        }
        // PostHog: a deleted person's row gets version + 100, so it wins over anything written for it concurrently
        out.person(new PersonRow(other.id, team, json(other.properties), other.identified ? 1 : 0, other.createdAt,
                other.version + 100, 1));

        Person merged = p;
        merged.version = Math.max(p.version, incoming.version) + 1;
        merged.id = into.id;
        merged.createdAt = Math.min(p.createdAt, incoming.createdAt);
        merged.identified = true;
        merged.properties = properties;
        merged.distinctIds = ids;
        out.person(row(team, merged, propertiesJson));
        // the sender already points here with the right person id when the state came straight here
        String sender = m.hops == 0 && merged.id.equals(m.personId) ? m.host : null;
        for (String d : incomingIsInto ? ids.keySet() : moved) {
            if (!d.equals(self) && !d.equals(sender)) {
                out.send(repoint(team, d, self, merged));
            }
        }
        out.event(enrich(m.event, merged.id, propertiesJson, merged.createdAt, MODE_FULL));
        return Next.changed(state);
    }

    /** At a host: a distinct id that had no person has joined its person. */
    static Next onJoin(String key, KeyState state, PersonMessage m, Output out) {
        long team = DistinctIds.teamOf(key);
        String self = DistinctIds.distinctIdOf(key);
        if (state == null || state.person == null && state.pointer == null) {
            lost(team, self, m, out);
            return Next.same(state);
        }
        if (state.pointer != null) {
            forward(team, state.pointer.host, m, out);
            return Next.same(state);
        }
        Person p = state.person;
        if (p.distinctIds.containsKey(m.distinctId)) {
            return Next.same(state);
        }
        long version = m.version;
        if (!p.id.equals(m.personId)) {
            // the person it joined has since merged into this one: the distinct id's row moves again
            version++;
            out.distinctId(new PersonDistinctIdRow(team, m.distinctId, p.id, version, 0));
            out.send(repoint(team, m.distinctId, self, p));
        }
        p.distinctIds.put(m.distinctId, version);
        return Next.changed(state);
    }

    /** At a pointer: its person now lives at a newer host (or got another id at the same host). */
    static Next onRepoint(KeyState state, PersonMessage m) {
        if (state == null || state.pointer == null) {
            return Next.same(state);
        }
        Pointer ptr = state.pointer;
        if (ptr.host.equals(m.host) || KeyState.older(ptr.rank, ptr.host, m.rank, m.host)) {
            if (ptr.host.equals(m.host) && ptr.personId.equals(m.personId) && ptr.personCreatedAt == m.personCreatedAt) {
                return Next.same(state);
            }
            return Next.changed(KeyState.pointingTo(Pointer.to(m.host, m.rank, m.personId, m.personCreatedAt)));
        }
        return Next.same(state);
    }

    // ------------------------------------------------------------------------------------------------

    /** Sends an event on to the host of its person; after {@link #MAX_HOPS} it is published personless instead. */
    private static void forward(long team, String host, int hops, NormalizedEvent e, Output out) {
        PersonMessage m = PersonMessage.to(Type.EVENT, team, host, hops + 1);
        m.event = e;
        if (m.hops > MAX_HOPS) {
            routingFailed(team, m, out);
            out.event(personlessEvent(e));
            return;
        }
        out.send(m);
    }

    /** Sends a merge message on to {@code host}; after {@link #MAX_HOPS} it is settled with {@link #lost} instead. */
    private static void forward(long team, String host, PersonMessage original, Output out) {
        PersonMessage m = ReadJson.decode(original.encode(), PersonMessage.class);
        m.target = host;
        m.hops = original.hops + 1;
        if (m.hops > MAX_HOPS) {
            lost(team, host, m, out);
            return;
        }
        out.send(m);
    }

    private static void routingFailed(long team, PersonMessage m, Output out) {
        out.warning(Warnings.of(team, Warnings.PERSON_ROUTING_FAILED, m.event != null ? m.event.createdAt() : 0L,
                "messageType", m.type.name(), "target", m.target, "hops", m.hops,
                "eventUuid", m.event != null ? m.event.uuid() : ""));
    }

    /**
     * A merge message that found no person where there must be one (lost state) or went round too often: warned
     * about, and its event still published (with the target person as the request saw it, else personless).
     */
    private static void lost(long team, String self, PersonMessage m, Output out) {
        PersonMessage at = ReadJson.decode(m.encode(), PersonMessage.class);
        at.target = self;
        routingFailed(team, at, out);
        if (m.event != null && m.type != Type.JOIN) {
            out.event(m.into != null
                    ? enrich(m.event, m.into.personId(), m.into.properties(), m.into.createdAt(), MODE_FULL)
                    : personlessEvent(m.event));
        }
    }

    private static PersonMessage mergeState(long team, String target, String sender, String senderPointsTo, Role role,
                                            Person p, PersonMessage cause) {
        PersonMessage s = PersonMessage.to(Type.MERGE_STATE, team, target, 0);
        s.host = sender;
        s.personId = senderPointsTo;
        s.role = role;
        s.person = p;
        s.event = cause.event;
        s.setOnceApplied = cause.setOnceApplied;
        return s;
    }

    private static PersonMessage mergePull(long team, String target, String self, Person p, Role targetRole, PersonMessage cause) {
        PersonMessage pull = PersonMessage.to(Type.MERGE_PULL, team, target, 0);
        pull.host = self;
        pull.rank = p.rank;
        pull.personId = p.id;
        pull.personCreatedAt = p.createdAt;
        pull.role = targetRole;
        pull.event = cause.event;
        pull.setOnceApplied = cause.setOnceApplied;
        return pull;
    }

    private static PersonMessage repoint(long team, String distinctId, String host, Person p) {
        PersonMessage r = PersonMessage.to(Type.REPOINT, team, distinctId, 0);
        r.host = host;
        r.rank = p.rank;
        r.personId = p.id;
        r.personCreatedAt = p.createdAt;
        return r;
    }

    static PersonRow row(long team, Person p, boolean deleted) {
        return new PersonRow(p.id, team, json(p.properties), p.identified ? 1 : 0, p.createdAt, p.version, deleted ? 1 : 0);
    }

    /** The live row of {@code p}, whose properties are already written as {@code propertiesJson}. */
    static PersonRow row(long team, Person p, String propertiesJson) {
        return new PersonRow(p.id, team, propertiesJson, p.identified ? 1 : 0, p.createdAt, p.version, 0);
    }

    static EventRow enrich(NormalizedEvent e, String personId, ObjectNode personProperties, long personCreatedAt,
                                String mode) {
        return enrich(e, personId, json(personProperties), personCreatedAt, mode);
    }

    static EventRow enrich(NormalizedEvent e, String personId, String personPropertiesJson, long personCreatedAt,
                           String mode) {
        return new EventRow(e, personId, personPropertiesJson, personCreatedAt, mode);
    }

    private static String json(ObjectNode node) {
        return JsonRows.text(node);
    }
}
