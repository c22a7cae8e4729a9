package ffi_identity;

import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every object of the model is: a serial number, the adapter's
 * handle(), and an entry in the live count.
 *
 * A Java object has no address to hand out (the collector moves it) and
 * System.identityHashCode is not unique, so each object is stamped with a
 * serial from a process-wide counter when it is made: one number per
 * object, never given to another (addresses are reused; serials are not).
 */
public abstract class Native {
    private static final AtomicLong lastSerial = new AtomicLong();
    private static final Set<WeakReference<Native>> made = ConcurrentHashMap.newKeySet();

    public final long serial;

    protected Native() {
        serial = lastSerial.incrementAndGet();
        made.add(new WeakReference<>(this));
    }

    /**
     * The model's objects still reachable after a full collection: a Java
     * object is freed by the collector, not when its last reference goes,
     * so counting what is alive takes a collection first. System.gc() is a
     * full stop-the-world collection on HotSpot's default collectors, which
     * clears the weak references of everything unreachable before it returns.
     */
    public static long live() {
        System.gc();
        made.removeIf(ref -> ref.get() == null);
        return made.size();
    }
}
