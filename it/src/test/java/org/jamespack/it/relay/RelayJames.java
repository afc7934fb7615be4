package org.jamespack.it.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.modules.protocols.ImapGuiceProbe;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.jamespack.it.james.PackJamesExtension;

import net.jcip.annotations.NotThreadSafe;

/**
 * A real James 3.8.1 memory server with the relay mailet in its {@code transport} processor,
 * started from a working directory that survives a restart (the relay's journal lives in
 * {@code var/}). Not thread-safe: one test class drives it.
 *
 * <p>Why not {@link PackJamesExtension}: these tests need a James stopped and started again on
 * the same directory, sender domains of their own, and a {@code mailetcontainer.xml} naming ports
 * known only at run time. The XML files they share with it ({@code imapserver.xml},
 * {@code dnsservice.xml}, {@code listeners.xml}) come from its {@code james-conf/}; the SMTP server
 * is its {@code smtpserver.xml} without the pack's auth hook (James' own users log in here).
 */
@NotThreadSafe
public final class RelayJames implements AutoCloseable {

    private final Path workingDirectory;
    private GuiceJamesServer server;

    private RelayJames(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    /** Writes {@code conf/} into {@code workingDirectory} and starts James. */
    public static RelayJames start(Path workingDirectory, List<String> domains, String transportMailets, String bouncesMailets)
        throws Exception {
        return start(workingDirectory, domains, transportMailets, bouncesMailets, 2);
    }

    /** As above, with {@code spoolerThreads} threads running the mailet container. */
    public static RelayJames start(Path workingDirectory, List<String> domains, String transportMailets, String bouncesMailets,
                                   int spoolerThreads) throws Exception {
        return start(workingDirectory, domains, transportMailets, bouncesMailets, spoolerThreads, java.util.function.UnaryOperator.identity());
    }

    /** As above, with {@code smtpServerXml} applied to the text of {@code smtpserver.xml} (e.g. other authorised networks). */
    public static RelayJames start(Path workingDirectory, List<String> domains, String transportMailets, String bouncesMailets,
                                   int spoolerThreads, java.util.function.UnaryOperator<String> smtpServerXml) throws Exception {
        Path conf = Files.createDirectories(workingDirectory.resolve("conf"));
        for (String name : List.of("imapserver.xml", "dnsservice.xml", "listeners.xml")) {
            copy(PackJamesExtension.DEFAULT_CONF + name, conf.resolve(name));
        }
        String smtp = read(PackJamesExtension.DEFAULT_CONF + "smtpserver.xml")
            .replace("<handler class=\"org.jamespack.auth.james.PackAuthHook\"/>", "");
        Files.writeString(conf.resolve("smtpserver.xml"), smtpServerXml.apply(smtp));
        StringBuilder domainList = new StringBuilder("<domainlist>\n  <domainnames>\n");
        domains.forEach(d -> domainList.append("    <domainname>").append(d).append("</domainname>\n"));
        domainList.append("  </domainnames>\n  <defaultDomain>").append(domains.get(0))
            .append("</defaultDomain>\n  <autodetect>false</autodetect>\n  <autodetectIP>false</autodetectIP>\n</domainlist>\n");
        Files.writeString(conf.resolve("domainlist.xml"), domainList);
        Files.writeString(conf.resolve("usersrepository.xml"), "<usersrepository name=\"LocalUsers\">\n"
            + "  <enableVirtualHosting>true</enableVirtualHosting>\n</usersrepository>\n");
        // file:// for the relay's journal (it must outlive the JVM's James), memory:// for the rest
        Files.writeString(conf.resolve("mailrepositorystore.xml"), "<mailrepositorystore>\n"
            + "  <defaultProtocol>memory</defaultProtocol>\n"
            + "  <mailrepositories>\n"
            + "  <mailrepository class=\"org.apache.james.mailrepository.memory.MemoryMailRepository\">\n"
            + "    <protocols><protocol>memory</protocol></protocols>\n"
            + "  </mailrepository>\n"
            + "  <mailrepository class=\"org.apache.james.mailrepository.file.FileMailRepository\">\n"
            + "    <protocols><protocol>file</protocol></protocols>\n"
            + "    <config FIFO=\"false\" CACHEKEYS=\"true\"/>\n"
            + "  </mailrepository>\n"
            + "  </mailrepositories>\n"
            + "</mailrepositorystore>\n");
        Files.writeString(conf.resolve("mailetcontainer.xml"), "<mailetcontainer enableJmx=\"false\">\n"
            + "  <context><postmaster>postmaster@" + domains.get(0) + "</postmaster></context>\n"
            + "  <spooler><threads>" + spoolerThreads + "</threads><errorRepository>memory://var/mail/error/</errorRepository></spooler>\n"
            + "  <processors>\n"
            + "    <processor state=\"root\" enableJmx=\"false\">\n"
            + "      <mailet match=\"All\" class=\"PostmasterAlias\"/>\n"
            + "      <mailet match=\"RelayLimit=30\" class=\"Null\"/>\n"
            + "      <mailet match=\"All\" class=\"ToProcessor\"><processor>transport</processor></mailet>\n"
            + "    </processor>\n"
            + "    <processor state=\"error\" enableJmx=\"false\">\n"
            + "      <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/error/</repositoryPath></mailet>\n"
            + "    </processor>\n"
            + "    <processor state=\"transport\" enableJmx=\"false\">\n"
            + "      <mailet match=\"All\" class=\"RemoveMimeHeader\"><name>bcc</name></mailet>\n"
            + "      <mailet match=\"All\" class=\"RecipientRewriteTable\"><errorProcessor>error</errorProcessor></mailet>\n"
            + "      <mailet match=\"RecipientIsLocal\" class=\"LocalDelivery\"/>\n"
            + transportMailets
            + "      <mailet match=\"All\" class=\"ToProcessor\"><processor>relay-denied</processor></mailet>\n"
            + "    </processor>\n"
            + "    <processor state=\"bounces\" enableJmx=\"false\">\n"
            + bouncesMailets
            + "    </processor>\n"
            + "    <processor state=\"relay-denied\" enableJmx=\"false\">\n"
            + "      <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/relay-denied/</repositoryPath></mailet>\n"
            + "    </processor>\n"
            + "  </processors>\n"
            + "</mailetcontainer>\n");
        RelayJames james = new RelayJames(workingDirectory);
        james.startServer();
        return james;
    }

    private void startServer() throws Exception {
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory.toFile())
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
        server = MemoryJamesServerMain.createServer(configuration)
            .overrideWith(binder -> com.google.inject.multibindings.Multibinder.newSetBinder(binder, org.apache.james.utils.GuiceProbe.class)
                .addBinding().to(RelayProbe.class));
        server.start();
    }

    /** Stops James (its memory mail queues die with it) and starts a new one on the same directory. */
    public void restart() throws Exception {
        RelayProbe probe = relay();
        server.stop();
        probe.disposeQueued();
        startServer();
    }

    public GuiceJamesServer server() {
        return server;
    }

    public int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    public int imapPort() {
        return server.getProbe(ImapGuiceProbe.class).getImapPort();
    }

    public RelayProbe relay() {
        return server.getProbe(RelayProbe.class);
    }

    public void addUser(String user, String password) throws Exception {
        server.getProbe(DataProbeImpl.class).addUser(user, password);
    }

    private static void copy(String resource, Path target) throws IOException {
        Files.writeString(target, read(resource));
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = RelayJames.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                RelayProbe probe = relay();
                server.stop();
                probe.disposeQueued();
            } catch (Exception e) {
                throw new UncheckedIOException(new IOException("James did not stop cleanly", e));
            }
        }
    }
}
