package dev.portmanager.agent.weave;

/**
 * What to rewrite in one class.
 *
 * @param bindMethod      name of the bind method to wrap (null: none)
 * @param bindParameters  its parameter descriptor, e.g. {@code (Ljava/net/SocketAddress;I)}; any return type
 * @param closeMethod     name of the no-argument close method whose start reports the close (null: none)
 */
record WeavePlan(String bindMethod, String bindParameters, String closeMethod) {

    boolean isBind(String name, String descriptor) {
        return bindMethod != null && bindMethod.equals(name) && descriptor.startsWith(bindParameters);
    }

    boolean isClose(String name, String descriptor) {
        return closeMethod != null && closeMethod.equals(name) && descriptor.startsWith("()");
    }
}
