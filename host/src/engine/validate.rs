//! Checks a `.wasm` before compiling it: size, no imports, the v1 exports. (Its shape and
//! features are checked next, in `shape`, unless the cache holds it compiled.)
//!
//! ABI v1 packs have zero imports, so a pack can do nothing but compute. Refusing imports up
//! front gives a message that says what to change, instead of a link error.

use wasmtime::wasmparser::{Parser, Payload, TypeRef};

use super::LoadError;
use crate::engine::limits::Limits;
use trailwarden_sdk::abi::EXPORT_PREFIX;

/// The exports a v1 pack must have, besides `memory`.
pub const REQUIRED_FUNCTIONS: [&str; 4] = ["alloc", "metadata", "evaluate", "trap_info"];

/// Refuses what cannot be a v1 pack, before any compilation.
pub fn check_module(bytes: &[u8], limits: &Limits) -> Result<(), LoadError> {
    if bytes.len() > limits.module_bytes {
        return Err(LoadError::TooLarge {
            size: bytes.len(),
            limit: limits.module_bytes,
        });
    }
    if !bytes.starts_with(b"\0asm") {
        return Err(LoadError::NotWasm(
            "the file does not start with the wasm magic number `\\0asm`".to_owned(),
        ));
    }
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| LoadError::NotWasm(e.to_string()))? {
            Payload::ImportSection(reader) => {
                if let Some(import) = reader.into_imports().next() {
                    let import = import.map_err(|e| LoadError::NotWasm(e.to_string()))?;
                    let kind = match import.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => "function",
                        TypeRef::Memory(_) => "memory",
                        TypeRef::Table(_) => "table",
                        TypeRef::Global(_) => "global",
                        _ => "item",
                    };
                    return Err(LoadError::HasImports(format!(
                        "{kind} `{}::{}`",
                        import.module, import.name
                    )));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| LoadError::NotWasm(e.to_string()))?;
                    exports.push(export.name.to_owned());
                }
            }
            _ => {}
        }
    }
    check_exports(&exports)
}

fn check_exports(exports: &[String]) -> Result<(), LoadError> {
    let has = |name: &str| exports.iter().any(|e| e == name);
    let missing: Vec<String> = REQUIRED_FUNCTIONS
        .iter()
        .map(|f| format!("{EXPORT_PREFIX}{f}"))
        .filter(|name| !has(name))
        .collect();
    if missing.is_empty() && has("memory") {
        return Ok(());
    }
    if let Some(other) = exports.iter().find_map(|e| other_abi_major(e)) {
        return Err(LoadError::AbiMismatch { found: other });
    }
    let mut missing = missing;
    if !has("memory") {
        missing.push("memory".to_owned());
    }
    Err(LoadError::MissingExports(missing.join(", ")))
}

/// Checks the types of the v1 exports once the module is compiled, so that a mistyped export
/// is a load error naming it, not a failure of every rule at its first call.
pub fn check_signatures(module: &wasmtime::Module) -> Result<(), LoadError> {
    use wasmtime::ValType;
    let signatures: [(&str, &[&str], &[&str]); 4] = [
        ("alloc", &["i32"], &["i32"]),
        ("metadata", &[], &["i64"]),
        ("evaluate", &["i32", "i32", "i32", "i32"], &["i64"]),
        ("trap_info", &[], &["i64"]),
    ];
    let name_of = |ty: ValType| match ty {
        ValType::I32 => "i32".to_owned(),
        ValType::I64 => "i64".to_owned(),
        ValType::F32 => "f32".to_owned(),
        ValType::F64 => "f64".to_owned(),
        other => format!("{other}"),
    };
    for (function, params, results) in signatures {
        let name = format!("{EXPORT_PREFIX}{function}");
        let Some(export) = module.get_export(&name) else {
            continue; // check_module reported missing exports already
        };
        let expected = format!("({}) -> ({})", params.join(", "), results.join(", "));
        let found = match export.func() {
            Some(func) => format!(
                "({}) -> ({})",
                func.params().map(name_of).collect::<Vec<_>>().join(", "),
                func.results().map(name_of).collect::<Vec<_>>().join(", ")
            ),
            None => "not a function".to_owned(),
        };
        if found != expected {
            return Err(LoadError::MistypedExport {
                name,
                found,
                expected,
            });
        }
    }
    Ok(())
}

/// `trailwarden_v2_evaluate` → `Some(2)`: a pack for another major ABI.
fn other_abi_major(export: &str) -> Option<u32> {
    let rest = export.strip_prefix("trailwarden_v")?;
    let (major, _) = rest.split_once('_')?;
    major
        .parse()
        .ok()
        .filter(|m| *m != trailwarden_sdk::abi::ABI_MAJOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_other_abi() {
        assert_eq!(other_abi_major("trailwarden_v2_evaluate"), Some(2));
        assert_eq!(other_abi_major("trailwarden_v1_evaluate"), None);
        assert_eq!(other_abi_major("memory"), None);
    }

    #[test]
    fn rejects_non_wasm() {
        let error = check_module(b"hello", &Limits::default()).unwrap_err();
        assert!(matches!(error, LoadError::NotWasm(_)));
    }
}
