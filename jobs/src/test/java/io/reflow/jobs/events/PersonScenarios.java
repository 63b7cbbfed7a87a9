package io.reflow.jobs.events;

import static io.reflow.jobs.events.TestEvents.alias;
import static io.reflow.jobs.events.TestEvents.event;
import static io.reflow.jobs.events.TestEvents.identify;
import static io.reflow.jobs.events.TestEvents.mergeDangerously;
import static io.reflow.jobs.events.TestEvents.normalized;
import static io.reflow.jobs.events.TestEvents.personless;
import static io.reflow.jobs.events.TestEvents.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scenarios of the person semantics, across keys, with every feedback message's delivery order under control. They
 * run twice: on {@link PersonLogic} directly ({@link PersonLogicTest}) and on the Flink operator under its keyed
 * test harness ({@link PersonProcessorScenariosTest}).
 */
abstract class PersonScenarios {
    static final long T = TestEvents.TEAM;
    final PersonCluster c = cluster();

    abstract PersonCluster cluster();

    @AfterEach
    void close() throws Exception {
        c.close();
    }

    static String pid(String distinctId) {
        return DistinctIds.personUuid(T, distinctId);
    }

    static JsonNode json(String s) {
        return TestEvents.tree(s);
    }

    // -------------------------------------------------------------------------------------------- one person

    @Test
    void theFirstEventCreatesThePersonWithADeterministicIdAndPublishesItsRows() {
        NormalizedEvent e = normalized("u1", "{\"event\":\"$pageview\",\"properties\":{\"$set\":{\"plan\":\"free\"}}}");
        c.send(e).settle();

        assertThat(c.persons).containsExactly(new PersonRow(pid("u1"), T, "{\"plan\":\"free\"}", 0, e.timestamp(), 0, 0));
        assertThat(c.distinctIds).containsExactly(new PersonDistinctIdRow(T, "u1", pid("u1"), 0, 0));
        EnrichedEvent out = c.event(e.uuid());
        assertThat(out.personId()).isEqualTo(pid("u1"));
        assertThat(json(out.personProperties())).isEqualTo(json("{\"plan\":\"free\"}"));
        assertThat(out.personCreatedAt()).isEqualTo(e.timestamp());
        assertThat(out.personMode()).isEqualTo("full");
        assertThat(c.inFlight).isEmpty();
        c.assertConsistent();
    }

    @Test
    void setChangesThePersonWithAHigherVersionAndAnUnchangedSetPublishesNoRow() {
        c.send(set("u1", "{\"plan\":\"free\"}")).send(set("u1", "{\"plan\":\"pro\"}")).send(set("u1", "{\"plan\":\"pro\"}"));
        assertThat(c.persons).extracting(PersonRow::version, PersonRow::properties)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, "{\"plan\":\"free\"}"),
                        org.assertj.core.groups.Tuple.tuple(1L, "{\"plan\":\"pro\"}"));
        assertThat(c.events).hasSize(3).allSatisfy(e -> assertThat(e.personMode()).isEqualTo("full"));
        assertThat(json(c.events.get(2).personProperties())).isEqualTo(json("{\"plan\":\"pro\"}"));
        c.assertConsistent();
    }

    @Test
    void setOnceOnlyFillsWhatIsAbsentAndSetWinsInTheSameEvent() {
        c.send(normalized("u1", "{\"event\":\"a\",\"properties\":{\"$set_once\":{\"first\":\"a\",\"x\":\"once\"},\"$set\":{\"x\":\"set\"}}}"))
                .send(normalized("u1", "{\"event\":\"b\",\"properties\":{\"$set_once\":{\"first\":\"b\",\"second\":\"b\"}}}"));
        assertThat(json(c.personTable().get(pid("u1")).properties()))
                .isEqualTo(json("{\"first\":\"a\",\"x\":\"set\",\"second\":\"b\"}"));
        c.assertConsistent();
    }

    @Test
    void unsetRemovesProperties() {
        c.send(set("u1", "{\"a\":1,\"b\":2}"))
                .send(normalized("u1", "{\"event\":\"x\",\"properties\":{\"$unset\":[\"a\",\"missing\"]}}"));
        assertThat(json(c.personTable().get(pid("u1")).properties())).isEqualTo(json("{\"b\":2}"));
        assertThat(c.personTable().get(pid("u1")).version()).isEqualTo(1);
    }

    @Test
    void setInsideAnyEventsPropertiesAndOutsideThemUpdateThePerson() {
        c.send(normalized("u1", "{\"event\":\"signed_up\",\"properties\":{\"$set\":{\"a\":1}}}"))
                .send(normalized("u1", "{\"event\":\"upgraded\",\"$set\":{\"b\":2},\"properties\":{}}"));
        assertThat(json(c.personTable().get(pid("u1")).properties())).isEqualTo(json("{\"a\":1,\"b\":2}"));
    }

    @Test
    void pageViewPropertiesChangingAloneDoNotRewriteThePerson() {
        c.send(normalized("u1", "{\"event\":\"$pageview\",\"properties\":{\"$current_url\":\"/a\",\"$browser\":\"Chrome\"}}"))
                .send(normalized("u1", "{\"event\":\"$pageview\",\"properties\":{\"$current_url\":\"/b\",\"$browser\":\"Chrome\"}}"));
        assertThat(c.persons).hasSize(1);
        assertThat(json(c.persons.get(0).properties()).get("$current_url").asText()).isEqualTo("/a");
        assertThat(json(c.persons.get(0).properties()).get("$initial_current_url").asText()).isEqualTo("/a");
    }

    // -------------------------------------------------------------------------------------------- personless

    @Test
    void aPersonlessEventOfAnUnknownIdGetsTheDerivedPersonIdAndLeavesNoState() {
        NormalizedEvent e = personless("anon-1", "$pageview");
        c.send(e).settle();
        EnrichedEvent out = c.event(e.uuid());
        assertThat(out.personId()).isEqualTo(pid("anon-1"));
        assertThat(out.personProperties()).isEqualTo("{}");
        assertThat(out.personMode()).isEqualTo("propertyless");
        assertThat(out.personCreatedAt()).isEqualTo(PersonLogic.PERSONLESS_CREATED_AT);
        assertThat(c.keys()).isEmpty();
        assertThat(c.persons).isEmpty();
        assertThat(c.distinctIds).isEmpty();
    }

    @Test
    void aPersonlessEventOfAKnownPersonGetsItsIdButNoPropertiesAndForceUpgradeAfterAMinute() {
        NormalizedEvent created = set("u1", "{\"a\":1}");
        c.send(created);
        NormalizedEvent soon = personless("u1", "soon");
        NormalizedEvent later = normalized(TestEvents.captured(T, "u1",
                "{\"event\":\"later\",\"properties\":{\"$process_person_profile\":false}}", TestEvents.NOW + 120_000));
        c.send(soon).send(later);
        assertThat(c.event(soon.uuid()).personMode()).isEqualTo("propertyless");
        assertThat(c.event(later.uuid()).personMode()).isEqualTo("force_upgrade");
        assertThat(c.event(later.uuid()).personId()).isEqualTo(pid("u1"));
        assertThat(c.event(later.uuid()).personProperties()).isEqualTo("{}");
        assertThat(c.persons).hasSize(1);
    }

    // -------------------------------------------------------------------------------------------- merges

    @Test
    void identifyingAPersonlessAnonymousIdCreatesTheIdentifiedPersonAndTheAnonymousIdJoinsIt() {
        c.send(personless("anon", "$pageview"));
        NormalizedEvent id = identify("user", "anon", "{\"email\":\"u@x\"}", null);
        c.send(id);
        assertThat(c.events).hasSize(1).as("the identify waits for its merge");
        c.settle();

        EnrichedEvent out = c.event(id.uuid());
        assertThat(out.personId()).isEqualTo(pid("user"));
        assertThat(json(out.personProperties()).get("email").asText()).isEqualTo("u@x");
        assertThat(c.livePersons()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(pid("user"));
            assertThat(p.isIdentified()).isEqualTo(1);
        });
        // the anonymous id's personless events carry its derived id: its row is an override (version > 0)
        assertThat(c.distinctIds).containsExactlyInAnyOrder(
                new PersonDistinctIdRow(T, "user", pid("user"), 0, 0),
                new PersonDistinctIdRow(T, "anon", pid("user"), 1, 0));
        assertThat(c.personOf("anon").distinctIds).containsOnlyKeys("user", "anon");
        c.assertConsistent();

        NormalizedEvent late = event("anon", "late_anonymous_click");
        c.send(late).settle();
        assertThat(c.event(late.uuid()).personId()).isEqualTo(pid("user"));
        assertThat(c.event(late.uuid()).personMode()).isEqualTo("full");
    }

    @Test
    void identifyMergesTheAnonymousPersonIntoTheIdentifiedOneAndTheTargetWinsConflicts() {
        c.send(set("anon", "{\"color\":\"red\",\"anon_only\":1}"));
        c.send(set("user", "{\"color\":\"blue\",\"user_only\":2}"));
        NormalizedEvent id = identify("user", "anon");
        c.send(id).settle();

        assertThat(c.livePersons()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(pid("user"));
            assertThat(json(p.properties())).isEqualTo(json("{\"color\":\"blue\",\"anon_only\":1,\"user_only\":2}"));
            assertThat(p.isIdentified()).isEqualTo(1);
            assertThat(p.version()).isEqualTo(2); // user v0, identified v1, merged v2
        });
        PersonRow deleted = c.personTable().get(pid("anon"));
        assertThat(deleted.isDeleted()).isEqualTo(1);
        assertThat(deleted.version()).isEqualTo(100);
        assertThat(c.distinctIdTable()).containsEntry("anon", pid("user")).containsEntry("user", pid("user"));
        assertThat(c.distinctIds).contains(new PersonDistinctIdRow(T, "anon", pid("user"), 1, 0));
        assertThat(json(c.event(id.uuid()).personProperties())).isEqualTo(json("{\"color\":\"blue\",\"anon_only\":1,\"user_only\":2}"));
        assertThat(c.warnings).isEmpty();
        c.assertConsistent();
    }

    @Test
    void setOnceOfTheIdentifyDoesNotOverrideWhatTheAnonymousPersonAlreadyHad() {
        c.send(normalized("anon", "{\"event\":\"$pageview\",\"properties\":{\"$referrer\":\"https://google.com/\"}}"));
        NormalizedEvent id = identify("user", "anon", "{\"email\":\"u@x\"}", "{\"$initial_referrer\":\"$direct\",\"plan\":\"trial\"}");
        c.send(id).settle();
        JsonNode merged = json(c.livePersons().get(0).properties());
        assertThat(merged.get("$initial_referrer").asText()).isEqualTo("https://google.com/");
        assertThat(merged.get("plan").asText()).isEqualTo("trial");
        assertThat(merged.get("email").asText()).isEqualTo("u@x");
        c.assertConsistent();
    }

    @Test
    void identifyIsRefusedWhenTheAnonymousSideIsAlreadyIdentified() {
        c.send(identify("user-1", "anon")).settle();
        NormalizedEvent second = identify("user-2", "anon");
        c.send(second).settle();

        assertThat(c.warningTypes()).containsExactly("cannot_merge_already_identified");
        JsonNode details = json(c.warnings.get(0).details());
        assertThat(details.get("sourcePersonDistinctId").asText()).isEqualTo("anon");
        assertThat(details.get("targetPersonDistinctId").asText()).isEqualTo("user-2");
        assertThat(details.get("eventUuid").asText()).isEqualTo(second.uuid());
        assertThat(c.event(second.uuid()).personId()).isEqualTo(pid("user-2"));
        assertThat(c.distinctIdTable()).containsEntry("anon", pid("user-1")).containsEntry("user-2", pid("user-2"));
        assertThat(c.livePersons()).extracting(PersonRow::id).containsExactlyInAnyOrder(pid("user-1"), pid("user-2"));
        c.assertConsistent();
    }

    @Test
    void createAliasMovesTheAliasIntoTheEventsPersonAndIsRefusedForAnIdentifiedAlias() {
        c.send(set("old", "{\"a\":1}")).send(set("new", "{\"b\":2}"));
        c.send(alias("new", "old")).settle();
        assertThat(c.livePersons()).singleElement().satisfies(p -> assertThat(p.id()).isEqualTo(pid("new")));
        assertThat(c.distinctIdTable()).containsEntry("old", pid("new"));

        c.send(set("third", "{\"c\":3}")).send(alias("third", "new")).settle();
        assertThat(c.warningTypes()).containsExactly("cannot_merge_already_identified");
        assertThat(c.livePersons()).hasSize(2);
        c.assertConsistent();
    }

    @Test
    void mergeDangerouslyMergesEvenAnIdentifiedPerson() {
        c.send(identify("user-1", "anon-1")).send(identify("user-2", "anon-2")).settle();
        c.send(mergeDangerously("user-2", "user-1")).settle();
        assertThat(c.warnings).isEmpty();
        assertThat(c.livePersons()).singleElement().satisfies(p -> assertThat(p.id()).isEqualTo(pid("user-2")));
        assertThat(c.distinctIdTable()).containsOnlyKeys("user-1", "anon-1", "user-2", "anon-2")
                .allSatisfy((d, person) -> assertThat(person).isEqualTo(pid("user-2")));
        c.assertConsistent();
    }

    @Test
    void aMergeChainAToBThenBToCEndsWithEveryIdOnC() {
        c.send(set("a", "{\"from\":\"a\",\"a\":1}")).send(set("b", "{\"from\":\"b\",\"b\":1}")).send(set("c", "{\"from\":\"c\",\"c\":1}"));
        c.send(alias("b", "a")).settle();
        c.send(mergeDangerously("c", "b")).settle();

        assertThat(c.livePersons()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(pid("c"));
            assertThat(json(p.properties())).isEqualTo(json("{\"from\":\"c\",\"a\":1,\"b\":1,\"c\":1}"));
        });
        assertThat(c.personTable().get(pid("a")).isDeleted()).isEqualTo(1);
        assertThat(c.personTable().get(pid("b")).isDeleted()).isEqualTo(1);
        assertThat(c.distinctIdTable()).containsEntry("a", pid("c")).containsEntry("b", pid("c")).containsEntry("c", pid("c"));
        assertThat(c.distinctIds.stream().filter(r -> r.distinctId().equals("a")).map(PersonDistinctIdRow::version))
                .containsExactly(0L, 1L, 2L);
        c.assertConsistent();

        NormalizedEvent onA = set("a", "{\"late\":true}");
        c.send(onA).settle();
        assertThat(c.event(onA.uuid()).personId()).isEqualTo(pid("c"));
        assertThat(json(c.livePersons().get(0).properties()).get("late").asBoolean()).isTrue();
        c.assertConsistent();
    }

    @Test
    void whenTheOtherPersonsHostIsNewerTheTargetPersonTravelsThereAndKeepsItsId() {
        c.send(set("user", "{\"who\":\"user\"}")); // older host
        c.send(set("anon", "{\"who\":\"anon\",\"anon_only\":1}")); // newer host
        NormalizedEvent id = identify("user", "anon");
        c.send(id);
        c.deliverFirst(m -> m.type == PersonMessage.Type.MERGE_REQUEST);
        assertThat(c.inFlight).extracting(m -> m.type).containsExactly(PersonMessage.Type.MERGE_PULL);
        c.settle();

        assertThat(c.state("anon").person).as("the newer key hosts the merged person").isNotNull();
        assertThat(c.state("user").pointer.host).isEqualTo("anon");
        assertThat(c.livePersons()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(pid("user"));
            assertThat(json(p.properties())).isEqualTo(json("{\"who\":\"user\",\"anon_only\":1}"));
        });
        assertThat(c.personTable().get(pid("anon")).isDeleted()).isEqualTo(1);
        assertThat(c.event(id.uuid()).personId()).isEqualTo(pid("user"));
        c.assertConsistent();

        NormalizedEvent next = set("user", "{\"after\":1}");
        c.send(next).settle();
        assertThat(c.event(next.uuid()).personId()).isEqualTo(pid("user"));
        assertThat(json(c.event(next.uuid()).personProperties()).get("after").asInt()).isEqualTo(1);
        c.assertConsistent();
    }

    @Test
    void anIdentifyOfTwoIdsThatAlreadyShareAPersonMergesNothing() {
        c.send(identify("user", "anon")).settle();
        int rows = c.distinctIds.size();
        NormalizedEvent again = identify("user", "anon");
        c.send(again);
        assertThat(c.inFlight).isEmpty();
        assertThat(c.event(again.uuid()).personId()).isEqualTo(pid("user"));
        assertThat(c.distinctIds).hasSize(rows);
    }

    @Test
    void crossingMergesInOppositeDirectionsEndInOnePersonWithNothingLost() {
        c.send(set("x", "{\"x\":1}")).send(set("y", "{\"y\":1}"));
        NormalizedEvent xy = mergeDangerously("x", "y");
        NormalizedEvent yx = mergeDangerously("y", "x");
        c.send(xy).send(yx); // both requests are in flight before either side hears of the other
        c.settle();

        assertThat(c.livePersons()).singleElement().satisfies(p ->
                assertThat(json(p.properties())).isEqualTo(json("{\"x\":1,\"y\":1}")));
        assertThat(c.event(xy.uuid()).personId()).isNotNull();
        assertThat(c.event(yx.uuid()).personId()).isNotNull();
        c.assertConsistent();
    }

    @Test
    void anEventOfTheAnonymousIdProcessedWhileTheMergeIsInFlightIsCarriedIntoTheMergedPerson() {
        c.send(set("anon", "{\"a\":1}")).send(set("user", "{\"u\":1}"));
        c.send(identify("user", "anon"));
        NormalizedEvent meanwhile = set("anon", "{\"clicked\":true}");
        c.send(meanwhile); // processed on the anonymous person before the merge request arrives
        assertThat(c.event(meanwhile.uuid()).personId()).isEqualTo(pid("anon"));
        c.settle();
        assertThat(json(c.livePersons().get(0).properties())).isEqualTo(json("{\"a\":1,\"u\":1,\"clicked\":true}"));
        c.assertConsistent();
    }

    @Test
    void anEventOfTheAnonymousIdArrivingAfterTheMergeIsForwardedToTheMergedPerson() {
        c.send(set("anon", "{\"a\":1}")).send(identify("user", "anon")).settle();
        NormalizedEvent late = set("anon", "{\"late\":1}");
        c.send(late);
        assertThat(c.events).noneMatch(e -> e.uuid().equals(late.uuid()));
        assertThat(c.inFlight).singleElement().satisfies(m -> {
            assertThat(m.type).isEqualTo(PersonMessage.Type.EVENT);
            assertThat(m.target).isEqualTo("user");
        });
        c.settle();
        assertThat(c.event(late.uuid()).personId()).isEqualTo(pid("user"));
        assertThat(c.event(late.uuid()).distinctId()).isEqualTo("anon");
        assertThat(json(c.livePersons().get(0).properties()).get("late").asInt()).isEqualTo(1);
        c.assertConsistent();
    }

    @Test
    void aJoinThatArrivesAfterItsPersonMergedAwayMovesTheIdAgainWithAHigherVersion() {
        c.send(set("w", "{\"w\":1}"));
        c.send(identify("u", "anon")); // u created; MERGE_REQUEST(anon) in flight
        c.deliverFirst(m -> m.type == PersonMessage.Type.MERGE_REQUEST); // anon joins u's person; JOIN(u) in flight
        c.send(mergeDangerously("w", "u")); // u's person merges into w's while the JOIN is still in flight
        c.deliverFirst(m -> m.type == PersonMessage.Type.MERGE_REQUEST && m.target.equals("u"));
        c.settle();

        assertThat(c.distinctIdTable()).containsEntry("anon", pid("w")).containsEntry("u", pid("w"));
        assertThat(c.distinctIds.stream().filter(r -> r.distinctId().equals("anon")).map(PersonDistinctIdRow::version))
                .containsExactly(1L, 2L);
        c.assertConsistent();
    }

    @Test
    void forwardingChainsAreShortenedOnceTheEventReachesItsPerson() {
        // c is the newest host; b and a end up pointing along the chain a → b → c
        c.send(set("a", "{}".replace("{}", "{\"a\":1}"))).send(set("b", "{\"b\":1}")).send(set("c", "{\"c\":1}"));
        c.send(alias("b", "a")).settle();
        c.send(mergeDangerously("c", "b")).settle();
        assertThat(c.state("a").pointer.host).as("repointed when b merged into c").isEqualTo("c");
        assertThat(c.state("a").pointer.personId).isEqualTo(pid("c"));
    }

    @Test
    void aPersonlessEventOfAMergedAwayIdCarriesTheCurrentPersonId() {
        c.send(set("anon", "{\"a\":1}")).send(identify("user", "anon")).settle();
        NormalizedEvent e = personless("anon", "$pageview");
        c.send(e);
        assertThat(c.event(e.uuid()).personId()).isEqualTo(pid("user"));
        assertThat(c.inFlight).isEmpty();
    }

    @Test
    void aMergeOfManyAnonymousIdsIntoOneUserKeepsEveryIdOnThatUser() {
        for (int i = 0; i < 5; i++) {
            c.send(set("anon-" + i, "{\"n" + i + "\":" + i + "}"));
        }
        for (int i = 0; i < 5; i++) {
            c.send(alias("user", "anon-" + i));
        }
        c.settle();
        assertThat(c.livePersons()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(pid("user"));
            assertThat(json(p.properties())).hasSize(5);
        });
        assertThat(c.personOf("user").distinctIds).hasSize(6);
        c.assertConsistent();
    }

    @Test
    void stateAndMessagesSurviveTheirEncoding() {
        c.send(set("anon", "{\"nested\":{\"list\":[1,\"two\",null],\"emoji\":\"\uD83D\uDE00\"}}"));
        c.send(identify("user", "anon")).settle();
        assertThat(json(c.livePersons().get(0).properties()))
                .isEqualTo(json("{\"nested\":{\"list\":[1,\"two\",null],\"emoji\":\"\uD83D\uDE00\"}}"));
        assertThat(c.livePersons().get(0).createdAt()).isLessThanOrEqualTo(Instant.ofEpochMilli(TestEvents.NOW).toEpochMilli());
    }
}
