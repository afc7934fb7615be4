package org.jamespack.relay.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;

/** Runs the tool with captured standard output and error. */
final class ToolRun {

    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final TokenTool tool;

    ToolRun(InputStream in, Clock clock, Sleeper sleeper, boolean live) {
        tool = new TokenTool(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8), in, clock, ZoneId.of("Europe/Paris"), sleeper, live);
    }

    ToolRun() {
        this(InputStream.nullInputStream(), Clock.systemUTC(), Sleeper.REAL, false);
    }

    int run(String... args) {
        return tool.execute(args);
    }

    CompletableFuture<Integer> start(String... args) {
        return CompletableFuture.supplyAsync(() -> tool.execute(args));
    }

    String out() {
        synchronized (outBytes) {
            return outBytes.toString(StandardCharsets.UTF_8);
        }
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    String all() {
        return out() + err();
    }
}
