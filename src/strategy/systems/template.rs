//! Key templates: how a record becomes the byte string a real system hashes.
//!
//! Real partitioners hash bytes, not shardbench's `u64` field values. A
//! template such as `"user:{user_id}"` says how to spell a record's key:
//! literal text, and `{field}` placeholders replaced by the field's decimal
//! value, or by the field's raw bytes when the record carries text for it
//! (string keys replayed from a trace). `{{` and `}}` stand for literal
//! braces, so a Redis hash tag is written `"{{{user_id}}}:following"`.
//!
//! The default template is `"{<key field>}"`; for a composite key it joins
//! the key fields with `:`, as in `"{customer}:{order}"`.

use std::cell::RefCell;

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::BuildContext;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Bytes copied as they are.
    Literal(Vec<u8>),
    /// A schema field, by index.
    Field(usize),
}

/// A parsed key template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTemplate {
    parts: Vec<Part>,
    fields: Vec<usize>,
    source: String,
}

thread_local! {
    /// Scratch space for rendering keys, reused from event to event.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(64));
}

impl KeyTemplate {
    /// The template of a strategy spec: its `template` option, or the default
    /// built from its key fields. Errors name the `template` option.
    pub fn from_spec(ctx: &BuildContext<'_>) -> Result<Self, SpecError> {
        let params = &ctx.spec.params;
        let names: Vec<&str> = ctx
            .workload
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        let text = match params.string("template")? {
            Some(text) => text,
            None => {
                let keys: Vec<String> = ctx
                    .spec
                    .key
                    .iter()
                    .map(|&f| format!("{{{}}}", names[f]))
                    .collect();
                keys.join(":")
            }
        };
        Self::parse(&text, &names).map_err(|msg| params.error("template", msg))
    }

    /// Parses `text` against the schema field `names`; the error says what
    /// is wrong and, for an unknown field, lists the schema's fields.
    pub fn parse(text: &str, names: &[&str]) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut fields = Vec::new();
        let mut literal = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let after = &rest[c.len_utf8()..];
            match c {
                '{' if after.starts_with('{') => {
                    literal.push(b'{');
                    rest = &after[1..];
                }
                '}' if after.starts_with('}') => {
                    literal.push(b'}');
                    rest = &after[1..];
                }
                '{' => {
                    let Some(end) = after.find('}') else {
                        return Err(format!(
                            "unclosed `{{` in template \"{text}\"; write `{{{{` for a literal brace"
                        ));
                    };
                    let name = &after[..end];
                    let Some(f) = names.iter().position(|n| *n == name) else {
                        let what = if name.is_empty() {
                            "an empty `{}` placeholder".to_string()
                        } else {
                            format!("unknown field `{name}`")
                        };
                        return Err(format!(
                            "template \"{text}\" has {what}; the schema's fields are: {}",
                            names.join(", ")
                        ));
                    };
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(f));
                    if !fields.contains(&f) {
                        fields.push(f);
                    }
                    rest = &after[end + 1..];
                }
                '}' => {
                    return Err(format!(
                        "unmatched `}}` in template \"{text}\"; write `}}}}` for a literal brace"
                    ));
                }
                _ => {
                    literal.extend_from_slice(&rest.as_bytes()[..c.len_utf8()]);
                    rest = after;
                }
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if fields.is_empty() {
            return Err(format!(
                "template \"{text}\" names no field, so every record would have the same key; \
                 use `{{field}}`, one of: {}",
                names.join(", ")
            ));
        }
        Ok(Self {
            parts,
            fields,
            source: text.to_string(),
        })
    }

    /// The schema fields the template reads, in order of first use.
    pub fn fields(&self) -> &[usize] {
        &self.fields
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field, when the template is exactly one placeholder and nothing else.
    pub fn single_field(&self) -> Option<usize> {
        match self.parts.as_slice() {
            [Part::Field(f)] => Some(*f),
            _ => None,
        }
    }

    /// Writes the key of `rec` into `out` (after clearing it).
    pub fn render(&self, rec: Rec<'_>, out: &mut Vec<u8>) {
        out.clear();
        for part in &self.parts {
            match part {
                Part::Literal(bytes) => out.extend_from_slice(bytes),
                Part::Field(f) => match rec.text(*f) {
                    Some(bytes) => out.extend_from_slice(bytes),
                    None => push_decimal(out, rec.field(*f)),
                },
            }
        }
    }

    /// Calls `f` with the key bytes of `rec`. A single-field template whose
    /// record carries text passes that text without copying; otherwise the
    /// key is rendered into a per-thread scratch buffer.
    #[inline]
    pub fn with_key<R>(&self, rec: Rec<'_>, f: impl FnOnce(&[u8]) -> R) -> R {
        if let Some(bytes) = self.single_field().and_then(|field| rec.text(field)) {
            return f(bytes);
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut buf) => {
                self.render(rec, &mut buf);
                f(&buf)
            }
            // Only reachable if `f` itself renders a key on this thread.
            Err(_) => {
                let mut buf = Vec::new();
                self.render(rec, &mut buf);
                f(&buf)
            }
        })
    }
}

/// Appends the decimal digits of `v`.
fn push_decimal(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Batch, TextColumn};

    const NAMES: &[&str] = &["user_id", "region", "ts"];

    fn batch_of(values: [u64; 3], region_text: Option<&[u8]>) -> Batch {
        let mut b = Batch::new(3);
        b.ops.push(0);
        for (col, v) in b.cols.iter_mut().zip(values) {
            col.push(v);
        }
        if let Some(t) = region_text {
            let mut col = TextColumn::default();
            col.push(t);
            b.text[1] = Some(col);
        }
        b
    }

    fn render(tpl: &KeyTemplate, b: &Batch) -> Vec<u8> {
        let mut out = b"stale".to_vec();
        tpl.render(b.rec(0), &mut out);
        out
    }

    #[test]
    fn fields_render_as_decimal_values() {
        let tpl = KeyTemplate::parse("user:{user_id}/{ts}", NAMES).unwrap();
        let b = batch_of([42, 7, u64::MAX], None);
        assert_eq!(render(&tpl, &b), b"user:42/18446744073709551615");
        assert_eq!(tpl.fields(), &[0, 2]);
    }

    #[test]
    fn text_fields_render_as_their_raw_bytes() {
        let tpl = KeyTemplate::parse("{region}-{user_id}", NAMES).unwrap();
        let b = batch_of([0, 9, 0], Some(&[0xff, b'e', 0x80]));
        assert_eq!(render(&tpl, &b), [0xff, b'e', 0x80, b'-', b'0']);
    }

    #[test]
    fn doubled_braces_are_literal_braces() {
        let tpl = KeyTemplate::parse("{{{user_id}}}.following", NAMES).unwrap();
        let b = batch_of([1000, 0, 0], None);
        assert_eq!(render(&tpl, &b), b"{1000}.following");
    }

    #[test]
    fn non_ascii_literals_are_kept_as_utf8() {
        let tpl = KeyTemplate::parse("clé→{user_id}", NAMES).unwrap();
        let b = batch_of([5, 0, 0], None);
        assert_eq!(render(&tpl, &b), "clé→5".as_bytes());
    }

    #[test]
    fn unknown_field_error_names_it_and_lists_the_schema() {
        let err = KeyTemplate::parse("u:{uid}", NAMES).unwrap_err();
        assert!(err.contains("`uid`"), "{err}");
        assert!(err.contains("user_id, region, ts"), "{err}");
    }

    #[test]
    fn malformed_templates_are_rejected() {
        for bad in ["{user_id", "a}b", "{}", "no fields here"] {
            assert!(KeyTemplate::parse(bad, NAMES).is_err(), "{bad}");
        }
    }

    #[test]
    fn single_field_templates_pass_text_without_copying() {
        let tpl = KeyTemplate::parse("{region}", NAMES).unwrap();
        assert_eq!(tpl.single_field(), Some(1));
        let b = batch_of([0, 0, 0], Some(b"eu-west"));
        let ptr = tpl.with_key(b.rec(0), |k| k.as_ptr());
        assert_eq!(ptr, b.text[1].as_ref().unwrap().bytes.as_ptr());
        assert_eq!(tpl.with_key(b.rec(0), |k| k.to_vec()), b"eu-west");
    }
}
