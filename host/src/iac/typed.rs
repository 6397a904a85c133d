//! Reading a resource's resolved values as the types the snapshot needs, with errors placed on
//! the value's own line: the same for every format, so that a CloudFormation property and a
//! Terraform argument are held to the same rules. A format says only how it writes scalars
//! (CloudFormation's `"True"`, Terraform's `"true"`), how it parses numbers, and where a value
//! is written.

use serde_json::Value as Json;

use super::IacError;

/// One resource's values, by property or argument name.
pub trait TypedValues {
    /// The value of `name`; `None` when absent or null.
    fn raw(&self, name: &str) -> Option<&Json>;

    /// An error about `name`, placed on its line (the resource's when it has none).
    fn error(&self, name: &str, message: impl Into<String>) -> IacError;

    /// A scalar as the format converts it to text.
    fn text_of(value: &Json) -> Option<String>;

    /// A boolean as the format writes it.
    fn bool_of(value: &Json) -> Option<bool>;

    /// A number from its text, as the format accepts it.
    fn number_of<T: std::str::FromStr>(text: &str) -> Option<T> {
        text.parse().ok()
    }

    /// What a missing required value is called in this format.
    fn missing() -> &'static str {
        "is required"
    }

    /// A string value, if set.
    fn string(&self, name: &str) -> Result<Option<String>, IacError> {
        match self.raw(name) {
            None => Ok(None),
            Some(value) => Self::text_of(value)
                .map(Some)
                .ok_or_else(|| self.error(name, format!("expected a string, found {value}"))),
        }
    }

    /// A string value that must be set.
    fn required(&self, name: &str) -> Result<String, IacError> {
        self.string(name)?
            .ok_or_else(|| self.error(name, Self::missing()))
    }

    /// A boolean value, `default` when unset.
    fn boolean(&self, name: &str, default: bool) -> Result<bool, IacError> {
        match self.raw(name) {
            None => Ok(default),
            Some(value) => Self::bool_of(value)
                .ok_or_else(|| self.error(name, format!("expected true or false, found {value}"))),
        }
    }

    /// A number value, if set.
    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, IacError> {
        match self.string(name)? {
            None => Ok(None),
            Some(text) => Self::number_of(&text)
                .map(Some)
                .ok_or_else(|| self.error(name, format!("`{text}` is not a valid number here"))),
        }
    }

    /// A list of strings; empty when unset.
    fn strings(&self, name: &str) -> Result<Vec<String>, IacError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .map(|item| {
                    Self::text_of(item)
                        .ok_or_else(|| self.error(name, format!("expected strings, found {item}")))
                })
                .collect(),
            Some(value) => Err(self.error(name, format!("expected a list, found {value}"))),
        }
    }

    /// A JSON document (a policy, an event pattern) as text: written as an object, or as a
    /// string holding JSON (`jsonencode`, a heredoc, a CloudFormation string).
    fn document(&self, name: &str) -> Option<String> {
        match self.raw(name)? {
            Json::String(s) => Some(s.clone()),
            value => Some(value.to_string()),
        }
    }
}
