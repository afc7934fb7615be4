package org.jamespack.relay.broker;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Test helpers: a token source with a fixed answer, XML parsing, log capture. */
final class BrokerFixtures {

    private BrokerFixtures() {
    }

    /** A token source answering what {@code answer} supplies and counting the calls. */
    static final class FixedTokenSource implements TokenSource {
        final String account;
        final Supplier<TokenOutcome> answer;
        final AtomicInteger calls = new AtomicInteger();

        FixedTokenSource(String account, Supplier<TokenOutcome> answer) {
            this.account = account;
            this.answer = answer;
        }

        static FixedTokenSource serving(String account, String token) {
            return new FixedTokenSource(account,
                () -> new TokenOutcome.Token(org.jamespack.foundation.Secret.of(token), Instant.now().plusSeconds(3600)));
        }

        @Override
        public TokenOutcome token(boolean forceRefresh) {
            calls.incrementAndGet();
            return answer.get();
        }

        @Override
        public String account() {
            return account;
        }
    }

    static ConfigNode parse(String xml, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "broker.xml", problems);
    }

    /** Captures what the broker logs, formatted, until {@link #close()}. */
    static final class CapturedLog implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger(CredentialBroker.class);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        CapturedLog() {
            appender.start();
            logger.addAppender(appender);
        }

        /** Every line, formatted, with any throwable's message. */
        List<String> lines() {
            synchronized (appender) {
                return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()))
                    .toList();
            }
        }

        String all() {
            return String.join("\n", lines());
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }
}
