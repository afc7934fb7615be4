package org.jamespack.relay.smtp;

/** Replace the sender {@code original} by the route's account {@code replacement}. Immutable. */
public record SenderRewrite(String original, String replacement) {
}
