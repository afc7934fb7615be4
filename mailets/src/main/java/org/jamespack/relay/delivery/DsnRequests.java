package org.jamespack.relay.delivery;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.jamespack.relay.smtp.DsnRequest;

import net.jcip.annotations.Immutable;

/**
 * The DSN request James kept on a mail ({@link Mail#dsnParameters()}: what the submitting client gave with
 * {@code MAIL FROM} and {@code RCPT TO}, RFC 3461) in the SMTP client's terms. Stateless and thread-safe.
 */
@Immutable
final class DsnRequests {

    private DsnRequests() {
    }

    static DsnRequest of(Mail mail) {
        Optional<DsnParameters> found = mail.dsnParameters();
        if (found.isEmpty()) {
            return DsnRequest.NONE;
        }
        DsnParameters dsn = found.get();
        Map<String, DsnRequest.Recipient> recipients = new HashMap<>();
        dsn.getRcptParameters().forEach((address, p) -> {
            Set<String> notify = p.getNotifyParameter().map(n -> n.stream().map(Enum::name).collect(Collectors.toSet()))
                .orElse(Set.of());
            recipients.put(address.asString().toLowerCase(Locale.ROOT),
                new DsnRequest.Recipient(notify, p.getOrcptParameter().map(MailAddress::asString)));
        });
        return new DsnRequest(dsn.getRetParameter().map(Enum::name), dsn.getEnvIdParameter().map(DsnParameters.EnvId::asString),
            recipients);
    }
}
