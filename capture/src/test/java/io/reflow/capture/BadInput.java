package io.reflow.capture;

import java.util.List;

/**
 * One row of the bad-input table: what is sent (exact bytes, {@code times} times on fresh connections), the
 * answer to the last sending, and exactly what Kafka must hold afterwards.
 *
 * @param code the {@code code} of the JSON error answer, or null for a 200
 * @param okBody the exact JSON of a 200 answer, or null for an error
 * @param eventUuids the uuids of the events on the events topic (any order)
 * @param sessionIds the session ids of the messages on the recordings topic (any order)
 * @param deadLetterReasons the reasons of the records on the dead-letter topic, in order
 */
record BadInput(String name, byte[] wire, int times, int status, String code, String okBody,
                List<String> eventUuids, List<String> sessionIds, List<String> deadLetterReasons) {

    static BadInput refused(String name, byte[] wire, int status, String code) {
        return new BadInput(name, wire, 1, status, code, null, List.of(), List.of(), List.of());
    }

    static BadInput accepted(String name, byte[] wire, List<String> eventUuids, List<String> sessionIds,
                             List<String> deadLetterReasons) {
        return new BadInput(name, wire, 1, 200, null, "{\"status\":1}", eventUuids, sessionIds, deadLetterReasons);
    }

    BadInput answeredWith(String body) {
        return new BadInput(name, wire, times, status, code, body, eventUuids, sessionIds, deadLetterReasons);
    }

    BadInput sentTimes(int n) {
        return new BadInput(name, wire, n, status, code, okBody, eventUuids, sessionIds, deadLetterReasons);
    }

    @Override
    public String toString() {
        return name;
    }
}
