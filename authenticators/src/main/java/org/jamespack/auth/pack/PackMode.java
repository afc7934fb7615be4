package org.jamespack.auth.pack;

import java.util.Map;

import net.jcip.annotations.Immutable;

/**
 * How the pack sits in James: as the user base ({@link #DIRECTORY}) or as the password checker
 * beside James' own users repository ({@link #PASSWORD_ONLY}).
 *
 * <p>Immutable and thread-safe, as every enum.
 */
@Immutable
public enum PackMode {
    /** The directory is the user base: the pack's {@code UsersRepository} replaces James'. */
    DIRECTORY("directory"),
    /** James keeps its own users; the pack's mailbox {@code Authenticator} and SMTP hook check passwords. */
    PASSWORD_ONLY("password-only");

    static final Map<String, PackMode> BY_CONFIG_NAME = Map.of(
        DIRECTORY.configName, DIRECTORY,
        PASSWORD_ONLY.configName, PASSWORD_ONLY);

    private final String configName;

    PackMode(String configName) {
        this.configName = configName;
    }

    /** The word written in {@code <authpack mode="…">}. */
    public String configName() {
        return configName;
    }
}
