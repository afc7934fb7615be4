package org.jamespack.relay.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.jamespack.relay.broker.BrokerMain;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token broker CONFIG}: the credential broker without James ({@link BrokerMain#run}), each
 * account's token coming from the token file {@code DIR/ACCOUNT} (sasl-xoauth2's
 * {@code /etc/tokens/user@domain} layout) through {@link TokenFileBrokerSources}. Not thread-safe
 * (one run).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {"Serve tokens to exim/Postfix on a UNIX socket (the <broker> file of the broker package).",
        "Account A's token comes from the token file DIR/A, refreshed with the relay's locking."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped by a signal", "2:usage or configuration error", "3:the socket could not be created"})
@NotThreadSafe
final class BrokerCommand implements Callable<Integer> {

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "the broker's XML file (root element <broker>)")
    Path config;

    @Option(names = "--token-dir", defaultValue = "/etc/tokens", paramLabel = "DIR",
        description = "where ACCOUNT's token file DIR/ACCOUNT lives (default: ${DEFAULT-VALUE})")
    Path tokenDir;

    @Mixin
    GlobalConfigOption globalOption;

    @Override
    public Integer call() {
        TokenFileBrokerSources sources = new TokenFileBrokerSources(tokenDir,
            globalOption.pathDefaults(tool));
        return BrokerMain.run(new String[] {config.toString()}, tool.err, sources);
    }
}
