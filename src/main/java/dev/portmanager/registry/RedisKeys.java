package dev.portmanager.registry;

import dev.portmanager.config.ConfigException;

/**
 * Where the registry lives in Redis. Every key starts with the prefix as a hash tag ({@code {portmanager}:...}),
 * so a Redis Cluster keeps them all in one slot and the scripts may touch several of them atomically.
 *
 * <ul>
 *   <li>{@code {p}:alloc:<host>:<port>} hash: one allocation's fields, its owner token, its deadline and its row;
 *       PEXPIREd with its lease so a dead owner's entry vanishes even when no reaper runs</li>
 *   <li>{@code {p}:deadlines} sorted set: member {@code <host>:<port>}, score the lease deadline (Redis time, ms);
 *       what {@code allocations()} and the reaper walk</li>
 *   <li>{@code {p}:svc:<service>} sorted set: the rows (see {@code AllocationFields}) of the service's LISTENING
 *       entries, score the deadline</li>
 *   <li>{@code {p}:view:<service>} string: the same rows joined into one value, rebuilt whenever the index changes,
 *       expiring with its last deadline; all that {@code lookup(service)} reads (see {@code RegistryScripts})</li>
 *   <li>{@code {p}:services} set: services that have an index, so the reaper can trim every index</li>
 *   <li>{@code {p}:changes} integer: incremented whenever an entry appears, changes (other than a renewal) or goes;
 *       agents poll it to know when to re-read the registry for their connect tables. The same name is a pub/sub
 *       channel: the scripts PUBLISH the new count on it, and sidecars' watches subscribe ({@code RedisChangeFeed})</li>
 *   <li>{@code {p}:epoch} string: a random id written by the first publish into an empty Redis; when it changes, the
 *       data was lost (a restart without persistence)</li>
 * </ul>
 */
final class RedisKeys {
    private final String base;

    RedisKeys(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new ConfigException("Invalid Redis key prefix: it is empty. Accepted: a non-empty name such as "
                    + "portmanager (wrapped in {} as a hash tag), or a name that already contains a {tag}");
        }
        // A prefix that already carries a hash tag is used as it is; otherwise the whole prefix becomes the tag.
        int open = prefix.indexOf('{');
        boolean tagged = open >= 0 && prefix.indexOf('}', open + 2) > open;
        this.base = tagged ? prefix : "{" + prefix + "}";
    }

    /** The tagged prefix, e.g. {@code {portmanager}}. */
    String base() {
        return base;
    }

    /** Member naming one host:port in the sets, and the tail of its entry key. */
    static String member(String host, int port) {
        return host + ":" + port;
    }

    String allocationBase() {
        return base + ":alloc:";
    }

    String allocation(String member) {
        return allocationBase() + member;
    }

    String deadlines() {
        return base + ":deadlines";
    }

    String serviceBase() {
        return base + ":svc:";
    }

    String service(String service) {
        return serviceBase() + service;
    }

    String viewBase() {
        return base + ":view:";
    }

    String view(String service) {
        return viewBase() + service;
    }

    String services() {
        return base + ":services";
    }

    String changes() {
        return base + ":changes";
    }

    String epoch() {
        return base + ":epoch";
    }
}
