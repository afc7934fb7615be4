package org.jamespack.relay.route;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * The current route table: inline routes (from the mailet configuration) plus those of an exim
 * smart-hosts file, re-read when the file's modification time or size changes. Thread-safe: the
 * table is swapped atomically, and at most one thread re-reads the file at a time.
 *
 * <p>The file is polled (at most once per {@code pollInterval}) rather than watched: WatchService
 * misses changes made through symlinks and on network file systems, and a poll per interval costs
 * one {@code stat}. Each bad line is logged at ERROR once per load (with file, line and key); the
 * good lines load. If the file disappears or cannot be read, the last good table stays in use.
 * Inline routes win over file routes with the same key.
 */
@ThreadSafe
public final class RouteSource {

    private static final Logger LOGGER = LoggerFactory.getLogger(RouteSource.class);

    private final List<Route> inline;
    private final Optional<Path> file;
    private final Duration pollInterval;
    private final Clock clock;

    private volatile RouteTable table;
    @GuardedBy("this")
    private Instant lastPoll = Instant.MIN;
    @GuardedBy("this")
    private Optional<FileTime> loadedTime = Optional.empty();
    @GuardedBy("this")
    private long loadedSize = -1;
    @GuardedBy("this")
    private List<RouteProblem> lastProblems = List.of();

    public RouteSource(List<Route> inline, Optional<Path> file, Duration pollInterval, Clock clock) {
        this.inline = List.copyOf(inline);
        this.file = file;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.table = RouteTable.of(inline);
        synchronized (this) {
            file.ifPresent(f -> reload(f, true));
        }
    }

    /** The table to use now, after re-reading the file if it changed since the last poll. */
    public RouteTable current() {
        if (file.isPresent()) {
            pollIfDue();
        }
        return table;
    }

    /** Problems of the last load of the file (empty without a file). */
    public synchronized List<RouteProblem> problems() {
        return lastProblems;
    }

    private synchronized void pollIfDue() {
        Instant now = clock.instant();
        if (lastPoll != Instant.MIN && now.isBefore(lastPoll.plus(pollInterval))) {
            return;
        }
        lastPoll = now;
        reload(file.get(), false);
    }

    @GuardedBy("this")
    private void reload(Path path, boolean first) {
        FileTime time;
        long size;
        try {
            time = Files.getLastModifiedTime(path);
            size = Files.size(path);
        } catch (IOException e) {
            if (first || loadedTime.isPresent()) {
                LOGGER.error("smart-hosts file {} cannot be read ({}); keeping the {} routes in use", path, e.toString(),
                    table.size());
            }
            loadedTime = Optional.empty();
            return;
        }
        if (loadedTime.isPresent() && loadedTime.get().equals(time) && loadedSize == size) {
            return;
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOGGER.error("smart-hosts file {} cannot be read ({}); keeping the {} routes in use", path, e.toString(), table.size());
            return;
        }
        SmartHostsParser.Result result = SmartHostsParser.parse(text, path.toString());
        for (RouteProblem p : result.problems()) {
            LOGGER.error("smart-hosts file: {} (line skipped)", p);
        }
        Set<String> inlineKeys = new HashSet<>();
        inline.forEach(r -> inlineKeys.add(r.key()));
        List<Route> merged = new ArrayList<>(inline);
        for (Route r : result.routes()) {
            if (inlineKeys.contains(r.key())) {
                LOGGER.warn("smart-hosts file {}: route '{}' ({}) is also given inline; the inline route is used", path, r.key(),
                    r.origin());
            } else {
                merged.add(r);
            }
        }
        table = RouteTable.of(merged);
        loadedTime = Optional.of(time);
        loadedSize = size;
        lastProblems = result.problems();
        LOGGER.info("smart-hosts file {} loaded: {} routes, {} bad lines", path, result.routes().size(), result.problems().size());
    }
}
