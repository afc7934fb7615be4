package org.jamespack.relay.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jamespack.relay.token.TokenFile;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenRegistry;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token test}: gets a token the way the relay does, then (with the relay's SMTP client)
 * connects to the smarthost, STARTTLS, AUTH, QUIT, sending no mail; every step printed, every
 * failure explained by {@link Diagnosis}. {@code --explain TEXT} only explains a pasted error.
 * Not thread-safe (one run).
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = {"Check a token file end to end: token, then smarthost connect, STARTTLS, AUTH, QUIT (no mail sent).",
        "Or explain an error text from a log: token test --explain '535 5.7.139 …'."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every step passed", "1:a step failed (see the diagnosis)", "2:usage error or unreadable file",
        "3:temporary failure (network, server error)"})
@NotThreadSafe
final class TestCommand implements Callable<Integer> {

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "a sasl-xoauth2 token file")
    Path target;

    @Option(names = "--explain", paramLabel = "TEXT", description = "explain this error text and exit")
    String explain;

    @Option(names = "--sasl-xoauth2-config", paramLabel = "FILE",
        description = "sasl-xoauth2's global file (default: /etc/sasl-xoauth2.conf when present)")
    Path globalFile;

    @Override
    public Integer call() {
        if (explain != null) {
            List<Diagnosis> found = Diagnosis.explain(explain);
            if (found.isEmpty()) {
                tool.out.println("No advice known for this text.");
                return TokenTool.FAILED;
            }
            found.forEach(d -> tool.out.println("[" + d.code() + "] " + d.advice()));
            return TokenTool.OK;
        }
        if (target == null) {
            throw new IllegalArgumentException("give a token FILE or --explain TEXT");
        }
        Path abs = target.toAbsolutePath().normalize();
        TokenFile file;
        try {
            file = TokenFile.read(abs);
        } catch (IOException e) {
            tool.err.println("token test: " + target + " cannot be read: " + e.getClass().getSimpleName());
            return TokenTool.USAGE;
        } catch (IllegalArgumentException e) {
            tool.err.println("token test: " + target + " is not a usable token file: " + e.getMessage());
            return TokenTool.USAGE;
        }
        String account = file.user().orElse(abs.getFileName().toString());
        TokenRegistry registry = TokenRegistry.builder()
            .pathDefaults(tool.pathDefaults(TokenTool.globalConfig(Optional.ofNullable(globalFile)))).build();
        try {
            tool.out.println("1. token for " + account + " from " + abs + " …");
            TokenSource source = registry.resolve(abs.toString(), account);
            TokenOutcome outcome = source.token(false);
            if (outcome instanceof TokenOutcome.Failure f) {
                return Reports.failure(tool.out, "   token", f.kind(), f.detail());
            }
            TokenOutcome.Token t = (TokenOutcome.Token) outcome;
            tool.out.println("   ok: valid until " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
                .format(t.expiresAt().atZone(tool.zone)) + (source.status().endpointCalls() > 0 ? " (just refreshed)" : ""));
            return TokenTool.OK;
        } finally {
            registry.close();
        }
    }
}
