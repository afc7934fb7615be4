package org.jamespack.relay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UNIX-socket credential server that behaves as cloud_mdir_sync's does: it reads the request
 * until end of file (never looking for a line end, so a client that does not half-close waits
 * for ever), answers {@code user=U\x01auth=Bearer T\x01\x01} for an account it knows (nothing for
 * one it does not), and closes. Thread-safe; close it to stop.
 */
public final class CmsCredentialServer implements AutoCloseable {

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Serves {@code tokens} (account to access token) on {@code socket}. */
    public CmsCredentialServer(Path socket, Map<String, String> tokens) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    String request = readToEndOfFile(ch);
                    requests.add(request);
                    String[] words = request.strip().split(" ", 2);
                    String token = words.length == 2 && words[0].equals("SMTP") ? tokens.get(words[1]) : null;
                    if (token != null) {
                        ch.write(ByteBuffer.wrap(("user=" + words[1] + "\u0001auth=Bearer " + token + "\u0001\u0001")
                            .getBytes(StandardCharsets.UTF_8)));
                    }
                } catch (IOException e) {
                    // closed: the loop ends
                }
            }
        }, "cms-credential-server");
        thread.setDaemon(true);
        thread.start();
    }

    private static String readToEndOfFile(SocketChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(256);
        while (ch.read(buf) >= 0) {
            all.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** The requests received so far, as sent (to end of file). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
        Files.deleteIfExists(socket);
    }
}
