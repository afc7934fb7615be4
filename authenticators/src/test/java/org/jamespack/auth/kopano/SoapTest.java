package org.jamespack.auth.kopano;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The hand-written requests and the StAX reading of answers, without a server. */
class SoapTest {

    static String envelope(String body) {
        return "<?xml version=\"1.0\"?><E:Envelope xmlns:E=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            + "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><E:Body>" + body + "</E:Body></E:Envelope>";
    }

    @Test
    void parseBodyShouldRefuseADtdSoNoExternalEntityIsEverRead() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<E:Envelope xmlns:E=\"http://schemas.xmlsoap.org/soap/envelope/\"><E:Body><a>&e;</a></E:Body></E:Envelope>";

        assertThatThrownBy(() -> Soap.parseBody(xxe)).isInstanceOf(Soap.SoapException.class).hasMessageNotContaining("root:");
    }

    @Test
    void parseBodyShouldStillRefuseADtdAndReadWellAfterAReusedParserFailed() throws Exception {
        // the parser is reused between answers: a failed parse must leave it neither lax nor stuck
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<E:Envelope xmlns:E=\"http://schemas.xmlsoap.org/soap/envelope/\"><E:Body><a>&e;</a></E:Body></E:Envelope>";
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> Soap.parseBody(xxe)).isInstanceOf(Soap.SoapException.class).hasMessageNotContaining("root:");
            assertThatThrownBy(() -> Soap.parseBody(envelope("<a><b></a>"))).isInstanceOf(Soap.SoapException.class);
            assertThat(Soap.logonResult(Soap.parseBody(envelope("<z:logonResponse xmlns:z=\"urn:zarafa\">"
                + "<er>" + i + "</er></z:logonResponse>"))).er()).isEqualTo(i);
        }
    }

    @Test
    void logonAndUserResultsShouldRefuseAMissingNilEmptyOrNonNumericErrorCode() {
        List<String> bad = List.of("", "<er i:nil=\"true\"/>", "<er></er>", "<er> </er>", "<er>OK</er>", "<er>-1</er>");
        for (String er : bad) {
            assertThatThrownBy(() -> Soap.logonResult(Soap.parseBody(envelope("<z:logonResponse xmlns:z=\"urn:zarafa\">"
                + er + "<ulSessionId>5</ulSessionId></z:logonResponse>"))))
                .as(er).isInstanceOf(Soap.MalformedAnswerException.class).hasMessageContaining("logonResponse");
            assertThatThrownBy(() -> Soap.userResult(Soap.parseBody(envelope("<z:getUserResponse xmlns:z=\"urn:zarafa\">"
                + "<lpsUser><ulObjClass>65537</ulObjClass></lpsUser>" + er + "</z:getUserResponse>"))))
                .as(er).isInstanceOf(Soap.MalformedAnswerException.class).hasMessageContaining("getUserResponse");
        }
    }

    @Test
    void logonResultShouldMatchLocalNamesInAnyOrderAndPrefixAndDecodeEntities() throws Exception {
        Soap.LogonResult r = Soap.logonResult(Soap.parseBody(envelope("<z:logonResponse xmlns:z=\"urn:zarafa\">"
            + "<lpszVersion>0,8&amp;7&#44;1</lpszVersion><ulSessionId>18446744073709551615</ulSessionId><er>0</er>"
            + "<unknown a=\"b\"/></z:logonResponse>")));

        assertThat(r.er()).isZero();
        assertThat(r.sessionId()).isEqualTo(-1L);
        assertThat(Soap.sessionText(r.sessionId())).isEqualTo("18446744073709551615");
        assertThat(r.version()).isEqualTo("0,8&7,1");
    }

    @Test
    void userResultShouldTakeOmittedAndNilNullsAsAbsent() throws Exception {
        Soap.UserResult omitted = Soap.userResult(Soap.parseBody(envelope("<ns:getUserResponse xmlns:ns=\"urn:zarafa\">"
            + "<lpsUser><ulObjClass>65537</ulObjClass></lpsUser><er>0</er></ns:getUserResponse>")));
        Soap.UserResult nil = Soap.userResult(Soap.parseBody(envelope("<ns:getUserResponse xmlns:ns=\"urn:zarafa\">"
            + "<lpsUser i:nil=\"true\"/><er>2147483664</er></ns:getUserResponse>")));

        assertThat(omitted.objectClass()).isEqualTo(65537);
        assertThat(omitted.disabled()).isEmpty();
        assertThat(nil.er()).isEqualTo(Soap.END_OF_SESSION);
    }

    @Test
    void userResultShouldSelectTheFeatureListsByPropertyId() throws Exception {
        Soap.UserResult u = Soap.userResult(Soap.parseBody(envelope("<ns:getUserResponse xmlns:ns=\"urn:zarafa\"><lpsUser>"
            + "<ulObjClass>65537</ulObjClass><lpsMVPropmap>"
            + "<item><ulPropId>1</ulPropId><sValues><item>imap</item></sValues></item>"
            + "<item><ulPropId>1739853854</ulPropId><sValues><item>IMAP</item><item i:nil=\"true\"/></sValues></item>"
            + "</lpsMVPropmap></lpsUser><er>0</er></ns:getUserResponse>")));

        assertThat(u.disabled()).contains(List.of("IMAP"));
        assertThat(u.enabled()).isEmpty();
    }

    @Test
    void aFaultShouldBeReadAsAFault() {
        assertThatThrownBy(() -> Soap.logonResult(Soap.parseBody(envelope(
            "<E:Fault><faultcode>E:Client</faultcode><faultstring>Method 'x' not implemented</faultstring></E:Fault>"))))
            .isInstanceOf(Soap.FaultException.class).hasMessageContaining("not implemented");
    }

    @Test
    void logonShouldEscapeEveryXmlSpecialCharacterAndCarriageReturns() throws Exception {
        String xml = Soap.logon("a<b", "p&<>\"'\r\n", 1, "app");

        assertThat(xml).contains("<szUsername>a&lt;b</szUsername>")
            .contains("<szPassword>p&amp;&lt;&gt;&quot;&apos;&#13;\n</szPassword>")
            .contains("<ulFlags>1</ulFlags>").contains("<ulCapabilities>528</ulCapabilities>")
            .contains("<szImpersonateUser></szImpersonateUser>").contains("<sLicenseReq></sLicenseReq>");
        assertThat(Soap.parse(xml).child("Body").get().children().get(0).text("szPassword")).contains("p&<>\"'\r\n".trim());
    }

    @Test
    void logonShouldRefuseACharacterXmlCannotCarryWithoutNamingIt() {
        assertThatThrownBy(() -> Soap.logon("alice", "se\u0001cret", 1, "app"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("se");
        assertThat(Soap.xmlSafe("ok😀".toCharArray())).isTrue();
        assertThat(Soap.xmlSafe(new char[] {'a', '\uD800'})).isFalse();
    }

    @Test
    void maskSessionsShouldHidePasswordsAndSessionIds() {
        String masked = Soap.maskSessions(Soap.logon("alice", "pw", 1, "a") + Soap.logoff("9305357566071262703")
            + "<lpszPassword/><lpszPassword>x</lpszPassword>");

        assertThat(masked).contains("<szPassword>***</szPassword>").contains("<ulSessionId>***</ulSessionId>")
            .contains("<lpszPassword/><lpszPassword>***</lpszPassword>").doesNotContain("9305357566071262703");
    }
}
