package org.jamespack.relay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;

import javax.mail.MessagingException;

/**
 * Test helpers for James' memory queue and repository, which never dispose the copies they hold
 * (each a {@code MimeMessageInputStreamSource}): what a test leaves in them is disposed here, as
 * the end of a memory James' JVM would drop it, so that James' leak detector stays quiet.
 */
final class MemoryQueues {

    private MemoryQueues() {
    }

    /** Disposes and removes every mail still in any queue of {@code factory} (call after the mailet is destroyed). */
    static void disposeAll(MemoryMailQueueFactory factory) throws MailQueue.MailQueueException {
        for (MailQueueName name : factory.listCreatedMailQueues()) {
            ManageableMailQueue queue = factory.getQueue(name).orElseThrow();
            // the memory queue's browse hands out its own mails, not copies
            queue.browse().forEachRemaining(item -> LifecycleUtil.dispose(item.getMail()));
            queue.clear();
        }
    }

    /**
     * A memory mail repository that disposes the copy it replaces or removes; James' own
     * {@code MemoryMailRepository} drops it to the garbage collector. Retrieved mails are copies:
     * the caller disposes them.
     */
    static final class DisposingRepository implements MailRepository {

        private final ConcurrentMap<MailKey, Mail> mails = new ConcurrentHashMap<>();

        @Override
        public long size() {
            return mails.size();
        }

        @Override
        public MailKey store(Mail mail) throws MessagingException {
            MailKey key = MailKey.forMail(mail);
            dispose(mails.put(key, copy(mail)));
            return key;
        }

        @Override
        public Iterator<MailKey> list() {
            return List.copyOf(mails.keySet()).iterator();
        }

        @Override
        public Mail retrieve(MailKey key) throws MessagingException {
            Mail mail = mails.get(key);
            return mail == null ? null : copy(mail);
        }

        @Override
        public void remove(MailKey key) {
            dispose(mails.remove(key));
        }

        @Override
        public void remove(Collection<MailKey> keys) {
            keys.forEach(this::remove);
        }

        @Override
        public void removeAll() {
            new ArrayList<>(mails.keySet()).forEach(this::remove);
        }

        /** A copy under the same name and state, as {@code MemoryMailRepository} makes. */
        private static Mail copy(Mail mail) throws MessagingException {
            Mail copy = mail.duplicate();
            copy.setName(mail.getName());
            copy.setState(mail.getState());
            return copy;
        }

        private static void dispose(Mail mail) {
            if (mail != null) {
                LifecycleUtil.dispose(mail);
            }
        }
    }
}
