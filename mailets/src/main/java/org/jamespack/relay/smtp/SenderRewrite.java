package org.jamespack.relay.smtp;

import net.jcip.annotations.Immutable;

/** Replace the sender {@code original} by the route's account {@code replacement}. Immutable. */
@Immutable
public record SenderRewrite(String original, String replacement) {
}
