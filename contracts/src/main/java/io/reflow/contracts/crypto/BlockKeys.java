package io.reflow.contracts.crypto;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a reader finds the data key an encrypted block names. Empty means the key is gone: the session was deleted
 * (its keys destroyed) or its retention expired, and the block reads as deleted rather than failing.
 */
@FunctionalInterface
public interface BlockKeys {
    Optional<DataKey> find(UUID keyId);

    /** No keys at all: every encrypted block reads as deleted (plain blocks read as usual). */
    static BlockKeys none() {
        return id -> Optional.empty();
    }

    static BlockKeys of(Collection<DataKey> keys) {
        Map<UUID, DataKey> byId = keys.stream().collect(Collectors.toMap(DataKey::id, Function.identity(), (a, b) -> a));
        return id -> Optional.ofNullable(byId.get(id));
    }
}
