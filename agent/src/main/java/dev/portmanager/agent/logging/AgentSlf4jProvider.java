package dev.portmanager.agent.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the agent's private class loader (Lettuce, Netty, Reactor and the core log through SLF4J
 * there). Without one SLF4J prints "No SLF4J providers were found" on the app's stderr; with a general-purpose one
 * the app would get foreign-looking log lines. This one passes warnings and errors on as {@code [portmanager]}
 * lines and drops the rest. The application's own SLF4J (in its class loader) never sees it.
 */
public final class AgentSlf4jProvider implements SLF4JServiceProvider {
    private final ILoggerFactory loggers = new AgentLoggerFactory();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up
    }
}
