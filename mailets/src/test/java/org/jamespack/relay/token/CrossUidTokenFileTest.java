package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token file this process may not rewrite as it is: {@code 0660 root:daemon}, refreshed by a
 * JVM running as {@code daemon} (through util-linux {@code setpriv}), which may write the
 * directory but cannot give a new file root's ownership. The refresh still serves the mail from
 * memory; the file is left exactly as it was, and the status says why. Needs root (to start the
 * other uid); skipped with the reason printed otherwise.
 */
class CrossUidTokenFileTest {

    /** What {@link ChildProcessRefresh} needs on its class path, copied where {@code daemon} can read it. */
    private static final Pattern CHILD_JARS = Pattern.compile(
        "(jamespack-foundation|oauth2-oidc-sdk|nimbus-jose-jwt|json-smart|accessors-smart|asm|content-type|lang-tag|slf4j-api|jcip-annotations|jspecify)-[^/]*\\.jar");

    @Test
    void refreshShouldLeaveAFileItCannotRewriteAsItWasAndSayWhy(@TempDir Path base) throws Exception {
        String why = whyNot();
        if (why != null) {
            System.out.println("CrossUidTokenFileTest skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        UserPrincipalLookupService lookup = base.getFileSystem().getUserPrincipalLookupService();
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = Files.createDirectory(base.resolve("cp"));
        String childClassPath = copyChildClassPath(classes);
        Path tokens = Files.createDirectory(base.resolve("tokens"));
        Files.setOwner(tokens, lookup.lookupPrincipalByName("daemon"));

        try (TokenEndpointStandIn endpoint = new TokenEndpointStandIn()) {
            endpoint.replies(n -> Reply.token("access-" + n, 3600, "refresh-R2"));
            Path file = tokens.resolve("shared@example.org");
            String before = "{\"client_id\":\"client-1\",\"token_endpoint\":\"" + endpoint.uri()
                + "\",\"expiry\":\"0\",\"refresh_token\":\"refresh-R1\"}";
            Files.writeString(file, before);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
            Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(lookup.lookupPrincipalByGroupName("daemon"));

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder("/usr/bin/setpriv", "--reuid=1", "--regid=1", "--clear-groups", "--",
                java, "-XX:-UsePerfData", "-cp", childClassPath, ChildProcessRefresh.class.getName(), file.toString())
                .redirectErrorStream(true).start();
            child.getOutputStream().close();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(out).as(out).contains("TOKEN access-1")
                .contains("not rewritten: " + file + " is rw-rw---- root:daemon and this process (daemon)");
            PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class);
            assertThat(after.owner().getName()).isEqualTo("root");
            assertThat(after.group().getName()).isEqualTo("daemon");
            assertThat(PosixFilePermissions.toString(after.permissions())).isEqualTo("rw-rw----");
            assertThat(file).hasContent(before);
            try (Stream<Path> left = Files.list(tokens)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .allMatch(n -> n.equals("shared@example.org") || n.endsWith(".lock"));
            }
        }
    }

    private static String copyChildClassPath(Path into) throws IOException {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (Files.isDirectory(from) && from.endsWith("classes") || Files.isDirectory(from) && from.endsWith("test-classes")) {
                Path to = into.resolve("dir" + i++);
                copyTree(from, to);
                entries.add(to.toString());
            } else if (CHILD_JARS.matcher(from.getFileName().toString()).matches()) {
                Path to = into.resolve(from.getFileName());
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                entries.add(to.toString());
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static String whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root, so the refresh cannot be started as another uid";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return "util-linux setpriv is not installed";
        }
        return null;
    }
}
