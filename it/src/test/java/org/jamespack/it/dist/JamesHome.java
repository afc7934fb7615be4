package org.jamespack.it.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A James home laid out as {@code apache/james:memory-3.8.1} has it ({@code libs/} with James'
 * jars only, {@code classes/}, {@code resources/}, {@code extensions-jars/}), the pack's jars from
 * the release archive in {@code extensions-jars/}, and the image's own command to start it: for the
 * demo, which runs James the way operators do. Stateless; the methods are not thread-safe on one home.
 */
public final class JamesHome {

    private JamesHome() {
    }

    /**
     * Lays out James 3.8.1 in {@code root} (the image's {@code /root}) and puts the pack's jars from
     * the release archive (made by {@code mvn package}) in {@code root/extensions-jars}.
     */
    public static void layOut(Path root, Path scratch) throws IOException {
        Path image = Files.createDirectories(scratch.resolve("image"));
        DockerLayoutTest.baseImage(image, JamesClasspath.load());
        moveTree(image.resolve("root"), root);
        Path context = Distribution.load().unpack(scratch.resolve("context"));
        DockerLayoutTest.copyInto(context.resolve("lib"), root.resolve("extensions-jars"), true);
    }

    /** James' own main with the image's JVM flags, {@code root} standing for {@code /root}. */
    public static ProcessBuilder command(Path root) {
        return DockerLayoutTest.jamesImageCommand(root);
    }

    /** Waits until James listens on {@code port}; throws with the log's tail when it ends or takes too long. */
    public static void awaitPort(int port, Process james, Path log, Duration limit) throws IOException, InterruptedException {
        DockerLayoutTest.awaitPort(port, james, log, limit);
    }

    /** Stops James (SIGTERM, then SIGKILL after a minute). */
    public static void stop(Process james) throws InterruptedException {
        DockerLayoutTest.stop(james);
    }

    private static void moveTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var entries = Files.list(from)) {
            for (Path p : entries.toList()) {
                Files.move(p, to.resolve(p.getFileName().toString()));
            }
        }
    }
}
