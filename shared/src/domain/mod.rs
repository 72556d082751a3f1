//! Domain types: the ticket vocabularies and validated request values.

mod enums;
mod request;
mod stats;
mod ticket;
mod user;

pub use enums::{Category, Priority, Role, Status, UnknownValue, Vocabulary};
pub use request::{
    Body, BodyReader, FieldErrors, JsonObject, LabelMember, Member, Null, TextMember, TextRule,
    too_long,
};
pub use stats::{Breakdown, TicketStats};
pub use ticket::{
    CLASSIFY, CREATE_TICKET, ClassifyRequest, CreateTicketRequest, DESCRIPTION_MAX_CHARS,
    DESCRIPTION_RULE, Description, NewTicket, TITLE_MAX_CHARS, TITLE_RULE, Ticket, TicketChanges,
    Title, UPDATE_TICKET, UpdateTicketRequest, parse_classify_request,
};
pub use user::{
    AccountChanges, CHANGE_USER, Email, NAME_RULE, NEW_USER, NewAccount, NewUserRequest, Password,
    SIGN_IN, SIGN_UP, SignIn, SignInRequest, SignUpRequest, TicketScope, User, UserChangesRequest,
};
