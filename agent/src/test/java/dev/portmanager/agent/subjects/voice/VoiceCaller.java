package dev.portmanager.agent.subjects.voice;

import dev.portmanager.agent.subjects.ConnectClientApp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The gateway's voice handler: its own package, so a {@code PORT@PREFIX} route can single it out. It connects itself, so it is the caller the agent finds on the stack. */
public final class VoiceCaller {
    private VoiceCaller() {
    }

    public static String call(InetSocketAddress to) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 5000);
            return ConnectClientApp.exchange(s);
        }
    }
}
