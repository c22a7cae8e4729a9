// Names the extension module. A #[pymodule] function's name is the module's
// name (its PyInit_ symbol), and the suite wants one name per PyO3 version
// (_adapter_pyo3_0_17_3, as pybind11's -DADAPTER_MODULE does), so that
// extensions built against two versions can load side by side. pyo3.mk
// sets ADAPTER_MODULE; this writes the #[pymodule] stub that src/lib.rs
// includes.
use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=ADAPTER_MODULE");
    let name = env::var("ADAPTER_MODULE").unwrap_or_else(|_| "_adapter_pyo3".to_string());
    let is_identifier = name.chars().next().map_or(false, |c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !is_identifier {
        panic!("ADAPTER_MODULE={name:?} is not a Python module name (letters, digits, _)");
    }
    let stub = format!(
        "#[pymodule]\n\
         fn {name}(py: Python<'_>, m: &PyModule) -> PyResult<()> {{\n    \
             crate::init_module(py, m)\n\
         }}\n"
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("pymodule.rs");
    fs::write(out, stub).unwrap();
}
