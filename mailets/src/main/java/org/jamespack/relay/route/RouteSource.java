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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * The current route table: inline routes (from the mailet configuration) plus those of route files (an exim
 * smart-hosts file, Postfix's relayhost and SASL password maps), re-read when a file's modification time or size
 * changes. Thread-safe: the table is swapped atomically, and at most one thread re-reads the files at a time.
 *
 * <p>The files are polled (at most once per {@code pollInterval}) rather than watched: WatchService
 * misses changes made through symlinks and on network file systems, and a poll per interval costs
 * one {@code stat} per file. Each bad line is logged at ERROR once per load (with file, line and key); the
 * good lines load. If a file disappears or cannot be read, the last good routes of its set stay in use.
 * Inline routes win over file routes with the same key, and an earlier set of files over a later one.
 */
@ThreadSafe
public final class RouteSource {

    private static final Logger LOGGER = LoggerFactory.getLogger(RouteSource.class);

    /** One set of files and what was last loaded from it. */
    private static final class Loaded {
        final RouteFiles files;
        @GuardedBy("RouteSource.this")
        List<Optional<FileTime>> times = List.of();
        @GuardedBy("RouteSource.this")
        List<Long> sizes = List.of();
        @GuardedBy("RouteSource.this")
        boolean readable;
        @GuardedBy("RouteSource.this")
        List<Route> routes = List.of();
        @GuardedBy("RouteSource.this")
        List<RouteProblem> problems = List.of();

        Loaded(RouteFiles files) {
            this.files = files;
        }
    }

    private final List<Route> inline;
    private final List<Loaded> sources;
    private final Duration pollInterval;
    private final Clock clock;

    private volatile RouteTable table;
    @GuardedBy("this")
    private Instant lastPoll = Instant.MIN;

    /** Inline routes and an optional exim smart-hosts file. */
    public RouteSource(List<Route> inline, Optional<Path> file, Duration pollInterval, Clock clock) {
        this(inline, file.map(RouteFiles::eximSmartHosts).stream().toList(), pollInterval, clock);
    }

    /** Inline routes and sets of route files, the earlier set winning for a key that two sets give. */
    public RouteSource(List<Route> inline, List<RouteFiles> files, Duration pollInterval, Clock clock) {
        this.inline = List.copyOf(inline);
        this.sources = files.stream().map(Loaded::new).toList();
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.table = RouteTable.of(inline);
        synchronized (this) {
            boolean changed = false;
            for (Loaded l : sources) {
                changed |= reload(l, true);
            }
            if (changed) {
                merge();
            }
        }
    }

    /** The table to use now, after re-reading the files if they changed since the last poll. */
    public RouteTable current() {
        if (!sources.isEmpty()) {
            pollIfDue();
        }
        return table;
    }

    /** Problems of the last load of the files (empty without files). */
    public synchronized List<RouteProblem> problems() {
        List<RouteProblem> out = new ArrayList<>();
        sources.forEach(l -> out.addAll(l.problems));
        return List.copyOf(out);
    }

    private synchronized void pollIfDue() {
        Instant now = clock.instant();
        if (lastPoll != Instant.MIN && now.isBefore(lastPoll.plus(pollInterval))) {
            return;
        }
        lastPoll = now;
        boolean changed = false;
        for (Loaded l : sources) {
            changed |= reload(l, false);
        }
        if (changed) {
            merge();
        }
    }

    /** Reads {@code l}'s files again if any changed; whether its routes changed. */
    @GuardedBy("this")
    private boolean reload(Loaded l, boolean first) {
        List<Path> paths = l.files.paths();
        List<Optional<FileTime>> times = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (Path path : paths) {
            try {
                times.add(Optional.of(Files.getLastModifiedTime(path)));
                sizes.add(Files.size(path));
            } catch (IOException e) {
                if (first || l.readable) {
                    LOGGER.error("{}: {} cannot be read ({}); keeping the {} routes in use", l.files.describe(), path, e.toString(),
                        table.size());
                }
                l.readable = false;
                return false;
            }
        }
        if (l.readable && times.equals(l.times) && sizes.equals(l.sizes)) {
            return false;
        }
        List<String> texts = new ArrayList<>();
        for (Path path : paths) {
            try {
                texts.add(Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                LOGGER.error("{}: {} cannot be read ({}); keeping the {} routes in use", l.files.describe(), path, e.toString(),
                    table.size());
                return false;
            }
        }
        SmartHostsParser.Result result = l.files.parse(texts);
        for (RouteProblem p : result.problems()) {
            LOGGER.error("{}: {} (line skipped)", l.files.describe(), p);
        }
        l.times = List.copyOf(times);
        l.sizes = List.copyOf(sizes);
        l.readable = true;
        l.routes = result.routes();
        l.problems = result.problems();
        LOGGER.info("{} loaded: {} routes, {} bad lines", l.files.describe(), result.routes().size(), result.problems().size());
        return true;
    }

    @GuardedBy("this")
    private void merge() {
        Map<String, String> given = new HashMap<>();
        inline.forEach(r -> given.put(r.key(), "inline"));
        List<Route> merged = new ArrayList<>(inline);
        for (Loaded l : sources) {
            for (Route r : l.routes) {
                String earlier = given.putIfAbsent(r.key(), l.files.describe());
                if (earlier == null) {
                    merged.add(r);
                } else {
                    LOGGER.warn("{}: route '{}' ({}) is also given {}; that one is used", l.files.describe(), r.key(), r.origin(),
                        earlier.equals("inline") ? "inline" : "in the " + earlier);
                }
            }
        }
        table = RouteTable.of(merged);
    }
}
