package dev.portmanager.agent.subjects;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Hostile binds in one JVM, on the JDK's stacks. Arguments: a port for an SO_REUSEPORT pair, one for a
 * dual-stack pair, one to bind on an address this host lacks, one whose listen() fails after its bind, and one
 * for a server socket dropped without close. Prints one line per case; then on stdin: {@code close1} and
 * {@code close2} close the SO_REUSEPORT pair one by one, {@code gc} drops the last case's socket and collects.
 */
public final class SharingApp {
    public static void main(String[] args) throws Exception {
        int reusePort = Integer.parseInt(args[0]);
        int dualStack = Integer.parseInt(args[1]);
        int notAvailable = Integer.parseInt(args[2]);
        int listenFails = Integer.parseInt(args[3]);
        int dropped = Integer.parseInt(args[4]);

        ServerSocketChannel first = ServerSocketChannel.open().setOption(StandardSocketOptions.SO_REUSEPORT, true);
        ServerSocketChannel second = ServerSocketChannel.open().setOption(StandardSocketOptions.SO_REUSEPORT, true);
        first.bind(new InetSocketAddress(reusePort));
        second.bind(new InetSocketAddress(reusePort));
        System.out.println("REUSEPORT " + port(first.getLocalAddress()) + " " + port(second.getLocalAddress()));

        ServerSocket v4 = new ServerSocket();
        v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dualStack));
        ServerSocket v6 = new ServerSocket();
        v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), dualStack));
        System.out.println("DUALSTACK " + v4.getLocalPort() + " " + v6.getLocalPort());

        try (ServerSocket elsewhere = new ServerSocket()) {
            elsewhere.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), notAvailable));
            System.out.println("NOTAVAIL bound " + elsewhere.getLocalPort());
        } catch (IOException expected) {
            System.out.println("NOTAVAIL " + expected);
        }

        try (ServerSocket failing = new ServerSocket(new ListenFailsImpl()) { }) {
            failing.bind(new InetSocketAddress(listenFails));
            System.out.println("LISTENFAIL bound " + failing.getLocalPort());
        } catch (IOException expected) {
            System.out.println("LISTENFAIL " + expected);
        }

        ServerSocket forgotten = new ServerSocket(dropped);
        System.out.println("DROPPED " + forgotten.getLocalPort());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String command;
        while ((command = in.readLine()) != null) {
            switch (command) {
                case "close1": first.close(); break;
                case "close2": second.close(); break;
                case "gc":
                    forgotten = null;
                    for (int i = 0; i < 5; i++) {
                        System.gc();
                    }
                    break;
                default: break;
            }
            System.out.println("DONE " + command);
            System.out.flush();
        }
        v4.close();
        v6.close();
    }

    private static int port(SocketAddress address) {
        return ((InetSocketAddress) address).getPort();
    }

    /**
     * An application's own socket implementation whose bind works and whose listen() then fails with a real
     * "address in use" (two client sockets bound to one port, which the agent leaves alone). Its second bind
     * refuses, like the JDK's: "Already bound".
     */
    static final class ListenFailsImpl extends SocketImpl {
        @Override
        protected void create(boolean stream) {
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            if (localport != 0) {
                throw new java.net.SocketException("Already bound");
            }
            this.address = host;
            this.localport = port;
        }

        @Override
        protected void listen(int backlog) throws IOException {
            try (SocketChannel a = SocketChannel.open(); SocketChannel b = SocketChannel.open()) {
                a.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                b.bind(a.getLocalAddress()); // throws the JDK's own BindException for EADDRINUSE
            }
            throw new IOException("listen: no collision happened");
        }

        @Override
        protected void connect(String host, int port) throws IOException {
            throw new IOException("server only");
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw new IOException("server only");
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw new IOException("server only");
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw new IOException("never listening");
        }

        @Override
        protected InputStream getInputStream() throws IOException {
            throw new IOException("server only");
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            throw new IOException("server only");
        }

        @Override
        protected int available() {
            return 0;
        }

        @Override
        protected void close() {
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw new IOException("server only");
        }

        @Override
        public void setOption(int optID, Object value) {
        }

        @Override
        public Object getOption(int optID) {
            return null;
        }

        @Override
        protected <T> void setOption(SocketOption<T> name, T value) {
        }
    }
}
