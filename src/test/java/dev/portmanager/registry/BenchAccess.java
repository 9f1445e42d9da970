package dev.portmanager.registry;

import io.lettuce.core.api.sync.RedisCommands;

/** Lets the benchmark issue a plain GET on the very connection the registry uses, for a fair baseline. */
public final class BenchAccess {
    private BenchAccess() {
    }

    public static RedisCommands<String, String> sameConnection(RedisRegistry registry) {
        return registry.commands();
    }
}
