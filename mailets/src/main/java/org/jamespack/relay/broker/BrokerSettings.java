package org.jamespack.relay.broker;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;

/**
 * The credential broker's settings, read from its {@code <broker>} element (keys and defaults
 * in the {@linkplain org.jamespack.relay.broker package} table). Immutable and thread-safe.
 *
 * @param socket          path of the UNIX socket; its parent directory must be owned by the broker's user or root and
 *                        not group- or world-writable (see {@code SocketFiles#checkDirectory})
 * @param mode            permissions of the socket file (connecting needs write permission)
 * @param group           group of the socket file, or empty to keep the process' group
 * @param threads         workers answering requests at once
 * @param queue           accepted connections that may wait for a worker; beyond, a connection is closed at once
 * @param readTimeout     time a client has to send its whole request
 * @param requestQuiet    pause after which a request with neither newline nor half-close counts as complete
 * @param maxRequestBytes longest request line accepted, in bytes
 * @param refusal         what a refused client reads
 * @param accounts        the accounts served, each with its allowed local users
 */
@Immutable
public record BrokerSettings(Path socket, Set<PosixFilePermission> mode, Optional<GroupPrincipal> group, int threads,
                             int queue, Duration readTimeout, Duration requestQuiet, int maxRequestBytes,
                             RefusalReply refusal, List<AccountPolicy> accounts) {

    public static final String SOCKET = "socket";
    public static final String MODE = "mode";
    public static final String GROUP = "group";
    public static final String THREADS = "threads";
    public static final String QUEUE = "queue";
    public static final String READ_TIMEOUT = "read-timeout";
    public static final String REQUEST_QUIET = "request-quiet";
    public static final String MAX_REQUEST = "max-request";
    public static final String REFUSAL = "refusal";
    public static final String ACCOUNT = "account";
    public static final String ACCOUNT_NAME = "name";
    public static final String ACCOUNT_ALLOW = "allow";

    public static final String DEFAULT_MODE = "0660";
    public static final int DEFAULT_THREADS = 4;
    public static final int DEFAULT_QUEUE = 16;
    /** Below exim's own default readsocket time-out of 5 s, so that a stuck request fails on our side first. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_QUIET = Duration.ofMillis(200);
    public static final int DEFAULT_MAX_REQUEST = 512;

    public BrokerSettings {
        Objects.requireNonNull(socket, "socket");
        mode = Set.copyOf(mode);
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(requestQuiet, "requestQuiet");
        Objects.requireNonNull(refusal, "refusal");
        accounts = List.copyOf(accounts);
        if (threads < 1 || queue < 0 || maxRequestBytes < 16) {
            throw new IllegalArgumentException("threads >= 1, queue >= 0 and max-request >= 16 are required");
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || requestQuiet.isNegative() || requestQuiet.isZero()) {
            throw new IllegalArgumentException("read-timeout and request-quiet must be positive");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (AccountPolicy a : accounts) {
            if (!seen.add(a.key())) {
                throw new IllegalArgumentException("account " + a.account() + " is listed twice");
            }
        }
    }

    /** A copy serving {@code accounts} instead. */
    public BrokerSettings withAccounts(List<AccountPolicy> accounts) {
        return new BrokerSettings(socket, mode, group, threads, queue, readTimeout, requestQuiet, maxRequestBytes, refusal,
            accounts);
    }

    /** What a refused client reads before the broker closes the connection. */
    public enum RefusalReply {
        /**
         * Nothing: the connection is closed without a byte. exim's {@code ${readsocket}} then
         * yields an empty string, which its plaintext authenticator sends as an empty SASL
         * response: the smarthost answers 535/501, an AUTH failure, never a made-up credential.
         */
        EMPTY,
        /**
         * One line {@code ERROR <code>}: for clients that read it (the pack's own broker client, a
         * script). Not for exim, which would base64-encode the line and send it as the XOAUTH2
         * response.
         */
        LINE
    }

    /**
     * Reads the {@code <broker>} element; every problem is recorded on {@code node.problems()}
     * with file, line and key, and the result is only meaningful when there were none.
     */
    public static BrokerSettings fromConfig(ConfigNode node) {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        String socketText = node.requiredString(SOCKET);
        Path socket = Path.of(socketText.isEmpty() ? "unset.sock" : socketText);
        Set<PosixFilePermission> mode = node.parsed(MODE, BrokerSettings::parseMode).orElse(parseMode(DEFAULT_MODE));
        Optional<GroupPrincipal> group = node.parsed(GROUP, name -> lookupGroup(lookup, name));
        int threads = node.integer(THREADS, DEFAULT_THREADS, 1, 64);
        int queue = node.integer(QUEUE, DEFAULT_QUEUE, 0, 1024);
        Duration readTimeout = node.duration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT, Duration.ofMillis(1));
        Duration requestQuiet = node.duration(REQUEST_QUIET, DEFAULT_REQUEST_QUIET, Duration.ofMillis(1));
        int maxRequest = node.integer(MAX_REQUEST, DEFAULT_MAX_REQUEST, 16, 4096);
        RefusalReply refusal = node.choice(REFUSAL, RefusalReply.EMPTY,
            Map.of("empty", RefusalReply.EMPTY, "line", RefusalReply.LINE));

        List<AccountPolicy> accounts = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        List<ConfigNode> accountNodes = node.children(ACCOUNT);
        if (accountNodes.isEmpty()) {
            node.problem(ACCOUNT, "at least one <account name=\"user@domain\" allow=\"user,uid\"/> is required");
        }
        for (ConfigNode a : accountNodes) {
            String name = a.requiredString(ACCOUNT_NAME);
            if (!name.isEmpty() && !BrokerProtocol.isAccountName(name)) {
                a.problem(ACCOUNT_NAME, "'" + name + "' is not an account name (printable ASCII, no spaces, up to "
                    + BrokerProtocol.MAX_ACCOUNT_LENGTH + " characters)");
                name = "";
            }
            if (!name.isEmpty()) {
                String first = seen.putIfAbsent(AccountPolicy.key(name), a.location());
                if (first != null) {
                    a.problem(ACCOUNT_NAME, "'" + name + "' is already configured at " + first);
                    name = "";
                }
            }
            Set<UserPrincipal> allowed = new LinkedHashSet<>();
            List<String> allowList = a.list(ACCOUNT_ALLOW);
            if (allowList.isEmpty()) {
                a.problem(ACCOUNT_ALLOW, "is required: the local users or uids that may ask for this token");
            }
            for (String entry : allowList) {
                try {
                    allowed.add(lookupUser(lookup, entry));
                } catch (IllegalArgumentException e) {
                    a.problem(ACCOUNT_ALLOW, "'" + entry + "': " + e.getMessage());
                }
            }
            if (!name.isEmpty() && !allowed.isEmpty()) {
                accounts.add(new AccountPolicy(name, allowed, a.location()));
            }
        }
        node.reportUnread();
        return new BrokerSettings(socket, mode, group, threads, queue, readTimeout, requestQuiet, maxRequest, refusal,
            accounts);
    }

    /** {@code 0660}, {@code 660}: three or four octal digits, no set-id or sticky bits. */
    static Set<PosixFilePermission> parseMode(String text) {
        if (!text.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("not an octal file mode such as 0660");
        }
        int bits = Integer.parseInt(text, 8);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                mode.add(order[i]);
            }
        }
        return mode;
    }

    private static UserPrincipal lookupUser(UserPrincipalLookupService lookup, String entry) {
        // "OWNER@", "GROUP@", "EVERYONE@" are the JDK's ACL specials, not local users
        if (entry.isEmpty() || entry.contains("@") || entry.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not a local user name or uid");
        }
        try {
            return lookup.lookupPrincipalByName(entry);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("no such local user (and not a number)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look the user up: " + e.getMessage(), e);
        }
    }

    private static GroupPrincipal lookupGroup(UserPrincipalLookupService lookup, String name) {
        try {
            return lookup.lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("no such local group (and not a number)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look the group up: " + e.getMessage(), e);
        }
    }
}
