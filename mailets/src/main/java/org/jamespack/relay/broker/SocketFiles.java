package org.jamespack.relay.broker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jdk.net.ExtendedSocketOptions;
import net.jcip.annotations.Immutable;

/**
 * The file-system checks of the credential broker's UNIX socket: the platform gives peer credentials, the socket's
 * directory cannot be taken over by another user, a socket file left behind is stale and not served, and what a
 * socket file is. Stateless and thread-safe.
 */
@Immutable
final class SocketFiles {

    /** The broker's own logger: its messages are the broker's for operators and their logging configuration. */
    private static final Logger LOG = LoggerFactory.getLogger(CredentialBroker.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_ISVTX = 01000;

    private SocketFiles() {
    }

    static void requirePeerCredentials() throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            if (!probe.supportedOptions().contains(ExtendedSocketOptions.SO_PEERCRED)) {
                throw new IOException("this platform gives no peer credentials (SO_PEERCRED) on UNIX sockets; "
                    + "the broker refuses to run without its per-account allow-lists");
            }
        }
    }

    /**
     * The socket directory as sshd's StrictModes judges a key file's path: the directory itself must be owned by this
     * process's user or root and writable by nobody else (group or world: either could replace the socket with their
     * own, and clients would hand their requests to it); every directory above it must be owned by the user or root and,
     * when group- or world-writable, sticky (as {@code /tmp}), so that nobody else can rename the path away.
     */
    static void checkDirectory(Path parent) throws IOException {
        checkDirectory(parent, currentUid());
    }

    static void checkDirectory(Path parent, int uid) throws IOException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(parent, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IOException("the socket directory " + parent + " does not exist", e);
        }
        if (!attributes.isDirectory()) {
            throw new IOException(parent + " is not a directory");
        }
        String perms = PosixFilePermissions.toString(attributes.permissions());
        if (attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the socket directory " + parent + " is world-writable (" + perms
                + "): anyone could replace the socket; use a directory writable only by the broker's user");
        }
        if (attributes.permissions().contains(PosixFilePermission.GROUP_WRITE)) {
            throw new IOException("the socket directory " + parent + " is group-writable (" + perms
                + "): any member of its group could replace the socket; use a directory writable only by the broker's user "
                + "(the socket's own group and mode decide who may connect)");
        }
        Path real = parent.toRealPath();
        for (Path dir = real; dir != null; dir = dir.getParent()) {
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != 0 && owner != uid) {
                throw new IOException("the socket directory " + (dir.equals(real) ? parent : dir + " (above " + parent + ")")
                    + " is owned by uid " + owner + ", neither the broker's user (uid " + uid + ") nor root: its owner could "
                    + "replace the socket");
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0022) != 0 && (mode & S_ISVTX) == 0) {
                throw new IOException("the directory " + dir + " above the socket directory " + parent + " is group- or "
                    + "world-writable without the sticky bit: others could rename the socket directory away");
            }
        }
    }

    /** This process's uid (the broker runs on Linux only: it needs SO_PEERCRED). */
    private static int currentUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    static void checkExisting(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new IOException(socket + " exists and is not a socket; not replacing it");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            live = probe.isConnected();
        } catch (IOException e) {
            // connection refused: nobody listens, the file was left by a broker that died
            live = false;
        }
        if (live) {
            throw new IOException(socket + " is served by a running process (another broker?); not replacing it");
        }
        LOG.info("credential broker: replacing stale socket {}", socket);
    }

    static @Nullable Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    static boolean isSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }
}
