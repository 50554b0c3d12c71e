//! Lowers a checked `Program` to one CLIF function with the kernel ABI.
//!
//! Shape of the generated code, for a block of `n` elements:
//! * entry: load input pointers/strides, hoist constants and broadcast operands
//!   (loaded once, splatted once);
//! * one *stage* per block-routine node (in node order): a fused loop computes that
//!   node's operands into scratch slots (a contiguous input leaf is passed in place,
//!   no copy), then the routine is called once for the whole block; a nonzero status
//!   returns `node + 1`;
//! * the final fused loop computes the root (cast to the out dtype) and stores it; when
//!   the root is itself a routine of the out dtype on a contiguous `out` (and reads no
//!   input in place, which `out` may alias), the routine writes `out` and there is no
//!   final loop.
//!
//! Every loop is a 128-bit vector body plus a scalar tail when all its ops have vector
//! lowerings; otherwise it is a scalar loop. With one element width the body takes
//! `16 / width` elements per vector (8 bytes: f64/i64, 4 bytes: f32/i32; bools become
//! lane masks of that width); a loop mixing 4- and 8-byte values takes two elements per
//! vector, 4-byte values in the low half of theirs and bools as 64-bit masks. Inline
//! nodes feeding several stages are recomputed per stage (cheap next to a routine).
//! Emits `fma` only where the semantics ask for it (complex multiply, as NumPy on x86-64
//! computes it); results are bitwise those of the naive evaluator.

use super::routines::{routine, RoutineFn};
use super::{FoldOp, KernelSpec, Stride};
use crate::array::{internal, Scalar};
use crate::error::Error;
use crate::ir::{NodeId, NodeKind, Program};
use crate::ops::Op;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32, F32X4, F64, F64X2, I32, I32X4, I64, I64X2, I8, I8X16};
use cranelift_codegen::ir::{
    AbiParam, BlockArg, ConstantData, Endianness, Function, InstBuilder, MemFlagsData, Signature,
    Type, UserFuncName, Value,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use std::collections::HashMap;

mod complex;
mod fold;
mod math;

/// Where a block routine reads an operand: a scratch slot the stage's loop fills, or,
/// for a contiguous input leaf of the routine's dtype, the input's own block (no copy).
#[derive(Clone, Copy)]
enum Arg {
    Slot(usize),
    Input(usize),
}

/// A block-routine node, its routine, its operands, the loop roots that fill their
/// slots, and for a paired `sin`/`cos` stage its (sin, cos) result slots (passed as
/// `out`, `b`).
type Stage = (
    NodeId,
    RoutineFn,
    Vec<Arg>,
    Vec<(NodeId, Dest)>,
    Option<(usize, usize)>,
);

/// Do `a` and `b` compute the same value (same operations on the same leaves)?
fn same_value(p: &Program, a: NodeId, b: NodeId) -> bool {
    if a == b {
        return true;
    }
    let (x, y) = (p.node(a), p.node(b));
    x.kind == y.kind
        && x.dtype == y.dtype
        && x.args.len() == y.args.len()
        && x.args
            .iter()
            .zip(&y.args)
            .all(|(&u, &v)| same_value(p, u, v))
}

/// For a `sin` (`cos`) node on float32/float64, a live `cos` (`sin`) node of the same
/// operand value: the pair runs as one stage with one argument reduction.
fn sin_cos_partner(p: &Program, id: NodeId, live: &[bool]) -> Option<NodeId> {
    use crate::math::Math;
    let node = p.node(id);
    let want = match node.kind {
        NodeKind::Op(Op::Math(Math::Sin)) => Math::Cos,
        NodeKind::Op(Op::Math(Math::Cos)) => Math::Sin,
        _ => return None,
    };
    let arg = *node.args.first()?;
    super::mathcall::sin_cos_routine(p.node(arg).dtype)?;
    (0..p.nodes.len() as NodeId).find(|&j| {
        let other = p.node(j);
        live[j as usize]
            && other.kind == NodeKind::Op(Op::Math(want))
            && other.args.len() == 1
            && same_value(p, other.args[0], arg)
    })
}

pub struct Lowered {
    pub scratch_per_elem: usize,
}

/// Where a loop value lives in memory.
#[derive(Clone, Copy)]
struct Src {
    ptr: Value,
    /// Byte stride (a run-time value; unused for contiguous/broadcast).
    stride: Value,
    class: Stride,
}

/// What a loop computes: values of `roots`, stored to `dests`.
struct LoopPlan {
    roots: Vec<(NodeId, Dest)>,
    /// Nodes evaluated in the loop body, in increasing id order.
    nodes: Vec<NodeId>,
    /// Element width of the vector body, if vectorisable.
    vec_width: Option<u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Dest {
    Out,
    Slot(usize),
}

/// Mode of code emission: one element per value, or one 128-bit vector of `16/w`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Mode {
    Scalar,
    Vector(u32),
}

fn mem() -> MemFlagsData {
    // Array elements may be unaligned (strided views); never assume alignment.
    MemFlagsData::new().with_notrap()
}

/// Vectors per iteration of the unrolled vector loop. 2 by measurement (ARCHITECTURE.md,
/// "Loop shape"): against 1 it cut the cached 1 000-element polynomial call by ~5–25 %
/// and `a*b + c` by ~10–30 %, and was neutral on a 30-operation body; 4 gained nothing
/// more. `NUMJIT_UNROLL=1..8` (read once per process) overrides it, for measuring.
fn unroll_factor() -> usize {
    static U: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *U.get_or_init(|| {
        std::env::var("NUMJIT_UNROLL")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&u| (1..=8).contains(&u))
            .unwrap_or(2)
    })
}

/// Lane-preserving bitcasts between mask and float vectors.
fn little() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

fn scalar_ty(t: DType) -> Type {
    match t {
        DType::Bool => I8,
        DType::Int32 => I32,
        DType::Int64 => I64,
        DType::Float32 => F32,
        DType::Float64 => F64,
        DType::Complex128 => F64X2,
    }
}

fn vec_ty(t: DType, w: u32) -> Type {
    match t {
        DType::Bool if w == 8 => I64X2,
        DType::Bool => I32X4,
        DType::Int32 => I32X4,
        DType::Int64 => I64X2,
        DType::Float32 => F32X4,
        DType::Float64 => F64X2,
        // Not reachable: complex loops are never vectorised.
        DType::Complex128 => F64X2,
    }
}

/// Block-routine nodes, by id.
fn block_routine(p: &Program, id: NodeId) -> Option<RoutineFn> {
    let node = p.node(id);
    match node.kind {
        NodeKind::Op(op) => {
            let t = p.node(*node.args.first()?).dtype;
            routine(op, t)
        }
        _ => None,
    }
}

/// Can `from → to` be cast in a vector body (`mixed`: one mixing 4- and 8-byte
/// values, two elements per vector)?
fn vector_cast_ok(from: DType, to: DType, mixed: bool) -> bool {
    use DType::*;
    from == to
        || from == Bool
        || to == Bool
        || (from.is_int() && to.is_float() && from.size() == to.size())
        || (mixed
            && matches!(
                (from, to),
                (Int32, Float64)
                    | (Float32, Float64)
                    | (Float64, Float32)
                    | (Int32, Int64)
                    | (Int64, Int32)
            ))
}

fn plan_loop(
    p: &Program,
    roots: Vec<(NodeId, Dest)>,
    out_dtype: DType,
    is_block: &[bool],
) -> LoopPlan {
    let mut need = vec![false; p.nodes.len()];
    let mut stack: Vec<NodeId> = roots.iter().map(|r| r.0).collect();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut need[id as usize], true) {
            continue;
        }
        if is_block[id as usize] {
            continue; // a leaf here: its result is read from its slot
        }
        stack.extend(p.node(id).args.iter().copied());
    }
    let nodes: Vec<NodeId> = (0..p.nodes.len() as NodeId)
        .filter(|&i| need[i as usize])
        .collect();
    // Vectorisable iff no complex and only ops with vector forms. One element width
    // gives `16 / width` lanes; 4- and 8-byte values mixed give two elements per vector
    // (4-byte values in the low half of theirs; bools are 64-bit masks).
    let mut widths = 0u32; // bit 0: 4-byte values seen, bit 1: 8-byte values seen
    let mut ok = true;
    let mut note = |t: DType| match t {
        DType::Bool => {}
        DType::Complex128 => ok = false,
        t => widths |= if t.size() == 4 { 1 } else { 2 },
    };
    for &id in &nodes {
        note(p.node(id).dtype);
    }
    if roots.iter().any(|r| r.1 == Dest::Out) {
        note(out_dtype);
    }
    let mixed = widths == 3;
    let width = match widths {
        0 => None,
        1 => Some(4),
        _ => Some(8),
    };
    for &id in &nodes {
        let node = p.node(id);
        if is_block[id as usize] {
            continue;
        }
        if let NodeKind::Op(op) = node.kind {
            let arg_t = node.args.first().map(|&a| p.node(a).dtype);
            let fine = match op {
                Op::Cast => arg_t.is_some_and(|f| vector_cast_ok(f, node.dtype, mixed)),
                Op::Shl | Op::Shr | Op::FloorDiv | Op::Mod | Op::Pow => false,
                _ => true,
            };
            ok &= fine;
        }
    }
    for (root, dest) in &roots {
        if *dest == Dest::Out {
            ok &= vector_cast_ok(p.node(*root).dtype, out_dtype, mixed);
        }
    }
    LoopPlan {
        roots,
        nodes,
        vec_width: if ok { Some(width.unwrap_or(4)) } else { None },
    }
}

struct Lowerer<'a, 'f> {
    b: FunctionBuilder<'f>,
    p: &'a Program,
    out_dtype: DType,
    n: Value,
    inputs: Vec<Src>,
    out: Src,
    slots: Vec<Value>,
    /// Block node id → its result slot.
    result_slot: HashMap<NodeId, usize>,
    /// Hoisted scalar and vector values of constants / broadcast inputs.
    hoisted: HashMap<(NodeId, Mode), Value>,
}

pub fn lower(
    p: &Program,
    spec: &KernelSpec,
    fold: Option<FoldOp>,
    func: &mut Function,
    config: TargetFrontendConfig,
) -> Result<Lowered, Error> {
    if fold.is_some() && spec.out_dtype != p.dtype() {
        return Err(internal("a fold kernel folds the root's own dtype"));
    }
    if p.nodes.is_empty() || p.root as usize >= p.nodes.len() {
        return Err(internal("empty program"));
    }
    // Scratch slots: one per block node result, one per non-block operand.
    let is_block: Vec<bool> = (0..p.nodes.len() as NodeId)
        .map(|i| block_routine(p, i).is_some())
        .collect();
    let mut live = vec![false; p.nodes.len()];
    let mut stack = vec![p.root];
    while let Some(id) = stack.pop() {
        if !std::mem::replace(&mut live[id as usize], true) {
            stack.extend(p.node(id).args.iter().copied());
        }
    }
    let mut nslots = 0usize;
    let mut result_slot = HashMap::new();
    // (block node, routine, operand slots)
    let mut stages: Vec<Stage> = Vec::new();
    for id in 0..p.nodes.len() as NodeId {
        if !live[id as usize] || !is_block[id as usize] || result_slot.contains_key(&id) {
            continue;
        }
        let mut f = block_routine(p, id).ok_or_else(|| internal("routine vanished"))?;
        let partner = sin_cos_partner(p, id, &live);
        let mut operand_slots = Vec::new();
        let mut roots = Vec::new();
        for &a in &p.node(id).args {
            if let Some(&s) = result_slot.get(&a) {
                operand_slots.push(Arg::Slot(s));
            } else if let NodeKind::Input(k) = p.node(a).kind {
                // Read in place when contiguous (the leaf's dtype is the input's own;
                // casts are nodes of their own): saves a copy through scratch.
                if spec.inputs[k as usize] == Stride::Contiguous {
                    operand_slots.push(Arg::Input(k as usize));
                } else {
                    let s = nslots;
                    nslots += 1;
                    operand_slots.push(Arg::Slot(s));
                    roots.push((a, Dest::Slot(s)));
                }
            } else {
                let s = nslots;
                nslots += 1;
                operand_slots.push(Arg::Slot(s));
                roots.push((a, Dest::Slot(s)));
            }
        }
        result_slot.insert(id, nslots);
        nslots += 1;
        let mut second = None;
        if let Some(j) = partner {
            // One stage for both: `id` keeps the slot just given, `j` gets the next.
            f = super::mathcall::sin_cos_routine(p.node(p.node(id).args[0]).dtype)
                .ok_or_else(|| internal("sin_cos routine vanished"))?;
            result_slot.insert(j, nslots);
            let is_sin = matches!(
                p.node(id).kind,
                NodeKind::Op(Op::Math(crate::math::Math::Sin))
            );
            second = Some(if is_sin {
                (nslots - 1, nslots)
            } else {
                (nslots, nslots - 1)
            });
            nslots += 1;
        }
        stages.push((id, f, operand_slots, roots, second));
    }

    // When the root itself is a routine writing the out dtype to a contiguous output,
    // the routine writes `out` directly and there is no final loop. Not when it reads an
    // input in place: `out` may be that input (exact in-place evaluation), and a routine
    // must not read and write the same memory through two slices.
    let direct_out = fold.is_none()
        && is_block[p.root as usize]
        && spec.out == Stride::Contiguous
        && spec.out_dtype == p.dtype()
        && stages.last().is_some_and(|s| {
            s.0 == p.root && s.4.is_none() && s.2.iter().all(|a| matches!(a, Arg::Slot(_)))
        });

    let ptr = I64;
    let mut sig = Signature::new(config.default_call_conv);
    for _ in 0..6 {
        sig.params.push(AbiParam::new(ptr));
    }
    sig.returns.push(AbiParam::new(I32));
    func.signature = sig;
    func.name = UserFuncName::user(0, 0);

    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let (n, ins, strides, out_ptr, out_stride, scratch) = (
        params[0], params[1], params[2], params[3], params[4], params[5],
    );
    let trusted = MemFlagsData::trusted();
    let mut inputs = Vec::new();
    for (k, class) in spec.inputs.iter().enumerate() {
        let off = (k * 8) as i32;
        let ptr_k = b.ins().load(ptr, trusted, ins, off);
        let stride_k = b.ins().load(ptr, trusted, strides, off);
        inputs.push(Src {
            ptr: ptr_k,
            stride: stride_k,
            class: *class,
        });
    }
    // Slot s starts at scratch + s * 16 * n: every slot is 16-byte aligned.
    let n16 = b.ins().ishl_imm_u(n, 4);
    let mut slots = Vec::new();
    for s in 0..nslots {
        let off = b.ins().imul_imm_s(n16, s as i64);
        slots.push(b.ins().iadd(scratch, off));
    }
    let ret = b.create_block();
    b.append_block_param(ret, I32);

    let mut lw = Lowerer {
        b,
        p,
        out_dtype: spec.out_dtype,
        n,
        inputs,
        out: Src {
            ptr: out_ptr,
            stride: out_stride,
            class: spec.out,
        },
        slots,
        result_slot,
        hoisted: HashMap::new(),
    };

    let mut loops: Vec<LoopPlan> = stages
        .iter()
        .map(|s| plan_loop(p, s.3.clone(), spec.out_dtype, &is_block))
        .collect();
    loops.push(plan_loop(
        p,
        vec![(p.root, Dest::Out)],
        spec.out_dtype,
        &is_block,
    ));
    // Hoist every constant and broadcast leaf, in both modes a loop needs.
    for lp in &loops {
        let mut modes = vec![Mode::Scalar];
        if let Some(w) = lp.vec_width {
            modes.push(Mode::Vector(w));
        }
        for &id in &lp.nodes {
            if is_block[id as usize] {
                continue;
            }
            for &m in &modes {
                lw.hoist(id, m)?;
            }
        }
    }
    for (si, (id, f, operand_slots, roots, second)) in stages.iter().enumerate() {
        if !roots.is_empty() {
            lw.emit_loop(&loops[si])?;
        }
        let arg = |lw: &Lowerer, x: Arg| match x {
            Arg::Slot(s) => lw.slots[s],
            Arg::Input(k) => lw.inputs[k].ptr,
        };
        let a = arg(&lw, operand_slots[0]);
        let (bb, o) = match second {
            // A sin/cos pair: `out` is the sin slot and `b` the cos slot.
            Some((sin_slot, cos_slot)) => (lw.slots[*cos_slot], lw.slots[*sin_slot]),
            None if direct_out && si + 1 == stages.len() => (
                arg(&lw, *operand_slots.get(1).unwrap_or(&operand_slots[0])),
                lw.out.ptr,
            ),
            None => (
                arg(&lw, *operand_slots.get(1).unwrap_or(&operand_slots[0])),
                lw.slots[lw.result_slot[id]],
            ),
        };
        let b = &mut lw.b;
        let mut rsig = Signature::new(config.default_call_conv);
        for _ in 0..4 {
            rsig.params.push(AbiParam::new(ptr));
        }
        rsig.returns.push(AbiParam::new(I32));
        let sref = b.import_signature(rsig);
        let addr = b.ins().iconst(ptr, *f as usize as i64);
        let call = b.ins().call_indirect(sref, addr, &[n, a, bb, o]);
        let status = b.inst_results(call)[0];
        let code = b.ins().iconst(I32, *id as i64 + 1);
        let cont = b.create_block();
        b.ins()
            .brif(status, ret, &[BlockArg::Value(code)], cont, &[]);
        b.switch_to_block(cont);
    }
    let last = loops.len() - 1;
    match fold {
        None if direct_out => {}
        None => lw.emit_loop(&loops[last])?,
        // The fold kernel's fifth parameter is the leaf-length array, not a stride.
        Some(f) => lw.emit_fold(&loops[last], f, out_stride)?,
    }
    let zero = lw.b.ins().iconst(I32, 0);
    lw.b.ins().jump(ret, &[BlockArg::Value(zero)]);
    lw.b.switch_to_block(ret);
    let code = lw.b.block_params(ret)[0];
    lw.b.ins().return_(&[code]);
    lw.b.seal_all_blocks();
    lw.b.finalize(config);
    Ok(Lowered {
        scratch_per_elem: 16 * nslots,
    })
}

impl Lowerer<'_, '_> {
    /// Emits (once) the loop-invariant value of a constant or broadcast input.
    fn hoist(&mut self, id: NodeId, m: Mode) -> Result<(), Error> {
        if self.hoisted.contains_key(&(id, m)) {
            return Ok(());
        }
        let node = self.p.node(id);
        let v = match &node.kind {
            NodeKind::Const(s) => self.constant(*s, m)?,
            NodeKind::Reduce(_) => return Err(internal("reductions run in stages, never lowered")),
            NodeKind::Input(k) => {
                let src = self.inputs[*k as usize];
                if src.class != Stride::Broadcast {
                    return Ok(());
                }
                let zero = self.b.ins().iconst(I64, 0);
                let one = Src {
                    class: Stride::Contiguous,
                    ..src
                };
                // A broadcast operand is one element: load it once, splat once.
                let s = self.load_scalar(one, node.dtype, zero);
                self.widen(s, node.dtype, m)
            }
            NodeKind::Op(_) => return Ok(()),
        };
        self.hoisted.insert((id, m), v);
        Ok(())
    }

    /// Turns a scalar value into the representation of mode `m` (splat; bools become
    /// lane masks).
    fn widen(&mut self, s: Value, t: DType, m: Mode) -> Value {
        match m {
            Mode::Scalar => s,
            Mode::Vector(w) => {
                let vt = vec_ty(t, w);
                if t == DType::Bool {
                    let lane = vt.lane_type();
                    let wide = self.b.ins().uextend(lane, s);
                    let mask = self.b.ins().ineg(wide);
                    self.b.ins().splat(vt, mask)
                } else {
                    self.b.ins().splat(vt, s)
                }
            }
        }
    }

    fn constant(&mut self, s: Scalar, m: Mode) -> Result<Value, Error> {
        let ins = self.b.ins();
        let v = match s {
            Scalar::Bool(v) => ins.iconst(I8, v as i64),
            Scalar::Int32(v) => ins.iconst(I32, v as i64),
            Scalar::Int64(v) => ins.iconst(I64, v),
            Scalar::Float32(v) => ins.f32const(v),
            Scalar::Float64(v) => ins.f64const(v),
            Scalar::Complex128(c) => {
                let re = ins.f64const(c.re);
                let im = self.b.ins().f64const(c.im);
                let v = self.b.ins().splat(F64X2, re);
                self.b.ins().insertlane(v, im, 1)
            }
        };
        Ok(self.widen(v, s.dtype(), m))
    }

    fn addr(&mut self, src: Src, size: usize, i: Value) -> Value {
        let off = match src.class {
            Stride::Contiguous => self.b.ins().imul_imm_s(i, size as i64),
            Stride::Broadcast => return src.ptr,
            Stride::Strided => self.b.ins().imul(i, src.stride),
        };
        self.b.ins().iadd(src.ptr, off)
    }

    fn load_scalar(&mut self, src: Src, t: DType, i: Value) -> Value {
        let a = self.addr(src, t.size(), i);
        self.b.ins().load(scalar_ty(t), mem(), a, 0)
    }

    fn store_scalar(&mut self, src: Src, t: DType, i: Value, v: Value) {
        let a = self.addr(src, t.size(), i);
        self.b.ins().store(mem(), v, a, 0);
    }

    /// Loads element(s) `i + off`; contiguous operands fold `off` into the address.
    fn load_at(&mut self, src: Src, t: DType, i: Value, off: i64, m: Mode) -> Value {
        if src.class == Stride::Contiguous && t != DType::Bool {
            let a = self.addr(src, t.size(), i);
            let boff = (off * t.size() as i64) as i32;
            let vt = match m {
                Mode::Scalar => scalar_ty(t),
                Mode::Vector(w) => vec_ty(t, w),
            };
            if let Mode::Vector(w) = m {
                if (t.size() as u32) < w {
                    // Two 4-byte elements into the low half (mixed-width loops).
                    let pair = self.b.ins().load(I64, mem(), a, boff);
                    let v = self.b.ins().scalar_to_vector(I64X2, pair);
                    return self.b.ins().bitcast(vt, little(), v);
                }
            }
            return self.b.ins().load(vt, mem(), a, boff);
        }
        let i = if off == 0 {
            i
        } else {
            self.b.ins().iadd_imm_s(i, off)
        };
        let Mode::Vector(w) = m else {
            return self.load_scalar(src, t, i);
        };
        let vt = vec_ty(t, w);
        let lanes = 16 / w;
        // Lane by lane: strided operands, and bools (1 byte in memory, a mask here).
        let mut v = None;
        for l in 0..lanes {
            let il = self.b.ins().iadd_imm_s(i, l as i64);
            let mut s = self.load_scalar(src, t, il);
            if t == DType::Bool {
                let wide = self.b.ins().uextend(vt.lane_type(), s);
                s = self.b.ins().ineg(wide);
            }
            v = Some(match v {
                None => self.b.ins().splat(vt, s),
                Some(acc) => self.b.ins().insertlane(acc, s, l as u8),
            });
        }
        v.expect("at least two lanes")
    }

    fn store(&mut self, src: Src, t: DType, i: Value, v: Value, m: Mode) {
        let Mode::Vector(w) = m else {
            return self.store_scalar(src, t, i, v);
        };
        if src.class == Stride::Contiguous && t != DType::Bool {
            let a = self.addr(src, t.size(), i);
            if (t.size() as u32) < w {
                // The low half holds the two 4-byte elements (mixed-width loops).
                let v64 = self.b.ins().bitcast(I64X2, little(), v);
                let pair = self.b.ins().extractlane(v64, 0);
                self.b.ins().store(mem(), pair, a, 0);
                return;
            }
            self.b.ins().store(mem(), v, a, 0);
            return;
        }
        for l in 0..16 / w {
            let il = self.b.ins().iadd_imm_s(i, l as i64);
            let mut s = self.b.ins().extractlane(v, l as u8);
            if t == DType::Bool {
                let byte = self.b.ins().ireduce(I8, s);
                s = self.b.ins().band_imm_s(byte, 1);
            }
            self.store_scalar(src, t, il, s);
        }
    }

    /// Emits the loop(s) of `lp`, continuing in a fresh block afterwards.
    fn emit_loop(&mut self, lp: &LoopPlan) -> Result<(), Error> {
        let n = self.n;
        let done = self.b.create_block();
        let tail = self.b.create_block();
        self.b.append_block_param(tail, I64);
        let sbody = self.b.create_block();
        self.b.append_block_param(sbody, I64);
        if let Some(w) = lp.vec_width {
            let lanes = (16 / w) as i64;
            let unroll = unroll_factor();
            let zero = self.b.ins().iconst(I64, 0);
            let mut start = zero;
            if unroll > 1 {
                // Unrolled: `unroll` independent vectors per iteration, over the
                // largest multiple of `unroll * lanes`; the single-vector loop below
                // takes the rest. Every element sees the same vector arithmetic.
                let step = lanes * unroll as i64;
                let nun = self.b.ins().band_imm_s(n, !(step - 1));
                let ubody = self.b.create_block();
                self.b.append_block_param(ubody, I64);
                let after = self.b.create_block();
                self.b.append_block_param(after, I64);
                self.b.ins().brif(
                    nun,
                    ubody,
                    &[BlockArg::Value(zero)],
                    after,
                    &[BlockArg::Value(zero)],
                );
                self.b.switch_to_block(ubody);
                let i = self.b.block_params(ubody)[0];
                for k in 0..unroll {
                    let ik = if k == 0 {
                        i
                    } else {
                        self.b.ins().iadd_imm_s(i, k as i64 * lanes)
                    };
                    self.body(lp, ik, Mode::Vector(w))?;
                }
                let next = self.b.ins().iadd_imm_s(i, step);
                let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, nun);
                self.b.ins().brif(
                    more,
                    ubody,
                    &[BlockArg::Value(next)],
                    after,
                    &[BlockArg::Value(next)],
                );
                self.b.switch_to_block(after);
                start = self.b.block_params(after)[0];
            }
            let nvec = self.b.ins().band_imm_s(n, !(lanes - 1));
            let vbody = self.b.create_block();
            self.b.append_block_param(vbody, I64);
            let any = self.b.ins().icmp(IntCC::UnsignedLessThan, start, nvec);
            self.b.ins().brif(
                any,
                vbody,
                &[BlockArg::Value(start)],
                tail,
                &[BlockArg::Value(start)],
            );
            self.b.switch_to_block(vbody);
            let i = self.b.block_params(vbody)[0];
            self.body(lp, i, Mode::Vector(w))?;
            let next = self.b.ins().iadd_imm_s(i, lanes);
            let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, nvec);
            self.b.ins().brif(
                more,
                vbody,
                &[BlockArg::Value(next)],
                tail,
                &[BlockArg::Value(next)],
            );
        } else {
            let zero = self.b.ins().iconst(I64, 0);
            self.b.ins().jump(tail, &[BlockArg::Value(zero)]);
        }
        self.b.switch_to_block(tail);
        let i0 = self.b.block_params(tail)[0];
        let any = self.b.ins().icmp(IntCC::UnsignedLessThan, i0, n);
        self.b
            .ins()
            .brif(any, sbody, &[BlockArg::Value(i0)], done, &[]);
        self.b.switch_to_block(sbody);
        let i = self.b.block_params(sbody)[0];
        self.body(lp, i, Mode::Scalar)?;
        let next = self.b.ins().iadd_imm_s(i, 1);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, n);
        self.b
            .ins()
            .brif(more, sbody, &[BlockArg::Value(next)], done, &[]);
        self.b.switch_to_block(done);
        Ok(())
    }

    /// One iteration: every needed node in order, then the stores.
    fn body(&mut self, lp: &LoopPlan, i: Value, m: Mode) -> Result<(), Error> {
        let vals = self.values(lp, i, 0, m)?;
        self.stores(lp, i, m, &vals)
    }

    /// The value of the (single) root of `lp` at element `i`, without storing it.
    fn root_value(&mut self, lp: &LoopPlan, i: Value, off: i64, m: Mode) -> Result<Value, Error> {
        let root = lp
            .roots
            .first()
            .ok_or_else(|| internal("a loop without a root"))?
            .0;
        let vals = self.values(lp, i, off, m)?;
        vals.get(&root)
            .copied()
            .ok_or_else(|| internal("root not computed"))
    }

    /// Every needed node of one iteration (at element `i + off`), in order.
    fn values(
        &mut self,
        lp: &LoopPlan,
        i: Value,
        off: i64,
        m: Mode,
    ) -> Result<HashMap<NodeId, Value>, Error> {
        let mut vals: HashMap<NodeId, Value> = HashMap::with_capacity(lp.nodes.len());
        for &id in &lp.nodes {
            let node = self.p.node(id);
            let v = if let Some(&v) = self.hoisted.get(&(id, m)) {
                v
            } else if let Some(&s) = self.result_slot.get(&id) {
                let src = Src {
                    ptr: self.slots[s],
                    stride: self.slots[s],
                    class: Stride::Contiguous,
                };
                self.load_at(src, node.dtype, i, off, m)
            } else {
                match &node.kind {
                    NodeKind::Input(k) => {
                        let src = self.inputs[*k as usize];
                        self.load_at(src, node.dtype, i, off, m)
                    }
                    NodeKind::Const(_) => return Err(internal("constant not hoisted")),
                    NodeKind::Reduce(_) => {
                        return Err(internal("reductions run in stages, never lowered"))
                    }
                    NodeKind::Op(op) => {
                        let args: Vec<(Value, DType)> = node
                            .args
                            .iter()
                            .map(|a| (vals[a], self.p.node(*a).dtype))
                            .collect();
                        let v = self.op(*op, &args, node.dtype, m)?;
                        self.canonical_mask(v, node.dtype, m)
                    }
                }
            };
            vals.insert(id, v);
        }
        Ok(vals)
    }

    /// The stores of one iteration.
    fn stores(
        &mut self,
        lp: &LoopPlan,
        i: Value,
        m: Mode,
        vals: &HashMap<NodeId, Value>,
    ) -> Result<(), Error> {
        for &(root, dest) in &lp.roots {
            let t = self.p.node(root).dtype;
            match dest {
                Dest::Out => {
                    let v = self.cast(vals[&root], t, self.out_dtype, m)?;
                    let out = self.out;
                    self.store(out, self.out_dtype, i, v, m);
                }
                Dest::Slot(s) => {
                    let src = Src {
                        ptr: self.slots[s],
                        stride: self.slots[s],
                        class: Stride::Contiguous,
                    };
                    self.store(src, t, i, vals[&root], m);
                }
            }
        }
        Ok(())
    }

    fn fconst(&mut self, t: DType, x: f64, m: Mode) -> Value {
        let s = if t == DType::Float32 {
            self.b.ins().f32const(x as f32)
        } else {
            self.b.ins().f64const(x)
        };
        self.widen(s, t, m)
    }

    fn iconst(&mut self, t: DType, x: i64, m: Mode) -> Value {
        let s = self.b.ins().iconst(scalar_ty(t), x);
        self.widen(s, t, m)
    }

    /// `astype(to)` of `v: from`, NumPy's unsafe-cast rules.
    fn cast(&mut self, v: Value, from: DType, to: DType, m: Mode) -> Result<Value, Error> {
        use DType::*;
        if from == to {
            return Ok(v);
        }
        let Mode::Vector(w) = m else {
            return self.cast_scalar(v, from, to);
        };
        let vt = vec_ty(to, w);
        let v = if from == Bool {
            self.mask_for(v, to, w)
        } else {
            v
        };
        Ok(match (from, to) {
            (Int32, Int64) => self.b.ins().swiden_low(v),
            (Int64, Int32) => self.low_halves(v),
            (Float32, Float64) => self.b.ins().fvpromote_low(v),
            (Float64, Float32) => self.b.ins().fvdemote(v),
            (Int32, Float64) => {
                let wide = self.b.ins().swiden_low(v);
                self.b.ins().fcvt_from_sint(F64X2, wide)
            }
            (Bool, t) if t.is_int() => {
                let one = self.iconst(t, 1, m);
                self.b.ins().band(v, one)
            }
            (Bool, t) if t.is_float() => {
                let one = self.fconst(t, 1.0, m);
                let zero = self.fconst(t, 0.0, m);
                let mask = self.b.ins().bitcast(vt, little(), v);
                self.b.ins().bitselect(mask, one, zero)
            }
            (f, Bool) if f.is_int() => {
                let zero = self.iconst(f, 0, m);
                self.b.ins().icmp(IntCC::NotEqual, v, zero)
            }
            (f, Bool) if f.is_float() => {
                let zero = self.fconst(f, 0.0, m);
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            }
            (f, t) if f.is_int() && t.is_float() => self.b.ins().fcvt_from_sint(vt, v),
            _ => return Err(internal(format!("no vector cast {from} -> {to}"))),
        })
    }

    /// A comparison result of mode `m` as the loop's bool representation: in a
    /// mixed-width loop, 32-bit lane masks (from 4-byte operands) widen to 64-bit ones.
    fn canonical_mask(&mut self, v: Value, t: DType, m: Mode) -> Value {
        let Mode::Vector(w) = m else { return v };
        if t != DType::Bool {
            return v;
        }
        let want = vec_ty(DType::Bool, w);
        let have = self.b.func.dfg.value_type(v);
        if have == want {
            v
        } else if want == I64X2 && have == I32X4 {
            self.b.ins().swiden_low(v)
        } else {
            self.b.ins().bitcast(want, little(), v)
        }
    }

    /// The loop's bool mask `v` (mode width `w`) as a mask for values of dtype `t`:
    /// in a mixed-width loop, 4-byte values need the 64-bit mask lanes narrowed.
    fn mask_for(&mut self, v: Value, t: DType, w: u32) -> Value {
        if t == DType::Bool || (t.size() as u32) >= w {
            v
        } else {
            self.low_halves(v)
        }
    }

    /// The low 32 bits of each 64-bit lane of `v`, as lanes 0 and 1 of an `i32x4`
    /// (lanes 2 and 3 repeat them).
    fn low_halves(&mut self, v: Value) -> Value {
        let bytes = self.b.ins().bitcast(I8X16, little(), v);
        let pick: [u8; 16] = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];
        let imm = self
            .b
            .func
            .dfg
            .immediates
            .push(ConstantData::from(&pick[..]));
        let r = self.b.ins().shuffle(bytes, bytes, imm);
        self.b.ins().bitcast(I32X4, little(), r)
    }

    fn cast_scalar(&mut self, v: Value, from: DType, to: DType) -> Result<Value, Error> {
        use DType::*;
        let m = Mode::Scalar;
        if from == to {
            return Ok(v);
        }
        Ok(match (from, to) {
            (Complex128, t) => {
                let re = self.b.ins().extractlane(v, 0);
                if t == Bool {
                    let zero = self.b.ins().f64const(0.0);
                    let zv = self.b.ins().splat(F64X2, zero);
                    let ne = self.b.ins().fcmp(FloatCC::NotEqual, v, zv);
                    self.b.ins().vany_true(ne)
                } else {
                    self.cast_scalar(re, Float64, t)?
                }
            }
            (f, Complex128) => {
                let re = self.cast_scalar(v, f, Float64)?;
                let zero = self.b.ins().f64const(0.0);
                let vec = self.b.ins().splat(F64X2, zero);
                self.b.ins().insertlane(vec, re, 0)
            }
            (Bool, t) if t.is_int() => self.b.ins().uextend(scalar_ty(t), v),
            (Bool, t) => {
                let one = self.fconst(t, 1.0, m);
                let zero = self.fconst(t, 0.0, m);
                self.b.ins().select(v, one, zero)
            }
            (f, Bool) if f.is_int() => self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0),
            (f, Bool) => {
                let zero = self.fconst(f, 0.0, m);
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            }
            (Int32, Int64) => self.b.ins().sextend(I64, v),
            (Int64, Int32) => self.b.ins().ireduce(I32, v),
            (f, t) if f.is_int() && t.is_float() => self.b.ins().fcvt_from_sint(scalar_ty(t), v),
            (Float32, Float64) => self.b.ins().fpromote(F64, v),
            (Float64, Float32) => self.b.ins().fdemote(F32, v),
            (f, t) if f.is_float() && t.is_int() => {
                // Truncate toward zero; NaN, ±inf and out-of-range give the minimum,
                // as x86's cvtt* do. Test the truncated value against [-2^(b-1), 2^(b-1)).
                let bits = (t.size() * 8) as i32;
                let lim = 2f64.powi(bits - 1);
                let tr = self.b.ins().trunc(v);
                let lo = self.fconst(f, -lim, m);
                let hi = self.fconst(f, lim, m);
                let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, tr, lo);
                let lt = self.b.ins().fcmp(FloatCC::LessThan, tr, hi);
                let ok = self.b.ins().band(ge, lt);
                let r = self.b.ins().fcvt_to_sint_sat(scalar_ty(t), v);
                let min = if t == Int32 {
                    i32::MIN as i64
                } else {
                    i64::MIN
                };
                let min = self.b.ins().iconst(scalar_ty(t), min);
                self.b.ins().select(ok, r, min)
            }
            _ => return Err(internal(format!("no cast {from} -> {to}"))),
        })
    }

    fn op(&mut self, op: Op, args: &[(Value, DType)], rt: DType, m: Mode) -> Result<Value, Error> {
        use DType::*;
        let (a, t) = args[0];
        let b2 = args.get(1).map(|x| x.0);
        let bv = || b2.ok_or_else(|| internal("missing operand"));
        let vector = matches!(m, Mode::Vector(_));
        let unsupported = || internal(format!("no lowering for {} on {t}", op.name()));
        Ok(match op {
            Op::Cast => self.cast(a, t, rt, m)?,
            Op::Neg => match t {
                Int32 | Int64 => self.b.ins().ineg(a),
                Float32 | Float64 | Complex128 => self.b.ins().fneg(a),
                Bool => return Err(unsupported()),
            },
            Op::Invert => match t {
                Bool if !vector => self.b.ins().bxor_imm_s(a, 1),
                Bool | Int32 | Int64 => self.b.ins().bnot(a),
                _ => return Err(unsupported()),
            },
            Op::Abs => match t {
                Bool => a,
                Int32 | Int64 => self.b.ins().iabs(a),
                Float32 | Float64 => self.b.ins().fabs(a),
                Complex128 if !vector => self.complex_abs(a),
                Complex128 => return Err(unsupported()),
            },
            Op::Sqrt => match t {
                Float32 | Float64 => self.b.ins().sqrt(a),
                _ => return Err(unsupported()),
            },
            Op::Add => match t {
                Bool => self.b.ins().bor(a, bv()?),
                Int32 | Int64 => self.b.ins().iadd(a, bv()?),
                _ => self.b.ins().fadd(a, bv()?),
            },
            Op::Sub => match t {
                Int32 | Int64 => self.b.ins().isub(a, bv()?),
                Float32 | Float64 | Complex128 => self.b.ins().fsub(a, bv()?),
                Bool => return Err(unsupported()),
            },
            Op::Mul => match t {
                Bool => self.b.ins().band(a, bv()?),
                Int32 | Int64 => self.b.ins().imul(a, bv()?),
                Float32 | Float64 => self.b.ins().fmul(a, bv()?),
                Complex128 => {
                    let b = bv()?;
                    self.complex_mul(a, b)
                }
            },
            Op::Div => match t {
                Float32 | Float64 => self.b.ins().fdiv(a, bv()?),
                Complex128 if !vector => {
                    let b = bv()?;
                    self.complex_div(a, b)
                }
                _ => return Err(unsupported()),
            },
            Op::Shl | Op::Shr if t.is_int() && !vector => {
                let b = bv()?;
                let bits = (t.size() * 8) as i64;
                // Counts outside [0, bits) (unsigned test catches negatives).
                let big = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, b, bits);
                if op == Op::Shl {
                    let s = self.b.ins().ishl(a, b);
                    let zero = self.b.ins().iconst(scalar_ty(t), 0);
                    self.b.ins().select(big, zero, s)
                } else {
                    let top = self.b.ins().iconst(scalar_ty(t), bits - 1);
                    let amt = self.b.ins().select(big, top, b);
                    self.b.ins().sshr(a, amt)
                }
            }
            Op::BitAnd => self.b.ins().band(a, bv()?),
            Op::BitOr => self.b.ins().bor(a, bv()?),
            Op::BitXor => self.b.ins().bxor(a, bv()?),
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let b = bv()?;
                match t {
                    Complex128 => {
                        let cc = if op == Op::Eq {
                            FloatCC::Equal
                        } else {
                            FloatCC::NotEqual
                        };
                        if !matches!(op, Op::Eq | Op::Ne) {
                            return Err(unsupported());
                        }
                        let mask = self.b.ins().fcmp(cc, a, b);
                        if op == Op::Eq {
                            self.b.ins().vall_true(mask)
                        } else {
                            self.b.ins().vany_true(mask)
                        }
                    }
                    Float32 | Float64 => {
                        let cc = match op {
                            Op::Eq => FloatCC::Equal,
                            Op::Ne => FloatCC::NotEqual,
                            Op::Lt => FloatCC::LessThan,
                            Op::Le => FloatCC::LessThanOrEqual,
                            Op::Gt => FloatCC::GreaterThan,
                            _ => FloatCC::GreaterThanOrEqual,
                        };
                        self.b.ins().fcmp(cc, a, b)
                    }
                    Int32 | Int64 | Bool => {
                        // Bools are 0/1 scalars or 0/-1 masks: compare them unsigned.
                        let signed = t != Bool;
                        let cc = match (op, signed) {
                            (Op::Eq, _) => IntCC::Equal,
                            (Op::Ne, _) => IntCC::NotEqual,
                            (Op::Lt, true) => IntCC::SignedLessThan,
                            (Op::Le, true) => IntCC::SignedLessThanOrEqual,
                            (Op::Gt, true) => IntCC::SignedGreaterThan,
                            (Op::Ge, true) => IntCC::SignedGreaterThanOrEqual,
                            (Op::Lt, false) => IntCC::UnsignedLessThan,
                            (Op::Le, false) => IntCC::UnsignedLessThanOrEqual,
                            (Op::Gt, false) => IntCC::UnsignedGreaterThan,
                            _ => IntCC::UnsignedGreaterThanOrEqual,
                        };
                        self.b.ins().icmp(cc, a, b)
                    }
                }
            }
            Op::Where => {
                let x = bv()?;
                let y = args.get(2).ok_or_else(|| internal("missing operand"))?.0;
                match m {
                    Mode::Scalar if rt == Complex128 => self.complex_where(a, x, y),
                    Mode::Scalar => self.b.ins().select(a, x, y),
                    Mode::Vector(w) => {
                        let vt = vec_ty(rt, w);
                        let mask = if vt == vec_ty(Bool, w) {
                            a
                        } else {
                            let a = self.mask_for(a, rt, w);
                            self.b.ins().bitcast(vt, little(), a)
                        };
                        self.b.ins().bitselect(mask, x, y)
                    }
                }
            }
            Op::Math(f) => self.math(f, args, m)?,
            Op::Real if t == Complex128 => self.b.ins().extractlane(a, 0),
            Op::Imag => match t {
                Complex128 => self.b.ins().extractlane(a, 1),
                Float32 | Float64 => self.fconst(t, 0.0, m),
                // A false bool is 0 as a scalar and an all-zero mask in a vector.
                _ => self.iconst(t, 0, m),
            },
            Op::Conj if t == Complex128 => {
                let im = self.b.ins().extractlane(a, 1);
                let neg = self.b.ins().fneg(im);
                self.b.ins().insertlane(a, neg, 1)
            }
            Op::Complex if t == Float64 && !vector => {
                let v = self.b.ins().splat(F64X2, a);
                self.b.ins().insertlane(v, bv()?, 1)
            }
            _ => return Err(unsupported()),
        })
    }
}
