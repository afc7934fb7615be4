package org.jamespack.auth.james;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * Looks, at start-up, for a login path of James that the pack's module is configured for but
 * that does not go through the pack, and says so at ERROR: an enabled IMAP server without
 * {@link PackImapPackage}, POP3 without {@link PackPop3PassHandler}, SMTP without
 * {@link PackSmtpAuthCmdHandler} and {@link PackAuthHook}, JMAP or ManageSieve enabled (James 3.8.1
 * checks their passwords against its own store). Each of these would let the password James
 * stores log in, past the pack's backends, gates, throttle and audit log, silently.
 *
 * <p>Why text and not James' parsed configuration: the check runs while James' extension injector
 * is built, before the protocol modules read their files; reading the files as James' file system
 * finds them (comments removed) is enough to see which classes they name. It only warns: James
 * decides what its own files mean.
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
final class LoginPathCheck {

    private static final Logger LOGGER = LoggerFactory.getLogger(LoginPathCheck.class);
    private static final Pattern XML_COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern ENABLED_SERVER = Pattern.compile("<(imapserver|pop3server|smtpserver|managesieveserver)(\\s[^>]*)?>");
    private static final Pattern DISABLED = Pattern.compile("enabled\\s*=\\s*\"false\"");
    private static final Pattern JMAP_ENABLED = Pattern.compile("(?m)^\\s*enabled\\s*=\\s*true\\s*$");

    private LoginPathCheck() {
    }

    /** The problems found, each naming the file; also logged at ERROR. */
    static List<String> run(FileSystem fileSystem, Configuration.ConfigurationPath path) {
        List<String> problems = new ArrayList<>();
        read(fileSystem, path, "imapserver.xml").ifPresent(xml -> {
            if (anyEnabled(xml, "imapserver") && !xml.contains(PackImapPackage.class.getName())) {
                problems.add("imapserver.xml: IMAP is enabled without <imapPackages>" + PackImapPackage.class.getName()
                    + "</imapPackages> (beside ImapPackage$DefaultNoAuth): IMAP logins check the password James stores, not the pack");
            }
        });
        read(fileSystem, path, "pop3server.xml").ifPresent(xml -> {
            if (anyEnabled(xml, "pop3server") && !xml.contains(PackPop3PassHandler.class.getName())) {
                problems.add("pop3server.xml: POP3 is enabled without the handler " + PackPop3PassHandler.class.getName()
                    + ": POP3 logins check the password James stores, not the pack");
            }
        });
        read(fileSystem, path, "smtpserver.xml").ifPresent(xml -> {
            if (anyEnabled(xml, "smtpserver")
                && !(xml.contains(PackSmtpAuthCmdHandler.class.getName()) && xml.contains(PackAuthHook.class.getName()))) {
                problems.add("smtpserver.xml: SMTP is enabled without the handlers " + PackSmtpAuthCmdHandler.class.getName()
                    + " and " + PackAuthHook.class.getName() + ": SMTP AUTH does not (strictly) go through the pack");
            }
        });
        read(fileSystem, path, "managesieveserver.xml").ifPresent(xml -> {
            if (anyEnabled(xml, "managesieveserver")) {
                problems.add("managesieveserver.xml: ManageSieve is enabled: its logins check the password James stores, "
                    + "not the pack (set enabled=\"false\")");
            }
        });
        read(fileSystem, path, "jmap.properties").ifPresent(properties -> {
            if (JMAP_ENABLED.matcher(properties).find()) {
                problems.add("jmap.properties: JMAP is enabled (enabled=true): James 3.8.1's JMAP Basic authentication checks "
                    + "the password James stores, not the pack (set enabled=false)");
            }
        });
        problems.forEach(p -> LOGGER.error("authpack: {}", p));
        return List.copyOf(problems);
    }

    private static boolean anyEnabled(String xml, String element) {
        var m = ENABLED_SERVER.matcher(xml);
        while (m.find()) {
            if (m.group(1).equals(element) && (m.group(2) == null || !DISABLED.matcher(m.group(2)).find())) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> read(FileSystem fileSystem, Configuration.ConfigurationPath path, String name) {
        try (InputStream in = fileSystem.getResource(path.asString() + name)) {
            return Optional.of(XML_COMMENT.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8)).replaceAll(""));
        } catch (FileNotFoundException e) {
            // James runs that protocol only when its file is there
            return Optional.empty();
        } catch (IOException e) {
            LOGGER.error("authpack: cannot read {} to check its login path: {}", name, e.getMessage());
            return Optional.empty();
        }
    }
}
