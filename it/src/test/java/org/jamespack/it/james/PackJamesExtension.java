package org.jamespack.it.james;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.modules.protocols.ImapGuiceProbe;
import org.apache.james.modules.protocols.Pop3GuiceProbe;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.james.AuthPackModule;
import org.jamespack.auth.pack.BackendFactories;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import com.google.inject.Module;

/**
 * A real James 3.8.1 with the pack, in-process, once per test class: the reusable harness of the
 * end-to-end tests. It wraps James' own {@link JamesServerExtension} (PER_CLASS lifecycle), writes
 * a {@code conf/} directory for each start from the XML files under {@code james-conf/} on the
 * test classpath (loopback binds on port 0, AUTH announced, the pack's hook in the SMTP chain)
 * plus a {@code usersrepository.xml} given by the test (evaluated when James starts, so that it
 * can name the port of a directory started just before), and reads the ports back from James'
 * probes.
 *
 * <pre>{@code
 * @RegisterExtension @Order(1) static InMemoryLdap ldap = ...;
 * @RegisterExtension @Order(2) static PackJamesExtension james = PackJamesExtension.builder()
 *     .usersRepositoryXml(() -> "<usersrepository><authpack mode=\"directory\">…</authpack></usersrepository>")
 *     .build();
 * ... new SmtpClient(james.smtpPort()) ...
 * }</pre>
 *
 * <p>Not thread-safe: JUnit drives it from one thread.
 */
public final class PackJamesExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
    ParameterResolver {

    /** The classpath folder with the XML files every test James uses. */
    public static final String DEFAULT_CONF = "james-conf/";
    private static final List<String> CONF_FILES = List.of("smtpserver.xml", "imapserver.xml", "pop3server.xml",
        "domainlist.xml", "dnsservice.xml", "mailrepositorystore.xml", "mailetcontainer.xml", "listeners.xml");

    private final JamesServerExtension james;
    private AuthPack pack;

    private PackJamesExtension(Builder b) {
        this.james = new JamesServerBuilder<MemoryJamesConfiguration>(tmp -> configuration(tmp, b))
            .server(conf -> server(conf, b))
            .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
            .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static MemoryJamesConfiguration configuration(File workingDirectory, Builder b) {
        Path conf = workingDirectory.toPath().resolve("conf");
        try {
            Files.createDirectories(conf);
            for (String name : CONF_FILES) {
                copyResource(b.confResource + name, conf.resolve(name));
            }
            for (Map.Entry<String, Supplier<String>> e : b.extraFiles.entrySet()) {
                Files.writeString(conf.resolve(e.getKey()), e.getValue().get(), StandardCharsets.UTF_8);
            }
            Files.writeString(conf.resolve(AuthPack.USERS_REPOSITORY_FILE), b.usersRepositoryXml.get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // DEFAULT: an ldapHost attribute must never switch James to its own LDAP module
        return MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory)
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
    }

    private static void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = PackJamesExtension.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private GuiceJamesServer server(MemoryJamesConfiguration conf, Builder b) {
        GuiceJamesServer server = MemoryJamesServerMain.createServer(conf);
        AuthPackModule module = AuthPackModule.fromConfiguration(conf, b.factories);
        pack = module.pack();
        server = server.overrideWith(module);
        return server.overrideWith(b.modules.toArray(Module[]::new));
    }

    public GuiceJamesServer server() {
        return james.getGuiceJamesServer();
    }

    /** The pack the module shares. */
    public AuthPack pack() {
        return pack;
    }

    public int smtpPort() {
        return server().getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    public int imapPort() {
        return server().getProbe(ImapGuiceProbe.class).getImapPort();
    }

    public int pop3Port() {
        return server().getProbe(Pop3GuiceProbe.class).getPop3Port();
    }

    /** Adds a user to James' own repository (password-only mode: James says who exists). */
    public void addJamesUser(String user, String jamesPassword) {
        try {
            server().getProbe(DataProbeImpl.class).addUser(user, jamesPassword);
        } catch (Exception e) {
            throw new IllegalStateException("cannot add " + user + " to James", e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        james.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            james.afterAll(context);
        } finally {
            if (pack != null) {
                pack.close();
                pack = null;
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        james.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        james.afterEach(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        return james.supportsParameter(p, e);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        return james.resolveParameter(p, e);
    }

    /** Not thread-safe. */
    public static final class Builder {
        private Supplier<String> usersRepositoryXml = () -> {
            throw new IllegalStateException("no usersrepository.xml given");
        };
        private BackendFactories factories = BackendFactories.standard();
        private String confResource = DEFAULT_CONF;
        private final Map<String, Supplier<String>> extraFiles = new LinkedHashMap<>();
        private final List<Module> modules = new ArrayList<>();

        /** The whole {@code usersrepository.xml}, with its {@code <authpack>} element; asked for when James starts. */
        public Builder usersRepositoryXml(Supplier<String> xml) {
            this.usersRepositoryXml = xml;
            return this;
        }

        /** The backend table the launcher module uses (default: the pack's standard one). */
        public Builder backends(BackendFactories factories) {
            this.factories = factories;
            return this;
        }

        /** Another classpath folder holding the files of {@link #CONF_FILES}. */
        public Builder confResource(String folder) {
            this.confResource = folder.endsWith("/") ? folder : folder + "/";
            return this;
        }

        /** Another file in {@code conf/}, e.g. {@code webadmin.properties}. */
        public Builder confFile(String name, Supplier<String> content) {
            extraFiles.put(name, content);
            return this;
        }

        /** More Guice modules, overriding James' (e.g. probes). */
        public Builder overrideWith(Module module) {
            modules.add(module);
            return this;
        }

        public PackJamesExtension build() {
            return new PackJamesExtension(this);
        }
    }
}
