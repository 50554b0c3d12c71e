//! The benchmark cases of `numjit bench`: families, their sizes, names (`poly_1e7`,
//! `diffusion_periodic_640`), expressions and input data. Owns no timing and no engines.

use ndarray::{ArrayD, IxDyn, Slice};
use num_complex::Complex64;
use numjit::{AnyView, Array, Vars};

/// The seed of every input array: runs are repeatable.
pub const SEED: u64 = 20240611;
/// The polynomial of the course material.
pub const POLY: &str = "((.25*x + .75)*x - 1.5)*x - 2";

/// What a family measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One expression over arrays; naive, fused and the copy reference.
    Elementwise,
    /// 2-D diffusion with periodic boundaries (*High Performance Python*, ch. 6).
    DiffusionPeriodic,
    /// 2-D diffusion updating only the interior, boundaries fixed (the ENCCS Laplace exercise).
    DiffusionFixed,
    /// Mandelbrot escape counts, computed array-wise.
    Mandel,
}

/// How the inputs of an elementwise family are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `x`, float64, `n` elements.
    X,
    /// `x`, float32.
    XF32,
    /// `a`, `b`, `c`, float64.
    Abc,
    /// `a`, `b`, float64.
    Ab,
    /// `a` (rows, cols) and `b` (cols,).
    Row,
    /// `a` (rows, cols) and `c` (rows, 1).
    Col,
    /// `x = base[::2]`, base has `2n` elements.
    Strided,
    /// `z`, `c`, complex128.
    Complex,
}

/// A family of cases: one computation at several sizes.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub kind: Kind,
    /// The expression (elementwise families); a description otherwise.
    pub expr: &'static str,
    pub layout: Layout,
    /// Sizes of the full suite and of `--quick` (elements; grid side for 2-D families).
    pub full: &'static [usize],
    pub quick: &'static [usize],
    /// Bytes per element that any engine must move at least (STREAM counting: inputs read
    /// and output written once). Diffusion: per cell and iteration. Mandelbrot: per cell
    /// and iteration of the fused formulation (times the iteration limit per call).
    pub bytes_per_elem: f64,
    /// Engines must agree bitwise (arithmetic only); false: within a small relative
    /// tolerance (transcendental functions, reductions).
    pub exact: bool,
}

const E7: usize = 10_000_000;
const E6: usize = 1_000_000;

/// Every family, in the order the suite runs them.
pub const FAMILIES: &[Family] = &[
    Family {
        name: "poly",
        kind: Kind::Elementwise,
        expr: POLY,
        layout: Layout::X,
        full: &[1_000, 100_000, E6, E7],
        quick: &[1_000, 100_000, E6, E7],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "triad",
        kind: Kind::Elementwise,
        expr: "a*b + c",
        layout: Layout::Abc,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 32.0,
        exact: true,
    },
    Family {
        name: "temporaries",
        kind: Kind::Elementwise,
        expr: "2*a - 4.5*b + sin(a) + cos(b)",
        layout: Layout::Ab,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 24.0,
        exact: false,
    },
    Family {
        name: "trig",
        kind: Kind::Elementwise,
        expr: "sin(x)**2 + cos(x)**2",
        layout: Layout::X,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 16.0,
        exact: false,
    },
    Family {
        name: "gauss",
        kind: Kind::Elementwise,
        expr: "exp(-(x - 0.5)**2 / 0.02)",
        layout: Layout::X,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 16.0,
        exact: false,
    },
    Family {
        name: "select",
        kind: Kind::Elementwise,
        expr: "where(x > 0.5, 2*x, sqrt(x))",
        layout: Layout::X,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "poly_f32",
        kind: Kind::Elementwise,
        expr: POLY,
        layout: Layout::XF32,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 8.0,
        exact: true,
    },
    Family {
        name: "bcast_row",
        kind: Kind::Elementwise,
        expr: "a + b",
        layout: Layout::Row,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "bcast_col",
        kind: Kind::Elementwise,
        expr: "a * c",
        layout: Layout::Col,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "strided",
        kind: Kind::Elementwise,
        expr: "x*2 + 1",
        layout: Layout::Strided,
        full: &[E7],
        quick: &[E6],
        // x = base[::2] touches whole cache lines: 16 B read per element, 8 written.
        bytes_per_elem: 24.0,
        exact: true,
    },
    Family {
        name: "complex",
        kind: Kind::Elementwise,
        expr: "z*z + c",
        layout: Layout::Complex,
        full: &[E6],
        quick: &[E6],
        bytes_per_elem: 48.0,
        exact: true,
    },
    Family {
        name: "sum",
        kind: Kind::Elementwise,
        expr: "sum(x**2)",
        layout: Layout::X,
        full: &[E7],
        quick: &[E6],
        bytes_per_elem: 8.0,
        exact: false,
    },
    Family {
        name: "diffusion_periodic",
        kind: Kind::DiffusionPeriodic,
        expr: "g + dt*D*(up + dn + lf + rt - 4*g)",
        layout: Layout::X,
        full: &[640, 2048],
        quick: &[640],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "diffusion_fixed",
        kind: Kind::DiffusionFixed,
        expr: "g + dt*D*(up + dn + lf + rt - 4*g)",
        layout: Layout::X,
        full: &[640, 2048],
        quick: &[640],
        bytes_per_elem: 16.0,
        exact: true,
    },
    Family {
        name: "mandel",
        kind: Kind::Mandel,
        expr: "n + (abs(z) <= 2); where(abs(z) <= 2, z*z + c, z)",
        layout: Layout::Complex,
        full: &[300, 1000],
        quick: &[300],
        // count update: z 16 + n 4 read, n 4 written; z update: z 16 + c 16 read, z 16 written.
        bytes_per_elem: 72.0,
        exact: true,
    },
];

/// One case: a family at one size.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub family: &'static Family,
    pub size: usize,
}

impl Case {
    /// `poly_1e7`, `triad_1e6`, `mandel_1000`, `diffusion_fixed_2048` (grid sides are
    /// plain numbers).
    pub fn name(&self) -> String {
        match self.family.kind {
            Kind::Elementwise => format!("{}_{}", self.family.name, size_tag(self.size)),
            _ => format!("{}_{}", self.family.name, self.size),
        }
    }

    /// Output elements (cells for 2-D families).
    pub fn elems(&self) -> usize {
        match self.family.kind {
            Kind::Elementwise => match self.family.layout {
                Layout::Row | Layout::Col => {
                    let (r, c) = rows_cols(self.size);
                    r * c
                }
                _ => self.size,
            },
            Kind::DiffusionFixed => self.size.saturating_sub(2).pow(2),
            _ => self.size * self.size,
        }
    }

    /// The N column: `1e7`, `4000×2500`, `640²`.
    pub fn n_label(&self) -> String {
        match (self.family.kind, self.family.layout) {
            (Kind::Elementwise, Layout::Row | Layout::Col) => {
                let (r, c) = rows_cols(self.size);
                format!("{r}×{c}")
            }
            (Kind::Elementwise, _) => size_tag(self.size),
            _ => format!("{}²", self.size),
        }
    }
}

/// `1e7` for powers of ten from 1000 on, the number otherwise.
pub fn size_tag(n: usize) -> String {
    let mut k = 0;
    let mut m = n;
    while m >= 10 && m.is_multiple_of(10) {
        m /= 10;
        k += 1;
    }
    if m == 1 && k >= 3 {
        format!("1e{k}")
    } else {
        n.to_string()
    }
}

/// Parses `1e7`, `1000`.
fn parse_size(s: &str) -> Option<usize> {
    if let Some((m, e)) = s.split_once('e') {
        let m: usize = m.parse().ok()?;
        let e: u32 = e.parse().ok()?;
        m.checked_mul(10usize.checked_pow(e)?)
    } else {
        s.parse().ok()
    }
}

/// The 2-D shape of a broadcast case with about `n` elements: 4000×2500 for 1e7.
pub fn rows_cols(n: usize) -> (usize, usize) {
    let rows = ((n as f64 * 1.6).sqrt().round() as usize).max(1);
    (rows, (n / rows).max(1))
}

/// Largest size a case name may ask for (elements; 2-D families: side).
const MAX_ELEMS: usize = 200_000_000;
const MAX_SIDE: usize = 8192;

/// The cases `--cases` selects (all of the suite's when `None`). Each item is a family
/// name (all its sizes), a case name (`poly_1e7`) or a family at any size
/// (`mandel_64`, `poly_12345`).
pub fn select(spec: Option<&str>, quick: bool) -> Result<Vec<Case>, String> {
    let sizes = |f: &'static Family| if quick { f.quick } else { f.full };
    let Some(spec) = spec else {
        return Ok(FAMILIES
            .iter()
            .flat_map(|f| sizes(f).iter().map(move |&size| Case { family: f, size }))
            .collect());
    };
    let mut out: Vec<Case> = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let found: Vec<Case> = if let Some(f) = FAMILIES.iter().find(|f| f.name == item) {
            sizes(f)
                .iter()
                .map(|&size| Case { family: f, size })
                .collect()
        } else {
            let parsed = FAMILIES.iter().find_map(|f| {
                let tail = item.strip_prefix(f.name)?.strip_prefix('_')?;
                Some((f, parse_size(tail)?))
            });
            match parsed {
                Some((f, size)) => {
                    let two_d = f.kind != Kind::Elementwise;
                    let (lo, hi) = if two_d { (3, MAX_SIDE) } else { (1, MAX_ELEMS) };
                    if size < lo || size > hi {
                        return Err(format!(
                            "`{item}`: the size must be between {lo} and {hi}{}",
                            if two_d { " (grid side)" } else { " elements" }
                        ));
                    }
                    vec![Case { family: f, size }]
                }
                None => return Err(format!("unknown case `{item}`")),
            }
        };
        for c in found {
            if !out.iter().any(|o| o.name() == c.name()) {
                out.push(c);
            }
        }
    }
    if out.is_empty() {
        return Err("`--cases` names no case".into());
    }
    Ok(out)
}

/// The families and default case names, for help texts.
pub fn catalogue() -> String {
    FAMILIES
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Owned input arrays of an elementwise case, uniform in [0, 1).
pub struct Inputs {
    arrays: Vec<(&'static str, Array)>,
    strided: bool,
}

impl Inputs {
    pub fn new(case: &Case) -> Inputs {
        let mut rng = fastrand::Rng::with_seed(SEED);
        let n = case.size;
        let mut f64s = |shape: &[usize]| {
            let len = shape.iter().product();
            let v: Vec<f64> = (0..len).map(|_| rng.f64()).collect();
            Array::Float64(ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape matches"))
        };
        let arrays = match case.family.layout {
            Layout::X => vec![("x", f64s(&[n]))],
            Layout::Abc => vec![("a", f64s(&[n])), ("b", f64s(&[n])), ("c", f64s(&[n]))],
            Layout::Ab => vec![("a", f64s(&[n])), ("b", f64s(&[n]))],
            Layout::Row => {
                let (r, c) = rows_cols(n);
                vec![("a", f64s(&[r, c])), ("b", f64s(&[c]))]
            }
            Layout::Col => {
                let (r, c) = rows_cols(n);
                vec![("a", f64s(&[r, c])), ("c", f64s(&[r, 1]))]
            }
            Layout::Strided => vec![("x", f64s(&[2 * n]))],
            Layout::XF32 => {
                let v: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
                vec![(
                    "x",
                    Array::Float32(ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("shape")),
                )]
            }
            Layout::Complex => {
                let mut c128 = || {
                    let v: Vec<Complex64> = (0..n)
                        .map(|_| Complex64::new(rng.f64(), rng.f64()))
                        .collect();
                    Array::Complex128(ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("shape"))
                };
                vec![("z", c128()), ("c", c128())]
            }
        };
        Inputs {
            arrays,
            strided: case.family.layout == Layout::Strided,
        }
    }

    /// The variables the expression sees (`x = base[::2]` for the strided case).
    pub fn vars(&self) -> Vars<'_> {
        let mut vars = Vars::new();
        for (name, a) in &self.arrays {
            match (self.strided, a) {
                (true, Array::Float64(base)) => {
                    let v = base.slice_each_axis(|_| Slice::new(0, None, 2));
                    vars.insert(name, AnyView::Float64(v))
                }
                _ => vars.insert(name, a),
            };
        }
        vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        assert_eq!(size_tag(10_000_000), "1e7");
        assert_eq!(size_tag(640), "640");
        assert_eq!(size_tag(100), "100");
        assert_eq!(parse_size("1e5"), Some(100_000));
        assert_eq!(rows_cols(E7), (4000, 2500));
        let cases = select(Some("poly,mandel_64,diffusion_fixed_640,mandel_1e3"), false).unwrap();
        let names: Vec<String> = cases.iter().map(Case::name).collect();
        assert_eq!(
            names,
            [
                "poly_1e3",
                "poly_1e5",
                "poly_1e6",
                "poly_1e7",
                "mandel_64",
                "diffusion_fixed_640",
                "mandel_1000"
            ]
        );
        assert!(select(Some("nope"), false).is_err());
        assert!(select(Some("mandel_1"), false).is_err());
        assert!(select(Some(","), false).is_err());
    }
}
