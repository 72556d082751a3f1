//! People: their role, and the validated values that identify them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    Role,
    request::{
        Body, FieldErrors, FlagMember, JsonObject, LabelMember, Member, Null, TextFormat,
        TextMember, TextRule, documented_body,
    },
};

/// An account, as the API shows it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct User {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whose tickets this account may see and change: a requester their own, staff all.
    pub fn ticket_scope(&self) -> TicketScope {
        match self.role {
            Role::Requester => TicketScope::RequestedBy(self.id),
            Role::Agent | Role::Admin => TicketScope::All,
        }
    }

    /// Agents and admins work every ticket: any change, the statistics, filing for others.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Agent | Role::Admin)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The tickets a caller may see: the one place that rule lives, applied by every query of the
/// repository that reads or changes tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketScope {
    /// Staff, and the system itself (seeding, tests).
    All,
    /// A requester: only the tickets they asked for.
    RequestedBy(i64),
}

impl TicketScope {
    /// The requester the tickets must belong to, if any.
    pub fn requester(self) -> Option<i64> {
        match self {
            Self::All => None,
            Self::RequestedBy(id) => Some(id),
        }
    }
}

/// Display names: one line, at most 100 characters.
pub const NAME_RULE: TextRule = TextRule {
    max_chars: 100,
    line_breaks: false,
};

/// An email address as people type it: trimmed, one `@` with something on both sides, no
/// spaces, at most 254 characters. Its case is kept; accounts match it case-insensitively.
/// Deliberately not a full RFC 5322 parser: the address is an identifier here, and whether it
/// works is for a mail server to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        check_email(raw).map(Self)
    }

    /// An address a body reader has already checked with [`super::request::TextFormat::Email`].
    pub(super) fn from_checked(email: String) -> Self {
        Self(email)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as chosen: 12 to 128 characters (OWASP's floor for passwords without other
/// composition rules, and a ceiling that keeps hashing bounded). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, String> {
        check_password(raw).map(Self)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

const EMAIL: TextMember = TextMember {
    name: "email",
    format: TextFormat::Email,
    required: true,
    example: "ada@example.com",
};
const NAME: TextMember = TextMember {
    name: "name",
    format: TextFormat::Free(NAME_RULE),
    required: true,
    example: "Ada Lovelace",
};
const NEW_PASSWORD: TextMember = TextMember {
    name: "password",
    format: TextFormat::Password,
    required: true,
    example: "correct horse battery staple",
};
const ROLE: LabelMember = LabelMember::of::<Role>("role", None);
const GIVEN_PASSWORD: TextMember = TextMember {
    format: TextFormat::GivenPassword,
    ..NEW_PASSWORD
};
const OPTIONAL_PASSWORD: TextMember = TextMember {
    required: false,
    ..NEW_PASSWORD
};
const OPTIONAL_NAME: TextMember = TextMember {
    required: false,
    ..NAME
};
const DISABLED: FlagMember = FlagMember {
    name: "disabled",
    description: "A disabled account's tokens stop working at once.",
};

/// `POST /api/auth/login`.
pub static SIGN_IN: Body = Body {
    name: "SignInRequest",
    description: "A built-in account's address and password.",
    members: &[Member::Text(EMAIL), Member::Text(GIVEN_PASSWORD)],
    null: Null::MeansOmitted,
    dependencies: &[],
};

/// `POST /api/auth/signup`.
pub static SIGN_UP: Body = Body {
    name: "SignUpRequest",
    description: "A new requester account.",
    members: &[
        Member::Text(EMAIL),
        Member::Text(NAME),
        Member::Text(NEW_PASSWORD),
    ],
    null: Null::MeansOmitted,
    dependencies: &[],
};

/// `POST /api/users/`.
pub static NEW_USER: Body = Body {
    name: "NewUserRequest",
    description: "An account made by an admin: requester unless a role is given; without a \
                  password it signs in only through an OpenID provider until one is set.",
    members: &[
        Member::Text(EMAIL),
        Member::Text(NAME),
        Member::Label(ROLE),
        Member::Text(OPTIONAL_PASSWORD),
    ],
    null: Null::MeansOmitted,
    dependencies: &[],
};

/// `PATCH /api/users/{id}/`.
pub static CHANGE_USER: Body = Body {
    name: "UserChangesRequest",
    description: "Changes to an account; omit what stays.",
    members: &[
        Member::Text(OPTIONAL_NAME),
        Member::Label(ROLE),
        Member::Flag(DISABLED),
    ],
    null: Null::Refused,
    dependencies: &[],
};

documented_body!(
    /// The OpenAPI schema of [`SIGN_IN`].
    SignInRequest => SIGN_IN
);
documented_body!(
    /// The OpenAPI schema of [`SIGN_UP`].
    SignUpRequest => SIGN_UP
);
documented_body!(
    /// The OpenAPI schema of [`NEW_USER`].
    NewUserRequest => NEW_USER
);
documented_body!(
    /// The OpenAPI schema of [`CHANGE_USER`].
    UserChangesRequest => CHANGE_USER
);

/// Credentials to check.
#[derive(Debug)]
pub struct SignIn {
    pub email: Email,
    pub password: String,
}

impl SignIn {
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = SIGN_IN.read(body);
        let email = fields.text(&EMAIL);
        let password = fields.text(&GIVEN_PASSWORD);
        fields.finish()?;
        match (email, password) {
            (Some(email), Some(password)) => Ok(Self {
                email: Email(email),
                password,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// A new account: from sign-up (a requester with a password) or made by an admin.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password: Option<Password>,
}

impl NewAccount {
    pub fn parse_sign_up(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = SIGN_UP.read(body);
        let email = fields.text(&EMAIL);
        let name = fields.text(&NAME);
        let password = fields.text(&NEW_PASSWORD);
        fields.finish()?;
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok(Self {
                email: Email(email),
                name,
                role: Role::Requester,
                password: Some(Password(password)),
            }),
            _ => Err(FieldErrors::new()),
        }
    }

    pub fn parse_by_admin(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = NEW_USER.read(body);
        let email = fields.text(&EMAIL);
        let name = fields.text(&NAME);
        let role = fields.label(&ROLE);
        let password = fields.text(&OPTIONAL_PASSWORD);
        fields.finish()?;
        match (email, name) {
            (Some(email), Some(name)) => Ok(Self {
                email: Email(email),
                name,
                role: role.unwrap_or(Role::Requester),
                password: password.map(Password),
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An admin's change to an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

impl AccountChanges {
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = CHANGE_USER.read(body);
        let changes = Self {
            name: fields.text(&OPTIONAL_NAME),
            role: fields.label(&ROLE),
            disabled: fields.flag(&DISABLED),
        };
        fields.finish()?;
        Ok(changes)
    }
}

pub(super) fn check_email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    let valid = email.chars().count() <= Email::MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if valid {
        Ok(email.to_owned())
    } else {
        Err("must be an email address such as ada@example.com".to_owned())
    }
}

pub(super) fn check_password(raw: &str) -> Result<String, String> {
    let length = raw.chars().count();
    if length < Password::MIN_CHARS {
        return Err(format!(
            "must be at least {} characters",
            Password::MIN_CHARS
        ));
    }
    if length > Password::MAX_CHARS {
        return Err(super::too_long(Password::MAX_CHARS));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_need_one_at_with_both_sides() {
        assert_eq!(
            Email::parse(" Ada@Example.com ").unwrap().as_str(),
            "Ada@Example.com"
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "a b@example.com",
            "a@b@c",
            "a\n@b",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_have_bounds_and_never_print() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        let password = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
