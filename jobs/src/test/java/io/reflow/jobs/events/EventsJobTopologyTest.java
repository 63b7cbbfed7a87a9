package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.jobs.common.JobArguments;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** A savepoint maps state to operators by uid: every operator of the events job has one, and they stay what they were. */
class EventsJobTopologyTest {
    @Test
    void everyOperatorHasAStableUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        EventsJob.fromConfig(EventsJobConfig.from(JobArguments.of(Map.of("kafka.bootstrap-servers", "127.0.0.1:9")))).build(env);
        StreamGraph graph = env.getStreamGraph();

        List<String> uids = graph.getStreamNodes().stream().map(StreamNode::getTransformationUID).toList();
        assertThat(graph.getStreamNodes()).allSatisfy(n ->
                assertThat(n.getTransformationUID()).as("uid of " + n.getOperatorName()).isNotBlank());
        assertThat(uids).doesNotHaveDuplicates();
        // a sink is two operators (writer, committer), whose uids Flink derives from the sink's
        assertThat(uids).contains(EventsJob.EVENTS_SOURCE_UID, EventsJob.MERGES_SOURCE_UID, EventsJob.NORMALIZE_UID,
                EventsJob.DECODE_MERGES_UID, EventsJob.PERSON_STATE_UID, "events-dead-letters-to-records");
        assertThat(EventsJob.PERSON_STATE_UID).as("renaming it loses every person on the next upgrade").isEqualTo("person-state");
    }
}
