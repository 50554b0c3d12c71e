//! Temporary scalar rules for the block routines until `crate::semantics` lands on
//! main; then routines call `crate::semantics` directly and this file goes away.

use num_complex::Complex64;

macro_rules! int_rules {
    ($fd:ident, $md:ident, $pw:ident, $t:ty) => {
        pub fn $fd(a: $t, b: $t) -> $t {
            if b == 0 {
                return 0;
            }
            if b == -1 {
                return a.wrapping_neg();
            }
            let q = a / b;
            if a % b != 0 && ((a < 0) != (b < 0)) {
                q - 1
            } else {
                q
            }
        }
        pub fn $md(a: $t, b: $t) -> $t {
            if b == 0 || b == -1 {
                return 0;
            }
            let r = a % b;
            if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }
        pub fn $pw(a: $t, b: $t) -> Option<$t> {
            if b < 0 {
                return None;
            }
            let (mut base, mut e, mut acc) = (a, b, 1 as $t);
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                e >>= 1;
            }
            Some(acc)
        }
    };
}
int_rules!(floordiv_i32, mod_i32, pow_i32, i32);
int_rules!(floordiv_i64, mod_i64, pow_i64, i64);

macro_rules! float_rules {
    ($fd:ident, $md:ident, $pw:ident, $t:ty) => {
        fn divmod(a: $t, b: $t) -> ($t, $t) {
            let mut m = a % b;
            if b == 0.0 {
                return (a / b, m);
            }
            let mut div = (a - m) / b;
            if m != 0.0 {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $t).copysign(b);
            }
            let fd = if div != 0.0 {
                let mut f = div.floor();
                if div - f > 0.5 {
                    f += 1.0;
                }
                f
            } else {
                (0.0 as $t).copysign(a / b)
            };
            (fd, m)
        }
        pub fn $fd(a: $t, b: $t) -> $t {
            divmod(a, b).0
        }
        pub fn $md(a: $t, b: $t) -> $t {
            if b == 0.0 {
                return a % b;
            }
            divmod(a, b).1
        }
        pub fn $pw(a: $t, b: $t) -> $t {
            a.powf(b)
        }
    };
}
mod f32r {
    float_rules!(floordiv_f32, mod_f32, pow_f32, f32);
}
mod f64r {
    float_rules!(floordiv_f64, mod_f64, pow_f64, f64);
}
pub use f32r::*;
pub use f64r::*;

pub fn div_c128(a: Complex64, b: Complex64) -> Complex64 {
    let (ar, ai, br, bi) = (a.re, a.im, b.re, b.im);
    let (bra, bia) = (br.abs(), bi.abs());
    if bra >= bia {
        if bra == 0.0 && bia == 0.0 {
            Complex64::new(ar / bra, ai / bra)
        } else {
            let rat = bi / br;
            let scl = 1.0 / (br + bi * rat);
            Complex64::new((ar + ai * rat) * scl, (ai - ar * rat) * scl)
        }
    } else {
        let rat = br / bi;
        let scl = 1.0 / (bi + br * rat);
        Complex64::new((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    }
}
pub fn abs_c128(a: Complex64) -> f64 {
    a.re.hypot(a.im)
}
pub fn sqrt_c128(a: Complex64) -> Complex64 {
    a.sqrt()
}
pub fn pow_c128(a: Complex64, b: Complex64) -> Complex64 {
    a.powc(b)
}
