package org.jamespack.relay.worker;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamespack.relay.delivery.DeliveryOutcome;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.SubmitterCheck;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.route.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The relay's mail queue and what works on it: {@link #enqueue} (journal first, then the queue), the workers that
 * dequeue and deliver, and the submitter check done when mail is taken and again before each delivery.
 * Thread-safe: James' threads enqueue while the workers (on the relay's scheduler) deliver.
 *
 * <p>Never loses mail: what could not be delivered yet goes back into the queue with a delay (and replaces the
 * journal's copy) before the dequeued item is acknowledged; an unexpected failure re-queues the mail for 15 minutes.
 */
@ThreadSafe
public final class QueueWorker {

    /** Why the relay refused a message for its sender (String), set with James' {@code errorMessage}. */
    public static final AttributeName REFUSED = AttributeName.of("org.jamespack.relay.refused");

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueWorker.class);

    private final String mailetName;
    private final MailQueue queue;
    private final Optional<MailRepository> journal;
    private final RelayDelivery delivery;
    private final TokenSources tokens;
    private final SubmitterCheck submitters;
    private final String refusedProcessor;
    private final MailetContext context;
    private final RelayMetrics metrics;
    /** Deliveries running now; {@link #awaitDeliveries} waits for them before the relay closes what they use. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Disposable workers;

    /**
     * @param journal a persistent copy of every queued message, or empty (the queue alone keeps the mail)
     */
    public QueueWorker(String mailetName, MailQueue queue, Optional<MailRepository> journal, RelayDelivery delivery,
                       TokenSources tokens, SubmitterCheck submitters, String refusedProcessor, MailetContext context,
                       RelayMetrics metrics) {
        this.mailetName = mailetName;
        this.queue = queue;
        this.journal = journal;
        this.delivery = delivery;
        this.tokens = tokens;
        this.submitters = submitters;
        this.refusedProcessor = refusedProcessor;
        this.context = context;
        this.metrics = metrics;
    }

    /**
     * Queues again what the journal holds: messages accepted before a restart and not yet delivered or bounced
     * (their attempt count and first-attempt time travel with them as attributes).
     *
     * @return how many were queued
     */
    public static int replay(MailRepository journal, MailQueue queue) throws MessagingException {
        int requeued = 0;
        for (Iterator<MailKey> keys = journal.list(); keys.hasNext(); ) {
            Mail mail = journal.retrieve(keys.next());
            if (mail == null) {
                continue;
            }
            try {
                queue.enQueue(mail);
                requeued++;
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
        return requeued;
    }

    /** Starts {@code threads} workers on {@code scheduler}; {@link #stop} ends them. */
    public void start(Scheduler scheduler, int threads) {
        workers = Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> handle(item)).subscribeOn(scheduler), threads)
            .subscribe();
    }

    /** Takes {@code mail} into the queue (and the journal first). */
    public void enqueue(Mail mail) throws MessagingException {
        if (journal.isPresent()) {
            // first on disk, then in the queue: a crash in between re-sends nothing twice and loses nothing
            journal.get().store(mail);
        }
        queue.enQueue(mail);
    }

    /** Delivers one dequeued item and acknowledges it; what is left goes back with a delay first. */
    public void handle(MailQueueItem item) {
        inFlight.incrementAndGet();
        Mail mail = item.getMail();
        try {
            Optional<Route> route = delivery.routeFor(mail);
            if (route.isPresent() && refused(mail, route.get())) {
                // checked again: the route table may have changed since the mail was queued (or the journal replayed it)
                context.sendMail(mail, refusedProcessor);
                forget(mail);
                item.done(MailQueueItem.CompletionStatus.SUCCESS);
                return;
            }
            DeliveryOutcome outcome = delivery.deliver(mail);
            if (outcome instanceof DeliveryOutcome.Requeue requeue) {
                if (journal.isPresent()) {
                    // what is left (fewer recipients, attempt count) replaces the journal's copy
                    journal.get().store(mail);
                }
                queue.enQueue(mail, requeue.delay());
            } else {
                forget(mail);
            }
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            count(route, outcome);
        } catch (Exception | LinkageError e) {
            // a bug must not lose the mail: put it back for later, then acknowledge
            LOGGER.error("XOAuth2Relay: unexpected failure delivering {}; re-queued for 15 minutes", mail.getName(), e);
            try {
                queue.enQueue(mail, Duration.ofMinutes(15));
                item.done(MailQueueItem.CompletionStatus.SUCCESS);
            } catch (MailQueue.MailQueueException again) {
                LOGGER.error("XOAuth2Relay: cannot re-queue {}; leaving it to the queue's own retry", mail.getName(), again);
                try {
                    item.done(MailQueueItem.CompletionStatus.RETRY);
                } catch (MailQueue.MailQueueException ignored) {
                    LOGGER.error("XOAuth2Relay: the queue refused RETRY for {}", mail.getName(), ignored);
                }
            }
        } finally {
            // the queue stored its own copy when re-queueing; this one's resources go now (as RemoteDelivery does)
            LifecycleUtil.dispose(mail);
            synchronized (inFlight) {
                if (inFlight.decrementAndGet() == 0) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    private void forget(Mail mail) throws MessagingException {
        if (journal.isPresent()) {
            journal.get().remove(MailKey.forMail(mail));
        }
    }

    /**
     * Whether {@code mail} may not use {@code route}'s account (see {@link SubmitterCheck}); when so, logs why (WARN:
     * an operator wants to know that someone sends as another) and marks the mail with the reason for the processor.
     */
    public boolean refused(Mail mail, Route route) {
        // James' SMTP server sets it to the authenticated user name (a String); anything else counts as nobody
        Optional<String> submitter = mail.getAttribute(Mail.SMTP_AUTH_USER).map(a -> a.getValue().value())
            .filter(String.class::isInstance).map(String.class::cast).filter(s -> !s.isBlank());
        Optional<String> why = submitters.refusal(mail.getMaybeSender().asOptional().map(MailAddress::asString), submitter, route);
        if (why.isEmpty()) {
            return false;
        }
        String reason = "XOAuth2Relay " + mailetName + " refused to send: " + why.get();
        LOGGER.warn("{}; mail {} handed to processor {}", reason, mail.getName(), refusedProcessor);
        mail.setAttribute(new Attribute(REFUSED, AttributeValue.of(why.get())));
        mail.setAttribute(new Attribute(MailetBounces.DELIVERY_ERROR, AttributeValue.of(reason)));
        mail.setErrorMessage(reason);
        return true;
    }

    /** Where refused mail goes. */
    public String refusedProcessor() {
        return refusedProcessor;
    }

    private void count(Optional<Route> route, DeliveryOutcome outcome) {
        String key = route.map(Route::key).orElse("none");
        if (outcome instanceof DeliveryOutcome.Requeue) {
            metrics.deferred(key);
        } else {
            DeliveryOutcome.Done done = (DeliveryOutcome.Done) outcome;
            if (done.delivered() > 0) {
                metrics.sent(key);
            }
            if (done.bounced() > 0) {
                metrics.bounced(key);
            }
        }
        route.filter(Route::usesToken).flatMap(tokens::forRoute).ifPresent(s -> metrics.tokenObserved(s.status()));
    }

    /**
     * Stops taking items from the queue, then waits (at most {@code max}) for the deliveries still running: they use
     * the connections and token sources the relay closes next, and may re-queue their mail.
     */
    public void stop(Duration max) {
        Disposable w = workers;
        if (w != null) {
            w.dispose();
        }
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOGGER.warn("XOAuth2Relay {}: {} delivery(ies) still running at shutdown", mailetName, inFlight.get());
                    return;
                }
                try {
                    inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
