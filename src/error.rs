//! Errors are values: a stable code, a one-line message, labelled spans and a help line.
//! Rendering them for a person (`Error::render`) happens here and nowhere else.

use crate::span::Span;
use codespan_reporting::diagnostic::{Diagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// Every error numjit reports. Codes are stable: scripts and docs may rely on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    // E01xx: reading the expression
    /// A character that is not part of the language (including NUL).
    UnexpectedChar,
    /// A malformed or out-of-range number literal.
    BadLiteral,
    /// A token where the grammar does not allow it.
    UnexpectedToken,
    /// The expression ended too early.
    UnexpectedEnd,
    /// `a < b < c`: NumPy arrays cannot chain comparisons.
    ChainedComparison,
    /// `and` / `or` / `not` (Python's boolean operators) on arrays.
    BooleanKeyword,
    /// The expression text is longer than [`crate::limits::MAX_EXPR_LEN`].
    TooLong,
    /// The expression nests deeper than [`crate::limits::MAX_DEPTH`].
    TooDeep,
    /// The expression is empty.
    Empty,
    /// A positional argument after a keyword argument, or a keyword given twice.
    KeywordSyntax,
    /// `x.name` with a name other than `real` or `imag`.
    UnknownAttribute,
    // E02xx: names
    UnknownName,
    UnknownFunction,
    WrongArity,
    TooManyInputs,
    InvalidName,
    /// A keyword argument the function does not accept.
    UnknownKeyword,
    // E03xx: types
    UnsupportedOperand,
    LiteralOutOfRange,
    NegativeIntPower,
    LiteralDivisionByZero,
    LiteralOverflow,
    /// `axis=` given something other than an integer literal.
    BadAxis,
    /// The same axis twice in an `axis=` tuple.
    DuplicateAxis,
    // E04xx: shapes and `out`
    Broadcast,
    OutShape,
    OutCast,
    /// `axis=k` outside `-ndim..ndim` for the array being reduced.
    AxisOutOfRange,
    /// `min`/`max` of a zero-size array (NumPy: no identity).
    EmptyReduction,
    // E05xx: run time
    NegativeIntPowerAtRuntime,
    // E06xx: files and command line
    Io,
    BadNpy,
    UnsupportedNpyDtype,
    BadArgument,
    /// `--out` names one of the input files (without `--in-place`).
    OutIsInput,
    /// `--in-place NAME` where the input is not an exact alias of the result.
    InPlace,
    // E07xx: internal (a bug in numjit, reported instead of panicking)
    Internal,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        use ErrorKind::*;
        match self {
            UnexpectedChar => "E0101",
            BadLiteral => "E0102",
            UnexpectedToken => "E0103",
            UnexpectedEnd => "E0104",
            ChainedComparison => "E0105",
            BooleanKeyword => "E0106",
            TooLong => "E0107",
            TooDeep => "E0108",
            Empty => "E0109",
            KeywordSyntax => "E0111",
            UnknownAttribute => "E0112",
            UnknownName => "E0201",
            UnknownFunction => "E0202",
            WrongArity => "E0203",
            TooManyInputs => "E0204",
            InvalidName => "E0205",
            UnknownKeyword => "E0210",
            UnsupportedOperand => "E0301",
            LiteralOutOfRange => "E0302",
            NegativeIntPower => "E0303",
            LiteralDivisionByZero => "E0304",
            LiteralOverflow => "E0305",
            BadAxis => "E0310",
            DuplicateAxis => "E0311",
            Broadcast => "E0401",
            OutShape => "E0402",
            OutCast => "E0403",
            AxisOutOfRange => "E0410",
            EmptyReduction => "E0411",
            NegativeIntPowerAtRuntime => "E0501",
            Io => "E0601",
            BadNpy => "E0602",
            UnsupportedNpyDtype => "E0603",
            BadArgument => "E0604",
            OutIsInput => "E0605",
            InPlace => "E0606",
            Internal => "E0701",
        }
    }

    /// True for errors about the expression or the call (exit status 2 in the CLI),
    /// false for I/O errors (exit status 1).
    pub fn is_usage(self) -> bool {
        !matches!(self, ErrorKind::Io)
    }
}

/// A labelled span inside the expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// The primary label is underlined with `^`; secondary ones with `-`.
    pub primary: bool,
}

/// A numjit error: what went wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("error[{}]: {message}", kind.code())]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    /// Adds the primary label.
    pub fn at(mut self, span: Span, message: impl Into<String>) -> Error {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    pub fn also(mut self, span: Span, message: impl Into<String>) -> Error {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The span of the primary label, if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }

    /// The multi-line report with the offending part of `src` underlined.
    pub fn render(&self, src: &str) -> String {
        self.render_named("expr", src)
    }

    /// Like [`Error::render`], naming the source (e.g. `<repl>`).
    pub fn render_named(&self, name: &str, src: &str) -> String {
        let file = SimpleFile::new(name, src);
        let len = src.len();
        let clamp = |s: Span| {
            let mut a = s.start.min(len);
            let mut b = s.end.min(len).max(a);
            while a > 0 && !src.is_char_boundary(a) {
                a -= 1;
            }
            while b < len && !src.is_char_boundary(b) {
                b += 1;
            }
            a..b
        };
        let labels = self
            .labels
            .iter()
            .map(|l| {
                let lab = if l.primary {
                    CsLabel::primary((), clamp(l.span))
                } else {
                    CsLabel::secondary((), clamp(l.span))
                };
                lab.with_message(l.message.clone())
            })
            .collect();
        let mut diag = Diagnostic::error()
            .with_code(self.kind.code())
            .with_message(self.message.clone())
            .with_labels(labels);
        if let Some(h) = &self.help {
            diag = diag.with_notes(vec![format!("help: {h}")]);
        }
        let config = term::Config::default();
        match term::emit_into_string(&config, &file, &diag) {
            Ok(s) => s,
            Err(_) => {
                let mut s = format!("{self}\n");
                if let Some(h) = &self.help {
                    s.push_str(&format!("  = help: {h}\n"));
                }
                s
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
