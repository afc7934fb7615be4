package org.apache.james.imap.fake;

import java.util.function.Supplier;

/**
 * Stands in for a James IMAP processor frame (its package is what the pack's protocol detection
 * looks for), so that the cost of a detection can be measured without a server.
 */
public final class FakeImapProcessor {

    private FakeImapProcessor() {
    }

    /** Calls {@code check} {@code depth} frames below a frame of this IMAP-looking class. */
    public static <T> T login(int depth, Supplier<T> check) {
        return depth == 0 ? check.get() : login(depth - 1, check);
    }
}
