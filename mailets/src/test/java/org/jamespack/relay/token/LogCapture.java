package org.jamespack.relay.token;

import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;

/** Captures every log event of the pack (all levels) to check that no secret is logged. */
final class LogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.jamespack");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level before;

    LogCapture() {
        before = logger.getLevel();
        logger.setLevel(Level.TRACE);
        appender.start();
        logger.addAppender(appender);
    }

    /** Every message, formatted, with its throwable chain's messages. */
    String text() {
        List<ILoggingEvent> events = List.copyOf(appender.list);
        return events.stream().map(e -> e.getFormattedMessage() + throwable(e.getThrowableProxy()))
            .collect(Collectors.joining("\n"));
    }

    private static String throwable(IThrowableProxy t) {
        StringBuilder b = new StringBuilder();
        for (IThrowableProxy p = t; p != null; p = p.getCause()) {
            b.append(" | ").append(p.getClassName()).append(": ").append(p.getMessage());
        }
        return b.toString();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(before);
    }
}
