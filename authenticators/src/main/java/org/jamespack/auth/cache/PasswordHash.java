package org.jamespack.auth.cache;

import java.util.LinkedHashMap;
import java.util.Map;

import net.jcip.annotations.Immutable;

/**
 * How a cache entry remembers the password it was given for (never the password itself).
 *
 * <p>Immutable and thread-safe, as every enum.
 */
@Immutable
public enum PasswordHash {
    /** HMAC-SHA256 under a 256-bit key drawn at random when the cache is built (the default). */
    HMAC_SHA256("hmac-sha256"),
    /** PBKDF2-HMAC-SHA256 with {@link CacheSettings#hashIterations()} iterations and a per-entry salt. */
    PBKDF2_SHA256("pbkdf2-sha256");

    private final String configName;

    PasswordHash(String configName) {
        this.configName = configName;
    }

    /** The word used in configuration files. */
    public String configName() {
        return configName;
    }

    /** The configuration words and their values, for {@code ConfigNode.choice}. */
    static Map<String, PasswordHash> byConfigName() {
        Map<String, PasswordHash> m = new LinkedHashMap<>();
        for (PasswordHash h : values()) {
            m.put(h.configName, h);
        }
        return m;
    }
}
