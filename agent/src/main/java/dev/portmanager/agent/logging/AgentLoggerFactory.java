package dev.portmanager.agent.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One stateless logger serves every name: the line carries the library's short logger name. */
final class AgentLoggerFactory implements ILoggerFactory {
    @Override
    public Logger getLogger(String name) {
        return new WarningLogger(name);
    }
}
