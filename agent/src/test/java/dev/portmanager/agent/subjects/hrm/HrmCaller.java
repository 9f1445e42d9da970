package dev.portmanager.agent.subjects.hrm;

import dev.portmanager.agent.subjects.ConnectClientApp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The gateway's HRM handler: dials the same hardcoded port as the voice handler. It connects itself, so it is the caller the agent finds on the stack. */
public final class HrmCaller {
    private HrmCaller() {
    }

    public static String call(InetSocketAddress to) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 5000);
            return ConnectClientApp.exchange(s);
        }
    }
}
