package org.jamespack.relay.ops;

import org.jamespack.auth.james.PackAddOn;

import com.google.inject.Module;

import net.jcip.annotations.Immutable;

/**
 * Puts {@link RelayOpsModule} into the pack's launcher: listed in this jar's
 * {@code META-INF/services/org.jamespack.auth.james.PackAddOn}, so that dropping the relay jar
 * beside the authenticators is enough. Immutable.
 */
@Immutable
public final class RelayAddOn implements PackAddOn {

    @Override
    public Module module() {
        return new RelayOpsModule();
    }
}
