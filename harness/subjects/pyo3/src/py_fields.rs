//! The object model as PyO3's guide teaches a graph of shared objects: each
//! object is a #[pyclass] whose Rust data lives inside its Python object,
//! and a parent holds its children as `Py<T>` (a strong reference to the
//! child's Python object). A `#[pyo3(get)]` on a `Py<T>` field clones the
//! reference, not the data, so every read gives back the object stored:
//! identity holds through `Py<T>`, and only through it.
//!
//! Opt-ins, as a user who needs them writes them: `weakref` and `dict` on
//! every class, `subclass` on Var (Python subclasses of it), and
//! `__traverse__` on the classes that hold `Py<T>` (PyO3's guide, "Garbage
//! Collector Integration"). No `__clear__`: the children are immutable, and
//! the guide says immutable references need not be cleared.
//!
//! Pickling is the way PyO3 users add it (PyO3 has none of its own, PyO3
//! #100): `__getnewargs__` returns what `#[new]` takes, children as the
//! Python objects themselves, so pickle's memo keeps shared children
//! shared, and pickle's default state carries the instance `__dict__`.
use pyo3::exceptions::PyTypeError;
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::prelude::*;
use pyo3::PyClass;

use crate::Live;

/// An expression child: a Var or an Add, held by its Python object.
#[derive(Clone, FromPyObject)]
pub enum Expr {
    Var(Py<Var>),
    Add(Py<Add>),
}

impl IntoPy<PyObject> for Expr {
    fn into_py(self, py: Python<'_>) -> PyObject {
        match self {
            Expr::Var(v) => v.into_py(py),
            Expr::Add(a) => a.into_py(py),
        }
    }
}

impl Expr {
    fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self {
            Expr::Var(v) => visit.call(v),
            Expr::Add(a) => visit.call(a),
        }
    }
}

#[pyclass(subclass, weakref, dict)]
pub struct Var {
    #[pyo3(get)]
    name: String,
    _live: Live,
}

#[pymethods]
impl Var {
    #[new]
    fn new(name: String) -> Self {
        Var { name, _live: Live::new() }
    }

    fn __getnewargs__(&self) -> (String,) {
        (self.name.clone(),)
    }
}

#[pyclass(weakref, dict)]
pub struct Add {
    #[pyo3(get)]
    a: Expr,
    #[pyo3(get)]
    b: Expr,
    _live: Live,
}

#[pymethods]
impl Add {
    #[new]
    fn new(a: Expr, b: Expr) -> Self {
        Add { a, b, _live: Live::new() }
    }

    fn __getnewargs__(&self) -> (Expr, Expr) {
        (self.a.clone(), self.b.clone())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.a.traverse(&visit)?;
        self.b.traverse(&visit)
    }
}

#[pyclass(weakref, dict)]
pub struct Layout {
    // Vec<Expr> converts to a new list per read (PyO3 #3231); its items are the
    // stored objects.
    #[pyo3(get)]
    axes: Vec<Expr>,
    #[pyo3(get)]
    offset: Expr,
    _live: Live,
}

#[pymethods]
impl Layout {
    #[new]
    fn new(axes: Vec<Expr>, offset: Expr) -> Self {
        Layout { axes, offset, _live: Live::new() }
    }

    fn __getnewargs__(&self) -> (Vec<Expr>, Expr) {
        (self.axes.clone(), self.offset.clone())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for axis in &self.axes {
            axis.traverse(&visit)?;
        }
        self.offset.traverse(&visit)
    }
}

#[pyclass(weakref, dict)]
pub struct Node {
    #[pyo3(get)]
    tag: i64,
    #[pyo3(get)]
    children: Vec<Py<Node>>,
    _live: Live,
}

#[pymethods]
impl Node {
    #[new]
    #[args(children = "Vec::new()")]
    fn new(tag: i64, children: Vec<Py<Node>>) -> Self {
        Node { tag, children, _live: Live::new() }
    }

    fn __getnewargs__(&self) -> (i64, Vec<Py<Node>>) {
        (self.tag, self.children.clone())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for child in &self.children {
            visit.call(child)?;
        }
        Ok(())
    }
}

/// A Rust function that calls back into Python: `fun` gets the layout's
/// offset and returns an expression, which comes back to the caller.
#[pyfunction]
fn visit_offset(layout: PyRef<'_, Layout>, fun: &PyAny) -> PyResult<Expr> {
    fun.call1((layout.offset.clone(),))?.extract()
}

/// The address of the Rust data inside a #[pyclass] object.
fn address<T: PyClass>(cell: &PyCell<T>) -> PyResult<usize> {
    Ok(&*cell.try_borrow()? as *const T as usize)
}

/// handle(w): the address of w's Rust data (it lives inside w).
#[pyfunction]
fn handle(obj: &PyAny) -> PyResult<usize> {
    if let Ok(v) = obj.downcast::<PyCell<Var>>() {
        return address(v);
    }
    if let Ok(a) = obj.downcast::<PyCell<Add>>() {
        return address(a);
    }
    if let Ok(l) = obj.downcast::<PyCell<Layout>>() {
        return address(l);
    }
    if let Ok(n) = obj.downcast::<PyCell<Node>>() {
        return address(n);
    }
    Err(PyTypeError::new_err(format!(
        "handle() takes a Var, Add, Layout or Node, not {}",
        obj.get_type().name()?
    )))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_class::<Var>()?;
    m.add_class::<Add>()?;
    m.add_class::<Layout>()?;
    m.add_class::<Node>()?;
    m.add_function(wrap_pyfunction!(visit_offset, m)?)?;
    m.add_function(wrap_pyfunction!(handle, m)?)?;
    Ok(())
}
