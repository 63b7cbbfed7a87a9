package io.reflow.jobs.events;

/** The person scenarios on {@link PersonLogic} itself. */
class PersonLogicTest extends PersonScenarios {
    @Override
    PersonCluster cluster() {
        return PersonCluster.pure();
    }
}
