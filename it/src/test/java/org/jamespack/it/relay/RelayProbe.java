package org.jamespack.it.relay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailetcontainer.impl.CompositeProcessorImpl;
import org.apache.james.mailetcontainer.lib.AbstractStateMailetProcessor;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.GuiceProbe;
import org.apache.mailet.Mailet;
import org.jamespack.relay.XOAuth2Relay;

import net.jcip.annotations.ThreadSafe;

/**
 * Looks into a running James for the relay's state: its unhealthy accounts (what an operator's
 * health check would read) and what waits in its queue. Thread-safe: reads only, except
 * {@link #disposeQueued}, which is for a stopped James.
 */
@ThreadSafe
public final class RelayProbe implements GuiceProbe {

    // providers: asking for the mailet container while probes are built would initialise it before its repositories
    private final javax.inject.Provider<CompositeProcessorImpl> processors;
    private final javax.inject.Provider<MailQueueFactory<?>> queues;
    private final javax.inject.Provider<org.apache.james.mailrepository.api.MailRepositoryStore> repositories;

    @Inject
    RelayProbe(javax.inject.Provider<CompositeProcessorImpl> processors, javax.inject.Provider<MailQueueFactory<?>> queues,
               javax.inject.Provider<org.apache.james.mailrepository.api.MailRepositoryStore> repositories) {
        this.processors = processors;
        this.queues = queues;
        this.repositories = repositories;
    }

    /** What a mail repository holds: each message's envelope sender, subject and James error message. */
    public List<String> repositoryMails(String url) throws Exception {
        org.apache.james.mailrepository.api.MailRepository repository =
            repositories.get().select(org.apache.james.mailrepository.api.MailRepositoryUrl.from(url));
        List<String> out = new ArrayList<>();
        for (java.util.Iterator<org.apache.james.mailrepository.api.MailKey> keys = repository.list(); keys.hasNext(); ) {
            org.apache.mailet.Mail mail = repository.retrieve(keys.next());
            if (mail != null) {
                try {
                    out.add(mail.getMaybeSender().asString() + " | " + mail.getMessage().getSubject() + " | " + mail.getErrorMessage());
                } finally {
                    LifecycleUtil.dispose(mail);
                }
            }
        }
        return out;
    }

    /** Unhealthy accounts (account → why) of every XOAuth2Relay in the transport processor. */
    public Map<String, String> unhealthy() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Mailet m : ((AbstractStateMailetProcessor) processors.get().getProcessor("transport")).getMailets()) {
            if (m instanceof XOAuth2Relay) {
                out.putAll(((XOAuth2Relay) m).delivery().unhealthy());
            }
        }
        return out;
    }

    /**
     * Disposes and removes what still waits in every memory mail queue, as the end of a memory
     * James' JVM would drop it: James' memory queue never disposes the copies it holds (each a
     * {@code MimeMessageInputStreamSource}), so a James stopped with deferred mail made James' leak
     * detector report them. Call only once James has stopped (no delivery thread may hold one).
     */
    public void disposeQueued() throws Exception {
        MailQueueFactory<?> factory = queues.get();
        for (MailQueueName name : factory.listCreatedMailQueues()) {
            if (factory.getQueue(name).orElseThrow() instanceof ManageableMailQueue queue) {
                // the memory queue's browse hands out its own mails, not copies
                queue.browse().forEachRemaining(v -> LifecycleUtil.dispose(v.getMail()));
                queue.clear();
            }
        }
    }

    /** Envelope senders of the messages waiting in the relay's queue. */
    public List<String> queuedSenders() throws Exception {
        List<String> out = new ArrayList<>();
        ManageableMailQueue queue = (ManageableMailQueue) queues.get().getQueue(MailQueueName.of(XOAuth2Relay.DEFAULT_QUEUE)).orElseThrow();
        queue.browse().forEachRemaining(v -> out.add(v.getMail().getMaybeSender().asString()));
        return out;
    }
}
