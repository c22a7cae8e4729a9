/* Generated DAGs with controlled sharing, built through any subject's
 * namespace (ns.Node(tag, children)), so built-in subjects and
 * adapters get the same shape. Shared by conformance (P4, M1, M2) and the
 * benchmarks (memo rewriter, pickle).
 *
 * Shape: n - 1 nodes in `layers` layers of equal width, each node's
 * children drawn from the layer below:
 * the first one assigned round-robin so every node is reachable, the rest
 * at random (seeded), which gives every node about `fanout` parents. The
 * root is node n - 1 and has the whole top layer as children. Tags are the
 * node indices 0..n-1.
 *
 * Keep `layers` small: a pickler that cannot share children (fresh wrappers,
 * node style) writes the DAG unfolded into a tree, about fanout^layers
 * copies of each bottom node. */
#ifndef FFI_DAG_H
#define FFI_DAG_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The root wrapper (new reference), or NULL with an exception. n >= 2. */
PyObject *ffi_dag_build(PyObject *ns, long n, int fanout, int layers, uint64_t seed);

#define FFI_DAG_DEFAULT_LAYERS 6

/* Distinct handles (ns.handle(w)) reachable from root through .children;
 * -1 with an exception. */
long ffi_dag_distinct_handles(PyObject *ns, PyObject *root);

#endif
