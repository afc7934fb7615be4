package org.jamespack.auth.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.codec.digest.Crypt;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.jamespack.foundation.Secret;

import net.jcip.annotations.ThreadSafe;

/**
 * Verifies a password against one stored {@code userPassword} value (RFC 2307 / OpenLDAP
 * {@code {SCHEME}value} syntax), locally, for the LDAP verifier's {@code compare} mode.
 *
 * <p>Stateless and thread-safe: every call makes its own digest objects (a digest shared across
 * threads gives wrong answers under load, as UnboundID's in-memory server's own check does).
 * Digests are compared with {@link MessageDigest#isEqual}. A malformed value or an unknown
 * scheme is {@link HashCheck.Outcome#UNSUPPORTED} with the scheme's name, never an exception.
 *
 * <p>Written by hand because no kept library reads the RFC 2307 prefix syntax; the
 * algorithms themselves come from commons-codec ({@code crypt(3)} MD5, SHA-256, SHA-512, DES)
 * and BouncyCastle (bcrypt, PBKDF2, Argon2).
 *
 * <table>
 * <caption>Schemes (names case-insensitive)</caption>
 * <tr><th>scheme</th><th>stored form</th></tr>
 * <tr><td>none, {@code {CLEARTEXT}}</td><td>the password itself</td></tr>
 * <tr><td>{@code {CRYPT}}</td><td>{@code $1$} MD5-crypt, {@code $5$}/{@code $6$} SHA-crypt (with
 *   {@code rounds=}), {@code $2a$}/{@code $2b$}/{@code $2y$} bcrypt, 13-character DES; yescrypt
 *   {@code $y$}, scrypt {@code $7$} and other ids are UNSUPPORTED (no Java implementation)</td></tr>
 * <tr><td>{@code {MD5}}, {@code {SHA}}, {@code {SHA256}}, {@code {SHA512}}</td><td>base64 of the
 *   digest (OpenLDAP); hex of the digest is also accepted (some tools write {@code {MD5}} in hex)</td></tr>
 * <tr><td>{@code {SMD5}}, {@code {SSHA}}, {@code {SSHA256}}, {@code {SSHA512}}</td><td>base64 of
 *   digest(password + salt) + salt; the salt is whatever follows the digest (4 to 16+ bytes)</td></tr>
 * <tr><td>{@code {PBKDF2-SHA256}} (also {@code -SHA1}, {@code -SHA512}, and {@code {PBKDF2}} = SHA-1)</td>
 *   <td>OpenLDAP slapd-contrib {@code pw-pbkdf2} and 389-DS 2.x ({@code pwdchan}) form:
 *   {@code iterations$salt$dk}, salt and dk in "adapted" base64 ({@code .} for {@code +}, no padding)</td></tr>
 * <tr><td>{@code {PBKDF2}$1$...}</td><td>Dovecot's form: {@code $1$salt$iterations$hex(dk)},
 *   PBKDF2-HMAC-SHA1, the salt string used as is (Dovecot 2.3 has no SHA-256 variant)</td></tr>
 * <tr><td>{@code {PBKDF2_SHA256}}</td><td>389-DS 1.4's legacy form: base64 of 4-byte big-endian
 *   iterations, 64-byte salt, 256-byte dk</td></tr>
 * <tr><td>{@code {ARGON2}}</td><td>PHC string {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}
 *   ({@code argon2i}, {@code argon2d} too), as OpenLDAP's {@code argon2} module writes it</td></tr>
 * </table>
 */
@ThreadSafe
public final class PasswordHashes {

    /**
     * A stored value the verifier checks against when the user is unknown, so that an unknown
     * user costs what a wrong password for a {@code {SSHA}} user costs. Its password is random
     * and was thrown away.
     */
    public static final String DUMMY_STORED_VALUE = "{SSHA}K7aWiVrCeZtlZEBtrGr5cHaIFQFVB02K";

    /** SHA-crypt's rounds when a value names none (crypt(3)). */
    private static final int SHA_CRYPT_DEFAULT_ROUNDS = 5_000;

    private PasswordHashes() {
    }

    /**
     * Checks {@code password} against one stored value; never throws for a malformed value.
     *
     * @param storedValue the {@code userPassword} value as stored (with its {@code {SCHEME}} prefix)
     * @param password    the password the client sent
     */
    public static HashCheck check(String storedValue, Secret password) {
        return check(storedValue, password, HashLimits.DEFAULTS);
    }

    /**
     * Checks {@code password} against one stored value within {@code limits}; a value whose cost
     * parameters exceed them is {@link HashCheck.Outcome#OVER_LIMIT} and nothing is computed.
     * Never throws for a malformed value.
     */
    public static HashCheck check(String storedValue, Secret password, HashLimits limits) {
        byte[] pw = password.utf8();
        try {
            return checkBytes(storedValue, pw, limits);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    /**
     * Spends what checking against {@code costModel} spends and discards the result: used for
     * unknown users so that they take as long as a wrong password. {@code costModel} comes from
     * the configuration, never from a stored value: a hostile stored value would otherwise slow
     * every unknown-user login after it.
     */
    public static void dummyCheck(Secret password, String costModel, HashLimits limits) {
        check(costModel, password, limits);
    }

    /** A dummy check against {@link #DUMMY_STORED_VALUE}. */
    public static void dummyCheck(Secret password) {
        dummyCheck(password, DUMMY_STORED_VALUE, HashLimits.DEFAULTS);
    }

    /** The upper-case scheme name of a stored value ({@code CLEARTEXT} when it has none). */
    public static String schemeOf(String storedValue) {
        int close = storedValue.indexOf('}');
        if (!storedValue.startsWith("{") || close < 0) {
            return "CLEARTEXT";
        }
        return storedValue.substring(1, close).toUpperCase(Locale.ROOT);
    }

    private static HashCheck checkBytes(String stored, byte[] pw, HashLimits limits) {
        String scheme = schemeOf(stored);
        String rest = stored.startsWith("{") && stored.indexOf('}') >= 0 ? stored.substring(stored.indexOf('}') + 1) : stored;
        switch (scheme) {
            case "CLEARTEXT":
                return HashCheck.of(MessageDigest.isEqual(rest.getBytes(StandardCharsets.UTF_8), pw), scheme);
            case "CRYPT":
                return crypt(rest, pw, limits);
            case "MD5":
                return unsalted(scheme, "MD5", 16, rest, pw);
            case "SHA":
                return unsalted(scheme, "SHA-1", 20, rest, pw);
            case "SHA256":
                return unsalted(scheme, "SHA-256", 32, rest, pw);
            case "SHA512":
                return unsalted(scheme, "SHA-512", 64, rest, pw);
            case "SMD5":
                return salted(scheme, "MD5", 16, rest, pw);
            case "SSHA":
                return salted(scheme, "SHA-1", 20, rest, pw);
            case "SSHA256":
                return salted(scheme, "SHA-256", 32, rest, pw);
            case "SSHA512":
                return salted(scheme, "SHA-512", 64, rest, pw);
            case "PBKDF2":
                return rest.startsWith("$1$") ? pbkdf2Dovecot(rest, pw, limits)
                    : pbkdf2Ab64(scheme, new SHA1Digest(), rest, pw, limits);
            case "PBKDF2-SHA1":
                return pbkdf2Ab64(scheme, new SHA1Digest(), rest, pw, limits);
            case "PBKDF2-SHA256":
                return pbkdf2Ab64(scheme, new SHA256Digest(), rest, pw, limits);
            case "PBKDF2-SHA512":
                return pbkdf2Ab64(scheme, new SHA512Digest(), rest, pw, limits);
            case "PBKDF2_SHA256":
                return pbkdf2Legacy389(rest, pw, limits);
            case "ARGON2":
                return argon2(rest, pw, limits);
            default:
                return HashCheck.unsupported(scheme);
        }
    }

    private static HashCheck crypt(String value, byte[] pw, HashLimits limits) {
        if (value.startsWith("$1$") || value.startsWith("$5$") || value.startsWith("$6$")) {
            String name = "CRYPT-" + (value.charAt(1) == '1' ? "MD5" : value.charAt(1) == '5' ? "SHA256" : "SHA512");
            if (value.charAt(1) != '1') {
                long rounds = shaCryptRounds(value);
                if (rounds < 0) {
                    return HashCheck.unsupported(name + " (malformed)");
                }
                if (rounds > limits.maxShaCryptRounds()) {
                    return HashCheck.overLimit(name + " rounds " + rounds + " over maxShaCryptRounds " + limits.maxShaCryptRounds());
                }
            }
            return cryptCompare(name, value, pw);
        }
        if (value.startsWith("$2a$") || value.startsWith("$2b$") || value.startsWith("$2y$")) {
            int cost = value.length() >= 7 && value.charAt(6) == '$' ? twoDigits(value, 4) : -1;
            if (cost < 0) {
                return HashCheck.unsupported("CRYPT-BCRYPT (malformed)");
            }
            if (cost > limits.maxBcryptCost()) {
                return HashCheck.overLimit("CRYPT-BCRYPT cost " + cost + " over maxBcryptCost " + limits.maxBcryptCost());
            }
            char[] chars = new String(pw, StandardCharsets.UTF_8).toCharArray();
            try {
                return HashCheck.of(OpenBSDBCrypt.checkPassword(value, chars), "CRYPT-BCRYPT");
            } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
                return HashCheck.unsupported("CRYPT-BCRYPT (malformed)");
            } finally {
                Arrays.fill(chars, '\0');
            }
        }
        if (value.startsWith("$")) {
            int end = value.indexOf('$', 1);
            String id = end > 0 ? value.substring(1, end) : value.substring(1);
            switch (id) {
                case "y":
                    return HashCheck.unsupported("CRYPT-yescrypt (no Java implementation)");
                case "gy":
                    return HashCheck.unsupported("CRYPT-gost-yescrypt (no Java implementation)");
                case "7":
                    return HashCheck.unsupported("CRYPT-scrypt");
                default:
                    return HashCheck.unsupported("CRYPT-$" + id + "$");
            }
        }
        if (value.length() == 13 && value.chars().allMatch(PasswordHashes::isCryptChar)) {
            return cryptCompare("CRYPT-DES", value, pw);
        }
        return HashCheck.unsupported("CRYPT (malformed)");
    }

    /**
     * The rounds of a SHA-crypt value ({@code $5$rounds=N$salt$hash}), the default when it names
     * none, -1 when {@code rounds=} is not a number. A number too long for a long is over any cap.
     */
    private static long shaCryptRounds(String value) {
        String prefix = value.substring(0, 3) + "rounds=";
        if (!value.startsWith(prefix)) {
            return SHA_CRYPT_DEFAULT_ROUNDS;
        }
        int end = value.indexOf('$', prefix.length());
        String digits = end < 0 ? value.substring(prefix.length()) : value.substring(prefix.length(), end);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private static int twoDigits(String value, int at) {
        char a = value.charAt(at);
        char b = value.charAt(at + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            return -1;
        }
        return (a - '0') * 10 + (b - '0');
    }

    private static boolean isCryptChar(int c) {
        return c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static HashCheck cryptCompare(String name, String value, byte[] pw) {
        try {
            String computed = Crypt.crypt(pw, value);
            return HashCheck.of(MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                value.getBytes(StandardCharsets.US_ASCII)), name);
        } catch (IllegalArgumentException e) {
            return HashCheck.unsupported(name + " (malformed)");
        }
    }

    private static HashCheck unsalted(String scheme, String algorithm, int length, String value, byte[] pw) {
        byte[] expected = decodeDigest(value.trim(), length);
        if (expected == null || expected.length != length) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        return HashCheck.of(MessageDigest.isEqual(digest(algorithm).digest(pw), expected), scheme);
    }

    /** Base64 (OpenLDAP) or, when the text is exactly twice the digest length of hex digits, hex. */
    private static byte[] decodeDigest(String value, int length) {
        if (value.length() == 2 * length && value.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(value);
        }
        return base64(value);
    }

    private static HashCheck salted(String scheme, String algorithm, int length, String value, byte[] pw) {
        byte[] decoded = base64(value.trim());
        if (decoded == null || decoded.length <= length) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        MessageDigest md = digest(algorithm);
        md.update(pw);
        md.update(decoded, length, decoded.length - length);
        byte[] computed = md.digest();
        return HashCheck.of(MessageDigest.isEqual(computed, Arrays.copyOf(decoded, length)), scheme);
    }

    private static HashCheck pbkdf2Ab64(String scheme, Digest prf, String value, byte[] pw, HashLimits limits) {
        String[] parts = value.trim().split("\\$", -1);
        if (parts.length != 3) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        Integer iterations = parseIterations(parts[0]);
        byte[] salt = base64(parts[1].replace('.', '+'));
        byte[] dk = base64(parts[2].replace('.', '+'));
        if (iterations == null || salt == null || dk == null || dk.length == 0) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        Optional<HashCheck> over = pbkdf2OverLimit(scheme, prf, iterations, dk.length, limits);
        if (over.isPresent()) {
            return over.get();
        }
        return HashCheck.of(MessageDigest.isEqual(pbkdf2(prf, pw, salt, iterations, dk.length), dk), scheme);
    }

    /**
     * PBKDF2 costs {@code iterations} PRF rounds per output block: a stored value with a long key
     * multiplies the work as surely as one with many iterations, so both count.
     */
    private static Optional<HashCheck> pbkdf2OverLimit(String scheme, Digest prf, long iterations, int length,
                                                       HashLimits limits) {
        if (length > limits.maxPbkdf2Length()) {
            return Optional.of(HashCheck.overLimit(scheme + " key length " + length + " over maxPbkdf2Length "
                + limits.maxPbkdf2Length()));
        }
        long blocks = (length + prf.getDigestSize() - 1) / prf.getDigestSize();
        long work = iterations * blocks;
        if (work > limits.maxPbkdf2Iterations()) {
            return Optional.of(HashCheck.overLimit(scheme + " iterations " + iterations + " x " + blocks
                + " blocks over maxPbkdf2Iterations " + limits.maxPbkdf2Iterations()));
        }
        return Optional.empty();
    }

    private static HashCheck pbkdf2Dovecot(String value, byte[] pw, HashLimits limits) {
        String scheme = "PBKDF2 (Dovecot)";
        String[] parts = value.trim().split("\\$", -1);
        // "", "1", salt, rounds, hex
        if (parts.length != 5 || !parts[0].isEmpty() || !parts[1].equals("1")) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        Integer iterations = parseIterations(parts[3]);
        byte[] dk;
        try {
            dk = HexFormat.of().parseHex(parts[4]);
        } catch (IllegalArgumentException e) {
            dk = null;
        }
        if (iterations == null || dk == null || dk.length == 0) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        Optional<HashCheck> over = pbkdf2OverLimit(scheme, new SHA1Digest(), iterations, dk.length, limits);
        if (over.isPresent()) {
            return over.get();
        }
        byte[] salt = parts[2].getBytes(StandardCharsets.UTF_8);
        return HashCheck.of(MessageDigest.isEqual(pbkdf2(new SHA1Digest(), pw, salt, iterations, dk.length), dk), scheme);
    }

    private static HashCheck pbkdf2Legacy389(String value, byte[] pw, HashLimits limits) {
        String scheme = "PBKDF2_SHA256";
        byte[] blob = base64(value.trim());
        if (blob == null || blob.length <= 4 + 64) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        long iterations = ((blob[0] & 0xffL) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (iterations < 1) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        Optional<HashCheck> over = pbkdf2OverLimit(scheme, new SHA256Digest(), iterations, blob.length - 68, limits);
        if (over.isPresent()) {
            return over.get();
        }
        byte[] salt = Arrays.copyOfRange(blob, 4, 68);
        byte[] dk = Arrays.copyOfRange(blob, 68, blob.length);
        return HashCheck.of(MessageDigest.isEqual(pbkdf2(new SHA256Digest(), pw, salt, (int) iterations, dk.length), dk), scheme);
    }

    private static Integer parseIterations(String text) {
        try {
            int n = Integer.parseInt(text);
            // the cap is applied with the key length (pbkdf2OverLimit); this only refuses nonsense
            return n >= 1 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] pbkdf2(Digest prf, byte[] pw, byte[] salt, int iterations, int length) {
        PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(prf);
        generator.init(pw, salt, iterations);
        return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
    }

    private static HashCheck argon2(String value, byte[] pw, HashLimits limits) {
        String[] parts = value.trim().split("\\$", -1);
        // "", type, [v=..], params, salt, hash
        if (parts.length < 5 || !parts[0].isEmpty()) {
            return HashCheck.unsupported("ARGON2 (malformed)");
        }
        int type;
        switch (parts[1]) {
            case "argon2id": type = Argon2Parameters.ARGON2_id; break;
            case "argon2i": type = Argon2Parameters.ARGON2_i; break;
            case "argon2d": type = Argon2Parameters.ARGON2_d; break;
            default: return HashCheck.unsupported("ARGON2 (" + parts[1] + ")");
        }
        String scheme = "ARGON2-" + parts[1].substring("argon2".length()).toUpperCase(Locale.ROOT);
        int index = 2;
        int version = Argon2Parameters.ARGON2_VERSION_10;
        if (parts[index].startsWith("v=")) {
            try {
                version = Integer.parseInt(parts[index].substring(2));
            } catch (NumberFormatException e) {
                return HashCheck.unsupported(scheme + " (malformed)");
            }
            index++;
        }
        if (parts.length != index + 3) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        int memory = -1;
        int iterations = -1;
        int parallelism = -1;
        for (String kv : parts[index].split(",")) {
            String[] pair = kv.split("=", 2);
            if (pair.length != 2) {
                return HashCheck.unsupported(scheme + " (malformed)");
            }
            try {
                int n = Integer.parseInt(pair[1]);
                switch (pair[0]) {
                    case "m": memory = n; break;
                    case "t": iterations = n; break;
                    case "p": parallelism = n; break;
                    default: break;
                }
            } catch (NumberFormatException e) {
                return HashCheck.unsupported(scheme + " (malformed)");
            }
        }
        byte[] salt = base64(parts[index + 1]);
        byte[] hash = base64(parts[index + 2]);
        if (memory < 8 || iterations < 1 || parallelism < 1 || parallelism > 255 || memory < 8 * parallelism
            || salt == null || hash == null || hash.length < 4
            || version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13) {
            return HashCheck.unsupported(scheme + " (malformed)");
        }
        if (memory > limits.maxArgon2Memory()) {
            return HashCheck.overLimit(scheme + " m=" + memory + " over maxArgon2Memory " + limits.maxArgon2Memory());
        }
        if (iterations > limits.maxArgon2Iterations()) {
            return HashCheck.overLimit(scheme + " t=" + iterations + " over maxArgon2Iterations " + limits.maxArgon2Iterations());
        }
        if (parallelism > limits.maxArgon2Parallelism()) {
            return HashCheck.overLimit(scheme + " p=" + parallelism + " over maxArgon2Parallelism "
                + limits.maxArgon2Parallelism());
        }

        Argon2Parameters parameters = new Argon2Parameters.Builder(type)
            .withVersion(version)
            .withMemoryAsKB(memory)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] computed = new byte[hash.length];
        generator.generateBytes(pw, computed);
        return HashCheck.of(MessageDigest.isEqual(computed, hash), scheme);
    }

    /** Standard base64, padding optional; {@code null} when the text is not base64. */
    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // MD5, SHA-1, SHA-256 and SHA-512 are required of every Java platform.
            throw new IllegalStateException("the Java platform lacks " + algorithm, e);
        }
    }
}
