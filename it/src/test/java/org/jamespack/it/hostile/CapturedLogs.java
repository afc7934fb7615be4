package org.jamespack.it.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;

import net.jcip.annotations.ThreadSafe;

/**
 * Every log event of the JVM while a test class runs, as an operator would read it (message,
 * MDC, stack trace): an appender on the root logger, with the pack's loggers at TRACE and
 * James' at INFO for the duration, and {@code java.util.logging} (UnboundID, the JDK's HTTP
 * client) bridged into it when {@code jul-to-slf4j} is on the classpath.
 *
 * <p>Thread-safe: events arrive from James' and the backends' threads.
 */
@ThreadSafe
public final class CapturedLogs implements BeforeAllCallback, AfterAllCallback {

    private static final String[][] LEVELS = {{"org.jamespack", "TRACE"}, {"org.apache.james", "INFO"}, {Logger.ROOT_LOGGER_NAME, "INFO"}};

    private final Capture appender = new Capture();
    private final List<Level> previous = new ArrayList<>();
    private final List<ch.qos.logback.core.Appender<ILoggingEvent>> detached = new ArrayList<>();
    private String testClass = "unknown";

    @Override
    public void beforeAll(ExtensionContext context) {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        appender.setContext(logback);
        appender.setName("hostile-capture");
        appender.start();
        previous.clear();
        for (String[] l : LEVELS) {
            Logger logger = logback.getLogger(l[0]);
            previous.add(logger.getLevel());
            logger.setLevel(Level.toLevel(l[1]));
        }
        Logger root = logback.getLogger(Logger.ROOT_LOGGER_NAME);
        // the console would print thousands of lines per class; the whole capture is written to a file instead
        detached.clear();
        root.iteratorForAppenders().forEachRemaining(detached::add);
        detached.forEach(root::detachAppender);
        root.addAppender(appender);
        bridgeJavaUtilLogging();
        testClass = context.getRequiredTestClass().getSimpleName();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logback.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        detached.forEach(root::addAppender);
        write(java.nio.file.Path.of("target", "hostile-logs", testClass + ".log"));
        for (int i = 0; i < LEVELS.length && i < previous.size(); i++) {
            logback.getLogger(LEVELS[i][0]).setLevel(previous.get(i));
        }
        appender.stop();
    }

    /** All lines captured so far, one string per event. */
    public List<String> lines() {
        synchronized (appender.lines) {
            return List.copyOf(appender.lines);
        }
    }

    public int size() {
        synchronized (appender.lines) {
            return appender.lines.size();
        }
    }

    /** Writes the capture for a reader (it holds no corpus password: the suite asserts it). */
    private void write(java.nio.file.Path file) {
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, lines(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            System.err.println("cannot write " + file + ": " + e);
        }
    }

    private static void bridgeJavaUtilLogging() {
        try {
            Class<?> bridge = Class.forName("org.slf4j.bridge.SLF4JBridgeHandler");
            if (!(Boolean) bridge.getMethod("isInstalled").invoke(null)) {
                bridge.getMethod("removeHandlersForRootLogger").invoke(null);
                bridge.getMethod("install").invoke(null);
            }
        } catch (ReflectiveOperationException e) {
            // not on the classpath: JUL output then goes to stderr, which no corpus password reaches either
        }
    }

    /** Keeps the formatted event; thread-safe through the list's lock. */
    @ThreadSafe
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        private final List<String> lines = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            StringBuilder s = new StringBuilder().append(e.getLevel()).append(" [").append(e.getThreadName()).append("] ").append(e.getLoggerName()).append(" - ")
                .append(e.getFormattedMessage());
            Map<String, String> mdc = e.getMDCPropertyMap();
            if (mdc != null && !mdc.isEmpty()) {
                s.append(" mdc=").append(mdc);
            }
            if (e.getThrowableProxy() != null) {
                s.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
            synchronized (lines) {
                lines.add(s.toString());
            }
        }
    }
}
