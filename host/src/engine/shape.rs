//! Refusing compile bombs and unsupported WebAssembly features before anything is compiled.
//!
//! Compiling is the one step of loading that no deadline or memory limit covers: a crafted
//! module (one huge function, tens of thousands of locals, blocks nested thousands deep) can
//! keep Cranelift busy for a minute and take gigabytes. So the module's shape is measured
//! first, with a linear pass of `wasmparser` that compiles nothing, against [`ShapeLimits`];
//! then the whole module is validated with only the features packs may use
//! ([`ALLOWED_FEATURES`]), so that a pack using shared memory, exceptions or 64-bit memory is
//! told which feature, not merely that it "failed to parse".

use wasmtime::wasmparser::{Operator, Parser, Payload, Validator, WasmFeatures};

use super::LoadError;

/// Bounds on a module's shape, checked before compiling. The defaults are far above what
/// rule packs built with the SDK need (the built-in packs: about 2,000 functions, the largest
/// under 64 KiB, under 500 locals, nesting under 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeLimits {
    /// Functions defined in the module.
    pub functions: u64,
    /// Bytes of one function body.
    pub function_bytes: u64,
    /// Locals of one function (parameters excluded).
    pub locals: u64,
    /// Depth of nested blocks, loops, ifs and trys in one function.
    pub nesting: u64,
}

impl Default for ShapeLimits {
    fn default() -> Self {
        Self {
            functions: 50_000,
            function_bytes: 1 << 20,
            locals: 10_000,
            nesting: 1_000,
        }
    }
}

/// The WebAssembly features packs may use: what `wasm32-unknown-unknown` emits (MVP, mutable
/// globals, sign extension, saturating conversions, multi-value, bulk memory, reference types)
/// plus SIMD and extended constants. Threads and shared memory, exceptions, memory64, multiple
/// memories, tail calls, GC and the component model are refused: packs need none of them and
/// each widens what the sandbox must get right.
pub const ALLOWED_FEATURES: WasmFeatures = WasmFeatures::MUTABLE_GLOBAL
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::REFERENCE_TYPES)
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::BULK_MEMORY)
    .union(WasmFeatures::SIMD)
    .union(WasmFeatures::FLOATS)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::GC_TYPES);

/// Refused features, with the name a pack author knows them by, tried in this order when the
/// module does not validate with [`ALLOWED_FEATURES`].
const REFUSED_FEATURES: [(WasmFeatures, &str); 13] = [
    (WasmFeatures::THREADS, "threads (shared memory and atomics)"),
    (WasmFeatures::EXCEPTIONS, "exception handling"),
    (WasmFeatures::LEGACY_EXCEPTIONS, "legacy exception handling"),
    (WasmFeatures::MEMORY64, "memory64 (64-bit memories)"),
    (WasmFeatures::MULTI_MEMORY, "multiple memories"),
    (WasmFeatures::TAIL_CALL, "tail calls"),
    (WasmFeatures::RELAXED_SIMD, "relaxed SIMD"),
    (
        WasmFeatures::FUNCTION_REFERENCES,
        "typed function references",
    ),
    (WasmFeatures::GC, "garbage collection (GC)"),
    (WasmFeatures::WIDE_ARITHMETIC, "wide arithmetic"),
    (WasmFeatures::CUSTOM_PAGE_SIZES, "custom page sizes"),
    (WasmFeatures::STACK_SWITCHING, "stack switching"),
    (
        WasmFeatures::SHARED_EVERYTHING_THREADS,
        "shared-everything threads",
    ),
];

/// Measures `bytes` against `limits` without compiling or validating anything.
pub fn check_shape(bytes: &[u8], limits: &ShapeLimits) -> Result<(), LoadError> {
    let over = |limit: &'static str, value: u64, max: u64| {
        if value > max {
            Err(LoadError::Shape { limit, value, max })
        } else {
            Ok(())
        }
    };
    let parse = |e: wasmtime::wasmparser::BinaryReaderError| LoadError::NotWasm(e.to_string());
    let mut functions = 0u64;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(parse)? {
            Payload::CodeSectionStart { count, .. } => {
                over("functions", u64::from(count), limits.functions)?;
            }
            Payload::CodeSectionEntry(body) => {
                functions += 1;
                over("functions", functions, limits.functions)?;
                over(
                    "function body bytes",
                    body.range().len() as u64,
                    limits.function_bytes,
                )?;
                let mut locals = 0u64;
                for local in body.get_locals_reader().map_err(parse)? {
                    let (count, _) = local.map_err(parse)?;
                    locals = locals.saturating_add(u64::from(count));
                    over("locals per function", locals, limits.locals)?;
                }
                let mut depth = 0u64;
                let mut reader = body.get_operators_reader().map_err(parse)?;
                while !reader.eof() {
                    match reader.read().map_err(parse)? {
                        Operator::Block { .. }
                        | Operator::Loop { .. }
                        | Operator::If { .. }
                        | Operator::TryTable { .. }
                        | Operator::Try { .. } => {
                            depth += 1;
                            over("block nesting depth", depth, limits.nesting)?;
                        }
                        Operator::End => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Validates `bytes` with [`ALLOWED_FEATURES`]; a refusal names the feature when enabling one
/// refused feature gets the validator further.
pub fn check_features(bytes: &[u8]) -> Result<(), LoadError> {
    let Err(error) = Validator::new_with_features(ALLOWED_FEATURES).validate_all(bytes) else {
        return Ok(());
    };
    let feature = REFUSED_FEATURES.iter().find_map(|(feature, name)| {
        match Validator::new_with_features(ALLOWED_FEATURES | *feature).validate_all(bytes) {
            Ok(_) => Some(*name),
            Err(other) if other.offset() > error.offset() => Some(*name),
            Err(_) => None,
        }
    });
    Err(match feature {
        Some(feature) => LoadError::Feature {
            feature,
            detail: error.message().to_owned(),
        },
        None => LoadError::Invalid(error.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured() {
        let mut body = String::new();
        for _ in 0..20 {
            body.push_str("(block ");
        }
        body.push_str(&")".repeat(20));
        let wasm = wat::parse_str(format!("(module (func {body}))")).expect("wat");
        let limits = ShapeLimits {
            nesting: 19,
            ..ShapeLimits::default()
        };
        match check_shape(&wasm, &limits) {
            Err(LoadError::Shape {
                value: 20, max: 19, ..
            }) => {}
            other => panic!("expected a nesting refusal, got {other:?}"),
        }
        assert!(check_shape(&wasm, &ShapeLimits::default()).is_ok());
    }
}
