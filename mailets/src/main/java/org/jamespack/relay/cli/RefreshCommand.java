package org.jamespack.relay.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jamespack.relay.token.TokenFile;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenRegistry;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token refresh FILE}: refreshes now through the relay's own {@link TokenRegistry} path
 * reference, i.e. the same {@code RefreshingTokenSource}, file lock ({@code FILE.lock}) and atomic
 * 0600 rewrite as the mailet, so that it can run while James or Postfix use the file. Not
 * thread-safe (one run).
 */
@Command(name = "refresh", mixinStandardHelpOptions = true,
    description = {"Refresh the access token of a token file now (same lock and atomic 0600 write as the relay).",
        "Run it from cron weekly to keep an idle Microsoft refresh token alive (it dies after 90 days unused)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:refreshed and written", "1:refused (invalid_grant, invalid_client…): run token init again",
        "2:usage error or unreadable file", "3:temporary failure (network, server error): try again later"})
@NotThreadSafe
final class RefreshCommand implements Callable<Integer> {

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", paramLabel = "FILE", description = "a sasl-xoauth2 token file")
    Path file;

    @Mixin
    GlobalConfigOption globalOption;

    @Override
    public Integer call() {
        Path abs = file.toAbsolutePath().normalize();
        TokenFile before;
        try {
            before = TokenFile.read(abs);
        } catch (IOException e) {
            tool.err.println("token refresh: " + file + " cannot be read: " + e.getClass().getSimpleName());
            return TokenTool.USAGE;
        } catch (IllegalArgumentException e) {
            tool.err.println("token refresh: " + file + " is not a usable token file: " + e.getMessage());
            return TokenTool.USAGE;
        }
        if (!Files.isWritable(abs)) {
            tool.err.println("token refresh: " + file + " is not writable by this user (run it as the file's owner)");
            return TokenTool.USAGE;
        }
        String account = before.user().orElse(abs.getFileName().toString());
        TokenRegistry registry = TokenRegistry.builder()
            .pathDefaults(globalOption.pathDefaults(tool)).build();
        try {
            TokenSource source = registry.resolve(abs.toString(), account);
            TokenOutcome outcome = source.token(false);
            if (outcome instanceof TokenOutcome.Token && source.status().endpointCalls() == 0) {
                // The file's token is still fresh: force the call (the source refreshes once when
                // the token it handed out is the one it is told to replace).
                outcome = source.token(true);
            }
            if (outcome instanceof TokenOutcome.Failure f) {
                return Reports.failure(tool.err, "refresh of " + file, f.kind(), f.detail());
            }
            TokenOutcome.Token t = (TokenOutcome.Token) outcome;
            Optional<String> problem = source.status().lastFailure();
            if (problem.isPresent()) {
                // Refreshed, but the write failed (RefreshingTokenSource keeps the token in memory then).
                tool.err.println("token refresh: " + problem.get());
                return TokenTool.FAILED;
            }
            tool.out.println("Refreshed " + file + " for " + account + ": access token valid until "
                + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").format(t.expiresAt().atZone(tool.zone)) + ".");
            return TokenTool.OK;
        } finally {
            registry.close();
        }
    }
}
