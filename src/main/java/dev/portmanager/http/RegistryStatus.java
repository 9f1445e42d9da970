package dev.portmanager.http;

/**
 * How current the registry part of an answer is.
 *
 * @param state    {@code none} (embedded store: there is no registry part), {@code fresh} (read for this answer),
 *                 {@code stale} (the read failed or did not finish in time: the registry part is the last one
 *                 read, or empty), {@code pending} (no read has finished yet)
 * @param detail   why it is stale, or null
 * @param readAt   when the registry part shown was read (epoch millis), 0 when never
 */
public record RegistryStatus(String state, String detail, long readAt) {
    static final RegistryStatus NONE = new RegistryStatus("none", null, 0);
    /** The response header that carries {@link #state()} on every answer with a registry part. */
    static final String HEADER = "PortManager-Registry";

    boolean stale() {
        return state.equals("stale") || state.equals("pending");
    }
}
