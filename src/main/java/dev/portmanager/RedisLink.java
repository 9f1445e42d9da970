package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;

/** Placeholder until the Redis registry's background publisher lands; see RegistrySync. */
final class RedisLink {
    private RedisLink() {
    }

    static RegistryLink start(PortManagerConfig config) {
        throw new PortManagerException("the Redis store is not wired yet");
    }
}
