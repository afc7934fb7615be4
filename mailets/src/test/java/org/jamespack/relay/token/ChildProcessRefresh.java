package org.jamespack.relay.token;

import java.nio.file.Path;

/**
 * The "other process" of {@link CrossProcessRefreshTest}: a second JVM that refreshes the same
 * token file through its own {@link RefreshingTokenSource} and prints the token it got (a test
 * token, not a secret).
 */
public final class ChildProcessRefresh {

    private ChildProcessRefresh() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        TokenSource source = TokenFileBinding.plain(PathDefaults.standard()).open("child@example.org", "child", file);
        TokenOutcome outcome = source.token(false);
        if (outcome instanceof TokenOutcome.Token t) {
            System.out.println("TOKEN " + t.accessToken().reveal());
        } else {
            System.out.println("FAILED " + outcome);
        }
        System.out.println("STATUS " + source.status().lastFailure().orElse("none"));
    }
}
