package org.jamespack.relay.route;

import net.jcip.annotations.Immutable;

/**
 * One bad line of a route source: where it is, which route key, what is wrong. Immutable.
 * Never holds a password: messages name the setting, not its secret value.
 */
@Immutable
public record RouteProblem(String file, int line, String key, String problem) {

    @Override
    public String toString() {
        return file + ":" + line + ": route '" + key + "': " + problem;
    }
}
