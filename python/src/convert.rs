//! NumPy ↔ numjit values: the dtype table, zero-copy views of NumPy arrays (any strides,
//! negative and broadcast ones too), Python scalars as weak literals, results handed
//! back to NumPy without a copy. Holds every `unsafe` block of the binding; decides
//! nothing about which names an expression uses or how it runs.

use numjit::{AnyView, AnyViewMut, Array, DType, Literal, Var};
use numpy::npyffi::flags::NPY_ARRAY_WRITEABLE;
use numpy::{
    Element, PyArray, PyArrayDescr, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods,
    PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyComplex, PyComplexMethods, PyFloat, PyInt};

/// rust-numpy builds views of at most this many dimensions.
const MAX_VIEW_NDIM: usize = 32;

/// The numjit dtype of a NumPy dtype, ignoring byte order (checked separately).
pub fn dtype_of(descr: &Bound<'_, PyArrayDescr>) -> Option<DType> {
    Some(match (descr.kind(), descr.itemsize()) {
        (b'b', 1) => DType::Bool,
        (b'i', 4) => DType::Int32,
        (b'i', 8) => DType::Int64,
        (b'f', 4) => DType::Float32,
        (b'f', 8) => DType::Float64,
        (b'c', 16) => DType::Complex128,
        _ => return None,
    })
}

/// The native NumPy dtype object of a numjit dtype.
pub fn descr_of(py: Python<'_>, dt: DType) -> Bound<'_, PyArrayDescr> {
    match dt {
        DType::Bool => numpy::dtype::<bool>(py),
        DType::Int32 => numpy::dtype::<i32>(py),
        DType::Int64 => numpy::dtype::<i64>(py),
        DType::Float32 => numpy::dtype::<f32>(py),
        DType::Float64 => numpy::dtype::<f64>(py),
        DType::Complex128 => numpy::dtype::<num_complex::Complex64>(py),
    }
}

/// What to convert an unsupported NumPy dtype to, as advice.
fn advice(descr: &Bound<'_, PyArrayDescr>) -> &'static str {
    match (descr.kind(), descr.itemsize()) {
        (b'i', 1 | 2) | (b'u', 1 | 2) => "x.astype(np.int32)",
        (b'u', 4) => "x.astype(np.int64)",
        (b'u', 8) => "x.astype(np.int64) (wraps above 2**63) or x.astype(np.float64)",
        (b'f', 2) => "x.astype(np.float32)",
        (b'f', _) => "x.astype(np.float64)",
        (b'c', _) => "x.astype(np.complex128)",
        (b'S' | b'U', _) => "numjit has no string dtype; compare strings with NumPy",
        _ => "numjit evaluates bool, int32, int64, float32, float64 and complex128 arrays",
    }
}

/// Error text for an unsupported dtype (the caller picks the exception class).
pub fn unsupported_dtype(name: &str, descr: &Bound<'_, PyArrayDescr>) -> String {
    let shown = descr
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "?".into());
    format!(
        "`{name}` has dtype {shown}, which numjit does not support\n  = help: numjit's dtypes are bool, int32, int64, float32, float64 and complex128; convert it, e.g. {}",
        advice(descr)
    )
}

/// True when numjit can read `arr` in place: native byte order, aligned, strides that
/// are whole elements, few enough dimensions.
fn viewable(arr: &Bound<'_, PyUntypedArray>, descr: &Bound<'_, PyArrayDescr>) -> bool {
    let size = descr.itemsize() as isize;
    descr.is_native_byteorder() != Some(false)
        && arr.is_aligned()
        && arr.ndim() <= MAX_VIEW_NDIM
        && arr.strides().iter().all(|s| s % size == 0)
}

fn numpy_mod(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static NP: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    NP.get_or_try_init(py, || py.import("numpy").map(|m| m.unbind()))
        .map(|m| m.bind(py))
}

/// `numpy.asarray(obj)`.
pub fn asarray<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    numpy_mod(obj.py())?.call_method1("asarray", (obj,))
}

/// `numpy.copyto(dst, src, casting=casting)`.
pub fn copyto(dst: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>, casting: &str) -> PyResult<()> {
    let py = dst.py();
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("casting", casting)?;
    numpy_mod(py)?.call_method("copyto", (dst, src), Some(&kw))?;
    Ok(())
}

/// `numpy.can_cast(from, to, casting)`.
pub fn can_cast(
    py: Python<'_>,
    from: DType,
    to: &Bound<'_, PyAny>,
    casting: &str,
) -> PyResult<bool> {
    numpy_mod(py)?
        .call_method1("can_cast", (descr_of(py, from), to, casting))?
        .extract()
}

/// An input array numjit can view, or the reason it cannot.
pub enum Checked<'py> {
    Ok(Bound<'py, PyUntypedArray>, DType),
    Unsupported(String),
}

/// Checks an array's dtype and layout; arrays of a supported dtype in an odd layout
/// (byte-swapped, unaligned, strides that are not whole elements) are copied into a
/// native C-contiguous array first.
pub fn check_array<'py>(name: &str, arr: Bound<'py, PyUntypedArray>) -> PyResult<Checked<'py>> {
    let descr = arr.dtype();
    let Some(dt) = dtype_of(&descr) else {
        return Ok(Checked::Unsupported(unsupported_dtype(name, &descr)));
    };
    if viewable(&arr, &descr) {
        return Ok(Checked::Ok(arr, dt));
    }
    let py = arr.py();
    let copy = numpy_mod(py)?.call_method1("ascontiguousarray", (&arr, descr_of(py, dt)))?;
    Ok(Checked::Ok(copy.cast_into::<PyUntypedArray>()?, dt))
}

/// The output array as numjit can write it, when it can.
pub fn writable_out(arr: &Bound<'_, PyUntypedArray>) -> Option<DType> {
    let descr = arr.dtype();
    let dt = dtype_of(&descr)?;
    // SAFETY: `as_array_ptr` points to the live PyArrayObject `arr` holds a reference
    // to; reading its `flags` field is a plain read under the GIL.
    let flags = unsafe { (*arr.as_array_ptr()).fields.flags };
    (flags & NPY_ARRAY_WRITEABLE != 0 && viewable(arr, &descr)).then_some(dt)
}

/// A Python `bool`, `int`, `float` or `complex` (exact types: NumPy scalars are strong)
/// as a weak literal. `Ok(None)` for anything else.
pub fn literal_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Literal>> {
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok(Some(Literal::Float(obj.extract::<f64>()?)));
    }
    if obj.is_exact_instance_of::<PyBool>() {
        return Ok(Some(Literal::Bool(obj.is_truthy()?)));
    }
    if obj.is_exact_instance_of::<PyInt>() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(Some(Literal::Int(v as i128)));
        }
        return match obj.extract::<i128>() {
            Ok(v) => Ok(Some(Literal::Int(v))),
            Err(_) => Err(pyo3::exceptions::PyOverflowError::new_err(
                "Python integer too large for numjit (literals must fit in 128 bits while folding, 64 bits when used)",
            )),
        };
    }
    if obj.is_exact_instance_of::<PyComplex>() {
        let c = obj.cast::<PyComplex>()?;
        return Ok(Some(Literal::Complex(num_complex::Complex64::new(
            c.real(),
            c.imag(),
        ))));
    }
    Ok(None)
}

fn typed<'a, 'py, T: Element>(
    arr: &'a Bound<'py, PyUntypedArray>,
) -> &'a Bound<'py, PyArrayDyn<T>> {
    // SAFETY: callers checked `dtype_of(arr.dtype()) == T::DTYPE` (kind and item size,
    // native byte order via `viewable`), so `arr` is a PyArrayDyn<T>; the cast only
    // reinterprets the Python reference and keeps its lifetime.
    unsafe { arr.cast_unchecked::<PyArrayDyn<T>>() }
}

/// A zero-copy view of a checked input (`check_array` said `Ok`), valid while `arr`
/// is borrowed. Empty arrays become owned empty arrays (no pointer arithmetic).
pub fn input_var<'a>(arr: &'a Bound<'_, PyUntypedArray>, dt: DType) -> Var<'a> {
    if arr.len() == 0 {
        return Var::Owned(Array::zeros(dt, arr.shape()));
    }
    // SAFETY (all arms): `arr` has dtype `dt` with native byte order, is aligned,
    // its strides are whole elements and it has at most 32 dimensions (`check_array`),
    // so every index of the view addresses an initialised, aligned element inside the
    // array's buffer, which NumPy guarantees covers shape × strides. The `Bound`
    // reference keeps the array (and its buffer) alive for the view's lifetime 'a.
    // numjit only reads inputs. Writes to the same memory happen only through `out`,
    // which the evaluator handles by address (exact aliasing is allowed, partial overlap
    // goes through a temporary) and never through these views. As with any NumPy
    // function that releases the GIL, another Python thread writing these arrays while
    // they are evaluated gives unspecified values, as in NumPy itself.
    let v = unsafe {
        match dt {
            DType::Bool => AnyView::Bool(typed::<bool>(arr).as_array()),
            DType::Int32 => AnyView::Int32(typed::<i32>(arr).as_array()),
            DType::Int64 => AnyView::Int64(typed::<i64>(arr).as_array()),
            DType::Float32 => AnyView::Float32(typed::<f32>(arr).as_array()),
            DType::Float64 => AnyView::Float64(typed::<f64>(arr).as_array()),
            DType::Complex128 => {
                AnyView::Complex128(typed::<num_complex::Complex64>(arr).as_array())
            }
        }
    };
    Var::View(v)
}

/// A mutable view of `out` (`writable_out` said `Some(dt)`), shape and strides as is.
pub fn out_view<'a>(arr: &'a Bound<'_, PyUntypedArray>, dt: DType) -> AnyViewMut<'a> {
    // SAFETY: as in `input_var`; `writable_out` also checked the WRITEABLE flag. The
    // mutable view may address the same memory as input views: the evaluator works on
    // raw addresses and detects overlap (exact aliasing is element for element, any
    // other overlap is computed into a temporary first), so no element is read after
    // it was overwritten. Zero-size outputs are never written.
    unsafe {
        match dt {
            DType::Bool => AnyViewMut::Bool(typed::<bool>(arr).as_array_mut()),
            DType::Int32 => AnyViewMut::Int32(typed::<i32>(arr).as_array_mut()),
            DType::Int64 => AnyViewMut::Int64(typed::<i64>(arr).as_array_mut()),
            DType::Float32 => AnyViewMut::Float32(typed::<f32>(arr).as_array_mut()),
            DType::Float64 => AnyViewMut::Float64(typed::<f64>(arr).as_array_mut()),
            DType::Complex128 => {
                AnyViewMut::Complex128(typed::<num_complex::Complex64>(arr).as_array_mut())
            }
        }
    }
}

/// `numpy.broadcast_to(arr, shape)`: a read-only zero-copy view (stride 0 where it
/// repeats).
pub fn broadcast_to<'py>(
    arr: &Bound<'py, PyUntypedArray>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyUntypedArray>> {
    let py = arr.py();
    let shape = pyo3::types::PyTuple::new(py, shape)?;
    Ok(numpy_mod(py)?
        .call_method1("broadcast_to", (arr, shape))?
        .cast_into::<PyUntypedArray>()?)
}

/// Hands a result to NumPy without copying (NumPy takes ownership of the buffer).
pub fn to_numpy(py: Python<'_>, a: Array) -> Bound<'_, PyAny> {
    match a {
        Array::Bool(x) => PyArray::from_owned_array(py, x).into_any(),
        Array::Int32(x) => PyArray::from_owned_array(py, x).into_any(),
        Array::Int64(x) => PyArray::from_owned_array(py, x).into_any(),
        Array::Float32(x) => PyArray::from_owned_array(py, x).into_any(),
        Array::Float64(x) => PyArray::from_owned_array(py, x).into_any(),
        Array::Complex128(x) => PyArray::from_owned_array(py, x).into_any(),
    }
}

/// `numpy.can_cast(from_descr, to, casting)` for an input conversion.
pub fn numpy_can_cast(
    py: Python<'_>,
    from: &Bound<'_, PyArrayDescr>,
    to: DType,
    casting: &str,
) -> PyResult<bool> {
    numpy_mod(py)?
        .call_method1("can_cast", (from, descr_of(py, to), casting))?
        .extract()
}
