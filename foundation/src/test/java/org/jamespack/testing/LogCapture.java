package org.jamespack.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/**
 * The log events of one logger (and its children) during a test, with their formatted messages and stack traces, so
 * that a test can assert what was written and, above all, that no secret was. Attaching and closing are not
 * thread-safe; events may arrive from any thread, and {@link #events()} takes a consistent copy.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final @Nullable Level previous;
    private final boolean levelChanged;

    /** Captures {@code loggerName} and below, lowering its level to {@code level} until {@link #close}. */
    public LogCapture(String loggerName, Level level) {
        this(loggerName, level, true);
    }

    private LogCapture(String loggerName, @Nullable Level level, boolean changeLevel) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previous = logger.getLevel();
        levelChanged = changeLevel;
        if (changeLevel) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures every logger at the levels the test configuration sets (the root logger's level is left alone). */
    public static LogCapture root() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, null, false);
    }

    /** A copy of the events so far. */
    public List<ILoggingEvent> events() {
        // logback appends under the appender's monitor (AppenderBase.doAppend)
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Every event as "LEVEL message" and its stack trace (with the causes' messages), as an operator would read it. */
    public List<String> lines() {
        return events().stream().map(LogCapture::line).collect(Collectors.toList());
    }

    /** The formatted messages of the events at {@code level} or above. */
    public List<String> lines(Level level) {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
            .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** {@link #lines()} as one text. */
    public String all() {
        return String.join("\n", lines());
    }

    /**
     * Fails when any event (message or stack trace) contains one of {@code secrets}; the failure names the event's
     * level, logger and position and the secret's position in the list, never the secret or the line that holds it,
     * so that the test report does not carry it either.
     */
    public void assertNoSecret(Collection<String> secrets) {
        List<String> secretList = new ArrayList<>(secrets);
        List<ILoggingEvent> events = events();
        for (int i = 0; i < events.size(); i++) {
            String line = line(events.get(i));
            for (int s = 0; s < secretList.size(); s++) {
                String secret = secretList.get(s);
                if (!secret.isEmpty() && line.contains(secret)) {
                    throw new AssertionError("log event #" + i + " (" + events.get(i).getLevel() + " " + events.get(i).getLoggerName()
                        + ") contains secret #" + s + " of " + secretList.size());
                }
            }
        }
    }

    private static String line(ILoggingEvent e) {
        return e.getLevel() + " " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        if (levelChanged) {
            logger.setLevel(previous);
        }
    }
}
