package dev.portmanager.registry;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;

import java.util.concurrent.atomic.AtomicLong;

/** Lets the benchmark issue a plain GET on the very connection the registry uses, for a fair baseline. */
public final class BenchAccess {
    private BenchAccess() {
    }

    public static RedisCommands<String, String> sameConnection(RedisRegistry registry) {
        return registry.commands();
    }

    /** Counts every command the registry's client sends: each is one round trip on the synchronous API. */
    public static AtomicLong commandCounter(RedisRegistry registry) {
        AtomicLong sent = new AtomicLong();
        registry.client().addListener(new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent event) {
                sent.incrementAndGet();
            }
        });
        return sent;
    }
}
