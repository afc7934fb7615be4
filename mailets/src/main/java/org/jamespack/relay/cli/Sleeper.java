package org.jamespack.relay.cli;

import java.time.Duration;

/** Waits between polls; a seam so that tests of RFC 8628 polling need not sleep. Implementations are thread-safe. */
@FunctionalInterface
interface Sleeper {

    Sleeper REAL = d -> Thread.sleep(Math.max(0, d.toMillis()));

    void sleep(Duration d) throws InterruptedException;
}
