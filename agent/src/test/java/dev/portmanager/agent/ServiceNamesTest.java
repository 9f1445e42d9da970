package dev.portmanager.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Names from real manifests, jars and directories (the JVM's own view of the command is tested in RobustnessIT). */
class ServiceNamesTest {
    private static Path jar(Path file, String mainClass, String startClass, String... entries) throws IOException {
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        if (startClass != null) {
            manifest.getMainAttributes().putValue("Start-Class", startClass);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (String entry : entries) {
                jar.putNextEntry(new JarEntry(entry));
                jar.closeEntry();
            }
        }
        return file;
    }

    @Test
    void aSpringBootJarIsNamedByItsStartClass(@TempDir Path tmp) throws IOException {
        Path app = jar(tmp.resolve("app.jar"), "org.springframework.boot.loader.launch.JarLauncher",
                "com.acme.emotion.EmotionApplication");
        assertEquals("EmotionApplication", ServiceNames.derive(app + " --server.port=8080", app.toString(), tmp));
    }

    @Test
    void aJarPathWithSpacesIsTheWholePath(@TempDir Path tmp) throws IOException {
        Path app = jar(tmp.resolve("my apps").resolve("legacy-emotion-1.4.jar"), "com.acme.EmotionServer", null);
        assertEquals("legacy-emotion", ServiceNames.derive(app + " --port 8088", app.toString(), tmp));
    }

    @Test
    void anExplodedLauncherReadsTheStartClassOfItsDirectory(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("application"));
        Files.createDirectories(dir.resolve("org/springframework/boot/loader/launch"));
        Files.write(dir.resolve("org/springframework/boot/loader/launch/JarLauncher.class"), new byte[0]);
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\nStart-Class: com.acme.Billing\n");
        assertEquals("Billing", ServiceNames.derive("org.springframework.boot.loader.launch.JarLauncher", dir.toString(), dir));
    }

    @Test
    void aGenericMainClassIsNamedByItsJarThenByTheWorkingDirectory(@TempDir Path tmp) throws IOException {
        Path lib = jar(tmp.resolve("lib").resolve("netty-4.2.jar"), null, null, "io/netty/Foo.class");
        Path orders = jar(tmp.resolve("orders-service-2.1.jar"), null, null, "com/acme/Main.class");
        String classPath = lib + java.io.File.pathSeparator + orders;
        assertEquals("orders-service", ServiceNames.derive("com.acme.Main 8080", classPath, tmp.resolve("x")));

        Path classes = Files.createDirectories(tmp.resolve("shipping").resolve("classes").resolve("com/acme"));
        Files.write(classes.resolve("Application.class"), new byte[0]);
        Path workDir = tmp.resolve("shipping");
        assertEquals("shipping", ServiceNames.derive("com.acme.Application", workDir.resolve("classes").toString(), workDir));
    }

    @Test
    void aGenericStartClassFallsThroughToTheJarName(@TempDir Path tmp) throws IOException {
        Path app = jar(tmp.resolve("payments-1.0.jar"), "org.springframework.boot.loader.JarLauncher", "com.acme.Application");
        assertEquals("payments", ServiceNames.derive(app.toString(), app.toString(), tmp));
    }

    @Test
    void aSpecificMainClassNamesItself() {
        assertEquals("EmotionServer", ServiceNames.derive("com.acme.EmotionServer 8088", "/nowhere", Path.of("/srv/x")));
    }
}
