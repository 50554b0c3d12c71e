//! Integration tests: syntax. Cases are data fed through one helper each, so an API
//! change touches the helpers, not the cases.

use numjit::limits::{MAX_DEPTH, MAX_EXPR_LEN};
use numjit::syntax::{check_var_name, parse, pretty, sexp, Expr, ExprKind, Keyword};
use proptest::prelude::*;
use std::fmt::Write;

/// Parses `src` and shows either the tree (S-expression plus every node's span and the
/// source text it covers) or the rendered error with its code.
fn check(src: &str) -> String {
    match parse(src) {
        Ok(e) => {
            let mut out = format!("{}\n\n", sexp(&e));
            write_spans(src, &e, 0, &mut out);
            out
        }
        Err(err) => format!("{}\n{}", err.code(), err.render(src)),
    }
}

fn write_spans(src: &str, e: &Expr, indent: usize, out: &mut String) {
    let head = match &e.kind {
        ExprKind::Int(v) => format!("Int({v})"),
        ExprKind::Float(v) => format!("Float({v:?})"),
        ExprKind::Imag(v) => format!("Imag({v:?})"),
        ExprKind::Bool(b) => format!("Bool({b})"),
        ExprKind::Name(n) => format!("Name({n})"),
        ExprKind::Unary(op, _) => format!("Unary({})", op.symbol()),
        ExprKind::Binary(op, _, _) => format!("Binary({})", op.symbol()),
        ExprKind::Call {
            func, name_span, ..
        } => format!("Call({func} @ {name_span:?})"),
        ExprKind::Tuple(items) => format!("Tuple({})", items.len()),
    };
    let text = &src[e.span.range()];
    let _ = writeln!(out, "{:indent$}{head} {:?} `{text}`", "", e.span);
    match &e.kind {
        ExprKind::Tuple(items) => {
            for a in items {
                write_spans(src, a, indent + 2, out);
            }
        }
        ExprKind::Unary(_, a) => write_spans(src, a, indent + 2, out),
        ExprKind::Binary(_, l, r) => {
            write_spans(src, l, indent + 2, out);
            write_spans(src, r, indent + 2, out);
        }
        ExprKind::Call { args, kwargs, .. } => {
            for a in args {
                write_spans(src, a, indent + 2, out);
            }
            for k in kwargs {
                let text = &src[k.span.range()];
                let _ = writeln!(
                    out,
                    "{:w$}Keyword({} @ {:?}) {:?} `{text}`",
                    "",
                    k.name,
                    k.name_span,
                    k.span,
                    w = indent + 2
                );
                write_spans(src, &k.value, indent + 4, out);
            }
        }
        _ => {}
    }
}

/// Snapshots `check(src)` for each `(name, src)` case.
fn snapshot_all(cases: &[(&str, &str)]) {
    for (name, src) in cases {
        insta::with_settings!({ description => format!("{src:?}"), omit_expression => true }, {
            insta::assert_snapshot!(*name, check(src));
        });
    }
}

#[test]
fn trees() {
    snapshot_all(&[
        ("ast_neg_pow", "-2**2"),
        ("ast_pow_neg", "2**-1"),
        ("ast_pow_right_assoc", "2**3**2"),
        ("ast_paren_pow", "(-2)**2"),
        ("ast_sub_left_assoc", "a - b - c"),
        ("ast_sub_paren_right", "a - (b - c)"),
        ("ast_precedence_ladder", "a | b ^ c & d << 1 + 2 * 3"),
        (
            "ast_precedence_ladder_rev",
            "a * b + c >> d & e ^ f | g == h",
        ),
        ("ast_invert_and", "~a & b"),
        ("ast_unary_chain", "-+~-x"),
        ("ast_mul_div_mod", "a * b / c // d % e"),
        ("ast_comparisons_parenthesised", "(a < b) == (c >= d)"),
        ("ast_call", "where(c, a, -b)"),
        ("ast_call_trailing_comma", "sqrt(x,)"),
        ("ast_call_nested", "abs(sqrt(x) - 1)"),
        ("ast_call_empty", "f()"),
        ("ast_call_keyword", "sum(x**2, axis=-1)"),
        ("ast_call_keywords_only", "f(a=1, b=(x), )"),
        ("ast_nested_parens", "((((x))))"),
        ("ast_horner", "((.25*x + .75)*x - 1.5)*x - 2"),
        (
            "ast_literals",
            "where(True, 1_000 + 1. + .25 + 1e-3 + 2.5E+10 + 1.5e3, 3j + 1.5j + 1e3J + False)",
        ),
        ("ast_max_int", "-9223372036854775808"),
        ("ast_attributes", "-z.real**2 + (a*b).imag + 1.5.real"),
        ("ast_whitespace", " \t a\n+\r\n b "),
    ]);
}

/// Snapshots each error case and checks its code.
fn errors(cases: &[(&str, &str, &str)]) {
    for (name, src, code) in cases {
        let err = parse(src).expect_err(src);
        assert_eq!(err.code(), *code, "{src:?}: {err:?}");
        insta::with_settings!({ description => format!("{src:?}"), omit_expression => true }, {
            insta::assert_snapshot!(*name, check(src));
        });
    }
}

#[test]
fn parse_errors() {
    errors(&[
        ("err_e0101_dollar", "a $ b", "E0101"),
        ("err_e0101_assign", "a = b", "E0101"),
        ("err_e0101_bang", "!a", "E0101"),
        ("err_e0112_unknown_attribute", "z.reel + 1", "E0112"),
        ("err_e0112_method", "abs(z.conj)", "E0112"),
        ("err_e0104_attribute_name", "z.", "E0104"),
        ("err_e0101_string", "'abc' + 1", "E0101"),
        ("err_e0101_unicode", "a + é", "E0101"),
        ("err_e0101_matmul", "a @ b", "E0101"),
        ("err_e0102_int", "9223372036854775809 + x", "E0102"),
        ("err_e0102_float", "x * 1e999", "E0102"),
        ("err_e0102_imag", "1e400j", "E0102"),
        ("err_e0102_leading_zero", "007", "E0102"),
        ("err_e0103_two_names", "a b", "E0103"),
        ("err_e0103_number_name", "2x", "E0103"),
        ("err_e0103_missing_operand", "a + )", "E0103"),
        ("err_e0103_unmatched_rparen", "(a + b))", "E0103"),
        ("err_e0103_call_args", "f(a b)", "E0103"),
        ("err_e0103_tuple", "(a, b)", "E0103"),
        ("err_e0103_empty_parens", "()", "E0103"),
        ("err_e0104_trailing_op", "a +", "E0104"),
        ("err_e0104_unclosed", "(a + b", "E0104"),
        ("err_e0104_unclosed_call", "where(c, a,", "E0104"),
        ("err_e0105_bitand", "a > 1 & b < 2", "E0105"),
        ("err_e0105_bitor", "x <= 0 | x >= 10", "E0105"),
        ("err_e0105_three_terms", "x > 0 & m | y < 1", "E0105"),
        ("err_e0105_parenthesised_mid", "a < (b & c) < d", "E0105"),
        ("err_e0105_plain", "a < b < c", "E0105"),
        ("err_e0105_long", "a < b <= c < d", "E0105"),
        ("err_e0106_and", "a > 1 and b < 2", "E0106"),
        (
            "err_e0111_positional_after_keyword",
            "sum(axis=0, x)",
            "E0111",
        ),
        (
            "err_e0111_repeated_keyword",
            "sum(x, axis=0, axis=1)",
            "E0111",
        ),
        ("err_e0101_keyword_not_a_name", "sum(x, 1=2)", "E0101"),
        ("err_e0101_assign_in_parens", "(a = 1)", "E0101"),
        ("err_e0106_or", "a or b", "E0106"),
        ("err_e0106_not", "not a", "E0106"),
        (
            "err_e0108_deep",
            &format!("{}x", "-".repeat(MAX_DEPTH)),
            "E0108",
        ),
        ("err_e0109_empty", "", "E0109"),
        ("err_e0109_blank", "  \t\n ", "E0109"),
    ]);
}

#[test]
fn too_long_is_reported_without_echoing_the_source() {
    let src = "x+".repeat(MAX_EXPR_LEN / 2) + "x";
    let err = parse(&src).unwrap_err();
    assert_eq!(err.code(), "E0107");
    insta::assert_snapshot!("err_e0107_too_long", err.render(&src));
}

#[test]
fn invalid_names() {
    let mut out = String::new();
    for name in [
        "2x", "a-b", "", "é", "lambda", "and", "True", "sqrt", "where",
    ] {
        let err = check_var_name(name).expect_err(name);
        assert_eq!(err.code(), "E0205");
        let _ = writeln!(out, "{name:?}:\n{}", err.render(""));
    }
    insta::assert_snapshot!("err_e0205_invalid_names", out);
    for name in ["x", "_", "x_1", "Inf", "nan", "e", "j", "sqrt_", "match"] {
        assert_eq!(check_var_name(name), Ok(()), "{name}");
    }
}

#[test]
fn depth_limit_is_exact() {
    let ok = format!("{}x", "-".repeat(MAX_DEPTH - 1));
    assert_eq!(parse(&ok).unwrap().depth(), MAX_DEPTH);
    let deep = format!("{}x", "-".repeat(MAX_DEPTH));
    assert_eq!(parse(&deep).unwrap_err().code(), "E0108");
    // Parentheses alone add no depth.
    let parens = format!("{}x{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(parse(&parens).unwrap().depth(), 1);
}

#[test]
fn huge_inputs_give_coded_errors() {
    let n = 100_000;
    let cases = [
        ("1 MB sum", "a+".repeat(500_000) + "a", "E0107"),
        (
            "100k nested parens",
            format!("{}x{}", "(".repeat(n), ")".repeat(n)),
            "E0107",
        ),
        ("100k unary minus", format!("{}x", "-".repeat(n)), "E0107"),
        // Within the length limit the parser's own stack (a heap vector) grows instead.
        (
            "30k nested parens",
            format!("{}x{}", "(".repeat(30_000), ")".repeat(30_000)),
            "ok",
        ),
        (
            "60k unary minus",
            format!("{}x", "-".repeat(60_000)),
            "E0108",
        ),
        ("30k-term sum", "a+".repeat(30_000) + "a", "E0108"),
        ("30k-term power", "a**".repeat(20_000) + "a", "E0108"),
        (
            "unclosed 60k parens",
            format!("{}x", "(".repeat(60_000)),
            "E0104",
        ),
        // Not snapshotted: the rendered source line would hold a raw NUL.
        ("NUL byte", "a + \0".to_string(), "E0101"),
    ];
    for (what, src, code) in cases {
        let got = match parse(&src) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(got, code, "{what}");
    }
}

#[test]
fn pretty_prints_minimal_parentheses() {
    let cases = [
        ("-2**2", "-2**2"),
        ("(-2)**2", "(-2)**2"),
        ("2**(-1)", "2**-1"),
        ("(2**3)**2", "(2**3)**2"),
        ("2**(3**2)", "2**3**2"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("(a<b)==c", "(a < b) == c"),
        ("a<(b==c)", "a < (b == c)"),
        ("(a|b)&c", "(a | b) & c"),
        ("-(a*b)", "-(a * b)"),
        ("(-a)*b", "-a * b"),
        ("- - x", "--x"),
        ("f((a), (b<c),)", "f(a, b < c)"),
        ("1e300 * 1. + 1e-7j + 0.1", "1e300 * 1.0 + 1e-7j + 0.1"),
        ("(a > 1) & (b < 2)", "(a > 1) & (b < 2)"),
    ];
    for (src, want) in cases {
        let e = parse(src).unwrap();
        assert_eq!(pretty(&e), want, "{src}");
        assert_eq!(sexp(&parse(want).unwrap()), sexp(&e), "{src}");
    }
}

#[test]
fn sexp_dump() {
    let e = parse("x + 2*y").unwrap();
    assert_eq!(sexp(&e), "(+ x (* 2 y))");
    let e = parse("where(c, a, -b)").unwrap();
    assert_eq!(sexp(&e), "(call where c a (- b))");
    let e = parse("sum(x*2, axis=-1)").unwrap();
    assert_eq!(sexp(&e), "(call sum (* x 2) (= axis (- 1)))");
    assert_eq!(pretty(&e), "sum(x * 2, axis=-1)");
}

/// Random trees with every node kind, up to depth 6.
fn arb_expr() -> impl Strategy<Value = Expr> {
    use numjit::syntax::{BinaryOp as B, UnaryOp as U};
    use numjit::Span;
    let node = |kind| Expr::new(kind, Span::default());
    let name = "[a-z_][a-z0-9_]{0,4}".prop_filter("keywords lex differently", |n| {
        !matches!(n.as_str(), "and" | "or" | "not")
    });
    let float = any::<f64>()
        .prop_filter("literals are finite", |v| v.is_finite())
        .prop_map(f64::abs);
    let leaf = prop_oneof![
        (0..=(1i128 << 63)).prop_map(ExprKind::Int),
        (0i128..100).prop_map(ExprKind::Int),
        float.clone().prop_map(ExprKind::Float),
        float.prop_map(ExprKind::Imag),
        any::<bool>().prop_map(ExprKind::Bool),
        name.clone().prop_map(ExprKind::Name),
    ]
    .prop_map(node);
    let unary = [U::Neg, U::Pos, U::Invert];
    let binary = [
        B::Add,
        B::Sub,
        B::Mul,
        B::Div,
        B::FloorDiv,
        B::Mod,
        B::Pow,
        B::Shl,
        B::Shr,
        B::BitAnd,
        B::BitOr,
        B::BitXor,
        B::Eq,
        B::Ne,
        B::Lt,
        B::Le,
        B::Gt,
        B::Ge,
    ];
    leaf.prop_recursive(5, 64, 3, move |inner| {
        prop_oneof![
            (prop::sample::select(unary.to_vec()), inner.clone())
                .prop_map(move |(op, a)| node(ExprKind::Unary(op, Box::new(a)))),
            (
                prop::sample::select(binary.to_vec()),
                inner.clone(),
                inner.clone()
            )
                .prop_map(move |(op, l, r)| node(ExprKind::Binary(
                    op,
                    Box::new(l),
                    Box::new(r)
                ))),
            (
                name.clone(),
                prop::collection::vec(inner.clone(), 0..=3),
                prop::collection::btree_map(name.clone(), inner, 0..=2),
            )
                .prop_map(move |(func, args, kw)| {
                    let kwargs = kw
                        .into_iter()
                        .map(|(name, value)| Keyword {
                            name,
                            name_span: Span::default(),
                            value,
                            span: Span::default(),
                        })
                        .collect();
                    node(ExprKind::Call {
                        func,
                        name_span: Span::default(),
                        args,
                        kwargs,
                    })
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn pretty_round_trips(e in arb_expr()) {
        prop_assume!(e.depth() <= 6);
        let text = pretty(&e);
        let back = parse(&text).map_err(|err| TestCaseError::fail(format!("{text}\n{}", err.render(&text))))?;
        prop_assert_eq!(sexp(&back), sexp(&e), "{}", text);
        // Printing is a fixed point after one round.
        prop_assert_eq!(pretty(&back), text);
    }

    #[test]
    fn parse_never_panics(src in "[-+*/%<>=!&|^~(),.0-9a-zA-Z_ eEjJ\t\n\u{0}é$@'\"\u{1F600}]{0,40}") {
        check_total(&src)?;
    }

    #[test]
    fn parse_never_panics_on_any_string(src in any::<String>()) {
        check_total(&src)?;
    }
}

/// Parsing returns; errors render and their labels land on character boundaries.
fn check_total(src: &str) -> Result<(), TestCaseError> {
    match parse(src) {
        Ok(e) => {
            let text = pretty(&e);
            prop_assert_eq!(sexp(&parse(&text).unwrap()), sexp(&e));
        }
        Err(err) => {
            prop_assert!(err.code().starts_with("E01"), "{:?}", err);
            for l in &err.labels {
                prop_assert!(l.span.start <= l.span.end && l.span.end <= src.len());
                prop_assert!(
                    src.is_char_boundary(l.span.start) && src.is_char_boundary(l.span.end)
                );
            }
            let _ = err.render(src);
        }
    }
    Ok(())
}
