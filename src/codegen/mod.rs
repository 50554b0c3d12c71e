//! Cranelift code generation. The only module that imports `cranelift_*`.
