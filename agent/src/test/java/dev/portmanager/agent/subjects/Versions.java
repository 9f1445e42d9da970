package dev.portmanager.agent.subjects;

/**
 * Prints which Netty and SLF4J the app itself sees, and whether any agent class leaks into its class loader.
 * Reflective, so subjects run with or without SLF4J on their class path.
 */
final class Versions {
    private Versions() {
    }

    static void print() {
        System.out.println("NETTY " + io.netty.util.Version.identify().get("netty-common").artifactVersion());
        System.out.println("SLF4J " + jarOf("org.slf4j.LoggerFactory"));
        for (String agentClass : new String[] {"dev.portmanager.PortManager", "dev.portmanager.agent.AgentMain",
                "io.lettuce.core.RedisClient", "net.bytebuddy.jar.asm.ClassReader"}) {
            System.out.println("VISIBLE " + agentClass + " " + (jarOf(agentClass) != null));
        }
        if (jarOf("org.slf4j.LoggerFactory") != null) {
            try {
                Object logger = Class.forName("org.slf4j.LoggerFactory").getMethod("getLogger", String.class)
                        .invoke(null, "subject");
                logger.getClass().getMethod("info", String.class).invoke(logger, "app logging works");
            } catch (ReflectiveOperationException e) {
                System.out.println("SLF4J BROKEN " + e);
            }
        }
        System.out.flush();
    }

    private static String jarOf(String className) {
        try {
            Class<?> c = Class.forName(className, false, Versions.class.getClassLoader());
            return String.valueOf(c.getProtectionDomain().getCodeSource().getLocation());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
