//! Values that cross the public API: typed scalars, owned result arrays (`Array`),
//! borrowed inputs (`Vars`) and caller-owned outputs (`OutView`).

use crate::error::{Error, ErrorKind};
use crate::types::DType;
use ndarray::{ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Data, DataMut, Dimension, IxDyn};
use num_complex::Complex64;

/// One element of one of the six dtypes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    Complex128(Complex64),
}

impl Scalar {
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int32(_) => DType::Int32,
            Scalar::Int64(_) => DType::Int64,
            Scalar::Float32(_) => DType::Float32,
            Scalar::Float64(_) => DType::Float64,
            Scalar::Complex128(_) => DType::Complex128,
        }
    }

    /// Bitwise equality, with every NaN equal to every NaN of the same dtype.
    pub fn same(self, other: Scalar) -> bool {
        fn f64eq(a: f64, b: f64) -> bool {
            (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
        }
        match (self, other) {
            (Scalar::Float32(a), Scalar::Float32(b)) => {
                (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
            }
            (Scalar::Float64(a), Scalar::Float64(b)) => f64eq(a, b),
            (Scalar::Complex128(a), Scalar::Complex128(b)) => {
                f64eq(a.re, b.re) && f64eq(a.im, b.im)
            }
            (a, b) => a == b,
        }
    }
}

/// A Rust element type numjit can read and write.
pub trait Element: Copy + Default + Send + Sync + 'static {
    const DTYPE: DType;
    fn to_scalar(self) -> Scalar;
    fn from_scalar(s: Scalar) -> Option<Self>;
    fn view<'a>(v: ArrayViewD<'a, Self>) -> AnyView<'a>;
    fn view_mut<'a>(v: ArrayViewMutD<'a, Self>) -> AnyViewMut<'a>;
    fn owned(a: ArrayD<Self>) -> Array;
    /// The typed view inside `v`, if `v` holds this type.
    fn of_view<'a>(v: &AnyView<'a>) -> Option<ArrayViewD<'a, Self>>;
}

macro_rules! each_dtype {
    ($m:ident) => {
        $m!(bool, Bool);
        $m!(i32, Int32);
        $m!(i64, Int64);
        $m!(f32, Float32);
        $m!(f64, Float64);
        $m!(Complex64, Complex128);
    };
}

macro_rules! impl_element {
    ($t:ty, $v:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$v;
            #[inline(always)]
            fn to_scalar(self) -> Scalar {
                Scalar::$v(self)
            }
            #[inline(always)]
            fn from_scalar(s: Scalar) -> Option<Self> {
                match s {
                    Scalar::$v(x) => Some(x),
                    _ => None,
                }
            }
            fn view<'a>(v: ArrayViewD<'a, Self>) -> AnyView<'a> {
                AnyView::$v(v)
            }
            fn view_mut<'a>(v: ArrayViewMutD<'a, Self>) -> AnyViewMut<'a> {
                AnyViewMut::$v(v)
            }
            fn of_view<'a>(v: &AnyView<'a>) -> Option<ArrayViewD<'a, Self>> {
                match v {
                    AnyView::$v(x) => Some(x.clone()),
                    _ => None,
                }
            }
            fn owned(a: ArrayD<Self>) -> Array {
                Array::$v(a)
            }
        }
    };
}
each_dtype!(impl_element);

/// An owned n-dimensional result of one of the six dtypes.
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    Bool(ArrayD<bool>),
    Int32(ArrayD<i32>),
    Int64(ArrayD<i64>),
    Float32(ArrayD<f32>),
    Float64(ArrayD<f64>),
    Complex128(ArrayD<Complex64>),
}

/// Applies `$body` to the inner ndarray of any `Array`/`AnyView`/`AnyViewMut`.
#[macro_export]
#[doc(hidden)]
macro_rules! dispatch {
    ($enum:ident, $value:expr, $a:ident => $body:expr) => {
        match $value {
            $enum::Bool($a) => $body,
            $enum::Int32($a) => $body,
            $enum::Int64($a) => $body,
            $enum::Float32($a) => $body,
            $enum::Float64($a) => $body,
            $enum::Complex128($a) => $body,
        }
    };
}

macro_rules! typed_accessors {
    ($( $get:ident, $into:ident, $t:ty, $v:ident );* $(;)?) => {
        impl Array {
            $(
                #[doc = concat!("The `", stringify!($t), "` array, if that is the dtype.")]
                pub fn $get(&self) -> Option<&ArrayD<$t>> {
                    match self { Array::$v(a) => Some(a), _ => None }
                }
                #[doc = concat!("Takes the `", stringify!($t), "` array, if that is the dtype.")]
                pub fn $into(self) -> Option<ArrayD<$t>> {
                    match self { Array::$v(a) => Some(a), _ => None }
                }
            )*
        }
    };
}
typed_accessors! {
    as_bool, into_bool, bool, Bool;
    as_i32, into_i32, i32, Int32;
    as_i64, into_i64, i64, Int64;
    as_f32, into_f32, f32, Float32;
    as_f64, into_f64, f64, Float64;
    as_c128, into_c128, Complex64, Complex128;
}

impl Array {
    pub fn dtype(&self) -> DType {
        match self {
            Array::Bool(_) => DType::Bool,
            Array::Int32(_) => DType::Int32,
            Array::Int64(_) => DType::Int64,
            Array::Float32(_) => DType::Float32,
            Array::Float64(_) => DType::Float64,
            Array::Complex128(_) => DType::Complex128,
        }
    }

    pub fn shape(&self) -> &[usize] {
        dispatch!(Array, self, a => a.shape())
    }

    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The same elements (in C order) under `shape`, which must hold as many; used for
    /// a reduction's `keepdims=True`, which only inserts size-1 axes.
    pub fn into_shape(self, shape: &[usize]) -> Result<Array, Error> {
        dispatch!(Array, self, a => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            a.into_shape_with_order(IxDyn(shape))
                .map(Element::owned)
                .map_err(|e| internal(format!("reshape to {shape:?}: {e}")))
        })
    }

    pub fn len(&self) -> usize {
        dispatch!(Array, self, a => a.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A borrowed view of the whole array.
    pub fn view(&self) -> AnyView<'_> {
        dispatch!(Array, self, a => Element::view(a.view()))
    }

    /// A mutable view of the whole array (e.g. to use as `out`).
    pub fn view_mut(&mut self) -> AnyViewMut<'_> {
        dispatch!(Array, self, a => Element::view_mut(a.view_mut()))
    }

    /// An array of zeros (`False` for bool).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Array {
        let s = IxDyn(shape);
        match dtype {
            DType::Bool => Array::Bool(ArrayD::from_elem(s, false)),
            DType::Int32 => Array::Int32(ArrayD::zeros(s)),
            DType::Int64 => Array::Int64(ArrayD::zeros(s)),
            DType::Float32 => Array::Float32(ArrayD::zeros(s)),
            DType::Float64 => Array::Float64(ArrayD::zeros(s)),
            DType::Complex128 => Array::Complex128(ArrayD::zeros(s)),
        }
    }

    /// A 0-d array holding `s`.
    pub fn from_scalar(s: Scalar) -> Array {
        let d = IxDyn(&[]);
        match s {
            Scalar::Bool(v) => Array::Bool(ArrayD::from_elem(d, v)),
            Scalar::Int32(v) => Array::Int32(ArrayD::from_elem(d, v)),
            Scalar::Int64(v) => Array::Int64(ArrayD::from_elem(d, v)),
            Scalar::Float32(v) => Array::Float32(ArrayD::from_elem(d, v)),
            Scalar::Float64(v) => Array::Float64(ArrayD::from_elem(d, v)),
            Scalar::Complex128(v) => Array::Complex128(ArrayD::from_elem(d, v)),
        }
    }

    /// Element at a flat position in logical (row-major) order.
    pub fn get_flat(&self, i: usize) -> Option<Scalar> {
        macro_rules! at {
            ($a:expr, $v:ident) => {
                $a.iter().nth(i).map(|x| Scalar::$v(*x))
            };
        }
        match self {
            Array::Bool(a) => at!(a, Bool),
            Array::Int32(a) => at!(a, Int32),
            Array::Int64(a) => at!(a, Int64),
            Array::Float32(a) => at!(a, Float32),
            Array::Float64(a) => at!(a, Float64),
            Array::Complex128(a) => at!(a, Complex128),
        }
    }

    /// All elements in logical (row-major) order.
    pub fn to_scalars(&self) -> Vec<Scalar> {
        match self {
            Array::Bool(a) => a.iter().map(|x| Scalar::Bool(*x)).collect(),
            Array::Int32(a) => a.iter().map(|x| Scalar::Int32(*x)).collect(),
            Array::Int64(a) => a.iter().map(|x| Scalar::Int64(*x)).collect(),
            Array::Float32(a) => a.iter().map(|x| Scalar::Float32(*x)).collect(),
            Array::Float64(a) => a.iter().map(|x| Scalar::Float64(*x)).collect(),
            Array::Complex128(a) => a.iter().map(|x| Scalar::Complex128(*x)).collect(),
        }
    }

    /// Same dtype, shape and elements, with NaN equal to NaN and ±0 distinguished.
    pub fn same(&self, other: &Array) -> bool {
        self.dtype() == other.dtype()
            && self.shape() == other.shape()
            && self
                .to_scalars()
                .into_iter()
                .zip(other.to_scalars())
                .all(|(a, b)| a.same(b))
    }
}

impl<T: Element> From<ArrayD<T>> for Array {
    fn from(a: ArrayD<T>) -> Array {
        T::owned(a)
    }
}

/// A borrowed, possibly strided (even negatively) view of any dtype.
#[derive(Clone, Debug)]
pub enum AnyView<'a> {
    Bool(ArrayViewD<'a, bool>),
    Int32(ArrayViewD<'a, i32>),
    Int64(ArrayViewD<'a, i64>),
    Float32(ArrayViewD<'a, f32>),
    Float64(ArrayViewD<'a, f64>),
    Complex128(ArrayViewD<'a, Complex64>),
}

impl AnyView<'_> {
    pub fn dtype(&self) -> DType {
        match self {
            AnyView::Bool(_) => DType::Bool,
            AnyView::Int32(_) => DType::Int32,
            AnyView::Int64(_) => DType::Int64,
            AnyView::Float32(_) => DType::Float32,
            AnyView::Float64(_) => DType::Float64,
            AnyView::Complex128(_) => DType::Complex128,
        }
    }
    pub fn shape(&self) -> &[usize] {
        dispatch!(AnyView, self, a => a.shape())
    }
    /// Strides in elements (may be zero or negative).
    pub fn strides(&self) -> &[isize] {
        dispatch!(AnyView, self, a => a.strides())
    }
    /// Pointer to the element at index (0, 0, …), as bytes.
    pub fn as_ptr(&self) -> *const u8 {
        dispatch!(AnyView, self, a => a.as_ptr() as *const u8)
    }
    /// A view of the same elements with a shorter lifetime (views are invariant).
    pub fn reborrow(&self) -> AnyView<'_> {
        dispatch!(AnyView, self, a => Element::view(a.view()))
    }
    /// An owned copy.
    pub fn to_owned(&self) -> Array {
        dispatch!(AnyView, self, a => Element::owned(a.to_owned()))
    }
}

/// A caller-owned mutable view that numjit writes a result into.
#[derive(Debug)]
pub enum AnyViewMut<'a> {
    Bool(ArrayViewMutD<'a, bool>),
    Int32(ArrayViewMutD<'a, i32>),
    Int64(ArrayViewMutD<'a, i64>),
    Float32(ArrayViewMutD<'a, f32>),
    Float64(ArrayViewMutD<'a, f64>),
    Complex128(ArrayViewMutD<'a, Complex64>),
}

impl AnyViewMut<'_> {
    pub fn dtype(&self) -> DType {
        match self {
            AnyViewMut::Bool(_) => DType::Bool,
            AnyViewMut::Int32(_) => DType::Int32,
            AnyViewMut::Int64(_) => DType::Int64,
            AnyViewMut::Float32(_) => DType::Float32,
            AnyViewMut::Float64(_) => DType::Float64,
            AnyViewMut::Complex128(_) => DType::Complex128,
        }
    }
    pub fn shape(&self) -> &[usize] {
        dispatch!(AnyViewMut, self, a => a.shape())
    }
    pub fn strides(&self) -> &[isize] {
        dispatch!(AnyViewMut, self, a => a.strides())
    }
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        dispatch!(AnyViewMut, self, a => a.as_mut_ptr() as *mut u8)
    }
    /// A shorter-lived mutable view of the same elements.
    pub fn reborrow(&mut self) -> AnyViewMut<'_> {
        dispatch!(AnyViewMut, self, a => Element::view_mut(a.view_mut()))
    }
}

/// Things that can be handed to [`Vars::insert`]: ndarray arrays and views of the six
/// element types (any dimension, any strides), and Rust scalars (0-d arrays of that type).
pub trait IntoVar<'a> {
    fn into_var(self) -> Var<'a>;
}

/// One input value.
#[derive(Clone, Debug)]
pub enum Var<'a> {
    /// A borrowed array (strongly typed).
    View(AnyView<'a>),
    /// An owned array (strongly typed; Rust scalars become 0-d arrays).
    Owned(Array),
    /// A weak literal: behaves exactly like the same literal written in the expression.
    /// This is what the command line's `NAME=2.5` gives.
    Literal(crate::types::Literal),
}

impl Var<'_> {
    pub fn view(&self) -> Option<AnyView<'_>> {
        match self {
            Var::View(v) => Some(v.reborrow()),
            Var::Owned(a) => Some(a.view()),
            Var::Literal(_) => None,
        }
    }
}

impl<'a, S, D, T> IntoVar<'a> for &'a ArrayBase<S, D>
where
    S: Data<Elem = T>,
    D: Dimension,
    T: Element,
{
    fn into_var(self) -> Var<'a> {
        Var::View(T::view(self.view().into_dyn()))
    }
}

macro_rules! impl_scalar_var {
    ($t:ty, $v:ident) => {
        impl<'a> IntoVar<'a> for $t {
            fn into_var(self) -> Var<'a> {
                Var::Owned(Array::from_scalar(Scalar::$v(self)))
            }
        }
    };
}
each_dtype!(impl_scalar_var);

impl<'a> IntoVar<'a> for Array {
    fn into_var(self) -> Var<'a> {
        Var::Owned(self)
    }
}
impl<'a> IntoVar<'a> for &'a Array {
    fn into_var(self) -> Var<'a> {
        Var::View(self.view())
    }
}
impl<'a> IntoVar<'a> for AnyView<'a> {
    fn into_var(self) -> Var<'a> {
        Var::View(self)
    }
}
impl<'a> IntoVar<'a> for crate::types::Literal {
    fn into_var(self) -> Var<'a> {
        Var::Literal(self)
    }
}

/// The named inputs of an evaluation.
///
/// ```
/// use ndarray::array;
/// let x = array![1.0, 2.0, 3.0];
/// let mut vars = numjit::Vars::new();
/// vars.insert("x", &x);
/// vars.insert("s", 2.5);
/// assert_eq!(vars.len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Vars<'a> {
    entries: Vec<(String, Var<'a>)>,
}

impl<'a> Vars<'a> {
    pub fn new() -> Vars<'a> {
        Vars::default()
    }

    /// Adds or replaces `name`. Names that are not identifiers can never be referred to
    /// by an expression; use [`Vars::try_insert`] to have them rejected.
    pub fn insert(&mut self, name: &str, value: impl IntoVar<'a>) -> &mut Self {
        let var = value.into_var();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = var,
            None => self.entries.push((name.to_string(), var)),
        }
        self
    }

    /// Like [`Vars::insert`], but rejects names that are not identifiers, are keywords,
    /// or are the names of functions (E0205).
    pub fn try_insert(&mut self, name: &str, value: impl IntoVar<'a>) -> Result<&mut Self, Error> {
        crate::syntax::check_var_name(name)?;
        Ok(self.insert(name, value))
    }

    pub fn get(&self, name: &str) -> Option<&Var<'a>> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> + use<'_, 'a> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Var<'a>)> + use<'_, 'a> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Things that can receive a result in [`crate::evaluate_into`]: mutable ndarray arrays
/// and views of the six element types, any dimension and strides.
pub trait IntoOut<'a> {
    fn into_out(self) -> AnyViewMut<'a>;
}

impl<'a, S, D, T> IntoOut<'a> for &'a mut ArrayBase<S, D>
where
    S: DataMut<Elem = T>,
    D: Dimension,
    T: Element,
{
    fn into_out(self) -> AnyViewMut<'a> {
        T::view_mut(self.view_mut().into_dyn())
    }
}

impl<'a> IntoOut<'a> for AnyViewMut<'a> {
    fn into_out(self) -> AnyViewMut<'a> {
        self
    }
}

impl<'a> IntoOut<'a> for &'a mut Array {
    fn into_out(self) -> AnyViewMut<'a> {
        self.view_mut()
    }
}

pub(crate) fn internal(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Internal, msg)
        .help("this is a bug in numjit; please report it with the expression")
}
