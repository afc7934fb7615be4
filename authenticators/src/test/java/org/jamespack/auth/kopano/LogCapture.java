package org.jamespack.auth.kopano;

import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/**
 * Collects the log events of one logger (and its children) during a test, with the formatted
 * message and any stack trace, so that a test can assert what was, and was not, written.
 * Not thread-safe to attach or detach; events may arrive from any thread.
 */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previous;

    LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previous = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Every event as "LEVEL message\nstack trace", the way an operator would read it. */
    List<String> lines() {
        return events().stream()
            .map(e -> e.getLevel() + " " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
            .collect(Collectors.toList());
    }

    List<String> lines(Level level) {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
            .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    String all() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
    }
}
