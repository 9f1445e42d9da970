package dev.portmanager.agent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent and its libraries from the {@code inst/} prefix of the agent jar, where classes are stored as
 * {@code .classdata} so that no other class loader finds them. Its parent is the platform class loader: the
 * application's classes and libraries are invisible to the agent, and the agent's (Lettuce, Netty, SLF4J...)
 * are invisible to the application.
 */
public final class AgentClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private static final String PREFIX = "inst/";
    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain domain;

    public AgentClassLoader(File agentJar, ClassLoader parent) throws IOException {
        super("portmanager-agent", parent);
        this.jar = new JarFile(agentJar, false);
        URL location = agentJar.toURI().toURL();
        this.jarUrl = "jar:".concat(location.toString()).concat("!/");
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
    }

    /** The agent's loader over {@code agentJar}, child of the platform class loader. */
    static ClassLoader over(File agentJar) throws IOException {
        return new AgentClassLoader(agentJar, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX.concat(name.replace('.', '/')).concat(".classdata"));
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** The raw bytes of an entry under {@code inst/}, or null (used for the java.base bridge class). */
    public byte[] readEntry(String path) {
        JarEntry entry = jar.getJarEntry(PREFIX.concat(path));
        if (entry == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected URL findResource(String name) {
        String path = name.endsWith(".class")
                ? name.substring(0, name.length() - ".class".length()).concat(".classdata") : name;
        JarEntry entry = jar.getJarEntry(PREFIX.concat(path));
        if (entry == null) {
            return null;
        }
        try {
            return new URL(jarUrl.concat(entry.getName()));
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }
}
