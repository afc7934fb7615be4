/**
 * Plain-language advice for the failures an operator of the XOAUTH2 relay meets: token endpoint answers, smarthost
 * replies, the JSON of a {@code 334} error challenge, TLS and network errors. One table
 * ({@link org.jamespack.relay.diagnosis.Diagnosis}) serves the {@code token test} command, the relay's log lines, its
 * health check and its WebAdmin route report, so that each says the same thing about the same reply.
 */
@NullMarked
package org.jamespack.relay.diagnosis;

import org.jspecify.annotations.NullMarked;
