package dev.portmanager.samples.demo;

import dev.portmanager.samples.fleet.gateway.voice.VoiceHandler;

import java.util.List;

/**
 * One service of the legacy fleet as the demo starts it. The type is what the operator passes to the agent (the
 * services themselves know nothing of types); the hardcoded port lives in the service's code, not here.
 *
 * @param name      service name, as registered and as the gateway looks it up
 * @param type      service type passed to the agent (decides the range it moves into)
 * @param stack     the server stack, for the table
 * @param mainClass the service's main class, or null for the python service started through {@code portmanager run}
 * @param routes    the agent's {@code routes} setting for this member, or null for none
 */
public record Member(String name, String type, String stack, String mainClass, String routes) {
    private static final String PKG = "dev.portmanager.samples.fleet.";

    /**
     * The gateway's one route: its voice handler dials 8085, which hrm-mlx-service keeps, so the agent's default
     * rule leaves that port alone; connects made from the voice handler's package go to voice instead.
     */
    public static final String GATEWAY_ROUTES = "8085@" + VoiceHandler.class.getPackageName() + "=voice";

    /**
     * The fleet, in start order. voice comes after hrm-mlx-service on purpose: both hardcode 8085, and starting
     * voice second makes "voice moved because hrm-mlx-service has 8085" the same story on every run.
     * voice is typed {@code ml}: it serves speech models next to hrm-mlx-service (which is why it inherited 8085),
     * so operators look for it in the ML range. The gateway comes last, as it would in production: a client
     * dials whatever holds a port when it connects.
     */
    public static final List<Member> FLEET = List.of(
            new Member("hrm-mlx-service", "ml", "ServerSocket", PKG + "HrmMlxService", null),
            new Member("rust-vision-bridge", "bridge", "Netty NIO", PKG + "RustVisionBridge", null),
            new Member("emotion", "ml", "AsynchronousServerSocketChannel", PKG + "Emotion", null),
            new Member("rust-llm-router", "microservice", "Netty epoll", PKG + "RustLlmRouter", null),
            new Member("rust-ai-core", "microservice", "Undertow", PKG + "RustAiCore", null),
            new Member("python-vision", "ml", "python3 via portmanager run", null, null),
            new Member("voice", "ml", "ServerSocketChannel", PKG + "Voice", null),
            new Member("go-api-gateway", "gateway", "JDK HttpServer", PKG + "GoApiGateway", GATEWAY_ROUTES));

    /** The port python-vision used to hardcode; `portmanager run` is told to prefer it. */
    static final int PYTHON_VISION_PORT = 8000;

    public boolean isJava() {
        return mainClass != null;
    }

    public static Member named(String name) {
        return FLEET.stream().filter(m -> m.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fleet member " + name));
    }
}
