/**
 * The relay mailet's background work: {@link org.jamespack.relay.worker.QueueWorker} (the relay's own mail queue,
 * its journal and the delivery threads) and {@link org.jamespack.relay.worker.TokenUpkeep} (tokens kept fresh ahead
 * of mail). Both run on the scheduler the mailet owns and disposes of in {@code destroy()}. No settings of their
 * own: the mailet passes what its {@code <mailet>} element says (table in {@code org.jamespack.relay}).
 */
@NullMarked
package org.jamespack.relay.worker;

import org.jspecify.annotations.NullMarked;
