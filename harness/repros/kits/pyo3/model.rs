// The object model as a PyO3 extension, bound the way PyO3's guide has
// Python share Rust objects: each object is a #[pyclass] that owns its
// Rust data inside its Python object, and a parent holds its children as
// Py<T>, a reference to the child's Python object, so a getter hands back
// the object stored. `weakref` and `dict` on every class, `subclass` on
// Var, and __traverse__ where a class holds Py<T> (the guide's "Garbage
// Collector Integration").
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// A field of every Rust object of the model: counts the live ones.
struct Alive;

impl Alive {
    fn new() -> Alive {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Alive
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An operand or offset: a Var or an Add, held through its Python object.
#[derive(Clone, FromPyObject)]
enum Expr {
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

#[pyclass(module = "model", subclass, weakref, dict)]
struct Var {
    #[pyo3(get)]
    name: String,
    _alive: Alive,
}

#[pymethods]
impl Var {
    #[new]
    fn new(name: String) -> Self {
        Var { name, _alive: Alive::new() }
    }
    // @if pickle

    // Pickling as PyO3 users add it: the arguments of #[new]; the instance
    // __dict__ is pickle's default state.
    fn __getnewargs__(&self) -> (String,) {
        (self.name.clone(),)
    }
    // @end
}

#[pyclass(module = "model", weakref, dict)]
struct Add {
    #[pyo3(get)]
    a: Expr,
    #[pyo3(get)]
    b: Expr,
    _alive: Alive,
}

#[pymethods]
impl Add {
    #[new]
    fn new(a: Expr, b: Expr) -> Self {
        Add { a, b, _alive: Alive::new() }
    }
    // @if pickle

    fn __getnewargs__(&self) -> (Expr, Expr) {
        (self.a.clone(), self.b.clone())
    }
    // @end

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.a.traverse(&visit)?;
        self.b.traverse(&visit)
    }
}

#[pyclass(module = "model", weakref, dict)]
struct Layout {
    #[pyo3(get)]
    axes: Vec<Expr>, // read as a new list of the stored objects
    #[pyo3(get)]
    offset: Expr,
    _alive: Alive,
}

#[pymethods]
impl Layout {
    #[new]
    fn new(axes: Vec<Expr>, offset: Expr) -> Self {
        Layout { axes, offset, _alive: Alive::new() }
    }
    // @if pickle

    fn __getnewargs__(&self) -> (Vec<Expr>, Expr) {
        (self.axes.clone(), self.offset.clone())
    }
    // @end

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for axis in &self.axes {
            axis.traverse(&visit)?;
        }
        self.offset.traverse(&visit)
    }
}
// @if node

#[pyclass(module = "model", weakref, dict)]
struct Node {
    #[pyo3(get)]
    tag: i64,
    #[pyo3(get)]
    children: Vec<Py<Node>>,
    _alive: Alive,
}

#[pymethods]
impl Node {
    #[new]
    #[args(children = "Vec::new()")]
    fn new(tag: i64, children: Vec<Py<Node>>) -> Self {
        Node { tag, children, _alive: Alive::new() }
    }
    // @if pickle

    fn __getnewargs__(&self) -> (i64, Vec<Py<Node>>) {
        (self.tag, self.children.clone())
    }
    // @end

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for child in &self.children {
            visit.call(child)?;
        }
        Ok(())
    }
}
// @end

/// The address of the Rust object (inside its Python object).
#[pyfunction]
fn addr(obj: &PyAny) -> PyResult<usize> {
    if let Ok(x) = obj.extract::<PyRef<'_, Var>>() {
        return Ok(&*x as *const Var as usize);
    }
    if let Ok(x) = obj.extract::<PyRef<'_, Add>>() {
        return Ok(&*x as *const Add as usize);
    }
    // @if node
    if let Ok(x) = obj.extract::<PyRef<'_, Node>>() {
        return Ok(&*x as *const Node as usize);
    }
    // @end
    Ok(&*obj.extract::<PyRef<'_, Layout>>()? as *const Layout as usize)
}
// @if live

/// The Rust objects alive.
#[pyfunction]
fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}
// @end
// @if callback

/// Rust calling back into Python: fun(layout.offset), and what it returns.
#[pyfunction]
fn visit_offset(layout: PyRef<'_, Layout>, fun: &PyAny) -> PyResult<Expr> {
    fun.call1((layout.offset.clone(),))?.extract()
}
// @end

#[pymodule]
fn model(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add("TOOL", format!("PyO3 {}", option_env!("PYO3_VERSION").unwrap_or("0.17")))?;
    m.add_class::<Var>()?;
    m.add_class::<Add>()?;
    m.add_class::<Layout>()?;
    // @if node
    m.add_class::<Node>()?;
    // @end
    m.add_function(wrap_pyfunction!(addr, m)?)?;
    // @if live
    m.add_function(wrap_pyfunction!(live, m)?)?;
    // @end
    // @if callback
    m.add_function(wrap_pyfunction!(visit_offset, m)?)?;
    // @end
    Ok(())
}
