package org.jamespack.auth.kopano.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stand-in plays the wire facts the verifier depends on. */
@Timeout(30)
class KopanoStandInTest {

    KopanoStandIn standIn;

    @BeforeEach
    void setUp() throws IOException {
        standIn = KopanoStandIn.start();
        standIn.addUser("alice", "pw");
    }

    @AfterEach
    void tearDown() {
        standIn.close();
    }

    @Test
    void getShouldBeAnswered405WithAFaultAndAClosedConnection() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            SoapProbe.Answer a = p.request("GET", "");
            assertThat(a.status()).isEqualTo(405);
            assertThat(a.body()).contains("Fault");
            assertThat(p.closedByServer()).isTrue();
        }
    }

    @Test
    void aWrongNamespaceShouldGetAFaultAndAClosedConnection() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            SoapProbe.Answer a = p.post(SoapProbe.logon("alice", "pw", 1, 528).replace("urn:zarafa", "urn:other"));
            assertThat(a.status()).isEqualTo(500);
            assertThat(a.body()).contains("not implemented");
            assertThat(p.closedByServer()).isTrue();
        }
    }

    @Test
    void logonShouldNeedTheUnicodeCapability() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            assertThat(p.post(SoapProbe.logon("alice", "pw", 1, 16)).er()).isEqualTo(KopanoStandIn.UNICODE_MISSING);
        }
    }

    @Test
    void logonShouldGiveUnsignedSessionIdsAboveTwoToThe63AndKeepTheConnection() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            SoapProbe.Answer a = p.post(SoapProbe.logon("alice", "pw", 1, 528));
            assertThat(a.er()).isZero();
            assertThat(a.sessionId()).isNegative();
            assertThat(a.body()).doesNotContain("<ulSessionId>-");
            assertThat(a.headers()).contains("Content-Length").contains("keep-alive");
            assertThat(p.post(SoapProbe.logoff(Long.toUnsignedString(a.sessionId()))).body()).contains("<result>0</result>");
        }
        assertThat(standIn.openSessions()).isZero();
    }

    @Test
    void aNegativeSessionIdShouldGetAFault() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            SoapProbe.Answer a = p.post(SoapProbe.logon("alice", "pw", 1, 528));
            SoapProbe.Answer g = p.post(SoapProbe.getUser(Long.toString(a.sessionId())));
            assertThat(g.status()).isEqualTo(500);
            assertThat(g.body()).contains("invalid value");
        }
    }

    @Test
    void aSessionShouldBeBoundToItsSourceAddress() throws IOException {
        long session;
        try (SoapProbe p = SoapProbe.connect(standIn.port(), InetAddress.getByName("127.0.0.1"))) {
            session = p.post(SoapProbe.logon("alice", "pw", 1, 528)).sessionId();
        }
        String id = Long.toUnsignedString(session);
        try (SoapProbe other = SoapProbe.connect(standIn.port(), InetAddress.getByName("127.0.0.2"))) {
            assertThat(other.post(SoapProbe.getUser(id)).er()).isEqualTo(KopanoStandIn.END_OF_SESSION);
            assertThat(other.post(SoapProbe.logoff(id)).body()).contains("<result>2147483664</result>");
        }
        try (SoapProbe same = SoapProbe.connect(standIn.port(), InetAddress.getByName("127.0.0.1"))) {
            assertThat(same.post(SoapProbe.getUser(id)).body()).contains("<ulObjClass>65537</ulObjClass>");
            assertThat(same.post(SoapProbe.logoff(id)).body()).contains("<result>0</result>");
        }
    }

    @Test
    void aChunkedBodyWithExpectContinueShouldBeAccepted() throws IOException {
        byte[] body = SoapProbe.logon("alice", "pw", 1, 528).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String half = new String(body, 0, 100, java.nio.charset.StandardCharsets.UTF_8);
        String rest = new String(body, 100, body.length - 100, java.nio.charset.StandardCharsets.UTF_8);
        String request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nExpect: 100-continue\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(100) + "\r\n" + half + "\r\n"
            + Integer.toHexString(rest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) + "\r\n" + rest + "\r\n0\r\n\r\n";
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            assertThat(p.raw(request).er()).isZero();
        }
    }

    @Test
    void theServerDefaultShouldDisableImapAndPop3AndUserOverridesMerge() throws IOException {
        standIn.addUser("bob", "pw").enable("imap").disable("mobile");
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            String id = Long.toUnsignedString(p.post(SoapProbe.logon("bob", "pw", 1, 528)).sessionId());
            String user = p.post(SoapProbe.getUser(id)).body();
            assertThat(user).contains("<ulPropId>1739853854</ulPropId><sValues SOAP-ENC:arrayType=\"xsd:string[2]\">"
                + "<item>pop3</item><item>mobile</item></sValues>");
            assertThat(user).contains("<ulPropId>1739788318</ulPropId><sValues SOAP-ENC:arrayType=\"xsd:string[3]\">"
                + "<item>imap</item><item>outlook</item><item>webapp</item></sValues>");
            p.post(SoapProbe.logoff(id));
        }
    }

    @Test
    void aClientAskingForCompressionOrEnhancedIcsShouldBeRecorded() throws IOException {
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            p.post(SoapProbe.logon("alice", "wrong", 1, 528 | 0x100 | 0x20));
        }
        assertThat(standIn.clientViolations()).singleElement().asString().contains("beyond 528");
    }

    @Test
    void everyLogonFailureShouldBeTheSameCode() throws IOException {
        standIn.addUser("inactive", "pw").objectClass(65538);
        try (SoapProbe p = SoapProbe.connect(standIn.port())) {
            assertThat(p.post(SoapProbe.logon("alice", "wrong", 1, 528)).er()).isEqualTo(KopanoStandIn.LOGON_FAILED);
            assertThat(p.post(SoapProbe.logon("nobody", "pw", 1, 528)).er()).isEqualTo(KopanoStandIn.LOGON_FAILED);
            assertThat(p.post(SoapProbe.logon("inactive", "pw", 1, 528)).er()).isEqualTo(KopanoStandIn.LOGON_FAILED);
        }
    }
}
