package org.jamespack.relay.diagnosis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import net.jcip.annotations.Immutable;

/**
 * Plain-language advice for the error texts users of XOAUTH2 relays meet (sasl-xoauth2's tracker,
 * Microsoft's and Google's documented replies): what {@code token test} prints, and what the relay
 * adds to its log line, its health check and its WebAdmin route report for the same reply. When the
 * text holds the JSON of a {@code 334} error challenge ({@link AuthChallenge}), its status and scope
 * give the first piece of advice. Immutable and thread-safe; a pure function of the text, so that it
 * is tested with real error strings.
 *
 * @param code   a short stable name, e.g. {@code AADSTS700082}
 * @param advice what happened and what to do, for a person
 */
@Immutable
public record Diagnosis(String code, String advice) {

    public Diagnosis {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(advice, "advice");
    }

    /**
     * One rule. Rules of the same {@code family} exclude each other: the first match wins, so
     * that a specific cause (AADSTS700082) hides the generic one ({@code invalid_grant}).
     */
    private record Rule(String family, String code, Predicate<String> matches, String advice) {
    }

    private static final String MS = "login.microsoftonline.com";

    private static final List<Rule> RULES = List.of(
        new Rule("grant", "AADSTS7000012", contains("aadsts7000012"),
            "The refresh token was issued by another tenant than the one its token endpoint names: a grant must be"
                + " refreshed at the tenant that issued it. Set token_endpoint to"
                + " https://login.microsoftonline.com/TENANT/oauth2/v2.0/token with that tenant (consumers for"
                + " outlook.com/hotmail.com accounts, organizations or the tenant id for work accounts), or run"
                + " 'token init --provider microsoft --tenant TENANT' again."),
        new Rule("grant", "AADSTS700082", contains("aadsts700082"),
            "The refresh token expired: Microsoft ends a refresh token after 90 days without use. Run 'token init'"
                + " again, then keep the account in use: the relay refreshes idle accounts daily, or run"
                + " 'token refresh FILE' from cron weekly."),
        new Rule("grant", "AADSTS50173", contains("aadsts50173"),
            "The grant was revoked, usually because the account's password was changed or an admin revoked the"
                + " sessions. Run 'token init' again."),
        new Rule("grant", "AADSTS50076", contains("aadsts50076").or(contains("aadsts50079")),
            "Multi-factor authentication or a Conditional Access policy now requires a new sign-in. Run 'token init'"
                + " again (an admin may need to exclude the relay's sign-in from the policy)."),
        new Rule("client", "AADSTS700016", contains("aadsts700016"),
            "Microsoft does not know this client id in the tenant: check the application (client) id, and use the"
                + " tenant the app is registered in (or make the app multi-tenant and use 'organizations'/'common')."),
        new Rule("client", "AADSTS65001", contains("aadsts65001"),
            "Nobody consented to the app's permissions: an admin must grant consent for SMTP.Send (API permissions,"
                + " 'Grant admin consent'), or the user must accept the consent screen during 'token init'."),
        new Rule("client", "AADSTS7000218", contains("aadsts7000218"),
            "Microsoft expects a client secret (or certificate) for this app: either give --client-secret, or allow"
                + " public client flows in the app registration (Authentication, 'Allow public client flows': yes),"
                + " which the device-code grant needs."),
        new Rule("client", "AADSTS7000215", contains("aadsts7000215"),
            "The client secret is wrong: use the secret's value, not its id, and check it has not expired."),
        new Rule("grant", "google-testing", contains("invalid_grant").and(google()),
            "Google refused the refresh token. If the app's OAuth consent screen is in 'Testing', Google ends its"
                + " refresh tokens after 7 days: set the publishing status to 'In production' and run 'token init'"
                + " again. Other causes: the user revoked access, changed the password, the token was unused for 6"
                + " months, or more than 100 refresh tokens were issued for this client and account."),
        new Rule("grant", "invalid_grant", contains("invalid_grant"),
            "The refresh token is no longer valid (expired, revoked, or issued to another client or tenant). Run"
                + " 'token init' again to get a new one."),
        new Rule("client", "invalid_client", contains("invalid_client").or(contains("unauthorized_client")),
            "The token endpoint refused the client: check client_id and client_secret (an expired secret too), and"
                + " that the app may use this grant."),
        new Rule("smtp-auth", "5.7.139", contains("5.7.139"),
            "SMTP AUTH is disabled for the tenant or the mailbox (SmtpClientAuthentication). An Exchange admin must"
                + " enable it: for the mailbox 'Set-CASMailbox -Identity MAILBOX -SmtpClientAuthenticationDisabled"
                + " $false', for the tenant 'Set-TransportConfig -SmtpClientAuthenticationDisabled $false'. Security"
                + " defaults also turn it off. Mail stays queued until then."),
        new Rule("smtp-auth", "5.7.30", contains("5.7.30"),
            "Microsoft no longer accepts passwords (Basic authentication) for SMTP client submission: use an"
                + " oauth= route with a token."),
        new Rule("smtp-auth", "5.5.127", contains("5.5.127"),
            "The token expires too soon for Microsoft's High Volume Email: set refresh_window to 600 seconds or more."),
        new Rule("smtp-auth", "5.7.3", contains("5.7.3 ").or(contains("5.7.3\n")).or(endsWith("5.7.3")),
            "Microsoft refused the token without giving a reason. The usual causes: the token lacks SMTP.Send (scope"
                + " https://outlook.office.com/SMTP.Send and the app's API permissions), user= is not the mailbox the"
                + " token was issued for, SMTP AUTH is off for the mailbox, or, for app-only tokens, the app's service"
                + " principal has no permission on the mailbox (Add-MailboxPermission)."),
        new Rule("smtp-auth", "google-535", contains("535").and(contains("5.7.8").or(contains("5.7.1 "))),
            "The smarthost refused the token for this user: user= must be the account the token was issued for, and"
                + " for Gmail the token needs the scope https://mail.google.com/."),
        new Rule("send-as", "5.2.252", contains("5.2.252").or(contains("sendasdenied")).or(contains("5.7.60")),
            "The mailbox may not send as this sender: use the mailbox's own address as sender (rewrite the sender),"
                + " or have an admin grant 'Send As' (Add-RecipientPermission). Do not retry quickly: Microsoft"
                + " throttles a mailbox that repeats Send-As errors."),
        new Rule("tls", "missing-ca", contains("pkix path building failed")
            .or(contains("unable to find valid certification path")).or(contains("suncertpathbuilderexception")),
            "Java does not trust the server's certificate: its CA is missing from the trust store. Install the"
                + " system CA certificates for Java (Debian: ca-certificates-java), or name a CA bundle"
                + " (ca_bundle_file in the token file, --ca-bundle, or the route's trust store). Never turn"
                + " certificate checks off."),
        new Rule("tls", "hostname", contains("no subject alternative names").or(contains("no name matching")),
            "The server's certificate is not for the host name used: connect with the name in its certificate"
                + " (smtp.office365.com, smtp.gmail.com)."),
        new Rule("net", "unknown-host", contains("unknownhostexception").or(contains("name or service not known")),
            "The host name does not resolve: check its spelling and the host's DNS."),
        new Rule("net", "unreachable", contains("connection refused").or(contains("connect timed out"))
            .or(contains("sockettimeoutexception")).or(contains("no route to host")),
            "The server cannot be reached: check the host and port (587 STARTTLS, 465 implicit TLS) and that a"
                + " firewall lets the connection out."));

    /** The advice for {@code text} (an error message, a server reply, a token endpoint's answer); empty when none applies. */
    public static List<Diagnosis> explain(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        List<Diagnosis> out = new ArrayList<>();
        AuthChallenge.find(text).map(Diagnosis::ofChallenge).ifPresent(out::add);
        Set<String> families = new LinkedHashSet<>();
        for (Rule r : RULES) {
            if (!families.contains(r.family()) && r.matches().test(t)) {
                families.add(r.family());
                out.add(new Diagnosis(r.code(), r.advice()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The advice for {@code text} on one line, {@code [code] advice; [code] advice}, for log lines and health
     * reasons; "" when none applies.
     */
    public static String summary(String text) {
        StringBuilder s = new StringBuilder();
        for (Diagnosis d : explain(text)) {
            s.append(s.length() == 0 ? "" : "; ").append('[').append(d.code()).append("] ").append(d.advice());
        }
        return s.toString();
    }

    /** This diagnosis as {@code [code] advice}. */
    public String line() {
        return "[" + code + "] " + advice;
    }

    /**
     * What the status of a {@code 334} challenge means. Google sends 400 or 401 for a token it does not take, 403 for a
     * token without the right to send; Dovecot 401; RFC 7628 servers an error code.
     */
    private static Diagnosis ofChallenge(AuthChallenge c) {
        String scope = c.scope().map(s -> " (the server names the scope " + s + ")").orElse("");
        String wants = c.scope().map(s -> "the scope " + s).orElse("the scope the server needs");
        switch (c.status().toLowerCase(Locale.ROOT)) {
            case "400":
                return new Diagnosis("challenge-400", "The smarthost's token check answered status 400" + scope + ": it"
                    + " did not take this token for this login. Usually user= is not the account the token was issued"
                    + " for, or the token lacks " + wants + ": run 'token init' again for that account with that scope.");
            case "401":
            case "invalid_token":
                return new Diagnosis("challenge-401", "The smarthost's token check answered status " + c.status() + scope
                    + ": the token is not valid there (expired, revoked, or issued for another account or another"
                    + " service). The relay refreshes a refused token once; if a fresh one is refused too, check that"
                    + " user= is the account the token was issued for and that the token carries " + wants + ".");
            case "403":
            case "insufficient_scope":
                return new Diagnosis("challenge-403", "The smarthost's token check answered status " + c.status() + scope
                    + ": the token is valid but may not send mail. Run 'token init' again asking for " + wants
                    + ", or have an admin allow the account or app to use SMTP.");
            default:
                return new Diagnosis("challenge", "The smarthost refused the token with status " + c.status() + scope
                    + ". Check that user= is the account the token was issued for and that the token carries " + wants
                    + ".");
        }
    }

    private static Predicate<String> contains(String needle) {
        return t -> t.contains(needle);
    }

    private static Predicate<String> endsWith(String needle) {
        return t -> t.stripTrailing().endsWith(needle);
    }

    private static final Pattern GOOGLE = Pattern.compile("(googleapis\\.com|accounts\\.google\\.com|smtp\\.gmail\\.com)");

    /** Google's endpoints appear in the pack's failure details (they name the endpoint). */
    private static Predicate<String> google() {
        return t -> GOOGLE.matcher(t).find() && !t.contains(MS);
    }
}
