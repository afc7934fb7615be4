package org.jamespack.relay.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.diagnosis.Diagnosis;
import org.jamespack.relay.route.Mechanism;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteTable;
import org.jamespack.relay.route.SendingLimits;
import org.jamespack.relay.route.SmartHostsParser;
import org.jamespack.relay.route.TlsMode;
import org.jamespack.relay.smtp.SmtpConnector;
import org.jamespack.relay.smtp.SmtpFailure;
import org.jamespack.relay.smtp.SmtpSettings;
import org.jamespack.relay.smtp.TokenConnect;
import org.jamespack.relay.token.TokenFile;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenRegistry;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token test}: gets a token the way the relay does, then connects to the smarthost with the
 * relay's own SMTP client ({@link SmtpConnector}: TLS required and verified, mechanism forced),
 * authenticates and QUITs, sending no mail; every step printed, every failure explained by
 * {@link Diagnosis}. The token and the connection are had as the relay has them ({@link TokenConnect}): a token the
 * smarthost refuses as stale is refreshed once and AUTH tried again; a refusal no new token can cure (SMTP AUTH
 * switched off, {@code 5.7.139}) is explained without a refresh.
 * A Graph route ({@code transport=graph}) is checked by {@link GraphCheck}: the token, then its audience and its
 * {@code Mail.Send} permission read from it; nothing goes to Graph.
 * {@code --explain TEXT} only explains a pasted error. Not thread-safe (one run).
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = {"Check an account end to end: token, smarthost connect, STARTTLS, AUTH, QUIT (no mail sent).",
        "TARGET is a token file (with --host, --user) or a sender address or domain looked up in --routes.",
        "A Graph route (transport=graph): the token, then its audience and Mail.Send permission (nothing sent).",
        "Or explain an error text from a log: token test --explain '535 5.7.139 …'."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every step passed", "1:a step failed (see the diagnosis)", "2:usage error or unreadable file",
        "3:temporary failure (network, 4xx, server error)"})
@NotThreadSafe
final class TestCommand implements Callable<Integer> {

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET",
        description = "a sasl-xoauth2 token file, or (with --routes) a sender address or domain")
    String target;

    @Option(names = "--explain", paramLabel = "TEXT", description = "explain this error text and exit")
    String explain;

    @Option(names = "--routes", paramLabel = "FILE", description = "exim-style smart-hosts file: domain: host=H::587 user=U oauth=/path")
    Path routes;

    @Option(names = "--host", paramLabel = "HOST", description = "smarthost for a token file, e.g. smtp.office365.com")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "smarthost port (default: 587, or 465 with --implicit-tls)")
    Integer port;

    @Option(names = "--implicit-tls", description = "TLS from the first byte (port 465) instead of STARTTLS")
    boolean implicitTls;

    @Option(names = "--user", paramLabel = "MAILBOX", description = "AUTH identity (default: the token file's user, else its name)")
    String user;

    @Option(names = "--mechanism", defaultValue = "XOAUTH2", paramLabel = "MECH", description = "XOAUTH2 (default) or OAUTHBEARER")
    Mechanism mechanism;

    @Option(names = "--helo", paramLabel = "NAME", description = "EHLO name (default: this host's name)")
    String helo;

    @Option(names = "--trust-store", paramLabel = "FILE", description = "trust store for the smarthost's certificate (default: the JVM's CAs)")
    Path trustStore;

    @Option(names = "--trust-store-password-file", paramLabel = "FILE", description = "file holding the trust store's password")
    Path trustStorePasswordFile;

    @Option(names = "--trust-store-type", defaultValue = "PKCS12", paramLabel = "TYPE", description = "PKCS12 (default) or JKS")
    String trustStoreType;

    @Mixin
    GlobalConfigOption globalOption;

    @Override
    public Integer call() throws IOException {
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
            throw new IllegalArgumentException("give a token FILE or a sender with --routes, or --explain TEXT");
        }
        Route route = route();
        TokenRegistry registry = TokenRegistry.builder()
            .pathDefaults(globalOption.pathDefaults(tool)).build();
        try {
            return check(route, registry);
        } finally {
            registry.close();
        }
    }

    private int check(Route route, TokenRegistry registry) {
        var out = tool.out;
        if (route.usesGraph()) {
            return GraphCheck.run(out, route, registry.resolve(route.oauth().orElseThrow(), route.user().orElseThrow()), tool.zone);
        }
        Optional<TokenSource> source = Optional.empty();
        if (route.usesToken()) {
            String ref = route.oauth().orElseThrow();
            out.println("1. token for " + route.account() + " from " + ref + " …");
            source = Optional.of(registry.resolve(ref, route.user().orElseThrow()));
        } else {
            out.println("1. " + (route.password().isPresent() ? "password from the routes file (not shown)" : "no AUTH on this route"));
        }
        Optional<TokenSource> s = source;
        TokenConnect.Steps steps = new TokenConnect.Steps() {
            @Override
            public void tokenObtained(TokenOutcome.Token t) {
                boolean refreshed = s.orElseThrow().status().endpointCalls() > 0;
                out.println("   ok: valid until " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
                    .format(t.expiresAt().atZone(tool.zone)) + (refreshed ? " (just refreshed)" : ""));
            }

            @Override
            public void refreshing(SmtpFailure refusal) {
                out.println("   refused: " + refusal.detail());
                out.println("   refreshing the token once and trying again …");
            }
        };
        TokenConnect.Result result;
        try (SmtpConnector connector = new SmtpConnector(settings())) {
            result = TokenConnect.connect(route, source, (as, credential) -> {
                out.println("2. connect to " + as.smarthost() + " (" + (as.tls() == TlsMode.IMPLICIT ? "implicit TLS" : "STARTTLS")
                    + ", certificate and host name checked), EHLO, AUTH " + as.mechanism().map(Mechanism::wireName).orElse("none")
                    + " as " + as.account() + " …");
                SmtpConnector.ConnectResult r = connector.connect(as, credential);
                return r instanceof SmtpConnector.Connected c ? new TokenConnect.Lease.Open(c.connection())
                    : new TokenConnect.Lease.Refused(((SmtpConnector.Failed) r).failure());
            }, steps);
        }
        if (result instanceof TokenConnect.NoToken noToken) {
            TokenOutcome.Failure f = noToken.failure();
            return Reports.failure(out, noToken.afterRefusal() ? "   token refresh" : "   token", f.kind(), f.detail());
        }
        if (result instanceof TokenConnect.Connected c) {
            out.println("   ok: TLS established" + (route.mechanism().isPresent() ? ", AUTH accepted" : ""));
            out.println("3. QUIT …");
            c.connection().close();
            out.println("   ok: closed, no mail sent");
            return TokenTool.OK;
        }
        // a direct connection is never busy: only the relay's route gates are
        SmtpFailure failure = ((TokenConnect.Failed) result).failure();
        out.println("   failed (" + failure.phase() + (failure.tlsRefused() ? ", TLS" : "") + "): " + failure.detail());
        Reports.explain(out, failure.detail());
        boolean temporary = !failure.tlsRefused() && (failure.reply().code() < 0 || failure.reply().statusClass() == 4);
        return temporary ? TokenTool.TEMPORARY : TokenTool.FAILED;
    }

    private Route route() throws IOException {
        Path asFile = Path.of(target);
        if (routes == null || Files.isRegularFile(asFile)) {
            if (host == null) {
                throw new IllegalArgumentException("give --host (and --user) for a token file, or --routes for a sender");
            }
            Path abs = asFile.toAbsolutePath().normalize();
            String account;
            try {
                account = user != null ? user : TokenFile.read(abs).user().orElse(abs.getFileName().toString());
            } catch (IOException e) {
                throw new IllegalArgumentException(target + " cannot be read: " + e.getClass().getSimpleName());
            }
            TlsMode tls = implicitTls ? TlsMode.IMPLICIT : TlsMode.STARTTLS;
            if (!mechanism.usesToken()) {
                throw new IllegalArgumentException("--mechanism must be XOAUTH2 or OAUTHBEARER for a token file");
            }
            return new Route("command line", host, port != null ? port : tls.defaultPort(), tls, Optional.ofNullable(helo),
                Optional.of(account), Optional.of(abs.toString()), Optional.empty(), Optional.of(mechanism),
                SendingLimits.UNLIMITED, "command line");
        }
        String text;
        try {
            text = Files.readString(routes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(routes + " cannot be read: " + e.getClass().getSimpleName());
        }
        SmartHostsParser.Result parsed = SmartHostsParser.parse(text, routes.toString());
        parsed.problems().forEach(p -> tool.err.println("warning: " + p));
        Route r = RouteTable.of(parsed.routes()).lookup(target).orElseThrow(() ->
            new IllegalArgumentException("no route in " + routes + " for " + target));
        tool.out.println("route for " + target + ": " + r.key() + " (" + r.origin() + ") → " + r.smarthost() + " as " + r.account());
        return r;
    }

    private SmtpSettings settings() {
        SmtpSettings s = SmtpSettings.defaults();
        if (helo != null) {
            s = s.withDefaultHelo(helo);
        }
        if (trustStore != null) {
            Optional<Secret> password = Optional.empty();
            if (trustStorePasswordFile != null) {
                try {
                    password = Optional.of(Secret.of(Files.readString(trustStorePasswordFile, StandardCharsets.UTF_8).strip()));
                } catch (IOException e) {
                    throw new IllegalArgumentException(trustStorePasswordFile + " cannot be read: " + e.getClass().getSimpleName());
                }
            }
            s = s.withTrustStore(trustStore, password, trustStoreType);
        }
        return s;
    }
}
