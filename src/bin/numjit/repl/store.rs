//! The REPL's variables: each holds an owned array, a memory-mapped one, or a weak
//! literal (`s = 2.5` stays a Python float, as in NumPy). Knows nothing about parsing.

use numjit::format::shape_tuple;
use numjit::{AnyView, Array, Literal, Vars};

/// Array storage that is not owned by the REPL, e.g. a memory-mapped `.npy` file.
/// `load` returns owned arrays until the mapped reader lands in `numjit::npy`; it then
/// implements this trait and `load` wraps it in [`Value::Mapped`].
pub trait MappedArray {
    /// The whole array, borrowed from the mapping.
    fn view(&self) -> AnyView<'_>;
}

/// One variable's value.
pub enum Value {
    Owned(Array),
    #[allow(dead_code, reason = "constructed once `load` uses the mapped reader")]
    Mapped(Box<dyn MappedArray>),
    /// A weak literal: adopts the dtype of the arrays it meets, like a Python number.
    Literal(Literal),
}

impl Value {
    /// A view of the array, or `None` for a literal.
    pub fn view(&self) -> Option<AnyView<'_>> {
        match self {
            Value::Owned(a) => Some(a.view()),
            Value::Mapped(m) => Some(m.view()),
            Value::Literal(_) => None,
        }
    }

    pub fn is_mapped(&self) -> bool {
        matches!(self, Value::Mapped(_))
    }
}

/// The session's variables, in the order they were first assigned.
#[derive(Default)]
pub struct Store {
    entries: Vec<(String, Value)>,
}

impl Store {
    /// Adds or replaces `name` (the caller has checked it is a valid name).
    pub fn set(&mut self, name: &str, value: Value) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Every variable as an input for numjit: arrays borrowed, literals weak.
    pub fn vars(&self) -> Vars<'_> {
        let mut vars = Vars::new();
        for (name, value) in &self.entries {
            match value {
                Value::Literal(l) => vars.insert(name, *l),
                other => match other.view() {
                    Some(v) => vars.insert(name, v),
                    None => continue,
                },
            };
        }
        vars
    }

    /// The `:vars` table: name, dtype, shape, size (elements and bytes), mapped or not.
    pub fn table(&self) -> String {
        if self.entries.is_empty() {
            return "no variables yet; try `x = linspace(0, 1, 1_000_000)`\n".to_string();
        }
        let mut rows = vec![[
            "name".to_string(),
            "dtype".to_string(),
            "shape".to_string(),
            "size".to_string(),
            "bytes".to_string(),
            "mapped".to_string(),
        ]];
        for (name, value) in &self.entries {
            let row = match value {
                Value::Literal(l) => [
                    name.clone(),
                    format!("{} (weak)", l.py_type()),
                    "()".to_string(),
                    "1".to_string(),
                    "-".to_string(),
                    "no".to_string(),
                ],
                other => match other.view() {
                    Some(v) => {
                        let len: usize = v.shape().iter().product();
                        [
                            name.clone(),
                            v.dtype().name().to_string(),
                            shape_tuple(v.shape()),
                            len.to_string(),
                            human_bytes(len.saturating_mul(v.dtype().size()) as f64),
                            if other.is_mapped() { "yes" } else { "no" }.to_string(),
                        ]
                    }
                    None => continue,
                },
            };
            rows.push(row);
        }
        let mut widths = [0usize; 6];
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &rows {
            let mut line = String::new();
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                // Numbers right-aligned, text left-aligned.
                if i == 3 || i == 4 {
                    line.push_str(&format!("{cell:>w$}"));
                } else {
                    line.push_str(&format!("{cell:<w$}"));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `1.5 KB`, `8.0 MB`, `2.1 GB` (powers of 1000, as `:time`'s GB/s).
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
