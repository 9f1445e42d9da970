package dev.portmanager.http;

import java.util.Map;

/**
 * One endpoint: a method and a path template whose {@code {placeholders}} match exactly one path segment.
 */
record Route(String method, String template, Handler handler) {

    /** What a route does with a matched request; returns the status and the object to serialize. */
    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    /** The matched request: path parameters and a way to read the body (only routes that take one call it). */
    interface Request {
        String param(String name);

        <T> T body(Class<T> type) throws Exception;
    }

    /** A body sent as it is (not as JSON): metrics text, the dashboard page. */
    record Raw(String contentType, byte[] bytes) {
    }

    record Response(int status, Object body) {
        static Response ok(Object body) {
            return new Response(200, body);
        }
    }

    /** The path parameters when {@code segments} fits this template, else null. */
    Map<String, String> match(String[] segments) {
        String[] parts = template.substring(1).split("/");
        if (parts.length != segments.length) {
            return null;
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].startsWith("{")) {
                params.put(parts[i].substring(1, parts[i].length() - 1), segments[i]);
            } else if (!parts[i].equals(segments[i])) {
                return null;
            }
        }
        return params;
    }
}
