package org.jamespack.auth.james;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.BackendFactories;

import net.jcip.annotations.ThreadSafe;

/**
 * Finds James' {@code usersrepository.xml} exactly where James' own
 * {@code FileConfigurationProvider} finds it (the configuration path, {@code file://conf/} or
 * {@code classpath:}), and builds the {@link AuthPack} from its {@code <authpack>} element.
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
public final class JamesConfigFiles {

    private JamesConfigFiles() {
    }

    /** Before the injector exists ({@link AuthPackModule}): James' file system over the configuration's directories. */
    public static AuthPack loadAuthPack(Configuration configuration, BackendFactories factories) {
        return loadAuthPack(new FileSystemImpl(configuration.directories()), configuration.configurationPath(), factories);
    }

    /** Inside James ({@link PackExtensionModule}): the injected file system. */
    public static AuthPack loadAuthPack(FileSystem fileSystem, Configuration.ConfigurationPath path, BackendFactories factories) {
        String resource = path.asString() + AuthPack.USERS_REPOSITORY_FILE;
        String name = displayName(fileSystem, resource);
        try (InputStream in = fileSystem.getResource(resource)) {
            return AuthPack.load(in, name, factories);
        } catch (FileNotFoundException e) {
            throw new ConfigException(name + ": not found: the pack reads its <" + AuthPack.ELEMENT + "> element from it");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot be read: " + e.getMessage());
        }
    }

    /** The file's real path when it is a file, so that messages point at what the operator edits. */
    private static String displayName(FileSystem fileSystem, String resource) {
        if (resource.startsWith(FileSystem.CLASSPATH_PROTOCOL)) {
            return resource;
        }
        try {
            File f = fileSystem.getFile(resource);
            return f.getPath();
        } catch (IOException | RuntimeException e) {
            return resource;
        }
    }
}
