package dev.portmanager.agent.launcher;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The commands below are sun.java.command and java.class.path as JDK 17 and 25 set them for each tool. */
class JvmFilterTest {
    private static final String DEFAULT = "on the default exclude list";

    @Test
    void theSubjectIsTheMainClassWithoutItsModuleOrTheJarFileName() {
        assertEquals("com.sun.tools.javac.Main", JvmFilter.subject("jdk.compiler/com.sun.tools.javac.Main -d out A.java", ""));
        assertEquals("sun.tools.jps.Jps", JvmFilter.subject("jdk.jcmd/sun.tools.jps.Jps", ""));
        assertEquals("com.acme.Main", JvmFilter.subject("com.acme.Main --port 8080", "app.jar:lib/x.jar"));
        assertEquals("jdk.jshell.execution.RemoteExecutionControl",
                JvmFilter.subject("jdk.jshell.execution.RemoteExecutionControl 34007", "."));
        assertEquals("app.jar", JvmFilter.subject("/opt/my apps/app.jar --port 8080", "/opt/my apps/app.jar"));
        assertEquals("legacy-1.2.JAR", JvmFilter.subject("legacy-1.2.JAR", "legacy-1.2.JAR"));
        assertEquals("com.acme", JvmFilter.subject("com.acme", ""), "java -m module: the module");
        assertNull(JvmFilter.subject(null, null), "a JVM embedded through JNI");
        assertNull(JvmFilter.subject(" ", ""));
    }

    @Test
    void jdkToolsAreExcludedByTheirLaunchModuleOrTheirClassPathMainClass() {
        String[][] launches = {
                {"com.sun.tools.javac.Main", "jdk.compiler"},
                {"sun.tools.jar.Main", "jdk.jartool"},
                {"sun.tools.jcmd.JCmd", "jdk.jcmd"},
                {"sun.tools.jps.Jps", "jdk.jcmd"},
                {"sun.tools.jstack.JStack", "jdk.jcmd"},
                {"sun.security.tools.keytool.Main", "java.base"},
                {"jdk.javadoc.internal.tool.Main", "jdk.javadoc"},
                {"jdk.tools.jlink.internal.Main", "jdk.jlink"},
                {"jdk.internal.jshell.tool.JShellToolProvider", "jdk.jshell"},
        };
        for (String[] launch : launches) {
            assertEquals(DEFAULT, JvmFilter.reason(launch[0], launch[1], null, null), launch[0]);
        }
        assertEquals(DEFAULT, JvmFilter.reason("jdk.jshell.execution.RemoteExecutionControl", null, null, null));
        assertEquals(DEFAULT, JvmFilter.reason("com.sun.tools.javac.Main", null, null, null), "java -cp ... javac");
        assertNull(JvmFilter.reason("com.sun.tools.javac.launcher.Main", null, null, null),
                "java Hello.java runs the user's program");
        assertNull(JvmFilter.reason("com.acme.Main", "com.acme", null, null), "an app's own module");
    }

    @Test
    void buildToolsAreExcludedByTheirMainClasses() {
        for (String main : new String[] {"org.codehaus.plexus.classworlds.launcher.Launcher",
                "org.gradle.launcher.daemon.bootstrap.GradleDaemon", "org.gradle.wrapper.GradleWrapperMain",
                "org.gradle.launcher.GradleMain", "org.jetbrains.kotlin.daemon.KotlinCompileDaemon"}) {
            assertEquals(DEFAULT, JvmFilter.reason(main, null, null, null), main);
        }
        assertNull(JvmFilter.reason("org.gradle.launcher.daemon.bootstrap.GradleDaemonX", null, null, null));
    }

    @Test
    void anIncludeOverridesTheDefaultsAndAnyExclude() {
        String daemon = "org.gradle.launcher.daemon.bootstrap.GradleDaemon";
        assertNull(JvmFilter.reason(daemon, null, "org.gradle.*", null));
        assertNull(JvmFilter.reason(daemon, null, "com.acme.*;org.gradle.launcher.daemon.bootstrap.*", "*"));
        assertEquals(DEFAULT, JvmFilter.reason(daemon, null, "com.acme.*", null), "an include naming others");
        assertNull(JvmFilter.reason("com.sun.tools.javac.Main", "jdk.compiler", "com.sun.tools.javac.Main", null));
        assertNull(JvmFilter.reason("com.acme.Legacy", null, "com.acme.*", "*"), "exclude=* with include: an allow-list");
        assertEquals("matches exclude=*", JvmFilter.reason("org.other.Main", null, "com.acme.*", "*"));
    }

    @Test
    void anExcludeSkipsMatchingAppsOnly() {
        assertEquals("matches exclude=legacy-*.jar;com.acme.batch.*",
                JvmFilter.reason("legacy-2.jar", null, null, "legacy-*.jar;com.acme.batch.*"));
        assertEquals("matches exclude=legacy-*.jar;com.acme.batch.*",
                JvmFilter.reason("com.acme.batch.Nightly", null, null, "legacy-*.jar;com.acme.batch.*"));
        assertNull(JvmFilter.reason("com.acme.web.Main", null, null, "legacy-*.jar;com.acme.batch.*"));
        assertEquals("matches exclude={a,b}.Main", JvmFilter.reason("b.Main", null, null, "{a,b}.Main"));
        assertEquals("matches exclude=com.acme.?ain", JvmFilter.reason("com.acme.Main", null, null, "com.acme.?ain"));
        assertNull(JvmFilter.reason("com.acme.Main", null, null, ""), "blank: nothing excluded");
        assertNull(JvmFilter.reason("com.acme.Main", null, "", null));
    }

    @Test
    void aBadGlobDecidesNothingHereSoTheSettingsParserReportsIt() {
        assertNull(JvmFilter.matches("ok.*;com.acme.[Main", "ok.Main"));
        assertNull(JvmFilter.reason("com.acme.Main", null, null, "com.acme.*;x{"), "the agent starts and says why");
        assertNull(JvmFilter.reason("org.gradle.wrapper.GradleWrapperMain", null, "x[", null));
        assertEquals(DEFAULT, JvmFilter.reason("org.gradle.wrapper.GradleWrapperMain", null, null, "x["),
                "a default skip never reads the excludes");
    }
}
