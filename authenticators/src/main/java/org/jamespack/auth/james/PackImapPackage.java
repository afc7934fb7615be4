package org.jamespack.auth.james;

import java.util.stream.Stream;

import org.apache.james.imap.decode.parser.AuthenticateCommandParser;
import org.apache.james.imap.decode.parser.LoginCommandParser;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;

import com.google.common.collect.ImmutableList;

import net.jcip.annotations.Immutable;

/**
 * The pack's IMAP login commands for {@code imapserver.xml}, beside James' own
 * {@code ImapPackage$DefaultNoAuth} (every command but LOGIN and AUTHENTICATE):
 * <pre>{@code
 * <imapservers>
 *   <imapPackages>org.apache.james.modules.protocols.ImapPackage$DefaultNoAuth</imapPackages>
 *   <imapPackages>org.jamespack.auth.james.PackImapPackage</imapPackages>
 *   <imapserver …>
 * }</pre>
 * James 3.8.1's {@code IMAPServerModule} loads each named package through its extension
 * injector and joins them; James' own parsers read the commands, {@link PackLoginProcessor}
 * and {@link PackAuthenticateProcessor} answer them. Naming James' {@code DefaultAuth} too would
 * give LOGIN two processors: James refuses to start then (duplicate key), never picks one silently.
 *
 * <p>Immutable.
 */
@Immutable
public final class PackImapPackage extends ImapPackage.Impl {

    public PackImapPackage() {
        super(names(PackLoginProcessor.class, PackAuthenticateProcessor.class),
            names(LoginCommandParser.class, AuthenticateCommandParser.class),
            ImmutableList.of());
    }

    private static ImmutableList<ClassName> names(Class<?>... classes) {
        return Stream.of(classes).map(c -> new ClassName(c.getName())).collect(ImmutableList.toImmutableList());
    }
}
