package dev.portmanager.agent.subjects;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Binds the agent must leave alone: a client socket's local port (args[0]), a datagram socket (args[1]), a
 * Unix-domain server channel, and a server bind with a null address. Prints what each got.
 */
public final class PassThroughApp {
    public static void main(String[] args) throws Exception {
        try (Socket client = new Socket()) {
            client.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            System.out.println("CLIENT " + client.getLocalPort());
        }
        try (DatagramSocket datagram = new DatagramSocket(Integer.parseInt(args[1]))) {
            System.out.println("DATAGRAM " + datagram.getLocalPort());
        }
        Path socketFile = Files.createTempDirectory("pm-uds").resolve("s.sock");
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            unix.bind(UnixDomainSocketAddress.of(socketFile));
            System.out.println("UNIX " + unix.getLocalAddress());
        } finally {
            Files.deleteIfExists(socketFile);
            Files.deleteIfExists(socketFile.getParent());
        }
        try (ServerSocket nullBind = new ServerSocket()) {
            nullBind.bind(null);
            System.out.println("NULL " + nullBind.getLocalPort());
        }
        System.out.println("DONE");
        System.out.flush();
    }
}
