package org.jamespack.relay.token;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * A route's {@code oauth=/absolute/path}, looked at again on every use: a UNIX socket there is a
 * credential broker, a regular file a sasl-xoauth2 token file. A path that does not exist yet is
 * taken by its name ({@code .sock} or {@code .socket}: a broker, else a token file) until
 * something appears there. Deciding once, at start, left a route whose broker was not running
 * yet as James started stuck as a broken "token file" until the next restart.
 *
 * <p>Thread-safe: the kind and its source are swapped under this object's monitor; the source
 * of a kind is kept while the path stays that kind, so a token file's cached token and
 * single-flight refresh survive between uses.
 */
@ThreadSafe
final class PathTokenSource implements TokenSource {

    private static final Logger LOG = LoggerFactory.getLogger(PathTokenSource.class);

    /** What the path is used as. */
    enum Kind {
        BROKER_SOCKET("credential broker socket"),
        TOKEN_FILE("sasl-xoauth2 token file");

        private final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private final Path path;
    private final String account;
    private final Function<Kind, TokenSource> open;
    @GuardedBy("this")
    private @Nullable Kind kind;
    @GuardedBy("this")
    private @Nullable TokenSource current;

    /** @param open the source for each kind (called again only when the path changes kind) */
    PathTokenSource(Path path, String account, Function<Kind, TokenSource> open) {
        this.path = Objects.requireNonNull(path, "path");
        this.account = Objects.requireNonNull(account, "account");
        this.open = Objects.requireNonNull(open, "open");
    }

    /** What {@code path} is now. */
    static Kind classify(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.isOther() ? Kind.BROKER_SOCKET : Kind.TOKEN_FILE;
        } catch (NoSuchFileException e) {
            return byName(path);
        } catch (IOException e) {
            // unreadable: the token file source reports why on its own
            return Kind.TOKEN_FILE;
        }
    }

    private static Kind byName(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".sock") || name.endsWith(".socket") ? Kind.BROKER_SOCKET : Kind.TOKEN_FILE;
    }

    /** The source for what the path is now. */
    synchronized TokenSource now() {
        Kind k = classify(path);
        if (k != kind || current == null) {
            if (current != null) {
                LOG.info("oauth={} for {}: now a {} (was a {})", path, account, k.description, Objects.requireNonNull(kind).description);
                current.close();
            } else {
                LOG.info("oauth={} for {}: {}", path, account, k.description);
            }
            current = open.apply(k);
            kind = k;
        }
        return current;
    }

    @Override
    public TokenOutcome token(boolean forceRefresh) {
        return now().token(forceRefresh);
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public java.util.Optional<String> authIdentity() {
        return now().authIdentity();
    }

    @Override
    public TokenStatus status() {
        return now().status();
    }

    @Override
    public boolean refreshIfIdle(Duration maxIdle) {
        return now().refreshIfIdle(maxIdle);
    }

    @Override
    public void reset() {
        now().reset();
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
            current = null;
            kind = null;
        }
    }

    @Override
    public String toString() {
        return "PathTokenSource[" + account + ", " + path + "]";
    }
}
