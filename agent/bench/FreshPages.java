/**
 * What a page of memory the JVM has not touched yet costs on this machine: allocates {@code args[0]} KiB as one
 * array, twice (the second from memory the first did not touch either), and prints "FRESH <microseconds per 4 KiB
 * page>" for the second. Every page an agent touches first (heap, class metadata, native buffers) costs about this
 * much; agent/bench/faults.sh multiplies its page-fault count by it. On a virtual machine whose memory the host
 * backs lazily it is far dearer than on bare metal.
 */
public final class FreshPages {
    public static void main(String[] args) {
        int bytes = Integer.parseInt(args[0]) * 1024;
        byte[] first = new byte[bytes];
        long started = System.nanoTime();
        byte[] second = new byte[bytes];
        long nanos = System.nanoTime() - started;
        System.out.println("FRESH " + (nanos / 1000.0) / (bytes / 4096.0) + " " + (first.length + second.length));
    }
}
