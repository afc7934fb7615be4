package org.jamespack.foundation.config;

import java.util.List;

/**
 * A configuration could not be used. The message lists every problem found, each with the
 * file, the line, the key and what is wrong (the value too, unless the key holds a secret).
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** Each problem as one line: {@code file:line: key: what is wrong}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0);
        }
        StringBuilder s = new StringBuilder("invalid configuration, ").append(problems.size()).append(" problems:");
        for (String p : problems) {
            s.append("\n  ").append(p);
        }
        return s.toString();
    }
}
