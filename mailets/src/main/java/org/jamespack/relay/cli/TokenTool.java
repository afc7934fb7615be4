package org.jamespack.relay.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.relay.token.PathDefaults;
import org.jamespack.relay.token.SaslXoauth2Config;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code token} command-line tool: obtains, shows, refreshes and tests the OAuth2 tokens of the
 * XOAUTH2 relay, and runs the credential broker. Not thread-safe: one instance per run.
 *
 * <p>Entry points: {@link #main} (exits the JVM) and {@link #run} (returns the exit code, for
 * tests and other launchers). Exit codes: {@value #OK} done, {@value #FAILED} the operation was
 * tried and failed (refused grant, broken credential, SMTP refusal), {@value #USAGE} wrong
 * arguments or unreadable input file, {@value #TEMPORARY} a temporary failure (network, HTTP 5xx,
 * time-out: try again later). {@code token broker} returns the broker's own codes
 * ({@link org.jamespack.relay.broker.BrokerMain}).
 *
 * <p>Nothing the tool prints holds a token, a refresh token or a client secret.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = TokenTool.Version.class,
    description = "OAuth2 tokens for the XOAUTH2 smarthost relay (sasl-xoauth2 token files).",
    subcommands = {InitCommand.class, ShowCommand.class, RefreshCommand.class, TestCommand.class, BrokerCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the operation failed (grant refused, credential broken, smarthost refused)",
        "2:usage error or unreadable input", "3:temporary failure (network, server error, time-out): try again later"})
@NotThreadSafe
public final class TokenTool implements Runnable {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int TEMPORARY = 3;

    final PrintStream out;
    final PrintStream err;
    final BufferedReader in;
    final Clock clock;
    final ZoneId zone;
    final Sleeper sleeper;
    final boolean interactive;

    TokenTool(PrintStream out, PrintStream err, InputStream in, Clock clock, ZoneId zone, Sleeper sleeper,
              boolean interactive) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.clock = clock;
        this.zone = zone;
        this.sleeper = sleeper;
        this.interactive = interactive;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in));
    }

    /** Runs one command line and returns its exit code; never exits the JVM. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        return new TokenTool(out, err, in, Clock.systemUTC(), ZoneId.systemDefault(), Sleeper.REAL, System.console() != null)
            .execute(args);
    }

    int execute(String[] args) {
        CommandLine cl = new CommandLine(this);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            // Messages of the pack never carry secrets; no stack trace for a person at a terminal.
            line.getErr().println("token: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return e instanceof IllegalArgumentException ? USAGE : FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(out);
    }

    /**
     * sasl-xoauth2's global file, as the relay reads it: {@code explicit} when given, else
     * {@code /etc/sasl-xoauth2.conf} when it exists, else none.
     *
     * @throws IllegalArgumentException when a named file cannot be read or parsed
     */
    static SaslXoauth2Config globalConfig(Optional<Path> explicit) {
        Path p = explicit.orElse(SaslXoauth2Config.DEFAULT_PATH);
        if (explicit.isEmpty() && !Files.isReadable(p)) {
            return SaslXoauth2Config.empty();
        }
        try {
            return SaslXoauth2Config.read(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(p + " cannot be read: " + e.getClass().getSimpleName());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + " " + e.getMessage());
        }
    }

    PathDefaults pathDefaults(SaslXoauth2Config global) {
        PathDefaults d = PathDefaults.standard().withGlobal(global);
        return new PathDefaults(d.global(), d.refreshWindow(), d.connectTimeout(), d.readTimeout(), d.brokerTimeout(),
            d.brokerAssumedLifetime(), clock);
    }

    /** The pack's version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TokenTool.class.getPackage().getImplementationVersion();
            return new String[] {"token (James auth & relay pack) " + (v == null ? "development build" : v)};
        }
    }
}
