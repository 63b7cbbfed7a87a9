package io.reflow.jobs.events;

import io.reflow.contracts.EnrichedEvent;

/**
 * An event row as the person stage publishes it: the normalised event with its person. {@link JsonRows#event(EventRow)}
 * writes it as the {@link EnrichedEvent} of {@link #toEnriched()}, splicing in the event's properties as the
 * normaliser wrote them instead of turning them into a string first.
 */
public record EventRow(NormalizedEvent event, String personId, String personProperties, long personCreatedAt,
                       String personMode) {
    public EnrichedEvent toEnriched() {
        NormalizedEvent e = event;
        return new EnrichedEvent(e.uuid(), e.event(), e.properties(), e.timestamp(), e.teamId(), e.distinctId(),
                e.elementsChain(), e.createdAt(), e.sessionId(), personId, personProperties, personCreatedAt, personMode);
    }

    EventRow withoutPersonProperties() {
        return new EventRow(event, personId, "{}", personCreatedAt, personMode);
    }
}
