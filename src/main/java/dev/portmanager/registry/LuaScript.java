package dev.portmanager.registry;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One server-side script, run by its SHA-1 (EVALSHA) so the text crosses the network only when Redis does not
 * know it yet: after a restart or a SCRIPT FLUSH, Redis answers NOSCRIPT and the script is sent once with EVAL,
 * which also caches it again. Either way the operation is one round trip in the common case.
 */
final class LuaScript {
    private final String name;
    private final String text;
    private final String sha;

    LuaScript(String name, String text) {
        this.name = name;
        this.text = text;
        this.sha = sha1(text);
    }

    /**
     * Runs the script and waits for its reply at most {@code timeoutNanos}.
     *
     * @throws TimeoutException     when no reply came in time (the command may still run)
     * @throws ExecutionException   with Lettuce's exception as the cause
     */
    <T> T run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type, String[] keys,
              long timeoutNanos, String... args)
            throws TimeoutException, ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            return redis.<T>evalsha(sha, type, keys, args).get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // some servers and proxies report the missing script without the NOSCRIPT-specific exception type
            if (cause instanceof RedisNoScriptException || cause instanceof RedisCommandExecutionException
                    && cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT")) {
                return redis.<T>eval(text, type, keys, args)
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            throw e;
        }
    }

    String name() {
        return name;
    }

    String sha() {
        return sha;
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }
}
