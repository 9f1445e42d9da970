package dev.portmanager.watch;

import dev.portmanager.Endpoint;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What identifies an instance for a watcher: renewal timestamps are left out, so renewals are no change. */
public final class EndpointKeys {
    private EndpointKeys() {
    }

    public static String key(Endpoint e) {
        return e.service() + " " + e.endpoint() + " " + e.host() + " " + e.authority() + " " + e.pid();
    }

    public static Set<String> of(List<Endpoint> endpoints) {
        Set<String> keys = new TreeSet<>();
        for (Endpoint e : endpoints) {
            keys.add(key(e));
        }
        return keys;
    }
}
