import java.lang.instrument.Instrumentation;

/** The floor any agent pays: a -javaagent whose premain does nothing. */
public final class EmptyAgent {
    public static void premain(String args, Instrumentation inst) {
    }
}
