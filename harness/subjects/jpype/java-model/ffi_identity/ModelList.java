package ffi_identity;

import java.util.AbstractList;
import java.util.Collection;
import java.util.RandomAccess;

/**
 * A fixed list of model objects: a Layout's axes, a Node's children. A
 * java.util.List, so JPype hands it to Python as a Java collection (its
 * List customizer gives it len(), indexing and iteration), not as a copy;
 * a class of the model's own, so the adapter can give it a __reduce__
 * without touching every java.util.List in the process.
 */
public final class ModelList<T extends Native> extends AbstractList<T> implements RandomAccess {
    private final Object[] items;

    public ModelList(Collection<? extends T> items) {
        this.items = items.toArray();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(int index) {
        return (T) items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
