package org.jamespack.it.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import net.jcip.annotations.ThreadSafe;

/**
 * Watches the Netty I/O threads of the James running in this JVM while a brute force goes on,
 * and records every sample in which one of them waits inside the pack's code (a sleep or a timed
 * park below an {@code org.jamespack} frame). Thread-safe.
 *
 * <p>Why: a failure delay slept on an I/O thread (the bug this guards against) holds every other
 * connection pinned to that thread, alice's among them. Asserting alice's answer time instead
 * asserts the machine's speed: on a loaded 2-core machine a correct server answered her in just
 * over a second. The mechanism is what the test means, and a sampled stack shows it whatever the
 * load: with the bug, the I/O threads spend most of the window in the delay, so hundreds of
 * samples catch it; without it, none can.
 */
@ThreadSafe
final class IoThreadWatch implements AutoCloseable {
    private final String threadNamePrefix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong samples = new AtomicLong();
    private final Set<String> threadsSeen = ConcurrentHashMap.newKeySet();
    private final List<String> waitsInPackCode = Collections.synchronizedList(new ArrayList<>());
    private final Thread sampler;

    private IoThreadWatch(String threadNamePrefix) {
        this.threadNamePrefix = threadNamePrefix;
        this.sampler = new Thread(this::sampleLoop, "io-thread-watch");
        sampler.setDaemon(true);
    }

    /** Starts sampling the threads whose names start with {@code threadNamePrefix} (James: {@code smtpserver-global-io}, {@code pop3server-io}). */
    static IoThreadWatch start(String threadNamePrefix) {
        IoThreadWatch watch = new IoThreadWatch(threadNamePrefix);
        watch.sampler.start();
        return watch;
    }

    private void sampleLoop() {
        while (running.get()) {
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                String name = e.getKey().getName();
                if (!name.startsWith(threadNamePrefix)) {
                    continue;
                }
                threadsSeen.add(name);
                if (waitsInPackCode(e.getValue())) {
                    waitsInPackCode.add(name + ": " + describe(e.getValue()));
                }
            }
            samples.incrementAndGet();
            try {
                Thread.sleep(5);
            } catch (InterruptedException interrupted) {
                return;
            }
        }
    }

    /**
     * A sleep or a timed park (a delay being waited out) whose first frame outside the JDK is the
     * pack's. Backend calls and James' own blocking calls (its PASS handler creates the INBOX with
     * a blocking call, by James' design) wait below a library's frame, or without a time limit,
     * and are not delays.
     */
    private static boolean waitsInPackCode(StackTraceElement[] stack) {
        if (stack.length < 2) {
            return false;
        }
        String top = stack[0].getClassName() + "." + stack[0].getMethodName();
        boolean sleep = top.startsWith("java.lang.Thread.sleep");
        boolean timedPark = top.equals("jdk.internal.misc.Unsafe.park")
            && stack[1].getClassName().equals("java.util.concurrent.locks.LockSupport")
            && (stack[1].getMethodName().equals("parkNanos") || stack[1].getMethodName().equals("parkUntil"));
        if (!sleep && !timedPark) {
            return false;
        }
        for (StackTraceElement frame : stack) {
            String cls = frame.getClassName();
            if (!cls.startsWith("java.") && !cls.startsWith("jdk.") && !cls.startsWith("sun.")) {
                return cls.startsWith("org.jamespack.");
            }
        }
        return false;
    }

    /** The frames from the top down to the first pack frame: what the thread waited on, and where. */
    private static String describe(StackTraceElement[] stack) {
        StringBuilder out = new StringBuilder();
        for (StackTraceElement frame : stack) {
            out.append(frame.getClassName()).append('.').append(frame.getMethodName()).append(" < ");
            if (frame.getClassName().startsWith("org.jamespack.")) {
                break;
            }
        }
        return out.toString();
    }

    long samples() {
        return samples.get();
    }

    Set<String> threadsSeen() {
        return Set.copyOf(threadsSeen);
    }

    /** Each sample in which an I/O thread waited in the pack's code: thread name and top frame. */
    List<String> waitsInPackCode() {
        synchronized (waitsInPackCode) {
            return List.copyOf(waitsInPackCode);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        sampler.join(5_000);
    }
}
