package dev.portmanager.config;

/** A configuration value or file was rejected; the message names what was wrong and what is accepted. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
