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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent and its libraries from the {@code inst/} prefix of the agent jar, where no other class loader finds
 * them: the agent's own classes in one pack ({@link ClassPack}), read when this loader starts. Its parent is the
 * platform class loader: the application's classes and libraries are invisible to the agent, and the agent's
 * (Lettuce, Netty, SLF4J...) are invisible to the application.
 *
 * <p>Classes it does not find there come from the nested jar of the Redis libraries ({@link NestedLibraries}),
 * opened when the first of them is needed.
 *
 * <p>The agent inside reaches what it needs from here through JDK interfaces, with no reflection: the launch
 * arguments ({@link #get}), the raw bytes of an entry ({@link #apply}, for the java.base bridge) and where the
 * nested jar may be extracted ({@link #accept}).
 */
public final class AgentClassLoader extends ClassLoader
        implements Supplier<Object[]>, Function<String, byte[]>, Consumer<Supplier<Path>> {
    static {
        registerAsParallelCapable();
    }

    private static final String PREFIX = "inst/";
    private final JarFile jar;
    private final ClassPack classes;
    private final String jarUrl;
    private final ProtectionDomain domain;
    private final Object[] launch;
    private final NestedLibraries libraries;

    public AgentClassLoader(File agentJar, ClassLoader parent, String args, Object instrumentation) throws IOException {
        super("portmanager-agent", parent);
        this.launch = new Object[] {args, instrumentation};
        this.jar = new JarFile(agentJar, false);
        this.classes = ClassPack.open(jar);
        URL location = agentJar.toURI().toURL();
        this.jarUrl = "jar:".concat(location.toString()).concat("!/");
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
        this.libraries = new NestedLibraries(jar);
    }

    /** Where the nested Redis libraries may be extracted: a private directory of this user (see NestedLibraries). */
    @Override
    public void accept(Supplier<Path> privateDirectory) {
        libraries.extractInto(privateDirectory);
    }

    /** The agent's loader over {@code agentJar}, child of the platform class loader. */
    static ClassLoader over(File agentJar, String args, Object instrumentation) throws IOException {
        return new AgentClassLoader(agentJar, ClassLoader.getPlatformClassLoader(), args, instrumentation);
    }

    /**
     * The agent's own classes, and the Redis libraries' once their jar is open, are looked up here before the
     * parent: they are never the JDK's (the JDK's packages always go to the parent first), and asking the parent
     * first would cost a failed lookup, with a {@code ClassNotFoundException} and its stack trace, for each of the
     * ~80 agent classes and ~2,800 library classes (measurable CPU and heap in the application's JVM).
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isJdkName(name)) {
            // Straight to the parent: this loader defines no JDK class, so its lock and its own look-up (a JNI call)
            // would be spent for nothing, for each of the hundreds of JDK classes the agent's code names. The JVM
            // remembers the answer for this loader; it asks again only for a name it has not seen here.
            return getParent().loadClass(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                int own = classes.find(name);
                if (own >= 0) {
                    c = defineOwn(name, own);
                } else {
                    JarFile nested = libraries.ifOpened();
                    JarEntry library = nested == null ? null : nested.getJarEntry(classFile(name));
                    c = library != null ? define(name, nested, library) : super.loadClass(name, false);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private static boolean isJdkName(String name) {
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
    }

    /** Reached after the parent: a class of the Redis libraries before their jar is open, or none of ours. */
    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        int own = classes.find(name);
        if (own >= 0) {
            return defineOwn(name, own);
        }
        JarFile source = libraries.jar();
        JarEntry entry = source == null ? null : source.getJarEntry(classFile(name));
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        return define(name, source, entry);
    }

    private Class<?> defineOwn(String name, int entry) throws ClassNotFoundException {
        try {
            return defineClass(name, classes.array(entry), classes.start(entry), classes.length(entry), domain);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    /** A library class's entry in the nested jar: {@code io.netty.Foo} -> {@code io/netty/Foo.class}. */
    private static String classFile(String binaryName) {
        return binaryName.replace('.', '/').concat(".class");
    }

    private Class<?> define(String name, JarFile source, JarEntry entry) throws ClassNotFoundException {
        byte[] bytes;
        try {
            bytes = read(source, entry);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** An entry's bytes, read into an array of its recorded size (no growing buffers), else read to the end. */
    private static byte[] read(JarFile source, JarEntry entry) throws IOException {
        try (InputStream in = source.getInputStream(entry)) {
            return ClassPack.readAll(in, entry.getSize(), entry.getName());
        }
    }

    /** The agent's arguments and its {@code Instrumentation}, for the agent's entry class. */
    @Override
    public Object[] get() {
        return launch.clone();
    }

    /** The raw bytes of an entry under {@code inst/}, or null (used for the java.base bridge class). */
    @Override
    public byte[] apply(String path) {
        JarEntry entry = jar.getJarEntry(PREFIX.concat(path));
        if (entry == null) {
            return null;
        }
        try {
            return read(jar, entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected URL findResource(String name) {
        URL own = ownResource(name);
        return own != null ? own : libraryResource(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        List<URL> found = new ArrayList<>(2);
        URL own = ownResource(name);
        if (own != null) {
            found.add(own);
        }
        URL library = libraryResource(name);
        if (library != null) {
            found.add(library);
        }
        return Collections.enumeration(found);
    }

    /** A resource under {@code inst/} (the agent's classes are in the pack: not resources). */
    private URL ownResource(String name) {
        if (name.endsWith(".class")) {
            return null;
        }
        JarEntry entry = jar.getJarEntry(PREFIX.concat(name));
        return entry == null ? null : url(jarUrl.concat(entry.getName()));
    }

    private URL libraryResource(String name) {
        JarFile nested = libraries.jar();
        if (nested == null || nested.getJarEntry(name) == null) {
            return null;
        }
        try {
            return url("jar:".concat(NestedLibraries.fileOf(nested).toURI().toURL().toString()).concat("!/").concat(name));
        } catch (MalformedURLException e) {
            return null;
        }
    }

    private static URL url(String spec) {
        try {
            return new URL(spec);
        } catch (MalformedURLException e) {
            return null;
        }
    }
}
