//! Reading and writing `.npy` files of the six dtypes, with coded errors and no panics:
//! whole-file reads and writes, memory-mapped inputs ([`MappedNpy`]), memory-mapped
//! outputs written under a temporary name ([`NpyOut`]) and in-place updates
//! ([`InPlaceNpy`]). Knows nothing about expressions; the byte format is ndarray-npy's
//! job and the mapping itself (all the `unsafe`) is `numjit_runtime::mmap`'s.

use crate::array::Array;
use crate::array::{AnyView, AnyViewMut};
use crate::error::{Error, ErrorKind};
use crate::limits::MAX_NDIM;
use crate::types::DType;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn, ShapeBuilder};
use ndarray_npy::npy::header::{Header, Layout, ReadHeaderError};
use ndarray_npy::{ReadDataError, ReadableElement, WritableElement, WriteNpyExt};
use num_complex::Complex64;
use numjit_runtime::mmap::{Plain, ReadMap, WriteMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Cursor, Read, Seek, SeekFrom};
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

/// What a `.npy` header says, validated against the file's length.
struct Parsed {
    header: Header,
    dtype: DType,
    shape: Vec<usize>,
    fortran: bool,
    /// The descriptor must be replaced by the native one before ndarray-npy reads it.
    replace_desc: bool,
    /// The data is in this machine's byte order (always true for 1-byte dtypes).
    native_order: bool,
    /// Bytes before the array data.
    data_offset: u64,
    /// Elements.
    len: usize,
}

impl Parsed {
    fn data_bytes(&self) -> u64 {
        self.len as u64 * self.dtype.size() as u64
    }
}

/// Reads and checks the header from `reader` (positioned at the start of a file of
/// `total` bytes): the magic string, the dtype, the shape, and that exactly the
/// promised number of data bytes follow.
fn parse_header<R: Read>(
    reader: &mut Counting<R>,
    total: u64,
    path: &Path,
) -> Result<Parsed, Error> {
    let header = match Header::from_reader(reader) {
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
    let Some((dtype, replace_desc)) = dispatch_descr(descr) else {
        return Err(unsupported(path, descr, Some(descr)));
    };
    let native_order = dtype.size() == 1
        || match descr.chars().next() {
            Some('<') => cfg!(target_endian = "little"),
            Some('>') => cfg!(target_endian = "big"),
            _ => true,
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
    Ok(Parsed {
        fortran: header.layout.is_fortran(),
        header,
        dtype,
        shape,
        replace_desc,
        native_order,
        data_offset: reader.count,
        len,
    })
}

fn read_from<R: Read>(reader: R, total: u64, path: &Path) -> Result<Array, Error> {
    let mut reader = Counting {
        inner: reader,
        count: 0,
    };
    let parsed = parse_header(&mut reader, total, path)?;
    read_data(&mut reader, &parsed, path)
}

/// Reads the array data that follows the header (any byte order) into memory.
fn read_data<R: Read>(reader: &mut R, parsed: &Parsed, path: &Path) -> Result<Array, Error> {
    let Parsed {
        header,
        dtype,
        shape,
        fortran,
        replace_desc: native,
        len,
        ..
    } = parsed;
    let (dtype, fortran, native, len) = (*dtype, *fortran, *native, *len);
    let desc = &header.type_descriptor;
    macro_rules! read_as {
        ($t:ty, $variant:ident) => {{
            let native_desc = <$t as WritableElement>::type_descriptor();
            let d = if native { &native_desc } else { desc };
            let data = <$t as ReadableElement>::read_to_end_exact_vec(&mut *reader, d, len)
                .map_err(|e| data_error(path, e))?;
            let a = ArrayD::from_shape_vec(IxDyn(shape).set_f(fortran), data)
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

// ---- memory-mapped files -----------------------------------------------------------

/// Opens `path` for reading as a regular file (a directory or missing file is E0601).
fn open_regular(path: &Path, write: bool) -> Result<(File, u64), Error> {
    let file = OpenOptions::new()
        .read(true)
        .write(write)
        .open(path)
        .map_err(|e| io_error("cannot open", path, &e))?;
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
    Ok((file, meta.len()))
}

/// Where a [`MappedNpy`]'s elements live.
#[derive(Debug)]
enum Store {
    /// Zero-copy: the elements are read straight from the mapped file.
    Mapped { map: ReadMap, offset: usize },
    /// Read into memory, and why mapping was not possible.
    Memory { array: Array, reason: String },
}

/// Read access to a mapping, whichever kind (input maps and in-place maps).
trait MapRead {
    fn typed<T: Plain>(&self, offset: usize, n: usize) -> Option<&[T]>;
    fn bools(&self, offset: usize, n: usize) -> Option<&[bool]>;
}

impl MapRead for ReadMap {
    fn typed<T: Plain>(&self, offset: usize, n: usize) -> Option<&[T]> {
        ReadMap::typed(self, offset, n)
    }
    fn bools(&self, offset: usize, n: usize) -> Option<&[bool]> {
        ReadMap::bools(self, offset, n)
    }
}

impl MapRead for WriteMap {
    fn typed<T: Plain>(&self, offset: usize, n: usize) -> Option<&[T]> {
        WriteMap::typed(self, offset, n)
    }
    fn bools(&self, offset: usize, n: usize) -> Option<&[bool]> {
        WriteMap::bools(self, offset, n)
    }
}

/// The array of `dtype` and shape `dim` stored at `offset` in `map`. Mapped `bool` data
/// is checked byte by byte (0 or 1, E0602 otherwise), as [`read_npy`] does.
fn map_view<'a>(
    map: &'a impl MapRead,
    offset: usize,
    dtype: DType,
    (shape, fortran): (&[usize], bool),
    path: &Path,
) -> Result<AnyView<'a>, Error> {
    let n = shape.iter().product::<usize>();
    let dim = IxDyn(shape).set_f(fortran);
    let bad = || internal_map(path);
    macro_rules! typed {
        ($t:ty, $v:ident) => {{
            let slice = map.typed::<$t>(offset, n).ok_or_else(bad)?;
            AnyView::$v(ArrayViewD::from_shape(dim, slice).map_err(|_| bad())?)
        }};
    }
    Ok(match dtype {
        DType::Bool => {
            let slice = map
                .bools(offset, n)
                .ok_or_else(|| bad_npy(path, "holds a byte that is not a valid bool (0 or 1)"))?;
            AnyView::Bool(ArrayViewD::from_shape(dim, slice).map_err(|_| bad())?)
        }
        DType::Int32 => typed!(i32, Int32),
        DType::Int64 => typed!(i64, Int64),
        DType::Float32 => typed!(f32, Float32),
        DType::Float64 => typed!(f64, Float64),
        DType::Complex128 => typed!(Complex64, Complex128),
    })
}

/// [`map_view`] to write into.
fn map_view_mut<'a>(
    map: &'a mut WriteMap,
    offset: usize,
    dtype: DType,
    (shape, fortran): (&[usize], bool),
    path: &Path,
) -> Result<AnyViewMut<'a>, Error> {
    let n = shape.iter().product::<usize>();
    let dim = IxDyn(shape).set_f(fortran);
    let bad = || internal_map(path);
    macro_rules! typed {
        ($t:ty, $v:ident) => {{
            let slice = map.typed_mut::<$t>(offset, n).ok_or_else(bad)?;
            AnyViewMut::$v(ArrayViewMutD::from_shape(dim, slice).map_err(|_| bad())?)
        }};
    }
    Ok(match dtype {
        DType::Bool => {
            let slice = map.bools_mut(offset, n).ok_or_else(bad)?;
            AnyViewMut::Bool(ArrayViewMutD::from_shape(dim, slice).map_err(|_| bad())?)
        }
        DType::Int32 => typed!(i32, Int32),
        DType::Int64 => typed!(i64, Int64),
        DType::Float32 => typed!(f32, Float32),
        DType::Float64 => typed!(f64, Float64),
        DType::Complex128 => typed!(Complex64, Complex128),
    })
}

/// A `.npy` input, memory-mapped when possible.
///
/// Mapping is zero-copy: the data is viewed where it lies in the file, so a file far
/// larger than RAM can be streamed through. It needs a regular file whose data is in
/// this machine's byte order and aligned for the element type (NumPy pads headers to
/// 64 bytes, so files written by `np.save` always are), in C or Fortran order. Anything
/// else (big-endian data, an odd header length, a pipe) falls back to reading the file
/// into memory; [`MappedNpy::fallback_reason`] says why.
///
/// The header and the file's length are validated before anything is mapped (a
/// truncated file is error E0602, never a `SIGBUS`). The rule for mapped files: don't
/// modify or truncate an input while numjit runs (see `numjit_runtime::mmap`).
#[derive(Debug)]
pub struct MappedNpy {
    path: PathBuf,
    dtype: DType,
    shape: Vec<usize>,
    fortran: bool,
    store: Store,
}

impl MappedNpy {
    /// Opens and validates `path`; maps it when possible. Errors as [`read_npy`].
    pub fn open(path: &Path) -> Result<MappedNpy, Error> {
        let (file, total) = open_regular(path, false)?;
        let is_file = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        if !is_file {
            // A pipe or a device: it can only be read once, front to back.
            let array = read_npy(path)?;
            return Ok(MappedNpy {
                path: path.to_path_buf(),
                dtype: array.dtype(),
                shape: array.shape().to_vec(),
                fortran: false,
                store: Store::Memory {
                    array,
                    reason: "not a regular file".into(),
                },
            });
        }
        let mut reader = Counting {
            inner: BufReader::new(&file),
            count: 0,
        };
        let parsed = parse_header(&mut reader, total, path)?;
        let reason = if !parsed.native_order {
            Some("its byte order is not this machine's")
        } else if !(parsed.data_offset as usize).is_multiple_of(parsed.dtype.size().min(8)) {
            Some("its data is not aligned for the element type")
        } else if parsed.data_bytes() == 0 {
            Some("it holds no elements")
        } else {
            None
        };
        let store = match reason {
            Some(reason) => {
                drop(reader);
                let mut file = &file;
                file.seek(SeekFrom::Start(parsed.data_offset))
                    .map_err(|e| io_error("cannot read", path, &e))?;
                let array = read_data(&mut BufReader::new(file), &parsed, path)?;
                Store::Memory {
                    array,
                    reason: reason.into(),
                }
            }
            None => {
                let need = parsed.data_offset + parsed.data_bytes();
                let map = ReadMap::open(&file, need).map_err(|e| map_error(path, &e))?;
                Store::Mapped {
                    map,
                    offset: parsed.data_offset as usize,
                }
            }
        };
        Ok(MappedNpy {
            path: path.to_path_buf(),
            dtype: parsed.dtype,
            shape: parsed.shape,
            fortran: parsed.fortran,
            store,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Fortran (column-major) order in the file.
    pub fn is_fortran(&self) -> bool {
        self.fortran
    }

    /// True when the elements are read from the mapped file (zero-copy).
    pub fn is_mapped(&self) -> bool {
        matches!(self.store, Store::Mapped { .. })
    }

    /// Why the file was read into memory instead of mapped, if it was.
    pub fn fallback_reason(&self) -> Option<&str> {
        match &self.store {
            Store::Memory { reason, .. } => Some(reason),
            Store::Mapped { .. } => None,
        }
    }

    /// Bytes of array data.
    pub fn data_bytes(&self) -> u64 {
        self.shape.iter().product::<usize>() as u64 * self.dtype.size() as u64
    }

    /// A view of the whole array. For mapped `bool` data every byte is checked to be
    /// 0 or 1 first (E0602 otherwise), as [`read_npy`] does.
    pub fn view(&self) -> Result<AnyView<'_>, Error> {
        match &self.store {
            Store::Memory { array, .. } => Ok(array.view()),
            Store::Mapped { map, offset } => map_view(
                map,
                *offset,
                self.dtype,
                (&self.shape, self.fortran),
                &self.path,
            ),
        }
    }

    /// Hints that the data will be read front to back (no-op when not mapped).
    pub fn advise_sequential(&self) {
        if let Store::Mapped { map, .. } = &self.store {
            map.advise_sequential();
        }
    }

    /// Drops the pages of data bytes `[start, start + len)` from this process's memory
    /// map once they have been read (no-op when not mapped; the file is unchanged).
    pub fn release(&self, start: u64, len: u64) {
        if let Store::Mapped { map, offset } = &self.store {
            map.release(offset + start as usize, len as usize);
        }
    }
}

fn internal_map(path: &Path) -> Error {
    crate::array::internal(format!(
        "the mapping of `{}` does not fit its header",
        path.display()
    ))
}

fn map_error(path: &Path, e: &io::Error) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return bad_npy(path, "is truncated: it became shorter while being opened");
    }
    io_error("cannot map", path, e)
}

/// The header bytes numjit writes for a C-order array of `dtype` and `shape`: format
/// 1.0 (2.0 for very long shapes), native byte order, padded to a multiple of 64.
pub fn header_for(dtype: DType, shape: &[usize]) -> Result<Vec<u8>, Error> {
    let descr = match dtype {
        DType::Bool => <bool as WritableElement>::type_descriptor(),
        DType::Int32 => <i32 as WritableElement>::type_descriptor(),
        DType::Int64 => <i64 as WritableElement>::type_descriptor(),
        DType::Float32 => <f32 as WritableElement>::type_descriptor(),
        DType::Float64 => <f64 as WritableElement>::type_descriptor(),
        DType::Complex128 => <Complex64 as WritableElement>::type_descriptor(),
    };
    Header {
        type_descriptor: descr,
        layout: Layout::Standard,
        shape: shape.to_vec(),
    }
    .to_bytes()
    .map_err(|e| crate::array::internal(format!("cannot format a .npy header: {e}")))
}

/// `--out` as a memory-mapped `.npy` file: the result is computed straight into the
/// map, under a temporary name in the output's directory.
///
/// [`NpyOut::create`] writes the header and reserves every data block up front (so a
/// full disk or a file-size limit is an error before any computing, never a `SIGBUS`
/// later); [`NpyOut::commit`] flushes and renames the file to its final name. Dropping
/// an `NpyOut` without committing removes the temporary file, so the final name never
/// holds a half-written array (and an existing file there stays untouched).
#[derive(Debug)]
pub struct NpyOut {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
    map: Option<WriteMap>,
    dtype: DType,
    shape: Vec<usize>,
    offset: usize,
}

impl NpyOut {
    /// Creates the temporary file for a C-order array of `dtype` and `shape` that will
    /// become `path`. Errors are `Io` (E0601) naming `path`, with the OS reason
    /// (`no space left on device`, `file too large`, …).
    pub fn create(path: &Path, dtype: DType, shape: &[usize]) -> Result<NpyOut, Error> {
        let header = header_for(dtype, shape)?;
        let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let total = n
            .and_then(|n| n.checked_mul(dtype.size()))
            .and_then(|b| b.checked_add(header.len()))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Io,
                    format!(
                        "cannot write `{}`: the result is too large for a file",
                        path.display()
                    ),
                )
            })?;
        let tmp = temp_path(path);
        let mut out = NpyOut {
            path: path.to_path_buf(),
            tmp: tmp.clone(),
            file: None,
            map: None,
            dtype,
            shape: shape.to_vec(),
            offset: header.len(),
        };
        // Registered before the file exists, so that a signal arriving right after it
        // is created still removes it (the name is unique to this process).
        numjit_runtime::mmap::set_cleanup_path(Some(&tmp));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| write_error(path, &e))?;
        // From here on, the file exists: dropping `out` removes it.
        let mut map = WriteMap::create(&file, total as u64).map_err(|e| write_error(path, &e))?;
        map.bytes_mut()[..header.len()].copy_from_slice(&header);
        out.file = Some(file);
        out.map = Some(map);
        Ok(out)
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file the data is written to until [`NpyOut::commit`].
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The whole output array, to compute into.
    pub fn view_mut(&mut self) -> Result<AnyViewMut<'_>, Error> {
        let map = self.map.as_mut().ok_or_else(|| internal_map(&self.path))?;
        let layout = (&self.shape[..], false);
        map_view_mut(map, self.offset, self.dtype, layout, &self.path)
    }

    /// Data bytes `[start, start + len)` are final: start writing them back and drop
    /// them from this process's map (they stay in the page cache until written).
    pub fn release(&self, start: u64, len: u64) {
        if let Some(map) = &self.map {
            let o = self.offset + start as usize;
            let _ = map.flush_async_range(o, len as usize);
            map.release(o, len as usize);
        }
    }

    /// Flushes the data to disk and renames the file to its final name.
    pub fn commit(mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let map = self.map.take();
        let file = self.file.take();
        let done = (|| -> io::Result<()> {
            if let Some(map) = &map {
                map.flush()?;
            }
            drop(map);
            if let Some(file) = &file {
                file.sync_all()?;
            }
            drop(file);
            fs::rename(&self.tmp, &self.path)
        })();
        match done {
            Ok(()) => {
                // Renamed: there is nothing left to clean up.
                numjit_runtime::mmap::set_cleanup_path(None);
                self.tmp = PathBuf::new();
                Ok(())
            }
            Err(e) => Err(write_error(&path, &e)),
        }
    }
}

impl Drop for NpyOut {
    fn drop(&mut self) {
        if self.tmp.as_os_str().is_empty() {
            return;
        }
        self.map = None;
        self.file = None;
        let _ = fs::remove_file(&self.tmp);
        numjit_runtime::mmap::set_cleanup_path(None);
    }
}

fn write_error(path: &Path, e: &io::Error) -> Error {
    let help = match e.kind() {
        io::ErrorKind::StorageFull => {
            "free some space on the output's file system, or write elsewhere"
        }
        io::ErrorKind::FileTooLarge => {
            "the result exceeds the file size limit (`ulimit -f`) or the file system's maximum"
        }
        io::ErrorKind::NotFound => "check that the output directory exists",
        io::ErrorKind::PermissionDenied => "check the output directory's permissions",
        io::ErrorKind::NotADirectory => "part of the output path is a file, not a directory",
        io::ErrorKind::ReadOnlyFilesystem => "write to a writable file system",
        _ => "check the output path",
    };
    Error::new(
        ErrorKind::Io,
        format!("cannot write `{}`: {}", path.display(), os_message(e)),
    )
    .help(help)
}

/// An input updated in place (`--in-place NAME`): mapped read + write.
#[derive(Debug)]
pub struct InPlaceNpy {
    path: PathBuf,
    map: WriteMap,
    dtype: DType,
    shape: Vec<usize>,
    fortran: bool,
    offset: usize,
}

impl InPlaceNpy {
    /// Opens `path` for reading and writing and maps it. Only a file that can be mapped
    /// zero-copy qualifies (native byte order, aligned); anything else is E0606.
    pub fn open(path: &Path) -> Result<InPlaceNpy, Error> {
        let (file, total) = open_regular(path, true)?;
        let mut reader = Counting {
            inner: BufReader::new(&file),
            count: 0,
        };
        let parsed = parse_header(&mut reader, total, path)?;
        drop(reader);
        let not_mappable = if !parsed.native_order {
            Some("its byte order is not this machine's")
        } else if !(parsed.data_offset as usize).is_multiple_of(parsed.dtype.size().min(8)) {
            Some("its data is not aligned for the element type")
        } else {
            None
        };
        if let Some(why) = not_mappable {
            return Err(Error::new(
                ErrorKind::InPlace,
                format!("cannot update `{}` in place: {why}", path.display()),
            )
            .help("write the result to a new file with `--out` instead"));
        }
        let map = WriteMap::open(&file, parsed.data_offset + parsed.data_bytes())
            .map_err(|e| map_error(path, &e))?;
        Ok(InPlaceNpy {
            path: path.to_path_buf(),
            map,
            dtype: parsed.dtype,
            shape: parsed.shape,
            fortran: parsed.fortran,
            offset: parsed.data_offset as usize,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn is_fortran(&self) -> bool {
        self.fortran
    }

    /// The array, to read (bools validated, as [`MappedNpy::view`]).
    pub fn view(&self) -> Result<AnyView<'_>, Error> {
        let layout = (&self.shape[..], self.fortran);
        map_view(&self.map, self.offset, self.dtype, layout, &self.path)
    }

    /// The array, to write.
    pub fn view_mut(&mut self) -> Result<AnyViewMut<'_>, Error> {
        let layout = (&self.shape[..], self.fortran);
        map_view_mut(&mut self.map, self.offset, self.dtype, layout, &self.path)
    }

    /// Writes every change back to the file and waits.
    pub fn flush(&self) -> Result<(), Error> {
        self.map.flush().map_err(|e| write_error(&self.path, &e))
    }
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

    #[test]
    fn mapped_views_equal_reads_and_fallbacks_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        let a = Array::Float64(array![[1.0, 2.0], [3.0, 4.5]].into_dyn());
        write_npy(&p, &a).unwrap();
        let m = MappedNpy::open(&p).unwrap();
        assert!(m.is_mapped() && m.fallback_reason().is_none());
        assert_eq!(
            (m.dtype(), m.shape(), m.data_bytes()),
            (DType::Float64, &[2usize, 2][..], 32)
        );
        assert!(m.view().unwrap().to_owned().same(&a));

        let mut be = header_bytes("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }");
        be.extend_from_slice(&7i32.to_be_bytes());
        be.extend_from_slice(&(-1i32).to_be_bytes());
        let q = dir.path().join("be.npy");
        fs::write(&q, &be).unwrap();
        let m = MappedNpy::open(&q).unwrap();
        assert!(!m.is_mapped());
        assert!(m.fallback_reason().unwrap().contains("byte order"));
        assert!(m
            .view()
            .unwrap()
            .to_owned()
            .same(&Array::Int32(array![7, -1].into_dyn())));

        let mut bad = header_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }");
        bad.extend_from_slice(&[1, 3]);
        let r = dir.path().join("bad.npy");
        fs::write(&r, &bad).unwrap();
        assert_eq!(
            MappedNpy::open(&r).unwrap().view().unwrap_err().code(),
            "E0602"
        );
        let mut short = header_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }");
        short.extend_from_slice(&[0; 9]);
        fs::write(&r, &short).unwrap();
        assert_eq!(MappedNpy::open(&r).unwrap_err().code(), "E0602");
    }

    #[test]
    fn npy_out_renames_on_commit_and_removes_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("y.npy");
        let out = NpyOut::create(&p, DType::Int64, &[3]).unwrap();
        assert!(out.temp_path().exists());
        drop(out);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut out = NpyOut::create(&p, DType::Int64, &[3]).unwrap();
        if let AnyViewMut::Int64(mut v) = out.view_mut().unwrap() {
            v.assign(&array![1i64, -2, 3].into_dyn());
        }
        out.commit().unwrap();
        assert!(read_npy(&p)
            .unwrap()
            .same(&Array::Int64(array![1, -2, 3].into_dyn())));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
