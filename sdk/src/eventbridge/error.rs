//! Why an event pattern was refused.

/// An event pattern that EventBridge would refuse, or text that is not JSON at all.
///
/// Rules report it as a defect of the rule that carries the pattern; the checker goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventPatternError {
    /// The text is not JSON.
    #[error("event pattern is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is not a valid event pattern.
    #[error("event pattern is not valid at `{path}`: {kind}")]
    Invalid {
        /// Where in the pattern, e.g. `detail.eventName[1]`; `$` is the top level.
        path: String,
        /// What is wrong there.
        kind: EventPatternErrorKind,
    },
}

/// What is wrong with an event pattern, with the wording of EventBridge's own checks
/// (event-ruler `JsonRuleCompiler`) where there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EventPatternErrorKind {
    /// The pattern is not a JSON object.
    #[error("an event pattern must be a JSON object")]
    NotAnObject,
    /// `{}` below the top level.
    #[error("empty objects are not allowed")]
    EmptyObject,
    /// `"field": []`.
    #[error("empty arrays are not allowed; give one or more values")]
    EmptyArray,
    /// `"field": "value"` instead of `"field": ["value"]`.
    #[error("a field must be an object or an array; write [\"value\"] for one value")]
    NotObjectOrArray,
    /// An array or other non-value inside a value array.
    #[error("match value must be a string, number, true, false, null or an operator object")]
    BadMatchValue,
    /// An operator object with no key.
    #[error("match expression name not found")]
    EmptyOperator,
    /// An operator EventBridge does not know.
    #[error("unrecognized match type `{0}`")]
    UnknownOperator(String),
    /// More than one key in one operator object.
    #[error("only one key is allowed in a match expression")]
    TooManyKeys,
    /// An operator whose value has the wrong type.
    #[error("the value of `{operator}` must be {expected}")]
    WrongType {
        /// The operator, e.g. `prefix`.
        operator: &'static str,
        /// What it takes, e.g. `a string`.
        expected: &'static str,
    },
    /// A list inside `anything-but` that mixes strings and numbers.
    #[error("inside anything-but, a list must be all strings or all numbers")]
    MixedAnythingBut,
    /// A `numeric` expression that is not `[op, n]` or `[>|>=, n, <|<=, m]` with n < m.
    #[error("invalid numeric expression: {0}")]
    Numeric(&'static str),
    /// A `cidr` that is not `address/bits`.
    #[error("invalid CIDR `{cidr}`: {reason}")]
    Cidr {
        /// The CIDR text.
        cidr: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A wildcard with `**` or a backslash escaping something else than `*` or `\`.
    #[error("invalid wildcard `{pattern}`: {reason}")]
    Wildcard {
        /// The wildcard text.
        pattern: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// `$or` is not an array of at least two objects.
    #[error("`$or` must be an array of at least two objects")]
    Or,
    /// A reserved operator name used as a field name inside `$or`.
    #[error("`{0}` is a reserved name and cannot be a field name inside `$or`")]
    ReservedNameInOr(String),
}
