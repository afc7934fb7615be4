package org.jamespack.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.jamespack.testing.TestPorts;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive against James 3.8.1's own class path (the memory app's dependency list,
 * see {@link JamesClasspath}): the pack must add no second copy of James, Guice or the mail
 * libraries, no artifact James ships at another version (except UnboundID, which the pack needs
 * at 7.x and which INSTALL.md and the Dockerfile replace), and no class that a James jar already
 * holds. The findings are printed, so that a build log shows them.
 */
class DistributionContentsTest {

    /** Artifacts the pack replaces in James' libs on purpose (INSTALL.md, Dockerfile). */
    static final Set<String> REPLACED = Set.of("com.unboundid:unboundid-ldapsdk");

    static Distribution dist;
    static JamesClasspath james;
    static Path unpacked;

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        dist = Distribution.load();
        james = JamesClasspath.load();
        unpacked = dist.unpack(dir.resolve("dist"));
        System.out.println("distribution: " + dist.entries().size() + " entries, lib/: " + dist.libJars());
        System.out.println("James 3.8.1 memory app: " + james.versions().size() + " artifacts on its class path");
    }

    @Test
    void archiveShouldHoldThePackTheSamplesTheDockerRecipeAndTheInstallNotes() {
        assertThat(dist.entries()).contains("INSTALL.md", "MIGRATION.md", "docker/Dockerfile", "docker/Dockerfile.jpa",
            "docker/Dockerfile.distributed");
        assertThat(dist.libJars()).anyMatch(j -> j.startsWith("jamespack-foundation-"))
            .anyMatch(j -> j.startsWith("jamespack-authenticators-"))
            .anyMatch(j -> j.startsWith("jamespack-mailets-"));
        for (String tree : List.of("ldap-rebind", "ldap-compare", "kopano", "kopano-then-ldap", "relay-m365", "relay-gmail",
            "relay-exim-smarthosts", "relay-postfix-sasl-xoauth2")) {
            assertThat(dist.entries()).contains("conf-samples/" + tree + "/usersrepository.xml",
                "conf-samples/" + tree + "/smtpserver.xml", "conf-samples/" + tree + "/mailetcontainer.xml");
        }
    }

    @Test
    void archiveShouldHoldTheTokenToolWhenTheMailetsModuleHasIt() {
        // bin/lib holds only what the tool needs outside James, never what lib/ already has; its SLF4J binding
        // is there and nowhere else (lib/ goes to James' extensions-jars, where logback is the binding)
        assertThat(dist.entries().stream().filter(n -> n.startsWith("bin/lib/") && n.endsWith(".jar")))
            .allMatch(n -> n.matches("bin/lib/(slf4j-api|slf4j-simple|bcprov-jdk18on|bcpkix-jdk18on|bcutil-jdk18on)-[\\d.]+\\.jar"))
            .anyMatch(n -> n.startsWith("bin/lib/slf4j-simple-"));
        assertThat(dist.libJars()).noneMatch(j -> j.startsWith("slf4j-"));
        // the launcher script comes with the token tool (branch cli); the archive takes it from the mailets module
        Path script = Path.of(System.getProperty("jamespack.confSamples", "../conf-samples")).resolve("../mailets/src/main/scripts/token");
        if (Files.isRegularFile(script)) {
            assertThat(dist.entries()).contains("bin/token");
            assertThat(unpacked.resolve("bin/token")).isExecutable();
        } else {
            System.out.println("token tool: mailets/src/main/scripts/token not in this tree yet, bin/token not checked");
            assertThat(dist.entries()).doesNotContain("bin/token");
        }
    }

    @Test
    void tokenToolShouldRunFromTheUnpackedArchiveWithoutJames(@TempDir Path dir) throws Exception {
        // on an exim or Postfix host there is no James: bin/token must find all it needs in ../lib and bin/lib
        Path file = dir.resolve("relay@example.org");
        Files.writeString(file, "{\"client_id\":\"c\",\"token_endpoint\":\"http://127.0.0.1:" + TestPorts.closedPort()
            + "/token\",\"refresh_token\":\"r\",\"expiry\":\"0\"}");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = new ProcessBuilder(unpacked.resolve("bin/token").toString(), "refresh", file.toString())
            .redirectErrorStream(true);
        pb.environment().remove("TOKEN_CLASSPATH");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
        assertThat(p.exitValue()).as(out).isEqualTo(3);
    }

    @Test
    void tokenToolFromTheUnpackedArchiveShouldPrintOnlyItsOwnOutput(@TempDir Path dir) throws Exception {
        // a refresh against a closed port: the tool says so in one line of its own; slf4j-api's "no binder"
        // notice and the pack's own WARN line about the same failure are not its output
        Path file = dir.resolve("relay@example.org");
        Files.writeString(file, "{\"client_id\":\"c\",\"token_endpoint\":\"http://127.0.0.1:" + TestPorts.closedPort()
            + "/token\",\"refresh_token\":\"r\",\"expiry\":\"0\"}");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String[] quiet = runToken(dir, "", "refresh", file.toString());
        assertThat(quiet[0]).as("exit code").isEqualTo("3");
        assertThat(quiet[2]).doesNotContain("SLF4J").doesNotContain("WARN").doesNotContain("INFO");
        assertThat(quiet[2].lines()).as(quiet[2]).singleElement().asString().startsWith("refresh of " + file + " failed: ");

        // the binding is live, and an operator can raise the pack's loggers: its warning then reaches stderr
        String[] raised = runToken(dir, "-Dorg.slf4j.simpleLogger.log.org.jamespack=warn", "refresh", file.toString());
        assertThat(raised[2]).doesNotContain("SLF4J").contains("WARN org.jamespack.relay.token.RefreshingTokenSource");
    }

    /** Runs bin/token of the unpacked archive without James; exit code, stdout, stderr. */
    private static String[] runToken(Path dir, String javaOpts, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(unpacked.resolve("bin/token").toString());
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("TOKEN_CLASSPATH");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", javaOpts);
        Process p = pb.start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), Files.readString(out), Files.readString(err)};
    }

    @Test
    void archiveShouldShipNoSecondCopyOfJamesGuiceOrJavaxMail() throws IOException {
        Map<String, String> coordinates = libCoordinates();
        assertThat(coordinates.keySet()).noneMatch(ga -> ga.startsWith("org.apache.james:") || ga.startsWith("org.apache.james.protocols:"))
            .noneMatch(ga -> ga.startsWith("com.google.inject"))
            .noneMatch(ga -> ga.equals("com.sun.mail:javax.mail") || ga.equals("javax.mail:mail") || ga.startsWith("com.sun.activation:"))
            .noneMatch(ga -> ga.startsWith("org.slf4j:") || ga.startsWith("ch.qos.logback:"));
    }

    @Test
    void libJarsShouldMatchNoJamesArtifactButTheOnesTheyReplace() throws IOException {
        Map<String, String> coordinates = libCoordinates();
        Map<String, String> sameVersion = new TreeMap<>();
        Map<String, String> otherVersion = new TreeMap<>();
        for (Map.Entry<String, String> c : coordinates.entrySet()) {
            Optional<String> jamesVersion = james.version(c.getKey());
            if (jamesVersion.isPresent()) {
                (jamesVersion.get().equals(c.getValue()) ? sameVersion : otherVersion)
                    .put(c.getKey(), "pack " + c.getValue() + " / James " + jamesVersion.get());
            }
        }
        System.out.println("lib/ jars also on James' class path, same version: " + sameVersion);
        System.out.println("lib/ jars also on James' class path, other version: " + otherVersion);
        assertThat(sameVersion).isEmpty();
        assertThat(otherVersion.keySet()).isEqualTo(REPLACED);
    }

    @Test
    void noClassShouldBeInALibJarAndAJamesJar() throws IOException {
        Map<String, String> classOwner = new HashMap<>();
        List<String> missing = new ArrayList<>();
        int jamesJars = 0;
        for (String ga : james.versions().keySet()) {
            if (REPLACED.contains(ga)) {
                continue;
            }
            Optional<Path> jar = james.localJar(ga);
            if (jar.isEmpty()) {
                missing.add(ga + ":" + james.versions().get(ga));
                continue;
            }
            jamesJars++;
            for (String c : classes(jar.get())) {
                classOwner.putIfAbsent(c, ga);
            }
        }
        classOwner.putAll(classesOf(james.memoryAppJar(), "org.apache.james:james-server-memory-app"));
        Map<String, Set<String>> clashes = new TreeMap<>();
        for (String lib : dist.libJars()) {
            for (String c : classes(unpacked.resolve("lib").resolve(lib))) {
                String owner = classOwner.get(c);
                if (owner != null) {
                    clashes.computeIfAbsent(lib + " / " + owner, k -> new TreeSet<>()).add(c);
                }
            }
        }
        System.out.println("class check: " + dist.libJars().size() + " lib/ jars against " + (jamesJars + 1) + " James jars ("
            + classOwner.size() + " classes); James jars not in the local repository, not checked: " + missing.size()
            + (missing.isEmpty() ? "" : " " + missing));
        clashes.forEach((pair, cs) -> System.out.println("  same classes: " + pair + ": " + cs.size() + ", e.g. " + cs.iterator().next()));
        assertThat(clashes).isEmpty();
    }

    /** group:artifact to version of each lib/ jar, from the pom.properties Maven writes into every jar. */
    static Map<String, String> libCoordinates() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String lib : dist.libJars()) {
            Path jar = unpacked.resolve("lib").resolve(lib);
            Optional<String[]> fromPom = pomProperties(jar);
            if (fromPom.isPresent()) {
                out.put(fromPom.get()[0] + ":" + fromPom.get()[1], fromPom.get()[2]);
            } else {
                String[] nv = Distribution.nameAndVersion(lib).orElseThrow(() -> new AssertionError("unnamed jar " + lib));
                // no pom.properties (a few jars lack it): match by artifactId against James' list
                String ga = james.versions().keySet().stream().filter(k -> k.endsWith(":" + nv[0])).findFirst().orElse("?:" + nv[0]);
                out.put(ga, nv[1]);
            }
        }
        return out;
    }

    private static Optional<String[]> pomProperties(Path jar) throws IOException {
        String name = Distribution.nameAndVersion(jar.getFileName().toString()).map(nv -> nv[0]).orElse("");
        try (ZipFile z = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/" + name + "/pom.properties")) {
                    Properties p = new Properties();
                    try (InputStream in = z.getInputStream(entry)) {
                        p.load(in);
                    }
                    return Optional.of(new String[] {p.getProperty("groupId"), p.getProperty("artifactId"), p.getProperty("version")});
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> classesOf(Path jar, String owner) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String c : classes(jar)) {
            out.put(c, owner);
        }
        return out;
    }

    /** Class entries, without module-info and multi-release copies (a class counts once per jar). */
    static Set<String> classes(Path jar) throws IOException {
        Set<String> out = new TreeSet<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                String n = e.nextElement().getName();
                if (!n.endsWith(".class") || n.endsWith("module-info.class") || n.endsWith("package-info.class")) {
                    continue;
                }
                if (n.startsWith("META-INF/versions/")) {
                    n = n.substring(n.indexOf('/', "META-INF/versions/".length()) + 1);
                }
                out.add(n);
            }
        }
        return out;
    }
}
