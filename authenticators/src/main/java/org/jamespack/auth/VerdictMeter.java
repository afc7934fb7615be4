package org.jamespack.auth;

/**
 * Where verdict counts and backend latencies go (James' metrics in the server, nothing in unit
 * tests). Implementations are thread-safe: every protocol thread reports through them.
 */
public interface VerdictMeter {

    /** Counts nothing. */
    VerdictMeter NONE = backend -> verdict -> {
    };

    /** Starts timing one question to {@code backend}; the caller stops it with the verdict. */
    Stopwatch start(String backend);

    /** The verdict a client finally got (after chain, cache and throttle). */
    default void decision(Verdict verdict) {
    }

    /** One running measurement. */
    @FunctionalInterface
    interface Stopwatch {
        void stop(Verdict verdict);
    }
}
