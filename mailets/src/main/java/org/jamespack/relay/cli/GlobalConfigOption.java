package org.jamespack.relay.cli;

import java.nio.file.Path;
import java.util.Optional;

import org.jamespack.relay.token.PathDefaults;
import org.jamespack.relay.token.SaslXoauth2Config;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Option;

/**
 * The {@code --sasl-xoauth2-config} option shared by {@code show}, {@code refresh}, {@code test} and {@code broker}
 * (a picocli mixin), and the defaults each of them derives from it. Not thread-safe: picocli fills it for one run.
 */
@NotThreadSafe
final class GlobalConfigOption {

    @Option(names = "--sasl-xoauth2-config", paramLabel = "FILE",
        description = "sasl-xoauth2's global file (default: /etc/sasl-xoauth2.conf when present)")
    Path globalFile;

    /** The global file given, or the standard one when present, or an empty configuration. */
    SaslXoauth2Config config() {
        return TokenTool.globalConfig(Optional.ofNullable(globalFile));
    }

    /** Token defaults from the global file, on the tool's clock. */
    PathDefaults pathDefaults(TokenTool tool) {
        return tool.pathDefaults(config());
    }
}
