//! Kind-specific parameters of a strategy, with errors that name the key.
//!
//! The workload parser keeps each strategy's extra keys, with their lines,
//! in a [`Params`]. A strategy's builder reads what it understands through
//! the typed getters and then calls [`Params::finish`], which rejects any
//! key it did not read, so a misspelt option is an error, not a silent
//! default.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::error::{Origin, SpecError};

/// One parameter value and the line it was on.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The value.
    pub value: toml::Value,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

/// A strategy's kind-specific parameters.
#[derive(Debug, Default)]
pub struct Params {
    /// Prefix for error keys, such as `strategies.hash_user`.
    pub prefix: String,
    /// The file the parameters came from.
    pub file: String,
    /// The values.
    pub values: BTreeMap<String, Param>,
    read: Mutex<Vec<String>>,
}

impl Clone for Params {
    fn clone(&self) -> Self {
        Self {
            prefix: self.prefix.clone(),
            file: self.file.clone(),
            values: self.values.clone(),
            read: Mutex::new(self.read_keys()),
        }
    }
}

impl Params {
    /// Parameters with the given error prefix and file.
    pub fn new(prefix: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            file: file.into(),
            values: BTreeMap::new(),
            read: Mutex::new(Vec::new()),
        }
    }

    /// Adds or replaces a parameter (used by flags such as `--partitions`).
    pub fn set(&mut self, key: &str, value: toml::Value) {
        self.values
            .insert(key.to_string(), Param { value, line: None });
    }

    /// An error about `key`, pointing at its line.
    pub fn error(&self, key: &str, message: impl Into<String>) -> SpecError {
        let line = self.values.get(key).and_then(|p| p.line);
        SpecError {
            origin: Origin {
                file: self.file.clone(),
                line,
            },
            key: format!("{}.{}", self.prefix, key),
            message: message.into(),
        }
    }

    fn get(&self, key: &str) -> Option<&toml::Value> {
        self.read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key.to_string());
        self.values.get(key).map(|p| &p.value)
    }

    /// True when `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// An unsigned integer in `min..=max`, or `default` when absent.
    pub fn u64_in(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, SpecError> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let allowed = || format!("expected an integer in {min}..={max}");
        match v {
            toml::Value::Integer(i) if *i >= 0 && (*i as u64) >= min && (*i as u64) <= max => {
                Ok(*i as u64)
            }
            toml::Value::Integer(i) => Err(self.error(key, format!("{} (got {i})", allowed()))),
            other => Err(self.error(key, format!("{}, got {}", allowed(), other.type_str()))),
        }
    }

    /// A number (integer or float) in `[min, max]`, or `default` when absent.
    pub fn f64_in(&self, key: &str, default: f64, min: f64, max: f64) -> Result<f64, SpecError> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let x = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                let msg = format!("expected a number, got {}", other.type_str());
                return Err(self.error(key, msg));
            }
        };
        if !(x >= min && x <= max) {
            let msg = format!("expected a number in [{min}, {max}] (got {x})");
            return Err(self.error(key, msg));
        }
        Ok(x)
    }

    /// A string, or `None` when absent.
    pub fn string(&self, key: &str) -> Result<Option<String>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                let msg = format!("expected a string, got {}", other.type_str());
                Err(self.error(key, msg))
            }
        }
    }

    /// One of `allowed`, or `default` when absent.
    pub fn choice(
        &self,
        key: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> Result<&'static str, SpecError> {
        let Some(s) = self.string(key)? else {
            return Ok(default);
        };
        allowed.iter().copied().find(|a| *a == s).ok_or_else(|| {
            let msg = format!("expected one of {}, got \"{s}\"", allowed.join(", "));
            self.error(key, msg)
        })
    }

    /// An array of unsigned integers, or `None` when absent.
    pub fn u64_list(&self, key: &str) -> Result<Option<Vec<u64>>, SpecError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let bad = |got: &str| self.error(key, format!("expected an array of integers ≥ 0, {got}"));
        let toml::Value::Array(items) = v else {
            return Err(bad(&format!("got {}", v.type_str())));
        };
        items
            .iter()
            .map(|item| match item {
                toml::Value::Integer(i) if *i >= 0 => Ok(*i as u64),
                other => Err(bad(&format!("found {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An array of strings, or `None` when absent.
    pub fn string_list(&self, key: &str) -> Result<Option<Vec<String>>, SpecError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let bad = |got: &str| self.error(key, format!("expected an array of strings, {got}"));
        let toml::Value::Array(items) = v else {
            return Err(bad(&format!("got {}", v.type_str())));
        };
        items
            .iter()
            .map(|item| match item {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(bad(&format!("found {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn read_keys(&self) -> Vec<String> {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Rejects any key that no getter asked for; `kind` names the strategy
    /// kind in the message.
    pub fn finish(&self, kind: &str) -> Result<(), SpecError> {
        let read = self.read_keys();
        match self.values.keys().find(|k| !read.contains(k)) {
            None => Ok(()),
            Some(k) => {
                let mut known: Vec<&str> = read.iter().map(String::as_str).collect();
                known.sort_unstable();
                known.dedup();
                let known = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                let msg = format!("unknown option for strategy kind `{kind}`; it takes: {known}");
                Err(self.error(k, msg))
            }
        }
    }
}
