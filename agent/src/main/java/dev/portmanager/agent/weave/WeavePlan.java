package dev.portmanager.agent.weave;

/**
 * What to rewrite in one class.
 *
 * @param bindMethod      name of the bind method to wrap (null: none)
 * @param bindParameters  its parameter descriptor, e.g. {@code (Ljava/net/SocketAddress;I)}; any return type
 * @param closeMethod     name of the no-argument close method whose start reports the close (null: none)
 * @param connectMethods  client connect methods whose first parameter (the remote address) the bridge may replace,
 *                        each as name plus the start of its descriptor, e.g. {@code connect(Ljava/net/SocketAddress;I)}
 */
record WeavePlan(String bindMethod, String bindParameters, String closeMethod, String... connectMethods) {

    /** A plan for client connect methods only. */
    static WeavePlan connects(String... methods) {
        return new WeavePlan(null, null, null, methods);
    }

    boolean isBind(String name, String descriptor) {
        return bindMethod != null && bindMethod.equals(name) && descriptor.startsWith(bindParameters);
    }

    boolean isClose(String name, String descriptor) {
        return closeMethod != null && closeMethod.equals(name) && descriptor.startsWith("()");
    }

    boolean isConnect(String name, String descriptor) {
        for (String method : connectMethods) {
            if (method.length() > name.length() && method.charAt(name.length()) == '(' && method.startsWith(name)
                    && descriptor.startsWith(method.substring(name.length()))) {
                return true;
            }
        }
        return false;
    }
}
