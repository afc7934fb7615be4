package org.jamespack.testing;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.atomic.AtomicBoolean;

import net.jcip.annotations.ThreadSafe;

/**
 * A port number that {@link TestPorts} reserved for one caller until {@link #close()}: nothing
 * listens on it yet, and no other caller, in this JVM or another, is given it meanwhile.
 * Thread-safe; closing twice is harmless.
 */
@ThreadSafe
public final class ReservedPort implements AutoCloseable {
    private final int number;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    ReservedPort(int number, FileChannel channel, FileLock lock) {
        this.number = number;
        this.channel = channel;
        this.lock = lock;
    }

    public int number() {
        return number;
    }

    /** Gives the number back; call it after the server on it has stopped. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            TestPorts.release(this, channel, lock);
        }
    }

    @Override
    public String toString() {
        return "ReservedPort[" + number + (closed.get() ? ", released]" : "]");
    }
}
