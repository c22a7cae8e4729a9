//! The object model as a Rust library's graph with PyO3 handles over it:
//! the Rust data is immutable and `Arc`-shared (VarData, AddData, ...), and
//! each #[pyclass] is a `Clone` handle holding one `Arc`. Parents hold their
//! children by value, as handles, and a getter returns a clone of the
//! child's handle, which PyO3 moves into a new Python object on every read:
//! the pattern of PyO3 #1973, #2104 and #4204 (a #[pyclass] value returned
//! from a getter is a new object). The `Arc` keeps the Rust data one object,
//! so handle() agrees across reads; the Python objects do not.
//!
//! The same opt-ins as py_fields: `weakref` and `dict` on every class,
//! `subclass` on Var. Nothing here holds a Python object, so there is
//! nothing to traverse. Var(name, intern=True) is an interning constructor
//! over a table of the live VarData; `#[new]` can only fill a new object,
//! so each call is a new handle of the interned data.
//!
//! Two handles of one Rust object compare equal and hash alike (by the
//! Arc's address), as value-like handles do; `is` cannot hold.
//!
//! Pickling as in py_fields: `__getnewargs__` with the children (as new
//! handles, read like any getter) and the instance `__dict__` as state.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::Live;

pub struct VarData {
    name: String,
    _live: Live,
}

pub struct AddData {
    a: Expr,
    b: Expr,
    _live: Live,
}

pub struct LayoutData {
    axes: Vec<Expr>,
    offset: Expr,
    _live: Live,
}

pub struct NodeData {
    tag: i64,
    children: Vec<Node>,
    _live: Live,
}

/// An expression child, by value: a handle of a Var or of an Add.
#[derive(Clone, FromPyObject)]
pub enum Expr {
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

/// __richcmp__ of a handle: == and != compare the Rust objects.
fn compare_data<T>(py: Python<'_>, mine: &Arc<T>, other: &Arc<T>, op: CompareOp) -> PyObject {
    match op {
        CompareOp::Eq => Arc::ptr_eq(mine, other).into_py(py),
        CompareOp::Ne => (!Arc::ptr_eq(mine, other)).into_py(py),
        _ => py.NotImplemented(),
    }
}

/// __hash__ of a handle, consistent with compare_data.
fn hash_data<T>(data: &Arc<T>) -> isize {
    Arc::as_ptr(data) as isize
}

#[pyclass(subclass, weakref, dict)]
#[derive(Clone)]
pub struct Var {
    data: Arc<VarData>,
}

/// The live VarData by name, for Var(name, intern=True); weak, so that an
/// interned Var is freed with its last handle.
static INTERNED: Mutex<Option<HashMap<String, Weak<VarData>>>> = Mutex::new(None);

fn intern_var(name: String) -> Arc<VarData> {
    let mut table = INTERNED.lock().unwrap();
    let table = table.get_or_insert_with(HashMap::new);
    if let Some(live) = table.get(&name).and_then(Weak::upgrade) {
        return live;
    }
    table.retain(|_, data| data.strong_count() > 0);
    let data = Arc::new(VarData { name: name.clone(), _live: Live::new() });
    table.insert(name, Arc::downgrade(&data));
    data
}

#[pymethods]
impl Var {
    // An argument of another type makes PyO3 return NotImplemented.
    fn __richcmp__(&self, py: Python<'_>, other: PyRef<'_, Self>, op: CompareOp) -> PyObject {
        compare_data(py, &self.data, &other.data, op)
    }

    fn __hash__(&self) -> isize {
        hash_data(&self.data)
    }

    #[new]
    #[args(name, "*", intern = "false")]
    fn new(name: String, intern: bool) -> Self {
        let data = if intern { intern_var(name) } else { Arc::new(VarData { name, _live: Live::new() }) };
        Var { data }
    }

    #[getter]
    fn name(&self) -> String {
        self.data.name.clone()
    }

    fn __getnewargs__(&self) -> (String,) {
        (self.data.name.clone(),)
    }
}

#[pyclass(weakref, dict)]
#[derive(Clone)]
pub struct Add {
    data: Arc<AddData>,
}

#[pymethods]
impl Add {
    // An argument of another type makes PyO3 return NotImplemented.
    fn __richcmp__(&self, py: Python<'_>, other: PyRef<'_, Self>, op: CompareOp) -> PyObject {
        compare_data(py, &self.data, &other.data, op)
    }

    fn __hash__(&self) -> isize {
        hash_data(&self.data)
    }

    #[new]
    fn new(a: Expr, b: Expr) -> Self {
        Add { data: Arc::new(AddData { a, b, _live: Live::new() }) }
    }

    #[getter]
    fn a(&self) -> Expr {
        self.data.a.clone()
    }

    #[getter]
    fn b(&self) -> Expr {
        self.data.b.clone()
    }

    fn __getnewargs__(&self) -> (Expr, Expr) {
        (self.data.a.clone(), self.data.b.clone())
    }
}

#[pyclass(weakref, dict)]
#[derive(Clone)]
pub struct Layout {
    data: Arc<LayoutData>,
}

#[pymethods]
impl Layout {
    // An argument of another type makes PyO3 return NotImplemented.
    fn __richcmp__(&self, py: Python<'_>, other: PyRef<'_, Self>, op: CompareOp) -> PyObject {
        compare_data(py, &self.data, &other.data, op)
    }

    fn __hash__(&self) -> isize {
        hash_data(&self.data)
    }

    #[new]
    fn new(axes: Vec<Expr>, offset: Expr) -> Self {
        Layout { data: Arc::new(LayoutData { axes, offset, _live: Live::new() }) }
    }

    #[getter]
    fn axes(&self) -> Vec<Expr> {
        self.data.axes.clone()
    }

    #[getter]
    fn offset(&self) -> Expr {
        self.data.offset.clone()
    }

    fn __getnewargs__(&self) -> (Vec<Expr>, Expr) {
        (self.data.axes.clone(), self.data.offset.clone())
    }
}

#[pyclass(weakref, dict)]
#[derive(Clone)]
pub struct Node {
    data: Arc<NodeData>,
}

#[pymethods]
impl Node {
    // An argument of another type makes PyO3 return NotImplemented.
    fn __richcmp__(&self, py: Python<'_>, other: PyRef<'_, Self>, op: CompareOp) -> PyObject {
        compare_data(py, &self.data, &other.data, op)
    }

    fn __hash__(&self) -> isize {
        hash_data(&self.data)
    }

    #[new]
    #[args(children = "Vec::new()")]
    fn new(tag: i64, children: Vec<Node>) -> Self {
        Node { data: Arc::new(NodeData { tag, children, _live: Live::new() }) }
    }

    #[getter]
    fn tag(&self) -> i64 {
        self.data.tag
    }

    #[getter]
    fn children(&self) -> Vec<Node> {
        self.data.children.clone()
    }

    fn __getnewargs__(&self) -> (i64, Vec<Node>) {
        (self.data.tag, self.data.children.clone())
    }
}

/// A Rust function over the Rust types that calls back into Python: `fun`
/// gets the layout's offset and returns an expression, which comes back.
#[pyfunction]
fn visit_offset(layout: PyRef<'_, Layout>, fun: &PyAny) -> PyResult<Expr> {
    fun.call1((layout.data.offset.clone(),))?.extract()
}

/// handle(w): the address of the Rust data w's Arc points to.
#[pyfunction]
fn handle(obj: &PyAny) -> PyResult<usize> {
    if let Ok(v) = obj.extract::<PyRef<'_, Var>>() {
        return Ok(Arc::as_ptr(&v.data) as usize);
    }
    if let Ok(a) = obj.extract::<PyRef<'_, Add>>() {
        return Ok(Arc::as_ptr(&a.data) as usize);
    }
    if let Ok(l) = obj.extract::<PyRef<'_, Layout>>() {
        return Ok(Arc::as_ptr(&l.data) as usize);
    }
    if let Ok(n) = obj.extract::<PyRef<'_, Node>>() {
        return Ok(Arc::as_ptr(&n.data) as usize);
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
