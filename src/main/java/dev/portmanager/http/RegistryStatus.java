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
    /** The response header that carries {@link #detail()} (why the registry part is stale) when there is one. */
    static final String DETAIL_HEADER = "PortManager-Registry-Detail";

    /** True for {@code stale} and {@code pending}: the registry part was not read for this answer. */
    public boolean stale() {
        return isStale(state);
    }

    static boolean isStale(String state) {
        return "stale".equals(state) || "pending".equals(state);
    }

    /** The detail as one header value: printable ASCII only (it may quote what Redis or the network said). */
    String detailHeader() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; detail != null && i < detail.length() && b.length() < 300; i++) {
            char c = detail.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
