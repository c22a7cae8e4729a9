//! The ffi-identity object model (Var, Add, Layout, Node) bound with PyO3,
//! in the two ways PyO3 users write bindings for a graph of shared objects,
//! one submodule each (adapter_pyo3.py picks one per subject variant):
//!
//! - `py_fields` (py_fields.rs): every object is a #[pyclass] that owns its
//!   Rust data inside its Python object, and holds its children as `Py<T>`
//!   fields, so reading a field hands back the Python object stored there.
//! - `arc` (arc.rs): the Rust data is an `Arc`-shared graph and each
//!   #[pyclass] is a handle around one `Arc`; a getter clones the child's
//!   handle into a new Python object, the by-value pattern of PyO3 #1973.
//!
//! PyO3 keeps no map from Rust data to Python objects: whatever identity a
//! binding has comes from which of these it chose.
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

mod arc;
mod py_fields;

static LIVE_OBJECTS: AtomicUsize = AtomicUsize::new(0);

/// A field of every Rust model object: counts the live ones, so that the
/// suite can tell a freed object from a leaked one (native_live()).
pub struct Live(());

impl Live {
    pub fn new() -> Live {
        LIVE_OBJECTS.fetch_add(1, Ordering::Relaxed);
        Live(())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE_OBJECTS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How many Rust model objects of either submodule are alive.
#[pyfunction]
fn native_live() -> usize {
    LIVE_OBJECTS.load(Ordering::Relaxed)
}

fn init_module(py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add("__doc__", "The ffi-identity object model bound with PyO3 (submodules py_fields and arc).")?;
    m.add_function(wrap_pyfunction!(native_live, m)?)?;
    let fields = PyModule::new(py, "py_fields")?;
    py_fields::register(fields)?;
    m.add_submodule(fields)?;
    let shared = PyModule::new(py, "arc")?;
    arc::register(shared)?;
    m.add_submodule(shared)?;
    Ok(())
}

// The #[pymodule] entry point, named by build.rs after ADAPTER_MODULE.
include!(concat!(env!("OUT_DIR"), "/pymodule.rs"));
