package org.jamespack.foundation.config;

import java.util.ArrayList;
import java.util.List;

import net.jcip.annotations.NotThreadSafe;

/**
 * Collects configuration problems while a whole file is read, so that an operator sees all of
 * them at once; {@link #throwIfAny()} then fails with one {@link ConfigException}.
 *
 * <p>Not thread-safe: one collector per parse.
 */
@NotThreadSafe
public final class ConfigProblems {

    private final List<String> problems = new ArrayList<>();

    public void add(String location, String key, String problem) {
        problems.add(location + ": " + key + ": " + problem);
    }

    public void add(String problem) {
        problems.add(problem);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(problems);
    }

    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
