//! Procedural macros of `trailwarden-sdk`: `#[rule(...)]`, `export_rules!` and
//! `#[derive(RuleSettings)]`.
//!
//! Use them through `trailwarden_sdk::prelude::*`. Misuse is a compile error pointing at the
//! offending token, never a panic.
#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprArray, ExprLit, ItemFn, Lit, LitStr, Meta, Path, Token};

/// Attaches rule metadata to an ordinary `fn(&Snapshot, &Ctx) -> Result<Vec<Finding>,
/// RuleError>` and leaves the function callable as it is.
///
/// Keys: `id` (required, e.g. `"TW-CT-001"`), `name` (required, kebab-case), `level`
/// (`"error"`, `"warning"`, `"note"`), `security_severity` (0.0–10.0), `precision`, `help_uri`,
/// `tags`, `cis`, `security_hub`, `mitre`, `needs` (string arrays) and `settings` (a type
/// implementing `RuleSettings`). The function's doc comment becomes the rule's documentation;
/// besides `///` lines it may hold `#[doc = some_macro!(…)]` lines, which insert text several
/// rules share (see the `cis-monitoring` pack).
#[proc_macro_attribute]
pub fn rule(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = syn::parse_macro_input!(args with Punctuated::<Meta, Token![,]>::parse_terminated);
    let function = syn::parse_macro_input!(item as ItemFn);
    match expand_rule(args, &function) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#function #error).into()
        }
    }
}

#[derive(Default)]
struct RuleArgs {
    id: Option<LitStr>,
    name: Option<LitStr>,
    level: Option<LitStr>,
    security_severity: Option<f64>,
    precision: Option<LitStr>,
    help_uri: Option<LitStr>,
    tags: Vec<LitStr>,
    cis: Vec<LitStr>,
    security_hub: Vec<LitStr>,
    mitre: Vec<LitStr>,
    needs: Vec<LitStr>,
    settings: Option<Path>,
}

const KEYS: &str = "id, name, level, security_severity, precision, help_uri, tags, cis, \
                    security_hub, mitre, needs, settings";

fn expand_rule(
    args: Punctuated<Meta, Token![,]>,
    function: &ItemFn,
) -> syn::Result<proc_macro2::TokenStream> {
    let parsed = parse_rule_args(args)?;
    check_signature(function)?;
    let id = parsed
        .id
        .ok_or_else(|| syn::Error::new(Span::call_site(), "#[rule] needs `id = \"TW-…\"`"))?;
    check_id(&id)?;
    let name = parsed.name.ok_or_else(|| {
        syn::Error::new(
            Span::call_site(),
            "#[rule] needs `name = \"kebab-case-name\"`",
        )
    })?;
    check_name(&name)?;
    let level = match parsed.level {
        None => quote!(::trailwarden_sdk::Level::Warning),
        Some(level) => match level.value().as_str() {
            "error" => quote!(::trailwarden_sdk::Level::Error),
            "warning" => quote!(::trailwarden_sdk::Level::Warning),
            "note" => quote!(::trailwarden_sdk::Level::Note),
            _ => {
                return Err(syn::Error::new_spanned(
                    level,
                    "level must be \"error\", \"warning\" or \"note\"",
                ));
            }
        },
    };
    let security_severity = match parsed.security_severity {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let precision = parsed
        .precision
        .unwrap_or_else(|| LitStr::new("high", Span::call_site()));
    if !["very-high", "high", "medium", "low"].contains(&precision.value().as_str()) {
        return Err(syn::Error::new_spanned(
            precision,
            "precision must be \"very-high\", \"high\", \"medium\" or \"low\"",
        ));
    }
    let help_uri = match parsed.help_uri {
        Some(uri) => quote!(::core::option::Option::Some(#uri)),
        None => quote!(::core::option::Option::None),
    };
    let Some(doc) = doc_comment(function) else {
        return Err(syn::Error::new_spanned(
            &function.sig.ident,
            "a rule needs a doc comment: its first sentence is the short description and the \
             whole is the help text",
        ));
    };
    let settings = parsed
        .settings
        .unwrap_or_else(|| syn::parse_quote!(::trailwarden_sdk::NoSettings));
    let (tags, cis, security_hub, mitre) =
        (parsed.tags, parsed.cis, parsed.security_hub, parsed.mitre);
    let needs = parsed
        .needs
        .iter()
        .map(section_path)
        .collect::<syn::Result<Vec<_>>>()?;
    let function_name = &function.sig.ident;
    let definition = format_ident!("__tw_rule_{}", function_name);
    let visibility = &function.vis;
    Ok(quote! {
        #function

        #[doc(hidden)]
        #visibility fn #definition() -> ::trailwarden_sdk::RuleDef {
            ::trailwarden_sdk::RuleDef {
                spec: ::trailwarden_sdk::RuleSpec {
                    id: #id,
                    name: #name,
                    doc: #doc,
                    level: #level,
                    security_severity: #security_severity,
                    precision: #precision,
                    help_uri: #help_uri,
                    tags: &[#(#tags),*],
                    cis: &[#(#cis),*],
                    security_hub: &[#(#security_hub),*],
                    mitre_attack: &[#(#mitre),*],
                    needs: &[#(#needs),*],
                },
                run: #function_name,
                check_settings: ::trailwarden_sdk::check_settings::<#settings>,
                describe_settings: <#settings as ::trailwarden_sdk::RuleSettings>::describe,
            }
        }
    })
}

fn parse_rule_args(args: Punctuated<Meta, Token![,]>) -> syn::Result<RuleArgs> {
    let mut parsed = RuleArgs::default();
    for meta in args {
        let Meta::NameValue(pair) = &meta else {
            return Err(syn::Error::new_spanned(
                &meta,
                format!("expected `key = value`; keys are {KEYS}"),
            ));
        };
        let key = pair
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let value = &pair.value;
        match key.as_str() {
            "id" => parsed.id = Some(string(value)?),
            "name" => parsed.name = Some(string(value)?),
            "level" => parsed.level = Some(string(value)?),
            "precision" => parsed.precision = Some(string(value)?),
            "help_uri" => parsed.help_uri = Some(string(value)?),
            "security_severity" => parsed.security_severity = Some(severity(value)?),
            "tags" => parsed.tags = strings(value)?,
            "cis" => parsed.cis = strings(value)?,
            "security_hub" => parsed.security_hub = strings(value)?,
            "mitre" => parsed.mitre = strings(value)?,
            "needs" => parsed.needs = strings(value)?,
            "settings" => match value {
                Expr::Path(path) => parsed.settings = Some(path.path.clone()),
                _ => {
                    return Err(syn::Error::new_spanned(
                        value,
                        "settings must name a type implementing RuleSettings",
                    ));
                }
            },
            _ => {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    format!("unknown #[rule] key `{key}`; keys are {KEYS}"),
                ));
            }
        }
    }
    Ok(parsed)
}

fn string(value: &Expr) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        _ => Err(syn::Error::new_spanned(value, "expected a string literal")),
    }
}

fn strings(value: &Expr) -> syn::Result<Vec<LitStr>> {
    match value {
        Expr::Array(ExprArray { elems, .. }) => elems.iter().map(string).collect(),
        _ => Err(syn::Error::new_spanned(
            value,
            "expected an array of string literals, e.g. [\"kms\", \"cis\"]",
        )),
    }
}

/// `"logGroups"` → `::trailwarden_sdk::sections::SectionName::LogGroups`, spanned at the
/// literal. The section names live in the SDK's registry alone: a name that is not a section
/// is a compile error at the token ("no variant named `Trailz`", with rustc's suggestion of the
/// closest one), without this macro keeping a copy of the list.
fn section_path(name: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let text = name.value();
    let mut chars = text.chars();
    let variant = match chars.next() {
        Some(first)
            if first.is_ascii_lowercase() && text.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!("{}{}", first.to_ascii_uppercase(), chars.as_str())
        }
        _ => {
            return Err(syn::Error::new_spanned(
                name,
                format!(
                    "`{text}` is not a snapshot section: sections are camelCase names such as \
                     \"trails\" or \"metricFilters\" (see trailwarden_sdk::sections::SectionName)"
                ),
            ));
        }
    };
    let variant = proc_macro2::Ident::new(&variant, name.span());
    Ok(quote::quote_spanned!(name.span()=> ::trailwarden_sdk::sections::SectionName::#variant))
}

fn severity(value: &Expr) -> syn::Result<f64> {
    let number = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse::<f64>()?,
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<f64>()?,
        _ => return Err(syn::Error::new_spanned(value, "expected a number 0.0–10.0")),
    };
    if !(0.0..=10.0).contains(&number) {
        return Err(syn::Error::new_spanned(
            value,
            "security_severity must be between 0.0 and 10.0",
        ));
    }
    Ok(number)
}

fn check_id(id: &LitStr) -> syn::Result<()> {
    let text = id.value();
    let mut parts = text.split('-');
    let well_formed = parts.clone().count() >= 2
        && parts.all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        });
    if well_formed {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            id,
            "rule ids are upper-case words and numbers joined by dashes, e.g. \"ACME-KMS-001\"",
        ))
    }
}

fn check_name(name: &LitStr) -> syn::Result<()> {
    let text = name.value();
    let ok = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            name,
            "rule names are kebab-case, e.g. \"key-deletion-alarm\"",
        ))
    }
}

fn check_signature(function: &ItemFn) -> syn::Result<()> {
    if function.sig.inputs.len() != 2 || matches!(function.sig.output, syn::ReturnType::Default) {
        return Err(syn::Error::new_spanned(
            &function.sig,
            "a rule is `fn(&Snapshot, &Ctx) -> Result<Vec<Finding>, RuleError>`",
        ));
    }
    Ok(())
}

/// The rule's help: its `///` lines without their leading space, joined by newlines and
/// trimmed; `None` when there is none.
///
/// A line may also be `#[doc = some_macro!(…)]` (`include_str!`, `concat!` or a `macro_rules!`
/// of the pack), so that help text several rules share is written once: it is inserted as it
/// expands, indentation and all, and the whole is trimmed when the rule is built.
fn doc_comment(function: &ItemFn) -> Option<proc_macro2::TokenStream> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut expanded = false;
    for attr in function
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
    {
        let Meta::NameValue(pair) = &attr.meta else {
            continue;
        };
        match &pair.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let line = s.value();
                text.push_str(line.strip_prefix(' ').unwrap_or(&line));
                text.push('\n');
            }
            value @ Expr::Macro(_) => {
                parts.push(quote!(#text));
                parts.push(quote!(#value, "\n"));
                text.clear();
                expanded = true;
            }
            _ => {}
        }
    }
    if !expanded {
        let text = text.trim();
        return (!text.is_empty()).then(|| quote!(#text));
    }
    parts.push(quote!(#text));
    Some(quote!(::core::primitive::str::trim(
        ::core::concat!(#(#parts),*)
    )))
}

/// The `///` lines of an item, as written.
fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(pair) => match &pair.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

struct RuleList {
    rules: Punctuated<Path, Token![,]>,
}

impl Parse for RuleList {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(Self {
            rules: Punctuated::parse_terminated(input)?,
        })
    }
}

/// Exports a crate's rules as a trailwarden pack: `export_rules![module::rule_fn, …];`.
///
/// It defines `pub fn pack() -> trailwarden_sdk::Pack` for native tests and tooling, and, when
/// compiled for `wasm32`, the ABI v1 exports. The pack is named after the crate.
#[proc_macro]
pub fn export_rules(input: TokenStream) -> TokenStream {
    let list = syn::parse_macro_input!(input as RuleList);
    match expand_export(list) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn expand_export(list: RuleList) -> syn::Result<proc_macro2::TokenStream> {
    if list.rules.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "export_rules! needs at least one rule function",
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    let mut definitions = Vec::new();
    for path in &list.rules {
        let text = quote!(#path).to_string();
        if seen.contains(&text) {
            return Err(syn::Error::new_spanned(path, "this rule is exported twice"));
        }
        seen.push(text);
        let mut definition = path.clone();
        let Some(last) = definition.segments.last_mut() else {
            return Err(syn::Error::new_spanned(path, "expected a function path"));
        };
        last.ident = format_ident!("__tw_rule_{}", last.ident);
        definitions.push(definition);
    }
    Ok(quote! {
        /// The rules of this pack, for native tests and tooling.
        pub fn pack() -> ::trailwarden_sdk::Pack {
            ::trailwarden_sdk::Pack {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
                rules: vec![#(#definitions()),*],
            }
        }

        ::trailwarden_sdk::__export_abi_v1!(pack);
    })
}

/// Derives `RuleSettings` for a settings struct: `describe()` from the fields (name, type,
/// default from `Default`, description from the doc comment), and `validate()` from an
/// optional `#[settings(validate = path)]` function `fn(&Self) -> Result<(), String>`.
///
/// The struct must also derive `serde::Deserialize` with `#[serde(default,
/// deny_unknown_fields)]`, so that an unset key takes its default and a misspelt one is an
/// error; each field needs a doc comment, the description `rules explain` shows.
#[proc_macro_derive(RuleSettings, attributes(settings))]
pub fn derive_rule_settings(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match settings::expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

mod settings {
    use proc_macro2::TokenStream;
    use quote::quote;
    use syn::{Data, DeriveInput, Fields, GenericArgument, LitStr, PathArguments, Type};

    use super::doc_lines;

    /// What `#[serde(...)]` says about the struct or a field, as far as settings care.
    #[derive(Default)]
    struct Serde {
        default: bool,
        deny_unknown_fields: bool,
        rename: Option<String>,
        rename_all: Option<LitStr>,
        skip: bool,
        flatten: bool,
    }

    fn serde_attrs(attrs: &[syn::Attribute]) -> syn::Result<Serde> {
        let mut out = Serde::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                let name = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let value = if meta.input.peek(syn::Token![=]) {
                    Some(meta.value()?.parse::<syn::Expr>()?)
                } else if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    content.parse::<TokenStream>()?;
                    None
                } else {
                    None
                };
                let string = match &value {
                    Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    })) => Some(s.clone()),
                    _ => None,
                };
                match name.as_str() {
                    "default" => out.default = true,
                    "deny_unknown_fields" => out.deny_unknown_fields = true,
                    "rename" => out.rename = string.map(|s| s.value()),
                    "rename_all" => out.rename_all = string,
                    "skip" | "skip_deserializing" => out.skip = true,
                    "flatten" => out.flatten = true,
                    _ => {}
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    pub(super) fn rename(field: &str, rule: &LitStr) -> syn::Result<String> {
        let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
        let capitalised = |w: &str| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        };
        Ok(match rule.value().as_str() {
            "snake_case" | "lowercase" => field.to_owned(),
            "SCREAMING_SNAKE_CASE" | "UPPERCASE" => field.to_uppercase(),
            "kebab-case" => words.join("-"),
            "SCREAMING-KEBAB-CASE" => words.join("-").to_uppercase(),
            "camelCase" => words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        (*w).to_owned()
                    } else {
                        capitalised(w)
                    }
                })
                .collect(),
            "PascalCase" => words.iter().map(|w| capitalised(w)).collect(),
            _ => {
                return Err(syn::Error::new_spanned(
                    rule,
                    "derive(RuleSettings) does not know this rename_all rule",
                ));
            }
        })
    }

    /// A type name for people: `integer`, `list of strings`, `string (optional)`.
    pub(super) fn type_name(ty: &Type) -> String {
        let Type::Path(path) = ty else {
            return quote!(#ty).to_string();
        };
        let Some(last) = path.path.segments.last() else {
            return quote!(#ty).to_string();
        };
        let inner = || match &last.arguments {
            PathArguments::AngleBracketed(args) => args.args.iter().rev().find_map(|a| match a {
                GenericArgument::Type(t) => Some(type_name(t)),
                _ => None,
            }),
            _ => None,
        };
        let ident = last.ident.to_string();
        match ident.as_str() {
            "bool" => "bool".to_owned(),
            "String" | "str" => "string".to_owned(),
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
            | "i128" | "isize" => "integer".to_owned(),
            "f32" | "f64" => "number".to_owned(),
            "Vec" | "BTreeSet" | "HashSet" => match inner() {
                Some(item) => format!("list of {}", plural(&item)),
                None => "list".to_owned(),
            },
            "BTreeMap" | "HashMap" => match inner() {
                Some(item) => format!("table of {}", plural(&item)),
                None => "table".to_owned(),
            },
            "Option" => match inner() {
                Some(item) => format!("{item} (optional)"),
                None => "optional".to_owned(),
            },
            _ => ident,
        }
    }

    fn plural(word: &str) -> String {
        match word {
            "bool" => "booleans".to_owned(),
            w if w.contains(' ') => w.to_owned(),
            w => format!("{w}s"),
        }
    }

    pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
        let name = &input.ident;
        let Data::Struct(data) = &input.data else {
            return Err(syn::Error::new_spanned(
                name,
                "derive(RuleSettings) needs a struct with named fields, one per setting",
            ));
        };
        let Fields::Named(fields) = &data.fields else {
            return Err(syn::Error::new_spanned(
                name,
                "derive(RuleSettings) needs a struct with named fields, one per setting",
            ));
        };
        let container = serde_attrs(&input.attrs)?;
        if !container.deny_unknown_fields {
            return Err(syn::Error::new_spanned(
                name,
                "add #[serde(deny_unknown_fields)] to the settings struct, so that a misspelt \
                 setting is an error instead of being ignored",
            ));
        }
        let mut validate = None;
        for attr in input.attrs.iter().filter(|a| a.path().is_ident("settings")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("validate") {
                    validate = Some(meta.value()?.parse::<syn::Path>()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown #[settings] key; the one key is `validate = path`"))
                }
            })?;
        }
        let mut entries = Vec::new();
        for field in &fields.named {
            let Some(ident) = &field.ident else { continue };
            let serde = serde_attrs(&field.attrs)?;
            if serde.skip {
                continue;
            }
            if serde.flatten {
                return Err(syn::Error::new_spanned(
                    field,
                    "derive(RuleSettings) cannot describe a flattened field; implement \
                     RuleSettings by hand",
                ));
            }
            if !container.default && !serde.default {
                return Err(syn::Error::new_spanned(
                    field,
                    "settings need defaults: add #[serde(default)] to the struct, so that an \
                     unset key takes its value from Default",
                ));
            }
            let field_name = ident.to_string();
            let field_name = field_name
                .strip_prefix("r#")
                .unwrap_or(&field_name)
                .to_owned();
            let key = match (&serde.rename, &container.rename_all) {
                (Some(rename), _) => rename.clone(),
                (None, Some(rule)) => rename(&field_name, rule)?,
                (None, None) => field_name,
            };
            let lines: Vec<String> = doc_lines(&field.attrs);
            let description = lines
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if description.is_empty() {
                return Err(syn::Error::new_spanned(
                    ident,
                    "document this setting: its doc comment is the description `rules explain` \
                     shows",
                ));
            }
            let value_type = type_name(&field.ty);
            entries.push(quote! {
                ::trailwarden_sdk::SettingMeta {
                    name: ::std::string::String::from(#key),
                    value_type: ::std::string::String::from(#value_type),
                    default: ::trailwarden_sdk::__private::serde_json::to_value(&defaults.#ident)
                        .unwrap_or(::trailwarden_sdk::__private::serde_json::Value::Null),
                    description: ::std::string::String::from(#description),
                }
            });
        }
        let validate = match validate {
            Some(path) => quote! {
                fn validate(&self) -> ::core::result::Result<(), ::std::string::String> {
                    #path(self)
                }
            },
            None => quote!(),
        };
        let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
        Ok(quote! {
            impl #impl_generics ::trailwarden_sdk::RuleSettings for #name #type_generics #where_clause {
                fn describe() -> ::std::vec::Vec<::trailwarden_sdk::SettingMeta> {
                    let defaults = <Self as ::core::default::Default>::default();
                    ::std::vec![#(#entries),*]
                }
                #validate
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::settings::{rename, type_name};

    fn ty(text: &str) -> String {
        type_name(&syn::parse_str(text).expect("a type"))
    }

    #[test]
    fn settings_types_read_as_words() {
        assert_eq!(ty("bool"), "bool");
        assert_eq!(ty("u32"), "integer");
        assert_eq!(ty("f64"), "number");
        assert_eq!(ty("String"), "string");
        assert_eq!(ty("Vec<String>"), "list of strings");
        assert_eq!(ty("std::collections::BTreeSet<u16>"), "list of integers");
        assert_eq!(ty("Option<String>"), "string (optional)");
        assert_eq!(
            ty("BTreeMap<String, Vec<String>>"),
            "table of list of strings"
        );
        assert_eq!(ty("Duration"), "Duration");
    }

    #[test]
    fn serde_renames_are_followed() {
        let rule = |r: &str| syn::LitStr::new(r, proc_macro2::Span::call_site());
        assert_eq!(
            rename("min_days", &rule("camelCase")).ok().as_deref(),
            Some("minDays")
        );
        assert_eq!(
            rename("min_days", &rule("kebab-case")).ok().as_deref(),
            Some("min-days")
        );
        assert_eq!(
            rename("min_days", &rule("PascalCase")).ok().as_deref(),
            Some("MinDays")
        );
        assert!(rename("min_days", &rule("Title Case")).is_err());
    }
}
