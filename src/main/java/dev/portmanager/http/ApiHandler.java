package dev.portmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.portmanager.Log;
import dev.portmanager.watch.WaitParameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP edge: routes a request, enforces the token, the body cap and the content type, and turns every
 * failure into a JSON {@code {error, detail}} with the right 4xx. Nothing a client sends can produce a 5xx: input
 * problems are mapped before they reach the core, and an unexpected failure inside is logged and reported as 500
 * without details.
 */
final class ApiHandler implements HttpHandler {
    /** Bodies are tiny JSON objects; anything larger is refused before it is read. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** A refused body up to this size is read and dropped, so that its sender sees the 413 (see drain). */
    private static final long DRAIN_LIMIT_BYTES = 4L * 1024 * 1024;
    private static final String PM = "/api/v1/port-management";
    private static final String DISCOVERY = "/api/v1/discovery";

    private final List<Route> routes = new ArrayList<>();
    private final PortManagerApi api;
    private final SidecarMetrics metrics;
    private final RequestGuard guard;

    ApiHandler(PortManagerApi api, RequestGuard guard) {
        this.api = api;
        this.metrics = new SidecarMetrics(api,
                api instanceof LocalApi local && local.portManager().config().usesRedis());
        if (api instanceof LocalApi local) {
            local.onChange(metrics::changed);
        }
        this.guard = guard;
        routes.add(new Route("POST", PM + "/allocate", r -> {
            try {
                dev.portmanager.Allocation made = api.allocate(r.body(AllocateBody.class));
                metrics.allocated(made);
                return new Route.Response(201, made);
            } catch (ApiException e) {
                metrics.allocationRefused(e.error());
                throw e;
            }
        }));
        routes.add(new Route("DELETE", PM + "/release/{port}",
                r -> Route.Response.ok(api.release(Validation.port("port", r.param("port"))))));
        routes.add(new Route("GET", PM + "/allocations", r -> Route.Response.ok(api.allocations())));
        routes.add(new Route("GET", PM + "/utilization", r -> Route.Response.ok(api.utilization())));
        routes.add(new Route("GET", PM + "/conflicts", r -> Route.Response.ok(api.conflicts())));
        routes.add(new Route("GET", DISCOVERY + "/services", r -> Route.Response.ok(api.services())));
        routes.add(new Route("POST", DISCOVERY + "/services/refresh", r -> Route.Response.ok(api.refresh())));
        routes.add(new Route("GET", DISCOVERY + "/services/{name}", r -> Route.Response.ok(
                api.service(r.param("name")).orElseThrow(() -> unknown(r.param("name"))))));
        routes.add(new Route("GET", DISCOVERY + "/services/{name}/health", r -> Route.Response.ok(
                api.health(r.param("name")).orElseThrow(() -> unknown(r.param("name"))))));
        routes.add(new Route("GET", "/health", r -> Route.Response.ok(api.status())));
        routes.add(new Route("GET", "/", r -> Route.Response.ok(Dashboard.page())));
        routes.add(new Route("GET", "/metrics", r -> Route.Response.ok(
                new Route.Raw(metrics.contentType(), metrics.scrape()))));
    }

    private static ApiException unknown(String name) {
        return ApiException.notFound("no service named '" + name + "' is registered or configured");
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            Route.Response response;
            try {
                guard.admit(exchange);
                guard.corsHeaders(exchange);
                if (guard.isAllowedPreflight(exchange)) {
                    guard.preflightHeaders(exchange);
                    exchange.sendResponseHeaders(204, -1);
                    return;
                }
                response = dispatch(exchange);
            } catch (ApiException e) {
                response = new Route.Response(e.status(), new ErrorBody(e.error(), e.detail()));
            } catch (JsonProcessingException e) {
                response = new Route.Response(400, new ErrorBody("bad_json", describe(e)));
            } catch (IOException e) {
                // Only reading the request body throws here: a broken chunk, a short body, a client that hung up.
                response = new Route.Response(400, new ErrorBody("bad_request",
                        "the request body could not be read: " + Validation.printable(String.valueOf(e.getMessage()))));
            } catch (Exception | StackOverflowError e) {
                Log.warn("HTTP " + exchange.getRequestMethod() + " "
                        + Validation.printable(exchange.getRequestURI().getRawPath()) + " failed: " + e);
                response = new Route.Response(500, new ErrorBody("internal_error",
                        "the sidecar failed to serve this request; see its log"));
            }
            RegistryStatus registry = RegistryFreshness.take();
            if (registry != null) {
                exchange.getResponseHeaders().set(RegistryStatus.HEADER, registry.state());
                if (registry.stale() && registry.detail() != null) {
                    exchange.getResponseHeaders().set(RegistryStatus.DETAIL_HEADER, registry.detailHeader());
                }
            }
            send(exchange, response);
        } catch (IOException | RuntimeException e) {
            // The client went away mid-response; nothing left to tell it.
        }
    }

    private Route.Response dispatch(HttpExchange exchange) throws Exception {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String[] segments = segments(exchange.getRequestURI().getRawPath());
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = route.match(segments);
            if (params == null) {
                continue;
            }
            allowed.add(route.method());
            if (route.method().equals(method)) {
                guard.authorize(exchange, method);
                RequestGuard.requireJson(exchange, method);
                if (isWatched(route)) {
                    answerWhenChanged(exchange);
                }
                long start = System.nanoTime();
                Route.Response answer = route.handler().handle(request(exchange, params));
                if (isWatched(route) && route.template().startsWith(DISCOVERY)) {
                    metrics.lookupTook(System.nanoTime() - start);
                }
                return answer;
            }
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("no endpoint at this path; see the API list in the README "
                    + "(/api/v1/port-management/..., /api/v1/discovery/..., /health)");
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        throw new ApiException(405, "method_not_allowed", method + " is not accepted here: expected "
                + String.join(" or ", allowed));
    }

    /** Discovery and allocations answers carry the change index and accept blocking queries. */
    private static boolean isWatched(Route route) {
        return route.method().equals("GET")
                && (route.template().startsWith(DISCOVERY) || route.template().equals(PM + "/allocations"));
    }

    /**
     * With {@code ?index=N}, holds the request until the index differs from N or the wait ends (a blocking
     * query, as in Consul); then, or at once without it, sets the index header of the answer that follows. The
     * index is taken before the answer is computed, so a change made meanwhile wakes the next query at once.
     */
    private void answerWhenChanged(HttpExchange exchange) {
        WaitParameters wait;
        try {
            wait = WaitParameters.parse(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        long index = wait.blocking() ? api.awaitChange(wait.index(), wait.maxWait()) : api.index();
        exchange.getResponseHeaders().set(RemoteApi.INDEX_HEADER, Long.toString(index));
    }

    /** Splits the raw path; one trailing slash is forgiven, empty segments ("//") are not. */
    private static String[] segments(String rawPath) {
        String p = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(1).split("/", -1);
    }

    private static Route.Request request(HttpExchange exchange, Map<String, String> params) {
        return new Route.Request() {
            @Override
            public String param(String name) {
                return params.get(name);
            }

            @Override
            public <T> T body(Class<T> type) throws IOException {
                byte[] bytes = readCapped(exchange);
                if (bytes.length == 0) {
                    throw new ApiException(400, "bad_json", "the request body is empty: expected a JSON object");
                }
                return Json.STRICT.readValue(bytes, type);
            }
        };
    }

    private static byte[] readCapped(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length '" + Validation.printable(length)
                        + "' is not a number");
            }
            if (declared > MAX_BODY_BYTES) {
                if (declared <= DRAIN_LIMIT_BYTES) {
                    drain(exchange.getRequestBody());
                }
                throw tooLarge();
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                drain(in);
                throw tooLarge();
            }
            return bytes;
        }
    }

    /**
     * Reads and drops what is left of a refused body (up to a limit), so that the client, still sending, reads
     * the 413 instead of a connection reset: closing a socket with unread input makes the kernel send RST.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[16 * 1024];
        long left = DRAIN_LIMIT_BYTES;
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "payload_too_large", "the request body is larger than "
                + MAX_BODY_BYTES / 1024 + " KiB: expected a small JSON object");
    }

    /** Jackson's message without its source excerpt, plus the JSON path of the offending field. */
    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + Validation.printable(u.getPropertyName())
                    + "': expected service, type, preferredPort or ttl";
        }
        String where = "";
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
            where = field == null ? "" : "field '" + field + "': ";
        }
        String msg = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        int cut = msg.indexOf('\n');
        return "invalid JSON body: " + where + Validation.printable(cut < 0 ? msg : msg.substring(0, cut));
    }

    private static void send(HttpExchange exchange, Route.Response response) throws IOException {
        byte[] bytes;
        if (response.body() instanceof Route.Raw raw) {
            bytes = raw.bytes();
            exchange.getResponseHeaders().set("Content-Type", raw.contentType());
            // The dashboard loads nothing from elsewhere and talks only to this sidecar; it is never framed.
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; "
                    + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                    + "frame-ancestors 'none'");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        } else {
            bytes = Json.OUT.writeValueAsBytes(response.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        if (exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
