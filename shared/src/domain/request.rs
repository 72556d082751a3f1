//! Request bodies, each declared once as the members it accepts and their rules: the parser reads
//! a body by its declaration, and its OpenAPI schema is generated from the same declaration, so
//! the document cannot promise what the parser refuses or the reverse.
//!
//! A body is read into every error at once (`errors` in the problem document names each field),
//! which serde's first-error-wins deserialisation cannot do; hence a reader, not `Deserialize`.

use std::{collections::BTreeMap, str::FromStr};

use serde_json::Value;
use utoipa::openapi::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Ref, RefOr, Schema, SchemaFormat, Type,
    extensions::Extensions, schema::AdditionalProperties,
};

use super::{UnknownValue, Vocabulary};

/// Field name → messages, as sent in the `errors` member of a validation problem.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A JSON object with its members in order; duplicate keys are refused when it is read.
pub type JsonObject = Vec<(String, Value)>;

/// The rules of a free-text member: trimmed, something visible, at most `max_chars` characters
/// (Unicode characters, as PostgreSQL counts), no control characters but, where
/// `line_breaks`, line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub max_chars: usize,
    pub line_breaks: bool,
}

impl TextRule {
    /// The trimmed text, or why it breaks the rule.
    pub fn check(self, raw: &str) -> Result<String, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("must not be blank".to_owned());
        }
        if text.chars().count() > self.max_chars {
            return Err(too_long(self.max_chars));
        }
        if text.chars().any(|c| self.is_refused(c)) {
            return Err(if self.line_breaks {
                "must not contain control characters other than line breaks and tabs"
            } else {
                "must not contain control characters or line breaks"
            }
            .to_owned());
        }
        Ok(text.to_owned())
    }

    fn is_refused(self, c: char) -> bool {
        c.is_control() && !(self.line_breaks && matches!(c, '\n' | '\r' | '\t'))
    }

    /// The same rule as a JSON Schema string: the pattern says "something visible, and no
    /// refused control character" (C0 and C1 controls, less tab, line feed and carriage
    /// return where line breaks are allowed).
    fn schema(self, example: &str) -> ObjectBuilder {
        let refused = if self.line_breaks {
            r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
        } else {
            r"\u0000-\u001f\u007f-\u009f"
        };
        let visible = r"[^\s\u0000-\u001f\u007f-\u009f]";
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(self.max_chars))
            .pattern(Some(format!("^[^{refused}]*{visible}[^{refused}]*$")))
            .examples([example])
    }
}

/// The message for a text over its length limit, from the parser or, should one get past it,
/// from the database's CHECK.
pub fn too_long(max_chars: usize) -> String {
    format!("must be at most {max_chars} characters")
}

/// What a text member must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Free text under a rule.
    Free(TextRule),
    /// An email address ([`super::Email`]).
    Email,
    /// A new password ([`super::Password`]), taken as typed (not trimmed).
    Password,
    /// A password given to sign in: whatever was typed, up to the longest a password may be
    /// (a wrong one is a failed sign-in, not a validation error).
    GivenPassword,
}

impl TextFormat {
    /// The value to keep, or why it is refused.
    pub fn check(self, raw: &str) -> Result<String, String> {
        match self {
            Self::Free(rule) => rule.check(raw),
            Self::Email => super::user::check_email(raw),
            Self::Password => super::user::check_password(raw),
            Self::GivenPassword => match raw.chars().count() {
                0 => Err("is required".to_owned()),
                n if n > super::Password::MAX_CHARS => Err(too_long(super::Password::MAX_CHARS)),
                _ => Ok(raw.to_owned()),
            },
        }
    }

    fn schema(self, example: &str) -> ObjectBuilder {
        match self {
            Self::Free(rule) => rule.schema(example),
            Self::Email => ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("email".to_owned())))
                .max_length(Some(super::Email::MAX_CHARS))
                .examples([example]),
            Self::Password => ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
                .min_length(Some(super::Password::MIN_CHARS))
                .max_length(Some(super::Password::MAX_CHARS)),
            Self::GivenPassword => ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
                .min_length(Some(1))
                .max_length(Some(super::Password::MAX_CHARS)),
        }
    }
}

/// A text member of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMember {
    pub name: &'static str,
    pub format: TextFormat,
    pub required: bool,
    /// An example for the document.
    pub example: &'static str,
}

/// A member holding one value of a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelMember {
    pub name: &'static str,
    /// The vocabulary's schema name.
    pub vocabulary: &'static str,
    pub description: Option<&'static str>,
}

impl LabelMember {
    pub const fn of<T: Vocabulary>(name: &'static str, description: Option<&'static str>) -> Self {
        Self {
            name,
            vocabulary: T::NAME,
            description,
        }
    }
}

/// A true/false member, always optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagMember {
    pub name: &'static str,
    pub description: &'static str,
}

/// A member naming an account by its id, always optional; where `clearable`, `null` sets it
/// to nobody (whatever the body's [`Null`] rule says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdMember {
    pub name: &'static str,
    pub description: &'static str,
    pub clearable: bool,
}

/// One member of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    Text(TextMember),
    /// Always optional.
    Label(LabelMember),
    Flag(FlagMember),
    Id(IdMember),
}

impl Member {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Text(member) => member.name,
            Self::Label(member) => member.name,
            Self::Flag(member) => member.name,
            Self::Id(member) => member.name,
        }
    }

    /// Whether `null` is a value of its own (not "omitted", not refused).
    fn clearable(&self) -> bool {
        matches!(self, Self::Id(member) if member.clearable)
    }

    fn required(&self) -> bool {
        matches!(self, Self::Text(member) if member.required)
    }

    fn schema(&self, nullable: bool) -> RefOr<Schema> {
        let schema: RefOr<Schema> = match self {
            Self::Text(member) => member.format.schema(member.example).build().into(),
            Self::Label(member) => {
                let mut reference = Ref::from_schema_name(member.vocabulary);
                if let Some(description) = member.description {
                    description.clone_into(&mut reference.description);
                }
                reference.into()
            }
            Self::Flag(member) => ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some(member.description))
                .build()
                .into(),
            Self::Id(member) => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .description(Some(member.description))
                .build()
                .into(),
        };
        if (nullable && !self.required()) || self.clearable() {
            Schema::OneOf(
                OneOfBuilder::new()
                    .item(ObjectBuilder::new().schema_type(Type::Null))
                    .item(schema)
                    .build(),
            )
            .into()
        } else {
            schema
        }
    }
}

/// What `null` means for an optional member of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Null {
    /// The same as leaving the member out.
    MeansOmitted,
    /// Refused: leave the member out instead.
    Refused,
}

/// A request body: its schema's name and description, its members, what `null` means, and
/// which members need another (`(member, needs)`: given `member`, `needs` must be given too).
#[derive(Debug)]
pub struct Body {
    pub name: &'static str,
    pub description: &'static str,
    pub members: &'static [Member],
    pub null: Null,
    pub dependencies: &'static [(&'static str, &'static str)],
}

impl Body {
    /// Starts reading `object` as this body.
    pub fn read<'a>(&'static self, object: &'a JsonObject) -> BodyReader<'a> {
        let mut reader = BodyReader {
            body: self,
            object,
            errors: FieldErrors::new(),
        };
        if self.null == Null::Refused {
            let clearable = |name: &str| {
                self.members
                    .iter()
                    .any(|member| member.name() == name && member.clearable())
            };
            for (name, value) in object {
                if value.is_null() && !clearable(name) {
                    reader.fail(name, "must not be null".to_owned());
                }
            }
        }
        reader
    }

    /// The JSON Schema of this body, as the OpenAPI document shows it.
    pub fn schema(&self) -> Schema {
        let nullable = self.null == Null::MeansOmitted;
        let mut extensions = Extensions::default();
        if !self.dependencies.is_empty() {
            let dependent: serde_json::Map<String, Value> = self
                .dependencies
                .iter()
                .map(|(member, needs)| ((*member).to_owned(), Value::from(vec![*needs])))
                .collect();
            extensions.insert("dependentRequired".to_owned(), Value::Object(dependent));
        }
        self.members
            .iter()
            .fold(
                ObjectBuilder::new()
                    .description(Some(self.description))
                    .additional_properties(Some(AdditionalProperties::FreeForm(false)))
                    .extensions((!extensions.is_empty()).then_some(extensions)),
                |object, member| {
                    let object = object.property(member.name(), member.schema(nullable));
                    if member.required() {
                        object.required(member.name())
                    } else {
                        object
                    }
                },
            )
            .into()
    }

    /// The names of its members, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.members.iter().map(Member::name).collect()
    }
}

/// Reads members of one body, collecting one message list per field.
pub struct BodyReader<'a> {
    body: &'static Body,
    object: &'a JsonObject,
    errors: FieldErrors,
}

impl<'a> BodyReader<'a> {
    /// A text member, checked against its rule (and required, where declared so).
    pub fn text(&mut self, member: &TextMember) -> Option<String> {
        let raw = self.string(member.name, member.required)?;
        member
            .format
            .check(raw)
            .map_err(|message| self.fail(member.name, message))
            .ok()
    }

    /// A label member: one of the vocabulary's spellings.
    pub fn label<T: FromStr<Err = UnknownValue>>(&mut self, member: &LabelMember) -> Option<T> {
        let raw = self.string(member.name, false)?;
        raw.parse()
            .map_err(|error: UnknownValue| self.fail(member.name, error.to_string()))
            .ok()
    }

    /// A flag member: `true` or `false`.
    pub fn flag(&mut self, member: &FlagMember) -> Option<bool> {
        let value = self
            .object
            .iter()
            .find(|(key, _)| key == member.name)
            .map(|(_, value)| value);
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Bool(flag)) => Some(*flag),
            Some(_) => {
                self.fail(member.name, "must be true or false".to_owned());
                None
            }
        }
    }

    /// An account id member: `None` when omitted, `Some(None)` for a clearable member's `null`.
    pub fn id(&mut self, member: &IdMember) -> Option<Option<i64>> {
        let value = self
            .object
            .iter()
            .find(|(key, _)| key == member.name)
            .map(|(_, value)| value)?;
        match value {
            Value::Null if member.clearable => Some(None),
            // Reported by `read` when the body refuses nulls; otherwise the same as omitted.
            Value::Null => None,
            value => match value.as_i64().filter(|id| *id > 0) {
                Some(id) => Some(Some(id)),
                None => {
                    let message = if member.clearable {
                        "must be an account id (a positive integer) or null"
                    } else {
                        "must be an account id (a positive integer)"
                    };
                    self.fail(member.name, message.to_owned());
                    None
                }
            },
        }
    }

    /// Reports members the body does not declare and members given without the one they need,
    /// and returns every error found.
    pub fn finish(mut self) -> Result<(), FieldErrors> {
        let given = |name: &str| {
            self.object
                .iter()
                .any(|(key, value)| key == name && !value.is_null())
        };
        let missing: Vec<(&str, &str)> = self
            .body
            .dependencies
            .iter()
            .filter(|(member, needs)| given(member) && !given(needs))
            .copied()
            .collect();
        for (member, needs) in missing {
            self.fail(needs, format!("is required with {member}"));
        }
        let names = self.body.names();
        for (name, _) in self.object {
            if !names.contains(&name.as_str()) {
                let message = format!("is not an accepted field (accepted: {})", names.join(", "));
                self.fail(name, message);
            }
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// The member's string, if given; `null` counts as absent (a body that refuses nulls has
    /// reported them already).
    fn string(&mut self, name: &str, required: bool) -> Option<&'a str> {
        let value = self
            .object
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value);
        match value {
            None | Some(Value::Null) => {
                if required {
                    self.fail(name, "is required".to_owned());
                }
                None
            }
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                self.fail(name, "must be a string".to_owned());
                None
            }
        }
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors
            .entry(name.to_owned())
            .or_default()
            .push(message);
    }
}

/// A type naming a [`Body`] in the OpenAPI document (`request_body(content = …)` takes a type).
macro_rules! documented_body {
    ($(#[$meta:meta])* $name:ident => $body:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $body.schema().into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($body.name)
            }
        }
    };
}
pub(crate) use documented_body;
