//! Reading and writing `.npy` files of the six dtypes, with coded errors and no panics.
//! Knows nothing about expressions; the byte format itself is ndarray-npy's job.

use crate::array::Array;
use crate::error::{Error, ErrorKind};
use crate::limits::MAX_NDIM;
use crate::types::DType;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use ndarray_npy::npy::header::{Header, ReadHeaderError};
use ndarray_npy::{ReadDataError, ReadableElement, WritableElement, WriteNpyExt};
use num_complex::Complex64;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What [`read_npy`] accepts, for help lines.
pub const SUPPORTED_DTYPES: &str = "bool (`|b1`), int32 (`<i4`), int64 (`<i8`), float32 (`<f4`), \
     float64 (`<f8`) and complex128 (`<c16`), little- or big-endian";

/// Reads a `.npy` file (format 1.0, 2.0 or 3.0) holding one of the six dtypes, in C or
/// Fortran order, little- or big-endian.
///
/// Errors: the file cannot be opened or read → `Io` (E0601); not a `.npy` file, a
/// malformed header, or a data section shorter or longer than the header promises →
/// `BadNpy` (E0602); any other dtype → `UnsupportedNpyDtype` (E0603).
///
/// The data length is checked against the file length *before* anything is allocated,
/// so a corrupt header claiming a huge shape is an error, not an out-of-memory abort.
pub fn read_npy(path: &Path) -> Result<Array, Error> {
    let file = File::open(path).map_err(|e| io_error("cannot open", path, &e))?;
    let meta = file
        .metadata()
        .map_err(|e| io_error("cannot read", path, &e))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot read `{}`: it is a directory", path.display()),
        )
        .help("give the path of a .npy file"));
    }
    if meta.is_file() {
        read_from(BufReader::new(file), meta.len(), path)
    } else {
        // A pipe or device: its length is only known once it has been read.
        let mut bytes = Vec::new();
        let mut file = file;
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error("cannot read", path, &e))?;
        let len = bytes.len() as u64;
        read_from(Cursor::new(bytes), len, path)
    }
}

/// Counts the bytes read through it, to learn where the header ends.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The dtype a `descr` names, and the descriptor to hand to ndarray-npy (which only
/// knows the explicit `<`/`>` spellings, so `=f8` and `f8` become the native one).
fn dispatch_descr(descr: &str) -> Option<(DType, bool)> {
    // Returns the dtype and whether the descriptor must be replaced by the native one.
    let (order, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '=' | '|')) => (Some(c), &descr[1..]),
        _ => (None, descr),
    };
    let dtype = match code {
        "b1" | "?" => return Some((DType::Bool, true)),
        "i4" => DType::Int32,
        "i8" => DType::Int64,
        "f4" => DType::Float32,
        "f8" => DType::Float64,
        "c16" => DType::Complex128,
        _ => return None,
    };
    Some((dtype, !matches!(order, Some('<' | '>'))))
}

/// NumPy's name for a dtype numjit does not support, and the supported one to convert to.
fn unsupported_name(code: &str) -> (Option<&'static str>, &'static str) {
    let c = code.trim_start_matches(['<', '>', '=', '|']);
    let kind = c.chars().next().unwrap_or(' ');
    let rest = &c[kind.len_utf8().min(c.len())..];
    match (kind, rest) {
        ('f', "2") | ('e', "") => (Some("float16"), "np.float32"),
        ('f', "16") | ('f', "12") | ('g', "") => (Some("longdouble"), "np.float64"),
        ('i', "1") | ('b', "") => (Some("int8"), "np.int32"),
        ('i', "2") | ('h', "") => (Some("int16"), "np.int32"),
        ('u', "1") | ('B', "") => (Some("uint8"), "np.int32"),
        ('u', "2") | ('H', "") => (Some("uint16"), "np.int32"),
        ('u', "4") | ('I', "") => (Some("uint32"), "np.int64"),
        ('u', "8") | ('Q', "") => (Some("uint64"), "np.int64"),
        ('c', "8") | ('F', "") => (Some("complex64"), "np.complex128"),
        ('c', "32") | ('c', "24") | ('G', "") => (Some("clongdouble"), "np.complex128"),
        ('U', _) => (Some("a unicode string dtype"), "np.float64"),
        ('S', _) | ('a', _) => (Some("a bytes dtype"), "np.float64"),
        ('O', _) => (Some("object"), "np.float64"),
        ('M', _) => (Some("datetime64"), "np.int64"),
        ('m', _) => (Some("timedelta64"), "np.int64"),
        ('V', _) => (Some("void"), "np.float64"),
        _ => (None, "np.float64"),
    }
}

fn unsupported(path: &Path, descr_repr: &str, code: Option<&str>) -> Error {
    let (name, target) = code
        .map(unsupported_name)
        .unwrap_or((Some("a structured dtype"), "np.float64"));
    let what = match name {
        Some(n) => format!("{n} (`{descr_repr}`)"),
        None => format!("`{descr_repr}`"),
    };
    Error::new(
        ErrorKind::UnsupportedNpyDtype,
        format!("`{}` holds an unsupported dtype: {what}", path.display()),
    )
    .help(format!(
        "numjit reads {SUPPORTED_DTYPES}; convert the array first, e.g. `np.save(path, a.astype({target}))`"
    ))
}

fn bad_npy(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::BadNpy, format!("`{}` {what}", path.display()))
        .help("give a file written by NumPy's `np.save` (or numjit `--out`)")
}

fn io_error(action: &str, path: &Path, e: &io::Error) -> Error {
    let help = match e.kind() {
        io::ErrorKind::NotFound => "check the path",
        io::ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check the path and that the file is readable",
    };
    Error::new(
        ErrorKind::Io,
        format!("{action} `{}`: {}", path.display(), os_message(e)),
    )
    .help(help)
}

/// `No such file or directory (os error 2)` → `no such file or directory (os error 2)`.
fn os_message(e: &io::Error) -> String {
    let s = e.to_string();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => s,
    }
}

fn read_from<R: Read>(reader: R, total: u64, path: &Path) -> Result<Array, Error> {
    let mut reader = Counting {
        inner: reader,
        count: 0,
    };
    let header = match Header::from_reader(&mut reader) {
        Ok(h) => h,
        Err(ReadHeaderError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(if reader.count < 6 && total < 6 {
                bad_npy(
                    path,
                    "is not a .npy file (it is too short to hold the header)",
                )
            } else {
                bad_npy(path, "is truncated: it ends inside the .npy header")
            });
        }
        Err(ReadHeaderError::Io(e)) => return Err(io_error("cannot read", path, &e)),
        Err(ReadHeaderError::Parse(e)) => {
            let msg = e.to_string();
            return Err(if msg.contains("magic string") {
                bad_npy(
                    path,
                    "is not a .npy file (it does not start with `\\x93NUMPY`)",
                )
            } else {
                bad_npy(path, format_args!("has a malformed .npy header: {msg}"))
            });
        }
    };
    let shape = header.shape.clone();
    if shape.len() > MAX_NDIM {
        return Err(bad_npy(
            path,
            format_args!(
                "has {} dimensions; at most {MAX_NDIM} are supported",
                shape.len()
            ),
        ));
    }

    let descr_repr = header.type_descriptor.to_string();
    // py_literal prints a Python str as `'...'`; anything else is a structured dtype.
    let descr = descr_repr
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .filter(|s| !s.contains(['\'', '\\']));
    let Some(descr) = descr else {
        return Err(unsupported(path, &descr_repr, None));
    };
    let Some((dtype, native)) = dispatch_descr(descr) else {
        return Err(unsupported(path, descr, Some(descr)));
    };

    let len = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let item = dtype.size() as u64;
    let expected = len
        .and_then(|n| (n as u64).checked_mul(item))
        .filter(|&b| b <= isize::MAX as u64);
    let (Some(len), Some(expected)) = (len, expected) else {
        return Err(bad_npy(
            path,
            format_args!("has an impossibly large shape {shape:?}"),
        ));
    };
    let available = total.saturating_sub(reader.count);
    if available < expected {
        return Err(bad_npy(
            path,
            format_args!(
                "is truncated: its header promises {expected} bytes of array data but only {available} follow"
            ),
        ));
    }
    if available > expected {
        return Err(bad_npy(
            path,
            format_args!(
                "has {} unexpected bytes after the array data",
                available - expected
            ),
        ));
    }

    let fortran = header.layout.is_fortran();
    let desc = &header.type_descriptor;
    macro_rules! read_as {
        ($t:ty, $variant:ident) => {{
            let native_desc = <$t as WritableElement>::type_descriptor();
            let d = if native { &native_desc } else { desc };
            let data = <$t as ReadableElement>::read_to_end_exact_vec(&mut reader, d, len)
                .map_err(|e| data_error(path, e))?;
            let a = ArrayD::from_shape_vec(IxDyn(&shape).set_f(fortran), data)
                .map_err(|e| bad_npy(path, format_args!("has an invalid shape {shape:?}: {e}")))?;
            Array::$variant(a)
        }};
    }
    Ok(match dtype {
        DType::Bool => read_as!(bool, Bool),
        DType::Int32 => read_as!(i32, Int32),
        DType::Int64 => read_as!(i64, Int64),
        DType::Float32 => read_as!(f32, Float32),
        DType::Float64 => read_as!(f64, Float64),
        DType::Complex128 => read_as!(Complex64, Complex128),
    })
}

fn data_error(path: &Path, e: ReadDataError) -> Error {
    match e {
        ReadDataError::Io(e) => io_error("cannot read", path, &e),
        ReadDataError::MissingData => bad_npy(path, "is truncated: it ends inside the array data"),
        ReadDataError::ExtraBytes(n) => bad_npy(
            path,
            format_args!("has {n} unexpected bytes after the array data"),
        ),
        ReadDataError::ParseData(e) => bad_npy(path, format_args!("holds invalid data: {e}")),
        ReadDataError::WrongDescriptor(d) => {
            bad_npy(path, format_args!("has a descriptor numjit misread: {d}"))
        }
    }
}

/// Writes `array` as a `.npy` file (format 1.0, native byte order, C or Fortran order).
///
/// The bytes go to a temporary file in the same directory, which is renamed over `path`
/// only once it is complete, so `path` never holds a half-written file; on failure the
/// temporary file is removed. Every failure is an `Io` error (E0601) naming `path`.
pub fn write_npy(path: &Path, array: &Array) -> Result<(), Error> {
    let tmp = temp_path(path);
    let result = write_to(&tmp, array).and_then(|()| fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        let help = match e.kind() {
            io::ErrorKind::NotFound => "check that the output directory exists",
            io::ErrorKind::PermissionDenied => "check the output directory's permissions",
            _ => "check the output path",
        };
        Error::new(
            ErrorKind::Io,
            format!("cannot write `{}`: {}", path.display(), os_message(&e)),
        )
        .help(help)
    })
}

/// `dir/.name.numjit-<pid>-<n>.tmp`: hidden, unique within this process, same directory.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp_name = format!(".{name}.numjit-{}-{n}.tmp", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp_name),
        _ => PathBuf::from(tmp_name),
    }
}

fn write_to(tmp: &Path, array: &Array) -> io::Result<()> {
    let file = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    let mut writer = BufWriter::new(file);
    let written = crate::dispatch!(Array, array, a => a.write_npy(&mut writer));
    written.map_err(|e| match e {
        ndarray_npy::WriteNpyError::Io(e) => e,
        other => io::Error::other(other.to_string()),
    })?;
    let file = writer.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, ArrayD};
    use num_complex::Complex64;

    fn round_trip(a: Array) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        write_npy(&p, &a).unwrap();
        let b = read_npy(&p).unwrap();
        assert!(a.same(&b), "{a:?} != {b:?}");
        // only the final file is left behind
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn all_dtypes_round_trip() {
        round_trip(Array::Bool(array![[true, false], [false, true]].into_dyn()));
        round_trip(Array::Int32(array![1, -2, i32::MAX].into_dyn()));
        round_trip(Array::Int64(array![[i64::MIN], [7]].into_dyn()));
        round_trip(Array::Float32(array![1.5f32, f32::NAN, -0.0].into_dyn()));
        round_trip(Array::Float64(ArrayD::from_elem(IxDyn(&[]), 2.5)));
        round_trip(Array::Float64(ArrayD::zeros(IxDyn(&[0, 3]))));
        round_trip(Array::Complex128(
            array![Complex64::new(1.0, -2.0)].into_dyn(),
        ));
    }

    #[test]
    fn fortran_order_round_trips() {
        let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
            .reversed_axes()
            .into_dyn();
        round_trip(Array::Float64(a));
    }

    fn header_bytes(dict: &str) -> Vec<u8> {
        let mut h = dict.as_bytes().to_vec();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        out.extend_from_slice(&h);
        out
    }

    fn read_bytes(bytes: &[u8]) -> Result<Array, Error> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.npy");
        fs::write(&p, bytes).unwrap();
        read_npy(&p)
    }

    #[test]
    fn big_endian_and_native_spellings() {
        let mut b = header_bytes("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }");
        b.extend_from_slice(&1i32.to_be_bytes());
        b.extend_from_slice(&(-2i32).to_be_bytes());
        assert_eq!(
            read_bytes(&b).unwrap(),
            Array::Int32(array![1, -2].into_dyn())
        );

        let mut b = header_bytes("{'descr': '=f8', 'fortran_order': False, 'shape': (), }");
        b.extend_from_slice(&2.5f64.to_ne_bytes());
        assert_eq!(
            read_bytes(&b).unwrap(),
            Array::from_scalar(crate::Scalar::Float64(2.5))
        );

        let mut b = header_bytes("{'descr': '>c16', 'fortran_order': True, 'shape': (2, 2), }");
        for v in [1.0f64, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 0.5] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        let a = read_bytes(&b).unwrap();
        let c = |r| Complex64::new(r, 0.0);
        let want = array![[c(1.0), c(3.0)], [c(2.0), Complex64::new(4.0, 0.5)]].into_dyn();
        assert_eq!(a, Array::Complex128(want));
    }

    #[test]
    fn errors_have_codes() {
        let code = |b: &[u8]| read_bytes(b).unwrap_err().code();
        assert_eq!(code(b""), "E0602");
        assert_eq!(code(b"hello world, not numpy at all"), "E0602");
        let h = header_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }");
        assert_eq!(code(&h[..20]), "E0602");
        let mut t = h.clone();
        t.extend_from_slice(&[0u8; 31]);
        assert_eq!(code(&t), "E0602");
        t.extend_from_slice(&[0u8; 2]);
        assert_eq!(code(&t), "E0602"); // one byte too many
        let huge = header_bytes(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000,), }",
        );
        assert_eq!(code(&huge), "E0602");
        let overflow = header_bytes(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }",
        );
        assert_eq!(code(&overflow), "E0602");
        let mut badbool = header_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }");
        badbool.push(7);
        assert_eq!(code(&badbool), "E0602");
        for d in ["<U1", "<f2", "|i1", "<u4", "|O", "<c8"] {
            let b = header_bytes(&format!(
                "{{'descr': '{d}', 'fortran_order': False, 'shape': (0,), }}"
            ));
            let e = read_bytes(&b).unwrap_err();
            assert_eq!(e.code(), "E0603", "{d}");
            assert!(e.message.contains(d), "{}", e.message);
            assert!(e.help.as_deref().unwrap().contains("float64"));
        }
        let s = header_bytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (0,), }");
        assert_eq!(code(&s), "E0603");

        let missing = read_npy(Path::new("/nonexistent/dir/x.npy")).unwrap_err();
        assert_eq!(missing.code(), "E0601");
        assert!(missing.message.contains("/nonexistent/dir/x.npy"));
        assert!(missing.message.contains("no such file"));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_npy(dir.path()).unwrap_err().code(), "E0601");
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.npy");
        let e = write_npy(&p, &Array::from_scalar(crate::Scalar::Int32(1))).unwrap_err();
        assert_eq!(e.code(), "E0601");
        assert!(!p.exists());
        // writing over a directory fails and leaves no temporary file behind
        let d = dir.path().join("d");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("keep"), b"x").unwrap();
        assert_eq!(
            write_npy(&d, &Array::from_scalar(crate::Scalar::Bool(true)))
                .unwrap_err()
                .code(),
            "E0601"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
