//! numjit errors as Python exceptions. The classes live in `numjit/_errors.py` (they
//! need multiple inheritance from numexpr's built-in classes); this file only hands
//! them the rendered message (span underlined, help line) and the error's fields.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

fn factory(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MAKE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    MAKE.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("numjit._errors")?
                .getattr("_from_numjit")?
                .unbind(),
        )
    })
    .map(|f| f.bind(py))
}

fn binding_factory(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MAKE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    MAKE.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("numjit._errors")?
                .getattr("_from_binding")?
                .unbind(),
        )
    })
    .map(|f| f.bind(py))
}

/// The exception for a numjit error about the expression `src`.
pub fn to_py(py: Python<'_>, e: &numjit::Error, src: &str) -> PyErr {
    let span = e.span().map(|s| (s.start, s.end));
    let made = factory(py).and_then(|f| {
        f.call1((
            e.code(),
            e.render(src),
            e.message.as_str(),
            e.help.as_deref(),
            span,
            src,
        ))
    });
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// An exception raised by the binding itself (bad argument, unsupported dtype …).
/// `kind` names a class in `numjit._errors`.
pub fn binding(py: Python<'_>, kind: &str, message: impl Into<String>) -> PyErr {
    match binding_factory(py).and_then(|f| f.call1((kind, message.into()))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}
