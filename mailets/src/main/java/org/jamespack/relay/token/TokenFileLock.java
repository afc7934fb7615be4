package org.jamespack.relay.token;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.NotThreadSafe;

/**
 * An exclusive {@link FileLock} on {@code <file>.lock}, beside the token file (locking the
 * token file itself would not survive its atomic replacement). When the lock file cannot
 * be created (read-only directory) the refresh goes on unlocked, as sasl-xoauth2 does. Not thread-safe:
 * one refresh holds it, under the file's {@link #inJvm} lock.
 */
@NotThreadSafe
final class TokenFileLock implements AutoCloseable {

    /** The token source's logger: lock trouble is part of its refresh, for operators. */
    private static final Logger LOG = LoggerFactory.getLogger(RefreshingTokenSource.class);

    /**
     * One lock per token file for the whole JVM, the one mutable static of the token sources, and on purpose:
     * {@link FileLock}s belong to the JVM, not to an object, so two sources on the same file in this JVM (two relay
     * mailets, or a relay and a broker naming the same file) would get an {@code OverlappingFileLockException}
     * instead of waiting, whichever registry or relay owned the map. Entries are one per path and never removed (a
     * handful of files per server); nothing in them needs closing.
     */
    private static final ConcurrentMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final @Nullable FileChannel channel;
    private final @Nullable FileLock lock;

    private TokenFileLock(@Nullable FileChannel channel, @Nullable FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock that orders the threads of this JVM on {@code file} (an absolute, normalised path). */
    static ReentrantLock inJvm(Path file) {
        return IN_JVM.computeIfAbsent(file, p -> new ReentrantLock());
    }

    static TokenFileLock acquire(Path tokenFile) {
        Path lockFile = tokenFile.resolveSibling(tokenFile.getFileName() + ".lock");
        FileChannel ch = null;
        try {
            // one open, never following a link: a link planted as the lock file would otherwise have a file created (as
            // James' user, perhaps root) wherever it points; the mode applies only when the file is created here
            java.nio.file.attribute.FileAttribute<?>[] attrs = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new java.nio.file.attribute.FileAttribute<?>[0];
            ch = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), attrs);
            return new TokenFileLock(ch, ch.lock());
        } catch (NoSuchFileException e) {
            closeQuietly(ch);
            return new TokenFileLock(null, null);
        } catch (IOException e) {
            LOG.warn("cannot lock {}: {}; refreshing without a cross-process lock", lockFile, e.toString());
            closeQuietly(ch);
            return new TokenFileLock(null, null);
        }
    }

    private static void closeQuietly(@Nullable FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing a channel we failed to lock: nothing left to release
            }
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.warn("cannot release a token file lock: {}", e.toString());
        } finally {
            closeQuietly(channel);
        }
    }
}
