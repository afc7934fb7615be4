package org.jamespack.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.SmartHostsParser;
import org.junit.jupiter.api.Test;

/** The sender-identity rules of the relay, route by route (the protocol path is in it/'s RelayIdentityTest). */
class SubmitterCheckTest {

    private static Route route(String line) {
        SmartHostsParser.Result r = SmartHostsParser.parse(line, "routes");
        assertThat(r.problems()).isEmpty();
        return r.routes().get(0);
    }

    private static final Route DOMAIN = route("a.example: host=smtp.example::587 user=relay@a.example oauth=tenant-a");
    private static final Route SHARED = route("shared@a.example: host=smtp.example::587 user=shared@a.example oauth=tenant-s "
        + "submitters=alice@a.example,Carol");
    private static final Route LOCAL = route("cron.example: host=smtp.example::587 user=cron@cron.example oauth=c unauthenticated=allow");
    private static final Route CLOSED = route("b.example: host=smtp.example::587 user=relay@b.example oauth=b unauthenticated=refuse");
    private static final Route NO_ACCOUNT = route("*: host=gateway.example::587");

    private final SubmitterCheck check = new SubmitterCheck(false, SubmitterCheck.Ownership.EXACT);

    @Test
    void refusalShouldBeEmptyWhenTheSubmitterIsTheSenderWhateverTheCase() {
        assertThat(check.refusal(Optional.of("Alice@a.example"), Optional.of("alice@A.example"), DOMAIN)).isEmpty();
    }

    @Test
    void refusalShouldNameSubmitterSenderAndRouteWhenSomeoneSendsAsAnother() {
        assertThat(check.refusal(Optional.of("bob@a.example"), Optional.of("alice@a.example"), DOMAIN)).hasValueSatisfying(why ->
            assertThat(why).contains("alice@a.example does not own the sender address bob@a.example")
                .contains("route 'a.example'").contains("relay@a.example"));
    }

    @Test
    void refusalShouldAskJamesWhenTheAddressIsNotTheUsersOwn() {
        SubmitterCheck withAliases = new SubmitterCheck(false,
            (submitter, sender) -> submitter.equals("alice@a.example") && sender.equals("sales@a.example"));

        assertThat(withAliases.refusal(Optional.of("sales@a.example"), Optional.of("alice@a.example"), DOMAIN)).isEmpty();
        assertThat(withAliases.refusal(Optional.of("sales@a.example"), Optional.of("bob@a.example"), DOMAIN)).isPresent();
    }

    @Test
    void refusalShouldLetOnlyTheNamedSubmittersUseARouteThatNamesThem() {
        assertThat(check.refusal(Optional.of("shared@a.example"), Optional.of("alice@a.example"), SHARED)).isEmpty();
        assertThat(check.refusal(Optional.of("shared@a.example"), Optional.of("carol"), SHARED)).isEmpty();
        assertThat(check.refusal(Optional.of("shared@a.example"), Optional.of("shared@a.example"), SHARED))
            .as("the list is the whole list, even for the mailbox's own user").hasValueSatisfying(why ->
                assertThat(why).contains("not among the submitters"));
        assertThat(check.refusal(Optional.of("shared@a.example"), Optional.empty(), SHARED)).isPresent();
    }

    @Test
    void refusalShouldRefuseMailWithoutAnAuthenticatedSubmitterUnlessAllowed() {
        assertThat(check.refusal(Optional.of("alice@a.example"), Optional.empty(), DOMAIN)).hasValueSatisfying(why ->
            assertThat(why).contains("not submitted by an authenticated user").contains("unauthenticated=allow"));
        assertThat(check.refusal(Optional.of("job@cron.example"), Optional.empty(), LOCAL)).isEmpty();
        assertThat(new SubmitterCheck(true, SubmitterCheck.Ownership.EXACT).refusal(Optional.of("alice@a.example"), Optional.empty(),
            DOMAIN)).as("the mailet's unauthenticated=allow").isEmpty();
        assertThat(new SubmitterCheck(true, SubmitterCheck.Ownership.EXACT).refusal(Optional.of("x@b.example"), Optional.empty(),
            CLOSED)).as("a route's unauthenticated=refuse wins").isPresent();
    }

    @Test
    void refusalShouldBeEmptyForRoutesWithoutAnAccountAndForTheNullSender() {
        assertThat(check.refusal(Optional.of("bob@b.example"), Optional.of("alice@a.example"), NO_ACCOUNT)).isEmpty();
        assertThat(check.refusal(Optional.empty(), Optional.empty(), DOMAIN)).as("only nullSender=default-route leads here").isEmpty();
    }
}
