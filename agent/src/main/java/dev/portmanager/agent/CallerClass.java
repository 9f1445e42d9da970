package dev.portmanager.agent;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The class that made a connect, for {@code PORT@PREFIX=SERVICE} routes: the nearest frame on the connecting
 * thread's stack outside the JDK, the agent and the common client libraries (HTTP clients, Netty, JDBC drivers...).
 * A stack walk costs microseconds, so it is taken only for a port that has a prefixed route.
 *
 * <p>Clients that connect on threads of their own (Netty's event loops, the JDK HttpClient's executor) have no
 * application frame on that stack: no prefixed route matches them.
 */
final class CallerClass implements Function<Stream<StackWalker.StackFrame>, String> {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final ClassLoader agentLoader;

    /** Frames of these packages are infrastructure, never "the caller". */
    static final String[] INFRASTRUCTURE = {
            "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "io.netty.", "okhttp3.", "okio.", "com.squareup.okhttp.", "org.apache.http.", "org.apache.hc.",
            "org.eclipse.jetty.client.", "org.asynchttpclient.", "io.vertx.core.net.", "reactor.netty.", "reactor.core.",
            "io.grpc.", "org.springframework.web.client.", "org.springframework.http.client.",
            "org.springframework.web.reactive.function.client.", "feign.", "retrofit2.", "kotlin.", "kotlinx.coroutines.",
            "org.glassfish.jersey.client.", "org.jboss.resteasy.client.", "com.mysql.", "org.postgresql.", "org.mariadb.",
            "oracle.jdbc.", "com.microsoft.sqlserver.", "com.zaxxer.hikari.", "com.mchange.", "org.apache.commons.dbcp2.",
            "redis.clients.", "io.lettuce.", "com.mongodb.", "org.apache.kafka.clients.",
    };

    /** @param agentLoader the agent's class loader: frames of its classes are the agent's */
    CallerClass(ClassLoader agentLoader) {
        this.agentLoader = agentLoader;
    }

    /** The caller's class name, or null when every frame is infrastructure. */
    String find() {
        return WALKER.walk(this);
    }

    @Override
    public String apply(Stream<StackWalker.StackFrame> frames) {
        Iterator<StackWalker.StackFrame> it = frames.iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame frame = it.next();
            if (frame.getDeclaringClass().getClassLoader() == agentLoader) {
                continue;
            }
            String name = frame.getClassName();
            if (!isInfrastructure(name)) {
                return name;
            }
        }
        return null;
    }

    static boolean isInfrastructure(String className) {
        for (String prefix : INFRASTRUCTURE) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        // shaded Netty (gRPC's io.grpc.netty.shaded.io.netty..., or any relocation)
        return className.contains(".io.netty.");
    }
}
