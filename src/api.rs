//! The public entry points: `evaluate`, `evaluate_into`, `compile`.
use crate::array::{Array, IntoOut, Vars};
use crate::error::Error;
use crate::ir::Program;
use crate::syntax::Expr;
use crate::types::Signature;

/// A checked (and, with the JIT, compiled) expression, reusable across calls.
#[derive(Debug)]
pub struct Compiled {
    src: String,
    ast: Expr,
    program: Program,
}

impl Compiled {
    pub fn source(&self) -> &str {
        &self.src
    }
    pub fn ast(&self) -> &Expr {
        &self.ast
    }
    pub fn program(&self) -> &Program {
        &self.program
    }
    pub fn run(&self, vars: &Vars) -> Result<Array, Error> {
        let _ = vars;
        Err(crate::array::internal("todo"))
    }
    pub fn run_into<'o>(&self, vars: &Vars, out: impl IntoOut<'o>) -> Result<(), Error> {
        let _ = (vars, out.into_out());
        Err(crate::array::internal("todo"))
    }
}

pub fn compile(expr: &str, sig: &Signature) -> Result<Compiled, Error> {
    let ast = crate::syntax::parse(expr)?;
    let program = crate::types::check(&ast, sig)?;
    Ok(Compiled { src: expr.to_string(), ast, program })
}

pub fn evaluate(expr: &str, vars: &Vars) -> Result<Array, Error> {
    let _ = (expr, vars);
    Err(crate::array::internal("todo"))
}

pub fn evaluate_into<'o>(expr: &str, vars: &Vars, out: impl IntoOut<'o>) -> Result<(), Error> {
    let _ = (expr, vars, out.into_out());
    Err(crate::array::internal("todo"))
}
