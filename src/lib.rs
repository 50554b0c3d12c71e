//! numjit compiles NumPy-style array expressions such as `((.25*x + .75)*x - 1.5)*x - 2`
//! and evaluates them over n-dimensional arrays with NumPy 2's semantics.
//!
//! ```
//! use ndarray::array;
//! let x = array![0.0, 1.0, 2.0];
//! let mut vars = numjit::Vars::new();
//! vars.insert("x", &x);
//! let y = numjit::evaluate("((.25*x + .75)*x - 1.5)*x - 2", &vars).unwrap();
//! assert_eq!(y.dtype(), numjit::DType::Float64);
//! assert_eq!(y.as_f64().unwrap().as_slice().unwrap(), &[-2.0, -2.5, 0.0]);
//! ```
//!
//! Errors are values with a stable code and a span:
//!
//! ```
//! let vars = numjit::Vars::new();
//! let err = numjit::evaluate("a > 1 & b < 2", &vars).unwrap_err();
//! assert_eq!(err.code(), "E0105");
//! assert!(err.render("a > 1 & b < 2").contains("(a > 1) & (b < 2)"));
//! ```

pub mod api;
pub mod array;
pub mod codegen;
pub mod error;
pub mod format;
pub mod interp;
pub mod ir;
pub mod limits;
pub mod math;
pub mod npy;
pub mod ops;
pub mod reduce;
pub mod semantics;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod types;
pub mod vmath;

pub use api::{compile, evaluate, evaluate_into, Compiled};
pub use array::{AnyView, AnyViewMut, Array, Element, IntoOut, IntoVar, Scalar, Var, Vars};
pub use codegen::exec;
pub use error::{Error, ErrorKind};
pub use exec::{num_threads, set_num_threads};
pub use span::Span;
pub use types::{DType, Literal, Signature};
