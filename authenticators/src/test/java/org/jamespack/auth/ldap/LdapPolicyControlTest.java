package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;

/**
 * The password-policy request control goes only to a directory that may honour it: UnboundID's
 * in-memory server lists its supported controls in the root DSE without it, so user binds carry
 * none. (That slapd with its ppolicy overlay still gets it, and answers a locked account, is
 * {@code SlapdLdapTest.verifyShouldDisableLockedAccountWhenPpolicyLocksAfterThreeFailures}.)
 */
class LdapPolicyControlTest {

    private static final String OID = DraftBeheraLDAPPasswordPolicy10RequestControl.PASSWORD_POLICY_REQUEST_OID;

    @Test
    void userBindsShouldCarryNoPolicyControlWhenTheRootDseListsControlsWithoutIt() throws Exception {
        List<List<String>> bindControls = new CopyOnWriteArrayList<>();
        InMemoryOperationInterceptor recorder = new InMemoryOperationInterceptor() {
            @Override
            public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
                if (request.getRequest().getBindDN().startsWith("uid=")) {
                    bindControls.add(java.util.Arrays.stream(request.getRequest().getControls()).map(Control::getOID).toList());
                }
            }
        };
        try (InMemoryLdap ldap = InMemoryLdap.start(recorder)) {
            ldap.addSshaUser("alice", "alice@example.org", "alice-pw");
            assertThat(ldap.server().getRootDSE().supportsControl(OID)).as("the in-memory server does not list ppolicy").isFalse();
            try (LdapVerifier v = LdapVerifier.create(ldap.settings().build())) {

                Verdict right = v.verify(LoginAttempt.of("alice", Secret.of("alice-pw"), Protocol.IMAP));
                Verdict wrong = v.verify(LoginAttempt.of("alice", Secret.of("nope"), Protocol.IMAP));

                assertThat(right.state()).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(wrong.state()).isEqualTo(Verdict.State.REJECTED);
                assertThat(bindControls).isNotEmpty().allSatisfy(oids -> assertThat(oids).doesNotContain(OID));
            }
        }
    }
}
