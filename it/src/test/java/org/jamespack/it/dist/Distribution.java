package org.jamespack.it.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The release archive built by conf-samples ({@code mvn package}). Immutable. */
final class Distribution {

    /** artifactId-version.jar, as the assembly names the jars of lib/. */
    static final Pattern JAR = Pattern.compile("(.+)-(\\d[\\w.\\-]*)\\.jar");

    private final Path zip;
    private final String base;
    private final List<String> entries;

    private Distribution(Path zip, String base, List<String> entries) {
        this.zip = zip;
        this.base = base;
        this.entries = List.copyOf(entries);
    }

    static Distribution load() {
        Path zip = Path.of(System.getProperty("jamespack.dist", "../conf-samples/target/jamespack-dist.zip"));
        // "mvn test" stops before package, where the archive is made: the archive's tests then skip, saying why
        String missing = "no release archive at " + zip + " (made in the package phase: mvn -pl it -am verify)";
        if (!Files.isRegularFile(zip)) {
            System.out.println("skipped: " + missing);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(zip), missing);
        List<String> names = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                names.add(e.nextElement().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String base = names.get(0).substring(0, names.get(0).indexOf('/') + 1);
        return new Distribution(zip, base, names.stream().map(n -> n.substring(base.length())).filter(n -> !n.isEmpty()).toList());
    }

    /** Paths inside the archive's base directory. */
    List<String> entries() {
        return entries;
    }

    List<String> libJars() {
        return entries.stream().filter(n -> n.startsWith("lib/") && n.endsWith(".jar")).map(n -> n.substring(4)).sorted().toList();
    }

    static Optional<String[]> nameAndVersion(String jarName) {
        Matcher m = JAR.matcher(jarName);
        return m.matches() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
    }

    /** Unpacks the archive's base directory into {@code target}, keeping the executable bits of bin/ and docker/ scripts. */
    Path unpack(Path target) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName().substring(base.length());
                if (name.isEmpty()) {
                    continue;
                }
                Path out = target.resolve(name);
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = z.getInputStream(entry)) {
                    Files.copy(in, out);
                }
                // zip entries made by the assembly carry unix modes in the "external attributes"; java.util.zip
                // does not expose them, so the scripts the assembly marks 0755 are marked here
                if (name.startsWith("bin/")) {
                    Files.setPosixFilePermissions(out, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
                }
            }
        }
        return target;
    }
}
