package dev.portmanager.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The page at {@code GET /}: one self-contained HTML file (no external scripts, styles or fonts, so it works
 * offline) that reads this sidecar's API and redraws whenever a blocking query on the allocations returns.
 */
final class Dashboard {
    private static final String RESOURCE = "dashboard.html";
    private static volatile Route.Raw page;

    private Dashboard() {
    }

    static Route.Raw page() {
        Route.Raw p = page;
        if (p == null) {
            try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the jar");
                }
                p = new Route.Raw("text/html; charset=utf-8", in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            page = p;
        }
        return p;
    }
}
