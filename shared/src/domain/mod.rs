//! Domain types: the ticket vocabularies and validated request values.

mod enums;
mod request;
mod stats;
mod ticket;

pub use enums::{Category, Priority, Status, UnknownValue, Vocabulary};
pub use request::{Body, FieldErrors, JsonObject, too_long};
pub use stats::{Breakdown, TicketStats};
pub use ticket::{
    CLASSIFY, CREATE_TICKET, ClassifyRequest, CreateTicketRequest, DESCRIPTION_MAX_CHARS,
    DESCRIPTION_RULE, Description, NewTicket, TITLE_MAX_CHARS, TITLE_RULE, Ticket, TicketChanges,
    Title, UPDATE_TICKET, UpdateTicketRequest, parse_classify_request,
};
