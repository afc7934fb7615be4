package org.jamespack.relay.cli;

import java.io.PrintStream;

import org.jamespack.relay.diagnosis.Diagnosis;
import org.jamespack.relay.token.TokenOutcome;

import net.jcip.annotations.Immutable;

/** How the commands report a failure: what failed, then the advice of {@link Diagnosis}. Stateless and thread-safe. */
@Immutable
final class Reports {

    private Reports() {
    }

    /** Prints {@code detail} (never a secret: the token package's details hold none) and its diagnosis; returns the exit code. */
    static int failure(PrintStream err, String what, TokenOutcome.Kind kind, String detail) {
        err.println(what + " failed: " + detail);
        explain(err, detail);
        return kind == TokenOutcome.Kind.TRANSIENT ? TokenTool.TEMPORARY : TokenTool.FAILED;
    }

    static void explain(PrintStream err, String text) {
        for (Diagnosis d : Diagnosis.explain(text)) {
            err.println("  diagnosis [" + d.code() + "]: " + d.advice());
        }
    }
}
