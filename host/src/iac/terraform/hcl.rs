//! A directory of Terraform `.tf` files, read directly: parsed with `hcl-rs` (its `hcl-edit`
//! parser, which keeps the byte span of every block and attribute, so resources and arguments
//! have their own lines), then evaluated here with the module's own scope:
//!
//! - `resource "TYPE" "NAME"` blocks, with nested blocks as lists of objects (as a plan writes
//!   them); `count = 0` drops the resource, other `count`/`for_each` are checked as one instance
//!   (stated);
//! - references to other resources of the directory (`aws_sns_topic.alarms.arn`): an argument
//!   the code sets is evaluated, an attribute the provider computes (`arn`, `id`, `key_id`) is
//!   synthesised from the planned name as the collector would record it;
//! - `var.x` (`--iac-parameter x=VALUE`, else the `variable` block's `default`), `local.x`
//!   from `locals`, string templates, conditionals, comparisons, and the functions `jsonencode`,
//!   `format` (`%s`/`%d` only), `join`, `concat`, `lower`, `upper`, `tostring`, `tonumber`,
//!   `tolist`, `toset`, `merge`;
//! - what cannot be known before apply (`data.*` sources, `module.*` outputs, other functions,
//!   template directives, `for` expressions, `dynamic` blocks) leaves the argument unknown,
//!   reported as "could not verify" on its line, never guessed;
//! - an undeclared resource, variable or local is an error at its line (as `terraform
//!   validate` reports it), and so is a reference cycle, naming the chain.
//!
//! `module` blocks are not followed: each is stated as an assumption at its line (check the
//! module's directory with another `--iac`, or check a plan, which includes child modules).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use hcl::edit::Span;
use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::structure::{Block, Body};
use hcl::edit::template::{Element, Template};
use serde_json::{Map, Value as Json};

use super::resources::{Env, TfResource, computed, name_argument, scalar};
use crate::iac::source_map::display_path;
use crate::iac::{Assumption, IacDocument, IacError, ReadOptions};

/// A parsed file.
struct File {
    name: String,
    line_starts: Vec<usize>,
    body: Body,
}

impl File {
    fn line(&self, offset: usize) -> u32 {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    fn lines_of(&self, span: Option<std::ops::Range<usize>>) -> (u32, u32) {
        match span {
            Some(range) => (
                self.line(range.start),
                self.line(range.end.saturating_sub(1).max(range.start)),
            ),
            None => (1, 1),
        }
    }
}

/// The `.tf` files `path` names: the file itself, or every `*.tf` of the directory (not its
/// subdirectories: those are other modules), in name order.
pub fn files(path: &Path) -> Result<Vec<std::path::PathBuf>, IacError> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let io = |source| IacError::Io {
        path: path.to_owned(),
        source,
    };
    let mut out: Vec<_> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
        .collect();
    out.sort();
    Ok(out)
}

/// Reads the configuration at `path` (a directory of `.tf` files, or one file).
pub fn read(path: &Path, options: &ReadOptions) -> Result<IacDocument, IacError> {
    let mut parsed = Vec::new();
    for file_path in files(path)? {
        let name = display_path(&file_path);
        let text = crate::iac::read_text(&file_path)?;
        let body = hcl::edit::parser::parse_body(&text).map_err(|error| IacError::Syntax {
            file: name.clone(),
            line: u32::try_from(error.location().line()).unwrap_or(u32::MAX),
            column: u32::try_from(error.location().column()).unwrap_or(u32::MAX),
            message: error.message().to_owned(),
        })?;
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        parsed.push(File {
            name,
            line_starts,
            body,
        });
    }
    if parsed.is_empty() {
        return Err(IacError::UnknownFormat {
            path: path.to_owned(),
            detail: "the directory has no .tf files".to_owned(),
        });
    }
    convert(&parsed, options)
}

/// Where a declaration is: file index and block.
struct Declared<'a> {
    file: usize,
    block: &'a Block,
}

struct Scope<'a> {
    files: &'a [File],
    variables: BTreeMap<String, Declared<'a>>,
    locals: BTreeMap<String, (usize, &'a Expression, u32)>,
    resources: BTreeMap<String, Declared<'a>>,
    parameters: &'a BTreeMap<String, String>,
    env: RefCell<Option<Env>>,
    stack: RefCell<Vec<String>>,
    /// Each named value (`local.x`, `var.x`, `aws_x.y.attr`) once evaluated: a value that
    /// references another twice would otherwise be evaluated again for each reference, and a
    /// chain of such locals grows exponentially (a pull request could stall the run).
    done: RefCell<HashMap<String, Eval>>,
}

/// A value, or why it is not known before apply.
#[derive(Debug, Clone)]
enum Eval {
    Known(Json),
    Unknown(String),
}

use Eval::{Known, Unknown};

macro_rules! known {
    ($e:expr) => {
        match $e? {
            Known(value) => value,
            Unknown(why) => return Ok(Unknown(why)),
        }
    };
}

fn convert(files: &[File], options: &ReadOptions) -> Result<IacDocument, IacError> {
    let mut scope = Scope {
        files,
        variables: BTreeMap::new(),
        locals: BTreeMap::new(),
        resources: BTreeMap::new(),
        parameters: &options.parameters,
        env: RefCell::new(None),
        stack: RefCell::new(Vec::new()),
        done: RefCell::new(HashMap::new()),
    };
    let mut assumptions = Vec::new();
    let mut provider_region = None;
    for (index, file) in files.iter().enumerate() {
        for block in file.body.iter().filter_map(|s| s.as_block()) {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let (line, _) = file.lines_of(block.span());
            match (block.ident.as_str(), labels.as_slice()) {
                ("resource", [kind, name]) => {
                    let key = format!("{kind}.{name}");
                    if scope.resources.contains_key(&key) {
                        return Err(IacError::Invalid {
                            file: file.name.clone(),
                            line,
                            message: format!("duplicate resource `{key}`"),
                        });
                    }
                    scope.resources.insert(key, Declared { file: index, block });
                }
                ("variable", [name]) => {
                    scope
                        .variables
                        .insert((*name).to_owned(), Declared { file: index, block });
                }
                ("locals", []) => {
                    for attribute in block.body.iter().filter_map(|s| s.as_attribute()) {
                        let (line, _) = file.lines_of(attribute.span());
                        scope.locals.insert(
                            attribute.key.as_str().to_owned(),
                            (index, &attribute.value, line),
                        );
                    }
                }
                ("provider", ["aws"]) if !block_has_alias(block) => {
                    provider_region = Some((index, block, line));
                }
                ("module", [name]) => assumptions.push(Assumption {
                    resource: None,
                    file: file.name.clone(),
                    line: Some(line),
                    text: format!(
                        "module `{name}` is not followed: its resources are not checked (check \
                         its directory with another --iac, or check a plan, which includes \
                         child modules)"
                    ),
                }),
                _ => {}
            }
        }
    }
    // The provider's region, when the code gives one that evaluates.
    let mut code_region = None;
    if let Some((index, block, _)) = provider_region
        && let Some(attribute) = block
            .body
            .iter()
            .filter_map(|s| s.as_attribute())
            .find(|a| a.key.as_str() == "region")
        && let Known(value) = scope.eval(index, &attribute.value)?
    {
        code_region = scalar(&value);
    }
    let file_name = files.first().map(|f| f.name.clone()).unwrap_or_default();
    let env = super::environment(&file_name, code_region, None, options, &mut assumptions);
    *scope.env.borrow_mut() = Some(env.clone());
    // Values read before the account and region were known (the provider's region) are read
    // again with them.
    scope.done.borrow_mut().clear();
    let mut resources = Vec::new();
    for (address, declared) in &scope.resources {
        let file = &files[declared.file];
        let (start_line, end_line) = file.lines_of(declared.block.span());
        let (kind, name) = address.split_once('.').unwrap_or((address, ""));
        let mut values = Map::new();
        let mut unknown = BTreeMap::new();
        let mut lines = BTreeMap::new();
        let mut skip = false;
        for structure in declared.block.body.iter() {
            if let Some(attribute) = structure.as_attribute() {
                let key = attribute.key.as_str().to_owned();
                let (line, _) = file.lines_of(attribute.span());
                lines.insert(key.clone(), line);
                let value =
                    scope.guarded(&format!("{address}.{key}"), declared.file, line, || {
                        scope.eval(declared.file, &attribute.value)
                    })?;
                match (key.as_str(), value) {
                    ("count", Known(count)) if count.as_f64() == Some(0.0) => skip = true,
                    ("count" | "for_each", _) => assumptions.push(Assumption {
                        resource: None,
                        file: file.name.clone(),
                        line: Some(line),
                        text: format!("{address}: `{key}` is checked as one instance"),
                    }),
                    (_, Known(value)) => {
                        values.insert(key, value);
                    }
                    (_, Unknown(why)) => {
                        unknown.insert(key, why);
                    }
                }
            } else if let Some(block) = structure.as_block() {
                let key = block.ident.as_str().to_owned();
                let (line, _) = file.lines_of(block.span());
                lines.entry(key.clone()).or_insert(line);
                if key == "dynamic" || key == "lifecycle" {
                    if key == "dynamic" {
                        let label = block.labels.first().map(|l| l.as_str().to_owned());
                        unknown.insert(
                            label.unwrap_or(key),
                            "`dynamic` blocks are not expanded".to_owned(),
                        );
                    }
                    continue;
                }
                match scope.block_value(declared.file, block)? {
                    Known(object) => {
                        if let Json::Array(list) =
                            values.entry(key).or_insert_with(|| Json::Array(Vec::new()))
                        {
                            list.push(object);
                        }
                    }
                    Unknown(why) => {
                        unknown.insert(key, why);
                    }
                }
            }
        }
        if skip {
            continue;
        }
        resources.push(TfResource {
            address: address.clone(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            values,
            unknown,
            file: file.name.clone(),
            start_line,
            end_line,
            lines,
        });
    }
    super::assemble(&resources, &env, options, assumptions)
}

fn block_has_alias(block: &Block) -> bool {
    block
        .body
        .iter()
        .filter_map(|s| s.as_attribute())
        .any(|a| a.key.as_str() == "alias")
}

impl<'a> Scope<'a> {
    fn invalid(&self, file: usize, line: u32, message: String) -> IacError {
        IacError::Invalid {
            file: self.files[file].name.clone(),
            line,
            message,
        }
    }

    /// Evaluates `what` under the name `key`, refusing a reference cycle.
    fn guarded(
        &self,
        key: &str,
        file: usize,
        line: u32,
        what: impl FnOnce() -> Result<Eval, IacError>,
    ) -> Result<Eval, IacError> {
        if self.stack.borrow().iter().any(|k| k == key) {
            let chain = self.stack.borrow().join(" -> ");
            return Err(self.invalid(
                file,
                line,
                format!("reference cycle: {chain} -> {key}; break it by naming one value directly"),
            ));
        }
        if self.stack.borrow().len() > crate::iac::MAX_DEPTH {
            return Err(self.invalid(file, line, "references nest too deeply".to_owned()));
        }
        if let Some(done) = self.done.borrow().get(key) {
            return Ok(done.clone());
        }
        self.stack.borrow_mut().push(key.to_owned());
        let result = what();
        self.stack.borrow_mut().pop();
        if let Ok(value) = &result {
            self.done.borrow_mut().insert(key.to_owned(), value.clone());
        }
        result
    }

    fn block_value(&self, file: usize, block: &Block) -> Result<Eval, IacError> {
        let mut object = Map::new();
        for structure in block.body.iter() {
            if let Some(attribute) = structure.as_attribute() {
                let value = known!(self.eval(file, &attribute.value));
                object.insert(attribute.key.as_str().to_owned(), value);
            } else if let Some(inner) = structure.as_block() {
                let value = known!(self.block_value(file, inner));
                if let Json::Array(list) = object
                    .entry(inner.ident.as_str().to_owned())
                    .or_insert_with(|| Json::Array(Vec::new()))
                {
                    list.push(value);
                }
            }
        }
        Ok(Known(Json::Object(object)))
    }

    fn line_of(&self, file: usize, expr: &Expression) -> u32 {
        self.files[file].lines_of(expr.span()).0
    }

    fn eval(&self, file: usize, expr: &Expression) -> Result<Eval, IacError> {
        Ok(match expr {
            Expression::Null(_) => Known(Json::Null),
            Expression::Bool(b) => Known(Json::Bool(*b.value())),
            Expression::Number(n) => Known(
                serde_json::from_str(&n.value().to_string())
                    .unwrap_or_else(|_| Json::String(n.value().to_string())),
            ),
            Expression::String(s) => Known(Json::String(s.value().clone())),
            Expression::Array(array) => {
                let mut out = Vec::new();
                for item in array.iter() {
                    out.push(known!(self.eval(file, item)));
                }
                Known(Json::Array(out))
            }
            Expression::Object(object) => {
                let mut out = Map::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(expr) => match known!(self.eval(file, expr)) {
                            Json::String(s) => s,
                            other => other.to_string(),
                        },
                    };
                    out.insert(key, known!(self.eval(file, value.expr())));
                }
                Known(Json::Object(out))
            }
            Expression::StringTemplate(template) => self.template(file, template)?,
            Expression::HeredocTemplate(heredoc) => self.template(file, &heredoc.template)?,
            Expression::Parenthesis(inner) => self.eval(file, inner.inner())?,
            Expression::Variable(name) => {
                return Err(self.invalid(
                    file,
                    self.line_of(file, expr),
                    format!("`{}` is not a value here", name.as_str()),
                ));
            }
            Expression::Conditional(conditional) => {
                match known!(self.eval(file, &conditional.cond_expr)) {
                    Json::Bool(true) => self.eval(file, &conditional.true_expr)?,
                    Json::Bool(false) => self.eval(file, &conditional.false_expr)?,
                    other => {
                        return Err(self.invalid(
                            file,
                            self.line_of(file, expr),
                            format!("a condition must be true or false, found {other}"),
                        ));
                    }
                }
            }
            Expression::FuncCall(call) => self.call(file, expr, call)?,
            Expression::Traversal(traversal) => self.traversal(file, expr, traversal)?,
            Expression::UnaryOp(op) => {
                let value = known!(self.eval(file, &op.expr));
                match (op.operator.value(), value) {
                    (UnaryOperator::Not, Json::Bool(b)) => Known(Json::Bool(!b)),
                    (UnaryOperator::Neg, Json::Number(n)) => {
                        Known(serde_json::json!(-n.as_f64().unwrap_or(0.0)))
                    }
                    (_, other) => {
                        return Err(self.invalid(
                            file,
                            self.line_of(file, expr),
                            format!("cannot apply the operator to {other}"),
                        ));
                    }
                }
            }
            Expression::BinaryOp(op) => {
                let left = known!(self.eval(file, &op.lhs_expr));
                let right = known!(self.eval(file, &op.rhs_expr));
                let number = |v: &Json| {
                    v.as_f64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                };
                let result = match op.operator.value() {
                    BinaryOperator::Eq => Some(Json::Bool(left == right)),
                    BinaryOperator::NotEq => Some(Json::Bool(left != right)),
                    BinaryOperator::And => match (left.as_bool(), right.as_bool()) {
                        (Some(a), Some(b)) => Some(Json::Bool(a && b)),
                        _ => None,
                    },
                    BinaryOperator::Or => match (left.as_bool(), right.as_bool()) {
                        (Some(a), Some(b)) => Some(Json::Bool(a || b)),
                        _ => None,
                    },
                    other => match (number(&left), number(&right)) {
                        (Some(a), Some(b)) => match other {
                            BinaryOperator::Plus => Some(serde_json::json!(a + b)),
                            BinaryOperator::Minus => Some(serde_json::json!(a - b)),
                            BinaryOperator::Mul => Some(serde_json::json!(a * b)),
                            BinaryOperator::Less => Some(Json::Bool(a < b)),
                            BinaryOperator::LessEq => Some(Json::Bool(a <= b)),
                            BinaryOperator::Greater => Some(Json::Bool(a > b)),
                            BinaryOperator::GreaterEq => Some(Json::Bool(a >= b)),
                            _ => {
                                return Ok(Unknown(
                                    "this arithmetic is not evaluated before apply".to_owned(),
                                ));
                            }
                        },
                        _ => None,
                    },
                };
                match result {
                    Some(value) => Known(value),
                    None => {
                        return Err(self.invalid(
                            file,
                            self.line_of(file, expr),
                            format!("the operands {left} and {right} do not fit the operator"),
                        ));
                    }
                }
            }
            Expression::ForExpr(_) => Unknown("`for` expressions are not evaluated".to_owned()),
        })
    }

    fn template(&self, file: usize, template: &Template) -> Result<Eval, IacError> {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(text) => out.push_str(text.value()),
                Element::Interpolation(interpolation) => {
                    match known!(self.eval(file, &interpolation.expr)) {
                        Json::String(s) => out.push_str(&s),
                        Json::Number(n) => out.push_str(&n.to_string()),
                        Json::Bool(b) => out.push_str(&b.to_string()),
                        other => {
                            return Err(self.invalid(
                                file,
                                self.line_of(file, &interpolation.expr),
                                format!("cannot interpolate {other} into a string"),
                            ));
                        }
                    }
                }
                Element::Directive(_) => {
                    return Ok(Unknown(
                        "template directives (%{ }) are not evaluated".to_owned(),
                    ));
                }
            }
        }
        Ok(Known(Json::String(out)))
    }

    fn call(
        &self,
        file: usize,
        expr: &Expression,
        call: &hcl::edit::expr::FuncCall,
    ) -> Result<Eval, IacError> {
        let name = call.name.name.as_str();
        let mut args = Vec::new();
        for arg in call.args.iter() {
            args.push(known!(self.eval(file, arg)));
        }
        let line = self.line_of(file, expr);
        let text = |v: &Json| scalar(v);
        let wrong = |what: &str| self.invalid(file, line, format!("{name}(): {what}"));
        Ok(Known(match (name, args.as_slice()) {
            ("jsonencode", [value]) => Json::String(value.to_string()),
            ("tostring", [value]) => {
                Json::String(text(value).ok_or_else(|| wrong("not a primitive"))?)
            }
            ("tonumber", [value]) => text(value)
                .and_then(|s| serde_json::from_str::<serde_json::Number>(&s).ok())
                .map(Json::Number)
                .ok_or_else(|| wrong("not a number"))?,
            ("tolist" | "toset", [value @ Json::Array(_)]) => value.clone(),
            ("lower", [value]) => Json::String(
                text(value)
                    .ok_or_else(|| wrong("not a string"))?
                    .to_lowercase(),
            ),
            ("upper", [value]) => Json::String(
                text(value)
                    .ok_or_else(|| wrong("not a string"))?
                    .to_uppercase(),
            ),
            ("join", [separator, Json::Array(items)]) => Json::String(
                items
                    .iter()
                    .map(|i| text(i).ok_or_else(|| wrong("join takes strings")))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(&text(separator).ok_or_else(|| wrong("the separator is a string"))?),
            ),
            ("concat", lists) => Json::Array(
                lists
                    .iter()
                    .map(|l| {
                        l.as_array()
                            .cloned()
                            .ok_or_else(|| wrong("concat takes lists"))
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .concat(),
            ),
            ("merge", maps) => {
                let mut out = Map::new();
                for map in maps {
                    out.extend(
                        map.as_object()
                            .cloned()
                            .ok_or_else(|| wrong("merge takes maps"))?,
                    );
                }
                Json::Object(out)
            }
            ("format", [spec, rest @ ..]) => {
                let spec = text(spec).ok_or_else(|| wrong("the format is a string"))?;
                let mut out = String::new();
                let mut values = rest.iter();
                let mut chars = spec.chars();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s' | 'd') => out.push_str(
                            &values
                                .next()
                                .and_then(text)
                                .ok_or_else(|| wrong("too few arguments"))?,
                        ),
                        _ => {
                            return Ok(Unknown(format!(
                                "format() with `{spec}` is not evaluated (only %s and %d are)"
                            )));
                        }
                    }
                }
                Json::String(out)
            }
            _ => {
                return Ok(Unknown(format!(
                    "the function {name}() is not evaluated before apply"
                )));
            }
        }))
    }

    fn traversal(
        &self,
        file: usize,
        expr: &Expression,
        traversal: &hcl::edit::expr::Traversal,
    ) -> Result<Eval, IacError> {
        let line = self.line_of(file, expr);
        let Expression::Variable(root) = &traversal.expr else {
            let mut value = known!(self.eval(file, &traversal.expr));
            return self.follow(file, line, &mut value, &traversal.operators);
        };
        let root = root.as_str();
        let attr = |i: usize| match traversal.operators.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        };
        let (mut value, used) = match (root, attr(0)) {
            ("var", Some(name)) => (known!(self.variable(file, line, name)), 1),
            ("local", Some(name)) => {
                let Some((local_file, local_expr, local_line)) = self.locals.get(name) else {
                    return Err(self.invalid(
                        file,
                        line,
                        format!("`local.{name}` is not declared in a `locals` block"),
                    ));
                };
                (
                    known!(self.guarded(
                        &format!("local.{name}"),
                        *local_file,
                        *local_line,
                        || { self.eval(*local_file, local_expr) }
                    )),
                    1,
                )
            }
            ("data", _) => {
                return Ok(Unknown(format!(
                    "data source `data.{}` is read at plan time",
                    attr(0).unwrap_or("?")
                )));
            }
            ("module", _) => {
                return Ok(Unknown(format!(
                    "module output `module.{}` is not followed",
                    attr(0).unwrap_or("?")
                )));
            }
            ("path", _) | ("terraform", _) | ("each", _) | ("count", _) | ("self", _) => {
                return Ok(Unknown(format!("`{root}` values are not evaluated")));
            }
            (kind, Some(name)) => {
                let address = format!("{kind}.{name}");
                let Some(declared) = self.resources.get(&address) else {
                    return Err(self.invalid(
                        file,
                        line,
                        format!(
                            "reference to undeclared resource `{address}`: no `resource \
                             \"{kind}\" \"{name}\"` in this directory"
                        ),
                    ));
                };
                // `aws_x.y[0].arn` for a counted resource: one instance is checked.
                let mut next = 1;
                if matches!(
                    traversal.operators.get(1).map(|o| o.value()),
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
                ) {
                    next = 2;
                }
                let Some(attribute) = attr(next) else {
                    return Ok(Unknown(format!("`{address}` as a whole is not evaluated")));
                };
                (
                    known!(self.resource_attribute(&address, declared, attribute)),
                    next + 1,
                )
            }
            _ => {
                return Err(self.invalid(file, line, format!("`{root}` is not a value here")));
            }
        };
        self.follow(file, line, &mut value, &traversal.operators[used..])
    }

    fn follow(
        &self,
        file: usize,
        line: u32,
        value: &mut Json,
        operators: &[hcl::edit::Decorated<TraversalOperator>],
    ) -> Result<Eval, IacError> {
        let mut current = value.clone();
        for operator in operators {
            current = match operator.value() {
                TraversalOperator::GetAttr(name) => match current.get(name.as_str()) {
                    Some(v) => v.clone(),
                    None => {
                        return Err(self.invalid(
                            file,
                            line,
                            format!("no attribute `{}` here", name.as_str()),
                        ));
                    }
                },
                TraversalOperator::Index(index) => {
                    let index = known!(self.eval(file, index));
                    let found = match (&current, &index) {
                        (Json::Array(items), Json::Number(n)) => {
                            n.as_u64().and_then(|i| items.get(usize::try_from(i).ok()?))
                        }
                        (Json::Object(map), Json::String(key)) => map.get(key),
                        _ => None,
                    };
                    found
                        .cloned()
                        .ok_or_else(|| self.invalid(file, line, format!("no element {index}")))?
                }
                TraversalOperator::LegacyIndex(i) => current
                    .get(usize::try_from(*i.value()).unwrap_or(usize::MAX))
                    .cloned()
                    .ok_or_else(|| self.invalid(file, line, format!("no element {}", i.value())))?,
                _ => return Ok(Unknown("splat expressions are not evaluated".to_owned())),
            };
        }
        Ok(Known(current))
    }

    fn variable(&self, file: usize, line: u32, name: &str) -> Result<Eval, IacError> {
        let Some(declared) = self.variables.get(name) else {
            return Err(self.invalid(
                file,
                line,
                format!("`var.{name}` is not declared: add a `variable \"{name}\"` block"),
            ));
        };
        let declared_type = declared
            .block
            .body
            .iter()
            .filter_map(|s| s.as_attribute())
            .find(|a| a.key.as_str() == "type")
            .map(|a| a.value.to_string());
        if let Some(given) = self.parameters.get(name) {
            // `-var` semantics: a string variable takes the text; others parse as JSON.
            let is_string = declared_type
                .as_deref()
                .is_some_and(|t| t.trim() == "string");
            return Ok(Known(if is_string {
                Json::String(given.clone())
            } else {
                serde_json::from_str(given).unwrap_or_else(|_| Json::String(given.clone()))
            }));
        }
        let default = declared
            .block
            .body
            .iter()
            .filter_map(|s| s.as_attribute())
            .find(|a| a.key.as_str() == "default");
        match default {
            Some(attribute) => self.guarded(&format!("var.{name}"), declared.file, line, || {
                self.eval(declared.file, &attribute.value)
            }),
            None => Err(self.invalid(
                declared.file,
                self.files[declared.file].lines_of(declared.block.span()).0,
                format!(
                    "variable `{name}` has no default; give its value with --iac-parameter \
                     {name}=VALUE"
                ),
            )),
        }
    }

    fn resource_attribute(
        &self,
        address: &str,
        declared: &Declared<'_>,
        attribute: &str,
    ) -> Result<Eval, IacError> {
        let argument = |name: &str| {
            declared
                .block
                .body
                .iter()
                .filter_map(|s| s.as_attribute())
                .find(|a| a.key.as_str() == name)
        };
        let evaluate = |name: &str| -> Result<Option<Eval>, IacError> {
            match argument(name) {
                Some(a) => {
                    let key = format!("{address}.{name}");
                    let at = self.files[declared.file].lines_of(a.span()).0;
                    self.guarded(&key, declared.file, at, || {
                        self.eval(declared.file, &a.value)
                    })
                    .map(Some)
                }
                None => Ok(None),
            }
        };
        if let Some(value) = evaluate(attribute)? {
            return Ok(value);
        }
        let blocks: Vec<&Block> = declared
            .block
            .body
            .iter()
            .filter_map(|s| s.as_block())
            .filter(|b| b.ident.as_str() == attribute)
            .collect();
        if !blocks.is_empty() {
            let mut list = Vec::new();
            for block in blocks {
                list.push(known!(self.block_value(declared.file, block)));
            }
            return Ok(Known(Json::Array(list)));
        }
        let (kind, resource_name) = address.split_once('.').unwrap_or((address, ""));
        let given = match name_argument(kind) {
            Some(arg) => match evaluate(arg)? {
                Some(Known(value)) => scalar(&value),
                Some(Unknown(why)) => return Ok(Unknown(why)),
                None => None,
            },
            None => None,
        };
        let bus = match evaluate("event_bus_name")? {
            Some(Known(value)) => scalar(&value),
            _ => None,
        };
        let env = self.env.borrow().clone();
        let Some(env) = env else {
            return Ok(Unknown(format!(
                "`{address}.{attribute}` is computed on apply"
            )));
        };
        Ok(
            match computed(
                kind,
                address,
                resource_name,
                given.as_deref(),
                bus.as_deref(),
                attribute,
                &env,
            ) {
                Some(value) => Known(Json::String(value)),
                None => Unknown(format!("`{address}.{attribute}` is computed on apply")),
            },
        )
    }
}

/// Whether `path` is a Terraform configuration: a `.tf` file, or a directory holding one.
pub fn is_configuration(path: &Path) -> bool {
    if path.is_file() {
        return path.extension().is_some_and(|e| e == "tf");
    }
    files(path).is_ok_and(|f| !f.is_empty())
}
