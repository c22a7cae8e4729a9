package ffi_identity;

import java.util.Collection;
import java.util.List;

/** A DAG node: children may be shared between parents. */
public final class Node extends Native {
    public final long tag;
    public final List<Node> children;

    public Node(long tag) {
        this(tag, List.of());
    }

    public Node(long tag, Collection<Node> children) {
        this.tag = tag;
        this.children = new ModelList<>(children);
    }
}
