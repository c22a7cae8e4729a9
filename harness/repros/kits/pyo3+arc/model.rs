// The object model as a PyO3 extension over a Rust library's graph: the
// Rust objects are immutable and shared through Arc, and each #[pyclass]
// is a Clone handle holding one Arc. A parent holds its children as
// handles, by value, and a getter returns a clone of the child's handle,
// which PyO3 puts into a Python object (the by-value pattern of PyO3's FAQ,
// "#[pyo3(get)] clones my field!"). `weakref` and `dict` on every class,
// `subclass` on Var. No class holds a Python object: none has anything
// to traverse.
use pyo3::prelude::*;
// @if intern
use std::collections::HashMap;
use std::sync::{Mutex, Weak};
// @end
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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

// The Rust graph.
struct VarData {
    name: String,
    _alive: Alive,
}

struct AddData {
    a: Expr,
    b: Expr,
    _alive: Alive,
}

struct LayoutData {
    axes: Vec<Expr>,
    offset: Expr,
    _alive: Alive,
}
// @if node

struct NodeData {
    tag: i64,
    children: Vec<Node>,
    _alive: Alive,
}
// @end

/// An operand or offset, by value: the handle of a Var or of an Add.
#[derive(Clone, FromPyObject)]
enum Expr {
    Var(Var),
    Add(Add),
}

impl IntoPy<PyObject> for Expr {
    fn into_py(self, py: Python<'_>) -> PyObject {
        match self {
            Expr::Var(v) => v.into_py(py),
            Expr::Add(a) => a.into_py(py),
        }
    }
}

// The handles Python sees.
#[pyclass(module = "model", subclass, weakref, dict)]
#[derive(Clone)]
struct Var {
    data: Arc<VarData>,
}
// @if intern

/// The live Var of each interned name, held weakly.
static INTERNED: Mutex<Option<HashMap<String, Weak<VarData>>>> = Mutex::new(None);

fn intern(name: String) -> Arc<VarData> {
    let mut table = INTERNED.lock().unwrap();
    let table = table.get_or_insert_with(HashMap::new);
    if let Some(live) = table.get(&name).and_then(Weak::upgrade) {
        return live;
    }
    let data = Arc::new(VarData { name: name.clone(), _alive: Alive::new() });
    table.insert(name, Arc::downgrade(&data));
    data
}
// @end

#[pymethods]
impl Var {
    // @if intern
    // An interning constructor: #[new] fills a new handle, of the live
    // VarData where there is one.
    #[new]
    #[args(name, "*", intern = "false")]
    fn new(name: String, intern: bool) -> Self {
        let data = if intern { self::intern(name) } else { Arc::new(VarData { name, _alive: Alive::new() }) };
        Var { data }
    }
    // @else
    #[new]
    fn new(name: String) -> Self {
        Var { data: Arc::new(VarData { name, _alive: Alive::new() }) }
    }
    // @end

    #[getter]
    fn name(&self) -> String {
        self.data.name.clone()
    }
    // @if pickle

    // Pickling as PyO3 users add it: the arguments of #[new]; the instance
    // __dict__ is pickle's default state.
    fn __getnewargs__(&self) -> (String,) {
        (self.data.name.clone(),)
    }
    // @end
}

#[pyclass(module = "model", weakref, dict)]
#[derive(Clone)]
struct Add {
    data: Arc<AddData>,
}

#[pymethods]
impl Add {
    #[new]
    fn new(a: Expr, b: Expr) -> Self {
        Add { data: Arc::new(AddData { a, b, _alive: Alive::new() }) }
    }

    #[getter]
    fn a(&self) -> Expr {
        self.data.a.clone()
    }

    #[getter]
    fn b(&self) -> Expr {
        self.data.b.clone()
    }
    // @if pickle

    fn __getnewargs__(&self) -> (Expr, Expr) {
        (self.data.a.clone(), self.data.b.clone())
    }
    // @end
}

#[pyclass(module = "model", weakref, dict)]
#[derive(Clone)]
struct Layout {
    data: Arc<LayoutData>,
}

#[pymethods]
impl Layout {
    #[new]
    fn new(axes: Vec<Expr>, offset: Expr) -> Self {
        Layout { data: Arc::new(LayoutData { axes, offset, _alive: Alive::new() }) }
    }

    #[getter]
    fn axes(&self) -> Vec<Expr> {
        self.data.axes.clone()
    }

    #[getter]
    fn offset(&self) -> Expr {
        self.data.offset.clone()
    }
    // @if pickle

    fn __getnewargs__(&self) -> (Vec<Expr>, Expr) {
        (self.data.axes.clone(), self.data.offset.clone())
    }
    // @end
}
// @if node

#[pyclass(module = "model", weakref, dict)]
#[derive(Clone)]
struct Node {
    data: Arc<NodeData>,
}

#[pymethods]
impl Node {
    #[new]
    #[args(children = "Vec::new()")]
    fn new(tag: i64, children: Vec<Node>) -> Self {
        Node { data: Arc::new(NodeData { tag, children, _alive: Alive::new() }) }
    }

    #[getter]
    fn tag(&self) -> i64 {
        self.data.tag
    }

    #[getter]
    fn children(&self) -> Vec<Node> {
        self.data.children.clone()
    }
    // @if pickle

    fn __getnewargs__(&self) -> (i64, Vec<Node>) {
        (self.data.tag, self.data.children.clone())
    }
    // @end
}
// @end

/// The address of the Rust object a handle shares.
#[pyfunction]
fn addr(obj: &PyAny) -> PyResult<usize> {
    if let Ok(x) = obj.extract::<PyRef<'_, Var>>() {
        return Ok(Arc::as_ptr(&x.data) as usize);
    }
    if let Ok(x) = obj.extract::<PyRef<'_, Add>>() {
        return Ok(Arc::as_ptr(&x.data) as usize);
    }
    // @if node
    if let Ok(x) = obj.extract::<PyRef<'_, Node>>() {
        return Ok(Arc::as_ptr(&x.data) as usize);
    }
    // @end
    Ok(Arc::as_ptr(&obj.extract::<PyRef<'_, Layout>>()?.data) as usize)
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
    fun.call1((layout.data.offset.clone(),))?.extract()
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
