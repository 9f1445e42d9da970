package dev.portmanager.agent;

/** A bad agent setting; the message is the single line shown to the user (key, value, accepted forms). */
final class SettingsException extends RuntimeException {
    SettingsException(String message) {
        super(message, null, false, false);
    }
}
