package io.reflow.jobs.events;

/**
 * The person scenarios on the {@link PersonProcessor} operator under Flink's keyed test harness: the same outputs
 * through the operator's main and side outputs, state in Flink's keyed state, no timers, no dead letters.
 */
class PersonProcessorScenariosTest extends PersonScenarios {
    @Override
    PersonCluster cluster() {
        return PersonCluster.flink();
    }
}
