//! Domain types: the ticket vocabularies and validated request values.

mod enums;
mod stats;
mod ticket;

pub use enums::{Category, Priority, Status, UnknownValue, Vocabulary};
pub use stats::{Breakdown, TicketStats};
pub use ticket::{
    ClassifyRequest, CreateTicketRequest, DESCRIPTION_MAX_CHARS, Description, FieldErrors,
    JsonObject, NewTicket, TITLE_MAX_CHARS, Ticket, TicketChanges, Title, UpdateTicketRequest,
    parse_classify_request, too_long,
};
