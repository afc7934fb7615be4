/**
 * Reading the pack's XML settings with file and line numbers: {@link
 * org.jamespack.foundation.config.ConfigNode} parses a file, hands out typed values, records every
 * problem in a {@link org.jamespack.foundation.config.ConfigProblems} and names unknown keys, so a
 * start-up fails once with all problems listed ({@link org.jamespack.foundation.config.ConfigException}).
 *
 * <p>Value syntax shared by every component: booleans {@code true/false/yes/no/on/off};
 * durations {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d} (a bare number is
 * seconds); repeated keys as repeated elements or a comma-separated attribute.
 */
@NullMarked
package org.jamespack.foundation.config;

import org.jspecify.annotations.NullMarked;
