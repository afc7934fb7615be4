package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ProviderTest {

    @Test
    void microsoftShouldUseTheTenantsV2EndpointsAndTheSmtpScope() {
        Provider p = Provider.microsoft("organizations");

        assertThat(p.authorizationEndpoint()).contains(URI.create("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"));
        assertThat(p.tokenEndpoint()).isEqualTo(URI.create("https://login.microsoftonline.com/organizations/oauth2/v2.0/token"));
        assertThat(p.deviceEndpoint()).contains(URI.create("https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode"));
        assertThat(p.scope()).isEqualTo("https://outlook.office.com/SMTP.Send offline_access");
        assertThat(Provider.microsoft("0b2d5a7e-1111-2222-3333-444455556666").tokenEndpoint().getPath())
            .isEqualTo("/0b2d5a7e-1111-2222-3333-444455556666/oauth2/v2.0/token");
        assertThat(Provider.microsoft("contoso.onmicrosoft.com").tokenEndpoint().getHost()).isEqualTo("login.microsoftonline.com");
    }

    @Test
    void microsoftShouldRefuseATenantThatWouldChangeTheUrl() {
        assertThatThrownBy(() -> Provider.microsoft("../common")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Provider.microsoft("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Provider.microsoft("evil.com?x=")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void googleShouldAskForOfflineAccessAndConsentWithTheMailScope() {
        Provider p = Provider.google();

        assertThat(p.tokenEndpoint()).isEqualTo(URI.create("https://oauth2.googleapis.com/token"));
        assertThat(p.authorizationEndpoint()).contains(URI.create("https://accounts.google.com/o/oauth2/v2/auth"));
        assertThat(p.deviceEndpoint()).isEmpty();
        assertThat(p.scope()).isEqualTo("https://mail.google.com/");
        assertThat(p.extraParameters()).containsEntry("access_type", "offline").containsEntry("prompt", "consent");
        assertThat(p.withTokenEndpoint(URI.create("http://127.0.0.1:1/t")).tokenEndpoint()).hasPort(1);
        assertThat(p.nativeClientRedirect()).isEqualTo(Optional.empty());
    }
}
