package org.jamespack.relay.cli;

import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.jamespack.relay.graph.GraphTokenCheck;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.smtp.TokenConnect;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.Immutable;

/**
 * {@code token test} for a Graph route ({@code transport=graph}): gets the token the way the relay does, then checks
 * that it can call {@code sendMail}. Graph has no call that the {@code Mail.Send} permission alone allows and that
 * sends nothing, so no request goes to Graph: the token's audience and its {@code roles}/{@code scp} claims are read
 * ({@link GraphTokenCheck}), and the output says so. Stateless and thread-safe; prints no token.
 */
@Immutable
final class GraphCheck {

    private GraphCheck() {
    }

    /** Runs the check and returns the exit code. */
    static int run(PrintStream out, Route route, TokenSource source, ZoneId zone) {
        out.println("1. token for " + route.account() + " from " + route.oauth().orElseThrow() + " …");
        TokenOutcome outcome = TokenConnect.token(source, false);
        if (outcome instanceof TokenOutcome.Failure f) {
            return Reports.failure(out, "   token", f.kind(), f.detail());
        }
        TokenOutcome.Token token = (TokenOutcome.Token) outcome;
        out.println("   ok: valid until " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
            .format(token.expiresAt().atZone(zone)));
        out.println("2. is the token fit for Graph's sendMail at " + route.graph().orElseThrow() + " as " + route.account()
            + "? (read from the token: Graph has no harmless call that Mail.Send alone allows, so nothing is sent)");
        GraphTokenCheck.Report report = GraphTokenCheck.check(token.accessToken(), route.graph().orElseThrow());
        for (String line : report.lines()) {
            out.println("   " + (report.state() == GraphTokenCheck.State.FAIL ? "- " : "") + line);
        }
        switch (report.state()) {
            case OK:
                out.println("   ok: audience Graph and Mail.Send; whether the mailbox exists and may send as its senders shows "
                    + "only when mail is sent (404, 403 ErrorSendAsDenied)");
                return TokenTool.OK;
            case UNKNOWN:
                out.println("   cannot tell from the token; the token itself was issued");
                return TokenTool.OK;
            default:
                out.println("   failed: Graph would refuse sendMail with this token");
                return TokenTool.FAILED;
        }
    }
}
