/**
 * The events job: what PostHog's ingestion ("plugin server") does to analytics events, as a Flink job with person
 * state in keyed state (RocksDB).
 *
 * <h2>Pipeline</h2>
 * <pre>
 * events topic ──► NormalizeEvents ──┬─► warnings ──────────────────────────────────────────────────► ingestion_warnings
 *                                    ├─► dead letters ──────────────────────────────────────────────► dead-letter topic
 *                                    ▼
 *                    keyBy(team_id:distinct_id) ─► PersonProcessor ──► enriched events ──────────────► events_json
 *                                    ▲                 │  ├─► person rows ────────────────────────────► person
 *                                    │                 │  ├─► distinct-id rows ───────────────────────► person_distinct_id
 * person-merges topic ─► DecodePersonMessages          │  ├─► warnings / dead letters
 *          ▲                                           │
 *          └───────────── exactly-once sink ◄──────────┘  messages to other keys
 * </pre>
 * Events with an illegal distinct id pass the person stage too, personless and without touching state, so every
 * event row leaves from the person stage and the events sink is chained to it. Every sink is an exactly-once
 * {@code KafkaSink}, the feedback sink included; both sources read {@code read_committed}. Every operator has a stable uid ({@link io.reflow.jobs.events.EventsJob}).
 *
 * <h2>Person state and merges</h2>
 * A person lives at one <em>host</em> key, the key of the distinct id that created it (or, after a merge, the newer
 * of the two hosts); the person's other distinct ids hold a pointer to it. Every change to a person happens at its
 * host, so person rows have a single writer and versions only grow; the host also writes the distinct-id rows of all
 * of its distinct ids (it keeps each one's row version). An event of a pointer key is forwarded to the host through
 * the feedback topic.
 *
 * <p>An {@code $identify} ({@code $anon_distinct_id}), {@code $create_alias} or {@code $merge_dangerously}
 * ({@code alias}) is applied at the event's own person first ($set/$set_once/$unset, identified, created if new),
 * then a {@code MERGE_REQUEST} travels to the other distinct id's key, which decides with what only it knows:
 * never seen → it joins the target person (a {@code JOIN} tells the host); already the same person → nothing;
 * identified and not {@code $merge_dangerously} → refused with {@code cannot_merge_already_identified}; otherwise the
 * persons merge. The older host sends its whole person to the newer host ({@code MERGE_STATE}, or first a
 * {@code MERGE_PULL} when the other side is the newer one); hosts are totally ordered by (creation time, distinct
 * id), so two merges crossing each other never send both persons away and nothing waits for a lock. The receiving
 * host merges (the target's properties win, the merge event's own {@code $set_once} yields to what the other person
 * had, as PostHog), publishes the merged person with version max+1, the merged-away person with
 * {@code is_deleted = 1} (version + 100, as PostHog), and every moved distinct id with its version + 1, then sends
 * {@code REPOINT}s so pointers skip intermediate hosts. The identify/alias event itself is published when its merge
 * is settled, with the merged person. A key goes empty → host → pointer and never back, so pointer chains have no
 * cycles; messages that bounce more than {@link io.reflow.jobs.events.PersonLogic#MAX_HOPS} times are settled with a
 * warning.
 *
 * <h2>Group identify</h2>
 * A {@code $groupidentify} (posthog-js {@code group()}) is, as in PostHog, an event of its distinct id's person
 * (created if new, like for any event) that never updates, identifies or merges it: its {@code $set},
 * {@code $set_once} and {@code $unset} are dropped, and {@code $anon_distinct_id}/{@code alias} mean nothing on it.
 * The group ({@code $group_type}, {@code $group_key}, {@code $group_set}) stays in the event's properties: Reflow has
 * no groups table, and one can be built from these events. A group key longer than 400 characters or a
 * {@code $group_set} that is not an object is a dead letter with PostHog's warning ({@code group_key_too_long},
 * {@code invalid_group_set}).
 *
 * <h2>Size limits</h2>
 * A person's properties stay within 640 KiB (PostHog's limit): an update that would go past it is refused with a
 * {@code person_properties_size_violation} warning, the person stays as it was and the event is still published; a
 * merge that would go past it keeps the target person's properties. No record the job writes is larger than
 * 1,000,000 bytes: an event row is published without its person properties, a feedback message travels without the
 * event's properties, and what still does not fit is a dead letter, each with a {@code message_size_too_large}
 * warning ({@link io.reflow.jobs.events.SizeLimits}).
 *
 * <h2>Ordering and consistency caveats</h2>
 * <ul>
 *   <li>Each hop through the feedback topic waits for a checkpoint (the messages are in a Kafka transaction), so an
 *       identify settles after 1–3 checkpoint intervals and its event is published that late; events of a merged-away
 *       distinct id take one more interval.</li>
 *   <li>Events of the two distinct ids are not ordered against each other (as in PostHog, where they are on
 *       different partitions). An event of the other id processed before the merge request arrives is applied to its
 *       old person and carried into the merge (a $set there loses against the target's value for the same key); one
 *       processed after is forwarded to the merged person.</li>
 *   <li>The refusal check uses the other person's {@code is_identified} when the request reaches it; when the other
 *       host is the newer one, the target person travels there afterwards and cannot be refused any more.</li>
 *   <li>When the target distinct id has no person yet, it gets one (UUIDv5 of its own id) and the other person merges
 *       into it; PostHog would instead add the target id to the other person (keeping that person's UUID) and would
 *       not refuse. Both distinct ids still end up on one person; an identify of a brand-new id with an already
 *       identified anonymous id is refused here.</li>
 *   <li>A distinct id that joins a person whose UUID is not its own derived UUID gets distinct-id row version 1 (an
 *       override), because its personless events may already carry its derived UUID; PostHog writes 0 when it knows
 *       the id was never used personless.</li>
 *   <li>A personless event uses the person its key knows, without waiting for merges in flight; a pointer's person id
 *       is refreshed by {@code REPOINT}s.</li>
 *   <li>Starting the job without its savepoint (empty state) while the feedback topic still holds messages of an
 *       earlier run replays them against empty state: they end up as warnings and personless events.</li>
 * </ul>
 */
package io.reflow.jobs.events;
