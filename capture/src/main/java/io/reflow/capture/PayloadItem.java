package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One item (event or {@code $snapshot}) of a capture body, with where its JSON lies in the decoded body, so that
 * it can be passed on by copying bytes instead of re-encoding a parsed tree.
 *
 * @param node the item as far as capture looks at it ({@link PayloadReader}); {@link Payload#fullItem} has all of it
 * @param start offset of the item's first byte in the body
 * @param end offset just past its last byte
 * @param snapshotEvents for a snapshot whose {@code $snapshot_data} is an array: the start and end offset of each
 *     element, in pairs; null otherwise
 * @param snapshotEventsAreObjects whether every element of that array is a JSON object
 */
record PayloadItem(JsonNode node, int start, int end, int[] snapshotEvents, boolean snapshotEventsAreObjects) {

    int snapshotEventCount() {
        return snapshotEvents == null ? 0 : snapshotEvents.length / 2;
    }

    int snapshotEventStart(int i) {
        return snapshotEvents[2 * i];
    }

    int snapshotEventEnd(int i) {
        return snapshotEvents[2 * i + 1];
    }
}
