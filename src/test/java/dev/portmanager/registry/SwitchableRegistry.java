package dev.portmanager.registry;

import dev.portmanager.Allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory registry for RegistrySync's outage tests, switched off and on by the test: it records every call in
 * order, with the port and lease it was given, and while switched off fails every call (recorded as failed), reads
 * included, as an unreachable Redis would.
 */
final class SwitchableRegistry implements Registry {
    private record Call(String kind, int port, long lease, boolean failed) {
        String delivered() {
            return kind + " " + port;
        }
    }

    final AtomicBoolean down = new AtomicBoolean();
    private final List<Call> calls = new ArrayList<>();

    private synchronized void record(String kind, int port, long lease) {
        boolean failed = down.get();
        calls.add(new Call(kind, port, lease, failed));
        if (failed) {
            throw new RegistryUnavailableException("switched off");
        }
    }

    /**
     * Ends the outage and returns how many calls came before it, in one step under the lock every call takes:
     * no call can fall between the count and the switch (a retry could, were they two steps).
     */
    synchronized int switchOn() {
        down.set(false);
        return calls.size();
    }

    /** Every call's kind, in order: "publish", "withdraw", "reap", with "-failed" on those made while off. */
    synchronized List<String> kinds() {
        return calls.stream().map(c -> c.kind() + (c.failed() ? "-failed" : "")).toList();
    }

    synchronized long count(String kind) {
        return kinds().stream().filter(kind::equals).count();
    }

    /** The publications and withdrawals that got through, in order, with their port: "publish 9201". */
    synchronized List<String> delivered() {
        return deliveredCalls().stream().map(Call::delivered).toList();
    }

    /** The lease sent with the first delivered call named {@code delivered} (e.g. "publish 9301"). */
    synchronized long leaseOf(String delivered) {
        return deliveredCalls().stream().filter(c -> c.delivered().equals(delivered)).findFirst()
                .orElseThrow(() -> new AssertionError(delivered + " not in " + delivered())).lease();
    }

    private List<Call> deliveredCalls() {
        return calls.stream().filter(c -> !c.failed() && !c.kind().equals("reap")).toList();
    }

    @Override
    public PublishOutcome publish(Allocation a) {
        record("publish", a.port(), a.leaseMillis());
        return PublishOutcome.RENEWED;
    }

    @Override
    public boolean withdraw(Allocation a) {
        record("withdraw", a.port(), 0);
        return true;
    }

    @Override
    public List<Allocation> allocations() {
        return List.of();
    }

    @Override
    public List<Allocation> lookup(String service) {
        if (down.get()) {
            throw new RegistryUnavailableException("switched off");
        }
        return List.of();
    }

    @Override
    public int reap(long graceMillis) {
        record("reap", 0, 0);
        return 0;
    }

    @Override
    public String describe() {
        return "switchable";
    }

    @Override
    public void close() {
    }
}
