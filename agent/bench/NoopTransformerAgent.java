import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * An agent whose premain registers one transformer that changes nothing: what the load-time hook alone costs (with
 * a transformer registered, the JVM hands every class it loads afterwards, shared ones included, to Java).
 */
public final class NoopTransformerAgent {
    public static void premain(String args, Instrumentation inst) {
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                    byte[] bytes) {
                return null;
            }
        });
    }
}
