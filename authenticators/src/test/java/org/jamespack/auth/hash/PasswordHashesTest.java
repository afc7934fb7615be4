package org.jamespack.auth.hash;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.foundation.Secret;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known vectors for "secret-pw", made on this machine with tools other than the code under
 * test: OpenLDAP 2.5's slappasswd (with the pw-sha2 and argon2 modules), openssl passwd,
 * Python's crypt (bcrypt), hashlib (PBKDF2) and libargon2 (argon2id).
 */
class PasswordHashesTest {

    private static final Secret RIGHT = Secret.of("secret-pw");
    private static final Secret WRONG = Secret.of("Secret-pw");

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "secret-pw|CLEARTEXT",
        "{CLEARTEXT}secret-pw|CLEARTEXT",
        "{SSHA}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS|SSHA",
        "{ssha}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS|SSHA",
        "{SHA}C5URNWIiYDj4DO8+Ih+LdY8EvGQ=|SHA",
        "{MD5}1s0SngCI+C+qtCi0JfkqxA==|MD5",
        "{MD5}d6cd129e0088f82faab428b425f92ac4|MD5",
        "{SMD5}hZVCtS7Lcdzmz6ATCN3QmjOeQFY=|SMD5",
        "{SHA256}zN35/Y7vh6fEO01vFkv8Usa1MdYRKW7JGjH9MrMGv6o=|SHA256",
        "{SSHA256}I9j9siWhBUnhkhcng5WQkN4dilmJ+QcoRBjrbahv47BFGixYhZW7Fw==|SSHA256",
        "{SHA512}cuD+Tw0rSnSzSHOSN1YLiPTPU64qUOWH6I+ovoCuNdO4yiauAe4e1VIsp8O8P9WKlb1M2GPF9RTXTIN0iiCX/Q==|SHA512",
        "{SSHA512}OCYH/Xn/BUJo83A0XlPCfQ/LnL0rQSD87vhbnq+xAN4QKnskvCSLmVyZiQsYSH45FeXW7XXXAhLO+6GOMCG2hJYkPIpPjg47|SSHA512",
        "{CRYPT}$1$gV7DUby0$Prcl2rvbSlsvFV7E4nDeS.|CRYPT-MD5",
        "{crypt}$1$abcdefgh$ZHv.y70O9skQtPYOyO/eb/|CRYPT-MD5",
        "{CRYPT}$5$KFqqrTV4fCQSBhDa$p9G91CBqYAyja1FEiiwFhQvta0yctxVYKZM1IK4o/k3|CRYPT-SHA256",
        "{CRYPT}$5$abcdefghij$W35zp1W.IVO9YAawgDoxLI3NYakNRkwJdt/EJ8JW83D|CRYPT-SHA256",
        "{CRYPT}$6$xDXO6NVyRZw4f8TD$rincYLyNEnuIqgxUhKMje.o5NhYJeSkCnRdlBTx2WOpJfKqDX3zhM3Ztd1P3Hc.5Mvp4noZwmQaz6XNqQOdTS/|CRYPT-SHA512",
        "{CRYPT}$6$rounds=5000$abc$QBZXipl9exJIBsNLsPRNHTOc2k44AmCKvtS3TEDlsWRjv86CkzhWQImCYiv9/LppdP4SR.6Q4urB3BFVImVFF1|CRYPT-SHA512",
        "{CRYPT}30mIE5WLaQCu6|CRYPT-DES",
        "{CRYPT}$2b$12$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra|CRYPT-BCRYPT",
        "{CRYPT}$2y$12$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra|CRYPT-BCRYPT",
        "{CRYPT}$2a$12$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra|CRYPT-BCRYPT",
        "{PBKDF2-SHA256}10000$MDEyMzQ1Njc4OWFiY2RlZg$luEpISoJyCZ4wbY0T8sSIGNF6ANv/G3IQp46aiLEplI|PBKDF2-SHA256",
        "{PBKDF2}$1$SaltSaltSaltSalt$5000$79d9e160377638cf9522e67ea922543d0cdd89e6|PBKDF2 (Dovecot)",
        "{PBKDF2_SHA256}AAAnEAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9qGk1ZuVuJvIZ1xnc5TLSBWUKZKGlwukTSc7gPl64jlVxxbQlXBHoiJ9SebWnbx1CWN8aiLqZ4iRvQ5qjMXnFS3ZMFNzZkFJMuU0SYqCTepff/TtMnHs4WPe9Jsyj7MHY76Ef730VUE8pMCOdx9GuHoehR7Yd3JDKUfKfQSzmER4I7ja2KyedkiKNYcq5LAyEW1c2tBqSPGJ4nTMThMSVlkiklNXZaPpqMICaq0eBQ4q6WNaZEv5vhF/HcOdfiqa/JFP+iLTedng5v5FTe8ow1x4jXa9GS/Go29pM70voTg4823oJkOJrw4qvoCPLyCdxO2sc+GRAzOkO/dj257tPN|PBKDF2_SHA256",
        "{ARGON2}$argon2i$v=19$m=4096,t=3,p=1$S4ruFA0wpEdTRZS/cTaHNQ$/zexEDqwvYHzanoNRsz5WzPLbHCW556S2kB8Z/+foTA|ARGON2-I",
        "{ARGON2}$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0MTIzNA$v1cGAdBm5KQEv4Sa91iotCcnuFVpL7nPGYSKRe41xKU|ARGON2-ID",
    })
    void checkShouldMatchRightPasswordAndNotWrongOneWhenVectorIsKnown(String stored, String scheme) {
        assertThat(PasswordHashes.check(stored, RIGHT)).isEqualTo(new HashCheck(HashCheck.Outcome.MATCH, scheme));
        assertThat(PasswordHashes.check(stored, WRONG)).isEqualTo(new HashCheck(HashCheck.Outcome.MISMATCH, scheme));
    }

    /** Values whose cost parameters a hostile user could write; each would take seconds to days, or all memory. */
    @ParameterizedTest(name = "{1}")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    @CsvSource(delimiter = '|', value = {
        "{CRYPT}$2b$31$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra|CRYPT-BCRYPT cost 31 over maxBcryptCost 12",
        "{CRYPT}$2a$13$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra|CRYPT-BCRYPT cost 13 over maxBcryptCost 12",
        "{CRYPT}$6$rounds=999999999$abc$QBZXipl9exJIBsNLsPRNHTOc2k44AmCKvtS3TEDlsWRjv86CkzhWQImCYiv9/LppdP4SR.6Q4urB3BFVImVFF1"
            + "|CRYPT-SHA512 rounds 999999999 over maxShaCryptRounds 250000",
        "{CRYPT}$5$rounds=99999999999999999999999$abc$x|CRYPT-SHA256 rounds 9223372036854775807 over maxShaCryptRounds 250000",
        "{PBKDF2-SHA256}10000000$MDEyMzQ1Njc4OWFiY2RlZg$luEpISoJyCZ4wbY0T8sSIGNF6ANv/G3IQp46aiLEplI"
            + "|PBKDF2-SHA256 iterations 10000000 x 1 blocks over maxPbkdf2Iterations 250000",
        "{PBKDF2-SHA1}100000$MDEyMzQ1Njc4OWFiY2RlZg$" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            + "|PBKDF2-SHA1 iterations 100000 x 4 blocks over maxPbkdf2Iterations 250000",
        "{PBKDF2}$1$SaltSaltSaltSalt$5000$" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            + "|PBKDF2 (Dovecot) key length 754 over maxPbkdf2Length 256",
        "{ARGON2}$argon2id$v=19$m=99999999,t=3,p=1$c2FsdA$aGFzaGhhc2g|ARGON2-ID m=99999999 over maxArgon2Memory 65536",
        "{ARGON2}$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHRzYWx0MTIzNA$v1cGAdBm5KQEv4Sa91iotCcnuFVpL7nPGYSKRe41xKU"
            + "|ARGON2-ID m=1048576 over maxArgon2Memory 65536",
        "{ARGON2}$argon2id$v=19$m=1024,t=1000,p=1$c2FsdHNhbHRzYWx0MTIzNA$v1cGAdBm5KQEv4Sa91iotCcnuFVpL7nPGYSKRe41xKU"
            + "|ARGON2-ID t=1000 over maxArgon2Iterations 3",
        "{ARGON2}$argon2id$v=19$m=1024,t=1,p=64$c2FsdHNhbHRzYWx0MTIzNA$v1cGAdBm5KQEv4Sa91iotCcnuFVpL7nPGYSKRe41xKU"
            + "|ARGON2-ID p=64 over maxArgon2Parallelism 4",
    })
    void checkShouldRefuseWithoutComputingWhenACostParameterIsOverTheDefaultCaps(String stored, String what) {
        HashCheck check = PasswordHashes.check(stored, RIGHT);

        assertThat(check).isEqualTo(new HashCheck(HashCheck.Outcome.OVER_LIMIT, what));
        assertThat(check.matches()).isFalse();
    }

    @Test
    void checkShouldHonourLimitsGivenByTheCaller() {
        HashLimits strict = new HashLimits(10, 5_000, 10_000, 32, 1024, 2, 1);
        HashLimits loose = new HashLimits(12, 5_000, 80_000, 256, 4096, 3, 1);

        assertThat(PasswordHashes.check("{CRYPT}$2b$12$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra", RIGHT, strict)
            .outcome()).isEqualTo(HashCheck.Outcome.OVER_LIMIT);
        assertThat(PasswordHashes.check("{CRYPT}$2b$12$QsG0tchAV0bfI/8jCnYHB.nUUNvq5nYP2//7qc2PQsWoRnAmrKpra", RIGHT, loose)
            .matches()).isTrue();
        // 389-DS's legacy form: 10 000 iterations of a 256-byte key from SHA-256 are 80 000 units of work
        String legacy = "{PBKDF2_SHA256}AAAnEAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9qGk1ZuVuJvIZ1xnc5TLSBWUKZKGlwukTSc7gPl64jlVxxbQlXBHoiJ9SebWnbx1CWN8aiLqZ4iRvQ5qjMXnFS3ZMFNzZkFJMuU0SYqCTepff/TtMnHs4WPe9Jsyj7MHY76Ef730VUE8pMCOdx9GuHoehR7Yd3JDKUfKfQSzmER4I7ja2KyedkiKNYcq5LAyEW1c2tBqSPGJ4nTMThMSVlkiklNXZaPpqMICaq0eBQ4q6WNaZEv5vhF/HcOdfiqa/JFP+iLTedng5v5FTe8ow1x4jXa9GS/Go29pM70voTg4823oJkOJrw4qvoCPLyCdxO2sc+GRAzOkO/dj257tPN";
        assertThat(PasswordHashes.check(legacy, RIGHT, strict).scheme()).isEqualTo("PBKDF2_SHA256 key length 256 over maxPbkdf2Length 32");
        assertThat(PasswordHashes.check(legacy, RIGHT, loose).matches()).isTrue();
        assertThat(PasswordHashes.check("{CRYPT}$6$rounds=5001$abc$x", RIGHT, strict).scheme())
            .isEqualTo("CRYPT-SHA512 rounds 5001 over maxShaCryptRounds 5000");
        assertThat(PasswordHashes.check("{CRYPT}$6$rounds=x$abc$x", RIGHT, strict).outcome()).isEqualTo(HashCheck.Outcome.UNSUPPORTED);
    }

    @Test
    void checkShouldTakeSaltOfAnyLengthWhenSaltedSchemeHasLongSalt() {
        // {SSHA} with a 16-byte salt (slappasswd uses 4): sha1(pw + salt) + salt
        String stored = "{SSHA}" + java.util.Base64.getEncoder().encodeToString(concat(
            sha1("secret-pw0123456789abcdef"), "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(PasswordHashes.check(stored, RIGHT).matches()).isTrue();
        assertThat(PasswordHashes.check(stored, WRONG).matches()).isFalse();
    }

    @Test
    void checkShouldBeUnsupportedWithClearNameWhenSchemeIsYescrypt() {
        HashCheck result = PasswordHashes.check("{CRYPT}$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", RIGHT);
        assertThat(result.outcome()).isEqualTo(HashCheck.Outcome.UNSUPPORTED);
        assertThat(result.scheme()).contains("yescrypt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{NOPE}abc", "{SSHA}!!!notbase64", "{SSHA}AAAA", "{CRYPT}short",
        "{PBKDF2-SHA256}0$abc$def", "{MD5}abc", "{CRYPT}$2b$zz$nonsense"})
    void checkShouldBeUnsupportedWhenValueIsUnknownOrMalformed(String stored) {
        assertThat(PasswordHashes.check(stored, RIGHT).outcome()).isEqualTo(HashCheck.Outcome.UNSUPPORTED);
    }

    @Test
    void checkShouldMatchOnFirstEightCharactersOnlyWhenSchemeIsDesCrypt() {
        // DES crypt(3) reads 8 characters: a known weakness of the scheme, kept for old directories
        assertThat(PasswordHashes.check("{CRYPT}30mIE5WLaQCu6", Secret.of("secret-pX")).matches()).isTrue();
    }

    @Test
    void checkShouldMismatchWhenCleartextDiffersOnlyInCase() {
        assertThat(PasswordHashes.check("Secret-pw", RIGHT).outcome()).isEqualTo(HashCheck.Outcome.MISMATCH);
    }

    @Test
    void dummyCheckShouldNotMatchAnyPasswordWhenUsedForUnknownUsers() {
        assertThat(PasswordHashes.check(PasswordHashes.DUMMY_STORED_VALUE, RIGHT).outcome()).isEqualTo(HashCheck.Outcome.MISMATCH);
        PasswordHashes.dummyCheck(RIGHT);
    }

    private static byte[] sha1(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
