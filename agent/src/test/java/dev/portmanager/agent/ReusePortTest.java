package dev.portmanager.agent;

import dev.portmanager.agent.weave.BindTransformer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SO_REUSEPORT check on real sockets of this JVM, and what its warm-up may touch. */
class ReusePortTest {
    /**
     * A JDK that renamed a table would turn the warm-up into nothing without a word; initialising a class the agent
     * rewrites would load it, rewritten, into every app, whether or not it ever uses it.
     */
    @Test
    void theWarmUpNamesThisJdksClassesAndNoneTheAgentRewrites() throws ClassNotFoundException {
        for (String table : ReusePort.JDK_OPTION_TABLES) {
            Class.forName(table, false, null); // throws when this JDK has no such class
            assertFalse(BindTransformer.isTarget(table, true), table + " is a class the agent rewrites");
        }
    }

    @Test
    void theCheckReadsEachSocketsOwnOptionAfterTheWarmUp() throws IOException {
        ReusePort.warmUp();
        try (ServerSocketChannel plainChannel = ServerSocketChannel.open();
             ServerSocketChannel sharedChannel = ServerSocketChannel.open();
             ServerSocket plainSocket = new ServerSocket();
             ServerSocket sharedSocket = new ServerSocket()) {
            sharedChannel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            sharedSocket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertFalse(ReusePort.isSet(plainChannel));
            assertTrue(ReusePort.isSet(sharedChannel));
            assertFalse(ReusePort.isSet(plainSocket));
            assertTrue(ReusePort.isSet(sharedSocket));
        }
    }
}
