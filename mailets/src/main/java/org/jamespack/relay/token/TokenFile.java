package org.jamespack.relay.token;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * A sasl-xoauth2 token file, read and written exactly as sasl-xoauth2 does: a JSON object with
 * {@code refresh_token} (required), {@code access_token}, {@code expiry} (seconds since the epoch
 * as a string, {@code "0"} = expired) and optionally {@code user}, {@code client_id},
 * {@code client_secret}, {@code token_endpoint}, {@code proxy}, {@code ca_bundle_file},
 * {@code ca_certs_dir}, {@code refresh_window}. Keys this class does not know are kept as they
 * were and written back, so a file shared with Postfix loses nothing.
 *
 * <p>Immutable and thread-safe: {@link #withTokens} returns a copy. {@link #toString()} names the
 * keys present, never a value (the file holds secrets).
 */
@Immutable
public final class TokenFile {

    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String ACCESS_TOKEN = "access_token";
    public static final String EXPIRY = "expiry";
    public static final String USER = "user";
    public static final String CLIENT_ID = "client_id";
    public static final String CLIENT_SECRET = "client_secret";
    public static final String TOKEN_ENDPOINT = "token_endpoint";
    public static final String PROXY = "proxy";
    public static final String CA_BUNDLE_FILE = "ca_bundle_file";
    public static final String CA_CERTS_DIR = "ca_certs_dir";
    public static final String REFRESH_WINDOW = "refresh_window";

    /** The order sasl-xoauth2's README shows; unknown keys follow, sorted. */
    static final List<String> KEY_ORDER = List.of(ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, TOKEN_ENDPOINT, EXPIRY,
        REFRESH_TOKEN, USER, PROXY, CA_BUNDLE_FILE, CA_CERTS_DIR, REFRESH_WINDOW);

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = java.util.EnumSet.of(PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Raw values, so that a rewrite keeps what it does not understand; never printed. */
    private final Map<String, Object> fields;

    private TokenFile(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * Parses the file's text.
     *
     * @throws IllegalArgumentException when it is not a JSON object, lacks {@code refresh_token}
     *                                  or has a malformed {@code expiry}; the message never quotes
     *                                  the text
     */
    public static TokenFile parse(String json) {
        TokenFile file = new TokenFile(JsonText.parseObject(json, KEY_ORDER));
        if (JsonText.string(file.fields, REFRESH_TOKEN).filter(s -> !s.isEmpty()).isEmpty()) {
            throw new IllegalArgumentException("has no '" + REFRESH_TOKEN + "'");
        }
        file.expiry();
        file.refreshWindow();
        return file;
    }

    /** Reads and parses {@code path}; see {@link #parse(String)}. */
    public static TokenFile read(Path path) throws IOException {
        return parse(Files.readString(path, StandardCharsets.UTF_8));
    }

    public Secret refreshToken() {
        return Secret.of(JsonText.string(fields, REFRESH_TOKEN).orElseThrow());
    }

    /** The access token, absent when missing or empty. */
    public Optional<Secret> accessToken() {
        return JsonText.string(fields, ACCESS_TOKEN).filter(s -> !s.isEmpty()).map(Secret::of);
    }

    /** When the access token expires; {@link Instant#EPOCH} for {@code "0"} or a missing expiry. */
    public Instant expiry() {
        Optional<String> raw = JsonText.string(fields, EXPIRY).map(String::trim).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(raw.get()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + EXPIRY + "' is not a number of seconds since the epoch");
        }
    }

    public Optional<String> user() {
        return nonEmpty(USER);
    }

    public Optional<String> clientId() {
        return nonEmpty(CLIENT_ID);
    }

    /** The client secret; sasl-xoauth2's README writes {@code ""} for public clients (Microsoft). */
    public Optional<Secret> clientSecret() {
        return nonEmpty(CLIENT_SECRET).map(Secret::of);
    }

    public Optional<String> tokenEndpoint() {
        return nonEmpty(TOKEN_ENDPOINT);
    }

    public Optional<String> proxy() {
        return nonEmpty(PROXY);
    }

    public Optional<String> caBundleFile() {
        return nonEmpty(CA_BUNDLE_FILE);
    }

    public Optional<String> caCertsDir() {
        return nonEmpty(CA_CERTS_DIR);
    }

    /** The per-file refresh window (seconds), when set. */
    public Optional<Duration> refreshWindow() {
        return refreshWindow(fields);
    }

    static Optional<Duration> refreshWindow(Map<String, Object> fields) {
        Optional<String> raw = JsonText.string(fields, REFRESH_WINDOW).map(String::trim).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(raw.get())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + REFRESH_WINDOW + "' is not a number of seconds");
        }
    }

    /** The keys present, in file order. */
    public Set<String> keys() {
        return fields.keySet();
    }

    /**
     * A copy with a new access token and expiry; a rotated refresh token replaces the old one,
     * and without one the old refresh token is kept (Microsoft and Google may not return one).
     */
    public TokenFile withTokens(Secret accessToken, Instant expiresAt, Optional<Secret> newRefreshToken) {
        Map<String, Object> copy = new LinkedHashMap<>(fields);
        copy.put(ACCESS_TOKEN, accessToken.reveal());
        copy.put(EXPIRY, Long.toString(expiresAt.getEpochSecond()));
        newRefreshToken.ifPresent(r -> copy.put(REFRESH_TOKEN, r.reveal()));
        return new TokenFile(JsonText.parseObject(JsonText.write(copy), KEY_ORDER));
    }

    /** The file's text, in the shape sasl-xoauth2 reads. */
    public String toJson() {
        return JsonText.write(fields);
    }

    /**
     * Writes this file to {@code path} so that a crash at any point leaves either the old or the
     * new complete file: a temporary file (mode 0600) in the same directory, written and forced
     * to disk, renamed over {@code path}, then the directory forced so the rename survives too.
     *
     * <p>A file that already exists keeps its owner, group and mode: a token file Postfix shares
     * is often {@code 0640} with Postfix's group, and a rewrite that left it {@code 0600} owned by
     * this process would lock Postfix out. The temporary file gets them before the rename; when
     * this process may not give them (another owner, a group it is not in), nothing is replaced
     * and an {@link IOException} says why: the file is never narrowed or handed over silently.
     * The one exception is access for others (world-readable or -writable bits): a file holding a
     * refresh token never keeps it, and the answer says so for the caller to log.
     *
     * @return what was changed about the file's mode and why, when anything was
     *
     * <p>The temporary file is created exclusively ({@code O_CREAT|O_EXCL}, which never follows a
     * symbolic link) and written through the very channel that created it, never reopened by name:
     * whoever else can write the directory cannot swap a link in between and have the refresh
     * token written, or a file truncated, elsewhere.
     */
    public Optional<String> writeAtomically(Path path) throws IOException {
        return writeAtomically(path, () -> Long.toHexString(RANDOM.nextLong()));
    }

    /** Test seam: {@code names} gives the random part of the temporary file's name. */
    Optional<String> writeAtomically(Path path, java.util.function.Supplier<String> names) throws IOException {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        Path temp = null;
        FileChannel ch = null;
        Optional<String> note = Optional.empty();
        for (int attempt = 0; ch == null; attempt++) {
            Path candidate = dir.resolve("." + target.getFileName() + "." + names.get() + ".tmp");
            try {
                ch = FileChannel.open(candidate, options, attrs);
                temp = candidate;
            } catch (FileAlreadyExistsException taken) {
                // a name already in the directory (a file, or a link someone planted) is never reused: pick another
                if (attempt >= 100) {
                    throw new IOException("cannot create a temporary file beside " + target + ": 100 names taken", taken);
                }
            }
        }
        try {
            try (FileChannel open = ch) {
                java.nio.ByteBuffer bytes = StandardCharsets.UTF_8.encode(toJson());
                while (bytes.hasRemaining()) {
                    open.write(bytes);
                }
                open.force(true);
            }
            if (posix) {
                note = keepAttributes(target, temp);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(dir);
        return note;
    }

    /** Gives {@code temp} the owner, group and mode (less access for others) of the existing {@code target}, or refuses. */
    private static Optional<String> keepAttributes(Path target, Path temp) throws IOException {
        PosixFileAttributes was;
        try {
            was = Files.readAttributes(target, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // a new file: owner-only, as created
        }
        Set<PosixFilePermission> mode = java.util.EnumSet.noneOf(PosixFilePermission.class);
        mode.addAll(was.permissions());
        mode.removeAll(OTHERS);
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.owner().equals(was.owner())) {
                view.setOwner(was.owner());
            }
            if (!now.group().equals(was.group())) {
                view.setGroup(was.group());
            }
            view.setPermissions(mode);
        } catch (IOException | SecurityException e) {
            throw new IOException("not rewritten: " + target + " is " + PosixFilePermissions.toString(was.permissions())
                + " " + was.owner().getName() + ":" + was.group().getName() + " and this process ("
                + now.owner().getName() + ") cannot give a new file that owner and group (" + e.getClass().getSimpleName()
                + "); run the relay as " + was.owner().getName() + ", or make the file this process's own and share it"
                + " through a group this process is in");
        }
        if (mode.equals(was.permissions())) {
            return Optional.empty();
        }
        return Optional.of(target + " was " + PosixFilePermissions.toString(was.permissions()) + ", now "
            + PosixFilePermissions.toString(mode) + ": a token file holds a refresh token, others may not read it");
    }

    /** Makes a rename durable: on Linux a directory can be opened and fsync'ed. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory for fsync; the rename is still
            // atomic, only its durability across a power loss is then the file system's.
        }
    }

    /**
     * Whether the file names {@code key}, even with an empty value. As in sasl-xoauth2 0.27 and
     * later, a key the token file names overrides the global {@code sasl-xoauth2.conf} even when
     * empty: {@code "client_secret": ""} is how a public client (Microsoft's) is written, and the
     * global file's secret, typically Google's, must then not be sent.
     */
    public boolean names(String key) {
        return JsonText.string(fields, key).isPresent();
    }

    private Optional<String> nonEmpty(String key) {
        return JsonText.string(fields, key).filter(s -> !s.isEmpty());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenFile other && other.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "TokenFile" + fields.keySet();
    }
}
