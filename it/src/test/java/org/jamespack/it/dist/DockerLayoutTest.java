package org.jamespack.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.samples.SampleTree;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker recipe without a Docker engine: the base image's layout is built on disk the way
 * Jib built {@code apache/james:memory-3.8.1} (James' libraries in {@code root/libs} named
 * artifactId-version.jar, the memory app's classes in {@code root/classes}), the Dockerfile's
 * COPY / ENV are replayed on it from the unpacked release archive,
 * a conf-samples tree is "mounted" as {@code root/conf}, and James' own image command is run as a separate
 * JVM. A login through it proves the paths, the class path and that James' own main finds the pack.
 *
 * <p>Differences from the real image, all in the test's favour of being runnable here: the
 * image's {@code /} is a temporary directory (JAMES_ROOT and the ENV values point into it);
 * James' libraries are the jars this build resolved for James' artifacts (the same artifacts; a
 * few at the versions this build pins, e.g. jackson-annotations), plus James' own UnboundID 6.0.7
 * when the local repository has it, so that the pack is shown to run on it (extensions load parent-first).
 */
class DockerLayoutTest {

    static final Path TOKEN_SCRIPT = SampleTree.samplesRoot().resolve("../mailets/src/main/scripts/token").normalize();

    static InMemoryLdap ldap;

    @BeforeAll
    static void directory() throws Exception {
        ldap = InMemoryLdap.start();
        ldap.server().add("dn: cn=james,dc=example,dc=org", "objectClass: top", "objectClass: person", "cn: james", "sn: james",
            "userPassword: CHANGE-ME");
        ldap.addSshaUser("bob", "bob@example.org", "bob-secret");
    }

    @AfterAll
    static void stop() {
        ldap.close();
    }

    /** The recipes of the three flavours: James' image, the pack's jars and the token tool added, nothing else changed. */
    @Test
    void dockerfilesShouldOnlyAddJarsToJamesOwnImageOfEachFlavour() throws Exception {
        Dockerfile memory = Dockerfile.parse(SampleTree.samplesRoot().resolve("docker/Dockerfile"));
        Map<String, String> flavours = Map.of("docker/Dockerfile", "memory", "docker/Dockerfile.jpa", "jpa",
            "docker/Dockerfile.distributed", "distributed");
        for (Map.Entry<String, String> f : flavours.entrySet()) {
            Dockerfile docker = Dockerfile.parse(SampleTree.samplesRoot().resolve(f.getKey()));
            assertThat(docker.from()).as(f.getKey()).isEqualTo("apache/james:" + f.getValue() + "-3.8.1");
            // James' own entrypoint, main class and libraries: no ENTRYPOINT, no WORKDIR, no RUN rm
            assertThat(docker.entrypoint()).as(f.getKey()).isEmpty();
            assertThat(docker.workdir()).as(f.getKey()).isEqualTo("/");
            assertThat(docker.removed()).as(f.getKey()).isEmpty();
            // the same layer on each flavour (all three are Jib images with /root as app root and
            // /root/extensions-jars as James' extension folder), so that the memory replay below covers them
            assertThat(docker.copies()).as(f.getKey()).usingElementComparator(java.util.Arrays::compare)
                .containsExactlyElementsOf(memory.copies());
            assertThat(docker.env()).as(f.getKey()).isEqualTo(memory.env());
            assertThat(docker.stageCopies()).as(f.getKey()).usingElementComparator(java.util.Arrays::compare)
                .containsExactlyElementsOf(memory.stageCopies());
        }
        assertThat(memory.copies()).anySatisfy(c -> assertThat(c).containsExactly("lib/", "/root/extensions-jars/"));
    }

    /**
     * James 3.8.1's images run Java 11 and the pack is built for 17: without a newer runtime first
     * on the PATH (James' entrypoint runs {@code java} from it), James would stop at start-up with
     * UnsupportedClassVersionError on the first pack class. The runtime the recipe adds must run
     * the class-file version the pack's jars carry.
     */
    @Test
    void dockerfileShouldPutAJavaRuntimeThatRunsThePackFirstOnThePath() throws Exception {
        Dockerfile docker = Dockerfile.parse(SampleTree.samplesRoot().resolve("docker/Dockerfile"));
        int packJava = classFileJavaVersion(org.jamespack.auth.Verdict.class);
        assertThat(packJava).as("the pack's bytecode, Java release").isGreaterThan(11);
        assertThat(docker.stageCopies()).as("a Java runtime copied from a stage").hasSize(1);
        String[] runtime = docker.stageCopies().get(0);
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("eclipse-temurin:(\\d+)-jre\\b.*").matcher(runtime[0]);
        assertThat(version.matches()).as("stage image " + runtime[0]).isTrue();
        assertThat(Integer.parseInt(version.group(1))).as("the runtime's Java release").isGreaterThanOrEqualTo(packJava);
        assertThat(runtime[1]).isEqualTo("/opt/java/openjdk");
        assertThat(docker.env()).containsEntry("JAVA_HOME", runtime[2]);
        assertThat(docker.env().get("PATH")).as("PATH").startsWith(runtime[2] + "/bin:");
    }

    private static int classFileJavaVersion(Class<?> type) throws IOException {
        try (java.io.InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            byte[] head = in.readNBytes(8);
            // bytes 6-7: the class file's major version; 44 + Java release (61 = Java 17)
            return ((head[6] & 0xff) << 8 | (head[7] & 0xff)) - 44;
        }
    }

    @Test
    void imageLayoutShouldStartJamesOwnMainWithThePackFromAMountedSampleTree(@TempDir Path dir) throws Exception {
        Dockerfile docker = Dockerfile.parse(SampleTree.samplesRoot().resolve("docker/Dockerfile"));
        Path context = Distribution.load().unpack(dir.resolve("context"));
        Path image = dir.resolve("image");
        JamesClasspath james = JamesClasspath.load();
        List<String> jamesLibs = baseImage(image, james);
        for (String[] copy : docker.copies()) {
            Path source = context.resolve(copy[0]);
            if (copy[0].equals("bin/token") && !Files.exists(source) && !Files.exists(TOKEN_SCRIPT)) {
                System.out.println("image layout: COPY bin/token skipped, the token tool is not in this tree yet (" + TOKEN_SCRIPT + ")");
                continue;
            }
            assertThat(source).as("COPY source " + copy[0] + " in the release archive").exists();
            copyInto(source, inImage(image, copy[1]), copy[1].endsWith("/"));
        }
        try (Stream<Path> libs = Files.list(image.resolve("root/libs"))) {
            List<String> names = libs.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("James' libraries untouched").noneMatch(n -> n.startsWith("jamespack-"));
            if (james.localJar("com.unboundid:unboundid-ldapsdk").isPresent()) {
                assertThat(names).contains("unboundid-ldapsdk-6.0.7.jar");
            }
        }
        try (Stream<Path> ext = Files.list(image.resolve("root/extensions-jars"))) {
            assertThat(ext.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("jamespack-authenticators-"));
        }
        // the sample tree as the operator mounts it on /root/conf
        SampleTree tree = new SampleTree(keystore(dir), "ldap-compare", image.resolve("root"))
            .backend("ldap://127.0.0.1:389", ldap.url()).install();
        Path log = dir.resolve("james.log");
        ProcessBuilder pb = jamesImageCommand(image.resolve("root")).redirectErrorStream(true).redirectOutput(log.toFile());
        Process james381 = startOnTreePorts(pb, tree, log, Duration.ofSeconds(180), 25);
        try {
            try (SmtpClient smtp = new SmtpClient(tree.port(25))) {
                smtp.ehlo();
                assertThat(smtp.authPlain("bob@example.org", "bob-secret")).isEqualTo("235 Authentication Successful");
            }
            assertThat(Files.readString(log)).contains("authpack: directory mode");
        } finally {
            stop(james381);
            tree.close();
        }
        System.out.println("image layout: " + jamesLibs.size() + " James jars in root/libs, Dockerfile replayed: "
            + docker.copies().size() + " COPY");
    }

    /**
     * The command James' Jib image runs (james-server-memory-app 3.8.1's jvmFlags, class path
     * {@code /root/resources:/root/classes:/root/libs/*}, main {@code MemoryJamesServerMain}) with
     * {@code root} standing for {@code /root}.
     */
    static ProcessBuilder jamesImageCommand(Path root) {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Djames.exit.on.startup.error=true",
            "-Dlogback.configurationFile=" + root.resolve("conf/logback.xml"),
            "-Dworking.directory=" + root + "/",
            "-Djdk.tls.ephemeralDHKeySize=2048",
            "-Dextra.props=" + root.resolve("conf/jvm.properties"),
            "-cp", root.resolve("resources") + ":" + root.resolve("classes") + ":" + root.resolve("libs") + "/*",
            "org.apache.james.MemoryJamesServerMain")
            .directory(root.toFile());
    }

    @Test
    void tokenToolShouldRunFromTheImageLayoutWhenTheArchiveHasIt(@TempDir Path dir) throws Exception {
        Dockerfile docker = Dockerfile.parse(SampleTree.samplesRoot().resolve("docker/Dockerfile"));
        Path context = Distribution.load().unpack(dir.resolve("context"));
        if (!Files.exists(context.resolve("bin/token"))) {
            System.out.println("token tool: not in this archive yet (mailets/src/main/scripts/token), not run");
            return;
        }
        Path image = dir.resolve("image");
        baseImage(image, JamesClasspath.load());
        for (String[] copy : docker.copies()) {
            copyInto(context.resolve(copy[0]), inImage(image, copy[1]), copy[1].endsWith("/"));
        }
        // in the image the tool runs on /root/libs (TOKEN_CLASSPATH): the pack's jars beside James' slf4j and BouncyCastle
        Path tokenFile = dir.resolve("relay@example.org");
        Files.writeString(tokenFile, "{\"client_id\":\"c\",\"token_endpoint\":\"http://127.0.0.1:" + TestPorts.closedPort()
            + "/token\",\"refresh_token\":\"r\",\"expiry\":\"0\"}");
        Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = new ProcessBuilder(inImage(image, "/usr/bin/token").toString(), "refresh", tokenFile.toString())
            .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // JAVA_HOME and PATH name the image's Java 17 runtime: the replay runs on the test's own JDK 17 instead
        docker.env().entrySet().stream().filter(e -> !e.getKey().equals("JAVA_HOME") && !e.getKey().equals("PATH"))
            .forEach(e -> pb.environment().put(e.getKey(), e.getValue().replace("/root/", image.resolve("root") + "/")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
        // 3: temporary failure (the endpoint does not answer), as documented
        assertThat(p.exitValue()).as(out).isEqualTo(3);
    }

    /** The base image: James' artifacts in root/libs (Jib's artifactId-version.jar names), the memory app in root/classes. */
    static List<String> baseImage(Path image, JamesClasspath james) throws IOException {
        Path libs = Files.createDirectories(image.resolve("root/libs"));
        Files.createDirectories(image.resolve("root/resources"));
        Files.createDirectories(image.resolve("root/extensions-jars"));
        Files.createDirectories(image.resolve("usr/bin"));
        Path repo = james.localRepository();
        List<String> names = new ArrayList<>();
        Map<String, Path> resolved = new HashMap<>();
        for (String entry : classpathEntries()) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || !jar.startsWith(repo)) {
                continue;
            }
            Path rel = repo.relativize(jar);
            int n = rel.getNameCount();
            if (n < 4) {
                continue;
            }
            String artifact = rel.getName(n - 3).toString();
            String group = rel.subpath(0, n - 3).toString().replace('/', '.');
            String ga = group + ":" + artifact;
            if (james.versions().containsKey(ga) && jar.getFileName().toString().equals(artifact + "-" + rel.getName(n - 2) + ".jar")) {
                resolved.put(ga, jar);
            }
        }
        for (String ga : DistributionContentsTest.REPLACED) {
            // James' own copy (not the version this build mediated): the pack must run on what James ships
            resolved.remove(ga);
            Optional<Path> own = james.localJar(ga);
            if (own.isPresent()) {
                resolved.put(ga, own.get());
            } else {
                System.out.println("image layout: James' " + ga + ":" + james.versions().get(ga)
                    + " is not in the local repository (mvn dependency:get fetches it); the pack runs on this build's version");
            }
        }
        for (Map.Entry<String, Path> e : resolved.entrySet()) {
            if (e.getKey().equals("org.apache.james:james-server-memory-app")) {
                continue;
            }
            Path target = libs.resolve(e.getValue().getFileName());
            Files.copy(e.getValue(), target, StandardCopyOption.REPLACE_EXISTING);
            names.add(target.getFileName().toString());
        }
        unzip(james.memoryAppJar(), Files.createDirectories(image.resolve("root/classes")));
        return names;
    }

    /**
     * This JVM's class path: {@code java.class.path}, or the entries of the class loader that
     * loaded the tests (Maven's exec:java runs the demo in Maven's own JVM, behind a URL class loader).
     */
    private static List<String> classpathEntries() {
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        if (DockerLayoutTest.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            for (java.net.URL url : loader.getURLs()) {
                if ("file".equals(url.getProtocol())) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return entries;
    }

    static Path inImage(Path image, String absolute) {
        return image.resolve(absolute.replaceFirst("^/+", ""));
    }

    static void copyInto(Path source, Path target, boolean intoDirectory) throws IOException {
        if (Files.isDirectory(source)) {
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path p : walk.toList()) {
                    Path t = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        } else {
            Path t = intoDirectory ? target.resolve(source.getFileName()) : target;
            Files.createDirectories(t.getParent());
            Files.copy(source, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static void unzip(Path jar, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static Path keystore(Path dir) throws IOException, InterruptedException {
        Path ks = dir.resolve("keystore");
        SampleTree.createKeystore(ks);
        return ks;
    }

    /**
     * Starts {@code james} and waits until it listens on the tree's ports for {@code samplePorts}.
     * James exits with "Address already in use" when a foreign program took a reserved port: then
     * the tree gets fresh ports and James starts once more ({@link TestPorts#retryOnBindFailure}).
     * A James that did not come up is stopped before the failure is thrown.
     */
    static Process startOnTreePorts(ProcessBuilder james, SampleTree tree, Path log, Duration limit, int... samplePorts)
        throws Exception {
        int[] starts = {0};
        return TestPorts.retryOnBindFailure(() -> {
            if (starts[0]++ > 0) {
                tree.reassignPorts();
            }
            Process p = james.start();
            try {
                for (int port : samplePorts) {
                    awaitPort(tree.port(port), p, log, limit);
                }
                return p;
            } catch (RuntimeException e) {
                stop(p);
                throw e;
            }
        });
    }

    static void stop(Process james) throws InterruptedException {
        james.destroy();
        if (!james.waitFor(60, TimeUnit.SECONDS)) {
            james.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void awaitPort(int port, Process process, Path log, Duration limit) throws IOException, InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("James ended with " + process.exitValue() + ":\n" + tail(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("James did not listen on " + port + " within " + limit + ":\n" + tail(log));
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
