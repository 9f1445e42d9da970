package dev.portmanager.http;

/**
 * A request that cannot be served, with the HTTP status and the {@code {error, detail}} body it answers with.
 * Thrown by the API's implementations (local and remote) so that the CLI and the HTTP edge report the same thing.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String error;

    public ApiException(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad_request", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not_found", detail);
    }

    public int status() {
        return status;
    }

    /** A short machine-readable code (e.g. {@code bad_request}, {@code range_exhausted}). */
    public String error() {
        return error;
    }

    /** One sentence for humans: what was wrong and, where it applies, what is accepted. */
    public String detail() {
        return getMessage();
    }
}
